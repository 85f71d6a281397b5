//! Merchant-side catalogue edits, made as the admin panel makes them. Every admin save fires
//! the `product.*` webhook the platform fires for admin-panel saves (API.md §6.3,
//! MERCHANT.md §13.4): `product.created`, `product.updated`, `product.deleted`. JSON-API writes
//! keep firing only `product.deleted`. There are no variant events (API.md §6.2), so adding,
//! editing or deleting a variant fires `product.updated` of its product.
//!
//! Rules shared with the API: SKU unique per shop (MERCHANT.md §10), at most 3 parameters and
//! 500 variants, one option-less variant per product without parameters, prices
//! 0 … 10¹⁰ minor units. Admin-panel specifics: new products are tracked, shipped and active;
//! quantities are floored at 0 like the Inventory screen (`null` = unlimited); texts are
//! trimmed; parameters and options are found by name (case-insensitive) or created.

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize};

use crate::control::{ControlError, VariantView};
use crate::store::{Category, Milli, OptionValue, Parameter, Product, Shop, Variant};
use crate::webhooks::{resource_event, Emit};
use crate::writes::MAX_MONEY;

/// Most variants of one product (MERCHANT.md §10).
pub const MAX_VARIANTS: usize = 500;
/// Longest name, SKU, barcode, parameter or option value.
const MAX_TEXT: usize = 191;
/// Longest product description (MERCHANT.md §10).
const MAX_DESCRIPTION: usize = 250_000;
/// Largest stock on one variant.
const MAX_QUANTITY: f64 = 50_000_000.0;

/// One option of a variant: a store-wide parameter ("Размер") and its value ("M").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionChoice {
    /// Parameter name (found case-insensitively, created when new; 3–191 characters then).
    pub parameter: String,
    /// Option value (found case-insensitively within the parameter, created when new).
    pub value: String,
}

/// A variant the merchant creates (with its product, or added to an existing product).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewVariant {
    /// SKU, unique per shop (`None` or empty = no SKU).
    #[serde(default)]
    pub sku: Option<String>,
    /// Barcode (need not be unique).
    #[serde(default)]
    pub barcode: Option<String>,
    /// Price in minor units (0 … 10¹⁰).
    pub price: i64,
    /// Stock; `None` (JSON `null` or absent) = unlimited; negative values are floored at 0.
    #[serde(default)]
    pub quantity: Option<f64>,
    /// One choice per product parameter; empty for the single variant of a product without
    /// parameters.
    #[serde(default)]
    pub options: Vec<OptionChoice>,
}

impl NewVariant {
    /// An option-less variant with this SKU, price and stock (`None` = unlimited).
    pub fn new(sku: &str, price: i64, quantity: Option<f64>) -> Self {
        Self {
            sku: Some(sku.to_string()),
            price,
            quantity,
            ..Default::default()
        }
    }

    /// Add an option (`parameter` = `value`).
    pub fn option(mut self, parameter: &str, value: &str) -> Self {
        self.options.push(OptionChoice {
            parameter: parameter.to_string(),
            value: value.to_string(),
        });
        self
    }

    /// Set the barcode.
    pub fn barcode(mut self, barcode: &str) -> Self {
        self.barcode = Some(barcode.to_string());
        self
    }
}

/// A product the merchant creates in the admin panel, with all its variants.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewProduct {
    /// Name (2–191 characters).
    pub name: String,
    /// Description (HTML or text, up to 250 000 characters).
    #[serde(default)]
    pub description: Option<String>,
    /// Category name: found case-insensitively or created (`category.created`). Absent = the
    /// shop's first category, or a new "Всички продукти".
    #[serde(default)]
    pub category: Option<String>,
    /// At least one; all with options for the same parameters (at most 3), or exactly one
    /// option-less variant.
    pub variants: Vec<NewVariant>,
}

impl NewProduct {
    /// A product called `name` with these variants.
    pub fn new(name: &str, variants: Vec<NewVariant>) -> Self {
        Self {
            name: name.to_string(),
            variants,
            ..Default::default()
        }
    }

