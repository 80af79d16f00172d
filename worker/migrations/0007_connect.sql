-- Stripe mode: each creator's Stripe Connect Express account, and what Stripe last said about it
-- (account.updated). Stripe is the authority; this row only remembers its answer.
CREATE TABLE payout_accounts (
  user_id TEXT PRIMARY KEY REFERENCES users(id),
  account_id TEXT NOT NULL UNIQUE,
  details_submitted INTEGER NOT NULL DEFAULT 0,
  charges_enabled INTEGER NOT NULL DEFAULT 0,
  payouts_enabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- The payout index says how each payout is paid (NULL: by the operator's hand; 'stripe_connect': by a
-- transfer) and, once Stripe accepted it, which transfer paid it.
ALTER TABLE payouts ADD COLUMN via TEXT;
ALTER TABLE payouts ADD COLUMN transfer_id TEXT;
