//! The bridge between a Sklad firm and its CloudCart shops (SPEC P, C, S, G, K, X).
//!
//! [`Bridge`] is what the server, the CLI and the tests hold. It talks to shops only
//! through the `cloudcart` client and to the database only through `sklad-store`:
//!
//! - **Connections** (`connections`): create and change them (the API key sealed at rest
//!   by [`secret::SecretBox`]), the settings, the special goods, the first-push
//!   confirmation.
//! - **Jobs** (`jobs`): every action that talks to a shop is a job row in the database —
//!   „Провери връзката“ (`test`), K1 (`check`), K2 (`import`), opening stock
//!   (`opening_stock`), the first-push preview (`push_preview`), K4 (`webhooks`) and its
//!   watchdog (`watchdog`). Whoever asks queues it; the process that holds the shop's
//!   lease runs it ([`Bridge::tick`]) with progress, cancellation and a result table.
//!   One process at a time spends a shop's API budget (a lease row per shop host), and
//!   one rate limiter per shop host is shared by every connection to it in a process.
//! - **Webhooks** (`hooks`): the per-connection, per-event URLs K4 registers and the
//!   authentication of the deliveries that arrive on them.
//!
//! Time: schedules use the store's clock, rate windows the client clock of
//! [`ClientSettings`], so tests run both on virtual time.

#![warn(missing_docs)]

pub mod alerts;
mod catalogue;
mod clients;
mod connections;
pub mod csv;
mod doors;
mod error;
pub mod hooks;
mod jobs;
mod orders;
mod products;
mod push;
pub mod secret;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sklad_domain::Id;
use sklad_store::shops::{ShopConnection, ShopJob};
use sklad_store::Store;
use tokio::sync::Notify;

pub use clients::ClientSettings;
pub use connections::ConnectionView;
pub use error::{SyncError, SyncResult};
pub use jobs::JobKind;
pub use secret::SecretBox;

/// How the bridge runs.
#[derive(Debug, Clone)]
pub struct BridgeConfig {
    /// The address shops reach this server at (`https://sklad.example.bg`, no trailing
    /// slash): webhooks are registered under it.
    pub public_url: String,
    /// How clients talk to shops.
    pub clients: ClientSettings,
    /// How long a shop's lease lasts without renewal.
    pub lease_ttl: jiff::SignedDuration,
    /// How often the worker loop looks for work (real time).
    pub poll_interval: Duration,
    /// How often the webhook watchdog checks each connection's subscriptions.
    pub watchdog_interval: jiff::SignedDuration,
    /// Most jobs running at once in this process.
    pub max_parallel_jobs: usize,
    /// How often the order poller reads each connection's changed orders.
    pub order_poll_interval: jiff::SignedDuration,
    /// How often every linked variant is compared with the warehouse (the seed's
    /// 3-minute pass, SPEC G6; writes only what differs).
    pub push_pass_interval: jiff::SignedDuration,
    /// How often the shop's variants are read to repair drift (merchant edits).
    pub reconcile_interval: jiff::SignedDuration,
    /// This process's name in shop leases: stable across restarts of one server (its host
    /// and listen address), so a restarted server takes its shops back at once instead of
    /// waiting for its old leases to lapse; `None` gives a random one (the CLI, tests).
    pub instance: Option<String>,
    /// Where alert e-mails go out (`None`: alerts are only shown in the pages).
    pub mailer: Option<alerts::Mailer>,
}

impl BridgeConfig {
    /// Defaults with `public_url`.
    pub fn new(public_url: &str) -> BridgeConfig {
        BridgeConfig {
            public_url: public_url.trim_end_matches('/').to_owned(),
            clients: ClientSettings::default(),
            lease_ttl: jiff::SignedDuration::from_secs(60),
            poll_interval: Duration::from_secs(1),
            watchdog_interval: jiff::SignedDuration::from_mins(15),
            max_parallel_jobs: 4,
            order_poll_interval: jiff::SignedDuration::from_mins(5),
            push_pass_interval: jiff::SignedDuration::from_mins(3),
            reconcile_interval: jiff::SignedDuration::from_hours(1),
            instance: None,
            mailer: None,
        }
    }
}