    /// Set the description.
    pub fn description(mut self, text: &str) -> Self {
        self.description = Some(text.to_string());
        self
    }
}

/// `Some(value)` for any present value, `null` included (so `null` differs from absent).
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// A product save in the admin panel (absent fields keep their value).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductEdit {
    /// New name (2–191 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description; `Some(None)` (JSON `null`) or an empty text removes it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<Option<String>>,
}

/// A variant save in the admin panel (absent fields keep their value).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VariantEdit {
    /// New SKU; `Some(None)` (JSON `null`) or empty removes it. Unique per shop.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub sku: Option<Option<String>>,
    /// New barcode; `Some(None)` (JSON `null`) or empty removes it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub barcode: Option<Option<String>>,
    /// New price in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
    /// New stock; `Some(None)` (JSON `null`) = unlimited; negative values are floored at 0.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub quantity: Option<Option<f64>>,
}

/// A product as the control surface shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductView {
    /// Product id.
    pub id: u64,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Main category id.
    pub category_id: u64,
    /// Variants in id order.
    pub variants: Vec<VariantView>,
}

/// The product `id` of the shop, as the control surface shows it.
pub(crate) fn product_view(shop: &Shop, id: u64) -> Option<ProductView> {
    let p = shop.products.get(&id)?;
    Some(ProductView {
        id,
        name: p.name.clone(),
        description: p.description.clone(),
        category_id: p.category_id,
        variants: shop
            .variants
            .values()
            .filter(|v| v.product_id == id)
            .map(VariantView::of)
            .collect(),
    })
}

fn invalid(code: &'static str, bg: impl Into<String>, en: impl Into<String>) -> ControlError {
    ControlError::new(code, 422, bg, en)
}

/// 404 for an unknown product.
pub(crate) fn unknown_product(id: impl std::fmt::Display) -> ControlError {
    ControlError::new(
        "unknown_product",
        404,
        format!("Няма продукт с номер {id}."),
        format!("No product has the id {id}."),
    )
}

/// 404 for an unknown variant.
pub(crate) fn unknown_variant(id: impl std::fmt::Display) -> ControlError {
    ControlError::new(
        "unknown_variant",
        404,
        format!("Няма вариант с номер {id}."),
        format!("No variant has the id {id}."),
    )
}

fn product_name(name: &str) -> Result<String, ControlError> {
    let n = name.trim();
    if !(2..=MAX_TEXT).contains(&n.chars().count()) {
        return Err(invalid(
            "invalid_product_name",
            "Името на продукта трябва да е между 2 и 191 знака.",
            "The product name must have 2 to 191 characters.",
        ));
    }
    Ok(n.to_string())
}

fn description(text: Option<&str>) -> Result<Option<String>, ControlError> {
    let Some(t) = text.filter(|t| !t.trim().is_empty()) else {
        return Ok(None);
    };
    if t.chars().count() > MAX_DESCRIPTION {
        return Err(invalid(
            "invalid_description",
            "Описанието е по-дълго от 250 000 знака.",
            "The description is longer than 250,000 characters.",
        ));
    }
    Ok(Some(t.to_string()))
}

/// A trimmed short text (`None` when empty), refused above 191 characters.
fn short_text(
    value: Option<&str>,
    code: &'static str,
    what_bg: &str,
    what_en: &str,
) -> Result<Option<String>, ControlError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if v.chars().count() > MAX_TEXT {
        return Err(invalid(
            code,
            format!("{what_bg} е по-дълъг от 191 знака."),
            format!("The {what_en} is longer than 191 characters."),
        ));
    }
    Ok(Some(v.to_string()))
}

fn sku(
    shop: &Shop,
    value: Option<&str>,
    except: Option<u64>,
) -> Result<Option<String>, ControlError> {
    let sku = short_text(value, "invalid_sku", "Кодът (SKU)", "SKU")?;
    if let Some(s) = &sku {
        if shop.sku_taken(s, except) {
            return Err(sku_taken(s));
        }
    }
    Ok(sku)
}

