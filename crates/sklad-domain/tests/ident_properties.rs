//! Property tests of the Bulgarian identifier validators: no input makes them panic,
//! a number built by the published algorithm always validates, and changing its check
//! digit always makes it fail. The check digits here are computed by this file's own
//! code, written from `shared/domain/BULGARIA.md` §B, not by the code under test.

use proptest::prelude::*;
use sklad_domain::ident::{
    validate_egn, validate_eik, validate_lnch, validate_partner_id, validate_vat_number,
};

fn sum(digits: &[u32], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(d, w)| d * w).sum()
}

/// §B1 in the most literal form.
fn oracle_eik9(d: &[u32]) -> u32 {
    let first = sum(d, &[1, 2, 3, 4, 5, 6, 7, 8]) % 11;
    if first < 10 {
        first
    } else {
        let second = sum(d, &[3, 4, 5, 6, 7, 8, 9, 10]) % 11;
        if second < 10 {
            second
        } else {
            0
        }
    }
}

/// §B2 on digits 9..=12.
fn oracle_eik13(d: &[u32]) -> u32 {
    let first = sum(d, &[2, 7, 3, 5]) % 11;
    if first < 10 {
        first
    } else {
        let second = sum(d, &[4, 9, 5, 7]) % 11;
        if second < 10 {
            second
        } else {
            0
        }
    }
}

fn oracle_egn(d: &[u32]) -> u32 {
    let r = sum(d, &[2, 4, 8, 5, 10, 9, 7, 3, 6]) % 11;
    if r == 10 {
        0
    } else {
        r
    }
}

fn oracle_lnch(d: &[u32]) -> u32 {
    sum(d, &[21, 19, 17, 13, 11, 9, 7, 3, 1]) % 10
}

fn text(d: &[u32]) -> String {
    d.iter()
        .map(|x| char::from_digit(*x, 10).unwrap())
        .collect()
}

/// The number `d` (check digit last) with each of the nine wrong check digits instead.
fn with_each_wrong_check_digit(d: &[u32]) -> Vec<String> {
    let (check, body) = d.split_last().expect("a number has a check digit");
    (0..10)
        .filter(|other| other != check)
        .map(|other| {
            let mut v = body.to_vec();
            v.push(other);
            text(&v)
        })
        .collect()
}

