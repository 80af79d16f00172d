import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import '../src/styles.css';
import '../src/looks.css';
import './studio.css';
import { call, keepToken, signInFromTicket, storedToken } from './api';
import { Studio } from './studio';

type Gate = { state: 'checking' } | { state: 'signed-out'; note: string | null } | { state: 'in' };

function App() {
  const [gate, setGate] = useState<Gate>({ state: 'checking' });
  useEffect(() => {
    void (async () => {
      const spent = await signInFromTicket();
      if (spent && !spent.ok) return setGate({ state: 'signed-out', note: spent.error.message });
      setGate(storedToken() ? { state: 'in' } : { state: 'signed-out', note: null });
    })();
  }, []);
  if (gate.state === 'checking') return <p class="studio-center">Opening the studio…</p>;
  if (gate.state === 'signed-out') return <SignIn note={gate.note} onIn={() => setGate({ state: 'in' })} />;
  return (
    <Studio
      onSignedOut={(note) => {
        keepToken(null);
        setGate({ state: 'signed-out', note });
      }}
    />
  );
}

function SignIn({ note, onIn }: { note: string | null; onIn: () => void }) {
  const [error, setError] = useState<string | null>(note);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const r = await call<{ token: string }>('POST', '/v1/auth/login', {
      email: form.get('email'),
      password: form.get('password'),
    });
    if (!r.ok) return setError(r.error.message);
    keepToken(r.data.token);
    onIn();
  };
  return (
    <main class="studio-center">
      <form class="signin" onSubmit={submit} aria-label="Sign in to the studio">
        <h1>Giftstream overlay studio</h1>
        <p class="muted">
          Open the studio from the Giftstream popup (Creator → Overlay → <b>Style alerts</b>), or sign in here.
        </p>
        {error && (
          <p class="bad" role="alert">
            {error}
          </p>
        )}
        <label>
          Email <input name="email" type="email" autocomplete="username" required />
        </label>
        <label>
          Password <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}

render(<App />, document.getElementById('studio')!);
