//! Operations: the documents that move (or reserve) stock, with their lines and totals.

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, ValidationErrors};
use crate::money::div_round_half_up;
use crate::{Currency, Id, Quantity, VatRate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationKind {
    /// Доставка: stock in from a supplier.
    Delivery,
    /// Продажба: stock out to a client.
    Sale,
    /// Поръчка: a client's order; reserves stock, moves none.
    Order,
    /// Трансфер: stock from one object to another.
    Transfer,
    /// Ревизия: sets on-hand stock to the counted quantity.
    StockTaking,
    /// Изписване: stock out without a sale (waste, own use).
    WriteOff,
    /// Връщане от клиент: stock back in from a client.
    CustomerReturn,
}

impl OperationKind {
    pub const ALL: [OperationKind; 7] = [
        OperationKind::Delivery,
        OperationKind::Sale,
        OperationKind::Order,
        OperationKind::Transfer,
        OperationKind::StockTaking,
        OperationKind::WriteOff,
        OperationKind::CustomerReturn,
    ];

    pub fn key(self) -> &'static str {
        match self {
            OperationKind::Delivery => "delivery",
            OperationKind::Sale => "sale",
            OperationKind::Order => "order",
            OperationKind::Transfer => "transfer",
            OperationKind::StockTaking => "stock_taking",
            OperationKind::WriteOff => "write_off",
            OperationKind::CustomerReturn => "customer_return",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        OperationKind::ALL.into_iter().find(|k| k.key() == key)
    }

    pub fn label_bg(self) -> &'static str {
        match self {
            OperationKind::Delivery => "Доставка",
            OperationKind::Sale => "Продажба",
            OperationKind::Order => "Поръчка",
            OperationKind::Transfer => "Трансфер",
            OperationKind::StockTaking => "Ревизия",
            OperationKind::WriteOff => "Изписване",
            OperationKind::CustomerReturn => "Връщане от клиент",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            OperationKind::Delivery => "Delivery",
            OperationKind::Sale => "Sale",
            OperationKind::Order => "Order",
            OperationKind::Transfer => "Transfer",
            OperationKind::StockTaking => "Stock-taking",
            OperationKind::WriteOff => "Write-off",
            OperationKind::CustomerReturn => "Customer return",
        }
    }

    /// Whether the operation's lines must have a positive quantity (all but
    /// stock-taking, whose lines carry the counted quantity, which may be 0).
    pub fn requires_positive_quantity(self) -> bool {
        self != OperationKind::StockTaking
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationStatus {
    /// In force: its stock effect is applied.
    Active,
    /// Анулирана: its stock effect has been reversed exactly.
    Annulled,
    /// An order that became a sale: its reservation has been released.
    Converted,
}

/// One line of an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub good_id: Id,
    /// For a stock-taking, the counted quantity.
    pub quantity: Quantity,
    /// Unit price, VAT included, minor units of the operation's currency.
    pub unit_price: i64,
    pub vat_rate: VatRate,
    /// Discount in hundredths of a percent (1250 = 12.5 %), 0..=10000.
    pub discount_bp: i64,
}

impl Line {
    /// The line's VAT-inclusive total after discount, half up to the cent.
    pub fn total(&self) -> i64 {
        let gross = self.quantity.milli() as i128 * self.unit_price as i128;
        let after_discount = gross * (10_000 - self.discount_bp as i128);
        div_round_half_up(after_discount, 1000 * 10_000) as i64
    }
}

/// A reference to the same operation in another system, e.g. the CloudCart order id.
/// Unique per (firm, source).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExternalRef {
    pub source: String,
    pub id: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// VAT included.
    pub gross: i64,
    pub vat: i64,
    /// `gross − vat`.
    pub net: i64,
}

impl Totals {
    /// Sums line totals; VAT is computed per line and added up.
    pub fn of(lines: &[Line]) -> Totals {
        let mut totals = Totals::default();
        for line in lines {
            let gross = line.total();
            let vat = line.vat_rate.vat_of_gross(gross);
            totals.gross += gross;
            totals.vat += vat;
        }
        totals.net = totals.gross - totals.vat;
        totals
    }
}

