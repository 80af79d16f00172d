-- The directory mirrors each room's live flag so the gift path need not ask the room first; the room
-- stays the authority (it accepts every gift debited while this said live).
ALTER TABLE creators ADD COLUMN live INTEGER NOT NULL DEFAULT 0;
