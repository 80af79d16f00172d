-- A deleted account keeps its row (its wallet's ledger still refers to it) with personal data removed.
ALTER TABLE users ADD COLUMN deleted_at INTEGER;