fn sku_taken(sku: &str) -> ControlError {
    invalid(
        "sku_taken",
        format!("Кодът (SKU) `{sku}` вече се използва."),
        format!("This SKU is already in use: `{sku}`."),
    )
}

fn price(p: i64) -> Result<i64, ControlError> {
    if !(0..=MAX_MONEY).contains(&p) {
        return Err(invalid(
            "invalid_price",
            format!("Цената трябва да е между 0 и {MAX_MONEY} стотинки/цента."),
            format!("The price must be between 0 and {MAX_MONEY} minor units."),
        ));
    }
    Ok(p)
}

/// Stock in thousandths (`None` = unlimited), floored at 0 like the Inventory screen.
fn quantity(q: Option<f64>) -> Result<Option<Milli>, ControlError> {
    match q {
        None => Ok(None),
        Some(q) if !q.is_finite() || q > MAX_QUANTITY => Err(invalid(
            "invalid_quantity",
            "Количеството трябва да е число до 50 000 000.",
            "The quantity must be a number up to 50,000,000.",
        )),
        Some(q) => Ok(Some((q.max(0.0) * 1000.0).round() as i64)),
    }
}

/// The checked fields of a new variant.
struct Fields {
    sku: Option<String>,
    barcode: Option<String>,
    price: i64,
    quantity: Option<Milli>,
}

fn fields(shop: &Shop, v: &NewVariant) -> Result<Fields, ControlError> {
    Ok(Fields {
        sku: sku(shop, v.sku.as_deref(), None)?,
        barcode: short_text(
            v.barcode.as_deref(),
            "invalid_barcode",
            "Баркодът",
            "barcode",
        )?,
        price: price(v.price)?,
        quantity: quantity(v.quantity)?,
    })
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The parameter names of a variant's choices (trimmed), checked: at most 3, no parameter
/// twice, no empty or over-long text; parameters that do not exist yet need 3+ characters.
fn parameter_names(shop: &Shop, choices: &[OptionChoice]) -> Result<Vec<String>, ControlError> {
    if choices.len() > 3 {
        return Err(invalid(
            "too_many_parameters",
            "Продуктът може да има най-много 3 параметъра.",
            "A product has at most 3 parameters.",
        ));
    }
    let mut names: Vec<String> = Vec::new();
    for c in choices {
        let p = short_text(
            Some(&c.parameter),
            "invalid_option",
            "Параметърът",
            "parameter",
        )?;
        let v = short_text(
            Some(&c.value),
            "invalid_option",
            "Стойността",
            "option value",
        )?;
        let (Some(p), Some(_)) = (p, v) else {
            return Err(invalid(
                "invalid_option",
                "Параметърът и стойността на опцията не може да са празни.",
                "An option needs a parameter and a value.",
            ));
        };
        if names.iter().any(|n| same_name(n, &p)) {
            return Err(invalid(
                "duplicate_parameter",
                format!("Параметърът `{p}` е зададен два пъти."),
                format!("The parameter `{p}` is given twice."),
            ));
        }
        if find_parameter(shop, &p).is_none() && p.chars().count() < 3 {
            return Err(invalid(
                "invalid_option",
                format!("Името на новия параметър `{p}` трябва да е поне 3 знака."),
                format!("The new parameter name `{p}` needs at least 3 characters."),
            ));
        }
        names.push(p);
    }
    Ok(names)
}

fn options_mismatch(given: usize, wanted: usize) -> ControlError {
    invalid(
        "options_mismatch",
        format!("Вариантът има {given} опции, а продуктът изисква {wanted}."),
        format!(
            "You are trying to save variant with {given} options, but your product requires {wanted}"
        ),
    )
}

/// Whether `choices` name exactly the parameters `names` (any order).
fn covers(choices: &[OptionChoice], names: &[String]) -> bool {
    choices.len() == names.len()
        && names
            .iter()
            .all(|n| choices.iter().any(|c| same_name(&c.parameter, n)))
}

/// The trimmed value chosen for parameter `name`.
fn value_of<'a>(choices: &'a [OptionChoice], name: &str) -> &'a str {
    choices
        .iter()
        .find(|c| same_name(&c.parameter, name))
        .map(|c| c.value.trim())
        .unwrap_or("")
}