/// The bridge. Cheap to clone; clones share clients, limiters and workers.
#[derive(Clone)]
pub struct Bridge {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    secrets: SecretBox,
    clients: clients::ShopClients,
    config: BridgeConfig,
    /// This process's name in shop leases and job claims.
    holder: String,
    /// Jobs running in this process: id → shop host.
    running: Mutex<HashMap<Id, String>>,
    /// The shop hosts whose lease this process took in its last round.
    held: Mutex<BTreeSet<String>>,
    /// Orders being imported in this process: (connection, shop order id).
    importing: Mutex<HashSet<(Id, String)>>,
    /// Connections being polled in this process.
    polling: Mutex<HashSet<Id>>,
    /// Connections whose poll failed: not again before this time.
    poll_backoff: Mutex<HashMap<Id, jiff::Timestamp>>,
    /// Connections whose values are being written to the shop by this process.
    pushing: Mutex<HashSet<Id>>,
    /// Connections whose push failed: not again before this time, and the failures in
    /// a row.
    push_backoff: Mutex<HashMap<Id, (jiff::Timestamp, u32)>>,
    /// Whether the product refresher runs (see [`products`]).
    refreshing: std::sync::atomic::AtomicBool,
    /// Whether alert e-mails are being sent (see [`alerts`]).
    mailing: std::sync::atomic::AtomicBool,
    /// When [`Bridge::run`] last finished a round (readiness).
    last_round: Mutex<Option<std::time::Instant>>,
    /// Per connection: imports hold it shared while they move the tracked shop
    /// quantities and the operation, the pusher exclusively while it compares.
    import_gates: Mutex<HashMap<Id, Arc<tokio::sync::RwLock<()>>>>,
    /// Held while an import finds or creates its partner.
    partner_lock: tokio::sync::Mutex<()>,
    /// The webhook doors recently opened (connections and digests of their secrets).
    doors: doors::Doors,
    /// The webhook door's group-commit writer, started on the first delivery.
    writer: tokio::sync::OnceCell<tokio::sync::mpsc::Sender<orders::Pending>>,
    /// Rung when a job is queued in this process.
    job_queued: Notify,
    /// Rung when deliveries reach the inbox or orders are marked to be read again: the
    /// worker triages and imports without a whole round.
    orders_waiting: Notify,
    /// Rung when a job of this process finishes.
    job_done: Notify,
}

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridge")
            .field("holder", &self.inner.holder)
            .field("public_url", &self.inner.config.public_url)
            .finish_non_exhaustive()
    }
}

impl Bridge {
    /// A bridge over `store`, sealing secrets with `secrets`.
    pub fn new(store: Store, secrets: SecretBox, config: BridgeConfig) -> Bridge {
        Bridge {
            inner: Arc::new(Inner {
                store,
                secrets,
                clients: clients::ShopClients::new(config.clients.clone()),
                holder: config
                    .instance
                    .clone()
                    .unwrap_or_else(|| format!("sklad-{}", secret::random_token(8))),
                config,
                running: Mutex::new(HashMap::new()),
                held: Mutex::new(BTreeSet::new()),
                importing: Mutex::new(HashSet::new()),
                polling: Mutex::new(HashSet::new()),
                poll_backoff: Mutex::new(HashMap::new()),
                pushing: Mutex::new(HashSet::new()),
                push_backoff: Mutex::new(HashMap::new()),
                refreshing: std::sync::atomic::AtomicBool::new(false),
                mailing: std::sync::atomic::AtomicBool::new(false),
                import_gates: Mutex::new(HashMap::new()),
                last_round: Mutex::new(None),
                partner_lock: tokio::sync::Mutex::new(()),
                doors: doors::Doors::default(),
                writer: tokio::sync::OnceCell::new(),
                job_queued: Notify::new(),
                orders_waiting: Notify::new(),
                job_done: Notify::new(),
            }),
        }
    }

