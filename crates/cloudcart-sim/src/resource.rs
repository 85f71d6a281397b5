//! JSON:API resource objects built from the shop's records, and the per-type rules
//! (verb matrix, sort and include allow-lists, single-record filters).

use serde_json::{json, Map, Value};

use crate::clock::format_datetime;
use crate::store::{Address, Milli, Order, Shop};

/// Linkage of one relationship.
#[derive(Debug, Clone)]
pub enum Linkage {
    /// To-one (`null` when empty).
    One(Option<(&'static str, String)>),
    /// To-many.
    Many(Vec<(&'static str, String)>),
}

impl Linkage {
    fn to_json(&self) -> Value {
        let obj = |(t, id): &(&'static str, String)| json!({"type": t, "id": id});
        match self {
            Linkage::One(None) => Value::Null,
            Linkage::One(Some(r)) => obj(r),
            Linkage::Many(v) => Value::Array(v.iter().map(obj).collect()),
        }
    }

    /// The referenced (type, id) pairs.
    pub fn targets(&self) -> Vec<(&'static str, String)> {
        match self {
            Linkage::One(None) => Vec::new(),
            Linkage::One(Some(r)) => vec![r.clone()],
            Linkage::Many(v) => v.clone(),
        }
    }
}

/// A resource object.
#[derive(Debug, Clone)]
pub struct Resource {
    /// JSON:API `type`.
    pub kind: &'static str,
    /// JSON:API `id` (a string on the wire).
    pub id: String,
    /// Attributes.
    pub attributes: Map<String, Value>,
    /// Relationships in a stable order.
    pub relationships: Vec<(&'static str, Linkage)>,
}

impl Resource {
    fn new(kind: &'static str, id: impl ToString) -> Self {
        Self {
            kind,
            id: id.to_string(),
            attributes: Map::new(),
            relationships: Vec::new(),
        }
    }
    fn attr(mut self, k: &str, v: impl Into<Value>) -> Self {
        self.attributes.insert(k.to_string(), v.into());
        self
    }
    fn one(mut self, name: &'static str, target: Option<(&'static str, String)>) -> Self {
        self.relationships.push((name, Linkage::One(target)));
        self
    }
    fn many(mut self, name: &'static str, targets: Vec<(&'static str, String)>) -> Self {
        self.relationships.push((name, Linkage::Many(targets)));
        self
    }

    /// The relationship called `name`.
    pub fn relationship(&self, name: &str) -> Option<&Linkage> {
        self.relationships
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, l)| l)
    }

    /// Serialise, keeping only `fields` attributes when given.
    pub fn to_json(&self, fields: Option<&[String]>) -> Value {
        let attributes: Map<String, Value> = match fields {
            Some(keep) => self
                .attributes
                .iter()
                .filter(|(k, _)| keep.iter().any(|f| f == *k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            None => self.attributes.clone(),
        };
        let mut obj = json!({"type": self.kind, "id": self.id, "attributes": attributes});
        if !self.relationships.is_empty() {
            let rels: Map<String, Value> = self
                .relationships
                .iter()
                .map(|(n, l)| (n.to_string(), json!({"data": l.to_json()})))
                .collect();
            obj["relationships"] = Value::Object(rels);
        }
        obj
    }
}

/// `yes` / `no`.
pub fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// A decimal(20,3) quantity as JSON: an integer when whole.
pub fn milli_json(m: Option<Milli>) -> Value {
    match m {
        None => Value::Null,
        Some(m) if m % 1000 == 0 => json!(m / 1000),
        Some(m) => json!(m as f64 / 1000.0),
    }
}

fn opt(s: &Option<String>) -> Value {
    s.as_ref()
        .map(|s| Value::String(s.clone()))
        .unwrap_or(Value::Null)
}

/// Rules of one resource type.
#[derive(Debug)]
pub struct TypeRules {
    /// Path segment and JSON:API type.
    pub name: &'static str,
    /// Verbs routed (besides GET): POST, PATCH, DELETE.
    pub post: bool,
    /// PATCH routed.
    pub patch: bool,
    /// DELETE routed.
    pub delete: bool,
    /// Sort allow-list.
    pub sorts: &'static [&'static str],
    /// Include allow-list.
    pub includes: &'static [&'static str],
    /// Filters that switch to single-record mode.
    pub single_record_filters: &'static [&'static str],
    /// Named filters on top of the column equality filters.
    pub named_filters: &'static [&'static str],
    /// Status of a disallowed include (422, or 400 on orders — API.md §1.9 CONFLICT).
    pub bad_include_status: u16,
}

