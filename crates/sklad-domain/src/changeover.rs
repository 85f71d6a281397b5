//! The one-way euro changeover of a BGN firm (Преминаване към евро), as pure functions:
//! storage reads the prices, calls these and writes the result with the journal entry
//! in one transaction.
//!
//! Rules (`shared/domain/BULGARIA.md` §D):
//! - every price is converted on its own (per amount, never per total) by dividing by
//!   the full 1.95583 and rounding half up to the cent ([`convert_minor`]), so
//!   10.00 лв → 5.11 €, 5.99 лв → 3.06 €, 2.93 лв → 1.50 €;
//! - historical documents keep their BGN amounts: only master data (prices) changes;
//! - it happens once: a EUR firm cannot change over again, and there is no way back
//!   (converting back would not give the old prices: 5.11 € → 9.99 лв).

use crate::error::FieldError;
use crate::money::{convert_minor, format_minor_bg, format_minor_plain};
use crate::Currency;

/// One price before and after the changeover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceConversion<K> {
    /// What the price belongs to, e.g. `(good_id, PriceGroup)`.
    pub key: K,
    /// The price in stotinki before.
    pub bgn_minor: i64,
    /// The price in euro cents after.
    pub eur_minor: i64,
}

/// Refuses a changeover of a firm that already keeps its books in euro
/// (`changeover_already_eur`).
pub fn check_changeover_allowed(firm_currency: Currency) -> Result<(), FieldError> {
    match firm_currency {
        Currency::Bgn => Ok(()),
        Currency::Eur => Err(FieldError::new(
            "currency",
            "changeover_already_eur",
            "Фирмата вече работи в евро; преминаването към евро се прави само веднъж.",
            "The firm already works in euro; the euro changeover happens only once.",
        )),
    }
}

/// Converts a list of BGN prices to euro, each on its own, in the given order.
pub fn convert_price_list<K>(
    prices: impl IntoIterator<Item = (K, i64)>,
) -> Vec<PriceConversion<K>> {
    prices
        .into_iter()
        .map(|(key, bgn_minor)| PriceConversion {
            key,
            bgn_minor,
            eur_minor: convert_minor(bgn_minor, Currency::Bgn, Currency::Eur),
        })
        .collect()
}

/// What a changeover did, for the firm's journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeoverSummary {
    /// How many prices were converted.
    pub prices: usize,
    /// The sum of all prices before, in stotinki (for the record, not for money).
    pub bgn_total_minor: i128,
    /// The sum of all prices after, in euro cents.
    pub eur_total_minor: i128,
}

impl ChangeoverSummary {
    /// Sums up a converted price list.
    pub fn of<K>(conversions: &[PriceConversion<K>]) -> Self {
        ChangeoverSummary {
            prices: conversions.len(),
            bgn_total_minor: conversions.iter().map(|c| i128::from(c.bgn_minor)).sum(),
            eur_total_minor: conversions.iter().map(|c| i128::from(c.eur_minor)).sum(),
        }
    }

    /// The journal entry in Bulgarian.
    pub fn journal_bg(&self) -> String {
        format!(
            "Преминаване към евро: {} цени преобразувани по курс 1 € = 1,95583 лв, \
             всяка закръглена до цент (сума преди {} лв, след {} €). \
             Документите отпреди остават в лева.",
            self.prices,
            format_total(self.bgn_total_minor, true),
            format_total(self.eur_total_minor, true),
        )
    }

    /// The journal entry in English.
    pub fn journal_en(&self) -> String {
        format!(
            "Euro changeover: {} prices converted at 1 EUR = 1.95583 BGN, each rounded \
             to the cent (sum before {} BGN, after {} EUR). Earlier documents stay in BGN.",
            self.prices,
            format_total(self.bgn_total_minor, false),
            format_total(self.eur_total_minor, false),
        )
    }
}

/// A sum of minor units, Bulgarian or plain form; sums beyond `i64` are written
/// as a bare number of minor units, which never happens with real price lists.
fn format_total(total: i128, bulgarian: bool) -> String {
    match i64::try_from(total) {
        Ok(minor) if bulgarian => format_minor_bg(minor),
        Ok(minor) => format_minor_plain(minor),
        Err(_) => format!("{total}/100"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PriceGroup;

    #[test]
    fn converts_each_price_on_its_own() {
        let list = convert_price_list([
            ((1, PriceGroup::Retail), 1000),
            ((1, PriceGroup::Wholesale), 599),
            ((2, PriceGroup::Retail), 293),
            ((3, PriceGroup::Retail), 1),
            ((3, PriceGroup::Group1), 1),
            ((3, PriceGroup::Group2), 1),
        ]);
        let euro: Vec<i64> = list.iter().map(|c| c.eur_minor).collect();
        assert_eq!(euro, [511, 306, 150, 1, 1, 1]);
        assert_eq!(list[1].key, (1, PriceGroup::Wholesale));
        let summary = ChangeoverSummary::of(&list);
        // Per price: three prices of 0.01 лв stay 0.01 € each (0.03 €), while their
        // total 0.03 лв would be 0.02 €.
        assert_eq!(summary.eur_total_minor, 511 + 306 + 150 + 3);
        assert_eq!(summary.prices, 6);
        assert!(
            summary.journal_bg().contains("6 цени"),
            "{}",
            summary.journal_bg()
        );
        assert!(summary.journal_bg().contains("18,95 лв"));
        assert!(
            summary.journal_en().contains("after 9.70 EUR"),
            "{}",
            summary.journal_en()
        );
    }

    #[test]
    fn only_once() {
        assert!(check_changeover_allowed(Currency::Bgn).is_ok());
        assert_eq!(
            check_changeover_allowed(Currency::Eur).unwrap_err().code,
            "changeover_already_eur"
        );
    }
}
