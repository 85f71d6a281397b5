//! The OpenAPI schemas of `/shops`, `/shop-journal` and the jobs' endpoints (the shop
//! orders' are in [`super::orders`]).

use serde_json::{json, Map, Value};
use sklad_domain::shop::{SaleRule, ShopStockStatus};

use crate::api::openapi::schema::{self, input, nullable, object, one_of, reference};

use super::jobs::{all_kind_keys, startable_keys};

/// A job (or `null`).
fn job_or_null() -> Value {
    json!({"anyOf": [reference("ShopJob"), {"type": "null"}]})
}

/// A timestamp (RFC 3339), possibly null.
fn timestamp(nullable: bool) -> Value {
    if nullable {
        json!({"type": ["string", "null"], "format": "date-time"})
    } else {
        json!({"type": "string", "format": "date-time"})
    }
}

fn connection_properties() -> Map<String, Value> {
    let props = json!({
        "id": {"type": "integer"},
        "firm_id": {"type": "integer"},
        "name": {"type": "string"},
        "kind": one_of(&["cloudcart"]),
        "shop_url": {"type": "string", "examples": ["https://sampleshop.cloudcart.net"]},
        "shop_host": {"type": "string"},
        "api_key_last4": {
            "type": ["string", "null"],
            "description": "The API key's last four characters; null when none is stored \
                (a restored connection asks for the key again)."
        },
        "active": {"type": "boolean", "description": "In use: takes a user seat (P1)."},
        "currency": one_of(&["BGN", "EUR"]),
        "currency_auto": {
            "type": "boolean",
            "description": "The currency follows the shop's latest order."
        },
        "prices_with_vat": {"type": "boolean"},
        "settings": reference("ShopSettings"),
        "first_push_confirmed_at": timestamp(true),
        "created_at": timestamp(false),
        "updated_at": timestamp(false)
    });
    match props {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

const CONNECTION_REQUIRED: [&str; 15] = [
    "id",
    "firm_id",
    "name",
    "kind",
    "shop_url",
    "shop_host",
    "api_key_last4",
    "active",
    "currency",
    "currency_auto",
    "prices_with_vat",
    "settings",
    "first_push_confirmed_at",
    "created_at",
    "updated_at",
];

/// The schemas of this module and of [`jobs`].
pub fn schemas(out: &mut Map<String, Value>) {
    out.insert(
        "ShopConnection".into(),
        object(&CONNECTION_REQUIRED, Value::Object(connection_properties())),
    );
    let mut view = connection_properties();
    view.insert(
        "settings_problems".into(),
        json!({"type": "array", "items": reference("FieldProblem"),
               "description": "What the settings still lack before orders can flow."}),
    );
    view.insert("sale_rule_disagrees".into(), json!({"type": "boolean"}));
    view.insert("last_test".into(), job_or_null());
    view.insert("last_check".into(), job_or_null());
    view.insert("last_import".into(), job_or_null());
    view.insert(
        "imported".into(),
        json!({"type": "boolean",
               "description": "A real import (not a dry run) has run (K2)."}),
    );
    view.insert(
        "webhooks".into(),
        json!({"type": "array", "items": reference("ShopWebhook")}),
    );
    view.insert("rate_limit".into(), nullable("integer"));
    view.insert(
        "rate_used".into(),
        json!({"type": ["integer", "null"],
               "description": "Requests to the shop in the last minute (this process)."}),
    );
    let ts = json!({"type": ["string", "null"], "format": "date-time"});
    view.insert(
        "push".into(),
        object(
            &["due", "last_push_at", "pushes_last_hour", "calls_last_hour", "pass_at", "reconciled_at"],
            json!({
                "due": {"type": "integer", "description": "Linked variants waiting to be compared and, where they differ, written."},
                "last_push_at": ts,
                "pushes_last_hour": {"type": "integer", "description": "Variants written since the start of the previous clock hour."},
                "calls_last_hour": {"type": "integer"},
                "pass_at": ts,
                "reconciled_at": ts
            }),
        ),
    );
    let mut view_required = CONNECTION_REQUIRED.to_vec();
    view_required.extend([
        "settings_problems",
        "sale_rule_disagrees",
        "last_test",
        "last_check",
        "last_import",
        "imported",
        "webhooks",
        "rate_limit",
        "rate_used",
        "push",
    ]);
    out.insert(
        "ShopConnectionView".into(),
        object(&view_required, Value::Object(view)),
    );
    // An API key as the server takes it: printable ASCII without spaces, up to 200
    // characters, spaces around it trimmed.
    let key_create = json!({"type": "string", "pattern": "^\\s*[!-~]{1,200}\\s*$"});
    let key_update = json!({"anyOf": [
        {"type": "null"},
        {"type": "string", "pattern": "^\\s*([!-~]{1,200}\\s*)?$"}
    ]});
    let connection_input = |key: Value, key_description: &str| {
        let mut key = key;
        key["description"] = json!(key_description);
        json!({
            "name": super::super::openapi::schema::text(100),
            "shop_url": {
                "type": "string",
                "description": "The shop's primary domain (https; no path, no `www.`).",
                "examples": ["https://sampleshop.cloudcart.net"]
            },
            "api_key": key,
            "active": {"type": "boolean", "default": true, "description": "In use (P1: takes a seat)."},
            "currency": {
                "type": ["string", "null"],
                "enum": ["BGN", "EUR", null],
                "default": null,
                "description": "The shop's currency; null: automatic (from the shop's latest \
                    order, else the firm's)."
            },
            "prices_with_vat": {"type": "boolean", "default": true}
        })
    };
    out.insert(
        "ShopConnectionCreate".into(),
        input(
            &["name", "shop_url", "api_key"],
            connection_input(
                key_create,
                "From the shop: Настройки → API ключове. Never shown again.",
            ),
        ),
    );
    out.insert(
        "ShopConnectionUpdate".into(),
        input(
            &["name", "shop_url"],
            connection_input(
                key_update,
                "A new key; absent, null or blank keeps the stored one.",
            ),
        ),
    );
    let rules: Vec<&str> = SaleRule::ALL.iter().map(|r| r.key()).collect();
    let statuses: Vec<&str> = ShopStockStatus::ALL.iter().map(|s| s.key()).collect();
    let feed = object(
        &["kind"],
        json!({
            "kind": {"type": "string", "enum": ["all", "objects"],
                     "description": "`all`: every active object, Retail prices (G1)."},
            "object_ids": {"type": "array", "items": {"type": "integer"},
                           "description": "With `objects`: the feeding objects."}
        }),
    );
    let settings_props = json!({
        "feed": feed,
        "operations_object_id": {"type": ["integer", "null"],
            "description": "The object in which shop orders become operations."},
        "sale_rule": {"type": "string", "enum": rules,
            "description": "When an imported order becomes a sale (G2)."},
        "shop_stock_status": {"type": "string", "enum": statuses,
            "description": "The shop's own „намали количеството при статус“, as the merchant \
                reports it (the API cannot read it)."},
        "auto_sync": {"type": "boolean", "description": "Quantities and prices flow to the shop (G6)."},
        "delivery_good_id": nullable("integer"),
        "discount_good_id": nullable("integer"),
        "fee_good_id": nullable("integer")
    });
    out.insert(
        "ShopSettings".into(),
        object(
            &[
                "feed",
                "operations_object_id",
                "sale_rule",
                "shop_stock_status",
                "auto_sync",
                "delivery_good_id",
                "discount_good_id",
                "fee_good_id",
            ],
            settings_props.clone(),
        ),
    );
    let mut input_props = settings_props;
    input_props["payments"] = json!({
        "type": "object",
        "additionalProperties": {"type": ["integer", "null"]},
        "description": "Shop payment method code → the firm's payment type id (null: none). \
            Methods left out keep their mapping.",
        "examples": [{"cod": 3, "bwt": 2}]
    });
    out.insert(
        "ShopSettingsInput".into(),
        input(&["feed", "sale_rule", "shop_stock_status"], input_props),
    );
    out.insert(
        "ShopPayment".into(),
        object(
            &["provider", "title", "active", "payment_type_id"],
            json!({
                "provider": {"type": "string", "examples": ["cod"]},
                "title": {"type": "string"},
                "active": {"type": "boolean"},
                "payment_type_id": {"type": ["integer", "null"],
                                    "description": "null: „няма съответствие“."}
            }),
        ),
    );
    out.insert(
        "FieldProblem".into(),
        object(
            &["field", "code", "message_bg", "message_en"],
            json!({
                "field": {"type": "string"},
                "code": {"type": "string"},
                "message_bg": {"type": "string"},
                "message_en": {"type": "string"}
            }),
        ),
    );
    out.insert(
        "ShopSettingsView".into(),
        object(
            &[
                "connection_id",
                "settings",
                "payments",
                "problems",
                "sale_rule_disagrees",
                "first_push_confirmed_at",
            ],
            json!({
                "connection_id": {"type": "integer"},
                "settings": reference("ShopSettings"),
                "payments": {"type": "array", "items": reference("ShopPayment")},
                "problems": {"type": "array", "items": reference("FieldProblem")},
                "sale_rule_disagrees": {"type": "boolean"},
                "first_push_confirmed_at": timestamp(true)
            }),
        ),
    );
    out.insert(
        "ShopLink".into(),
        object(
            &[
                "shop_variant_id",
                "shop_product_id",
                "good_id",
                "sync_excluded",
            ],
            json!({
                "shop_variant_id": {"type": "string"},
                "shop_product_id": {"type": "string"},
                "good_id": {"type": "integer"},
                "sync_excluded": {"type": "boolean", "description": "„не синхронизирай“."}
            }),
        ),
    );
    out.insert("ShopLinkPage".into(), schema::page("ShopLink"));
    out.insert(
        "ShopLinkExcludedInput".into(),
        input(&["excluded"], json!({"excluded": {"type": "boolean"}})),
    );
    out.insert(
        "ShopWebhook".into(),
        object(
            &["event", "shop_webhook_id", "url", "active", "checked_at"],
            json!({
                "event": {"type": "string", "examples": ["order.created"]},
                "shop_webhook_id": nullable("string"),
                "url": {"type": "string", "description": "The secret path token is shown as „…“."},
                "active": {"type": "boolean"},
                "checked_at": timestamp(false)
            }),
        ),
    );
    out.insert(
        "ShopJournalEntry".into(),
        object(
            &[
                "id",
                "connection_id",
                "at",
                "actor",
                "action",
                "outcome",
                "message_bg",
                "message_en",
                "details",
            ],
            json!({
                "id": {"type": "integer"},
                "connection_id": {"type": ["integer", "null"], "description": "null once deleted."},
                "at": timestamp(false),
                "actor": {"type": "string", "description": "A login, `cli` or `system`."},
                "action": {"type": "string", "examples": ["connection_created", "check", "import"]},
                "outcome": one_of(&["ok", "warning", "error"]),
                "message_bg": {"type": "string"},
                "message_en": {"type": "string"},
                "details": {"description": "The figures (counts, ids), per action.",
                            "additionalProperties": true}
            }),
        ),
    );
    out.insert("ShopJournalPage".into(), schema::page("ShopJournalEntry"));
    job_schemas(out);
    super::orders::schemas(out);
}

/// The schemas of the jobs' endpoints.
pub fn job_schemas(out: &mut Map<String, Value>) {
    out.insert(
        "ShopJobStart".into(),
        input(
            &["kind"],
            json!({
                "kind": {"type": "string", "enum": startable_keys()},
                "dry_run": {"type": "boolean", "default": false,
                            "description": "Only for import and opening_stock."}
            }),
        ),
    );
    out.insert(
        "ShopJob".into(),
        object(
            &[
                "id",
                "connection_id",
                "shop_host",
                "kind",
                "dry_run",
                "status",
                "actor",
                "progress",
                "summary",
                "error",
                "cancel_requested",
                "created_at",
                "started_at",
                "finished_at",
            ],
            json!({
                "id": {"type": "integer"},
                "connection_id": {"type": "integer"},
                "shop_host": {"type": "string"},
                "kind": {"type": "string", "enum": all_kind_keys()},
                "dry_run": {"type": "boolean"},
                "status": one_of(&["queued", "running", "done", "failed", "cancelled"]),
                "actor": {"type": "string", "description": "A login, `cli` or `system`."},
                "progress": object(
                    &["read", "total", "pages", "written", "stage"],
                    json!({
                        "read": {"type": "integer", "description": "Rows read from the shop."},
                        "total": nullable("integer"),
                        "pages": {"type": "integer", "description": "API pages read."},
                        "written": {"type": "integer"},
                        "stage": {"type": "string", "examples": ["reading_variants", "matching"]}
                    }),
                ),
                "summary": {
                    "type": ["object", "null"],
                    "additionalProperties": true,
                    "description": "Once done, per kind. test: ok, problems and warnings \
                        (code, message and fix in both languages), products, variants, \
                        order_currency, currency, payment_methods, rate_limit. check: \
                        variants, products, rows, counts per status, problems, \
                        description_missing, price_differences, quantity_differences, \
                        price_group. import: dry_run, variants, counts per action, \
                        price_group. opening_stock: dry_run, lines, object_id, operations. \
                        push_preview: linked, up, down, same, unlimited, excluded, \
                        not_stocked, price_changes, price_group. webhooks: events (event → \
                        action), removed, watchdog."
                },
                "error": {
                    "anyOf": [
                        object(
                            &["code", "message_bg", "message_en"],
                            json!({
                                "code": {"type": "string"},
                                "message_bg": {"type": "string"},
                                "message_en": {"type": "string"}
                            }),
                        ),
                        {"type": "null"}
                    ]
                },
                "cancel_requested": {"type": "boolean"},
                "created_at": {"type": "string", "format": "date-time"},
                "started_at": {"type": ["string", "null"], "format": "date-time"},
                "finished_at": {"type": ["string", "null"], "format": "date-time"}
            }),
        ),
    );
    out.insert("ShopJobPage".into(), schema::page("ShopJob"));
    let text = || nullable("string");
    out.insert(
        "ShopJobRow".into(),
        object(
            &["row_no", "status", "shop_unlimited"],
            json!({
                "row_no": {"type": "integer"},
                "status": {"type": "string", "examples": ["linked", "new_in_shop", "create", "skip"]},
                "reason": text(),
                "warning": text(),
                "shop_product_id": text(),
                "shop_variant_id": text(),
                "sku": text(),
                "barcode": text(),
                "name": text(),
                "shop_price": {"anyOf": [schema::decimal("12.50"), {"type": "null"}],
                               "description": "In the connection's currency, as the shop states it."},
                "shop_quantity": {"anyOf": [schema::decimal("3"), {"type": "null"}]},
                "shop_unlimited": {"type": "boolean"},
                "good_id": nullable("integer"),
                "good_code": text(),
                "good_name": text(),
                "firm_price": {"anyOf": [schema::decimal("12.50"), {"type": "null"}],
                               "description": "The warehouse's price as the shop would show it."},
                "firm_quantity": {"anyOf": [schema::decimal("3"), {"type": "null"}]}
            }),
        ),
    );
    out.insert(
        "ShopJobRowPage".into(),
        object(
            &["items", "total", "limit", "offset", "counts", "currency"],
            json!({
                "items": {"type": "array", "items": reference("ShopJobRow")},
                "total": {"type": "integer"},
                "limit": {"type": "integer"},
                "offset": {"type": "integer"},
                "counts": {"type": "object", "additionalProperties": {"type": "integer"},
                           "description": "Rows of the whole job per status."},
                "currency": one_of(&["BGN", "EUR"])
            }),
        ),
    );
    out.insert(
        "ShopFirstPushConfirm".into(),
        input(&["job_id"], json!({"job_id": {"type": "integer"}})),
    );
    out.insert(
        "ShopSyncNow".into(),
        object(
            &["due"],
            json!({"due": {"type": "integer",
                "description": "Linked variants that will be compared and written where they differ."}}),
        ),
    );
}
