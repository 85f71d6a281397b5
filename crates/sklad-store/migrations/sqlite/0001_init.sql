-- Sklad schema, SQLite. Money in minor units, quantities in milli-units, flags 0/1,
-- dates (YYYY-MM-DD) and timestamps (RFC 3339 UTC) as text, enums as text keys.

CREATE TABLE firms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    eik TEXT,
    currency TEXT NOT NULL,
    vat_registered INTEGER NOT NULL,
    seats INTEGER NOT NULL,
    allow_negative_stock INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    login TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    language TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT users_login_key UNIQUE (login)
);

CREATE TABLE memberships (
    firm_id INTEGER NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (firm_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    firm_id INTEGER NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_firm ON api_tokens (firm_id);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    firm_id INTEGER NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE objects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    firm_id INTEGER NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    price_group TEXT NOT NULL,
    active INTEGER NOT NULL
);
CREATE INDEX objects_firm ON objects (firm_id);

CREATE TABLE goods (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    firm_id INTEGER NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    measure TEXT NOT NULL,
    kind TEXT NOT NULL,
    vat_rate INTEGER NOT NULL,
    grp TEXT,
    active INTEGER NOT NULL,
    search_text TEXT NOT NULL,
    CONSTRAINT goods_firm_code_key UNIQUE (firm_id, code)
);

CREATE TABLE good_barcodes (
    firm_id INTEGER NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    good_id INTEGER NOT NULL REFERENCES goods (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    barcode TEXT NOT NULL,
    CONSTRAINT good_barcodes_firm_barcode_key UNIQUE (firm_id, barcode)
);
CREATE INDEX good_barcodes_good ON good_barcodes (good_id);

CREATE TABLE good_prices (
    good_id INTEGER NOT NULL REFERENCES goods (id) ON DELETE CASCADE,
    price_group TEXT NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (good_id, price_group)
);

CREATE TABLE partners (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    firm_id INTEGER NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    eik TEXT,
    vat_number TEXT,
    mol TEXT,
    address TEXT,
    city TEXT,
    phone TEXT,
    email TEXT,
    role TEXT NOT NULL,
    price_group TEXT NOT NULL,
    search_text TEXT NOT NULL
);
CREATE INDEX partners_firm ON partners (firm_id);
CREATE UNIQUE INDEX partners_firm_eik_key ON partners (firm_id, eik) WHERE eik IS NOT NULL;
CREATE INDEX partners_firm_email ON partners (firm_id, email);

CREATE TABLE payment_types (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    firm_id INTEGER NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    method TEXT NOT NULL,
    active INTEGER NOT NULL
);
CREATE INDEX payment_types_firm ON payment_types (firm_id);

CREATE TABLE operations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    firm_id INTEGER NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    number INTEGER NOT NULL,
    date TEXT NOT NULL,
    object_id INTEGER NOT NULL REFERENCES objects (id),
    target_object_id INTEGER REFERENCES objects (id),
    partner_id INTEGER REFERENCES partners (id),
    payment_type_id INTEGER REFERENCES payment_types (id),
    currency TEXT NOT NULL,
    gross INTEGER NOT NULL,
    vat INTEGER NOT NULL,
    net INTEGER NOT NULL,
    ext_source TEXT,
    ext_id TEXT,
    note TEXT,
    status TEXT NOT NULL,
    converted_to INTEGER REFERENCES operations (id),
    created_at TEXT NOT NULL,
    CONSTRAINT operations_firm_kind_number_key UNIQUE (firm_id, kind, number)
);
CREATE UNIQUE INDEX operations_firm_ext_key ON operations (firm_id, ext_source, ext_id)
    WHERE ext_source IS NOT NULL;
CREATE INDEX operations_firm_date ON operations (firm_id, date, id);

CREATE TABLE operation_lines (
    operation_id INTEGER NOT NULL REFERENCES operations (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    good_id INTEGER NOT NULL REFERENCES goods (id),
    quantity INTEGER NOT NULL,
    unit_price INTEGER NOT NULL,
    vat_rate INTEGER NOT NULL,
    discount_bp INTEGER NOT NULL,
    PRIMARY KEY (operation_id, position)
);
CREATE INDEX operation_lines_good ON operation_lines (good_id);

CREATE TABLE stock (
    firm_id INTEGER NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    object_id INTEGER NOT NULL REFERENCES objects (id),
    good_id INTEGER NOT NULL REFERENCES goods (id),
    on_hand INTEGER NOT NULL,
    reserved INTEGER NOT NULL,
    PRIMARY KEY (object_id, good_id)
);
CREATE INDEX stock_good ON stock (good_id, object_id);

CREATE TABLE stock_ledger (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    firm_id INTEGER NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    operation_id INTEGER NOT NULL REFERENCES operations (id),
    object_id INTEGER NOT NULL REFERENCES objects (id),
    good_id INTEGER NOT NULL REFERENCES goods (id),
    on_hand_delta INTEGER NOT NULL,
    reserved_delta INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX stock_ledger_object_good ON stock_ledger (object_id, good_id, id);
CREATE INDEX stock_ledger_operation ON stock_ledger (operation_id);

CREATE TABLE outbox_stock_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    firm_id INTEGER NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    object_id INTEGER NOT NULL,
    good_id INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE firm_journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    firm_id INTEGER NOT NULL REFERENCES firms (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX firm_journal_firm ON firm_journal (firm_id, id);
