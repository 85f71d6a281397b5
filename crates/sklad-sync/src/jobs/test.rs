//! „Провери връзката“ (SPEC S4, P2, P3): the key and address, the plan's API access, how
//! many products and variants the shop has, the currency of its latest order, and its
//! payment methods. Each problem comes with its fix, in Bulgarian and English.

use cloudcart::{Client, Query};
use serde::Serialize;
use sklad_domain::Currency;

use crate::error::{SyncError, SyncResult};
use crate::jobs::JobCtx;

/// A problem or warning the check found, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Finding {
    pub code: String,
    pub message_bg: String,
    pub message_en: String,
    pub fix_bg: String,
    pub fix_en: String,
}

impl Finding {
    fn new(code: &str, message: (String, String), fix: (&str, &str)) -> Finding {
        Finding {
            code: code.to_owned(),
            message_bg: message.0,
            message_en: message.1,
            fix_bg: fix.0.to_owned(),
            fix_en: fix.1.to_owned(),
        }
    }
}

/// What the shop's refusal means and how to fix it.
pub(crate) fn diagnose(e: &cloudcart::Error, host: &str) -> Finding {
    use cloudcart::Error as E;
    let said = (e.message_bg(), e.message_en());
    match e {
        E::Unauthorized => Finding::new(
            "key_refused",
            said,
            (
                "Копирайте API ключа отново от магазина (Настройки → API ключове) и проверете, \
                 че ключът е активен. Ключът трябва да е на същия магазин като адреса.",
                "Copy the API key again from the shop (Settings → Api keys) and check that it \
                 is active. The key must belong to the same shop as the address.",
            ),
        ),
        E::UnknownShop { .. } => Finding::new(
            "url_unknown",
            said,
            (
                "Проверете адреса: въведете основния домейн на магазина, например \
                 https://sampleshop.cloudcart.net.",
                "Check the address: enter the shop's primary domain, e.g. \
                 https://sampleshop.cloudcart.net.",
            ),
        ),
        E::NoApiOnPlan => Finding::new(
            "no_api",
            (
                format!(
                    "CloudCart отказва достъп до API за {host} (отговор 429 „няма достъп до API“)."
                ),
                format!("CloudCart refuses API access for {host} (429 \"no API access\")."),
            ),
            (
                "Има две възможни причини. 1) Планът на магазина е под този с достъп до API: \
                 нужен е план над STARTUP (Starter Pack или по-висок) — надградете го от \
                 Профил → Избор на план. 2) Адресът е алтернативен домейн или с „www.“: CloudCart \
                 дава API само на основния домейн на магазина — въведете него.",
                "There are two possible causes. 1) The shop's plan is below the one with API \
                 access: a plan above STARTUP (Starter Pack or higher) is needed — upgrade it \
                 under Profile → Choose plan. 2) The address is an alias or \"www.\" domain: \
                 CloudCart gives the API only to the shop's primary domain — enter that one.",
            ),
        ),
        E::PlanLimit { .. } => Finding::new(
            "plan_expired",
            said,
            (
                "Абонаментът на магазина в CloudCart е изтекъл или неплатен: подновете го.",
                "The shop's CloudCart subscription has expired or is unpaid: renew it.",
            ),
        ),
        E::Unavailable { .. } | E::RateLimited { .. } | E::AntiAbuse { .. } => Finding::new(
            "unreachable",
            said,
            (
                "Опитайте отново след няколко минути; ако продължава, проверете адреса и \
                 връзката на сървъра с интернет.",
                "Try again in a few minutes; if it persists, check the address and the \
                 server's internet connection.",
            ),
        ),
        _ => Finding::new(
            "shop_refused",
            said,
            (
                "Проверете адреса и ключа; ако продължава, свържете се с поддръжката на CloudCart.",
                "Check the address and the key; if it persists, contact CloudCart support.",
            ),
        ),
    }
}

#[derive(Debug, Default, Serialize)]
struct Summary {
    ok: bool,
    problems: Vec<Finding>,
    warnings: Vec<Finding>,
    products: Option<i64>,
    variants: Option<i64>,
    /// The currency of the shop's latest order (`None`: no orders yet).
    order_currency: Option<String>,
    /// The connection's currency after the check.
    currency: String,
    payment_methods: usize,
    rate_limit: Option<u32>,
}

async fn total(client: &Client, resource: &str, field: &str) -> SyncResult<Option<i64>> {
    let query = Query::new().page_size(1).fields(resource, &[field]);
    let mut pages = client.list::<serde_json::Value>(resource, query, cloudcart::Priority::Normal);
    Ok(pages
        .next_page()
        .await?
        .and_then(|p| p.meta)
        .and_then(|m| m.total)
        .or(Some(0)))
}

