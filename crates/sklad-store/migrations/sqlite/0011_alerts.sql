-- Alerts (issue 10): what needs an owner's eyes — orders waiting, a subscription the shop
-- disabled, a plan expired (402), a key refused — one row per firm, connection (0: the
-- firm as a whole) and cause, raised again rather than repeated; seen in the header's
-- badge and, when SMTP is configured, e-mailed at most once an hour to owners with an
-- e-mail address.
CREATE TABLE firm_alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    firm_id INTEGER NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    connection_id INTEGER NOT NULL,
    cause TEXT NOT NULL,
    message_bg TEXT NOT NULL,
    message_en TEXT NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    times INTEGER NOT NULL,
    seen_at TEXT,
    emailed_at TEXT,
    CONSTRAINT firm_alerts_cause_key UNIQUE (firm_id, connection_id, cause)
);

ALTER TABLE users ADD COLUMN email TEXT;
