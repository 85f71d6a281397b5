//! The rig of the bridge tests: a fresh store (SQLite file, or PostgreSQL when
//! configured), a firm, the CloudCart emulator on loopback with a virtual clock, and a
//! bridge whose clients run on that virtual clock too. Jobs run on the bridge's own
//! worker round ([`Bridge::tick`]); every wait is bounded.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cloudcart::clock::{Clock, Sleep};

use cloudcart_sim::{ClockMode, Control, ShopConfig, Sim, SimConfig};
use sklad_domain::clock::ManualClock;
use sklad_domain::model::{FirmInput, ObjectInput, ObjectKind};
use sklad_domain::operation::{Line, OperationDraft, OperationKind};
use sklad_domain::shop::ConnectionInput;
use sklad_domain::{Currency, Id, PriceGroup, Quantity, VatRate};
use sklad_store::shops::{ShopConnection, ShopJob};
use sklad_store::testing::TestDatabase;
use sklad_store::{Engine, Store};
use sklad_sync::{Bridge, BridgeConfig, ClientSettings, JobKind, SecretBox};

/// How long any job may take before the test fails.
pub const JOB_WAIT: Duration = Duration::from_secs(60);

pub struct Rig {
    pub sim: Sim,
    pub store: Store,
    pub bridge: Bridge,
    /// The sealing key (another process on the same database needs the same one).
    pub secrets: SecretBox,
    /// The store's clock (moves only when a test moves it, or with [`Rig::time`]).
    pub clock: ManualClock,
    /// One virtual time for the shop, the clients and the store (virtual rigs).
    pub time: Arc<SharedTime>,
    pub firm_id: Id,
    pub host: String,
    _db: TestDatabase,
}

/// Starts the emulator with `shop` on virtual time, a store on `engine` with a firm in
/// `currency` (3 seats) and a bridge. `None` when the engine is not configured.
pub async fn rig(engine: Engine, shop: ShopConfig, currency: Currency) -> Option<Rig> {
    rig_on(engine, shop, currency, ClockMode::Virtual).await
}

/// [`rig`] with the emulator on `clock`; the bridge's clients run on virtual time with a
/// virtual emulator and on real time with a real one.
pub async fn rig_on(
    engine: Engine,
    shop: ShopConfig,
    currency: Currency,
    clock: ClockMode,
) -> Option<Rig> {
    rig_with(engine, shop, currency, clock, |_| {}).await
}

/// [`rig_on`] with the bridge's settings changed by `configure` (a mailer, …).
pub async fn rig_with(
    engine: Engine,
    shop: ShopConfig,
    currency: Currency,
    clock: ClockMode,
    configure: impl FnOnce(&mut BridgeConfig),
) -> Option<Rig> {
    let db = TestDatabase::fresh(engine).await?;
    let store_clock = ManualClock::new("2026-11-30T08:00:00Z".parse().unwrap());
    let store = db.store().await.with_clock(Arc::new(store_clock.clone()));
    let host = shop.host.clone();
    let sim = Sim::start(SimConfig {
        shops: vec![shop],
        clock,
        ..SimConfig::default()
    })
    .await
    .expect("emulator");

    let firm = store
        .create_firm(&FirmInput {
            name: "Мост ООД".into(),
            eik: Some("831826092".into()),
            currency,
            vat_registered: true,
            seats: 3,
            allow_negative_stock: false,
        })
        .await
        .expect("firm");
    let mut config = BridgeConfig::new("http://127.0.0.1:9");
    let time = Arc::new(SharedTime {
        nanos: AtomicU64::new(0),
        shop: sim.control(),
        store: store_clock.clone(),
    });
    let client_clock: cloudcart::clock::SharedClock = match clock {
        ClockMode::Virtual => time.clone(),
        _ => Arc::new(cloudcart::clock::SystemClock::new()),
    };
    config.clients = ClientSettings {
        clock: client_clock,
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(20),
    };
    configure(&mut config);
    let secrets = SecretBox::random();
    let bridge = Bridge::new(store.clone(), secrets.clone(), config);
    Some(Rig {
        sim,
        store,
        bridge,
        secrets,
        clock: store_clock,
        time,
        firm_id: firm.id,
        host,
        _db: db,
    })
}

