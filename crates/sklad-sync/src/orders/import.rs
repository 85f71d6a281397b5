//! The importer (SPEC G2, G4, G5, G7–G10, X2, X7): one dirty shop order, re-read from the
//! shop, becomes exactly one live operation — an Order that reserves its goods, or a
//! Sale when G2 says so; the Order turns into a Sale when the shop order reaches that
//! state; edits in the shop edit the operation; a negative status annuls it (returning
//! stock when it was a sale); a recovery posts it again. Whatever cannot be posted waits
//! in the needs-attention list with its reason; nothing is half-posted.

use sklad_domain::model::{Partner, PartnerInput};
use sklad_domain::operation::{
    ExternalRef, Operation, OperationDraft, OperationKind, OperationStatus,
};
use sklad_domain::shop::order::{
    is_negative, order_lines, partner_plan, sale_reached, Attention, LineContext, LineGood,
    PartnerKey, ShopOrder,
};
use sklad_domain::shop::push::{shop_took_stock, stock_taken};
use sklad_domain::Id;
use sklad_store::shops::{OrderAttention, OrderOutcome, ShopConnection, ShopOrderRecord};
use sklad_store::{Store, StoreError};

use crate::error::{SyncError, SyncResult};
use crate::orders::read;
use crate::Bridge;

/// The external reference source of a connection's operations: the shop's host, so a
/// firm restored with a new connection to the same shop finds its operations again.
pub(crate) fn ext_source(connection: &ShopConnection) -> String {
    format!("cloudcart:{}", connection.shop_host)
}

/// The external id of posting `n` (1-based) of a shop order: `20417`, then `20417/2` …
fn ext_id(order_id: &str, posting: i64) -> String {
    if posting <= 1 {
        order_id.to_owned()
    } else {
        format!("{order_id}/{posting}")
    }
}

/// Why an import stopped short of an outcome.
pub(crate) enum Stop {
    /// Try again later (the shop unreachable, stock short …), showing `attention`
    /// meanwhile when given.
    Later(SyncError, Option<OrderAttention>),
}

impl From<SyncError> for Stop {
    fn from(e: SyncError) -> Self {
        Stop::Later(e, None)
    }
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Stop::Later(e.into(), None)
    }
}

fn attention_of(a: &Attention) -> OrderAttention {
    OrderAttention {
        code: a.code().to_owned(),
        message_bg: a.message_bg(),
        message_en: a.message_en(),
        details: serde_json::to_value(a).unwrap_or_default(),
    }
}

/// An attention made of a refusal of the store (e.g. an operation it would not take).
fn attention_of_store(e: &StoreError) -> OrderAttention {
    let first = e.validation().and_then(|v| v.errors.first());
    OrderAttention {
        code: first.map_or(e.code(), |f| f.code).to_owned(),
        message_bg: e.message_bg(),
        message_en: e.message_en(),
        details: serde_json::json!({ "errors": e.validation().map(|v| &v.errors) }),
    }
}

/// The live operation of the record (following an order converted into a sale), and
/// the last one posted (live or annulled).
async fn operations(
    store: &Store,
    firm_id: Id,
    connection: &ShopConnection,
    record: &ShopOrderRecord,
) -> SyncResult<Option<Operation>> {
    let op = match record.operation_id {
        Some(id) => Some(store.operation(firm_id, id).await?),
        // A crash between posting and recording: the reference finds it.
        None => {
            store
                .operation_by_external_ref(
                    firm_id,
                    &ext_source(connection),
                    &ext_id(&record.shop_order_id, record.postings.max(1)),
                )
                .await?
        }
    };
    match op {
        Some(op) if op.status == OperationStatus::Converted => match op.converted_to {
            Some(sale) => Ok(Some(store.operation(firm_id, sale).await?)),
            None => Ok(Some(op)),
        },
        other => Ok(other),
    }
}

