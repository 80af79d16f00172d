-- The operator is one caller across every creator's wallet: its Idempotency-Keys are scoped here.
CREATE TABLE operator_keys (
  key TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
