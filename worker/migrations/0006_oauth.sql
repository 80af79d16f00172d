-- Sign-ins a creator started to prove a channel: the state a site hands back, stored only as its hash,
-- with the PKCE verifier. A row is deleted when its callback arrives, so a state works once; rows expire
-- after minutes. No foreign key to users: a row outlives nothing and an account closing must not wait on it.
CREATE TABLE oauth_states (
  state_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  site TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX oauth_states_user ON oauth_states(user_id, expires_at);
CREATE INDEX oauth_states_expiry ON oauth_states(expires_at);
