//! [`AppState`]: what the API and the pages share.

#![warn(missing_docs)]

use sklad_domain::clock::SharedClock;
use sklad_store::Store;
use sklad_sync::Bridge;

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
}
