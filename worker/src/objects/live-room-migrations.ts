/** Append-only: never edit an entry that has shipped; add a new one. */
export const LIVE_ROOM_MIGRATIONS: readonly string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE sessions (id TEXT PRIMARY KEY, title TEXT, started_at INTEGER NOT NULL, ended_at INTEGER,
     coins INTEGER NOT NULL DEFAULT 0, diamonds INTEGER NOT NULL DEFAULT 0, gifts INTEGER NOT NULL DEFAULT 0);
   CREATE TABLE gifts (transfer_id TEXT PRIMARY KEY, session_id TEXT, seq INTEGER NOT NULL, at INTEGER NOT NULL, data TEXT NOT NULL);
   CREATE TABLE events (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, data TEXT NOT NULL);
   CREATE TABLE supporters (session_id TEXT NOT NULL, supporter TEXT NOT NULL, name TEXT NOT NULL, coins INTEGER NOT NULL,
     PRIMARY KEY (session_id, supporter));
   CREATE TABLE combos (id TEXT PRIMARY KEY, last_at INTEGER NOT NULL, count INTEGER NOT NULL, coins INTEGER NOT NULL, ended INTEGER NOT NULL DEFAULT 0);
   CREATE INDEX combos_open ON combos (ended, last_at);
   CREATE TABLE credit_queue (transfer_id TEXT PRIMARY KEY, diamonds INTEGER NOT NULL, rate_version INTEGER NOT NULL,
     from_name TEXT, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL);`,
  `CREATE TABLE hidden_messages (transfer_id TEXT PRIMARY KEY, from_name TEXT NOT NULL, message TEXT NOT NULL, word TEXT NOT NULL, at INTEGER NOT NULL);`,
  // Rows written are billed: a table keyed by TEXT writes its row and its key's index on each insert; the same
  // table WITHOUT ROWID writes one. Rebuilt with every column, constraint and index, data copied (docs/decisions/0012).
  `CREATE TABLE gifts_new (transfer_id TEXT PRIMARY KEY, session_id TEXT, seq INTEGER NOT NULL, at INTEGER NOT NULL, data TEXT NOT NULL) WITHOUT ROWID;
   INSERT INTO gifts_new (transfer_id, session_id, seq, at, data) SELECT transfer_id, session_id, seq, at, data FROM gifts;
   DROP TABLE gifts;
   ALTER TABLE gifts_new RENAME TO gifts;
   CREATE TABLE supporters_new (session_id TEXT NOT NULL, supporter TEXT NOT NULL, name TEXT NOT NULL, coins INTEGER NOT NULL,
     PRIMARY KEY (session_id, supporter)) WITHOUT ROWID;
   INSERT INTO supporters_new (session_id, supporter, name, coins) SELECT session_id, supporter, name, coins FROM supporters;
   DROP TABLE supporters;
   ALTER TABLE supporters_new RENAME TO supporters;
   CREATE TABLE combos_new (id TEXT PRIMARY KEY, last_at INTEGER NOT NULL, count INTEGER NOT NULL, coins INTEGER NOT NULL, ended INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
   INSERT INTO combos_new (id, last_at, count, coins, ended) SELECT id, last_at, count, coins, ended FROM combos;
   DROP TABLE combos;
   ALTER TABLE combos_new RENAME TO combos;
   CREATE INDEX combos_open ON combos (ended, last_at);
   CREATE TABLE credit_queue_new (transfer_id TEXT PRIMARY KEY, diamonds INTEGER NOT NULL, rate_version INTEGER NOT NULL,
     from_name TEXT, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL) WITHOUT ROWID;
   INSERT INTO credit_queue_new (transfer_id, diamonds, rate_version, from_name, attempts, next_attempt_at)
     SELECT transfer_id, diamonds, rate_version, from_name, attempts, next_attempt_at FROM credit_queue;
   DROP TABLE credit_queue;
   ALTER TABLE credit_queue_new RENAME TO credit_queue;`,
  // A gift that goes on with an open combo moved its (ended, last_at) index entry: one row written per gift.
  // Open combos are few, so finding them by \`ended\` alone and sorting them costs nothing (docs/decisions/0012).
  `DROP INDEX combos_open;
   CREATE INDEX combos_open ON combos (ended);`,
  // The credit queue becomes a cursor over the gift log (docs/decisions/0016): a gift's event is its place in the
  // queue, so it costs no insert and no delete. What was queued at this moment is credited from a backlog first.
  `CREATE TABLE credit_backlog (transfer_id TEXT PRIMARY KEY) WITHOUT ROWID;
   INSERT INTO credit_backlog (transfer_id) SELECT transfer_id FROM credit_queue;
   INSERT INTO meta (key, value) SELECT 'credited_seq', COALESCE(MAX(seq), 0) FROM gifts;
   DROP TABLE credit_queue;`,
];
