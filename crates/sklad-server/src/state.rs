use sklad_domain::clock::SharedClock;
use sklad_store::Store;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: SharedClock,
}
