//! A shop connection (Администриране → Връзка с ел. магазини): what the merchant types
//! (SPEC C1, S4) and the synchronisation settings (SPEC G1–G3, S2, S3).

use serde::{Deserialize, Serialize};
use std::net::IpAddr;

use crate::error::{FieldError, ValidationErrors};
use crate::model::Object;
use crate::{Currency, Id, PriceGroup};

/// The longest connection name, in characters.
pub const MAX_CONNECTION_NAME_CHARS: usize = 100;

/// The longest API key accepted, in characters (CloudCart's are 64).
pub const MAX_API_KEY_CHARS: usize = 200;

/// What the merchant types to create or change a connection.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionInput {
    /// A name to recognise it by, e.g. „CloudCart“.
    pub name: String,
    /// The shop's primary address, e.g. `https://sampleshop.cloudcart.net`.
    pub shop_url: String,
    /// The API key from the shop (Настройки → API ключове). `None` on a change keeps the
    /// stored key.
    pub api_key: Option<String>,
    /// In use (приложението се използва).
    pub active: bool,
    /// The shop's currency; `None` takes it from the shop's latest order when the shop
    /// has one, else the firm's (the API does not expose it, API.md §7).
    pub currency: Option<Currency>,
    /// Whether the shop's prices include VAT (the API does not say; default yes).
    pub prices_with_vat: bool,
}

impl std::fmt::Debug for ConnectionInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionInput")
            .field("name", &self.name)
            .field("shop_url", &self.shop_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("active", &self.active)
            .field("currency", &self.currency)
            .field("prices_with_vat", &self.prices_with_vat)
            .finish()
    }
}

impl ConnectionInput {
    /// Name 1–100 characters; the shop address normalised to `https://host[:port]`
    /// (see [`normalize_shop_url`]); the key, when given, 1–200 visible characters
    /// without spaces. `require_key` makes a missing key an error (a new connection).
    pub fn validate(&self, require_key: bool) -> Result<ConnectionInput, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.push(FieldError::required("name"));
        } else if name.chars().count() > MAX_CONNECTION_NAME_CHARS
            || name.contains(|c: char| c.is_control())
        {
            errors.push(FieldError::new(
                "name",
                "name_invalid",
                format!("Името трябва да е от 1 до {MAX_CONNECTION_NAME_CHARS} знака."),
                format!("The name must be 1 to {MAX_CONNECTION_NAME_CHARS} characters."),
            ));
        }
        let shop_url = errors
            .check(normalize_shop_url("shop_url", &self.shop_url))
            .map(|u| u.url)
            .unwrap_or_default();
        let api_key = match self.api_key.as_deref().map(str::trim) {
            None | Some("") if require_key => {
                errors.push(FieldError::required("api_key"));
                None
            }
            None | Some("") => None,
            Some(key) => errors.check(validate_api_key("api_key", key)),
        };
        errors.into_result(ConnectionInput {
            name,
            shop_url,
            api_key,
            ..self.clone()
        })
    }
}

/// A shop address as stored: `url` is `scheme://host[:port]`, `host` lower-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopUrl {
    /// `https://host[:port]` (`http://` only for loopback test shops).
    pub url: String,
    /// The host, lower-case: the shop's rate budget is keyed on it.
    pub host: String,
}

