//! The demo's life: buyers order in the emulated shop, the warehouse sells over the
//! counter, and what the bridge does with each is told as it happens — the order that
//! arrived in Чакащи поръчки, the quantity the shop accepted.

use std::collections::HashMap;
use std::io::Write as _;
use std::time::Duration;

use anyhow::{Context, Result};
use cloudcart_sim::seed::SplitMix;
use cloudcart_sim::{Actor, Buyer, Control, LineRequest, OrderRequest, VariantView};
use serde_json::{json, Value};
use sklad_domain::clock::{Clock, SystemClock};
use sklad_domain::model::GoodKind;
use sklad_domain::operation::{Line, OperationDraft, OperationKind};
use sklad_domain::{Id, PriceGroup, Quantity};
use sklad_store::{Paging, Store};

use crate::commands::explain;

/// How often the narrator looks at what happened.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// Buyers of the stream: (first name, last name, e-mail name).
const PEOPLE: &[(&str, &str, &str)] = &[
    ("Мария", "Иванова", "maria.ivanova"),
    ("Георги", "Димитров", "georgi.dimitrov"),
    ("Елена", "Николова", "elena.nikolova"),
    ("Петър", "Стоянов", "petar.stoyanov"),
    ("Десислава", "Георгиева", "desislava.georgieva"),
    ("Николай", "Тодоров", "nikolay.todorov"),
];

/// Companies that order with an invoice: (name, МОЛ, e-mail name).
const COMPANIES: &[(&str, &str, &str)] = &[
    ("Бяла роза ООД", "Светла Петкова", "office.byalaroza"),
    ("Планина Спорт ЕООД", "Иван Колев", "orders.planinasport"),
];

/// Where the demo's story goes: stdout, as lines for people or one JSON object per line.
#[derive(Debug, Clone, Copy)]
pub struct Narrator {
    json: bool,
}

impl Narrator {
    pub fn new(json: bool) -> Narrator {
        Narrator { json }
    }

    /// Writes one line. A closed stdout does not stop the demo.
    pub fn line(&self, text: &str) {
        let _ = writeln!(std::io::stdout(), "{text}");
    }

    /// A line for people (nothing in JSON mode).
    pub fn say(&self, text: &str) {
        if !self.json {
            self.line(text);
        }
    }

    /// Something that happened: `{"event": kind, …fields, "message_bg", "message_en"}` in
    /// JSON mode, the time and both messages otherwise.
    pub fn event(&self, kind: &str, bg: &str, en: &str, fields: Value) {
        if self.json {
            let mut line = json!({"event": kind, "message_bg": bg, "message_en": en});
            if let (Some(line), Value::Object(fields)) = (line.as_object_mut(), fields) {
                line.extend(fields);
            }
            self.line(&line.to_string());
        } else {
            let at = SystemClock
                .now()
                .to_zoned(sklad_domain::clock::sofia())
                .strftime("%H:%M:%S");
            self.line(&format!("[{at}] {bg} / {en}"));
        }
    }
}

/// The stream of orders and sales of one demo connection.
#[derive(Clone)]
pub struct Stream {
    pub store: Store,
    pub control: Control,
    pub host: String,
    pub firm_id: Id,
    pub connection_id: Id,
    pub narrator: Narrator,
}

impl Stream {
    /// Every `every`: a shop order, then a warehouse sale, by turns, until aborted.
    pub async fn place_and_sell(self, every: Duration) {
        let seed = SystemClock.now().as_nanosecond() as u64;
        let mut random = SplitMix::new(seed);
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker.tick().await;
        for turn in 0u64.. {
            ticker.tick().await;
            let done = if turn % 2 == 0 {
                self.place_order(&mut random, turn).await
            } else {
                self.sell(&mut random).await
            };
            if let Err(e) = done {
                self.narrator.event(
                    "demo_error",
                    &format!("Демото не успя да продължи: {e:#}"),
                    &format!("The demo's stream stumbled: {e:#}"),
                    json!({}),
                );
            }
        }
    }

