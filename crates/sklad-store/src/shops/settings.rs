//! A connection's settings (SPEC G1–G3, S2, S3): objects, sale rule, special goods,
//! the payment mapping and the first-push confirmation. Saving refuses what cannot
//! work, with the reason beside the field, and saves nothing then.

use std::collections::BTreeMap;

use sklad_domain::model::{GoodInput, GoodKind, Object};
use sklad_domain::shop::{FeedObjects, ShopSettings, SpecialGoodRole};
use sklad_domain::{FieldError, Id, ValidationErrors, VatRate};

use crate::db::{enum_key, flag, get, invalid, ts_text};
use crate::objects::object_from_row;
use crate::shops::connections::connection_in;
use crate::shops::{JournalNote, ShopConnection, ShopPayment};
use crate::{Store, StoreError, StoreResult};

async fn objects_of(conn: &mut sqlx::AnyConnection, firm_id: Id) -> StoreResult<Vec<Object>> {
    sqlx::query("SELECT id, name, kind, price_group, active FROM objects WHERE firm_id = $1")
        .bind(firm_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(object_from_row)
        .collect()
}

async fn payments_of(
    conn: &mut sqlx::AnyConnection,
    connection_id: Id,
) -> StoreResult<Vec<ShopPayment>> {
    sqlx::query(
        "SELECT provider, title, active, payment_type_id FROM shop_payments \
         WHERE connection_id = $1 ORDER BY provider",
    )
    .bind(connection_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(ShopPayment {
            provider: get(r, "provider")?,
            title: get(r, "title")?,
            active: get::<i64>(r, "active")? != 0,
            payment_type_id: get(r, "payment_type_id")?,
        })
    })
    .collect()
}

/// Every reason the settings (with `payments` as the mapping) cannot work: objects,
/// special goods that must be services of the firm, every active shop payment method
/// mapped to an active payment type, auto-sync only after the first-push confirmation.
async fn problems(
    conn: &mut sqlx::AnyConnection,
    firm_id: Id,
    connection: &ShopConnection,
    settings: &ShopSettings,
    payments: &[ShopPayment],
) -> StoreResult<ValidationErrors> {
    let objects = objects_of(conn, firm_id).await?;
    let mut errors = settings.check_objects(&objects);
    for role in SpecialGoodRole::ALL {
        let field = role.field();
        let Some(good_id) = settings.special_good(role) else {
            errors.push(FieldError::new(
                field,
                "special_good_missing",
                "Изберете стока от тип услуга или натиснете „Създай“.",
                "Choose a service good or press \"Create\".",
            ));
            continue;
        };
        let kind: Option<String> =
            sqlx::query("SELECT kind FROM goods WHERE firm_id = $1 AND id = $2")
                .bind(firm_id)
                .bind(good_id)
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| get(&r, "kind"))
                .transpose()?;
        match kind {
            None => errors.push(FieldError::new(
                field,
                "special_good_missing",
                "Стоката не съществува.",
                "The good does not exist.",
            )),
            Some(k) if k != enum_key(&GoodKind::Service) => errors.push(FieldError::new(
                field,
                "special_good_not_service",
                "Специалната стока трябва да е от тип „услуга“ (не се води на склад).",
                "A special good must be of kind \"service\" (it is not held in stock).",
            )),
            Some(_) => {}
        }
    }
    let mut types: Vec<(Id, bool)> = Vec::new();
    for r in sqlx::query("SELECT id, active FROM payment_types WHERE firm_id = $1")
        .bind(firm_id)
        .fetch_all(&mut *conn)
        .await?
    {
        types.push((get(&r, "id")?, get::<i64>(&r, "active")? != 0));
    }
    let active_types: Vec<Id> = types.iter().filter(|t| t.1).map(|t| t.0).collect();
    for p in payments {
        let field = format!("payments.{}", p.provider);
        if !p.active {
            if p.payment_type_id
                .is_some_and(|t| !types.iter().any(|(id, _)| *id == t))
            {
                errors.push(FieldError::new(
                    field,
                    "payment_type_unknown",
                    "Няма такъв тип плащане.",
                    "There is no such payment type.",
                ));
            }
            continue;
        }
        match p.payment_type_id {
            Some(t) if active_types.contains(&t) => {}
            Some(t) if !types.iter().any(|(id, _)| *id == t) => errors.push(FieldError::new(
                field,
                "payment_type_unknown",
                "Няма такъв тип плащане.",
                "There is no such payment type.",
            )),
            Some(_) => errors.push(FieldError::new(
                field,
                "payment_type_inactive",
                format!("„{}“: избраният тип плащане не е активен.", p.title),
                format!("\"{}\": the chosen payment type is not active.", p.title),
            )),
            None => errors.push(FieldError::new(
                field,
                "payment_unmapped",
                format!(
                    "„{}“ няма съответствие: изберете тип плащане или създайте нов.",
                    p.title
                ),
                format!(
                    "\"{}\" has no match: choose a payment type or create one.",
                    p.title
                ),
            )),
        }
    }
    if settings.auto_sync && connection.first_push_confirmed_at.is_none() {
        errors.push(FieldError::new(
            "auto_sync",
            "first_push_unconfirmed",
            "Преди автоматичната синхронизация прегледайте и потвърдете първото изпращане \
             на количествата (Контролен панел → Преглед на първото изпращане).",
            "Before automatic synchronisation, review and confirm the first push of \
             quantities (Control panel → First push preview).",
        ));
    }
    Ok(errors)
}