/// Reads what the merchant typed as the shop's address: `sampleshop.cloudcart.net`,
/// `https://sampleshop.cloudcart.net/` … A missing scheme means `https`; `http` is
/// accepted only for loopback hosts (`localhost`, `*.localhost`, 127.0.0.0/8, `::1`), as
/// the CloudCart client enforces. A path, query, user or password is refused
/// (`shop_url_invalid`); so is a `www.` host (`shop_url_alias`): CloudCart gives the API
/// only to the shop's primary domain (API.md §1.1).
pub fn normalize_shop_url(field: &str, text: &str) -> Result<ShopUrl, FieldError> {
    let trimmed = text.trim();
    let shown: String = trimmed.chars().take(80).collect();
    let invalid = || {
        FieldError::new(
            field,
            "shop_url_invalid",
            format!(
                "„{shown}“ не е адрес на магазин. Въведете основния адрес, напр. \
                 https://sampleshop.cloudcart.net"
            ),
            format!(
                "\"{shown}\" is not a shop address. Enter the primary address, e.g. \
                 https://sampleshop.cloudcart.net"
            ),
        )
    };
    if trimmed.is_empty() {
        return Err(FieldError::required(field));
    }
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_owned()
    } else {
        format!("https://{trimmed}")
    };
    let url = url::Url::parse(&with_scheme).map_err(|_| invalid())?;
    let host = match url.host() {
        Some(url::Host::Domain(d)) => d.to_ascii_lowercase(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => format!("[{ip}]"),
        None => return Err(invalid()),
    };
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    if !bare || !url.username().is_empty() || url.password().is_some() {
        return Err(invalid());
    }
    let loopback = is_loopback_host(&host);
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(FieldError::new(
                field,
                "shop_url_insecure",
                "Адресът на магазина трябва да започва с https://.",
                "The shop's address must start with https://.",
            ))
        }
        _ => return Err(invalid()),
    }
    if host.starts_with("www.") {
        return Err(FieldError::new(
            field,
            "shop_url_alias",
            format!(
                "CloudCart дава достъп до API само на основния домейн на магазина. Въведете го \
                 без „www.“ (напр. {}).",
                host.trim_start_matches("www.")
            ),
            format!(
                "CloudCart gives API access only to the shop's primary domain. Enter it \
                 without \"www.\" (e.g. {}).",
                host.trim_start_matches("www.")
            ),
        ));
    }
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    Ok(ShopUrl {
        url: format!("{}://{host}{port}", url.scheme()),
        host,
    })
}

/// Whether `host` is a loopback name or address (test shops).
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn validate_api_key(field: &str, key: &str) -> Result<String, FieldError> {
    if key.chars().count() > MAX_API_KEY_CHARS || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(FieldError::new(
            field,
            "api_key_invalid",
            "API ключът трябва да е копиран точно от магазина (Настройки → API ключове): \
             латински букви и цифри, без интервали.",
            "Copy the API key exactly from the shop (Settings → Api keys): Latin letters and \
             digits, no spaces.",
        ));
    }
    Ok(key.to_owned())
}

/// The objects whose stock feeds the shop (SPEC G1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "object_ids", rename_all = "snake_case")]
pub enum FeedObjects {
    /// „Всички“: every active object; prices from the Retail group.
    All,
    /// These objects (at least one).
    Objects(Vec<Id>),
}

impl FeedObjects {
    /// The feeding objects among the firm's `objects` (active ones only for `All`).
    pub fn object_ids(&self, objects: &[Object]) -> Vec<Id> {
        match self {
            FeedObjects::All => objects.iter().filter(|o| o.active).map(|o| o.id).collect(),
            FeedObjects::Objects(ids) => ids.clone(),
        }
    }
}

/// „Кога поръчката се трансформира в продажба“ (SPEC G2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleRule {
    /// „Платена/Изпратена“: paid, any later stock-taking state, or fulfilled.
    #[default]
    PaidOrShipped,
    /// „Изчакваща/Изпратена“: pending or later, or fulfilled.
    PendingOrShipped,
    /// „Винаги продажба“: every shop order becomes a sale at once.
    AlwaysSale,
}

impl SaleRule {
    /// Every rule, in the order the page offers them.
    pub const ALL: [SaleRule; 3] = [
        SaleRule::PaidOrShipped,
        SaleRule::PendingOrShipped,
        SaleRule::AlwaysSale,
    ];

