//! Outages: the listener that can be closed and re-opened on the same port ("connection
//! refused"), and the [`ApiFault::Hang`] wait that holds a request until the virtual clock has
//! moved on or the fault is cleared.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::{ConnectInfo, Connected};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::serve::IncomingStream;
use axum::Router;
use jiff::Timestamp;
use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::futures::OwnedNotified;
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinHandle;

use crate::api::lock;
use crate::control::{parse_body, Control, ControlError};
use crate::store::Shop;
use crate::SimState;

/// Longest real-time outage `POST /_sim/offline` accepts (10 minutes).
const MAX_OFFLINE_MS: u64 = 600_000;

/// The serving side of a running emulator.
#[derive(Debug, Default)]
pub(crate) struct Server {
    /// Stops the current serving task from accepting (its listener is then dropped).
    /// `None` = offline.
    stop: Option<oneshot::Sender<()>>,
    /// Resolves (with an error) once the current listener is dropped.
    closed: Option<oneshot::Receiver<()>>,
    /// Cuts the connections the current listener accepted.
    cut: Option<Arc<CutSwitch>>,
    /// Serving tasks not yet finished (an old one may still drain its connections).
    tasks: Vec<JoinHandle<()>>,
    /// Bumped on every `go_offline`, so a timed comeback of an earlier outage does nothing.
    generation: u64,
    /// Set by shutdown: the emulator never comes back.
    shut_down: bool,
}

/// Cuts every connection of one listener at once (an outage kills keep-alive connections and
/// requests in flight too, like a server that went away), except the one `spared`.
#[derive(Debug)]
struct CutSwitch {
    cut: AtomicBool,
    spared: AtomicU64,
    notify: Arc<Notify>,
}

impl CutSwitch {
    fn new() -> Self {
        Self {
            cut: AtomicBool::new(false),
            spared: AtomicU64::new(u64::MAX),
            notify: Arc::new(Notify::new()),
        }
    }

    /// Cut every connection but `spared`.
    fn fire(&self, spared: Option<u64>) {
        self.spared
            .store(spared.unwrap_or(u64::MAX), Ordering::SeqCst);
        self.cut.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }
}

/// One accepted connection: a TCP stream that fails every read and write once its listener's
/// [`CutSwitch`] fires (hyper then drops the connection and the socket closes).
pub(crate) struct Conn {
    io: TcpStream,
    id: u64,
    switch: Arc<CutSwitch>,
    /// Registered before the first poll, so `notify_waiters` always reaches it.
    fired: Pin<Box<OwnedNotified>>,
}

impl Conn {
    fn is_cut(&mut self, cx: &mut Context<'_>) -> bool {
        // The flag is set before the notification, so once the future is ready the flag is
        // set and the future is never polled again.
        if !self.switch.cut.load(Ordering::SeqCst) && self.fired.as_mut().poll(cx).is_pending() {
            return false;
        }
        self.switch.spared.load(Ordering::SeqCst) != self.id
    }
}

fn cut_error() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::ConnectionReset, "emulator went offline")
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.is_cut(cx) {
            return Poll::Ready(Err(cut_error()));
        }
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.is_cut(cx) {
            return Poll::Ready(Err(cut_error()));
        }
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if self.is_cut(cx) {
            return Poll::Ready(Err(cut_error()));
        }
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// A TCP listener that reports its own drop, so `go_offline` returns only once the port is
/// really closed (new connections are refused from then on), and hands out [`Conn`]s.
pub(crate) struct TrackedListener {
    inner: TcpListener,
    switch: Arc<CutSwitch>,
    next_id: u64,
    _closed: oneshot::Sender<()>,
}

impl axum::serve::Listener for TrackedListener {
    type Io = Conn;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Conn, SocketAddr) {
        let (io, addr) = axum::serve::Listener::accept(&mut self.inner).await;
        self.next_id += 1;
        let conn = Conn {
            io,
            id: self.next_id,
            switch: self.switch.clone(),
            fired: Box::pin(self.switch.notify.clone().notified_owned()),
        };
        (conn, addr)
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// The connection a control request came in on (so `/_sim/offline` can answer before the
/// connections are cut).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnId(u64);

impl Connected<IncomingStream<'_, TrackedListener>> for ConnId {
    fn connect_info(stream: IncomingStream<'_, TrackedListener>) -> Self {
        ConnId(stream.io().id)
    }
}