/// Re-reads the order and makes its operation what the shop says.
pub(crate) async fn import(
    bridge: &Bridge,
    record: &ShopOrderRecord,
) -> Result<OrderOutcome, Stop> {
    let store = bridge.store();
    let firm = store.firm(record.firm_id).await?;
    let connection = store
        .shop_connection(record.firm_id, record.connection_id)
        .await?;
    let client = bridge.client_of(&connection).await?;
    let full = match client.full_order(&record.shop_order_id).await {
        Ok(full) => full,
        // The shop has no such order (orders cannot be deleted through the API, so the
        // delivery named one that never was): listed, not retried.
        Err(cloudcart::Error::NotFound { .. }) => {
            return Ok(OrderOutcome {
                state: "attention",
                operation_id: record.operation_id,
                postings: record.postings,
                shop_status: record.shop_status.clone(),
                fulfilled: record.fulfilled,
                shop_updated_at: record.shop_updated_at.clone(),
                currency: record.currency.clone(),
                total: record.total,
                attention: Some(OrderAttention {
                    code: "order_not_found".into(),
                    message_bg: format!(
                        "Магазинът няма поръчка №{}: известието е за поръчка, която не съществува.",
                        record.shop_order_id
                    ),
                    message_en: format!(
                        "The shop has no order #{}: the notification named an order that does not exist.",
                        record.shop_order_id
                    ),
                    details: serde_json::json!({}),
                }),
                warnings: record.warnings.clone(),
            })
        }
        Err(e) => return Err(Stop::Later(e.into(), None)),
    };
    let order = read::shop_order(&full, record.fees.as_ref());
    // The pusher does not compare this connection's links between the tracked shop
    // quantities moving (below) and the operation changing (further down): it would
    // write a value half-way between the two.
    let gate = bridge.import_gate(connection.id);
    let _importing = gate.read().await;
    // The shop takes and gives back stock by itself (API.md §3.6): the tracked shop
    // quantities of its variants move with it, whatever else this import does.
    if let Some(took) = shop_took_stock(
        connection.settings.shop_stock_status,
        &order.status,
        order.fulfilled,
    ) {
        let lines = order
            .lines
            .iter()
            .filter_map(|l| l.variant_id.as_deref().map(|v| (v, l.quantity)));
        store
            .record_shop_stock_taken(
                connection.id,
                &record.shop_order_id,
                &stock_taken(took, lines),
            )
            .await?;
    }
    let mut outcome = OrderOutcome {
        state: "imported",
        operation_id: record.operation_id,
        postings: record.postings,
        shop_status: Some(order.status.clone()),
        fulfilled: order.fulfilled,
        shop_updated_at: full.order.attributes.updated_at.clone(),
        currency: Some(order.currency.clone()),
        total: order.total,
        attention: None,
        warnings: serde_json::json!([]),
    };
    let live = operations(store, firm.id, &connection, record).await?;
    if let Some(op) = &live {
        outcome.operation_id = Some(op.id);
        outcome.postings = outcome.postings.max(1);
    }
    if is_negative(&order.status) {
        // SPEC G7: annulled (a sale's stock comes back); never revived by a late delivery.
        return Ok(match live {
            Some(op) if op.status == OperationStatus::Active => {
                let annulled = store.annul_operation(firm.id, op.id).await?;
                OrderOutcome {
                    state: "annulled",
                    operation_id: Some(annulled.id),
                    ..outcome
                }
            }
            Some(_) => OrderOutcome {
                state: "annulled",
                ..outcome
            },
            None => OrderOutcome {
                state: "cancelled",
                ..outcome
            },
        });
    }
    // Partners are found or created one order at a time in this process, so two orders
    // of one new buyer imported at once make one partner (only this process imports
    // this shop's orders: it holds the shop's lease).
    let partners = bridge.inner.partner_lock.lock().await;
    let drafted = draft(store, &firm, &connection, &order, record.connection_id).await?;
    drop(partners);
    let draft = match drafted {
        Ok((draft, warnings)) => {
            outcome.warnings = serde_json::to_value(warnings).unwrap_or_default();
            draft
        }
        Err(attention) => {
            return Ok(OrderOutcome {
                state: "attention",
                attention: Some(attention),
                ..outcome
            })
        }
    };
    let reached = sale_reached(
        connection.settings.sale_rule,
        &order.status,
        order.fulfilled,
    );
    let posted = post(
        store,
        &firm.id,
        &connection,
        &order,
        live,
        draft,
        reached,
        &mut outcome,
    )
    .await;
    match posted {
        Ok(()) => Ok(outcome),
        Err(StoreError::Validation(v))
            if v.errors.iter().any(|e| e.code == "insufficient_stock") =>
        {
            // Stock may arrive: try again later, and say why meanwhile.
            let e = StoreError::Validation(v);
            let attention = attention_of_store(&e);
            Err(Stop::Later(e.into(), Some(attention)))
        }
        Err(e @ StoreError::Validation(_)) => Ok(OrderOutcome {
            state: "attention",
            attention: Some(attention_of_store(&e)),
            ..outcome
        }),
        Err(e) => Err(e.into()),
    }
}