    /// Stable key.
    pub fn key(self) -> &'static str {
        match self {
            SaleRule::PaidOrShipped => "paid_or_shipped",
            SaleRule::PendingOrShipped => "pending_or_shipped",
            SaleRule::AlwaysSale => "always_sale",
        }
    }

    /// The rule with this key.
    pub fn from_key(key: &str) -> Option<SaleRule> {
        SaleRule::ALL.into_iter().find(|r| r.key() == key)
    }

    /// Whether this rule turns orders into sales at another moment than the shop takes
    /// its stock (the shop's „Намали количество ако статусът на поръчката е“), so the
    /// two books would disagree for a while.
    pub fn disagrees_with(self, shop: ShopStockStatus) -> bool {
        !matches!(
            (self, shop),
            (SaleRule::PaidOrShipped, ShopStockStatus::Paid)
                | (SaleRule::PendingOrShipped, ShopStockStatus::Pending)
                | (SaleRule::AlwaysSale, ShopStockStatus::Pending)
        )
    }
}

/// The shop's own setting „Намали количество ако статусът на поръчката е“ as the merchant
/// reports it (admin-only in CloudCart: not readable through the API).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShopStockStatus {
    /// „Платена/Изпратена“ (the platform's default).
    #[default]
    Paid,
    /// „Изчакваща/Изпратена“.
    Pending,
}

impl ShopStockStatus {
    /// Both values.
    pub const ALL: [ShopStockStatus; 2] = [ShopStockStatus::Paid, ShopStockStatus::Pending];

    /// Stable key (the shop's own value).
    pub fn key(self) -> &'static str {
        match self {
            ShopStockStatus::Paid => "paid",
            ShopStockStatus::Pending => "pending",
        }
    }

    /// The value with this key.
    pub fn from_key(key: &str) -> Option<ShopStockStatus> {
        ShopStockStatus::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// The three service goods an imported order needs (SPEC S3, G8–G10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialGoodRole {
    /// „Доставка“: the shipping line (G10).
    Delivery,
    /// „Търговска отстъпка“: the order-level discount line (G8).
    Discount,
    /// „Такса“: a fee line (G9).
    Fee,
}

impl SpecialGoodRole {
    /// All three.
    pub const ALL: [SpecialGoodRole; 3] = [
        SpecialGoodRole::Delivery,
        SpecialGoodRole::Discount,
        SpecialGoodRole::Fee,
    ];

    /// Stable key.
    pub fn key(self) -> &'static str {
        match self {
            SpecialGoodRole::Delivery => "delivery",
            SpecialGoodRole::Discount => "discount",
            SpecialGoodRole::Fee => "fee",
        }
    }

    /// Code and name of the service good „създай“ makes for this role.
    pub fn default_good(self) -> (&'static str, &'static str) {
        match self {
            SpecialGoodRole::Delivery => ("CC-DOSTAVKA", "Доставка"),
            SpecialGoodRole::Discount => ("CC-OTSTAPKA", "Търговска отстъпка"),
            SpecialGoodRole::Fee => ("CC-TAKSA", "Такса"),
        }
    }

    /// The settings field holding this role's good.
    pub fn field(self) -> &'static str {
        match self {
            SpecialGoodRole::Delivery => "delivery_good_id",
            SpecialGoodRole::Discount => "discount_good_id",
            SpecialGoodRole::Fee => "fee_good_id",
        }
    }
}

/// How a connection synchronises (SPEC G1–G3, S3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopSettings {
    /// The objects whose stock feeds the shop.
    pub feed: FeedObjects,
    /// The object in which shop orders become operations.
    pub operations_object_id: Option<Id>,
    /// When an imported order becomes a sale.
    pub sale_rule: SaleRule,
    /// What the merchant says the shop's own stock setting is.
    pub shop_stock_status: ShopStockStatus,
    /// Quantities and prices flow to the shop automatically (SPEC G6).
    pub auto_sync: bool,
    /// „Доставка“.
    pub delivery_good_id: Option<Id>,
    /// „Търговска отстъпка“.
    pub discount_good_id: Option<Id>,
    /// „Такса“.
    pub fee_good_id: Option<Id>,
}

impl ShopSettings {
    /// The settings of a new connection: every object feeds the shop, orders go to
    /// `operations_object_id`, paid-or-shipped, auto-sync off, no special goods yet.
    pub fn initial(operations_object_id: Option<Id>) -> ShopSettings {
        ShopSettings {
            feed: FeedObjects::All,
            operations_object_id,
            sale_rule: SaleRule::PaidOrShipped,
            shop_stock_status: ShopStockStatus::Paid,
            auto_sync: false,
            delivery_good_id: None,
            discount_good_id: None,
            fee_good_id: None,
        }
    }

