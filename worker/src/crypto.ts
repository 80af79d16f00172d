import { AsyncLocalStorage } from 'node:async_hooks';
import { pause } from './clock';

/**
 * The worker's own crypto: password hashes and the turns they take, constant-time comparison, digests and
 * random tokens. WebCrypto, no bindings and no HTTP, so Durable Objects, routes and middleware may all import it.
 */

/** PBKDF2 iterations per password hash, across its rounds (Workers' WebCrypto allows at most 100,000 in one call). */
const ITERATIONS = 100_000;
const enc = new TextEncoder();

export function b64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromB64url(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

/** Hashes started in this isolate, so tests can count how many passwords were evaluated. */
export const hashStats = { started: 0 };

/** A turn not given back by then belonged to a request that was cut off (workerd drops its pending work). */
const STALE_TURN_MS = 1_000;
/** How often one waiter looks, per four waiting: a free turn is taken within about 2.5 ms of its release. */
const POLL_MS = 10;
/**
 * The longest a waiter sleeps between looks. `waiting` also counts waiters whose request was cut off (their
 * `finally` never runs), so over an isolate's life it can only overstate; this bounds what that costs.
 */
const MAX_POLL_MS = 100;
/**
 * Turns held at once. Most of a sign-in's turn is waiting (for D1, for the timers between hash pieces), so
 * one at a time left the thread idle while sign-ins queued; three keep it busy without flooding it.
 */
export const PASSWORD_TURNS = 3;
const turns = new Set<{ since: number }>();
let waiting = 0;
/** The turn the running code holds, so that a hash inside a sign-in's turn does not wait for itself. */
const holder = new AsyncLocalStorage<{ since: number }>();

const allTaken = () => {
  for (const t of turns) if (Date.now() - t.since >= STALE_TURN_MS) turns.delete(t);
  return turns.size >= PASSWORD_TURNS;
};

/**
 * workerd derives PBKDF2 bits on the isolate's one thread, inside the deriveBits call, and nothing else in
 * the isolate runs meanwhile; a sign-in's directory statements queue on the same thread. Forty logins at
 * once held every gift behind forty hashes and two hundred statements. So password work takes turns: a
 * sign-in (its rate-limit statements, its hash, its session) runs in one of PASSWORD_TURNS turns per
 * isolate, and a turn ends only after a timer, so what arrived meanwhile (a gift's next step) runs before
 * the next one starts. Every hash takes a turn too; inside a turn it already holds one. Waiters poll rather
 * than wait on each other's promises, which workerd cancels with the request that made them, and poll less
 * often the more they are.
 */
export async function inPasswordTurn<T>(work: () => Promise<T>): Promise<T> {
  const held = holder.getStore();
  if (held && turns.has(held)) return work();
  waiting++;
  try {
    while (allTaken()) await pause(Math.min(MAX_POLL_MS, POLL_MS * Math.ceil(waiting / 4)));
  } finally {
    waiting--;
  }
  const mine = { since: Date.now() };
  turns.add(mine);
  try {
    return await holder.run(mine, work);
  } finally {
    await pause(0);
    turns.delete(mine);
  }
}

/**
 * A password hash is PBKDF2-SHA256 nested ROUNDS times: each round a standard PBKDF2 of ITERATIONS / ROUNDS
 * rounds whose key is the previous round's 32 bytes and whose salt is the account's salt and the round's
 * number. A guess costs the same ITERATIONS as one PBKDF2 (the rounds must run in order), but workerd runs a
 * deriveBits call whole on the isolate's one thread: 100,000 iterations held it for ~20 ms, 10,000 for ~2
 * ms, and a timer between rounds lets a gift's next step run. Decision 0013.
 */
const ROUNDS = 10;

async function derive(key: Uint8Array<ArrayBuffer>, salt: Uint8Array<ArrayBuffer>, iterations: number) {
  const material = await crypto.subtle.importKey('raw', key, 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(
    await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, material, 256),
  );
}

/** Round `i`'s salt: the account's salt, then i as one byte (one round alone keeps the plain salt). */
function roundSalt(salt: Uint8Array<ArrayBuffer>, rounds: number, i: number): Uint8Array<ArrayBuffer> {
  if (rounds === 1) return salt;
  const out = new Uint8Array(salt.length + 1);
  out.set(salt);
  out[salt.length] = i;
  return out;
}

function nestedPbkdf2(password: string, salt: Uint8Array<ArrayBuffer>, rounds: number, iterations: number) {
  return inPasswordTurn(async () => {
    hashStats.started++;
    let key: Uint8Array<ArrayBuffer> = enc.encode(password);
    for (let i = 0; i < rounds; i++) {
      if (i > 0) await pause(0);
      key = await derive(key, roundSalt(salt, rounds, i), iterations);
    }
    return key;
  });
}

const SCHEME = 'pbkdf2-sha256-nested';
const PER_ROUND = ITERATIONS / ROUNDS;

/** Checked when the email is unknown, so that case costs one hash like a known one; it matches nothing. */
export const DECOY_HASH = `${SCHEME}$${ROUNDS}x${PER_ROUND}$${'A'.repeat(22)}$${'A'.repeat(43)}`;

/**
 * `pbkdf2-sha256-nested$<rounds>x<iterations per round>$salt$hash`, so the cost can rise later without breaking
 * old hashes. Hashes stored before the rounds (`pbkdf2-sha256$<iterations>$salt$hash`, one round) still verify.
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await nestedPbkdf2(password, salt, ROUNDS, PER_ROUND);
  return `${SCHEME}$${ROUNDS}x${PER_ROUND}$${b64url(salt)}$${b64url(hash)}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, cost, salt, hash] = stored.split('$');
  if (!cost || !salt || !hash) return false;
  const [rounds, iterations] =
    scheme === SCHEME ? cost.split('x').map(Number) : scheme === 'pbkdf2-sha256' ? [1, Number(cost)] : [];
  if (!rounds || !iterations || rounds > 255) return false;
  const actual = await nestedPbkdf2(password, fromB64url(salt), rounds, iterations);
  return timingSafeEqual(actual, fromB64url(hash));
}

export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function timingSafeEqualText(a: string, b: string): boolean {
  return timingSafeEqual(enc.encode(a), enc.encode(b));
}

export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', enc.encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A random token: `prefix` and `bytes` random bytes in hex. */
export function randomToken(prefix: string, bytes = 24): string {
  return `${prefix}${[...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
