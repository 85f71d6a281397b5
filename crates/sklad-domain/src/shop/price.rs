//! Prices between a shop and the firm (SPEC P3): the shop keeps minor units of its own
//! currency, with or without VAT as the merchant says; the firm keeps VAT-inclusive
//! prices in its currency. Each conversion rounds once, half up to the cent, at
//! 1 EUR = 1.95583 BGN.

use crate::money::{div_round_half_up, EUR_BGN_RATE_SCALED, EUR_BGN_SCALE};
use crate::{Currency, VatRate};

/// How a shop states its prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShopPricing {
    /// The shop's currency.
    pub currency: Currency,
    /// Whether its prices include VAT.
    pub with_vat: bool,
}

/// `(numerator, denominator)` of the factor from `from` to `to`.
fn rate(from: Currency, to: Currency) -> (i128, i128) {
    match (from, to) {
        (Currency::Bgn, Currency::Eur) => (EUR_BGN_SCALE, EUR_BGN_RATE_SCALED),
        (Currency::Eur, Currency::Bgn) => (EUR_BGN_RATE_SCALED, EUR_BGN_SCALE),
        _ => (1, 1),
    }
}

fn saturate(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

/// A shop price as the firm's VAT-inclusive price in `firm_currency` (a good's price
/// at `vat`): 20.00 € net at 20 % in a BGN firm → 46.94 лв.
pub fn shop_price_to_firm(
    price: i64,
    shop: ShopPricing,
    firm_currency: Currency,
    vat: VatRate,
) -> i64 {
    let (rn, rd) = rate(shop.currency, firm_currency);
    let (vn, vd) = if shop.with_vat {
        (1, 1)
    } else {
        (100 + i128::from(vat.percent()), 100)
    };
    saturate(div_round_half_up(i128::from(price) * rn * vn, rd * vd))
}

/// The firm's VAT-inclusive price (in `firm_currency`, of a good at `vat`) as the shop
/// states it: 46.94 лв at 20 % → 20.00 € net.
pub fn firm_price_to_shop(
    gross: i64,
    firm_currency: Currency,
    shop: ShopPricing,
    vat: VatRate,
) -> i64 {
    let (rn, rd) = rate(firm_currency, shop.currency);
    let (vn, vd) = if shop.with_vat {
        (1, 1)
    } else {
        (100, 100 + i128::from(vat.percent()))
    };
    saturate(div_round_half_up(i128::from(gross) * rn * vn, rd * vd))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EUR_GROSS: ShopPricing = ShopPricing {
        currency: Currency::Eur,
        with_vat: true,
    };
    const EUR_NET: ShopPricing = ShopPricing {
        currency: Currency::Eur,
        with_vat: false,
    };

    #[test]
    fn p3_conversions_round_once_half_up() {
        // Same currency, gross: unchanged.
        assert_eq!(
            shop_price_to_firm(2490, EUR_GROSS, Currency::Eur, VatRate::Standard),
            2490
        );
        // 24.90 € → 48.70 лв (48.700167).
        assert_eq!(
            shop_price_to_firm(2490, EUR_GROSS, Currency::Bgn, VatRate::Standard),
            4870
        );
        // 20.00 € net at 20 % → 24.00 € → 46.94 лв (46.93992).
        assert_eq!(
            shop_price_to_firm(2000, EUR_NET, Currency::Bgn, VatRate::Standard),
            4694
        );
        assert_eq!(
            firm_price_to_shop(4694, Currency::Bgn, EUR_NET, VatRate::Standard),
            2000
        );
        // 10.00 лв → 5.11 € (the law's example).
        let bgn = ShopPricing {
            currency: Currency::Bgn,
            with_vat: true,
        };
        assert_eq!(
            shop_price_to_firm(1000, bgn, Currency::Eur, VatRate::Standard),
            511
        );
        // 9 % net → gross.
        assert_eq!(
            shop_price_to_firm(1000, EUR_NET, Currency::Eur, VatRate::Reduced),
            1090
        );
    }

    proptest! {
        /// Same currency with VAT: both directions are the identity.
        #[test]
        fn same_currency_gross_is_the_identity(p in 0i64..10_000_000_000) {
            prop_assert_eq!(shop_price_to_firm(p, EUR_GROSS, Currency::Eur, VatRate::Standard), p);
            prop_assert_eq!(firm_price_to_shop(p, Currency::Eur, EUR_GROSS, VatRate::Standard), p);
        }

        /// A shop price taken in and sent back is within one cent of itself (one
        /// rounding each way), and exactly itself between EUR shop and BGN firm (the lev
        /// is the finer unit).
        #[test]
        fn round_trip_stays_within_a_cent(p in 0i64..10_000_000_000, net in any::<bool>()) {
            let shop = ShopPricing { currency: Currency::Eur, with_vat: !net };
            let firm = shop_price_to_firm(p, shop, Currency::Bgn, VatRate::Standard);
            let back = firm_price_to_shop(firm, Currency::Bgn, shop, VatRate::Standard);
            prop_assert!((back - p).abs() <= 1, "{} → {} → {}", p, firm, back);
            if !net {
                prop_assert_eq!(back, p);
            }
        }
    }
}