fn server(state: &SimState) -> std::sync::MutexGuard<'_, Server> {
    state.server.lock().unwrap_or_else(|p| p.into_inner())
}

/// Serve the emulator's application on `listener` in a new task.
pub(crate) fn serve(state: &Arc<SimState>, listener: TcpListener) {
    let (closed_tx, closed_rx) = oneshot::channel::<()>();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let switch = Arc::new(CutSwitch::new());
    let listener = TrackedListener {
        inner: listener,
        switch: switch.clone(),
        next_id: 0,
        _closed: closed_tx,
    };
    let app = crate::app(state.clone()).into_make_service_with_connect_info::<ConnId>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stop_rx.await;
            })
            .await;
    });
    let mut s = server(state);
    s.tasks.retain(|t| !t.is_finished());
    s.tasks.push(task);
    s.stop = Some(stop_tx);
    s.closed = Some(closed_rx);
    s.cut = Some(switch);
}

/// Shutdown: close the listener for good, release held requests, hand back the serving tasks.
pub(crate) fn close(state: &SimState) -> Vec<JoinHandle<()>> {
    let tasks = {
        let mut s = server(state);
        s.shut_down = true;
        if let Some(stop) = s.stop.take() {
            let _ = stop.send(());
        }
        s.closed = None;
        s.cut = None;
        std::mem::take(&mut s.tasks)
    };
    for shop in state.shops.values() {
        let mut shop = lock(shop);
        shop.hang_epoch = shop.hang_epoch.wrapping_add(1);
    }
    state.tick();
    tasks
}

/// Counts a held request on its shop while it lives (a request whose client gave up is
/// dropped by hyper, and so is its hold).
struct HeldGuard<'a> {
    state: &'a SimState,
    shop: &'a Mutex<Shop>,
}

impl<'a> HeldGuard<'a> {
    fn new(state: &'a SimState, shop: &'a Mutex<Shop>) -> Self {
        lock(shop).held_requests += 1;
        state.tick();
        Self { state, shop }
    }
}

impl Drop for HeldGuard<'_> {
    fn drop(&mut self) {
        {
            let mut s = lock(self.shop);
            s.held_requests = s.held_requests.saturating_sub(1);
        }
        self.state.tick();
    }
}

/// Hold a request until the clock reaches `until`, the shop's faults are cleared (its hang
/// epoch moves past `epoch`) or the emulator shuts down.
pub(crate) async fn hold(state: &SimState, shop: &Mutex<Shop>, epoch: u64, until: Timestamp) {
    let mut ticks = state.ticks.subscribe();
    let _held = HeldGuard::new(state, shop);
    loop {
        let now = state.clock.now();
        let released = now >= until || lock(shop).hang_epoch != epoch;
        if released || server(state).shut_down {
            return;
        }
        if state.clock.is_virtual() {
            if ticks.changed().await.is_err() {
                return;
            }
        } else {
            let left = until.duration_since(now).as_millis().clamp(1, 3_600_000) as u64;
            tokio::select! {
                r = ticks.changed() => if r.is_err() { return },
                _ = tokio::time::sleep(Duration::from_millis(left)) => {}
            }
        }
    }
}

impl Control {
    /// Close the emulator's listening socket and cut its open connections (keep-alive ones and
    /// requests in flight, held ones included): from the moment this returns, connections to
    /// its port are refused. The clock, the shops and the webhook dispatcher keep running.
    /// No-op when offline.
    pub async fn go_offline(&self) {
        self.go_offline_sparing(None).await;
    }

