-- Stock and prices to the shop (issue 9). A link is due when the warehouse's value of
-- its variant may differ from the shop's: a stock change (absorbed from the outbox), a
-- price change (written in the same transaction as the price), a settings change, a
-- full pass. push_version counts the reasons, so a push that raced a newer change
-- leaves the link due. shop_quantity / shop_price (migration 0004) hold the value the
-- shop last accepted, adjusted by the stock the shop takes and returns with its orders.

ALTER TABLE shop_links ADD COLUMN push_due INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shop_links ADD COLUMN push_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shop_links ADD COLUMN due_since TEXT;
ALTER TABLE shop_links ADD COLUMN pushed_at TEXT;
CREATE INDEX shop_links_due ON shop_links (connection_id, push_due, due_since);

-- The units of each variant the shop holds for an order (JSON {variant: thousandths}),
-- as far as its status says.
ALTER TABLE shop_orders ADD COLUMN stock_taken TEXT;

-- When the connection's last full pass and reconciliation ran.
ALTER TABLE shop_connections ADD COLUMN pass_at TEXT;
ALTER TABLE shop_connections ADD COLUMN reconciled_at TEXT;

-- Writes to the shop per connection and hour (the control panel's figures).
CREATE TABLE shop_push_stats (
    connection_id INTEGER NOT NULL REFERENCES shop_connections (id) ON DELETE CASCADE,
    hour TEXT NOT NULL,
    pushes INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    PRIMARY KEY (connection_id, hour)
);
