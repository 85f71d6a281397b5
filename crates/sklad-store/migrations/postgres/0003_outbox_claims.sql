-- The shop bridge claims outbox rows for a while (a lease) before acknowledging
-- them: a row is free when unclaimed or its lease has run out (RFC 3339 UTC text,
-- which sorts as time).
ALTER TABLE outbox_stock_changes ADD COLUMN claimed_until TEXT;
CREATE INDEX outbox_stock_changes_claimed ON outbox_stock_changes (claimed_until, id);
