-- Product deliveries are hints (issue 9): product.deleted, product.created and
-- product.updated each ask for one re-read of that product, which retires the links of
-- variants the shop no longer has and refreshes the tracked values of the others.
-- Several deliveries for one product wait as one hint; version counts them, so a hint
-- that arrives while the product is being read stays for another read.
CREATE TABLE shop_product_hints (
    connection_id INTEGER NOT NULL REFERENCES shop_connections (id) ON DELETE CASCADE,
    shop_product_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    hinted_at TEXT NOT NULL,
    claimed_until TEXT,
    claimed_by TEXT,
    PRIMARY KEY (connection_id, shop_product_id)
);