const fn rules(name: &'static str, post: bool, patch: bool, delete: bool) -> TypeRules {
    TypeRules {
        name,
        post,
        patch,
        delete,
        sorts: &[],
        includes: &[],
        single_record_filters: &[],
        named_filters: &[],
        bad_include_status: 422,
    }
}

/// All routed resource types.
pub static TYPES: &[TypeRules] = &[
    TypeRules {
        sorts: &[
            "id",
            "name",
            "date_added",
            "date_modified",
            "sort_order",
            "views",
        ],
        includes: &[
            "variants",
            "variant",
            "images",
            "image",
            "category",
            "categories",
            "vendor",
            "parameter1",
            "parameter2",
            "parameter3",
            "property-options",
            "linked-products",
            "product-to-discount",
            "variant.images",
            "variants.images",
            "property-options.property",
        ],
        single_record_filters: &["url_handle"],
        named_filters: &["sku", "barcode", "property_id", "property_option_id"],
        ..rules("products", true, true, true)
    },
    TypeRules {
        sorts: &["id", "quantity", "price", "weight"],
        includes: &[
            "images",
            "product",
            "option1",
            "option2",
            "option3",
            "option1.parameter",
            "option2.parameter",
            "option3.parameter",
        ],
        named_filters: &["has_images"],
        ..rules("variants", true, true, true)
    },
    TypeRules {
        includes: &["variant-options"],
        single_record_filters: &["name"],
        ..rules("variant-parameters", true, true, true)
    },
    TypeRules {
        includes: &["parameter"],
        single_record_filters: &["name"],
        ..rules("variant-options", true, true, true)
    },
    TypeRules {
        sorts: &["id", "name", "created_at", "updated_at", "order"],
        single_record_filters: &["url_handle"],
        ..rules("categories", true, true, true)
    },
    TypeRules {
        sorts: &["id", "date_added", "updated_at", "date_archived"],
        includes: &[
            "products",
            "payment",
            "discounts",
            "modifications",
            "totals",
            "taxes",
            "shipping",
            "shipping.provider",
            "shipping-address",
            "billing-address",
            "products.options",
        ],
        named_filters: &["start_date", "end_date"],
        bad_include_status: 400,
        ..rules("orders", false, true, false)
    },
    TypeRules {
        sorts: &[
            "order_id",
            "quantity",
            "product_id",
            "variant_id",
            "name",
            "weight",
            "price",
            "order_price",
            "vendor_id",
            "vendor_name",
            "category_id",
            "category_name",
        ],
        includes: &["order", "options"],
        ..rules("order-products", false, false, false)
    },
    rules("order-products-options", false, false, false),
    TypeRules {
        includes: &["order"],
        ..rules("order-discount", false, false, false)
    },
    TypeRules {
        includes: &["order", "provider"],
        ..rules("order-shipping", false, false, false)
    },
    TypeRules {
        includes: &["order"],
        ..rules("order-tax", false, false, false)
    },
    TypeRules {
        includes: &["order"],
        ..rules("order-total", false, false, false)
    },
    TypeRules {
        includes: &["order"],
        named_filters: &["start_date", "end_date"],
        ..rules("order-payment", false, false, false)
    },
    TypeRules {
        includes: &["order"],
        ..rules("order-billing-address", false, false, false)
    },
    TypeRules {
        includes: &["order"],
        ..rules("order-shipping-address", false, false, false)
    },
    TypeRules {
        includes: &["order"],
        ..rules("order-modification", false, false, false)
    },
    TypeRules {
        sorts: &[
            "id",
            "order_id",
            "date_fulfilled",
            "shipping_date_delivery",
            "shipping_date_expedition",
        ],
        includes: &["order"],
        ..rules("order-fulfillment", true, true, true)
    },
    TypeRules {
        sorts: &[
            "id",
            "first_name",
            "last_name",
            "email",
            "date_added",
            "updated_at",
            "date_banned",
        ],
        includes: &[
            "group",
            "orders",
            "shipping-address",
            "shipping-addresses",
            "billing-address",
            "billing-addresses",
        ],
        single_record_filters: &["email"],
        ..rules("customers", true, true, true)
    },
    TypeRules {
        sorts: &["id", "customer_id", "country_iso2"],
        includes: &["customer"],
        ..rules("customer-shipping-address", true, true, true)
    },
    TypeRules {
        sorts: &["id"],
        includes: &["customer"],
        ..rules("customer-billing-address", true, true, true)
    },
    rules("payment-providers", false, false, false),
    rules("shipping-providers", false, false, false),
    TypeRules {
        sorts: &["id", "url", "event"],
        ..rules("webhooks", true, true, true)
    },
    TypeRules {
        includes: &["product"],
        ..rules("images", true, false, true)
    },
];