    /// This instance's name: it holds shop leases and claims jobs, deliveries and orders.
    pub(crate) fn holder(&self) -> &str {
        &self.inner.holder
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The configuration.
    pub fn config(&self) -> &BridgeConfig {
        &self.inner.config
    }

    /// What this process's rate limiter of `host` knows (the learned per-minute limit,
    /// requests in the sliding window), once it has talked to that shop.
    pub fn rate_budget(&self, host: &str) -> Option<cloudcart::limiter::LimiterSnapshot> {
        self.inner.clients.rate_budget(host)
    }

    /// One round of background work: take or renew the leases of the shops this process
    /// may work with (those of connections in use, of queued jobs and of its running
    /// jobs), queue due watchdog checks, and start the queued jobs of the shops it
    /// holds. [`Bridge::run`] calls it in a loop; tests call it on virtual time.
    pub async fn tick(&self) -> SyncResult<()> {
        let store = self.store();
        let active = store.active_shop_connections().await?;
        let mut hosts: BTreeSet<String> = active.iter().map(|(_, c)| c.shop_host.clone()).collect();
        hosts.extend(store.queued_shop_hosts().await?);
        hosts.extend(self.running_hosts());
        let mut held = Vec::new();
        for host in hosts {
            if store
                .acquire_shop_lease(&host, &self.inner.holder, self.inner.config.lease_ttl)
                .await?
            {
                held.push(host);
            }
        }
        *self.inner.held.lock().unwrap_or_else(|p| p.into_inner()) = held.iter().cloned().collect();
        jobs::schedule_watchdogs(self, &active, &held).await?;
        while self.running_count() < self.inner.config.max_parallel_jobs {
            let Some((firm_id, job)) = store.claim_shop_job(&self.inner.holder, &held).await?
            else {
                break;
            };
            self.spawn_job(firm_id, job);
        }
        orders::triage_inbox(self).await?;
        orders::start_imports(self, &held).await?;
        self.start_polls(&active, &held).await?;
        push::absorb(self).await?;
        push::schedule(self, &active, &held).await?;
        products::schedule(self, &held).await?;
        self.start_mailing();
        Ok(())
    }

    /// Sends the alert e-mails that are due in the background, when a mailer is
    /// configured and no sending is under way.
    fn start_mailing(&self) {
        use std::sync::atomic::Ordering;
        let Some(mailer) = self.inner.config.mailer.clone() else {
            return;
        };
        if self.inner.mailing.swap(true, Ordering::AcqRel) {
            return;
        }
        let bridge = self.clone();
        tokio::spawn(async move {
            if let Err(e) = alerts::send_due(&bridge, &mailer).await {
                tracing::warn!(
                    code = e.code(),
                    "sending alert e-mails failed: {}",
                    e.message_en()
                );
            }
            bridge.inner.mailing.store(false, Ordering::Release);
            bridge.inner.job_done.notify_waiters();
        });
    }

    /// Starts the order polls that are due, for connections in use with complete
    /// settings on the shops this process holds.
    async fn start_polls(
        &self,
        active: &[(Id, ShopConnection)],
        held: &[String],
    ) -> SyncResult<()> {
        let now = self.store().clock().now();
        for (firm_id, connection) in active {
            if !held.contains(&connection.shop_host)
                || self.lock(&self.inner.polling).contains(&connection.id)
                || self
                    .lock(&self.inner.poll_backoff)
                    .get(&connection.id)
                    .is_some_and(|until| now < *until)
            {
                continue;
            }
            let (_, polled_at) = self.store().orders_checkpoint(connection.id).await?;
            if !orders::poller::due(polled_at, now, self.inner.config.order_poll_interval)
                || !self
                    .store()
                    .shop_settings_problems(*firm_id, connection.id)
                    .await?
                    .is_empty()
            {
                continue;
            }
            self.lock(&self.inner.polling).insert(connection.id);
            let bridge = self.clone();
            let connection = connection.clone();
            let span = tracing::info_span!("order_poll", connection = connection.id);
            tokio::spawn(tracing::Instrument::instrument(
                async move {
                    if let Err(e) = orders::poller::poll(&bridge, &connection).await {
                        tracing::warn!(code = e.code(), "order poll failed: {}", e.message_en());
                        alerts::raise_for(&bridge, connection.firm_id, connection.id, &e).await;
                        // Try again at the next interval, not at once (the checkpoint
                        // stays: a failed go-live is a go-live again).
                        let now = bridge.store().clock().now();
                        let next = now
                            .checked_add(bridge.inner.config.order_poll_interval)
                            .unwrap_or(now);
                        bridge
                            .lock(&bridge.inner.poll_backoff)
                            .insert(connection.id, next);
                    }
                    bridge.lock(&bridge.inner.polling).remove(&connection.id);
                },
                span,
            ));
        }
        Ok(())
    }

    /// The import gate of a connection (see [`Inner::import_gates`]).
    pub(crate) fn import_gate(&self, connection_id: Id) -> Arc<tokio::sync::RwLock<()>> {
        self.lock(&self.inner.import_gates)
            .entry(connection_id)
            .or_default()
            .clone()
    }

    fn lock<'a, T>(&self, m: &'a Mutex<T>) -> std::sync::MutexGuard<'a, T> {
        m.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn importing_count(&self) -> usize {
        self.lock(&self.inner.importing).len()
    }

