//! K2 „Импортирай ВСИЧКИ стоки от магазина“ as the store applies it: each step creates
//! or updates one good and links it to its shop variant; a batch of steps is one
//! transaction, all or nothing (the bridge retries a failed batch step by step, so a
//! row with a problem is skipped alone and nothing is half-written).

use sklad_domain::model::GoodInput;
use sklad_domain::Id;

use crate::db::{get, ts_text, Arg};
use crate::goods::{check_unique, insert_good, one_good, replace_good};
use crate::shops::connections::connection_in;
use crate::{Store, StoreResult};

/// One row of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportStep {
    /// A new good made from a shop variant, linked to it.
    Create {
        /// The good (code = SKU, name, barcode, price, VAT 20 %, kind good).
        input: GoodInput,
        /// The shop's variant id.
        variant_id: String,
        /// The shop's product id.
        product_id: String,
    },
    /// An existing good: the shop's name, and its barcode added when the good lacks it;
    /// linked to the variant.
    Update {
        /// The good.
        good_id: Id,
        /// The name from the shop.
        name: String,
        /// The variant's barcode.
        barcode: Option<String>,
        /// The shop's variant id.
        variant_id: String,
        /// The shop's product id.
        product_id: String,
    },
}

/// What a step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    /// A good was created and linked.
    Created(Id),
    /// A good's name or barcode changed (and it was linked, if it was not).
    Updated(Id),
    /// A good was linked, nothing else changed.
    Linked(Id),
    /// Nothing changed: already linked, same name and barcode.
    Unchanged(Id),
}

/// Links `good_id` to the variant; `true` when the link is new.
async fn link(
    conn: &mut sqlx::AnyConnection,
    connection_id: Id,
    good_id: Id,
    variant_id: &str,
    product_id: &str,
    now: &str,
) -> StoreResult<bool> {
    let existing = sqlx::query(
        "SELECT good_id FROM shop_links WHERE connection_id = $1 AND shop_variant_id = $2",
    )
    .bind(connection_id)
    .bind(variant_id)
    .fetch_optional(&mut *conn)
    .await?;
    match existing {
        Some(row) if get::<Id>(&row, "good_id")? == good_id => Ok(false),
        Some(_) => Err(crate::db::invalid(
            "shop_variant_id",
            "variant_linked_elsewhere",
            "Вариантът вече е свързан с друга стока.",
            "The variant is already linked to another good.",
        )),
        None => {
            sqlx::query(
                "INSERT INTO shop_links (connection_id, shop_variant_id, shop_product_id, \
                 good_id, sync_excluded, shop_unlimited, created_at) \
                 VALUES ($1, $2, $3, $4, 0, 0, $5)",
            )
            .bind(connection_id)
            .bind(variant_id)
            .bind(product_id)
            .bind(good_id)
            .bind(now)
            .execute(&mut *conn)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db)
                    if db.kind() == sqlx::error::ErrorKind::UniqueViolation =>
                {
                    crate::db::invalid(
                        "good_id",
                        "good_linked_elsewhere",
                        "Стоката вече е свързана с друг вариант в магазина.",
                        "The good is already linked to another variant in the shop.",
                    )
                }
                _ => e.into(),
            })?;
            Ok(true)
        }
    }
}

impl Store {
    /// Applies `steps` in one transaction, all or nothing; returns what each did.
    pub async fn apply_shop_import(
        &self,
        firm_id: Id,
        connection_id: Id,
        steps: &[ImportStep],
    ) -> StoreResult<Vec<ImportOutcome>> {
        let now = ts_text(self.now());
        let mut w = self.write().await?;
        self.lock_firm(&mut w.tx, firm_id).await?;
        connection_in(&mut w.tx, firm_id, connection_id).await?;
        let mut outcomes = Vec::with_capacity(steps.len());
        for step in steps {
            let outcome = match step {
                ImportStep::Create {
                    input,
                    variant_id,
                    product_id,
                } => {
                    let input = input.validate()?;
                    check_unique(&mut w.tx, firm_id, None, &input).await?;
                    let id = insert_good(&mut w.tx, firm_id, &input).await?;
                    link(&mut w.tx, connection_id, id, variant_id, product_id, &now).await?;
                    ImportOutcome::Created(id)
                }
                ImportStep::Update {
                    good_id,
                    name,
                    barcode,
                    variant_id,
                    product_id,
                } => {
                    let good =
                        one_good(&mut w.tx, firm_id, " AND id = ", Arg::Int(*good_id)).await?;
                    let mut input = GoodInput {
                        code: good.code.clone(),
                        barcodes: good.barcodes.clone(),
                        name: name.clone(),
                        measure: good.measure.clone(),
                        kind: good.kind,
                        vat_rate: good.vat_rate,
                        group: good.group.clone(),
                        active: good.active,
                        prices: good.prices.clone(),
                    };
                    if let Some(b) = barcode.as_ref().filter(|b| !good.barcodes.contains(b)) {
                        input.barcodes.push(b.clone());
                    }
                    let changed = input.name != good.name || input.barcodes != good.barcodes;
                    if changed {
                        let input = input.validate()?;
                        replace_good(&mut w.tx, firm_id, *good_id, &input, &now).await?;
                    }
                    let linked = link(
                        &mut w.tx,
                        connection_id,
                        *good_id,
                        variant_id,
                        product_id,
                        &now,
                    )
                    .await?;
                    match (changed, linked) {
                        (true, _) => ImportOutcome::Updated(*good_id),
                        (false, true) => ImportOutcome::Linked(*good_id),
                        (false, false) => ImportOutcome::Unchanged(*good_id),
                    }
                }
            };
            outcomes.push(outcome);
        }
        // New links and goods may be what waiting orders wait for.
        crate::shops::orders::retry_attention(&mut w.tx, connection_id).await?;
        w.commit().await?;
        Ok(outcomes)
    }
}