    /// The good playing `role`.
    pub fn special_good(&self, role: SpecialGoodRole) -> Option<Id> {
        match role {
            SpecialGoodRole::Delivery => self.delivery_good_id,
            SpecialGoodRole::Discount => self.discount_good_id,
            SpecialGoodRole::Fee => self.fee_good_id,
        }
    }

    /// Sets the good playing `role`.
    pub fn set_special_good(&mut self, role: SpecialGoodRole, good_id: Option<Id>) {
        match role {
            SpecialGoodRole::Delivery => self.delivery_good_id = good_id,
            SpecialGoodRole::Discount => self.discount_good_id = good_id,
            SpecialGoodRole::Fee => self.fee_good_id = good_id,
        }
    }

    /// The price group the shop's prices come from (SPEC G1): with every object feeding
    /// it, Retail; with one object, that object's group; with several, the group of the
    /// operations object (the seed: „Цените ще бъдат съобразно Ценовата група на обекта,
    /// избран за създаване на операция“). Retail when the object is unknown.
    pub fn price_group(&self, objects: &[Object]) -> PriceGroup {
        let group_of = |id: Option<Id>| {
            objects
                .iter()
                .find(|o| Some(o.id) == id)
                .map(|o| o.price_group)
                .unwrap_or(PriceGroup::Retail)
        };
        match &self.feed {
            FeedObjects::All => PriceGroup::Retail,
            FeedObjects::Objects(ids) if ids.len() == 1 => group_of(ids.first().copied()),
            FeedObjects::Objects(_) => group_of(self.operations_object_id),
        }
    }

    /// The price group new goods of an import get their price in (SPEC K2): the
    /// operations object's group (Retail when unknown).
    pub fn import_price_group(&self, objects: &[Object]) -> PriceGroup {
        objects
            .iter()
            .find(|o| Some(o.id) == self.operations_object_id)
            .map(|o| o.price_group)
            .unwrap_or(PriceGroup::Retail)
    }

