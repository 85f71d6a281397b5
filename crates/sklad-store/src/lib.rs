//! Sklad's storage and service layer: every read and write of the warehouse goes
//! through [`Store`], on SQLite (default, one file) or PostgreSQL, with one
//! implementation over sqlx's `Any` driver.
//!
//! Every call is scoped by firm: methods take the `firm_id` first and a record of
//! another firm is simply [`StoreError::NotFound`]. Money is stored as integer minor
//! units, quantities as milli-units, dates and timestamps as ISO text, enums as
//! their text keys.
//!
//! Writes on SQLite are serialised by one async mutex inside the store (WAL readers
//! stay concurrent); on PostgreSQL a write that reads then writes stock locks the
//! firm row first (`SELECT … FOR UPDATE`).

#![warn(missing_docs)]

mod alerts;
mod auth;
mod backup;
mod db;
mod error;
mod firms;
mod goods;
mod journal;
mod ledger;
mod objects;
mod operations;
mod outbox;
mod partners;
mod payment_types;
mod second_factor;
pub mod shops;
mod stock;
#[cfg(feature = "testing")]
pub mod testing;
mod types;
mod users;
mod writes;

pub use alerts::{validate_email, Alert};
pub use auth::TOKEN_PREFIX;
pub use backup::{BACKUP_FORMAT, BACKUP_MIN_VERSION, BACKUP_VERSION};
pub use error::{StoreError, StoreResult};
pub use firms::DEFAULT_OBJECT_NAME;
pub use outbox::STOCK_CHANGE_CLAIM_LEASE;
pub use second_factor::{SecondFactor, SignInStep, RECOVERY_CODES};
pub use types::*;
pub use users::PasswordCheck;

use std::sync::Arc;

use sklad_domain::clock::{SharedClock, SystemClock};

/// The warehouse store. Cheap to clone; clones share the connection pools, the
/// write lock and the clock.
#[derive(Clone)]
pub struct Store {
    pool: sqlx::AnyPool,
    /// Where [`Store::write_redoable`] writes: on SQLite connections whose commits
    /// do not wait for the disk, on PostgreSQL the same pool as `pool`.
    redoable_pool: sqlx::AnyPool,
    engine: Engine,
    write_lock: Arc<tokio::sync::Mutex<()>>,
    clock: SharedClock,
    /// Passwords checked so far (see [`Store::password_checks`]).
    password_checks: Arc<std::sync::atomic::AtomicU64>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URL: it may hold a password.
        f.debug_struct("Store")
            .field("engine", &self.engine)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Connects to `sqlite://path` (the file is created when missing; WAL, busy
    /// timeout 5 s, foreign keys on) or `postgres://…`. Does not migrate: call
    /// [`Store::migrate`]. The error never contains the URL.
    pub async fn open(url: &str) -> StoreResult<Store> {
        db::open(url).await
    }

    /// The same store reading time from `clock` (ledger, outbox and journal times).
    /// The default is the system clock.
    pub fn with_clock(mut self, clock: SharedClock) -> Store {
        self.clock = clock;
        self
    }

    /// Applies the engine's pending migrations (idempotent).
    pub async fn migrate(&self) -> StoreResult<()> {
        db::migrate(self).await
    }

    /// Whether the database answers and has every migration of this build (readiness):
    /// `Err` when it cannot be reached.
    pub async fn migrations_current(&self) -> StoreResult<bool> {
        db::migrations_current(self).await
    }

    /// The clock the store dates its records by.
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    /// The engine this store runs on.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Closes the pools, waiting for connections to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
        self.redoable_pool.close().await;
    }

    fn new(pool: sqlx::AnyPool, redoable_pool: sqlx::AnyPool, engine: Engine) -> Store {
        Store {
            pool,
            redoable_pool,
            engine,
            write_lock: Arc::new(tokio::sync::Mutex::new(())),
            clock: Arc::new(SystemClock),
            password_checks: Arc::default(),
        }
    }
}