/// The bridge's clients' clock on a virtual rig: a client that waits (its rate limiter,
/// a retry's backoff) moves the shop's clock and the store's clock with it, so one
/// virtual time runs through the shop, the clients and the warehouse.
pub struct SharedTime {
    nanos: AtomicU64,
    shop: Control,
    store: ManualClock,
}

impl SharedTime {
    /// Virtual time elapsed since the rig started.
    pub fn elapsed(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }

    /// Moves every clock forward by `by` (the world going on while the bridge waits).
    pub async fn advance(&self, by: Duration) {
        self.nanos
            .fetch_add(u64::try_from(by.as_nanos()).unwrap(), Ordering::SeqCst);
        self.store
            .advance(jiff::SignedDuration::try_from(by).unwrap());
        self.shop.advance(by).await;
    }
}

impl Clock for SharedTime {
    fn now(&self) -> Duration {
        self.elapsed()
    }

    fn sleep_until(&self, deadline: Duration) -> Sleep {
        let target = u64::try_from(deadline.as_nanos()).unwrap_or(u64::MAX);
        let before = self.nanos.fetch_max(target, Ordering::SeqCst);
        let delta = Duration::from_nanos(target.saturating_sub(before));
        let shop = self.shop.clone();
        let store = self.store.clone();
        Box::pin(async move {
            if !delta.is_zero() {
                store.advance(jiff::SignedDuration::try_from(delta).unwrap());
                shop.advance(delta).await;
            }
        })
    }
}

impl Rig {
    /// The emulated shop's API key.
    pub fn api_key(&self) -> String {
        self.sim
            .control()
            .shops()
            .into_iter()
            .find(|s| s.host == self.host)
            .expect("shop")
            .api_keys[0]
            .clone()
    }

    /// A connection to the emulated shop, in use, created by the bridge (which queues
    /// its first test; see [`Rig::settle`]).
    pub async fn connect(&self) -> ShopConnection {
        self.bridge
            .create_connection(
                self.firm_id,
                &ConnectionInput {
                    name: "CloudCart".into(),
                    shop_url: self.sim.base_url(&self.host),
                    api_key: Some(self.api_key()),
                    active: true,
                    currency: None,
                    prices_with_vat: true,
                },
                "test",
            )
            .await
            .expect("connection")
    }

    /// Runs the bridge's rounds until no job of the connection is queued or running.
    pub async fn settle(&self, connection_id: Id) {
        for _ in 0..100 {
            self.bridge.tick().await.expect("tick");
            let jobs = self
                .store
                .shop_jobs(self.firm_id, connection_id, None, Default::default())
                .await
                .unwrap();
            let open: Vec<_> = jobs.items.iter().filter(|j| !j.finished()).collect();
            let Some(job) = open.first() else { return };
            self.bridge
                .wait_job(self.firm_id, job.id, JOB_WAIT)
                .await
                .unwrap();
        }
        panic!("jobs did not settle");
    }

    /// Starts a job and waits for its end.
    pub async fn run(&self, connection_id: Id, kind: JobKind, dry_run: bool) -> ShopJob {
        self.run_within(connection_id, kind, dry_run, JOB_WAIT)
            .await
    }

    /// [`Rig::run`] with its own bound on the wait (benchmarks of big shops).
    pub async fn run_within(
        &self,
        connection_id: Id,
        kind: JobKind,
        dry_run: bool,
        wait: Duration,
    ) -> ShopJob {
        let job = self
            .bridge
            .start_job(self.firm_id, connection_id, kind, dry_run, "test")
            .await
            .expect("start job");
        self.bridge.tick().await.expect("tick");
        let done = self
            .bridge
            .wait_job(self.firm_id, job.id, wait)
            .await
            .unwrap();
        assert!(done.finished(), "job {} did not finish: {done:?}", job.id);
        done
    }

