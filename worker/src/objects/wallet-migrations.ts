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
  // Rows written are billed: a table keyed by TEXT writes its row and its key's index on each insert; the same
  // table WITHOUT ROWID writes one. Rebuilt with every column and constraint, data copied (docs/decisions/0012).
  `CREATE TABLE idempotency_new (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID;
   INSERT INTO idempotency_new (key, fingerprint, status, body, at) SELECT key, fingerprint, status, body, at FROM idempotency;
   DROP TABLE idempotency;
   ALTER TABLE idempotency_new RENAME TO idempotency;
   CREATE TABLE credits_new (transfer_id TEXT PRIMARY KEY, batch_id TEXT NOT NULL) WITHOUT ROWID;
   INSERT INTO credits_new (transfer_id, batch_id) SELECT transfer_id, batch_id FROM credits;
   DROP TABLE credits;
   ALTER TABLE credits_new RENAME TO credits;
   CREATE TABLE outbox_new (transfer_id TEXT PRIMARY KEY, coins INTEGER NOT NULL, payload TEXT NOT NULL,
     attempts INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID;
   INSERT INTO outbox_new (transfer_id, coins, payload, attempts, next_attempt_at, created_at)
     SELECT transfer_id, coins, payload, attempts, next_attempt_at, created_at FROM outbox;
   DROP TABLE outbox;
   ALTER TABLE outbox_new RENAME TO outbox;
   CREATE TABLE combos_new (key TEXT PRIMARY KEY, id TEXT NOT NULL, last_at INTEGER NOT NULL, count INTEGER NOT NULL) WITHOUT ROWID;
   INSERT INTO combos_new (key, id, last_at, count) SELECT key, id, last_at, count FROM combos;
   DROP TABLE combos;
   ALTER TABLE combos_new RENAME TO combos;
   CREATE TABLE balances_new (account TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
   INSERT INTO balances_new (account, value) SELECT account, value FROM balances;
   DROP TABLE balances;
   ALTER TABLE balances_new RENAME TO balances;
   CREATE TABLE gift_spend_new (transfer_id TEXT PRIMARY KEY, room TEXT NOT NULL, session_id TEXT, amount INTEGER NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID;
   INSERT INTO gift_spend_new (transfer_id, room, session_id, amount, at) SELECT transfer_id, room, session_id, amount, at FROM gift_spend;
   DROP TABLE gift_spend;
   ALTER TABLE gift_spend_new RENAME TO gift_spend;
   CREATE INDEX gift_spend_at ON gift_spend (at);
   CREATE INDEX gift_spend_session ON gift_spend (room, session_id);`,
  // Three rows fewer per gift (docs/decisions/0012): gift_spend is keyed by time, so its time index goes; it holds
  // each gift's coins, so the wallet summary's monthly totals read it and transfers_kind_at goes (one index row on
  // every transfer); and each gift's combo, so the combos table goes (the latest gift of a key is its combo). Gifts
  // from before the caps (migration 3) get a row with their coins and no money. A combo open at this moment ends.
  `CREATE TABLE gift_spend_new (at INTEGER NOT NULL, transfer_id TEXT NOT NULL, room TEXT NOT NULL, session_id TEXT,
     amount INTEGER NOT NULL, coins INTEGER NOT NULL, combo_key TEXT, combo_id TEXT, combo_count INTEGER,
     PRIMARY KEY (at, transfer_id)) WITHOUT ROWID;
   INSERT INTO gift_spend_new (at, transfer_id, room, session_id, amount, coins)
     SELECT g.at, g.transfer_id, g.room, g.session_id, g.amount, COALESCE(t.amount, 0)
     FROM gift_spend g LEFT JOIN transfers t ON t.id = g.transfer_id;
   INSERT INTO gift_spend_new (at, transfer_id, room, session_id, amount, coins)
     SELECT t.at, t.id, '', NULL, 0, t.amount FROM transfers t
     WHERE t.kind = 'gift' AND t.debit = 'coins:user' AND t.id NOT IN (SELECT transfer_id FROM gift_spend);
   DROP TABLE gift_spend;
   ALTER TABLE gift_spend_new RENAME TO gift_spend;
   CREATE INDEX gift_spend_session ON gift_spend (room, session_id);
   DROP INDEX transfers_kind_at;
   DROP TABLE combos;`,
  // The stream cap reads the time range since the session began (its id is a ULID minted then) instead of an
  // index by session: one row fewer per gift (docs/decisions/0016).
  `DROP INDEX gift_spend_session;`,
];
