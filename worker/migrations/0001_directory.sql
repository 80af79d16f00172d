-- The directory: who people are and how to find things. Balances live in each user's Wallet.
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  email_norm TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  birthdate TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE creators (
  user_id TEXT PRIMARY KEY REFERENCES users(id),
  handle TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);

CREATE TABLE channel_claims (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  channel_key TEXT NOT NULL,
  site TEXT NOT NULL,
  url TEXT NOT NULL,
  handle TEXT NOT NULL REFERENCES creators(handle),
  verified INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  UNIQUE (channel_key, handle)
);
CREATE INDEX channel_claims_key ON channel_claims(channel_key, verified, created_at);

-- An index of payouts for the operator; the creator's Wallet is the authority.
CREATE TABLE payouts (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  handle TEXT NOT NULL,
  diamonds INTEGER NOT NULL,
  amount INTEGER NOT NULL,
  destination TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  decided_at INTEGER
);
CREATE INDEX payouts_status ON payouts(status, created_at);

-- Where a Stripe payment belongs, so webhooks find the wallet.
CREATE TABLE purchases (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  checkout_session_id TEXT,
  payment_intent TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX purchases_payment_intent ON purchases(payment_intent);

CREATE TABLE stripe_events (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  received_at INTEGER NOT NULL
);

CREATE TABLE rate_cards (
  version INTEGER PRIMARY KEY,
  effective_at INTEGER NOT NULL,
  card TEXT NOT NULL
);

CREATE TABLE rate_limits (
  bucket TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  reset_at INTEGER NOT NULL
);
