-- The directory also lists purchases the operator must look at: a payment that did not match its price.
ALTER TABLE purchases ADD COLUMN status TEXT;
ALTER TABLE purchases ADD COLUMN flagged_reason TEXT;
CREATE INDEX purchases_status ON purchases(status);
