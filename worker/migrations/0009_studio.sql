-- The overlay studio: each creator's overlay configuration (validated JSON, a revision that rises with
-- every save), the files they uploaded (the bytes live in R2 under media/<id>; this row is the index
-- the quota is counted from), and single-use tickets that open the studio from the extension popup.
CREATE TABLE overlay_configs (
  user_id TEXT PRIMARY KEY REFERENCES users(id),
  revision INTEGER NOT NULL,
  body TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE media (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL,
  content_type TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX media_user ON media(user_id);

CREATE TABLE studio_tickets (
  ticket_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
