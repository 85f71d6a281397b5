//! A re-read order (`GET /orders/{id}` with every include, API.md §3.5) as the domain's
//! [`ShopOrder`]. Money attributes are named two ways in the contract (§3.2), so each
//! figure is taken from the order's attribute, else from its `totals` rows; fees are not
//! in the JSON-API order (§6.5: only the delivery's `fees[]`), so they come from the
//! stored delivery, else from `fee` totals rows where a shop sends them.

use cloudcart::models::orders::{FullOrder, TotalCode};
use sklad_domain::shop::order::{ShopBilling, ShopFee, ShopOrder, ShopOrderLine};

fn total_of(full: &FullOrder, code: &str) -> Option<i64> {
    full.total(&TotalCode::from(code))
}

/// The fees a delivery listed (`[{name, amount}]`), when it listed them.
pub(crate) fn fees_of_delivery(fees: &serde_json::Value) -> Option<Vec<ShopFee>> {
    let list = fees.as_array()?;
    Some(
        list.iter()
            .filter_map(|f| {
                let amount = match &f["amount"] {
                    serde_json::Value::Number(n) => n.as_i64(),
                    serde_json::Value::String(s) => s.trim().parse().ok(),
                    _ => None,
                }?;
                let name = f["name"].as_str().unwrap_or("Такса").to_owned();
                Some(ShopFee { name, amount })
            })
            .collect(),
    )
}

fn join(parts: &[Option<&String>]) -> Option<String> {
    let text = parts
        .iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!text.is_empty()).then_some(text)
}

/// The order as the importer needs it; `delivery_fees` are the fees of its latest
/// delivery that listed them.
pub(crate) fn shop_order(full: &FullOrder, delivery_fees: Option<&serde_json::Value>) -> ShopOrder {
    let o = &full.order.attributes;
    let fees = delivery_fees.and_then(fees_of_delivery).unwrap_or_else(|| {
        full.totals
            .iter()
            .filter(|t| t.attributes.code.as_ref().map(|c| c.as_str()) == Some("fee"))
            .map(|t| ShopFee {
                name: t.attributes.title.clone().unwrap_or_else(|| "Такса".into()),
                amount: t.attributes.value.unwrap_or(0),
            })
            .collect()
    });
    let shipping = o
        .shipping_price
        .or_else(|| total_of(full, "shipping"))
        .or_else(|| {
            full.shipping
                .as_ref()
                .and_then(|s| s.attributes.provider_amount)
        })
        .unwrap_or(0);
    let billing = full.billing_address.as_ref().map(|b| {
        let a = &b.attributes;
        ShopBilling {
            company_name: a.company_name.clone(),
            company_vat: a.company_vat.clone(),
            company_person: a.company_person.clone(),
            company_registration_number: a.company_registration_number.clone(),
            first_name: a.first_name.clone(),
            last_name: a.last_name.clone(),
            phone: a.phone.clone(),
            city: a.city_name.clone(),
            address: join(&[
                a.street_name.as_ref(),
                a.street_number.as_ref(),
                a.post_code.as_ref(),
            ]),
        }
    });
    ShopOrder {
        id: full.order.id.clone(),
        status: o
            .status
            .as_ref()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_else(|| "pending".into()),
        fulfilled: o
            .status_fulfillment
            .as_ref()
            .is_some_and(|f| f.as_str() == "fulfilled"),
        currency: o
            .currency
            .as_ref()
            .map(|c| c.as_str().to_uppercase())
            .unwrap_or_default(),
        total: o
            .total
            .or(o.price_total)
            .or_else(|| total_of(full, "total"))
            .or_else(|| total_of(full, "grand_total")),
        tax: o.tax.or_else(|| total_of(full, "tax")),
        discount: o
            .discount
            .or_else(|| total_of(full, "discount"))
            .map(i64::abs),
        shipping,
        fees,
        lines: full
            .lines
            .iter()
            .map(|l| {
                let a = &l.attributes;
                ShopOrderLine {
                    variant_id: a.variant_id.map(|v| v.to_string()),
                    sku: a.sku.clone().filter(|s| !s.trim().is_empty()),
                    barcode: a.barcode.clone().filter(|s| !s.trim().is_empty()),
                    name: a.name.clone().unwrap_or_default(),
                    quantity: a.quantity.map(|q| q.thousandths()).unwrap_or(0),
                    price: a.price.unwrap_or(0),
                    order_price: a.order_price,
                }
            })
            .collect(),
        payment_provider: full
            .payment
            .as_ref()
            .and_then(|p| p.attributes.provider.clone()),
        email: o.customer_email.clone(),
        first_name: o.customer_first_name.clone(),
        last_name: o.customer_last_name.clone(),
        billing,
        date_added: o.date_added.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_fees_are_read_tolerantly() {
        let fees = serde_json::json!([
            {"name": "Такса наложен платеж", "amount": 150},
            {"name": "Карта", "amount": "99"},
            {"amount": 5},
            {"name": "без сума"}
        ]);
        let read = fees_of_delivery(&fees).unwrap();
        assert_eq!(read.len(), 3);
        assert_eq!(read[1].amount, 99);
        assert_eq!(read[2].name, "Такса");
        assert_eq!(fees_of_delivery(&serde_json::json!({"x": 1})), None);
    }
}
