//! A job's result rows as CSV (RFC 4180, UTF-8): what the REST API's `rows.csv` and
//! `sklad shop check --csv` write, and the pieces the pages' translated export is made
//! of. Money is written as plain decimals (`12.90`), quantities as `1.5`, an unlimited
//! shop quantity as `unlimited`. A text cell starting with `=`, `+`, `-`, `@`, a tab or
//! a carriage return gets a leading `'`, so a spreadsheet never runs it as a formula.

use sklad_domain::money::format_minor_plain;
use sklad_domain::Quantity;
use sklad_store::shops::JobRow;

/// The header row (with its line end).
pub const HEADER: &str = "row,status,reason,warning,shop_product_id,shop_variant_id,sku,barcode,\
name,shop_price,shop_quantity,good_id,good_code,good_name,firm_price,firm_quantity\r\n";

/// One text cell: guarded against formulas, quoted when it holds a separator, a quote
/// or a line break.
pub fn field(cell: &str) -> String {
    let guarded = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// A quantity in thousandths as a cell (`1.5`; empty for none).
pub fn quantity(milli: Option<i64>) -> String {
    milli.map(|q| Quantity(q).to_string()).unwrap_or_default()
}

/// An amount in minor units as a cell (`12.90`; empty for none).
pub fn money(minor: Option<i64>) -> String {
    minor.map(format_minor_plain).unwrap_or_default()
}

/// Cells already written with [`field`], [`quantity`] or [`money`] as one line.
pub fn record(cells: &[String]) -> String {
    let mut out = cells.join(",");
    out.push_str("\r\n");
    out
}

fn opt_field(cell: &Option<String>) -> String {
    cell.as_deref().map(field).unwrap_or_default()
}

/// One row as a CSV line (with its line end), in the columns of [`HEADER`].
pub fn line(row: &JobRow) -> String {
    let shop_quantity = if row.shop_unlimited {
        "unlimited".to_owned()
    } else {
        quantity(row.shop_quantity)
    };
    record(&[
        row.row_no.to_string(),
        field(&row.status),
        opt_field(&row.reason),
        opt_field(&row.warning),
        opt_field(&row.shop_product_id),
        opt_field(&row.shop_variant_id),
        opt_field(&row.sku),
        opt_field(&row.barcode),
        opt_field(&row.name),
        money(row.shop_price),
        shop_quantity,
        row.good_id.map(|g| g.to_string()).unwrap_or_default(),
        opt_field(&row.good_code),
        opt_field(&row.good_name),
        money(row.firm_price),
        quantity(row.firm_quantity),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_quoted_guarded_and_formatted() {
        let row = JobRow {
            row_no: 3,
            status: "matched".into(),
            sku: Some("TS-1".into()),
            name: Some("Тениска \"Лого\", M".into()),
            good_name: Some("=HYPERLINK(\"x\")".into()),
            shop_price: Some(2490),
            shop_quantity: Some(1500),
            firm_quantity: Some(-2000),
            ..JobRow::default()
        };
        assert_eq!(
            line(&row),
            "3,matched,,,,,TS-1,,\"Тениска \"\"Лого\"\", M\",24.90,1.5,,,\"'=HYPERLINK(\"\"x\"\")\",,-2\r\n"
        );
        let unlimited = JobRow {
            shop_unlimited: true,
            ..JobRow::default()
        };
        let plain = line(&unlimited);
        assert!(plain.contains(",unlimited,"));
        assert_eq!(HEADER.split(',').count(), plain.matches(',').count() + 1);
        assert_eq!(field("-5"), "'-5");
        assert_eq!(field("a\tb"), "a\tb");
        assert_eq!(field("\tb"), "'\tb");
    }
}
