//! Reading a shop's catalogue for the control panel: products (name, description) once,
//! then variants page by page (`page[size]=100`, sparse fieldsets), each read once:
//! ⌈products/100⌉ + ⌈variants/100⌉ requests. Only the compact
//! [`ShopVariant`] rows are kept; the pages are dropped as they are read.

use std::collections::HashMap;

use cloudcart::models::catalogue::Stock;
use cloudcart::{Client, Query};
use sklad_domain::shop::ShopVariant;

use crate::error::SyncResult;
use crate::jobs::JobCtx;

fn clean(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// Every variant of the shop (a product without variants has its one option-less
/// variant). Without `with_products` the product names and descriptions are not read
/// (`product_name` stays `None`). Progress is reported after every page.
pub(crate) async fn read(
    ctx: &mut JobCtx,
    client: &Client,
    with_products: bool,
) -> SyncResult<Vec<ShopVariant>> {
    let mut products: HashMap<String, (Option<String>, bool)> = HashMap::new();
    if with_products {
        ctx.progress.read = 0;
        ctx.stage("reading_products").await?;
        let mut pages = client.products(Query::new().fields("products", &["name", "description"]));
        while let Some(page) = pages.next_page().await? {
            ctx.progress.pages += 1;
            ctx.progress.total = page.meta.and_then(|m| m.total);
            ctx.progress.read += page.items.len() as i64;
            for p in page.items {
                let has_description = p
                    .attributes
                    .description
                    .as_deref()
                    .is_some_and(|d| !strip_tags(d).trim().is_empty());
                products.insert(p.id, (clean(p.attributes.name), has_description));
            }
            ctx.report().await?;
        }
    }
    ctx.progress.read = 0;
    ctx.progress.total = None;
    ctx.stage("reading_variants").await?;
    let mut variants = Vec::new();
    let mut pages = client.variants(Query::new().fields(
        "variants",
        &[
            "item_id", "sku", "barcode", "price", "quantity", "v1", "v2", "v3",
        ],
    ));
    while let Some(page) = pages.next_page().await? {
        ctx.progress.pages += 1;
        ctx.progress.total = page.meta.and_then(|m| m.total);
        ctx.progress.read += page.items.len() as i64;
        for v in page.items {
            let a = v.attributes;
            let product_id = a.item_id.map(|i| i.to_string()).unwrap_or_default();
            let (product_name, has_description) =
                products.get(&product_id).cloned().unwrap_or((None, false));
            variants.push(ShopVariant {
                variant_id: v.id,
                product_id,
                sku: clean(a.sku),
                barcode: clean(a.barcode),
                product_name,
                option_values: [a.v1, a.v2, a.v3].into_iter().flatten().collect(),
                has_description,
                price: a.price,
                quantity: match a.quantity {
                    Some(Stock::Counted(q)) => Some(q.thousandths()),
                    Some(Stock::Unlimited) | None => None,
                },
            });
        }
        ctx.report().await?;
    }
    Ok(variants)
}

/// `text` without HTML tags (a description of only `<p></p>` is empty).
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_empty_html_description_is_no_description() {
        assert!(super::strip_tags("<p><br></p>&nbsp;").trim().is_empty());
        assert_eq!(super::strip_tags("<p>Кафе</p>"), "Кафе");
    }
}