/// App-gated resources that answer 404 "`<app>` app not installed".
pub static APP_GATED: &[(&str, &str)] = &[
    ("store-quantity", "stores app not installed"),
    ("stores", "stores app not installed"),
    ("units", "grocery_store app not installed"),
    ("product-options", "product-options app not installed"),
];

/// Rules of a type by path segment.
pub fn rules_for(name: &str) -> Option<&'static TypeRules> {
    TYPES.iter().find(|t| t.name == name)
}

/// Ids of every record of a type, in insertion (= id) order.
pub fn ids(shop: &Shop, kind: &str) -> Vec<String> {
    let s = |id: &u64| id.to_string();
    match kind {
        "products" => shop.products.keys().map(s).collect(),
        "variants" => shop.variants.keys().map(s).collect(),
        "variant-parameters" => shop.parameters.keys().map(s).collect(),
        "variant-options" => shop.options.keys().map(s).collect(),
        "categories" => shop.categories.keys().map(s).collect(),
        "orders" => shop.orders.keys().map(s).collect(),
        "order-products" => shop
            .orders
            .values()
            .flat_map(|o| o.lines.iter().map(|l| l.id.to_string()))
            .collect(),
        "order-discount" => shop
            .orders
            .values()
            .filter(|o| o.discount.is_some())
            .map(|o| o.discount_row_id.to_string())
            .collect(),
        "order-shipping" => shop
            .orders
            .values()
            .filter(|o| o.shipping_provider_id.is_some())
            .map(|o| o.shipping_row_id.to_string())
            .collect(),
        "order-tax" => shop
            .orders
            .values()
            .map(|o| o.tax_row_id.to_string())
            .collect(),
        "order-total" => shop
            .orders
            .values()
            .flat_map(|o| total_rows(o).into_iter().map(|r| r.0.to_string()))
            .collect(),
        "order-payment" => shop
            .orders
            .values()
            .map(|o| o.payment_row_id.to_string())
            .collect(),
        "order-billing-address" | "order-shipping-address" => shop.orders.keys().map(s).collect(),
        "order-fulfillment" => shop
            .orders
            .values()
            .filter_map(|o| o.fulfillment.as_ref().map(|f| f.id.to_string()))
            .collect(),
        "customers" => shop.customers.keys().map(s).collect(),
        "customer-shipping-address" => shop
            .addresses
            .values()
            .filter(|a| !a.billing)
            .map(|a| a.id.to_string())
            .collect(),
        "customer-billing-address" => shop
            .addresses
            .values()
            .filter(|a| a.billing)
            .map(|a| a.id.to_string())
            .collect(),
        "payment-providers" => shop
            .payment_providers
            .iter()
            .map(|p| p.code.clone())
            .collect(),
        "shipping-providers" => shop.shipping_providers.keys().map(s).collect(),
        "webhooks" => shop.webhooks.keys().map(s).collect(),
        "images" => shop.images.keys().map(s).collect(),
        _ => Vec::new(),
    }
}

/// The money rows of an order: (id, code, title, value, sort_order).
pub fn total_rows(o: &Order) -> Vec<(u64, &'static str, String, i64, u32)> {
    let t = &o.totals;
    let mut rows = vec![(
        o.total_row_base,
        "subtotal",
        "Междинна сума".to_string(),
        t.subtotal,
        1,
    )];
    if t.discount != 0 {
        rows.push((
            o.total_row_base + 1,
            "discount",
            "Отстъпка".into(),
            -t.discount,
            2,
        ));
    }
    if o.shipping_provider_id.is_some() {
        rows.push((
            o.total_row_base + 2,
            "shipping",
            "Доставка".into(),
            t.shipping,
            3,
        ));
    }
    for (i, f) in t.fees.iter().enumerate() {
        rows.push((
            o.total_row_base + 3 + i as u64,
            "fee",
            f.name.clone(),
            f.amount,
            4,
        ));
    }
    rows.push((
        o.total_row_base + 14,
        "tax",
        format!("ДДС {}%", o.vat_rate_percent),
        t.tax,
        5,
    ));
    rows.push((o.total_row_base + 15, "total", "Общо".into(), t.total, 99));
    rows
}