    /// The checks that need only the firm's objects: at least one feeding object, each
    /// an active object of the firm; an operations object that is one.
    pub fn check_objects(&self, objects: &[Object]) -> ValidationErrors {
        let mut errors = ValidationErrors::new();
        let active = |id: Id| objects.iter().any(|o| o.id == id && o.active);
        match &self.feed {
            FeedObjects::All if objects.iter().any(|o| o.active) => {}
            FeedObjects::Objects(ids) if !ids.is_empty() && ids.iter().all(|id| active(*id)) => {}
            _ => errors.push(FieldError::new(
                "feed",
                "feed_objects_required",
                "Изберете поне един активен обект, от който магазинът получава наличности \
                 и цени, или „Всички“.",
                "Choose at least one active object whose stock and prices feed the shop, \
                 or \"All\".",
            )),
        }
        match self.operations_object_id {
            Some(id) if active(id) => {}
            _ => errors.push(FieldError::new(
                "operations_object_id",
                "operations_object_required",
                "Изберете активния обект, в който поръчките от магазина стават операции.",
                "Choose the active object in which shop orders become operations.",
            )),
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ObjectKind;

    #[test]
    fn shop_addresses_are_normalised_or_refused_with_the_reason() {
        for (typed, url) in [
            (
                "sampleshop.cloudcart.net",
                "https://sampleshop.cloudcart.net",
            ),
            (
                " https://SampleShop.cloudcart.net/ ",
                "https://sampleshop.cloudcart.net",
            ),
            ("http://shop.localhost:8088", "http://shop.localhost:8088"),
            ("http://127.0.0.1:9000/", "http://127.0.0.1:9000"),
        ] {
            assert_eq!(normalize_shop_url("u", typed).unwrap().url, url, "{typed}");
        }
        for (typed, code) in [
            ("", "required"),
            ("http://sampleshop.cloudcart.net", "shop_url_insecure"),
            ("https://www.zarno-pamuk.bg", "shop_url_alias"),
            ("https://shop.bg/admin", "shop_url_invalid"),
            ("https://shop.bg/?a=1", "shop_url_invalid"),
            ("https://user:pw@shop.bg", "shop_url_invalid"),
            ("ftp://shop.bg", "shop_url_invalid"),
            ("https://", "shop_url_invalid"),
            ("не е адрес с интервали", "shop_url_invalid"),
        ] {
            assert_eq!(
                normalize_shop_url("u", typed).unwrap_err().code,
                code,
                "{typed}"
            );
        }
    }

    #[test]
    fn a_new_connection_needs_a_key_and_debug_never_shows_it() {
        let input = ConnectionInput {
            name: " CloudCart ".into(),
            shop_url: "shop.bg".into(),
            api_key: Some("SECRETKEY0000".into()),
            active: true,
            currency: None,
            prices_with_vat: true,
        };
        let valid = input.validate(true).unwrap();
        assert_eq!(valid.name, "CloudCart");
        assert_eq!(valid.shop_url, "https://shop.bg");
        assert!(!format!("{input:?}").contains("SECRETKEY"));
        let no_key = ConnectionInput {
            api_key: None,
            ..input.clone()
        };
        assert_eq!(
            no_key.validate(true).unwrap_err().errors[0].code,
            "required"
        );
        assert!(no_key.validate(false).is_ok());
        let spaced = ConnectionInput {
            api_key: Some("ABC DEF".into()),
            ..input
        };
        assert_eq!(
            spaced.validate(true).unwrap_err().errors[0].code,
            "api_key_invalid"
        );
    }

    fn object(id: Id, group: PriceGroup, active: bool) -> Object {
        Object {
            id,
            name: format!("O{id}"),
            kind: ObjectKind::Shop,
            price_group: group,
            active,
        }
    }

    #[test]
    fn g1_price_group_all_retail_one_its_own_several_the_operations_objects() {
        let objects = [
            object(1, PriceGroup::Wholesale, true),
            object(2, PriceGroup::Group3, true),
        ];
        let mut s = ShopSettings::initial(Some(2));
        assert_eq!(s.price_group(&objects), PriceGroup::Retail);
        s.feed = FeedObjects::Objects(vec![1]);
        assert_eq!(s.price_group(&objects), PriceGroup::Wholesale);
        s.feed = FeedObjects::Objects(vec![1, 2]);
        assert_eq!(s.price_group(&objects), PriceGroup::Group3);
        assert_eq!(s.import_price_group(&objects), PriceGroup::Group3);
    }

    #[test]
    fn settings_need_feeding_and_operations_objects_that_are_active() {
        let objects = [
            object(1, PriceGroup::Retail, true),
            object(2, PriceGroup::Retail, false),
        ];
        let mut s = ShopSettings::initial(Some(1));
        assert!(s.check_objects(&objects).is_empty());
        s.feed = FeedObjects::Objects(vec![]);
        s.operations_object_id = Some(2);
        let codes: Vec<_> = s
            .check_objects(&objects)
            .errors
            .iter()
            .map(|e| e.code)
            .collect();
        assert_eq!(
            codes,
            ["feed_objects_required", "operations_object_required"]
        );
        s.feed = FeedObjects::Objects(vec![1, 99]);
        assert_eq!(
            s.check_objects(&objects).errors[0].code,
            "feed_objects_required"
        );
    }

    #[test]
    fn g2_sale_rule_and_shop_setting_disagreements() {
        use SaleRule::*;
        use ShopStockStatus::*;
        assert!(!PaidOrShipped.disagrees_with(Paid));
        assert!(PaidOrShipped.disagrees_with(Pending));
        assert!(!PendingOrShipped.disagrees_with(Pending));
        assert!(PendingOrShipped.disagrees_with(Paid));
        assert!(AlwaysSale.disagrees_with(Paid));
        assert!(!AlwaysSale.disagrees_with(Pending));
        for rule in SaleRule::ALL {
            assert_eq!(SaleRule::from_key(rule.key()), Some(rule));
        }
    }
}