/// Posts the draft: a new operation (a new posting after a recovery), an edit, and the
/// conversion of an order into a sale once the shop order reached G2's state.
#[allow(clippy::too_many_arguments)]
async fn post(
    store: &Store,
    firm_id: &Id,
    connection: &ShopConnection,
    order: &ShopOrder,
    live: Option<Operation>,
    mut draft: OperationDraft,
    reached: bool,
    outcome: &mut OrderOutcome,
) -> Result<(), StoreError> {
    let firm_id = *firm_id;
    match live {
        Some(op) if op.status == OperationStatus::Active => {
            draft.kind = op.kind;
            draft.external_ref = op.external_ref.clone();
            draft.date = op.date;
            let mut op = if differs(&op, &draft) {
                store.update_operation(firm_id, op.id, &draft).await?
            } else {
                op
            };
            if op.kind == OperationKind::Order && reached {
                op = store.convert_order_to_sale(firm_id, op.id, None).await?;
            }
            outcome.operation_id = Some(op.id);
        }
        // No operation yet, or only an annulled one (a recovery): post it (again).
        previous => {
            let posting = if previous.is_some() {
                outcome.postings + 1
            } else {
                1
            };
            draft.kind = if reached {
                OperationKind::Sale
            } else {
                OperationKind::Order
            };
            draft.external_ref = Some(ExternalRef {
                source: ext_source(connection),
                id: ext_id(&order.id, posting),
            });
            let op = match store.create_operation(firm_id, &draft).await {
                Ok(op) => op,
                // Posted by an attempt that died before recording it.
                Err(StoreError::Validation(v))
                    if v.errors.iter().any(|e| e.code == "external_ref_duplicate") =>
                {
                    let reference = draft
                        .external_ref
                        .as_ref()
                        .map(|r| (r.source.clone(), r.id.clone()));
                    let (source, id) = reference.unwrap_or_default();
                    match store
                        .operation_by_external_ref(firm_id, &source, &id)
                        .await?
                    {
                        Some(op) => op,
                        None => return Err(StoreError::Validation(v)),
                    }
                }
                Err(e) => return Err(e),
            };
            outcome.operation_id = Some(op.id);
            outcome.postings = posting;
        }
    }
    Ok(())
}

/// Whether the shop's version changes the operation (lines, partner, payment type).
fn differs(op: &Operation, draft: &OperationDraft) -> bool {
    op.lines != draft.lines
        || op.partner_id != draft.partner_id
        || op.payment_type_id != draft.payment_type_id
        || op.object_id != draft.object_id
}

/// The operation the order should be (kind set by the caller), with the import's
/// warnings; or why it must wait.
async fn draft(
    store: &Store,
    firm: &sklad_domain::model::Firm,
    connection: &ShopConnection,
    order: &ShopOrder,
    connection_id: Id,
) -> Result<
    Result<(OperationDraft, Vec<sklad_domain::shop::order::OrderWarning>), OrderAttention>,
    StoreError,
> {
    let settings = &connection.settings;
    let Some(object_id) = settings.operations_object_id else {
        return Ok(Err(OrderAttention {
            code: "operations_object_missing".into(),
            message_bg: "Във връзката не е избран обект за поръчките.".into(),
            message_en: "The connection has no object for orders.".into(),
            details: serde_json::json!({}),
        }));
    };
    // Lines (G4): the stored link, else SKU ↔ main code, else barcode.
    let mut goods = Vec::with_capacity(order.lines.len());
    let mut unknown = Vec::new();
    for line in &order.lines {
        match line_good(store, firm.id, connection_id, line).await? {
            Some(good) => goods.push(good),
            None => unknown.push(
                line.sku
                    .clone()
                    .or_else(|| line.barcode.clone())
                    .unwrap_or_else(|| line.name.clone()),
            ),
        }
    }
    if !unknown.is_empty() {
        return Ok(Err(attention_of(&Attention::UnknownSku { skus: unknown })));
    }
    // Payment (S2).
    let payment_type_id = match &order.payment_provider {
        Some(provider) => {
            let mapped = store
                .shop_payments(firm.id, connection.id)
                .await?
                .into_iter()
                .find(|p| &p.provider == provider)
                .and_then(|p| p.payment_type_id);
            match mapped {
                Some(t) => Some(t),
                None => {
                    return Ok(Err(attention_of(&Attention::PaymentUnmapped {
                        provider: provider.clone(),
                    })))
                }
            }
        }
        None => None,
    };
    let special = |id: Option<Id>| async move {
        match id {
            Some(id) => store.good(firm.id, id).await.map(|g| {
                Some(LineGood {
                    good_id: g.id,
                    vat_rate: g.vat_rate,
                })
            }),
            None => Ok(None),
        }
    };
    let ctx = LineContext {
        firm_currency: firm.currency,
        prices_with_vat: connection.prices_with_vat,
        delivery: special(settings.delivery_good_id).await?,
        discount: settings.discount_good_id,
        fee: special(settings.fee_good_id).await?,
    };
    let lines = match order_lines(order, &goods, &ctx) {
        Ok(lines) => lines,
        Err(a) => return Ok(Err(attention_of(&a))),
    };
    let plan = partner_plan(order);
    let partner_id = partner(store, firm.id, &plan).await?;
    let date = order
        .date_added
        .as_deref()
        .and_then(|d| d.get(..10))
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| store.clock().today_in_sofia());
    Ok(Ok((
        OperationDraft {
            kind: OperationKind::Order,
            date,
            object_id,
            target_object_id: None,
            partner_id,
            payment_type_id,
            currency: firm.currency,
            lines,
            external_ref: None,
            note: Some(format!(
                "CloudCart поръчка №{} ({})",
                order.id, connection.shop_host
            )),
        },
        plan.warnings,
    )))
}

