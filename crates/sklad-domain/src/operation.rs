//! Operations: the documents that move (or reserve) stock, with their lines and totals.

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, ValidationErrors};
use crate::money::div_round_half_up;
use crate::quantity::MAX_QUANTITY_MILLI;
use crate::{Currency, Id, Quantity, VatRate};

/// The kind of an operation, in Microinvest's terms.
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
    /// Every kind.
    pub const ALL: [OperationKind; 7] = [
        OperationKind::Delivery,
        OperationKind::Sale,
        OperationKind::Order,
        OperationKind::Transfer,
        OperationKind::StockTaking,
        OperationKind::WriteOff,
        OperationKind::CustomerReturn,
    ];

    /// Stable storage and API key, e.g. `stock_taking`.
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

    /// The kind with this key.
    pub fn from_key(key: &str) -> Option<Self> {
        OperationKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// Bulgarian name, as in Microinvest.
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

    /// English name.
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

/// Where an operation stands.
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
    /// The good or service.
    pub good_id: Id,
    /// For a stock-taking, the counted quantity.
    pub quantity: Quantity,
    /// Unit price, VAT included, minor units of the operation's currency.
    pub unit_price: i64,
    /// VAT rate of the line (normally the good's).
    pub vat_rate: VatRate,
    /// Discount in hundredths of a percent (1250 = 12.5 %), 0..=10000.
    pub discount_bp: i64,
}

impl Line {
    /// The line's VAT-inclusive total after discount, half up to the cent.
    /// Saturates at the ends of `i64`; [`OperationDraft::validate`] refuses lines whose
    /// total exceeds [`MAX_LINE_TOTAL_MINOR`].
    pub fn total(&self) -> i64 {
        let sign = self.quantity.milli().signum()
            * self.unit_price.signum()
            * (10_000 - i128::from(self.discount_bp)).signum() as i64;
        match self.exact_total() {
            Some(total) => {
                i64::try_from(total).unwrap_or(if total < 0 { i64::MIN } else { i64::MAX })
            }
            None if sign < 0 => i64::MIN,
            None => i64::MAX,
        }
    }

    /// The total in `i128`, or `None` when even that overflows (absurd input).
    fn exact_total(&self) -> Option<i128> {
        let gross = i128::from(self.quantity.milli()).checked_mul(i128::from(self.unit_price))?;
        let after_discount = gross.checked_mul(10_000 - i128::from(self.discount_bp))?;
        Some(div_round_half_up(after_discount, 1000 * 10_000))
    }
}

/// A reference to the same operation in another system, e.g. the CloudCart order id.
/// Unique per (firm, source).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExternalRef {
    /// The other system, e.g. `cloudcart`.
    pub source: String,
    /// The record's id there.
    pub id: String,
}

/// The most lines one operation may have.
pub const MAX_LINES: usize = 10_000;

/// The longest external reference source or id, in characters.
pub const MAX_EXTERNAL_REF_CHARS: usize = 100;

/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 2_000;

/// The largest line total accepted: ten billion (leva or euro), far beyond any
/// document, small enough that the totals of thousands of lines fit `i64`.
pub const MAX_LINE_TOTAL_MINOR: i128 = 1_000_000_000_000;

/// An operation's totals, in minor units of its currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// VAT included.
    pub gross: i64,
    /// The VAT contained in `gross`.
    pub vat: i64,
    /// `gross − vat`.
    pub net: i64,
}

impl Totals {
    /// Sums line totals; VAT is computed per line and added up. Saturates at the
    /// ends of `i64` (validated drafts never come near them).
    pub fn of(lines: &[Line]) -> Totals {
        let mut totals = Totals::default();
        for line in lines {
            let gross = line.total();
            let vat = line.vat_rate.vat_of_gross(gross);
            totals.gross = totals.gross.saturating_add(gross);
            totals.vat = totals.vat.saturating_add(vat);
        }
        totals.net = totals.gross.saturating_sub(totals.vat);
        totals
    }
}

