-- Shop orders coming in (issue 8): every webhook delivery is written to the inbox before
-- it is acknowledged (one row per distinct delivery: a repeated delivery with the same
-- body is the same row); each shop order has one row that says whether it must be read
-- again (dirty), what it became (the one live operation) and why it waits, if it does.

CREATE TABLE shop_inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id INTEGER NOT NULL REFERENCES shop_connections (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    received_at TEXT NOT NULL,
    state TEXT NOT NULL,
    shop_order_id TEXT,
    note TEXT,
    note_bg TEXT,
    claimed_until TEXT,
    claimed_by TEXT,
    CONSTRAINT shop_inbox_delivery_key UNIQUE (connection_id, event, body_hash)
);
CREATE INDEX shop_inbox_state ON shop_inbox (state, id);

CREATE TABLE shop_orders (
    connection_id INTEGER NOT NULL REFERENCES shop_connections (id) ON DELETE CASCADE,
    shop_order_id TEXT NOT NULL,
    firm_id INTEGER NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    dirty INTEGER NOT NULL,
    dirty_version INTEGER NOT NULL,
    operation_id INTEGER REFERENCES operations (id),
    postings INTEGER NOT NULL,
    shop_status TEXT,
    fulfilled INTEGER NOT NULL,
    shop_updated_at TEXT,
    currency TEXT,
    total INTEGER,
    fees TEXT,
    attention_code TEXT,
    attention_bg TEXT,
    attention_en TEXT,
    attention_details TEXT,
    warnings TEXT,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT,
    claimed_until TEXT,
    claimed_by TEXT,
    first_seen_at TEXT NOT NULL,
    imported_at TEXT,
    PRIMARY KEY (connection_id, shop_order_id)
);
CREATE INDEX shop_orders_dirty ON shop_orders (dirty, next_attempt_at);
CREATE INDEX shop_orders_state ON shop_orders (firm_id, state);
CREATE INDEX shop_orders_operation ON shop_orders (operation_id);
-- The sale a shop's order was converted into finds that order.
CREATE INDEX operations_converted_to ON operations (converted_to);

-- The order poller's checkpoint: the newest `updated_at` it has seen, and when it ran.
ALTER TABLE shop_connections ADD COLUMN orders_seen_until TEXT;
ALTER TABLE shop_connections ADD COLUMN orders_polled_at TEXT;