    fn spawn_import(&self, record: sklad_store::shops::ShopOrderRecord) {
        let key = (record.connection_id, record.shop_order_id.clone());
        if !self.lock(&self.inner.importing).insert(key.clone()) {
            return;
        }
        let bridge = self.clone();
        let span = tracing::info_span!(
            "order_import",
            connection = record.connection_id,
            order = %record.shop_order_id
        );
        tokio::spawn(tracing::Instrument::instrument(
            async move {
                orders::run_import(&bridge, record).await;
                bridge.lock(&bridge.inner.importing).remove(&key);
                bridge.inner.job_done.notify_waiters();
                // A burst of orders keeps every import slot busy, not one round each.
                let held: Vec<String> = bridge.lock(&bridge.inner.held).iter().cloned().collect();
                if let Err(e) = orders::start_imports(&bridge, &held).await {
                    tracing::warn!(code = e.code(), error = %e.message_en(), "starting imports failed");
                }
            },
            span,
        ));
    }

    /// Writes a genuine delivery to the inbox — durably, before it is acknowledged —
    /// through the group-commit writer.
    pub(crate) async fn write_delivery(
        &self,
        delivery: sklad_store::shops::NewDelivery,
    ) -> SyncResult<()> {
        let writer = self
            .inner
            .writer
            .get_or_init(|| async { orders::start_writer(self) })
            .await;
        let (tx, rx) = tokio::sync::oneshot::channel();
        if writer.send((delivery, tx)).await.is_err() {
            return Err(
                sklad_store::StoreError::Database("the inbox writer stopped".into()).into(),
            );
        }
        rx.await.map_err(|_| {
            SyncError::from(sklad_store::StoreError::Database(
                "the inbox writer stopped".into(),
            ))
        })??;
        // Wake the worker loop: the delivery is triaged and imported at once.
        self.inner.orders_waiting.notify_one();
        Ok(())
    }

    /// Triages the new deliveries and starts the imports of the shops this process
    /// holds (between rounds, as deliveries arrive).
    async fn take_orders_in(&self) -> SyncResult<()> {
        orders::triage_inbox(self).await?;
        let held: Vec<String> = self.lock(&self.inner.held).iter().cloned().collect();
        orders::start_imports(self, &held).await
    }

    /// Whether this process is running anything: a job, an import, a poll, a push or a
    /// product refresh.
    pub fn busy(&self) -> bool {
        self.running_count() > 0
            || self.importing_count() > 0
            || !self.lock(&self.inner.polling).is_empty()
            || !self.lock(&self.inner.pushing).is_empty()
            || self
                .inner
                .refreshing
                .load(std::sync::atomic::Ordering::Acquire)
            || self
                .inner
                .mailing
                .load(std::sync::atomic::Ordering::Acquire)
    }