fn address_attrs(mut r: Resource, a: &Address, order_id: u64) -> Resource {
    r = r
        .attr("order_id", order_id)
        .attr("first_name", opt(&a.first_name))
        .attr("last_name", opt(&a.last_name))
        .attr("phone", opt(&a.phone))
        .attr("company_name", opt(&a.company_name))
        .attr("company_vat", opt(&a.company_vat))
        .attr("country_iso2", opt(&a.country_iso2))
        .attr(
            "country_name",
            if a.country_iso2.as_deref() == Some("BG") {
                json!("Bulgaria")
            } else {
                Value::Null
            },
        )
        .attr("city_name", opt(&a.city_name))
        .attr("street_name", opt(&a.street_name))
        .attr("street_number", opt(&a.street_number))
        .attr("post_code", opt(&a.post_code));
    let formatted = [
        a.company_name.clone(),
        a.street_name
            .clone()
            .map(|s| format!("{s} {}", a.street_number.clone().unwrap_or_default())),
        a.city_name.clone(),
        a.post_code.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    r.attr("formatted", formatted)
}

/// The order owning row `n`, when it satisfies `f` (index lookup, no scan).
fn find_order_by<F: Fn(&Order) -> bool>(shop: &Shop, n: u64, f: F) -> Option<&Order> {
    shop.order_of_row(n).filter(|o| f(o))
}

/// Build one resource by type and id.
pub fn fetch(shop: &Shop, kind: &str, id: &str) -> Option<Resource> {
    if kind == "payment-providers" {
        let p = shop.payment_providers.iter().find(|p| p.code == id)?;
        return Some(
            Resource::new("payment-providers", &p.code)
                .attr("provider", p.code.clone())
                .attr("title", p.title.clone())
                .attr("active", yes_no(p.active)),
        );
    }
    let n: u64 = id.parse().ok()?;
    let ts = |t: jiff::Timestamp| Value::String(format_datetime(t));
    match kind {
        "products" => {
            let p = shop.products.get(&n)?;
            let variants: Vec<_> = shop
                .variants
                .values()
                .filter(|v| v.product_id == n)
                .collect();
            let param = |i: usize| p.parameters.get(i).and_then(|pid| shop.parameters.get(pid));
            let mut r = Resource::new("products", n)
                .attr("name", p.name.clone())
                .attr("url_handle", p.url_handle.clone())
                .attr("active", yes_no(p.active))
                .attr("draft", yes_no(p.draft))
                .attr("tracking", yes_no(p.tracking))
                .attr("continue_selling", yes_no(p.continue_selling))
                .attr("shipping", yes_no(p.shipping))
                .attr("digital", yes_no(p.digital))
                .attr("sale", yes_no(p.sale))
                .attr("new", yes_no(p.new))
                .attr("minimum", 1)
                .attr("description", opt(&p.description))
                .attr("category_id", p.category_id)
                .attr(
                    "price_from",
                    variants
                        .iter()
                        .map(|v| v.price)
                        .min()
                        .map(Value::from)
                        .unwrap_or(Value::Null),
                )
                .attr(
                    "price_to",
                    variants
                        .iter()
                        .map(|v| v.price)
                        .max()
                        .map(Value::from)
                        .unwrap_or(Value::Null),
                )
                .attr(
                    "product_type",
                    if p.digital {
                        "digital"
                    } else if p.parameters.is_empty() {
                        "simple"
                    } else {
                        "multiple"
                    },
                )
                .attr("views", 0)
                .attr("sort_order", 0)
                .attr("date_added", ts(p.date_added))
                .attr("date_modified", ts(p.date_modified));
            for i in 0..3 {
                let k = i + 1;
                r = r
                    .attr(
                        &format!("p{k}"),
                        param(i)
                            .map(|x| Value::from(x.name.clone()))
                            .unwrap_or(Value::Null),
                    )
                    .attr(
                        &format!("p{k}_id"),
                        param(i).map(|x| Value::from(x.id)).unwrap_or(Value::Null),
                    );
            }
            let vlinks = variants
                .iter()
                .map(|v| ("variants", v.id.to_string()))
                .collect();
            Some(
                r.one("category", Some(("categories", p.category_id.to_string())))
                    .many(
                        "categories",
                        vec![("categories", p.category_id.to_string())],
                    )
                    .many("variants", vlinks)
                    .one(
                        "variant",
                        shop.default_variant(n)
                            .map(|v| ("variants", v.id.to_string())),
                    )
                    .one(
                        "parameter1",
                        param(0).map(|x| ("variant-parameters", x.id.to_string())),
                    )
                    .one(
                        "parameter2",
                        param(1).map(|x| ("variant-parameters", x.id.to_string())),
                    )
                    .one(
                        "parameter3",
                        param(2).map(|x| ("variant-parameters", x.id.to_string())),
                    )
                    .many(
                        "images",
                        shop.images
                            .values()
                            .filter(|i| i.product_id == n)
                            .map(|i| ("images", i.id.to_string()))
                            .collect(),
                    )
                    .one(
                        "image",
                        p.image_id
                            .filter(|i| shop.images.contains_key(i))
                            .map(|i| ("images", i.to_string())),
                    )
                    .one("vendor", None),
            )
        }
        "variants" => {
            let v = shop.variants.get(&n)?;
            let mut r = Resource::new("variants", n)
                .attr("item_id", v.product_id)
                .attr("sku", opt(&v.sku))
                .attr("barcode", opt(&v.barcode))
                .attr("price", v.price)
                .attr("delivery_price", v.delivery_price)
                .attr("weight", v.weight)
                .attr("quantity", milli_json(v.quantity))
                .attr("minimum", 1)
                .attr("unit_name", Value::Null)
                .attr("unit_short_name", Value::Null)
                .attr("unit_value_formatted", Value::Null);
            for i in 0..3 {
                let o = v.options.get(i).and_then(|id| shop.options.get(id));
                r = r
                    .attr(
                        &format!("v{}", i + 1),
                        o.map(|o| Value::from(o.name.clone()))
                            .unwrap_or(Value::Null),
                    )
                    .attr(
                        &format!("v{}_id", i + 1),
                        o.map(|o| Value::from(o.id)).unwrap_or(Value::Null),
                    );
            }
            let opt_link = |i: usize| {
                v.options
                    .get(i)
                    .map(|id| ("variant-options", id.to_string()))
            };
            Some(
                r.one("product", Some(("products", v.product_id.to_string())))
                    .one("option1", opt_link(0))
                    .one("option2", opt_link(1))
                    .one("option3", opt_link(2))
                    .many("images", Vec::new()),
            )
        }
        "variant-parameters" => {
            let p = shop.parameters.get(&n)?;
            let opts = shop
                .options
                .values()
                .filter(|o| o.parameter_id == n)
                .map(|o| ("variant-options", o.id.to_string()))
                .collect();
            Some(
                Resource::new("variant-parameters", n)
                    .attr("name", p.name.clone())
                    .attr("display_type", p.display_type.clone())
                    .attr("sort", 0)
                    .attr("visible", 1)
                    .many("variant-options", opts),
            )
        }
        "variant-options" => {
            let o = shop.options.get(&n)?;
            Some(
                Resource::new("variant-options", n)
                    .attr("name", o.name.clone())
                    .attr("parameter_id", o.parameter_id)
                    .attr("sort", 0)
                    .attr("visible", 1)
                    .one(
                        "parameter",
                        Some(("variant-parameters", o.parameter_id.to_string())),
                    ),
            )
        }
        "categories" => {
            let c = shop.categories.get(&n)?;
            Some(
                Resource::new("categories", n)
                    .attr("name", c.name.clone())
                    .attr("url_handle", c.url_handle.clone())
                    .attr("parent_id", Value::Null)
                    .attr("order", 0)
                    .attr("created_at", ts(c.created_at))
                    .attr("updated_at", ts(c.updated_at)),
            )
        }
        "orders" => shop.orders.get(&n).map(|o| order_resource(shop, o)),
        "order-products" => {
            let o = find_order_by(shop, n, |o| o.lines.iter().any(|l| l.id == n))?;
            let l = o.lines.iter().find(|l| l.id == n)?;
            let mut r = Resource::new("order-products", n)
                .attr("order_id", o.id)
                .attr("product_id", l.product_id)
                .attr("variant_id", l.variant_id)
                .attr("name", l.name.clone())
                .attr("sku", opt(&l.sku))
                .attr("barcode", opt(&l.barcode))
                .attr("quantity", l.quantity)
                .attr("weight", l.weight)
                .attr("price", l.price)
                .attr("order_price", l.order_price)
                .attr(
                    "order_discount_id",
                    if o.discount.is_some() {
                        Value::from(o.discount_row_id)
                    } else {
                        Value::Null
                    },
                )
                .attr(
                    "order_fulfillment_id",
                    l.fulfillment_id.map(Value::from).unwrap_or(Value::Null),
                )
                .attr("vendor_id", Value::Null)
                .attr("vendor_name", Value::Null)
                .attr("category_id", l.category_id)
                .attr("category_name", l.category_name.clone())
                .attr("sale", "no")
                .attr("new", "no")
                .attr("digital", yes_no(l.digital))
                .attr("tracked", yes_no(l.tracked));
            for i in 0..3 {
                let lab = l.option_labels.get(i);
                r = r
                    .attr(
                        &format!("p{}", i + 1),
                        lab.map(|x| Value::from(x.0.clone())).unwrap_or(Value::Null),
                    )
                    .attr(
                        &format!("v{}", i + 1),
                        lab.map(|x| Value::from(x.1.clone())).unwrap_or(Value::Null),
                    );
            }
            Some(
                r.one("order", Some(("orders", o.id.to_string())))
                    .many("options", Vec::new()),
            )
        }
        "order-discount" => {
            let o = find_order_by(shop, n, |o| o.discount.is_some() && o.discount_row_id == n)?;
            let d = o.discount.as_ref()?;
            Some(
                Resource::new("order-discount", n)
                    .attr("order_id", o.id)
                    .attr("discount_id", Value::Null)
                    .attr("order_product_id", Value::Null)
                    .attr("parent_id", Value::Null)
                    .attr("name", d.name.clone())
                    .attr("code", opt(&d.code))
                    .attr("discount_type", d.discount_type.clone())
                    .attr("type_value", d.value)
                    .attr("order_over", 0)
                    .attr("apply_regular_price", "yes")
                    .one("order", Some(("orders", o.id.to_string()))),
            )
        }
        "order-shipping" => {
            let o = find_order_by(shop, n, |o| {
                o.shipping_provider_id.is_some() && o.shipping_row_id == n
            })?;
            let pid = o.shipping_provider_id?;
            let name = shop
                .shipping_providers
                .get(&pid)
                .map(|p| p.name.clone())
                .unwrap_or_default();
            let cur = o.currency.code();
            let amt = o.totals.shipping;
            Some(
                Resource::new("order-shipping", n)
                    .attr("order_id", o.id)
                    .attr("provider_id", pid)
                    .attr("provider_name", name)
                    .attr("provider_amount", amt)
                    .attr("provider_insurance", 0)
                    .attr("order_has_insurance", "no")
                    .attr("order_insurance", 0)
                    .attr(
                        "provider_amount_formatted",
                        format!("{}.{:02} {cur}", amt / 100, amt % 100),
                    )
                    .attr("geo_zone_id", 1)
                    .attr("geo_zone_name", "България")
                    .one("order", Some(("orders", o.id.to_string())))
                    .one("provider", Some(("shipping-providers", pid.to_string()))),
            )
        }
        "order-tax" => {
            let o = find_order_by(shop, n, |o| o.tax_row_id == n)?;
            Some(
                Resource::new("order-tax", n)
                    .attr("order_id", o.id)
                    .attr("name", format!("ДДС {}%", o.vat_rate_percent))
                    .attr("rate", o.vat_rate_percent as f64)
                    .attr("value", o.totals.tax)
                    .attr("class_id", 1)
                    .attr("tax_id", 1)
                    .attr(
                        "type",
                        match o.vat_mode {
                            crate::config::VatMode::Gross => "included",
                            crate::config::VatMode::Net => "additional",
                        },
                    )
                    .one("order", Some(("orders", o.id.to_string()))),
            )
        }
        "order-total" => {
            let o = find_order_by(shop, n, |o| {
                n >= o.total_row_base && n < o.total_row_base + 16
            })?;
            let row = total_rows(o).into_iter().find(|r| r.0 == n)?;
            Some(
                Resource::new("order-total", n)
                    .attr("order_id", o.id)
                    .attr("code", row.1)
                    .attr("title", row.2)
                    .attr("value", row.3)
                    .attr("sort_order", row.4)
                    .one("order", Some(("orders", o.id.to_string()))),
            )
        }
        "order-payment" => {
            let o = find_order_by(shop, n, |o| o.payment_row_id == n)?;
            let pname = shop
                .payment_providers
                .iter()
                .find(|p| p.code == o.payment_provider)
                .map(|p| p.title.clone())
                .unwrap_or_default();
            Some(
                Resource::new("order-payment", n)
                    .attr("order_id", o.id)
                    .attr("provider", o.payment_provider.clone())
                    .attr("provider_name", pname)
                    .attr("amount", o.totals.total)
                    .attr("provider_reference_id", Value::Null)
                    .attr("status", o.payment_status.clone())
                    .attr("payment_status", o.payment_status.clone())
                    .attr("provider_data", json!({"currency": o.currency.code()}))
                    .attr("date_created", ts(o.date_added))
                    .attr("date_modified", ts(o.updated_at))
                    .one("order", Some(("orders", o.id.to_string()))),
            )
        }
        "order-billing-address" => {
            let o = shop.orders.get(&n)?;
            let r = address_attrs(Resource::new("order-billing-address", n), &o.billing, o.id)
                .attr("company_person", opt(&o.billing.company_person))
                .attr(
                    "company_registration_number",
                    opt(&o.billing.company_registration_number),
                );
            Some(r.one("order", Some(("orders", o.id.to_string()))))
        }
        "order-shipping-address" => {
            let o = shop.orders.get(&n)?;
            let a = &o.shipping_address;
            let r = address_attrs(Resource::new("order-shipping-address", n), a, o.id)
                .attr("companyYesNo", yes_no(a.company_name.is_some()))
                .attr("integration", "internal");
            Some(r.one("order", Some(("orders", o.id.to_string()))))
        }
        "order-fulfillment" => {
            let o = find_order_by(shop, n, |o| {
                o.fulfillment.as_ref().is_some_and(|f| f.id == n)
            })?;
            let f = o.fulfillment.as_ref()?;
            let provider = o
                .shipping_provider_id
                .and_then(|p| shop.shipping_providers.get(&p))
                .map(|p| p.name.clone());
            Some(
                Resource::new("order-fulfillment", n)
                    .attr("order_id", o.id)
                    .attr(
                        "shipping_provider",
                        provider.map(Value::from).unwrap_or(Value::Null),
                    )
                    .attr("shipping_tracking_number", opt(&f.tracking_number))
                    .attr("shipping_tracking_url", opt(&f.tracking_url))
                    .attr("shipping_date_expedition", opt(&f.date_expedition))
                    .attr("shipping_date_delivery", opt(&f.date_delivery))
                    .attr("date_fulfilled", ts(f.date_fulfilled))
                    .one("order", Some(("orders", o.id.to_string()))),
            )
        }
        "customers" => {
            let c = shop.customers.get(&n)?;
            let addrs = |billing: bool| -> Vec<(&'static str, String)> {
                let t = if billing {
                    "customer-billing-address"
                } else {
                    "customer-shipping-address"
                };
                shop.addresses
                    .values()
                    .filter(|a| a.customer_id == n && a.billing == billing)
                    .map(|a| (t, a.id.to_string()))
                    .collect()
            };
            let orders = shop
                .orders
                .values()
                .filter(|o| o.customer_id == Some(n))
                .map(|o| ("orders", o.id.to_string()))
                .collect();
            let ship = addrs(false);
            let bill = addrs(true);
            Some(
                Resource::new("customers", n)
                    .attr("email", c.email.clone())
                    .attr("email_for_confirmation", opt(&c.email_for_confirmation))
                    .attr("email_confirmed", yes_no(c.email_confirmed))
                    .attr("first_name", opt(&c.first_name))
                    .attr("last_name", opt(&c.last_name))
                    .attr("active", yes_no(c.active))
                    .attr("banned", "no")
                    .attr("date_added", ts(c.date_added))
                    .attr("updated_at", ts(c.updated_at))
                    .one("group", None)
                    .many("orders", orders)
                    .one("shipping-address", ship.first().cloned())
                    .one("billing-address", bill.first().cloned())
                    .many("shipping-addresses", ship)
                    .many("billing-addresses", bill),
            )
        }
        "customer-shipping-address" | "customer-billing-address" => {
            let a = shop.addresses.get(&n)?;
            let want_billing = kind == "customer-billing-address";
            if a.billing != want_billing {
                return None;
            }
            let kind: &'static str = if want_billing {
                "customer-billing-address"
            } else {
                "customer-shipping-address"
            };
            let r = address_attrs(Resource::new(kind, n), &a.address, 0);
            let mut r = r;
            r.attributes.remove("order_id");
            r.attributes
                .insert("customer_id".into(), json!(a.customer_id));
            Some(r.one("customer", Some(("customers", a.customer_id.to_string()))))
        }
        "shipping-providers" => {
            let p = shop.shipping_providers.get(&n)?;
            Some(
                Resource::new("shipping-providers", n)
                    .attr("name", p.name.clone())
                    .attr("active", yes_no(p.active))
                    .attr("provider_type", p.provider_type.clone())
                    .attr("geo_zone_id", Value::Null)
                    .attr("postal_money", 1),
            )
        }
        "images" => {
            let i = shop.images.get(&n)?;
            Some(
                Resource::new("images", n)
                    .attr("name", opt(&i.name))
                    .attr("src", i.src.clone())
                    .attr("sort_order", i.sort_order)
                    .attr("active", yes_no(i.active))
                    .attr("thumbs", json!([]))
                    .one("product", Some(("products", i.product_id.to_string()))),
            )
        }
        "webhooks" => {
            let w = shop.webhooks.get(&n)?;
            Some(
                Resource::new("webhooks", n)
                    .attr("url", w.url.clone())
                    .attr("event", w.event.clone())
                    .attr("active", yes_no(w.active))
                    .attr("new_version", if w.new_version { 1 } else { 0 })
                    .attr("request_headers", json!(w.request_headers))
                    .attr("created_at", ts(w.created_at))
                    .attr("updated_at", ts(w.updated_at)),
            )
        }
        _ => None,
    }
}

