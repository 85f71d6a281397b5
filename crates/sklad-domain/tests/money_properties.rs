//! Property tests of money, quantities, VAT, dates and the euro changeover.

use proptest::prelude::*;
use sklad_domain::changeover::{convert_price_list, ChangeoverSummary};
use sklad_domain::date::{format_date_bg, parse_date};
use sklad_domain::money::{
    convert_minor, format_bg, format_minor_bg, format_minor_plain, parse_minor,
};
use sklad_domain::quantity::MAX_QUANTITY_MILLI;
use sklad_domain::{Currency, Money, Quantity, VatRate};

/// Prices up to ten million leva: far beyond any price list.
const PRICE: std::ops::RangeInclusive<i64> = -1_000_000_000..=1_000_000_000;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn bgn_to_eur_and_back_stays_within_one_stotinka(bgn in PRICE) {
        let eur = convert_minor(bgn, Currency::Bgn, Currency::Eur);
        let back = convert_minor(eur, Currency::Eur, Currency::Bgn);
        prop_assert!((back - bgn).abs() <= 1, "{bgn} → {eur} → {back}");
    }

    #[test]
    fn conversion_is_the_nearest_cent_rounded_half_up(bgn in PRICE) {
        // Oracle: exact rational bgn / 1.95583 compared against the chosen cent.
        let eur = convert_minor(bgn, Currency::Bgn, Currency::Eur) as i128;
        let exact_times_rate = bgn as i128 * 100_000; // = exact_eur × 195583
        let diff = exact_times_rate - eur * 195_583; // (exact − chosen) × 195583
        // |exact − chosen| ≤ ½ cent, and a tie goes away from zero.
        prop_assert!(2 * diff.abs() <= 195_583);
        if 2 * diff.abs() == 195_583 {
            prop_assert!(eur.abs() * 195_583 > exact_times_rate.abs());
        }
    }

    #[test]
    fn conversion_keeps_the_order_of_amounts(a in PRICE, b in PRICE) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(
            convert_minor(lo, Currency::Bgn, Currency::Eur)
                <= convert_minor(hi, Currency::Bgn, Currency::Eur)
        );
        prop_assert!(
            convert_minor(lo, Currency::Eur, Currency::Bgn)
                <= convert_minor(hi, Currency::Eur, Currency::Bgn)
        );
    }

    #[test]
    fn conversion_of_a_negative_amount_mirrors_the_positive(m in PRICE) {
        for (from, to) in [(Currency::Bgn, Currency::Eur), (Currency::Eur, Currency::Bgn)] {
            prop_assert_eq!(convert_minor(-m, from, to), -convert_minor(m, from, to));
        }
    }

    #[test]
    fn changeover_converts_every_price_alone(
        prices in proptest::collection::vec(0i64..10_000_000, 0..50)
    ) {
        let list = convert_price_list(prices.iter().copied().enumerate());
        prop_assert_eq!(list.len(), prices.len());
        for (i, c) in list.iter().enumerate() {
            prop_assert_eq!(c.key, i);
            prop_assert_eq!(c.bgn_minor, prices[i]);
            prop_assert_eq!(c.eur_minor, Money::new(prices[i], Currency::Bgn).convert(Currency::Eur).minor);
        }
        let summary = ChangeoverSummary::of(&list);
        prop_assert_eq!(summary.bgn_total_minor, prices.iter().map(|p| *p as i128).sum::<i128>());
    }

    #[test]
    fn amounts_round_trip_their_plain_form(minor in any::<i64>()) {
        prop_assert_eq!(parse_minor("p", &format_minor_plain(minor)), Ok(minor));
    }

    #[test]
    fn amounts_round_trip_their_bulgarian_form(minor in any::<i64>()) {
        prop_assert_eq!(parse_minor("p", &format_minor_bg(minor)), Ok(minor));
        let shown = format_bg(Money::new(minor, Currency::Eur));
        prop_assert!(shown.ends_with("\u{a0}€"), "{}", shown);
    }

    #[test]
    fn amount_parser_never_panics(s in any::<String>()) {
        let _ = parse_minor("p", &s);
    }

    #[test]
    fn amount_parser_never_panics_on_number_like_text(s in "[-+0-9., eE\u{a0}]{0,30}") {
        if let Ok(minor) = parse_minor("p", &s) {
            // What it accepts it reads exactly: re-parsing the plain form agrees.
            prop_assert_eq!(parse_minor("p", &format_minor_plain(minor)), Ok(minor));
        }
    }

    #[test]
    fn quantities_round_trip_their_display_forms(milli in -MAX_QUANTITY_MILLI..=MAX_QUANTITY_MILLI) {
        let q = Quantity(milli);
        prop_assert_eq!(Quantity::parse("q", &q.to_string()), Ok(q));
        prop_assert_eq!(Quantity::parse("q", &q.format_bg()), Ok(q));
    }

    #[test]
    fn quantity_parser_never_panics(s in any::<String>()) {
        let _ = Quantity::parse("q", &s);
    }

    #[test]
    fn quantity_parser_stays_within_bounds(s in "-?[0-9]{0,22}([.,][0-9]{0,4})?") {
        if let Ok(q) = Quantity::parse("q", &s) {
            prop_assert!(q.milli().abs() <= MAX_QUANTITY_MILLI);
        }
    }

    #[test]
    fn vat_split_always_adds_up(gross in PRICE) {
        for rate in VatRate::ALL {
            let split = rate.split_gross(gross);
            prop_assert_eq!(split.net + split.vat, gross);
            // VAT is the rate applied to net, within rounding to the cent.
            let expected = split.net as i128 * rate.percent() as i128;
            prop_assert!(2 * (split.vat as i128 * 100 - expected).abs() <= 100 + rate.percent() as i128);
        }
    }

    #[test]
    fn gross_of_net_then_split_gives_back_the_net(net in PRICE) {
        for rate in VatRate::ALL {
            let gross = rate.gross_of_net(net);
            prop_assert!((rate.split_gross(gross).net - net).abs() <= 1);
        }
    }

    #[test]
    fn vat_rate_parser_never_panics(s in any::<String>()) {
        let _ = VatRate::parse("vat", &s);
    }

    #[test]
    fn dates_round_trip_and_the_parser_never_panics(
        days in 0i32..(1100 * 366),
        s in any::<String>(),
    ) {
        let d = jiff::civil::date(1900, 1, 1)
            .checked_add(jiff::Span::new().days(days))
            .unwrap();
        if d.year() <= 2999 {
            prop_assert_eq!(parse_date("d", &format_date_bg(d)), Ok(d));
        }
        let _ = parse_date("d", &s);
    }
}