/// What is stored and shown of an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    pub id: Id,
    pub kind: OperationKind,
    /// Running number per firm and kind.
    pub number: i64,
    pub date: jiff::civil::Date,
    pub object_id: Id,
    /// Destination object of a transfer.
    pub target_object_id: Option<Id>,
    pub partner_id: Option<Id>,
    pub payment_type_id: Option<Id>,
    pub currency: Currency,
    pub lines: Vec<Line>,
    pub totals: Totals,
    pub external_ref: Option<ExternalRef>,
    pub note: Option<String>,
    pub status: OperationStatus,
    /// For an order converted into a sale: the sale's id.
    pub converted_to: Option<Id>,
}

/// Input for creating or editing an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationDraft {
    pub kind: OperationKind,
    pub date: jiff::civil::Date,
    pub object_id: Id,
    pub target_object_id: Option<Id>,
    pub partner_id: Option<Id>,
    pub payment_type_id: Option<Id>,
    pub currency: Currency,
    pub lines: Vec<Line>,
    pub external_ref: Option<ExternalRef>,
    pub note: Option<String>,
}

impl OperationDraft {
    /// Checks what can be checked without the database: lines present, quantities,
    /// prices, discounts, and the transfer's target object.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if self.lines.is_empty() {
            errors.push(FieldError::new(
                "lines",
                "lines_empty",
                "Операцията трябва да има поне един ред.",
                "The operation needs at least one line.",
            ));
        }
        for (i, line) in self.lines.iter().enumerate() {
            let at = format!("lines[{i}]");
            if self.kind.requires_positive_quantity() && line.quantity.milli() <= 0 {
                errors.push(
                    FieldError::new(
                        "quantity",
                        "quantity_not_positive",
                        "Количеството трябва да е по-голямо от 0.",
                        "The quantity must be greater than 0.",
                    )
                    .within(&at),
                );
            }
            if self.kind == OperationKind::StockTaking && line.quantity.milli() < 0 {
                errors.push(
                    FieldError::new(
                        "quantity",
                        "quantity_negative",
                        "Преброеното количество не може да е отрицателно.",
                        "The counted quantity cannot be negative.",
                    )
                    .within(&at),
                );
            }
            if line.unit_price < 0 {
                errors.push(
                    FieldError::new(
                        "unit_price",
                        "price_negative",
                        "Цената не може да е отрицателна.",
                        "The price cannot be negative.",
                    )
                    .within(&at),
                );
            }
            if !(0..=10_000).contains(&line.discount_bp) {
                errors.push(
                    FieldError::new(
                        "discount",
                        "discount_out_of_range",
                        "Отстъпката трябва да е между 0 и 100 %.",
                        "The discount must be between 0 and 100 %.",
                    )
                    .within(&at),
                );
            }
        }
        match (self.kind, self.target_object_id) {
            (OperationKind::Transfer, None) => errors.push(FieldError::new(
                "target_object_id",
                "target_object_required",
                "Изберете обект, към който се прехвърля.",
                "Choose the object to transfer to.",
            )),
            (OperationKind::Transfer, Some(target)) if target == self.object_id => {
                errors.push(FieldError::new(
                    "target_object_id",
                    "target_object_same",
                    "Трансферът трябва да е към друг обект.",
                    "A transfer must go to a different object.",
                ))
            }
            (kind, Some(_)) if kind != OperationKind::Transfer => errors.push(FieldError::new(
                "target_object_id",
                "target_object_unexpected",
                "Само трансферът има обект-получател.",
                "Only a transfer has a destination object.",
            )),
            _ => {}
        }
        if self.kind == OperationKind::StockTaking {
            let mut seen = std::collections::BTreeSet::new();
            for (i, line) in self.lines.iter().enumerate() {
                if !seen.insert(line.good_id) {
                    errors.push(
                        FieldError::new(
                            "good_id",
                            "good_repeated",
                            "Стоката се среща повече от веднъж в ревизията.",
                            "The good appears more than once in the stock-taking.",
                        )
                        .within(&format!("lines[{i}]")),
                    );
                }
            }
        }
        errors.into_result(())
    }

    pub fn totals(&self) -> Totals {
        Totals::of(&self.lines)
    }
}