fn find_parameter(shop: &Shop, name: &str) -> Option<u64> {
    shop.parameters
        .values()
        .find(|p| same_name(&p.name, name))
        .map(|p| p.id)
}

fn find_option(shop: &Shop, parameter_id: u64, value: &str) -> Option<u64> {
    shop.options
        .values()
        .find(|o| o.parameter_id == parameter_id && same_name(&o.name, value))
        .map(|o| o.id)
}

fn ensure_parameter(shop: &mut Shop, name: &str) -> u64 {
    if let Some(id) = find_parameter(shop, name) {
        return id;
    }
    let id = shop.ids.allocate();
    shop.parameters.insert(
        id,
        Parameter {
            id,
            name: name.to_string(),
            display_type: "select".into(),
        },
    );
    id
}

fn ensure_option(shop: &mut Shop, parameter_id: u64, value: &str) -> u64 {
    if let Some(id) = find_option(shop, parameter_id, value) {
        return id;
    }
    let id = shop.ids.allocate();
    shop.options.insert(
        id,
        OptionValue {
            id,
            parameter_id,
            name: value.to_string(),
        },
    );
    id
}

/// The category called `name` (created with `category.created` when missing); without a name
/// the shop's first category, or a new "Всички продукти".
fn ensure_category(shop: &mut Shop, name: Option<&str>, now: Timestamp, ev: &mut Emit) -> u64 {
    let found = match name {
        Some(n) => shop.categories.values().find(|c| same_name(&c.name, n)),
        None => shop.categories.values().next(),
    };
    if let Some(c) = found {
        return c.id;
    }
    let id = shop.ids.allocate();
    shop.categories.insert(
        id,
        Category {
            id,
            name: name.unwrap_or("Всички продукти").to_string(),
            url_handle: format!("c-{id}"),
            created_at: now,
            updated_at: now,
        },
    );
    ev.push(resource_event(shop, "category.created", "categories", id));
    id
}

fn too_many_variants() -> ControlError {
    invalid(
        "too_many_variants",
        format!("Продуктът може да има най-много {MAX_VARIANTS} варианта."),
        format!("Maximum {MAX_VARIANTS} variants exceeded."),
    )
}

fn option_less_exists() -> ControlError {
    invalid(
        "option_less_variant_exists",
        "Продукт без параметри има точно един вариант.",
        "A product without parameters has exactly one variant.",
    )
}

fn duplicate_variant() -> ControlError {
    invalid(
        "duplicate_variant",
        "Продуктът вече има вариант с тези опции.",
        "The product already has a variant with these options.",
    )
}