    /// A buyer orders one or two things the shop has; every other order is then paid.
    async fn place_order(&self, random: &mut SplitMix, turn: u64) -> Result<()> {
        let offered: Vec<VariantView> = self
            .control
            .variants(&self.host)
            .into_iter()
            .filter(|v| {
                v.sku.as_deref().is_some_and(|s| !s.is_empty())
                    && v.quantity.is_none_or(|q| q >= 1.0)
            })
            .collect();
        anyhow::ensure!(!offered.is_empty(), "the shop has nothing left to sell");
        let mut lines: Vec<LineRequest> = Vec::new();
        for _ in 0..=random.below(2) {
            let v = &offered[random.below(offered.len() as u64) as usize];
            let sku = v.sku.clone().unwrap_or_default();
            if lines.iter().all(|l| l.sku != sku) {
                lines.push(LineRequest { sku, quantity: 1 });
            }
        }
        let (buyer, who) = buyer(random, turn);
        let payment = if turn % 3 == 2 { "bwt" } else { "cod" };
        let request = OrderRequest {
            lines,
            buyer,
            payment_provider: Some(payment.to_owned()),
            ..OrderRequest::person("", &[])
        };
        let id = self
            .control
            .place_order(&self.host, &request)
            .map_err(|e| anyhow::anyhow!("{} / {}", e.message_bg, e.message_en))?;
        let skus: Vec<&str> = request.lines.iter().map(|l| l.sku.as_str()).collect();
        self.narrator.event(
            "shop_order_placed",
            &format!("Магазин: {who} поръча {} (поръчка {id})", skus.join(", ")),
            &format!("Shop: {who} ordered {} (order {id})", skus.join(", ")),
            json!({"shop_order_id": id, "skus": skus}),
        );
        if turn % 4 == 2 {
            self.control
                .pay(&self.host, id, Actor::Merchant)
                .map_err(|e| anyhow::anyhow!("{} / {}", e.message_bg, e.message_en))?;
            self.narrator.event(
                "shop_order_paid",
                &format!(
                    "Магазин: поръчка {id} е платена (магазинът взема стоката от наличността си)"
                ),
                &format!("Shop: order {id} is paid (the shop takes its units from its stock)"),
                json!({"shop_order_id": id}),
            );
        }
        Ok(())
    }

    /// One unit of a linked good the warehouse holds, sold over the counter at its retail
    /// price in the object that feeds the shop.
    async fn sell(&self, random: &mut SplitMix) -> Result<()> {
        let links = self
            .store
            .shop_links(self.firm_id, self.connection_id)
            .await
            .map_err(explain)?;
        anyhow::ensure!(!links.is_empty(), "no good is linked to the shop");
        let firm = self.store.firm(self.firm_id).await.map_err(explain)?;
        for _ in 0..20 {
            let link = &links[random.below(links.len() as u64) as usize];
            let good = self
                .store
                .good(self.firm_id, link.good_id)
                .await
                .map_err(explain)?;
            let Some(&price) = good.prices.get(&PriceGroup::Retail) else {
                continue;
            };
            if link.sync_excluded || good.kind != GoodKind::Good || !good.active {
                continue;
            }
            let levels = self
                .store
                .stock_of_good(self.firm_id, good.id)
                .await
                .map_err(explain)?;
            let Some(level) = levels
                .iter()
                .find(|l| l.available() >= Quantity::from_units(1))
            else {
                continue;
            };
            let sale = self
                .store
                .create_operation(
                    self.firm_id,
                    &OperationDraft {
                        kind: OperationKind::Sale,
                        date: SystemClock.today_in_sofia(),
                        object_id: level.object_id,
                        target_object_id: None,
                        partner_id: None,
                        payment_type_id: None,
                        currency: firm.currency,
                        lines: vec![Line {
                            good_id: good.id,
                            quantity: Quantity::from_units(1),
                            unit_price: price,
                            vat_rate: good.vat_rate,
                            discount_bp: 0,
                        }],
                        external_ref: None,
                        note: Some("Демо: продажба на място".into()),
                    },
                )
                .await
                .map_err(explain)
                .context("selling in the warehouse")?;
            let left = level.available() - Quantity::from_units(1);
            self.narrator.event(
                "warehouse_sale",
                &format!(
                    "Склад: продажба №{} — 1 × {} ({}); остават {}",
                    sale.id,
                    good.name,
                    good.code,
                    left.format_bg()
                ),
                &format!(
                    "Warehouse: sale #{} — 1 × {} ({}); {} left",
                    sale.id,
                    good.name,
                    good.code,
                    left.format_en()
                ),
                json!({"operation_id": sale.id, "good_id": good.id, "code": good.code,
                       "available": left.format_en()}),
            );
            return Ok(());
        }
        anyhow::bail!("no linked good with stock to sell")
    }

