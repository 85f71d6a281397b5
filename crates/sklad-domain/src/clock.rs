//! The one clock everything asks for the time, so schedules, retries and expiries are
//! tested on virtual time.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> jiff::Timestamp;
}

/// The real time.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}

/// Virtual time for tests: stands still until advanced.
#[derive(Debug, Clone)]
pub struct ManualClock {
    micros: Arc<AtomicI64>,
}

impl ManualClock {
    pub fn new(start: jiff::Timestamp) -> Self {
        Self {
            micros: Arc::new(AtomicI64::new(start.as_microsecond())),
        }
    }

    pub fn advance(&self, by: jiff::SignedDuration) {
        self.micros
            .fetch_add(by.as_micros() as i64, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::from_microsecond(self.micros.load(Ordering::SeqCst))
            .expect("virtual time stays within jiff's range")
    }
}

pub type SharedClock = Arc<dyn Clock>;