impl Store {
    /// The shop's payment methods as last read, with their mapping.
    pub async fn shop_payments(&self, firm_id: Id, id: Id) -> StoreResult<Vec<ShopPayment>> {
        let mut conn = self.pool.acquire().await?;
        connection_in(&mut conn, firm_id, id).await?;
        payments_of(&mut conn, id).await
    }

    /// Replaces the stored list of the shop's payment methods with `providers` (code,
    /// title, active) as just read from the shop, keeping the mapping of methods still
    /// there. Returns the new list.
    pub async fn refresh_shop_payments(
        &self,
        firm_id: Id,
        id: Id,
        providers: &[(String, String, bool)],
    ) -> StoreResult<Vec<ShopPayment>> {
        let mut w = self.write().await?;
        connection_in(&mut w.tx, firm_id, id).await?;
        let old: BTreeMap<String, Option<Id>> = payments_of(&mut w.tx, id)
            .await?
            .into_iter()
            .map(|p| (p.provider, p.payment_type_id))
            .collect();
        sqlx::query("DELETE FROM shop_payments WHERE connection_id = $1")
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        let now = ts_text(self.now());
        let mut seen = std::collections::HashSet::new();
        for (code, title, active) in providers {
            if !crate::db::storable(code) || !crate::db::storable(title) || !seen.insert(code) {
                continue;
            }
            sqlx::query(
                "INSERT INTO shop_payments (connection_id, provider, title, active, \
                 payment_type_id, seen_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(code)
            .bind(title)
            .bind(flag(*active))
            .bind(old.get(code).copied().flatten())
            .bind(&now)
            .execute(&mut *w.tx)
            .await?;
        }
        let list = payments_of(&mut w.tx, id).await?;
        w.commit().await?;
        Ok(list)
    }

    /// Saves the settings and the payment mapping together (`mapping`: provider code →
    /// payment type, for the shop's methods; others are ignored). Refuses, saving
    /// nothing, when they cannot work (see the module docs); journals the change.
    pub async fn save_shop_settings(
        &self,
        firm_id: Id,
        id: Id,
        settings: &ShopSettings,
        mapping: &BTreeMap<String, Option<Id>>,
        actor: &str,
    ) -> StoreResult<ShopConnection> {
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        let connection = connection_in(&mut w.tx, firm_id, id).await?;
        let mut payments = payments_of(&mut w.tx, id).await?;
        for p in &mut payments {
            if let Some(choice) = mapping.get(&p.provider) {
                p.payment_type_id = *choice;
            }
        }
        let errors = problems(&mut w.tx, firm_id, &connection, settings, &payments).await?;
        if !errors.is_empty() {
            return Err(StoreError::Validation(errors));
        }
        let feed_all = matches!(settings.feed, FeedObjects::All);
        sqlx::query(
            "UPDATE shop_connections SET feed_all = $1, operations_object_id = $2, \
             sale_rule = $3, shop_stock_status = $4, auto_sync = $5, delivery_good_id = $6, \
             discount_good_id = $7, fee_good_id = $8, updated_at = $9 WHERE id = $10",
        )
        .bind(flag(feed_all))
        .bind(settings.operations_object_id)
        .bind(settings.sale_rule.key())
        .bind(settings.shop_stock_status.key())
        .bind(flag(settings.auto_sync))
        .bind(settings.delivery_good_id)
        .bind(settings.discount_good_id)
        .bind(settings.fee_good_id)
        .bind(ts_text(self.now()))
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
        sqlx::query("DELETE FROM shop_connection_objects WHERE connection_id = $1")
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
        if let FeedObjects::Objects(ids) = &settings.feed {
            let mut unique = ids.clone();
            unique.sort_unstable();
            unique.dedup();
            for object_id in unique {
                sqlx::query(
                    "INSERT INTO shop_connection_objects (connection_id, object_id) VALUES ($1, $2)",
                )
                .bind(id)
                .bind(object_id)
                .execute(&mut *w.tx)
                .await?;
            }
        }
        for p in &payments {
            sqlx::query(
                "UPDATE shop_payments SET payment_type_id = $1 \
                 WHERE connection_id = $2 AND provider = $3",
            )
            .bind(p.payment_type_id)
            .bind(id)
            .bind(&p.provider)
            .execute(&mut *w.tx)
            .await?;
        }
        crate::shops::orders::retry_attention(&mut w.tx, id).await?;
        // The objects or the price group may have changed: every value is compared again.
        crate::shops::mark_connection_due(&mut w.tx, id, &ts_text(self.now())).await?;
        crate::shops::journal::append(
            &mut w.tx,
            firm_id,
            Some(id),
            self.now(),
            &JournalNote {
                actor: actor.to_owned(),
                action: "settings_saved".into(),
                outcome: "ok".into(),
                message_bg: format!(
                    "Запазени настройки: продажба при „{}“, автоматична синхронизация {}.",
                    settings.sale_rule.key(),
                    if settings.auto_sync {
                        "вкл."
                    } else {
                        "изкл."
                    }
                ),
                message_en: format!(
                    "Settings saved: sale at \"{}\", automatic synchronisation {}.",
                    settings.sale_rule.key(),
                    if settings.auto_sync { "on" } else { "off" }
                ),
                details: serde_json::to_value(settings).unwrap_or_default(),
            },
        )
        .await?;
        let saved = connection_in(&mut w.tx, firm_id, id).await?;
        w.commit().await?;
        Ok(saved)
    }

    /// What the stored settings still lack before orders can flow; empty when complete.
    pub async fn shop_settings_problems(
        &self,
        firm_id: Id,
        id: Id,
    ) -> StoreResult<ValidationErrors> {
        let mut conn = self.pool.acquire().await?;
        let connection = connection_in(&mut conn, firm_id, id).await?;
        let payments = payments_of(&mut conn, id).await?;
        problems(
            &mut conn,
            firm_id,
            &connection,
            &connection.settings,
            &payments,
        )
        .await
    }

    /// „Създай“: gives every special-good role that has none a service good: an
    /// existing service with the role's code (`CC-DOSTAVKA`, `CC-OTSTAPKA`,
    /// `CC-TAKSA`), else a new one (VAT 20 %, „бр.“). A code taken by a stocked good
    /// is refused (`special_good_code_taken`), creating nothing.
    pub async fn create_special_goods(
        &self,
        firm_id: Id,
        id: Id,
        actor: &str,
    ) -> StoreResult<ShopConnection> {
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        let connection = connection_in(&mut w.tx, firm_id, id).await?;
        let mut settings = connection.settings.clone();
        let mut created = Vec::new();
        for role in SpecialGoodRole::ALL {
            if settings.special_good(role).is_some() {
                continue;
            }
            let (code, name) = role.default_good();
            let existing =
                sqlx::query("SELECT id, kind FROM goods WHERE firm_id = $1 AND code = $2")
                    .bind(firm_id)
                    .bind(code)
                    .fetch_optional(&mut *w.tx)
                    .await?;
            let good_id = match existing {
                Some(row) if get::<String>(&row, "kind")? == enum_key(&GoodKind::Service) => {
                    get(&row, "id")?
                }
                Some(_) => {
                    return Err(invalid(
                        role.field(),
                        "special_good_code_taken",
                        format!("Кодът {code} е зает от стока, която не е услуга."),
                        format!("Code {code} is taken by a good that is not a service."),
                    ))
                }
                None => {
                    let input = GoodInput {
                        code: code.into(),
                        barcodes: Vec::new(),
                        name: name.into(),
                        measure: "бр.".into(),
                        kind: GoodKind::Service,
                        vat_rate: VatRate::Standard,
                        group: None,
                        active: true,
                        prices: BTreeMap::new(),
                    };
                    created.push(name);
                    crate::goods::insert_good(&mut w.tx, firm_id, &input).await?
                }
            };
            settings.set_special_good(role, Some(good_id));
        }
        sqlx::query(
            "UPDATE shop_connections SET delivery_good_id = $1, discount_good_id = $2, \
             fee_good_id = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(settings.delivery_good_id)
        .bind(settings.discount_good_id)
        .bind(settings.fee_good_id)
        .bind(ts_text(self.now()))
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
        crate::shops::orders::retry_attention(&mut w.tx, id).await?;
        crate::shops::journal::append(
            &mut w.tx,
            firm_id,
            Some(id),
            self.now(),
            &JournalNote {
                actor: actor.to_owned(),
                action: "special_goods".into(),
                outcome: "ok".into(),
                message_bg: format!(
                    "Специални стоки зададени; създадени: {}.",
                    if created.is_empty() {
                        "няма".to_owned()
                    } else {
                        created.join(", ")
                    }
                ),
                message_en: format!(
                    "Special goods set; created: {}.",
                    if created.is_empty() {
                        "none".to_owned()
                    } else {
                        created.len().to_string()
                    }
                ),
                details: serde_json::json!({ "created": created }),
            },
        )
        .await?;
        let saved = connection_in(&mut w.tx, firm_id, id).await?;
        w.commit().await?;
        Ok(saved)
    }

    /// Records that the merchant confirmed the first push preview (nothing is pushed to
    /// the shop before), with `preview` (the figures shown) in the journal.
    pub async fn confirm_first_push(
        &self,
        firm_id: Id,
        id: Id,
        preview: serde_json::Value,
        actor: &str,
    ) -> StoreResult<ShopConnection> {
        let mut w = self.write().await?;
        connection_in(&mut w.tx, firm_id, id).await?;
        sqlx::query(
            "UPDATE shop_connections SET first_push_confirmed_at = $1, updated_at = $1 \
             WHERE id = $2",
        )
        .bind(ts_text(self.now()))
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
        // The first push: every linked variant is compared and written where it differs.
        crate::shops::mark_connection_due(&mut w.tx, id, &ts_text(self.now())).await?;
        crate::shops::journal::append(
            &mut w.tx,
            firm_id,
            Some(id),
            self.now(),
            &JournalNote {
                actor: actor.to_owned(),
                action: "first_push_confirmed".into(),
                outcome: "ok".into(),
                message_bg: "Първото изпращане на количествата е потвърдено.".into(),
                message_en: "The first push of quantities was confirmed.".into(),
                details: preview,
            },
        )
        .await?;
        let saved = connection_in(&mut w.tx, firm_id, id).await?;
        w.commit().await?;
        Ok(saved)
    }
}
