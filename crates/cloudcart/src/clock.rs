//! The client's own clock: the rate limiter and the retry backoff ask it for the time and
//! for sleeps, so tests run rate windows and backoffs on virtual time without sleeping.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A boxed sleep future.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Monotonic time for the limiter and the retries.
///
/// `now` is the time elapsed since an arbitrary origin fixed by the clock; `sleep_until`
/// completes when `now() >= deadline`.
pub trait Clock: Send + Sync + 'static {
    /// Time elapsed since the clock's origin.
    fn now(&self) -> Duration;
    /// A future that completes once `now() >= deadline`.
    fn sleep_until(&self, deadline: Duration) -> Sleep;
}

/// A shared clock handle.
pub type SharedClock = Arc<dyn Clock>;

/// The real monotonic clock (tokio time).
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    origin: tokio::time::Instant,
}

impl SystemClock {
    /// A real clock whose origin is now.
    pub fn new() -> Self {
        Self {
            origin: tokio::time::Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    fn sleep_until(&self, deadline: Duration) -> Sleep {
        Box::pin(tokio::time::sleep_until(self.origin + deadline))
    }
}

/// Virtual time for tests: stands still, and a sleep jumps it forward to the deadline.
///
/// Sleeping never waits for real time; concurrent sleepers do not add up (the clock moves to
/// the latest deadline asked for, never backwards).
#[derive(Debug, Clone, Default)]
pub struct VirtualClock {
    nanos: Arc<AtomicU64>,
}

impl VirtualClock {
    /// A virtual clock at time zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.nanos.fetch_add(duration_nanos(by), Ordering::SeqCst);
    }
}

fn duration_nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Clock for VirtualClock {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }

    fn sleep_until(&self, deadline: Duration) -> Sleep {
        self.nanos
            .fetch_max(duration_nanos(deadline), Ordering::SeqCst);
        Box::pin(tokio::task::yield_now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn virtual_sleep_jumps_to_the_deadline_and_never_goes_back() {
        let clock = VirtualClock::new();
        clock.sleep_until(Duration::from_secs(60)).await;
        assert_eq!(clock.now(), Duration::from_secs(60));
        clock.sleep_until(Duration::from_secs(30)).await;
        assert_eq!(clock.now(), Duration::from_secs(60));
        clock.advance(Duration::from_secs(5));
        assert_eq!(clock.now(), Duration::from_secs(65));
    }
}
