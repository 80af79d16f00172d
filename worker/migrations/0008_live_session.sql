-- The directory mirrors the room's live session id beside its live flag: a gift carries it to the viewer's
-- wallet, whose per-stream gift cap counts per session. NULL while not live (or live since before this).
ALTER TABLE creators ADD COLUMN live_session TEXT;