    /// Waits until a job or an import of this process ends, or `timeout` passes (tests
    /// and tools waiting for background work without sleeping for a fixed time).
    pub async fn wait_for_activity(&self, timeout: Duration) {
        let _ = tokio::time::timeout(timeout, self.inner.job_done.notified()).await;
    }

    /// Runs [`Bridge::tick`] until `shutdown` completes, then gives the leases up. It
    /// first takes back the deliveries and orders a killed process of the same instance
    /// name had claimed, so a restart picks them up at once.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        if let Err(e) = self.store().release_order_claims(self.holder()).await {
            tracing::warn!(code = e.code(), error = %e.message_en(), "releasing order claims failed");
        }
        'rounds: loop {
            if let Err(e) = self.tick().await {
                tracing::warn!(code = e.code(), error = %e.message_en(), "bridge round failed");
            }
            *self.lock(&self.inner.last_round) = Some(std::time::Instant::now());
            let next_round = tokio::time::sleep(self.inner.config.poll_interval);
            tokio::pin!(next_round);
            loop {
                tokio::select! {
                    () = &mut shutdown => break 'rounds,
                    () = self.inner.job_queued.notified() => break,
                    () = &mut next_round => break,
                    () = self.inner.orders_waiting.notified() => {
                        if let Err(e) = self.take_orders_in().await {
                            tracing::warn!(code = e.code(), error = %e.message_en(), "taking orders in failed");
                        }
                    }
                }
            }
        }
        self.release_leases().await;
    }

    /// Whether the background workers run: [`Bridge::run`] finished a round within the
    /// last three round intervals (at least 30 s).
    pub fn working(&self) -> bool {
        let within = (self.inner.config.poll_interval * 3).max(Duration::from_secs(30));
        self.lock(&self.inner.last_round)
            .is_some_and(|at| at.elapsed() <= within)
    }

    /// Gives up the leases this process holds (when it stops working with shops: at
    /// shutdown, or when a command-line run is done), so another process need not wait
    /// for them to lapse. Leases of shops with jobs still running here are kept.
    pub async fn release_leases(&self) {
        let held: Vec<String> =
            std::mem::take(&mut *self.inner.held.lock().unwrap_or_else(|p| p.into_inner()))
                .into_iter()
                .collect();
        let running = self.running_hosts();
        for host in held.iter().filter(|h| !running.contains(h)) {
            let _ = self
                .store()
                .release_shop_lease(host, &self.inner.holder)
                .await;
        }
    }

    /// Waits until the job has finished, at most `timeout` (real time; other processes'
    /// jobs are polled every 250 ms). Returns the job as it then is.
    pub async fn wait_job(
        &self,
        firm_id: Id,
        job_id: Id,
        timeout: Duration,
    ) -> SyncResult<ShopJob> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let done = self.inner.job_done.notified();
            tokio::pin!(done);
            done.as_mut().enable();
            let job = self.store().shop_job(firm_id, job_id).await?;
            let now = tokio::time::Instant::now();
            if job.finished() || now >= deadline {
                return Ok(job);
            }
            let pause = (deadline - now).min(Duration::from_millis(250));
            tokio::select! {
                () = done => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    fn running_hosts(&self) -> Vec<String> {
        self.inner
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }

    fn running_count(&self) -> usize {
        self.inner
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    fn spawn_job(&self, firm_id: Id, job: ShopJob) {
        let bridge = self.clone();
        self.inner
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(job.id, job.shop_host.clone());
        let span = tracing::info_span!(
            "shop_job",
            job = job.id,
            kind = %job.kind,
            connection = job.connection_id
        );
        tokio::spawn(tracing::Instrument::instrument(
            async move {
                let job_id = job.id;
                jobs::run(&bridge, firm_id, job).await;
                bridge
                    .inner
                    .running
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&job_id);
                bridge.inner.job_done.notify_waiters();
            },
            span,
        ));
    }
}