    /// Special goods created and every payment provider mapped to the first payment
    /// type: the settings orders need.
    pub async fn complete_settings(&self, connection: Id) {
        let c = self
            .store
            .create_special_goods(self.firm_id, connection, "test")
            .await
            .unwrap();
        let types = self.store.payment_types(self.firm_id).await.unwrap();
        let mapping: BTreeMap<String, Option<Id>> = self
            .store
            .shop_payments(self.firm_id, connection)
            .await
            .unwrap()
            .into_iter()
            .map(|p| (p.provider, Some(types[0].id)))
            .collect();
        self.store
            .save_shop_settings(self.firm_id, connection, &c.settings, &mapping, "test")
            .await
            .unwrap();
    }

    /// A connection whose values flow to the shop: tested, settings complete, the
    /// catalogue imported (K2), the shop's quantities taken as opening stock, the first
    /// push previewed and confirmed, auto-sync on — and everything settled, so the
    /// warehouse and the shop agree.
    pub async fn pushing(&self) -> ShopConnection {
        let connection = self.connect().await;
        self.settle(connection.id).await;
        self.complete_settings(connection.id).await;
        self.run(connection.id, JobKind::Import, false).await;
        self.run(connection.id, JobKind::OpeningStock, false).await;
        let preview = self.run(connection.id, JobKind::PushPreview, false).await;
        self.bridge
            .confirm_first_push(self.firm_id, connection.id, preview.id, "test")
            .await
            .unwrap();
        let saved = self
            .store
            .shop_connection(self.firm_id, connection.id)
            .await
            .unwrap();
        let mut settings = saved.settings.clone();
        settings.auto_sync = true;
        let mapping: BTreeMap<String, Option<Id>> = self
            .store
            .shop_payments(self.firm_id, connection.id)
            .await
            .unwrap()
            .into_iter()
            .map(|p| (p.provider, p.payment_type_id))
            .collect();
        let connection = self
            .store
            .save_shop_settings(self.firm_id, connection.id, &settings, &mapping, "test")
            .await
            .unwrap();
        self.push_settle(connection.id).await;
        connection
    }

    /// Runs the bridge's rounds until the connection has nothing left to push (or
    /// write, or import) and nothing of this process runs.
    pub async fn push_settle(&self, connection_id: Id) {
        for _ in 0..200 {
            self.bridge.tick().await.expect("tick");
            if !self.bridge.busy() {
                let figures = self
                    .store
                    .push_figures(self.firm_id, connection_id)
                    .await
                    .unwrap();
                let open = self
                    .store
                    .shop_jobs(self.firm_id, connection_id, None, Default::default())
                    .await
                    .unwrap()
                    .items
                    .iter()
                    .any(|j| !j.finished());
                if figures.due == 0 && !open {
                    return;
                }
            }
            self.bridge
                .wait_for_activity(Duration::from_millis(100))
                .await;
        }
        let figures = self
            .store
            .push_figures(self.firm_id, connection_id)
            .await
            .unwrap();
        let jobs = self
            .store
            .shop_jobs(self.firm_id, connection_id, None, Default::default())
            .await
            .unwrap();
        let journal = self
            .store
            .shop_journal(self.firm_id, Some(connection_id), Default::default())
            .await
            .unwrap();
        panic!(
            "pushes did not settle: {figures:?}, busy {}, jobs {:?}, journal {:?}",
            self.bridge.busy(),
            jobs.items
                .iter()
                .map(|j| (&j.kind, &j.status, &j.error))
                .collect::<Vec<_>>(),
            journal
                .items
                .iter()
                .take(5)
                .map(|j| &j.message_en)
                .collect::<Vec<_>>()
        );
    }

