/** Append-only: never edit an entry that has shipped; add a new one. */
export const WALLET_MIGRATIONS: readonly string[] = [
  `CREATE TABLE balances (account TEXT PRIMARY KEY, value INTEGER NOT NULL);
   CREATE TABLE transfers (
     id TEXT PRIMARY KEY, kind TEXT NOT NULL, debit TEXT NOT NULL, credit TEXT NOT NULL,
     amount INTEGER NOT NULL, rate_version INTEGER NOT NULL, at INTEGER NOT NULL, ref TEXT, counterparty TEXT);
   CREATE INDEX transfers_kind_at ON transfers (kind, at);
   CREATE TABLE purchases (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, data TEXT NOT NULL);
   CREATE INDEX purchases_created ON purchases (created_at);
   CREATE TABLE payouts (id TEXT PRIMARY KEY, status TEXT NOT NULL, data TEXT NOT NULL);
   CREATE TABLE idempotency (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL, at INTEGER NOT NULL);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE credits (transfer_id TEXT PRIMARY KEY, batch_id TEXT NOT NULL);
   CREATE TABLE outbox (transfer_id TEXT PRIMARY KEY, coins INTEGER NOT NULL, payload TEXT NOT NULL,
     attempts INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL, created_at INTEGER NOT NULL);`,
  `CREATE TABLE combos (key TEXT PRIMARY KEY, id TEXT NOT NULL, last_at INTEGER NOT NULL, count INTEGER NOT NULL);`,
  // Effects that leave the wallet (directory rows, payment-provider calls), applied by the alarm until they succeed.
  `CREATE TABLE effects (id TEXT PRIMARY KEY, effect TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL, created_at INTEGER NOT NULL);`,
  // What each gift cost in money, with the room's live session: the gift caps and the spend meter count these.
  `CREATE TABLE gift_spend (transfer_id TEXT PRIMARY KEY, room TEXT NOT NULL, session_id TEXT, amount INTEGER NOT NULL, at INTEGER NOT NULL);
   CREATE INDEX gift_spend_at ON gift_spend (at);
   CREATE INDEX gift_spend_session ON gift_spend (room, session_id);`,
];
