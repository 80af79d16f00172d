// Sign in, or create an account with a birthdate (18+ to buy, gift or be paid; anyone may watch).
import { useState } from 'preact/hooks';
import type { ReplyError, SessionView } from '../lib/replies';
import { ErrorNote, useAsk } from './ui';

export function AuthView({ onSignedIn }: { onSignedIn(s: SessionView): void }) {
  const ask = useAsk();
  const [mode, setMode] = useState<'signIn' | 'signUp'>('signIn');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ReplyError | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const field = (k: string) => String(f.get(k) ?? '');
    setBusy(true);
    setError(null);
    const reply =
      mode === 'signIn'
        ? await ask({ type: 'session.signIn', email: field('email'), password: field('password') })
        : await ask({
            type: 'session.signUp',
            email: field('email'),
            password: field('password'),
            displayName: field('displayName'),
            birthdate: field('birthdate'),
          });
    setBusy(false);
    if (reply.ok) onSignedIn(reply.data);
    else setError(reply.error);
  }

  return (
    <section class="auth">
      <div class="tabs small">
        <button type="button" class={mode === 'signIn' ? 'on' : ''} onClick={() => setMode('signIn')}>
          Sign in
        </button>
        <button type="button" class={mode === 'signUp' ? 'on' : ''} onClick={() => setMode('signUp')}>
          Create account
        </button>
      </div>
      <form onSubmit={submit} aria-label={mode === 'signIn' ? 'Sign in' : 'Create account'}>
        <label>
          Email
          <input name="email" type="email" autocomplete="email" required />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autocomplete={mode === 'signIn' ? 'current-password' : 'new-password'}
            minLength={mode === 'signUp' ? 8 : 1}
            required
          />
        </label>
        {mode === 'signUp' && (
          <>
            <label>
              Display name
              <input name="displayName" maxLength={40} required />
            </label>
            <label>
              Birthdate
              <input name="birthdate" type="date" required />
            </label>
            <p class="muted">
              You must be 18 or older to buy coins or send gifts. Your birthdate cannot be changed later.
            </p>
          </>
        )}
        <button class="primary" type="submit" disabled={busy}>
          {mode === 'signIn' ? 'Sign in' : 'Create account'}
        </button>
      </form>
      <ErrorNote error={error} context={{ where: 'popup' }} />
    </section>
  );
}