    /// The PATCHes of variants the shop received so far.
    pub fn variant_writes(&self) -> Vec<cloudcart_sim::ReceivedWrite> {
        self.sim
            .control()
            .received_writes(&self.host)
            .into_iter()
            .filter(|w| w.method == "PATCH" && w.path.starts_with("/api/v2/variants/"))
            .collect()
    }

    /// Subscribes the shop's webhooks (K4) with deliveries held in the shop, so a test
    /// hands them to the inbox itself ([`Rig::deliver_held_hooks`]): the bridge's public
    /// URL is not served in these tests.
    pub async fn hooks_held(&self, connection_id: Id) {
        self.run(connection_id, JobKind::Webhooks, false).await;
        self.sim
            .control()
            .set_webhook_faults(
                &self.host,
                cloudcart_sim::WebhookFaults {
                    hold_for_reorder: true,
                    ..Default::default()
                },
            )
            .unwrap();
    }

    /// Writes the deliveries the shop holds to the connection's inbox, as the webhook
    /// door would; returns their events.
    pub async fn deliver_held_hooks(&self, connection_id: Id) -> Vec<String> {
        let held = self.sim.control().take_held_webhooks(&self.host).unwrap();
        let deliveries: Vec<sklad_store::shops::NewDelivery> = held
            .iter()
            .map(|h| sklad_store::shops::NewDelivery {
                connection_id,
                event: h.event.clone(),
                body: h.body.to_string(),
            })
            .collect();
        self.store
            .insert_shop_deliveries(&deliveries)
            .await
            .unwrap();
        held.into_iter().map(|h| h.event).collect()
    }

    /// Journal entries of the connection with this action, newest first.
    pub async fn journal_of(&self, connection_id: Id, action: &str) -> Vec<String> {
        self.store
            .shop_journal(self.firm_id, Some(connection_id), Default::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|j| j.action == action)
            .map(|j| j.message_en)
            .collect()
    }

    /// A second object (shop „Онлайн“, wholesale prices).
    pub async fn second_object(&self) -> Id {
        self.store
            .create_object(
                self.firm_id,
                &ObjectInput {
                    name: "Онлайн".into(),
                    kind: ObjectKind::Shop,
                    price_group: PriceGroup::Wholesale,
                    active: true,
                },
            )
            .await
            .unwrap()
            .id
    }
}

/// A line of `units` of a good at `unit_price` (minor units, VAT 20 %).
pub fn line(good_id: Id, units: i64, unit_price: i64) -> Line {
    Line {
        good_id,
        quantity: Quantity::from_units(units),
        unit_price,
        vat_rate: VatRate::Standard,
        discount_bp: 0,
    }
}

/// An operation of `kind` in the firm's first object.
pub async fn operate(rig: &Rig, kind: OperationKind, lines: Vec<Line>) -> Id {
    let object = rig.store.objects(rig.firm_id).await.unwrap()[0].id;
    operate_in(rig, kind, object, None, lines).await
}

/// An operation of `kind` in `object` (a transfer to `target`).
pub async fn operate_in(
    rig: &Rig,
    kind: OperationKind,
    object: Id,
    target: Option<Id>,
    lines: Vec<Line>,
) -> Id {
    let currency = rig.store.firm(rig.firm_id).await.unwrap().currency;
    rig.store
        .create_operation(
            rig.firm_id,
            &OperationDraft {
                kind,
                date: jiff::civil::date(2026, 11, 30),
                object_id: object,
                target_object_id: target,
                partner_id: None,
                payment_type_id: None,
                currency,
                lines,
                external_ref: None,
                note: None,
            },
        )
        .await
        .unwrap()
        .id
}

/// Runs `test` on SQLite and on PostgreSQL as `<name>::sqlite` / `<name>::postgres`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(sklad_store::Engine::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(sklad_store::Engine::Postgres).await
            }
        }
    )*};
}
