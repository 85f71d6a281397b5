//! A job's result rows as CSV (RFC 4180, UTF-8, a header row): what the control
//! panel's „Експорт CSV“ and `sklad shop check --csv` write. Money is written as plain
//! decimals (`12.90`), quantities with three decimals (`1.500`), an unlimited shop
//! quantity as `unlimited`. A text cell starting with `=`, `+`, `-` or `@` gets a
//! leading `'`, so a spreadsheet never runs a product name as a formula.

use sklad_domain::money::format_minor_plain;
use sklad_store::shops::JobRow;

/// The header row (with its line end).
pub const HEADER: &str = "row,status,reason,warning,shop_product_id,shop_variant_id,sku,barcode,\
name,shop_price,shop_quantity,good_id,good_code,good_name,firm_price,firm_quantity\r\n";

fn text(cell: &str) -> String {
    let guarded = if cell.starts_with(['=', '+', '-', '@']) {
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

fn opt_text(cell: &Option<String>) -> String {
    cell.as_deref().map(text).unwrap_or_default()
}

fn quantity(milli: i64) -> String {
    let sign = if milli < 0 { "-" } else { "" };
    let abs = milli.unsigned_abs();
    format!("{sign}{}.{:03}", abs / 1000, abs % 1000)
}

/// One row as a CSV line (with its line end).
pub fn line(row: &JobRow) -> String {
    let shop_quantity = if row.shop_unlimited {
        "unlimited".to_owned()
    } else {
        row.shop_quantity.map(quantity).unwrap_or_default()
    };
    let cells = [
        row.row_no.to_string(),
        text(&row.status),
        opt_text(&row.reason),
        opt_text(&row.warning),
        opt_text(&row.shop_product_id),
        opt_text(&row.shop_variant_id),
        opt_text(&row.sku),
        opt_text(&row.barcode),
        opt_text(&row.name),
        row.shop_price.map(format_minor_plain).unwrap_or_default(),
        shop_quantity,
        row.good_id.map(|g| g.to_string()).unwrap_or_default(),
        opt_text(&row.good_code),
        opt_text(&row.good_name),
        row.firm_price.map(format_minor_plain).unwrap_or_default(),
        row.firm_quantity.map(quantity).unwrap_or_default(),
    ];
    let mut out = cells.join(",");
    out.push_str("\r\n");
    out
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
        let line = line(&row);
        assert_eq!(
            line,
            "3,matched,,,,,TS-1,,\"Тениска \"\"Лого\"\", M\",24.90,1.500,,,\"'=HYPERLINK(\"\"x\"\")\",,-2.000\r\n"
        );
        let unlimited = JobRow {
            shop_unlimited: true,
            ..JobRow::default()
        };
        let plain = super::line(&unlimited);
        assert!(plain.contains(",unlimited,"));
        assert_eq!(HEADER.split(',').count(), plain.matches(',').count() + 1);
    }
}