/// Create a product with its variants as the admin panel does; fires `product.created`.
pub(crate) fn create_product(
    shop: &mut Shop,
    np: &NewProduct,
    now: Timestamp,
    ev: &mut Emit,
) -> Result<u64, ControlError> {
    if let Some(cap) = shop.config.product_limit {
        if shop.products.len() >= cap {
            return Err(invalid(
                "product_limit_reached",
                format!("Планът позволява най-много {cap} продукта."),
                format!("The plan allows at most {cap} products."),
            ));
        }
    }
    let name = product_name(&np.name)?;
    let description = description(np.description.as_deref())?;
    let category = match np.category.as_deref().map(str::trim) {
        Some(c) if (2..=MAX_TEXT).contains(&c.chars().count()) => Some(c.to_string()),
        Some(_) => {
            return Err(invalid(
                "invalid_category",
                "Името на категорията трябва да е между 2 и 191 знака.",
                "The category name must have 2 to 191 characters.",
            ))
        }
        None => None,
    };
    let Some(first) = np.variants.first() else {
        return Err(invalid(
            "no_variants",
            "Продуктът трябва да има поне един вариант.",
            "A product needs at least one variant.",
        ));
    };
    if np.variants.len() > MAX_VARIANTS {
        return Err(too_many_variants());
    }
    let params = parameter_names(shop, &first.options)?;
    if params.is_empty() && np.variants.len() > 1 {
        return Err(option_less_exists());
    }
    let mut checked = Vec::with_capacity(np.variants.len());
    let mut combos = std::collections::HashSet::new();
    for v in &np.variants {
        parameter_names(shop, &v.options)?;
        if !covers(&v.options, &params) {
            return Err(options_mismatch(v.options.len(), params.len()));
        }
        let f = fields(shop, v)?;
        if let Some(s) = &f.sku {
            if checked.iter().any(|c: &Fields| c.sku.as_ref() == Some(s)) {
                return Err(sku_taken(s));
            }
        }
        let combo: Vec<String> = params
            .iter()
            .map(|p| value_of(&v.options, p).to_lowercase())
            .collect();
        if !combos.insert(combo) {
            return Err(duplicate_variant());
        }
        checked.push(f);
    }
    // Everything is valid: nothing below fails.
    let category_id = ensure_category(shop, category.as_deref(), now, ev);
    let param_ids: Vec<u64> = params.iter().map(|p| ensure_parameter(shop, p)).collect();
    let id = shop.ids.allocate();
    shop.products.insert(
        id,
        Product {
            id,
            url_handle: crate::writes::slugify(&name, id),
            name,
            active: true,
            draft: false,
            tracking: true,
            continue_selling: false,
            shipping: true,
            digital: false,
            sale: false,
            new: false,
            category_id,
            parameters: param_ids.clone(),
            description,
            image_id: None,
            date_added: now,
            date_modified: now,
        },
    );
    for (v, f) in np.variants.iter().zip(checked) {
        let options = params
            .iter()
            .zip(&param_ids)
            .map(|(p, pid)| ensure_option(shop, *pid, value_of(&v.options, p)))
            .collect();
        insert_variant(shop, id, f, options);
    }
    ev.push(resource_event(shop, "product.created", "products", id));
    Ok(id)
}

fn insert_variant(shop: &mut Shop, product_id: u64, f: Fields, options: Vec<u64>) -> u64 {
    let id = shop.ids.allocate();
    shop.variants.insert(
        id,
        Variant {
            id,
            product_id,
            sku: f.sku,
            barcode: f.barcode,
            price: f.price,
            delivery_price: 0,
            weight: 0,
            quantity: f.quantity,
            options,
        },
    );
    id
}

/// Bump the product's `date_modified` and fire `product.updated`.
fn product_saved(shop: &mut Shop, product_id: u64, now: Timestamp, ev: &mut Emit) {
    if let Some(p) = shop.products.get_mut(&product_id) {
        p.date_modified = now;
    }
    ev.push(resource_event(
        shop,
        "product.updated",
        "products",
        product_id,
    ));
}

/// Save the product's name / description; fires `product.updated` (on every save).
pub(crate) fn edit_product(
    shop: &mut Shop,
    id: u64,
    edit: &ProductEdit,
    now: Timestamp,
    ev: &mut Emit,
) -> Result<(), ControlError> {
    if !shop.products.contains_key(&id) {
        return Err(unknown_product(id));
    }
    let name = edit.name.as_deref().map(product_name).transpose()?;
    let description = edit
        .description
        .as_ref()
        .map(|d| description(d.as_deref()))
        .transpose()?;
    if let Some(p) = shop.products.get_mut(&id) {
        if let Some(n) = name {
            p.name = n;
        }
        if let Some(d) = description {
            p.description = d;
        }
    }
    product_saved(shop, id, now, ev);
    Ok(())
}