    /// Tells, every second, the orders the bridge imported (from the connection's
    /// journal) and the quantities and prices the shop accepted (from the emulator's
    /// record of writes), starting from now.
    pub async fn watch(self) {
        let mut journal_seen = self.latest_journal_id().await;
        let mut writes_seen = self.control.received_writes(&self.host).len();
        let skus: HashMap<String, String> = self
            .control
            .variants(&self.host)
            .into_iter()
            .filter_map(|v| Some((v.id.to_string(), v.sku?)))
            .collect();
        let mut ticker = tokio::time::interval(WATCH_EVERY);
        loop {
            ticker.tick().await;
            journal_seen = self.tell_journal(journal_seen).await;
            let writes = self.control.received_writes(&self.host);
            for write in writes.iter().skip(writes_seen) {
                self.tell_write(write, &skus);
            }
            writes_seen = writes.len();
        }
    }

    async fn latest_journal_id(&self) -> Id {
        self.store
            .shop_journal(
                self.firm_id,
                Some(self.connection_id),
                Paging {
                    limit: 1,
                    offset: 0,
                },
            )
            .await
            .ok()
            .and_then(|page| page.items.first().map(|e| e.id))
            .unwrap_or(0)
    }

    /// Tells the journal entries after `seen` that matter to the story; returns the last
    /// id told.
    async fn tell_journal(&self, seen: Id) -> Id {
        let Ok(page) = self
            .store
            .shop_journal(
                self.firm_id,
                Some(self.connection_id),
                Paging {
                    limit: 100,
                    offset: 0,
                },
            )
            .await
        else {
            return seen;
        };
        let mut last = seen;
        for entry in page.items.iter().rev().filter(|e| e.id > seen) {
            last = entry.id;
            let kind = match (entry.action.as_str(), entry.outcome.as_str()) {
                ("order", _) => "shop_order_imported",
                (_, "error") => "attention",
                _ => continue,
            };
            let mut fields = entry.details.clone();
            if let Value::Object(map) = &mut fields {
                map.insert("outcome".into(), json!(entry.outcome));
            }
            self.narrator.event(
                kind,
                &format!("Склад: {}", entry.message_bg),
                &format!("Warehouse: {}", entry.message_en),
                fields,
            );
        }
        last
    }

    /// Tells a variant write the shop accepted.
    fn tell_write(&self, write: &cloudcart_sim::ReceivedWrite, skus: &HashMap<String, String>) {
        let Some(variant) = write.path.strip_prefix("/api/v2/variants/") else {
            return;
        };
        let attributes = &write.body["data"]["attributes"];
        if write.method != "PATCH" || write.status >= 300 || !attributes.is_object() {
            return;
        }
        let sku = skus.get(variant).map_or("?", String::as_str);
        let quantity = &attributes["quantity"];
        let price = &attributes["price"];
        let (bg, en) = match (quantity.is_null(), price.is_null()) {
            (false, true) => (
                format!("Магазин: {sku} — наличността вече е {quantity}"),
                format!("Shop: {sku} — quantity is now {quantity}"),
            ),
            (true, false) => (
                format!("Магазин: {sku} — цената вече е {price}"),
                format!("Shop: {sku} — price is now {price}"),
            ),
            _ => (
                format!("Магазин: {sku} — наличност {quantity}, цена {price}"),
                format!("Shop: {sku} — quantity {quantity}, price {price}"),
            ),
        };
        self.narrator.event(
            "shop_quantity",
            &bg,
            &en,
            json!({"variant_id": variant, "sku": sku, "quantity": quantity, "price": price}),
        );
    }
}

/// The turn's buyer: every third a company with a valid ЕИК wanting an invoice, the
/// others people; with the name the story tells.
fn buyer(random: &mut SplitMix, turn: u64) -> (Buyer, String) {
    if turn % 6 == 4 {
        let (name, mol, mail) = COMPANIES[random.below(COMPANIES.len() as u64) as usize];
        let eik = valid_eik(random);
        let buyer = Buyer::Company {
            email: format!("{mail}@example.bg"),
            company_name: name.to_owned(),
            vat: Some(format!("BG{eik}")),
            eik,
            mol: mol.to_owned(),
        };
        (buyer, name.to_owned())
    } else {
        let (first, last, mail) = PEOPLE[random.below(PEOPLE.len() as u64) as usize];
        let buyer = Buyer::Person {
            email: format!("{mail}@example.bg"),
            first_name: Some(first.to_owned()),
            last_name: Some(last.to_owned()),
        };
        (buyer, format!("{first} {last}"))
    }
}

/// A random 9-digit ЕИК with a valid check digit.
fn valid_eik(random: &mut SplitMix) -> String {
    loop {
        let body = format!("{:08}", random.below(100_000_000));
        if let Some(eik) = (0..10)
            .map(|d| format!("{body}{d}"))
            .find(|e| sklad_domain::ident::validate_eik("eik", e).is_ok())
        {
            return eik;
        }
    }
}
