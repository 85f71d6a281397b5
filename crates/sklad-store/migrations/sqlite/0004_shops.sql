-- SQLite. The e-shop bridge: connections with their settings, links between shop variants and
-- goods, background jobs with their result rows, the sync journal and the lease that
-- lets one process at a time spend a shop's API budget. Secrets (the shop's API key,
-- the webhook header secret) are stored sealed by the server's key, never in clear.

CREATE TABLE shop_connections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    firm_id INTEGER NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    shop_url TEXT NOT NULL,
    shop_host TEXT NOT NULL,
    api_key_sealed TEXT,
    api_key_last4 TEXT,
    active INTEGER NOT NULL,
    currency TEXT NOT NULL,
    currency_auto INTEGER NOT NULL,
    prices_with_vat INTEGER NOT NULL,
    feed_all INTEGER NOT NULL,
    operations_object_id INTEGER REFERENCES objects (id),
    sale_rule TEXT NOT NULL,
    shop_stock_status TEXT NOT NULL,
    auto_sync INTEGER NOT NULL,
    delivery_good_id INTEGER REFERENCES goods (id),
    discount_good_id INTEGER REFERENCES goods (id),
    fee_good_id INTEGER REFERENCES goods (id),
    hook_token TEXT NOT NULL,
    hook_secret_sealed TEXT,
    first_push_confirmed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT shop_connections_hook_token_key UNIQUE (hook_token)
);
CREATE INDEX shop_connections_firm ON shop_connections (firm_id, id);
CREATE INDEX shop_connections_host ON shop_connections (shop_host);

CREATE TABLE shop_connection_objects (
    connection_id INTEGER NOT NULL REFERENCES shop_connections (id) ON DELETE CASCADE,
    object_id INTEGER NOT NULL REFERENCES objects (id),
    PRIMARY KEY (connection_id, object_id)
);
CREATE INDEX shop_connection_objects_object ON shop_connection_objects (object_id);

CREATE TABLE shop_payments (
    connection_id INTEGER NOT NULL REFERENCES shop_connections (id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    title TEXT NOT NULL,
    active INTEGER NOT NULL,
    payment_type_id INTEGER REFERENCES payment_types (id),
    seen_at TEXT NOT NULL,
    PRIMARY KEY (connection_id, provider)
);
CREATE INDEX shop_payments_type ON shop_payments (payment_type_id);

CREATE TABLE shop_links (
    connection_id INTEGER NOT NULL REFERENCES shop_connections (id) ON DELETE CASCADE,
    shop_variant_id TEXT NOT NULL,
    shop_product_id TEXT NOT NULL,
    good_id INTEGER NOT NULL REFERENCES goods (id) ON DELETE CASCADE,
    sync_excluded INTEGER NOT NULL,
    shop_quantity INTEGER,
    shop_unlimited INTEGER NOT NULL,
    shop_price INTEGER,
    created_at TEXT NOT NULL,
    PRIMARY KEY (connection_id, shop_variant_id)
);
CREATE UNIQUE INDEX shop_links_connection_good_key ON shop_links (connection_id, good_id);
CREATE INDEX shop_links_good ON shop_links (good_id);

CREATE TABLE shop_webhooks (
    connection_id INTEGER NOT NULL REFERENCES shop_connections (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    shop_webhook_id TEXT,
    url TEXT NOT NULL,
    active INTEGER NOT NULL,
    checked_at TEXT NOT NULL,
    PRIMARY KEY (connection_id, event)
);

CREATE TABLE shop_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    firm_id INTEGER NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    connection_id INTEGER NOT NULL REFERENCES shop_connections (id) ON DELETE CASCADE,
    shop_host TEXT NOT NULL,
    kind TEXT NOT NULL,
    dry_run INTEGER NOT NULL,
    status TEXT NOT NULL,
    actor TEXT NOT NULL,
    progress TEXT NOT NULL,
    summary TEXT,
    error_code TEXT,
    error_bg TEXT,
    error_en TEXT,
    cancel_requested INTEGER NOT NULL,
    runner TEXT,
    heartbeat_at TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT
);
-- Two runs of one action on one connection cannot overlap.
CREATE UNIQUE INDEX shop_jobs_one_at_a_time ON shop_jobs (connection_id, kind)
    WHERE status IN ('queued', 'running');
CREATE INDEX shop_jobs_queue ON shop_jobs (status, id);
CREATE INDEX shop_jobs_connection ON shop_jobs (connection_id, kind, id);

CREATE TABLE shop_job_rows (
    job_id INTEGER NOT NULL REFERENCES shop_jobs (id) ON DELETE CASCADE,
    row_no INTEGER NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    warning TEXT,
    shop_product_id TEXT,
    shop_variant_id TEXT,
    sku TEXT,
    barcode TEXT,
    name TEXT,
    shop_price INTEGER,
    shop_quantity INTEGER,
    shop_unlimited INTEGER NOT NULL,
    good_id INTEGER,
    good_code TEXT,
    good_name TEXT,
    firm_price INTEGER,
    firm_quantity INTEGER,
    PRIMARY KEY (job_id, row_no)
);
CREATE INDEX shop_job_rows_status ON shop_job_rows (job_id, status, row_no);

CREATE TABLE shop_journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    firm_id INTEGER NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    connection_id INTEGER REFERENCES shop_connections (id) ON DELETE SET NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    message_bg TEXT NOT NULL,
    message_en TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX shop_journal_connection ON shop_journal (connection_id, id);
CREATE INDEX shop_journal_firm ON shop_journal (firm_id, id);

CREATE TABLE shop_leases (
    shop_host TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