/// Days in a month of the proleptic Gregorian calendar.
fn days_in(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The first nine digits of an ЕГН born on a valid date from 1800 to 2099.
fn egn_prefix() -> impl Strategy<Value = Vec<u32>> {
    (1800u32..2100, 1u32..=12, 1u32..=31, 0u32..1000).prop_map(|(year, month, day, serial)| {
        let day = day.min(days_in(year, month));
        let encoded_month = match year {
            1800..=1899 => month + 20,
            1900..=1999 => month,
            _ => month + 40,
        };
        let yy = year % 100;
        vec![
            yy / 10,
            yy % 10,
            encoded_month / 10,
            encoded_month % 10,
            day / 10,
            day % 10,
            serial / 100,
            serial / 10 % 10,
            serial % 10,
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn validators_never_panic_on_any_text(s in any::<String>()) {
        let _ = validate_eik("f", &s);
        let _ = validate_egn("f", &s);
        let _ = validate_lnch("f", &s);
        let _ = validate_vat_number("f", &s);
        let _ = validate_partner_id("f", &s);
    }

    #[test]
    fn validators_never_panic_on_digit_like_text(s in "(?i)(bg)?[0-9 .\\-a-z٣８]{0,16}") {
        let _ = validate_eik("f", &s);
        let _ = validate_egn("f", &s);
        let _ = validate_lnch("f", &s);
        let _ = validate_vat_number("f", &s);
        let _ = validate_partner_id("f", &s);
    }

    #[test]
    fn any_error_names_the_field_and_speaks_both_languages(s in ".{0,20}") {
        for result in [
            validate_eik("partner.eik", &s),
            validate_egn("partner.eik", &s),
            validate_vat_number("partner.eik", &s),
            validate_partner_id("partner.eik", &s),
        ] {
            if let Err(e) = result {
                prop_assert_eq!(e.field.as_str(), "partner.eik");
                prop_assert!(!e.message_bg.is_empty() && !e.message_en.is_empty());
                prop_assert_ne!(&e.message_bg, &e.message_en);
            }
        }
    }

    #[test]
    fn x5_a_built_nine_digit_eik_validates_and_only_with_its_check_digit(
        d in proptest::collection::vec(0u32..10, 8)
    ) {
        let check = oracle_eik9(&d);
        let mut full = d.clone();
        full.push(check);
        let eik = text(&full);
        prop_assert_eq!(validate_eik("eik", &eik), Ok(eik.clone()));
        prop_assert_eq!(validate_partner_id("eik", &eik), Ok(eik.clone()));
        prop_assert_eq!(validate_vat_number("vat", &format!("bg{eik}")), Ok(format!("BG{eik}")));
        for wrong in with_each_wrong_check_digit(&full) {
            prop_assert_eq!(validate_eik("eik", &wrong).unwrap_err().code, "eik_invalid");
            prop_assert_eq!(
                validate_vat_number("vat", &format!("BG{wrong}")).unwrap_err().code,
                "vat_number_invalid"
            );
        }
    }

    #[test]
    fn x5_a_built_thirteen_digit_eik_validates_and_only_with_its_check_digit(
        d in proptest::collection::vec(0u32..10, 8),
        tail in proptest::collection::vec(0u32..10, 3),
    ) {
        let mut full = d.clone();
        full.push(oracle_eik9(&d));
        full.extend(&tail);
        let check = oracle_eik13(&full[8..12]);
        full.push(check);
        let eik = text(&full);
        prop_assert_eq!(validate_eik("eik", &eik), Ok(eik.clone()));
        for wrong in with_each_wrong_check_digit(&full) {
            prop_assert_eq!(validate_eik("eik", &wrong).unwrap_err().code, "eik_invalid");
        }
    }

    #[test]
    fn x5_a_built_egn_validates_and_only_with_its_check_digit(d in egn_prefix()) {
        let check = oracle_egn(&d);
        let mut full = d.clone();
        full.push(check);
        let egn = text(&full);
        prop_assert_eq!(validate_egn("egn", &egn), Ok(egn.clone()));
        prop_assert_eq!(validate_partner_id("egn", &egn), Ok(egn.clone()));
        let vat = format!("BG{egn}");
        prop_assert_eq!(validate_vat_number("vat", &vat), Ok(vat.clone()));
        for wrong in with_each_wrong_check_digit(&full) {
            prop_assert_eq!(validate_egn("egn", &wrong).unwrap_err().code, "egn_invalid");
        }
    }

    #[test]
    fn an_egn_with_an_impossible_month_is_a_date_error(
        d in egn_prefix(),
        month in prop_oneof![13u32..=20, 33u32..=40, 53u32..=99, Just(0u32)],
    ) {
        let mut full = d.clone();
        full[2] = month / 10;
        full[3] = month % 10;
        full.push(oracle_egn(&full));
        prop_assert_eq!(validate_egn("egn", &text(&full)).unwrap_err().code, "egn_date");
    }

    #[test]
    fn x5_a_built_lnch_validates_and_only_with_its_check_digit(
        d in proptest::collection::vec(0u32..10, 9)
    ) {
        let check = oracle_lnch(&d);
        let mut full = d.clone();
        full.push(check);
        let lnch = text(&full);
        prop_assert_eq!(validate_lnch("lnch", &lnch), Ok(lnch.clone()));
        prop_assert_eq!(validate_partner_id("lnch", &lnch), Ok(lnch.clone()));
        for wrong in with_each_wrong_check_digit(&full) {
            prop_assert_eq!(validate_lnch("lnch", &wrong).unwrap_err().code, "lnch_invalid");
        }
    }

    #[test]
    fn separators_do_not_change_the_result(
        d in proptest::collection::vec(0u32..10, 8),
        cut in 1usize..8,
        sep in prop_oneof![Just(" "), Just("-"), Just("."), Just("\u{a0}")],
    ) {
        let mut full = d.clone();
        full.push(oracle_eik9(&d));
        let eik = text(&full);
        let spaced = format!(" {}{sep}{} ", &eik[..cut], &eik[cut..]);
        prop_assert_eq!(validate_eik("eik", &spaced), Ok(eik));
    }

    #[test]
    fn a_wrong_number_of_digits_is_a_length_error(len in 1usize..30, digit in 0u32..10) {
        prop_assume!(len != 9 && len != 13);
        let s: String = std::iter::repeat_n(char::from_digit(digit, 10).unwrap(), len).collect();
        prop_assert_eq!(validate_eik("eik", &s).unwrap_err().code, "eik_length");
        if len != 10 {
            prop_assert_eq!(validate_egn("egn", &s).unwrap_err().code, "egn_length");
            prop_assert_eq!(validate_lnch("lnch", &s).unwrap_err().code, "lnch_length");
            prop_assert_eq!(
                validate_partner_id("id", &s).unwrap_err().code,
                "partner_id_length"
            );
            prop_assert_eq!(
                validate_vat_number("vat", &format!("BG{s}")).unwrap_err().code,
                "vat_number_length"
            );
        }
    }
}