pub(crate) async fn run(ctx: &mut JobCtx) -> SyncResult<serde_json::Value> {
    let client = ctx.client().await?;
    let host = ctx.connection.shop_host.clone();
    let mut summary = Summary {
        currency: ctx.connection.currency.code().to_owned(),
        ..Summary::default()
    };
    ctx.stage("contacting_shop").await?;
    let reached = match client.check().await {
        Ok(()) => true,
        Err(e) => {
            summary.problems.push(diagnose(&e, &host));
            false
        }
    };
    if reached {
        ctx.stage("counting").await?;
        summary.products = total(&client, "products", "name").await?;
        summary.variants = total(&client, "variants", "sku").await?;
        check_currency(ctx, &client, &mut summary).await?;
        let providers = client.payment_providers(Query::new()).collect_all().await?;
        let list: Vec<(String, String, bool)> = providers
            .into_iter()
            .map(|p| {
                let a = p.attributes;
                let code = a.provider.unwrap_or(p.id);
                let title = a
                    .title
                    .filter(|t| !t.trim().is_empty())
                    .unwrap_or(code.clone());
                (code, title, a.active.is_some_and(|y| y.is_yes()))
            })
            .collect();
        summary.payment_methods = ctx
            .bridge
            .store()
            .refresh_shop_payments(ctx.firm_id(), ctx.connection.id, &list)
            .await?
            .iter()
            .filter(|p| p.active)
            .count();
        summary.rate_limit = client.rate_limit().limit;
    }
    summary.ok = summary.problems.is_empty();
    let (outcome, bg, en) = if summary.ok {
        (
            if summary.warnings.is_empty() {
                "ok"
            } else {
                "warning"
            },
            format!(
                "Връзката работи: {} продукта, {} варианта, валута {}.",
                summary.products.unwrap_or(0),
                summary.variants.unwrap_or(0),
                summary.currency
            ),
            format!(
                "The connection works: {} products, {} variants, currency {}.",
                summary.products.unwrap_or(0),
                summary.variants.unwrap_or(0),
                summary.currency
            ),
        )
    } else {
        let first = &summary.problems[0];
        ("error", first.message_bg.clone(), first.message_en.clone())
    };
    let value = serde_json::to_value(&summary).unwrap_or_default();
    ctx.journal("test", outcome, bg, en, value.clone()).await?;
    Ok(value)
}

/// P3: the currency of the latest order fills an automatic setting, contradicts an
/// explicit one (a warning), or is one Sklad cannot take (a problem).
async fn check_currency(
    ctx: &mut JobCtx,
    client: &Client,
    summary: &mut Summary,
) -> SyncResult<()> {
    let latest = client
        .orders(
            Query::new()
                .sort("-id")
                .page_size(1)
                .fields("orders", &["currency"]),
        )
        .next_page()
        .await?
        .and_then(|p| p.items.into_iter().next());
    let Some(order) = latest else {
        if ctx.connection.currency_auto {
            let code = ctx.connection.currency.code();
            summary.warnings.push(Finding::new(
                "currency_assumed",
                (
                    format!(
                        "Магазинът още няма поръчки, а CloudCart не съобщава валутата му през API: \
                         приема се валутата на фирмата ({code})."
                    ),
                    format!(
                        "The shop has no orders yet and CloudCart does not tell its currency \
                         through the API: the firm's currency ({code}) is assumed."
                    ),
                ),
                (
                    "Ако магазинът продава в друга валута, изберете я във връзката.",
                    "If the shop sells in another currency, choose it for the connection.",
                ),
            ));
        }
        return Ok(());
    };
    let Some(code) = order.attributes.currency.map(|c| c.as_str().to_uppercase()) else {
        return Ok(());
    };
    summary.order_currency = Some(code.clone());
    match Currency::parse(&code) {
        Some(seen) if ctx.connection.currency_auto => {
            ctx.connection = ctx
                .bridge
                .store()
                .follow_shop_currency(ctx.firm_id(), ctx.connection.id, seen)
                .await
                .map_err(SyncError::from)?;
            summary.currency = ctx.connection.currency.code().to_owned();
        }
        Some(seen) if seen != ctx.connection.currency => summary.warnings.push(Finding::new(
            "currency_mismatch",
            (
                format!(
                    "Последната поръчка в магазина е в {code}, а връзката е настроена за {}.",
                    ctx.connection.currency.code()
                ),
                format!(
                    "The shop's latest order is in {code}, but the connection is set to {}.",
                    ctx.connection.currency.code()
                ),
            ),
            (
                "Изберете във връзката валутата, в която магазинът продава (или „автоматично“).",
                "Choose the currency the shop sells in for the connection (or \"automatic\").",
            ),
        )),
        Some(_) => {}
        None => summary.problems.push(Finding::new(
            "currency_unsupported",
            (
                format!(
                    "Поръчките на магазина са във валута {code}. Склад работи с лева (BGN) и \
                     евро (EUR); поръчки в друга валута няма да бъдат приети."
                ),
                format!(
                    "The shop's orders are in {code}. Sklad works with leva (BGN) and euro \
                     (EUR); orders in another currency will be refused."
                ),
            ),
            (
                "Настройте магазина да продава в евро (или лева) — Настройки → Валути в CloudCart.",
                "Set the shop to sell in euro (or leva) — Settings → Currencies in CloudCart.",
            ),
        )),
    }
    Ok(())
}