/// The `orders` resource.
pub fn order_resource(shop: &Shop, o: &Order) -> Resource {
    let ts = |t: jiff::Timestamp| Value::String(format_datetime(t));
    let status_id = crate::orders::status_id(shop, &o.status);
    Resource::new("orders", o.id)
        .attr("status", o.status.clone())
        .attr(
            "status_id",
            status_id.map(Value::from).unwrap_or(Value::Null),
        )
        .attr(
            "status_fulfillment",
            if o.fulfilled {
                "fulfilled"
            } else {
                "not_fulfilled"
            },
        )
        .attr("currency", o.currency.code())
        .attr("subtotal", o.totals.subtotal)
        .attr("discount", o.totals.discount)
        .attr("shipping_price", o.totals.shipping)
        .attr("tax", o.totals.tax)
        .attr("total", o.totals.total)
        .attr("price_total", o.totals.total)
        .attr(
            "vat_included",
            yes_no(o.vat_mode == crate::config::VatMode::Gross),
        )
        .attr("notify_customer", yes_no(o.notify_customer))
        .attr(
            "customer_id",
            o.customer_id.map(Value::from).unwrap_or(Value::Null),
        )
        .attr("customer_first_name", opt(&o.first_name))
        .attr("customer_last_name", opt(&o.last_name))
        .attr("customer_email", o.email.clone())
        .attr("note_customer", opt(&o.note_customer))
        .attr("invoice_number", opt(&o.invoice_number))
        .attr(
            "invoice_date",
            o.invoice_date.map(ts).unwrap_or(Value::Null),
        )
        .attr("usn", opt(&o.usn))
        .attr("date_added", ts(o.date_added))
        .attr("updated_at", ts(o.updated_at))
        .attr(
            "date_archived",
            if o.archived {
                ts(o.updated_at)
            } else {
                Value::Null
            },
        )
        .many(
            "products",
            o.lines
                .iter()
                .map(|l| ("order-products", l.id.to_string()))
                .collect(),
        )
        .one(
            "payment",
            Some(("order-payment", o.payment_row_id.to_string())),
        )
        .many(
            "discounts",
            o.discount
                .iter()
                .map(|_| ("order-discount", o.discount_row_id.to_string()))
                .collect(),
        )
        .many("modifications", Vec::new())
        .many(
            "totals",
            total_rows(o)
                .into_iter()
                .map(|r| ("order-total", r.0.to_string()))
                .collect(),
        )
        .many("taxes", vec![("order-tax", o.tax_row_id.to_string())])
        .one(
            "shipping",
            o.shipping_provider_id
                .map(|_| ("order-shipping", o.shipping_row_id.to_string())),
        )
        .one(
            "shipping-address",
            Some(("order-shipping-address", o.id.to_string())),
        )
        .one(
            "billing-address",
            Some(("order-billing-address", o.id.to_string())),
        )
}