/// What is stored and shown of an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    /// Storage id.
    pub id: Id,
    /// What the operation does.
    pub kind: OperationKind,
    /// Running number per firm and kind.
    pub number: i64,
    /// The document's date.
    pub date: jiff::civil::Date,
    /// The object whose stock it changes (the source of a transfer).
    pub object_id: Id,
    /// Destination object of a transfer.
    pub target_object_id: Option<Id>,
    /// Client or supplier.
    pub partner_id: Option<Id>,
    /// How it is paid.
    pub payment_type_id: Option<Id>,
    /// Currency of every amount of the operation.
    pub currency: Currency,
    /// The lines, in order.
    pub lines: Vec<Line>,
    /// Totals of the lines.
    pub totals: Totals,
    /// The same operation in another system (e.g. the shop order).
    pub external_ref: Option<ExternalRef>,
    /// Free text.
    pub note: Option<String>,
    /// Active, annulled or converted.
    pub status: OperationStatus,
    /// For an order converted into a sale: the sale's id.
    pub converted_to: Option<Id>,
}

/// Input for creating or editing an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationDraft {
    /// See [`Operation::kind`].
    pub kind: OperationKind,
    /// See [`Operation::date`].
    pub date: jiff::civil::Date,
    /// See [`Operation::object_id`].
    pub object_id: Id,
    /// See [`Operation::target_object_id`].
    pub target_object_id: Option<Id>,
    /// See [`Operation::partner_id`].
    pub partner_id: Option<Id>,
    /// See [`Operation::payment_type_id`].
    pub payment_type_id: Option<Id>,
    /// See [`Operation::currency`].
    pub currency: Currency,
    /// See [`Operation::lines`].
    pub lines: Vec<Line>,
    /// See [`Operation::external_ref`].
    pub external_ref: Option<ExternalRef>,
    /// See [`Operation::note`].
    pub note: Option<String>,
}

