//! Form keys and translated labels of the domain's enums.

use sklad_domain::model::{GoodKind, ObjectKind, PartnerRole, PaymentMethod, Role};
use sklad_domain::operation::{OperationKind, OperationStatus};
use sklad_domain::{FieldError, PriceGroup, VatRate};

use super::i18n::{Lang, Tr};

/// The price group's label in `lang`.
pub fn price_group(lang: Lang, group: PriceGroup) -> String {
    match lang {
        Lang::Bg => group.label_bg(),
        Lang::En => group.label_en(),
    }
}

/// Options of a select of the ten selling price groups.
pub fn selling_groups(lang: Lang) -> Vec<(String, String)> {
    PriceGroup::selling()
        .map(|g| (g.key().to_owned(), price_group(lang, g)))
        .collect()
}

/// The operation kind's label in `lang`.
pub fn operation_kind(lang: Lang, kind: OperationKind) -> &'static str {
    match lang {
        Lang::Bg => kind.label_bg(),
        Lang::En => kind.label_en(),
    }
}

/// Form key of an object kind.
pub fn object_kind_key(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Shop => "shop",
        ObjectKind::Warehouse => "warehouse",
    }
}

/// Options of the object kind select.
pub fn object_kinds(tr: Tr) -> Vec<(String, String)> {
    vec![
        ("warehouse".into(), tr.t("object-kind-warehouse")),
        ("shop".into(), tr.t("object-kind-shop")),
    ]
}

/// Translated object kind.
pub fn object_kind(tr: Tr, kind: ObjectKind) -> String {
    tr.t(match kind {
        ObjectKind::Shop => "object-kind-shop",
        ObjectKind::Warehouse => "object-kind-warehouse",
    })
}

/// Form key of a good kind.
pub fn good_kind_key(kind: GoodKind) -> &'static str {
    match kind {
        GoodKind::Good => "good",
        GoodKind::Service => "service",
    }
}

/// Translated good kind.
pub fn good_kind(tr: Tr, kind: GoodKind) -> String {
    tr.t(match kind {
        GoodKind::Good => "goods-kind-good",
        GoodKind::Service => "goods-kind-service",
    })
}

/// Options of the good kind select.
pub fn good_kinds(tr: Tr) -> Vec<(String, String)> {
    vec![
        ("good".into(), tr.t("goods-kind-good")),
        ("service".into(), tr.t("goods-kind-service")),
    ]
}

/// Options of the VAT rate select: `20`, `9`, `0` %.
pub fn vat_rates() -> Vec<(String, String)> {
    VatRate::ALL
        .iter()
        .map(|r| (r.percent().to_string(), format!("{} %", r.percent())))
        .collect()
}

/// Form key of a partner role.
pub fn partner_role_key(role: PartnerRole) -> &'static str {
    match role {
        PartnerRole::Client => "client",
        PartnerRole::Supplier => "supplier",
        PartnerRole::Both => "both",
    }
}

/// Translated partner role.
pub fn partner_role(tr: Tr, role: PartnerRole) -> String {
    tr.t(match role {
        PartnerRole::Client => "partner-role-client",
        PartnerRole::Supplier => "partner-role-supplier",
        PartnerRole::Both => "partner-role-both",
    })
}

/// Options of the partner role select.
pub fn partner_roles(tr: Tr) -> Vec<(String, String)> {
    [
        PartnerRole::Client,
        PartnerRole::Supplier,
        PartnerRole::Both,
    ]
    .into_iter()
    .map(|r| (partner_role_key(r).to_owned(), partner_role(tr, r)))
    .collect()
}

/// All payment methods.
pub const PAYMENT_METHODS: [PaymentMethod; 5] = [
    PaymentMethod::Cash,
    PaymentMethod::BankTransfer,
    PaymentMethod::Card,
    PaymentMethod::Voucher,
    PaymentMethod::CashOnDelivery,
];

/// Form key of a payment method.
pub fn method_key(method: PaymentMethod) -> &'static str {
    match method {
        PaymentMethod::Cash => "cash",
        PaymentMethod::BankTransfer => "bank_transfer",
        PaymentMethod::Card => "card",
        PaymentMethod::Voucher => "voucher",
        PaymentMethod::CashOnDelivery => "cash_on_delivery",
    }
}

/// Translated payment method.
pub fn method(tr: Tr, method: PaymentMethod) -> String {
    tr.t(match method {
        PaymentMethod::Cash => "method-cash",
        PaymentMethod::BankTransfer => "method-bank-transfer",
        PaymentMethod::Card => "method-card",
        PaymentMethod::Voucher => "method-voucher",
        PaymentMethod::CashOnDelivery => "method-cash-on-delivery",
    })
}

/// Options of the payment method select.
pub fn methods(tr: Tr) -> Vec<(String, String)> {
    PAYMENT_METHODS
        .into_iter()
        .map(|m| (method_key(m).to_owned(), method(tr, m)))
        .collect()
}

/// Translated role.
pub fn role(tr: Tr, role: Role) -> String {
    tr.t(match role {
        Role::Owner => "role-owner",
        Role::Operator => "role-operator",
    })
}

/// Translated operation status.
pub fn status(tr: Tr, status: OperationStatus) -> String {
    tr.t(status_key(status))
}

/// Message id and form key of a status.
fn status_key(status: OperationStatus) -> &'static str {
    match status {
        OperationStatus::Active => "status-active",
        OperationStatus::Annulled => "status-annulled",
        OperationStatus::Converted => "status-converted",
    }
}

/// Form key of an operation status.
pub fn status_form_key(status: OperationStatus) -> &'static str {
    match status {
        OperationStatus::Active => "active",
        OperationStatus::Annulled => "annulled",
        OperationStatus::Converted => "converted",
    }
}

/// The status of a form key.
pub fn status_from_key(key: &str) -> Option<OperationStatus> {
    [
        OperationStatus::Active,
        OperationStatus::Annulled,
        OperationStatus::Converted,
    ]
    .into_iter()
    .find(|s| status_form_key(*s) == key)
}

/// A field error with the catalogue's Bulgarian and English text of message `key`
/// (with an optional argument).
pub fn field_error(
    field: &str,
    code: &'static str,
    key: &str,
    arg: Option<(&str, &str)>,
) -> FieldError {
    let text = |lang| {
        let tr = Tr::new(lang);
        match arg {
            Some((name, value)) => tr.t1(key, name, value),
            None => tr.t(key),
        }
    };
    FieldError::new(field, code, text(Lang::Bg), text(Lang::En))
}

/// A form value that is not one of the offered choices (a tampered select).
pub fn invalid_choice(field: &str) -> FieldError {
    field_error(field, "choice_invalid", "error-choice-invalid", None)
}

/// Yes / No.
pub fn yes_no(tr: Tr, value: bool) -> String {
    tr.t(if value { "yes" } else { "no" })
}