/// The good of an order line: the link of its variant, else its SKU as a main code,
/// else its barcode.
async fn line_good(
    store: &Store,
    firm_id: Id,
    connection_id: Id,
    line: &sklad_domain::shop::order::ShopOrderLine,
) -> Result<Option<LineGood>, StoreError> {
    let mut good_id = match &line.variant_id {
        Some(v) => store.shop_link_good(connection_id, v).await?,
        None => None,
    };
    if good_id.is_none() {
        if let Some(sku) = &line.sku {
            good_id = found(store.good_by_code(firm_id, sku).await)?.map(|g| g.id);
        }
    }
    if good_id.is_none() {
        if let Some(barcode) = &line.barcode {
            good_id = found(store.good_by_barcode(firm_id, barcode).await)?.map(|g| g.id);
        }
    }
    let Some(id) = good_id else { return Ok(None) };
    let good = store.good(firm_id, id).await?;
    Ok(Some(LineGood {
        good_id: good.id,
        vat_rate: good.vat_rate,
    }))
}

fn found<T>(result: Result<T, StoreError>) -> Result<Option<T>, StoreError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(StoreError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The order's partner (G5): found by ЕИК (or the ЕГН typed in its place), else by
/// e-mail, and updated from the order; created when none is found. A B2B buyer who
/// orders with two e-mails is one partner (the ЕИК finds it).
async fn partner(
    store: &Store,
    firm_id: Id,
    plan: &sklad_domain::shop::order::PartnerPlan,
) -> Result<Option<Id>, StoreError> {
    let existing = match &plan.key {
        PartnerKey::Eik(eik) => found(store.partner_by_eik(firm_id, eik).await)?,
        PartnerKey::Email(email) => found(store.partner_by_email(firm_id, email).await)?,
        PartnerKey::None => None,
    };
    match existing {
        Some(p) => {
            let merged = merge(&p, &plan.input, matches!(plan.key, PartnerKey::Eik(_)));
            if merged != input_of(&p) {
                store.update_partner(firm_id, p.id, &merged).await?;
            }
            Ok(Some(p.id))
        }
        None => match store.create_partner(firm_id, &plan.input).await {
            Ok(p) => Ok(Some(p.id)),
            // Another import created it meanwhile (the ЕИК is unique in the schema).
            Err(StoreError::Validation(v))
                if v.errors.iter().any(|e| e.code == "eik_duplicate") =>
            {
                match &plan.key {
                    PartnerKey::Eik(eik) => Ok(Some(store.partner_by_eik(firm_id, eik).await?.id)),
                    _ => Err(StoreError::Validation(v)),
                }
            }
            Err(e) => Err(e),
        },
    }
}

fn input_of(p: &Partner) -> PartnerInput {
    PartnerInput {
        name: p.name.clone(),
        eik: p.eik.clone(),
        vat_number: p.vat_number.clone(),
        mol: p.mol.clone(),
        address: p.address.clone(),
        city: p.city.clone(),
        phone: p.phone.clone(),
        email: p.email.clone(),
        role: p.role,
        price_group: p.price_group,
    }
}

/// The partner with the order's details: found by its company id, the order's details
/// win; found by e-mail, they fill what the partner lacks (a company found by the
/// e-mail of a private order keeps its name).
fn merge(p: &Partner, order: &PartnerInput, by_company_id: bool) -> PartnerInput {
    let pick = |ours: &Option<String>, theirs: &Option<String>| {
        if by_company_id {
            theirs.clone().or_else(|| ours.clone())
        } else {
            ours.clone().or_else(|| theirs.clone())
        }
    };
    PartnerInput {
        name: if by_company_id || p.eik.is_none() {
            order.name.clone()
        } else {
            p.name.clone()
        },
        eik: p.eik.clone().or_else(|| order.eik.clone()),
        vat_number: pick(&p.vat_number, &order.vat_number),
        mol: pick(&p.mol, &order.mol),
        address: pick(&p.address, &order.address),
        city: pick(&p.city, &order.city),
        phone: pick(&p.phone, &order.phone),
        email: p.email.clone().or_else(|| order.email.clone()),
        role: p.role,
        price_group: p.price_group,
    }
}