impl OperationDraft {
    /// Checks what can be checked without the database: lines present (at most
    /// [`MAX_LINES`]), quantities, prices, discounts, the transfer's target object,
    /// the external reference and the note's length.
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
        if self.lines.len() > MAX_LINES {
            errors.push(FieldError::new(
                "lines",
                "lines_too_many",
                format!("Операцията може да има най-много {MAX_LINES} реда."),
                format!("An operation may have at most {MAX_LINES} lines."),
            ));
        }
        if let Some(reference) = &self.external_ref {
            for (field, value) in [("source", &reference.source), ("id", &reference.id)] {
                let length = value.trim().chars().count();
                if length == 0 || length > MAX_EXTERNAL_REF_CHARS || value.trim() != value {
                    errors.push(
                        FieldError::new(
                            field,
                            "external_ref_invalid",
                            format!(
                                "Външната връзка трябва да е от 1 до {MAX_EXTERNAL_REF_CHARS} знака, без интервали в началото и края."
                            ),
                            format!(
                                "The external reference must have 1 to {MAX_EXTERNAL_REF_CHARS} characters, without leading or trailing spaces."
                            ),
                        )
                        .within("external_ref"),
                    );
                }
            }
        }
        if self
            .note
            .as_ref()
            .is_some_and(|note| note.chars().count() > MAX_NOTE_CHARS)
        {
            errors.push(FieldError::new(
                "note",
                "note_too_long",
                format!("Бележката може да има най-много {MAX_NOTE_CHARS} знака."),
                format!("The note may have at most {MAX_NOTE_CHARS} characters."),
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
            if line.quantity.milli().abs() > MAX_QUANTITY_MILLI {
                errors.push(
                    FieldError::new(
                        "quantity",
                        "quantity_too_large",
                        "Количеството надхвърля един милиард.",
                        "The quantity exceeds one billion.",
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
            if (0..=10_000).contains(&line.discount_bp)
                && line
                    .exact_total()
                    .is_none_or(|total| total.abs() > MAX_LINE_TOTAL_MINOR)
            {
                errors.push(
                    FieldError::new(
                        "unit_price",
                        "line_total_too_large",
                        "Стойността на реда надхвърля 10 милиарда.",
                        "The line's value exceeds ten billion.",
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

    /// Refuses a negative unit price on a line of a stocked good (`price_negative`). A
    /// service line may be negative: that is how a commercial discount on the whole
    /// document is written (SPEC G8, „Търговска отстъпка“). Needs to know which goods are
    /// stocked, so storage calls it beside [`OperationDraft::validate`].
    pub fn check_prices(&self, is_stocked: impl Fn(Id) -> bool) -> ValidationErrors {
        let mut errors = ValidationErrors::new();
        for (i, line) in self.lines.iter().enumerate() {
            if line.unit_price < 0 && is_stocked(line.good_id) {
                errors.push(
                    FieldError::new(
                        "unit_price",
                        "price_negative",
                        "Цената на стока не може да е отрицателна (отрицателна може да е само \
                         услуга, напр. търговска отстъпка).",
                        "A good's price cannot be negative (only a service, e.g. a commercial \
                         discount, may be).",
                    )
                    .within(&format!("lines[{i}]")),
                );
            }
        }
        errors
    }

    /// Totals of the draft's lines.
    pub fn totals(&self) -> Totals {
        Totals::of(&self.lines)
    }

    /// The operation this draft is once stored with this id, number and status (not
    /// converted).
    pub fn stored_as(&self, id: Id, number: i64, status: OperationStatus) -> Operation {
        Operation {
            id,
            kind: self.kind,
            number,
            date: self.date,
            object_id: self.object_id,
            target_object_id: self.target_object_id,
            partner_id: self.partner_id,
            payment_type_id: self.payment_type_id,
            currency: self.currency,
            lines: self.lines.clone(),
            totals: self.totals(),
            external_ref: self.external_ref.clone(),
            note: self.note.clone(),
            status,
            converted_to: None,
        }
    }
}

impl Operation {
    /// The draft that describes this operation as it stands: the starting point of an
    /// edit.
    pub fn to_draft(&self) -> OperationDraft {
        OperationDraft {
            kind: self.kind,
            date: self.date,
            object_id: self.object_id,
            target_object_id: self.target_object_id,
            partner_id: self.partner_id,
            payment_type_id: self.payment_type_id,
            currency: self.currency,
            lines: self.lines.clone(),
            external_ref: self.external_ref.clone(),
            note: self.note.clone(),
        }
    }

    /// Refuses to edit or annul an operation that is no longer in force
    /// (`operation_annulled`, `order_converted`). Only active operations change.
    pub fn ensure_active(&self) -> Result<(), FieldError> {
        match self.status {
            OperationStatus::Active => Ok(()),
            OperationStatus::Annulled => Err(FieldError::new(
                "status",
                "operation_annulled",
                "Операцията е анулирана и не може да се променя.",
                "The operation is annulled and cannot be changed.",
            )),
            OperationStatus::Converted => Err(FieldError::new(
                "status",
                "order_converted",
                "Поръчката вече е превърната в продажба и не може да се променя.",
                "The order has already been converted into a sale and cannot be changed.",
            )),
        }
    }

    /// Refuses an edit that changes the operation's kind (`kind_changed`): the number
    /// belongs to the kind, and an order becomes a sale only by conversion.
    pub fn ensure_same_kind(&self, draft: &OperationDraft) -> Result<(), FieldError> {
        if draft.kind == self.kind {
            Ok(())
        } else {
            Err(FieldError::new(
                "kind",
                "kind_changed",
                format!(
                    "Видът на операцията не може да се променя ({} → {}).",
                    self.kind.label_bg(),
                    draft.kind.label_bg()
                ),
                format!(
                    "An operation's kind cannot change ({} → {}).",
                    self.kind.label_en(),
                    draft.kind.label_en()
                ),
            ))
        }
    }
}

/// The sale an order converts into (SPEC G2): same object, partner, payment type,
/// currency, lines and note, dated `date` or the order's date.
///
/// The sale carries no external reference: that stays on the order (unique per firm
/// and source), whose `converted_to` leads to the sale, so the shop order id finds
/// the order and through it the sale.
///
/// Only an active order converts: any other kind is `not_an_order`, an annulled or
/// already converted order is `operation_annulled` / `order_converted`.
/// Storage then, in one transaction, releases the order's reservation (the exact
/// reversal of its recorded movements), applies the sale's movements and marks the
/// order converted (see [`crate::stock::conversion_movements`]).
/// Annulling that sale later returns its stock; the order stays converted and is not
/// reopened.
pub fn sale_draft_from_order(
    order: &Operation,
    date: Option<jiff::civil::Date>,
) -> Result<OperationDraft, FieldError> {
    if order.kind != OperationKind::Order {
        return Err(FieldError::new(
            "kind",
            "not_an_order",
            format!(
                "Само поръчка може да се превърне в продажба, а това е „{}“.",
                order.kind.label_bg()
            ),
            format!(
                "Only an order can be converted into a sale, but this is a {}.",
                order.kind.label_en().to_lowercase()
            ),
        ));
    }
    order.ensure_active()?;
    Ok(OperationDraft {
        kind: OperationKind::Sale,
        date: date.unwrap_or(order.date),
        external_ref: None,
        ..order.to_draft()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(good_id: Id, units: i64, unit_price: i64) -> Line {
        Line {
            good_id,
            quantity: Quantity::from_units(units),
            unit_price,
            vat_rate: VatRate::Standard,
            discount_bp: 0,
        }
    }

    fn draft(kind: OperationKind) -> OperationDraft {
        OperationDraft {
            kind,
            date: jiff::civil::date(2026, 11, 28),
            object_id: 1,
            target_object_id: None,
            partner_id: Some(7),
            payment_type_id: Some(2),
            currency: Currency::Eur,
            lines: vec![line(10, 2, 1250)],
            external_ref: Some(ExternalRef {
                source: "cloudcart".into(),
                id: "1001".into(),
            }),
            note: Some("web".into()),
        }
    }

    fn stored(draft: &OperationDraft, status: OperationStatus) -> Operation {
        draft.stored_as(5, 12, status)
    }

    fn codes(draft: &OperationDraft) -> Vec<(String, &'static str)> {
        draft
            .validate()
            .err()
            .map(|e| e.errors.into_iter().map(|e| (e.field, e.code)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn totals_split_vat_per_line() {
        let mut d = draft(OperationKind::Sale);
        d.lines.push(Line {
            discount_bp: 1000,
            vat_rate: VatRate::Reduced,
            ..line(11, 1, 1090)
        });
        // 2 × 12.50 = 25.00 (VAT 4.17); 10.90 − 10 % = 9.81 (VAT 0.81).
        assert_eq!(
            d.totals(),
            Totals {
                gross: 3481,
                vat: 498,
                net: 2983
            }
        );
    }

    #[test]
    fn validation_names_every_problem() {
        assert!(codes(&draft(OperationKind::Sale)).is_empty());
        let mut d = draft(OperationKind::Sale);
        d.lines = vec![
            line(10, 0, 100),
            Line {
                discount_bp: 10_001,
                ..line(10, 1, -1)
            },
            line(10, 1_000_000, 100_000_000),
        ];
        assert_eq!(
            codes(&d),
            [
                ("lines[0].quantity".to_owned(), "quantity_not_positive"),
                ("lines[1].discount".to_owned(), "discount_out_of_range"),
                ("lines[2].unit_price".to_owned(), "line_total_too_large"),
            ]
        );
        // A negative price is refused for a stocked good only (a discount is a service).
        let priced = |stocked: bool| -> Vec<(String, &'static str)> {
            d.check_prices(|_| stocked)
                .errors
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect()
        };
        assert_eq!(
            priced(true),
            [("lines[1].unit_price".to_owned(), "price_negative")]
        );
        assert!(priced(false).is_empty());
        d.lines.clear();
        assert_eq!(codes(&d), [("lines".to_owned(), "lines_empty")]);
        d.lines = vec![line(10, 1, 100); MAX_LINES + 1];
        assert_eq!(codes(&d), [("lines".to_owned(), "lines_too_many")]);
        let mut d = draft(OperationKind::Sale);
        d.lines = vec![Line {
            quantity: Quantity(MAX_QUANTITY_MILLI + 1),
            ..line(10, 1, 0)
        }];
        d.external_ref = Some(ExternalRef {
            source: "cloudcart".into(),
            id: " 1001".into(),
        });
        d.note = Some("я".repeat(MAX_NOTE_CHARS + 1));
        assert_eq!(
            codes(&d),
            [
                ("external_ref.id".to_owned(), "external_ref_invalid"),
                ("note".to_owned(), "note_too_long"),
                ("lines[0].quantity".to_owned(), "quantity_too_large"),
            ]
        );
        d.external_ref = Some(ExternalRef {
            source: String::new(),
            id: "1".repeat(MAX_EXTERNAL_REF_CHARS),
        });
        d.note = Some("я".repeat(MAX_NOTE_CHARS));
        d.lines = vec![line(10, 1, 0)];
        assert_eq!(
            codes(&d),
            [("external_ref.source".to_owned(), "external_ref_invalid")]
        );
    }

    #[test]
    fn transfer_and_stock_taking_rules() {
        let mut t = draft(OperationKind::Transfer);
        assert_eq!(codes(&t)[0].1, "target_object_required");
        t.target_object_id = Some(1);
        assert_eq!(codes(&t)[0].1, "target_object_same");
        t.target_object_id = Some(2);
        assert!(codes(&t).is_empty());
        let mut s = draft(OperationKind::Sale);
        s.target_object_id = Some(2);
        assert_eq!(codes(&s)[0].1, "target_object_unexpected");
        let mut st = draft(OperationKind::StockTaking);
        st.lines = vec![line(10, 0, 0), line(10, 1, 0), line(11, -1, 0)];
        assert_eq!(
            codes(&st),
            [
                ("lines[2].quantity".to_owned(), "quantity_negative"),
                ("lines[1].good_id".to_owned(), "good_repeated"),
            ]
        );
    }

    #[test]
    fn an_active_order_converts_into_a_sale() {
        let order = stored(&draft(OperationKind::Order), OperationStatus::Active);
        let sale = sale_draft_from_order(&order, None).unwrap();
        assert_eq!(
            sale,
            OperationDraft {
                kind: OperationKind::Sale,
                external_ref: None,
                ..order.to_draft()
            }
        );
        let later = jiff::civil::date(2026, 12, 1);
        assert_eq!(
            sale_draft_from_order(&order, Some(later)).unwrap().date,
            later
        );
        assert!(sale.validate().is_ok());
    }

    #[test]
    fn only_an_active_order_converts() {
        let sale = stored(&draft(OperationKind::Sale), OperationStatus::Active);
        assert_eq!(
            sale_draft_from_order(&sale, None).unwrap_err().code,
            "not_an_order"
        );
        let annulled = stored(&draft(OperationKind::Order), OperationStatus::Annulled);
        assert_eq!(
            sale_draft_from_order(&annulled, None).unwrap_err().code,
            "operation_annulled"
        );
        let converted = stored(&draft(OperationKind::Order), OperationStatus::Converted);
        assert_eq!(
            sale_draft_from_order(&converted, None).unwrap_err().code,
            "order_converted"
        );
    }

    #[test]
    fn an_edit_keeps_the_kind() {
        let order = stored(&draft(OperationKind::Order), OperationStatus::Active);
        assert!(order.ensure_same_kind(&order.to_draft()).is_ok());
        let err = order
            .ensure_same_kind(&draft(OperationKind::Sale))
            .unwrap_err();
        assert_eq!(err.code, "kind_changed");
        assert!(
            err.message_bg.contains("Поръчка → Продажба"),
            "{}",
            err.message_bg
        );
    }
}