/// Save a variant's SKU / barcode / price / stock; fires `product.updated` of its product.
pub(crate) fn edit_variant(
    shop: &mut Shop,
    id: u64,
    edit: &VariantEdit,
    now: Timestamp,
    ev: &mut Emit,
) -> Result<u64, ControlError> {
    let Some(mut v) = shop.variants.get(&id).cloned() else {
        return Err(unknown_variant(id));
    };
    if let Some(s) = &edit.sku {
        v.sku = sku(shop, s.as_deref(), Some(id))?;
    }
    if let Some(b) = &edit.barcode {
        v.barcode = short_text(b.as_deref(), "invalid_barcode", "Баркодът", "barcode")?;
    }
    if let Some(p) = edit.price {
        v.price = price(p)?;
    }
    if let Some(q) = edit.quantity {
        v.quantity = quantity(q)?;
    }
    let product_id = v.product_id;
    shop.variants.insert(id, v);
    product_saved(shop, product_id, now, ev);
    Ok(id)
}

/// Add a variant to a product; fires `product.updated`.
pub(crate) fn add_variant(
    shop: &mut Shop,
    product_id: u64,
    nv: &NewVariant,
    now: Timestamp,
    ev: &mut Emit,
) -> Result<u64, ControlError> {
    let Some(p) = shop.products.get(&product_id) else {
        return Err(unknown_product(product_id));
    };
    let param_ids = p.parameters.clone();
    let names: Vec<String> = param_ids
        .iter()
        .map(|i| {
            shop.parameters
                .get(i)
                .map(|x| x.name.clone())
                .unwrap_or_default()
        })
        .collect();
    parameter_names(shop, &nv.options)?;
    if !covers(&nv.options, &names) {
        return Err(options_mismatch(nv.options.len(), names.len()));
    }
    let siblings: Vec<&Variant> = shop
        .variants
        .values()
        .filter(|v| v.product_id == product_id)
        .collect();
    if siblings.len() >= MAX_VARIANTS {
        return Err(too_many_variants());
    }
    if names.is_empty() && !siblings.is_empty() {
        return Err(option_less_exists());
    }
    let existing: Option<Vec<u64>> = param_ids
        .iter()
        .zip(&names)
        .map(|(pid, n)| find_option(shop, *pid, value_of(&nv.options, n)))
        .collect();
    if let Some(opts) = existing.filter(|o| !o.is_empty()) {
        if siblings.iter().any(|v| v.options == opts) {
            return Err(duplicate_variant());
        }
    }
    let f = fields(shop, nv)?;
    let options = param_ids
        .iter()
        .zip(&names)
        .map(|(pid, n)| ensure_option(shop, *pid, value_of(&nv.options, n)))
        .collect();
    let id = insert_variant(shop, product_id, f, options);
    product_saved(shop, product_id, now, ev);
    Ok(id)
}

/// Delete a variant (never the last one of its product: delete the product instead); fires
/// `product.updated`.
pub(crate) fn delete_variant(
    shop: &mut Shop,
    id: u64,
    now: Timestamp,
    ev: &mut Emit,
) -> Result<(), ControlError> {
    let Some(product_id) = shop.variants.get(&id).map(|v| v.product_id) else {
        return Err(unknown_variant(id));
    };
    let siblings = shop
        .variants
        .values()
        .filter(|v| v.product_id == product_id)
        .count();
    if siblings <= 1 {
        return Err(invalid(
            "last_variant",
            "Последният вариант на продукт не се изтрива; изтрийте продукта.",
            "The last variant of a product cannot be deleted; delete the product instead.",
        ));
    }
    shop.variants.remove(&id);
    product_saved(shop, product_id, now, ev);
    Ok(())
}

/// Delete a product (soft for the API: it and its variants answer 404 from then on); fires
/// `product.deleted`.
pub(crate) fn delete_product(shop: &mut Shop, id: u64, ev: &mut Emit) -> Result<(), ControlError> {
    if !shop.products.contains_key(&id) {
        return Err(unknown_product(id));
    }
    let event = resource_event(shop, "product.deleted", "products", id);
    shop.products.remove(&id);
    shop.variants.retain(|_, v| v.product_id != id);
    ev.push(event);
    Ok(())
}
