//! K4 „Активирай известията“ and its watchdog: the connection's subscriptions in the
//! shop are made to be exactly one active subscription per event of [`EVENTS`] at this
//! server's URL for it, carrying our custom header. Missing ones are created, disabled
//! ones re-enabled (resending the header: `request_headers` are replaced whole on every
//! write, API.md §6.1), duplicates and stale ones of this connection (another URL or
//! event) removed. Subscriptions of other connections and apps are not touched.

use std::collections::BTreeMap;

use cloudcart::models::webhooks::{WebhookEvent, WebhookWrite};
use cloudcart::Query;
use serde_json::json;
use sklad_store::shops::ShopWebhook;

use crate::error::{SyncError, SyncResult};
use crate::hooks::{hook_url, shown_url, EVENTS, HOOK_HEADER, HOOK_PATH};
use crate::jobs::{store_now, JobCtx};
use crate::secret::Purpose;

pub(crate) async fn run(ctx: &mut JobCtx, watchdog: bool) -> SyncResult<serde_json::Value> {
    let store = ctx.bridge.store().clone();
    if watchdog && !ctx.connection.active {
        return Ok(json!({ "skipped": "not_in_use" }));
    }
    if !watchdog {
        let mut problems = store
            .shop_settings_problems(ctx.firm_id(), ctx.connection.id)
            .await?;
        if !ctx.connection.active {
            problems.push(sklad_domain::FieldError::new(
                "active",
                "connection_not_in_use",
                "Известията се активират за връзка в употреба: отбележете „Използва се“.",
                "Notifications are activated for a connection in use: mark it \"In use\".",
            ));
        }
        if !problems.is_empty() {
            return Err(SyncError::Store(sklad_store::StoreError::Validation(
                problems,
            )));
        }
    }
    let client = ctx.client().await?;
    let secrets = store
        .shop_connection_secrets(ctx.firm_id(), ctx.connection.id)
        .await?;
    let header = secrets
        .hook_secret_sealed
        .as_deref()
        .map(|s| ctx.bridge.inner.secrets.open(Purpose::HookSecret, s))
        .transpose()?
        .unwrap_or_default();
    let headers: BTreeMap<String, String> = [(HOOK_HEADER.to_owned(), header)].into();
    let public_url = ctx.bridge.config().public_url.clone();
    let ours_marker = format!("{HOOK_PATH}/{}/", secrets.hook_token);
    ctx.stage("reading_webhooks").await?;
    let existing: Vec<_> = client
        .webhooks(Query::new())
        .collect_all()
        .await?
        .into_iter()
        .filter(|w| {
            w.attributes
                .url
                .as_deref()
                .is_some_and(|u| u.contains(&ours_marker))
        })
        .collect();
    ctx.stage("repairing").await?;
    let mut actions: BTreeMap<String, &str> = BTreeMap::new();
    let mut kept = Vec::new();
    let mut records = Vec::new();
    let now = store_now(&ctx.bridge);
    for event in EVENTS {
        let url = hook_url(&public_url, &secrets.hook_token, event);
        let mut same = existing.iter().filter(|w| {
            w.attributes.url.as_deref() == Some(url.as_str())
                && w.attributes.event.as_ref().map(|e| e.as_str()) == Some(event)
        });
        let id = match same.next() {
            Some(hook) => {
                kept.push(hook.id.clone());
                let active = hook.attributes.active.is_some_and(|a| a.is_yes());
                if active && hook.attributes.request_headers == headers {
                    actions.insert(event.to_owned(), "ok");
                } else {
                    let repair = WebhookWrite {
                        active: Some(true),
                        request_headers: Some(headers.clone()),
                        ..WebhookWrite::default()
                    };
                    client.update_webhook(&hook.id, &repair).await?;
                    actions.insert(
                        event.to_owned(),
                        if active {
                            "headers_restored"
                        } else {
                            "re_enabled"
                        },
                    );
                }
                hook.id.clone()
            }
            None => {
                let mut create = WebhookWrite::new(url.clone(), WebhookEvent::from(event));
                create.request_headers = Some(headers.clone());
                let created = client.create_webhook(&create).await?;
                kept.push(created.id.clone());
                actions.insert(
                    event.to_owned(),
                    if watchdog { "recreated" } else { "created" },
                );
                created.id
            }
        };
        records.push(ShopWebhook {
            event: event.to_owned(),
            shop_webhook_id: Some(id),
            url: shown_url(&public_url, event),
            active: true,
            checked_at: now,
        });
    }
    let mut removed = 0;
    for hook in existing.iter().filter(|w| !kept.contains(&w.id)) {
        match client.delete_webhook(&hook.id).await {
            Ok(()) | Err(cloudcart::Error::NotFound { .. }) => removed += 1,
            Err(e) => return Err(e.into()),
        }
    }
    store
        .save_shop_webhooks(ctx.firm_id(), ctx.connection.id, &records)
        .await?;
    let repaired: Vec<(&String, &&str)> = actions.iter().filter(|(_, a)| **a != "ok").collect();
    let revived: Vec<&str> = repaired
        .iter()
        .filter(|(_, a)| matches!(**a, "re_enabled" | "recreated"))
        .map(|(e, _)| e.as_str())
        .collect();
    if watchdog && !revived.is_empty() {
        crate::alerts::raise(
            &ctx.bridge,
            ctx.firm_id(),
            ctx.connection.id,
            crate::alerts::Cause::SubscriptionDisabled,
            &format!(
                "Магазинът беше спрял или изтрил известия ({}); проверката ги включи отново. \
                 Поръчките от това време се четат от магазина.",
                revived.join(", ")
            ),
            &format!(
                "The shop had disabled or deleted notifications ({}); the check turned them on \
                 again. Orders from that time are read from the shop.",
                revived.join(", ")
            ),
        )
        .await;
    }
    let summary = json!({ "events": actions, "removed": removed, "watchdog": watchdog });
    if !watchdog || !repaired.is_empty() || removed > 0 {
        let list_bg: Vec<String> = repaired.iter().map(|(e, a)| format!("{e}: {a}")).collect();
        let (bg, en) = if watchdog {
            (
                format!(
                    "Проверката на известията поправи: {}; премахнати {removed}.",
                    list_bg.join(", ")
                ),
                format!(
                    "The notifications check repaired: {}; removed {removed}.",
                    list_bg.join(", ")
                ),
            )
        } else {
            (
                format!(
                    "Известията са активни ({} събития); промени: {}; премахнати {removed}.",
                    EVENTS.len(),
                    if list_bg.is_empty() {
                        "няма".to_owned()
                    } else {
                        list_bg.join(", ")
                    }
                ),
                format!(
                    "Notifications are on ({} events); changes: {}; removed {removed}.",
                    EVENTS.len(),
                    if list_bg.is_empty() {
                        "none".to_owned()
                    } else {
                        list_bg.join(", ")
                    }
                ),
            )
        };
        let action = if watchdog { "watchdog" } else { "webhooks" };
        ctx.journal(
            action,
            if watchdog { "warning" } else { "ok" },
            bg,
            en,
            summary.clone(),
        )
        .await?;
    }
    Ok(summary)
}
