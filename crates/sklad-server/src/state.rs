//! [`AppState`]: what the API and the pages share.

#![warn(missing_docs)]

use crate::config::MetricsAccess;
use std::net::IpAddr;
use std::sync::Arc;

use sklad_domain::clock::SharedClock;
use sklad_store::Store;
use sklad_sync::Bridge;

use crate::login_guard::LoginGuard;

/// What every handler shares. Cheap to clone; its `Debug` shows no secrets (the
/// store's never shows the database URL).
#[derive(Clone, Debug)]
pub struct AppState {
    /// The one service layer over the database.
    pub store: Store,
    /// The injected clock: default dates, backup file names, session expiry.
    pub clock: SharedClock,
    /// The e-shop bridge: connections, the control panel's jobs, webhook doors.
    pub bridge: Bridge,
    /// The sign-in throttle (on [`AppState::clock`]).
    pub login_guard: Arc<LoginGuard>,
    /// The reverse proxy whose `X-Forwarded-For` names the client (none: the socket's
    /// peer is the client).
    pub trusted_proxy: Option<IpAddr>,
    /// Who may read `GET /metrics`.
    pub metrics: MetricsAccess,
}

impl AppState {
    /// The state of a server over `store` on `clock` with `bridge`, trusting no proxy.
    pub fn new(store: Store, clock: SharedClock, bridge: Bridge) -> AppState {
        AppState {
            login_guard: Arc::new(LoginGuard::new(clock.clone())),
            store,
            clock,
            bridge,
            trusted_proxy: None,
            metrics: MetricsAccess::Open,
        }
    }
}
