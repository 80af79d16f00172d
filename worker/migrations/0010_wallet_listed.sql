-- The operator's audit asks only the wallets listed here: a wallet lists itself (wallet_listed_at) before its
-- first change, so an account that only signed up costs the audit no Durable Object start. Every wallet from
-- before this migration is listed, since it may hold something.
ALTER TABLE users ADD COLUMN wallet_listed_at INTEGER;
UPDATE users SET wallet_listed_at = created_at;
CREATE INDEX users_wallet_listed ON users (id) WHERE wallet_listed_at IS NOT NULL;