    /// [`Control::go_offline`], letting connection `spared` finish its request.
    async fn go_offline_sparing(&self, spared: Option<ConnId>) {
        let _t = self.state.transition.lock().await;
        let (stop, closed, cut) = {
            let mut s = server(&self.state);
            s.generation = s.generation.wrapping_add(1);
            (s.stop.take(), s.closed.take(), s.cut.take())
        };
        if let Some(stop) = stop {
            let _ = stop.send(());
        }
        if let Some(closed) = closed {
            // Never sent: resolves with an error once the listener is dropped.
            let _ = closed.await;
        }
        if let Some(cut) = cut {
            cut.fire(spared.map(|c| c.0));
        }
    }

    /// Bind the same 127.0.0.1 address again and serve. No-op when online or shut down.
    pub async fn go_online(&self) -> Result<(), ControlError> {
        let _t = self.state.transition.lock().await;
        self.bind_again().await
    }

    /// [`Control::go_online`] with the transition lock held.
    async fn bind_again(&self) -> Result<(), ControlError> {
        {
            let s = server(&self.state);
            if s.stop.is_some() || s.shut_down {
                return Ok(());
            }
        }
        let addr = self.state.addr;
        let listener = TcpListener::bind(addr).await.map_err(|e| {
            ControlError::new(
                "port_unavailable",
                500,
                format!("Портът {} не може да бъде зает отново: {e}", addr.port()),
                format!("Cannot bind port {} again: {e}", addr.port()),
            )
        })?;
        serve(&self.state, listener);
        Ok(())
    }

    /// Whether the emulator accepts connections.
    pub fn is_online(&self) -> bool {
        server(&self.state).stop.is_some()
    }

    /// How many API requests of the shop an [`crate::ApiFault::Hang`] holds right now (0 for an
    /// unknown shop).
    pub fn held_requests(&self, host: &str) -> usize {
        self.state
            .shops
            .get(&host.to_ascii_lowercase())
            .map(|s| lock(s).held_requests)
            .unwrap_or(0)
    }

    /// Wait until exactly `n` API requests of the shop are held (so a test knows its client's
    /// request arrived before it moves the clock). Returns at once for an unknown shop; wrap
    /// it in a timeout.
    pub async fn wait_for_held_requests(&self, host: &str, n: usize) {
        let Some(shop) = self.state.shops.get(&host.to_ascii_lowercase()) else {
            return;
        };
        let mut ticks = self.state.ticks.subscribe();
        while lock(shop).held_requests != n {
            if ticks.changed().await.is_err() {
                return;
            }
        }
    }

    /// `go_online` unless another `go_offline` happened since `generation`.
    async fn come_back(&self, generation: u64) {
        let _t = self.state.transition.lock().await;
        if server(&self.state).generation != generation {
            return;
        }
        if let Err(e) = self.bind_again().await {
            tracing::warn!(error = %e.message_en, "the emulator could not come back online");
        }
    }
}

/// `/_sim/offline`.
pub(crate) fn routes() -> Router<Arc<SimState>> {
    Router::new().route("/_sim/offline", post(h_offline))
}

#[derive(Deserialize, Default)]
struct OfflineBody {
    for_ms: Option<u64>,
}

/// Over HTTP nobody could reach the control surface to bring the emulator back, so the outage
/// lasts `for_ms` real milliseconds (1 … 600 000), then the same port is bound again.
async fn h_offline(
    State(s): State<Arc<SimState>>,
    ConnectInfo(conn): ConnectInfo<ConnId>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ControlError> {
    let b: OfflineBody = parse_body(&body)?;
    let ms = match b.for_ms {
        Some(ms) if (1..=MAX_OFFLINE_MS).contains(&ms) => ms,
        _ => {
            return Err(ControlError::new(
                "invalid_duration",
                422,
                format!("`for_ms` трябва да е между 1 и {MAX_OFFLINE_MS} милисекунди."),
                format!("`for_ms` must be between 1 and {MAX_OFFLINE_MS} milliseconds."),
            ))
        }
    };
    let c = Control { state: s };
    // This request's own connection gets its answer, then closes (graceful shutdown).
    c.go_offline_sparing(Some(conn)).await;
    let generation = server(&c.state).generation;
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        c.come_back(generation).await;
    });
    Ok(StatusCode::NO_CONTENT)
}
