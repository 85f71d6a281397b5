//! The records a firm keeps: firm, users, objects, goods, partners, payment types.
//! Operations and stock live in [`crate::operation`] and [`crate::stock`].

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::{Currency, Id, PriceGroup, VatRate};

/// A firm (tenant): everything else belongs to exactly one firm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Firm {
    pub id: Id,
    pub name: String,
    /// ЕИК / Булстат, 9 or 13 digits, validated.
    pub eik: Option<String>,
    pub currency: Currency,
    pub vat_registered: bool,
    /// Users the subscription allows (SPEC P1: the shop connection needs 2).
    pub seats: i64,
    /// Whether a sale may take on-hand stock below zero.
    pub allow_negative_stock: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Собственик: everything, including users, backups and restore.
    Owner,
    /// Оператор: daily work; no user administration, no restore.
    Operator,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: Id,
    pub login: String,
    pub display_name: String,
    /// `bg` or `en`.
    pub language: String,
}

/// A user's membership in one firm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub firm_id: Id,
    pub firm_name: String,
    pub role: Role,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Shop,
    Warehouse,
}

/// Обект: a shop or warehouse that holds stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Object {
    pub id: Id,
    pub name: String,
    pub kind: ObjectKind,
    /// The selling price group this object sells at (never `Purchase`).
    pub price_group: PriceGroup,
    pub active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoodKind {
    /// Stocked good.
    Good,
    /// Service: never held in stock (delivery, discount, fee …).
    Service,
}

/// Стока: identified by its main code and any number of barcodes, all unique in the firm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Good {
    pub id: Id,
    pub code: String,
    pub barcodes: Vec<String>,
    pub name: String,
    /// Мярка, e.g. "бр.", "кг".
    pub measure: String,
    pub kind: GoodKind,
    pub vat_rate: VatRate,
    /// Група, free text.
    pub group: Option<String>,
    pub active: bool,
    /// Price per price group, VAT included, in minor units of the firm's currency.
    /// A missing group has no price.
    pub prices: BTreeMap<PriceGroup, i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerRole {
    Client,
    Supplier,
    Both,
}

/// Партньор.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    pub id: Id,
    pub name: String,
    /// ЕИК / Булстат (or ЕГН for a person), validated; unique in the firm when present.
    pub eik: Option<String>,
    /// ДДС номер, `BG` + 9 or 10 digits.
    pub vat_number: Option<String>,
    /// МОЛ: the person legally responsible.
    pub mol: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub role: PartnerRole,
    pub price_group: PriceGroup,
}

/// The four ways money moves in Microinvest, plus cash on delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    BankTransfer,
    Card,
    Voucher,
    CashOnDelivery,
}

/// Тип плащане: a named payment type of the firm (SPEC S2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentType {
    pub id: Id,
    pub name: String,
    pub method: PaymentMethod,
    pub active: bool,
}

/// The payment types every new firm starts with.
pub fn default_payment_types() -> Vec<(&'static str, PaymentMethod)> {
    vec![
        ("В брой", PaymentMethod::Cash),
        ("По банка", PaymentMethod::BankTransfer),
        ("С карта", PaymentMethod::Card),
        ("Ваучер", PaymentMethod::Voucher),
        ("Наложен платеж", PaymentMethod::CashOnDelivery),
    ]
}
