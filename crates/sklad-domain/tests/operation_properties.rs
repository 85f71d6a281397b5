//! Property tests of operation drafts: validation never panics on any numbers an API
//! client can send, totals always add up, and the JSON form round-trips.

use proptest::prelude::*;
use sklad_domain::operation::{
    sale_draft_from_order, ExternalRef, Line, Operation, OperationDraft, OperationKind,
    OperationStatus, Totals, MAX_LINE_TOTAL_MINOR,
};
use sklad_domain::quantity::MAX_QUANTITY_MILLI;
use sklad_domain::stock::movements_of;
use sklad_domain::{Currency, Quantity, VatRate};

fn kind() -> impl Strategy<Value = OperationKind> {
    prop::sample::select(OperationKind::ALL.to_vec())
}

fn vat() -> impl Strategy<Value = VatRate> {
    prop::sample::select(VatRate::ALL.to_vec())
}

/// Any numbers at all, extremes included.
fn wild_line() -> impl Strategy<Value = Line> {
    (
        any::<i64>(),
        any::<i64>(),
        any::<i64>(),
        any::<i64>(),
        vat(),
    )
        .prop_map(
            |(good_id, quantity, unit_price, discount_bp, vat_rate)| Line {
                good_id,
                quantity: Quantity(quantity),
                unit_price,
                vat_rate,
                discount_bp,
            },
        )
}

/// Numbers a real document has.
fn sane_line() -> impl Strategy<Value = Line> {
    (
        1i64..50,
        1i64..100_000,
        0i64..10_000_000,
        0i64..=10_000,
        vat(),
    )
        .prop_map(
            |(good_id, quantity, unit_price, discount_bp, vat_rate)| Line {
                good_id,
                quantity: Quantity(quantity),
                unit_price,
                vat_rate,
                discount_bp,
            },
        )
}

fn draft(lines: impl Strategy<Value = Vec<Line>>) -> impl Strategy<Value = OperationDraft> {
    (
        kind(),
        1i64..4,
        prop::option::of(1i64..4),
        lines,
        prop::option::of(("[a-z]{1,10}", "[0-9]{1,12}")),
        prop::option::of(".{0,30}"),
        prop::bool::ANY,
    )
        .prop_map(
            |(kind, object_id, target_object_id, lines, external, note, eur)| OperationDraft {
                kind,
                date: jiff::civil::date(2026, 11, 28),
                object_id,
                target_object_id,
                partner_id: Some(1),
                payment_type_id: None,
                currency: if eur { Currency::Eur } else { Currency::Bgn },
                lines,
                external_ref: external.map(|(source, id)| ExternalRef { source, id }),
                note,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn validation_never_panics_and_what_passes_is_bounded(
        d in draft(prop::collection::vec(wild_line(), 0..4))
    ) {
        let totals = d.totals();
        prop_assert_eq!(totals.net, totals.gross.saturating_sub(totals.vat));
        if d.validate().is_ok() {
            for line in &d.lines {
                prop_assert!(line.quantity.milli().abs() <= MAX_QUANTITY_MILLI);
                prop_assert!(i128::from(line.total()).abs() <= MAX_LINE_TOTAL_MINOR);
            }
            let _ = movements_of(
                d.kind,
                d.object_id,
                d.target_object_id,
                &d.lines,
                |_| true,
                |_, _| Quantity::ZERO,
            );
        }
    }

    #[test]
    fn totals_add_up_line_by_line(d in draft(prop::collection::vec(sane_line(), 1..6))) {
        let totals = d.totals();
        let gross: i64 = d.lines.iter().map(Line::total).sum();
        let vat: i64 = d.lines.iter().map(|l| l.vat_rate.vat_of_gross(l.total())).sum();
        prop_assert_eq!(totals, Totals { gross, vat, net: gross - vat });
        for line in &d.lines {
            // A discount never raises a line, and 100 % makes it free.
            let full = Line { discount_bp: 0, ..line.clone() };
            prop_assert!(line.total() <= full.total());
            prop_assert_eq!(Line { discount_bp: 10_000, ..line.clone() }.total(), 0);
        }
    }

    #[test]
    fn drafts_round_trip_through_json(d in draft(prop::collection::vec(wild_line(), 0..4))) {
        let json = serde_json::to_string(&d).unwrap();
        let back: OperationDraft = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, d);
    }

    #[test]
    fn an_order_converts_into_a_sale_with_the_same_lines(
        d in draft(prop::collection::vec(sane_line(), 1..6))
    ) {
        let order = Operation {
            id: 1,
            kind: OperationKind::Order,
            number: 1,
            date: d.date,
            object_id: d.object_id,
            target_object_id: None,
            partner_id: d.partner_id,
            payment_type_id: d.payment_type_id,
            currency: d.currency,
            totals: d.totals(),
            lines: d.lines.clone(),
            external_ref: d.external_ref.clone(),
            note: d.note.clone(),
            status: OperationStatus::Active,
            converted_to: None,
        };
        let sale = sale_draft_from_order(&order, None).unwrap();
        prop_assert_eq!(sale.kind, OperationKind::Sale);
        prop_assert_eq!(&sale.lines, &order.lines);
        prop_assert_eq!(sale.totals(), order.totals);
        prop_assert_eq!(sale.object_id, order.object_id);
        prop_assert_eq!(sale.target_object_id, None);
        prop_assert_eq!(sale.external_ref, None);
        prop_assert_eq!(sale.partner_id, order.partner_id);
    }
}

/// The JSON form other crates and API clients rely on.
#[test]
fn json_form_of_a_draft() {
    let draft = OperationDraft {
        kind: OperationKind::StockTaking,
        date: jiff::civil::date(2026, 11, 28),
        object_id: 1,
        target_object_id: None,
        partner_id: None,
        payment_type_id: None,
        currency: Currency::Bgn,
        lines: vec![Line {
            good_id: 7,
            quantity: Quantity(1500),
            unit_price: 1250,
            vat_rate: VatRate::Reduced,
            discount_bp: 0,
        }],
        external_ref: None,
        note: None,
    };
    assert_eq!(
        serde_json::to_value(&draft).unwrap(),
        serde_json::json!({
            "kind": "stock_taking",
            "date": "2026-11-28",
            "object_id": 1,
            "target_object_id": null,
            "partner_id": null,
            "payment_type_id": null,
            "currency": "BGN",
            "lines": [{
                "good_id": 7,
                "quantity": 1500,
                "unit_price": 1250,
                "vat_rate": "9",
                "discount_bp": 0
            }],
            "external_ref": null,
            "note": null
        })
    );
}
