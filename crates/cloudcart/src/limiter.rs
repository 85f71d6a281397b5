//! One rate limiter per shop, shared by every clone of a client.
//!
//! It learns the per-minute cap from `X-RateLimit-Limit` and admits at most `limit − 1`
//! requests per sliding 60 s (the platform's off-by-one, API.md §1.13), counting requests in
//! flight plus requests completed within the last 60 s. A request's slot is dated when its
//! response arrives (never before the shop saw it), so the shop's own window can never hold
//! more than ours. `X-RateLimit-Remaining` lower than ours (other keys of the same shop)
//! fills our window up to match; `X-RateLimit-Reset` is ignored (the platform always sends
//! "now + 60 s"). Until the cap is known one request at a time probes.
//! A `429` blocks everyone until `Retry-After` has passed. A cap of 0 (plan without API)
//! refuses at once without sending, and is re-probed after [`ZERO_LIMIT_RECHECK`] since
//! the platform recomputes caps every ~5 minutes.
//!
//! Waiting requests are served by [`Priority`]: a request never overtakes a waiting request
//! of higher priority.

use crate::clock::SharedClock;
use crate::error::Error;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Notify;

/// The sliding window length.
pub const WINDOW: Duration = Duration::from_secs(60);

/// How long a learned cap of 0 is trusted before one request probes again.
pub const ZERO_LIMIT_RECHECK: Duration = Duration::from_secs(300);

/// Upper bound on wake-ups of one waiting request (a safety net; every wake-up waits for time
/// to pass or for another request to change the limiter's state).
const MAX_WAKEUPS: u32 = 1_000_000;

/// Who goes first when the shop's quota is short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// Bulk stock writes (full pushes).
    StockWrite = 0,
    /// Everything else (catalogue reads, webhooks…).
    Normal = 1,
    /// Stock writes for nearly sold-out items.
    UrgentStockWrite = 2,
    /// Order reads: new sales must be seen first.
    OrderRead = 3,
}

impl Priority {
    const COUNT: usize = 4;

    fn index(self) -> usize {
        self as usize
    }
}

#[derive(Debug, Default)]
struct State {
    /// Learned cap (`None` until a response carried `X-RateLimit-Limit`).
    limit: Option<u32>,
    /// When the cap 0 was learned.
    zero_since: Option<Duration>,
    /// Completion times of requests within the window (oldest first).
    completed: VecDeque<Duration>,
    /// Requests sent and not yet answered.
    in_flight: u32,
    /// No request before this time (after a 429).
    blocked_until: Option<Duration>,
    /// Waiting requests per priority.
    waiting: [u32; Priority::COUNT],
}

enum Decision {
    Go,
    WaitUntil(Duration),
    WaitForChange,
    Refuse(Error),
}

impl State {
    fn prune(&mut self, now: Duration) {
        while self
            .completed
            .front()
            .is_some_and(|t| now.saturating_sub(*t) >= WINDOW)
        {
            self.completed.pop_front();
        }
    }

    fn used(&self) -> u32 {
        self.in_flight
            .saturating_add(u32::try_from(self.completed.len()).unwrap_or(u32::MAX))
    }

    fn decide(&mut self, now: Duration, priority: Priority) -> Decision {
        self.prune(now);
        if self.limit == Some(0) {
            match self.zero_since {
                Some(since) if now.saturating_sub(since) >= ZERO_LIMIT_RECHECK => {
                    self.limit = None;
                    self.zero_since = None;
                }
                _ => return Decision::Refuse(Error::NoApiOnPlan),
            }
        }
        if let Some(until) = self.blocked_until {
            if now < until {
                return Decision::WaitUntil(until);
            }
            self.blocked_until = None;
        }
        if self.waiting[priority.index() + 1..].iter().any(|&n| n > 0) {
            return Decision::WaitForChange;
        }
        match self.limit {
            None => {
                if self.in_flight == 0 {
                    Decision::Go
                } else {
                    Decision::WaitForChange
                }
            }
            Some(limit) => {
                let capacity = limit.saturating_sub(1);
                if capacity == 0 {
                    return Decision::Refuse(Error::NoApiOnPlan);
                }
                if self.used() < capacity {
                    Decision::Go
                } else if let Some(oldest) = self.completed.front() {
                    Decision::WaitUntil(*oldest + WINDOW)
                } else {
                    Decision::WaitForChange
                }
            }
        }
    }
}

/// The shop's limiter. Cheap to share (`Arc`).
pub struct RateLimiter {
    state: Mutex<State>,
    changed: Notify,
    clock: SharedClock,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.lock();
        f.debug_struct("RateLimiter")
            .field("limit", &s.limit)
            .field("in_flight", &s.in_flight)
            .field("in_window", &s.completed.len())
            .finish()
    }
}

/// A snapshot of the limiter for diagnostics and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimiterSnapshot {
    /// Learned cap.
    pub limit: Option<u32>,
    /// Requests in flight.
    pub in_flight: u32,
    /// Completed requests still inside the window.
    pub in_window: u32,
    /// Blocked until (clock time), after a 429.
    pub blocked_until: Option<Duration>,
}

impl RateLimiter {
    /// A limiter that knows nothing yet.
    pub fn new(clock: SharedClock) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State::default()),
            changed: Notify::new(),
            clock,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the counters inconsistent in a way
        // worse than a lost slot, so a poisoned lock is used as is.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Current state.
    pub fn snapshot(&self) -> LimiterSnapshot {
        let now = self.clock.now();
        let mut s = self.lock();
        s.prune(now);
        LimiterSnapshot {
            limit: s.limit,
            in_flight: s.in_flight,
            in_window: u32::try_from(s.completed.len()).unwrap_or(u32::MAX),
            blocked_until: s.blocked_until,
        }
    }

    /// Waits for a slot. Errors with [`Error::NoApiOnPlan`] when the cap is 0.
    pub async fn acquire(self: &Arc<Self>, priority: Priority) -> Result<Permit, Error> {
        let waiting = WaitingGuard::new(self.clone(), priority);
        for _ in 0..MAX_WAKEUPS {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let now = self.clock.now();
            let decision = {
                let mut s = self.lock();
                let d = s.decide(now, priority);
                if let Decision::Go = d {
                    s.in_flight += 1;
                }
                d
            };
            match decision {
                Decision::Go => {
                    drop(waiting);
                    return Ok(Permit {
                        limiter: self.clone(),
                        done: false,
                    });
                }
                Decision::Refuse(e) => return Err(e),
                Decision::WaitForChange => changed.await,
                Decision::WaitUntil(t) => {
                    tokio::select! {
                        () = self.clock.sleep_until(t) => {}
                        () = &mut changed => {}
                    }
                }
            }
        }
        Err(Error::RateLimited {
            retry_after: WINDOW,
        })
    }

    /// Learns from a response's `X-RateLimit-Limit` and `X-RateLimit-Remaining`. Call while
    /// the request's permit is still held.
    pub fn observe(&self, limit: Option<u32>, remaining: Option<u32>) {
        let now = self.clock.now();
        {
            let mut s = self.lock();
            s.prune(now);
            if let Some(limit) = limit {
                s.limit = Some(limit);
                s.zero_since = if limit == 0 {
                    s.zero_since.or(Some(now))
                } else {
                    None
                };
            }
            if let (Some(limit), Some(remaining)) = (s.limit, remaining) {
                let ours = limit.saturating_sub(1).saturating_sub(s.used());
                for _ in remaining..ours {
                    s.completed.push_back(now);
                }
            }
        }
        self.changed.notify_waiters();
    }

    /// Blocks every request until `retry_after` from now (after a `429`).
    pub fn block_for(&self, retry_after: Duration) {
        let until = self.clock.now() + retry_after;
        {
            let mut s = self.lock();
            s.blocked_until = Some(s.blocked_until.map_or(until, |b| b.max(until)));
        }
        self.changed.notify_waiters();
    }

    /// Marks the shop's plan as having no API access (a 429 saying so).
    pub fn learn_no_api(&self) {
        self.observe(Some(0), Some(0));
    }
}

struct WaitingGuard {
    limiter: Arc<RateLimiter>,
    priority: Priority,
}

impl WaitingGuard {
    fn new(limiter: Arc<RateLimiter>, priority: Priority) -> Self {
        limiter.lock().waiting[priority.index()] += 1;
        Self { limiter, priority }
    }
}

impl Drop for WaitingGuard {
    fn drop(&mut self) {
        {
            let mut s = self.limiter.lock();
            let n = &mut s.waiting[self.priority.index()];
            *n = n.saturating_sub(1);
        }
        self.limiter.changed.notify_waiters();
    }
}

/// A slot for one request; dropping it dates the slot at the moment of drop.
pub struct Permit {
    limiter: Arc<RateLimiter>,
    done: bool,
}

impl Drop for Permit {
    fn drop(&mut self) {
        if !self.done {
            self.done = true;
            let now = self.limiter.clock.now();
            {
                let mut s = self.limiter.lock();
                s.in_flight = s.in_flight.saturating_sub(1);
                s.completed.push_back(now);
            }
            self.limiter.changed.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, VirtualClock};

    fn limiter() -> (VirtualClock, Arc<RateLimiter>) {
        let clock = VirtualClock::new();
        let l = RateLimiter::new(Arc::new(clock.clone()));
        (clock, l)
    }

    #[tokio::test]
    async fn admits_limit_minus_one_per_sliding_minute() {
        let (clock, l) = limiter();
        drop(l.acquire(Priority::Normal).await.unwrap());
        l.observe(Some(5), None);
        // 1 used; capacity 4 → 3 more at t=0.
        for _ in 0..3 {
            drop(l.acquire(Priority::Normal).await.unwrap());
        }
        assert_eq!(clock.now(), Duration::ZERO);
        // The fifth has to wait for the first slot to leave the window.
        drop(l.acquire(Priority::Normal).await.unwrap());
        assert_eq!(clock.now(), WINDOW);
    }

    #[tokio::test]
    async fn only_one_probe_while_the_limit_is_unknown() {
        let (_clock, l) = limiter();
        let first = l.acquire(Priority::Normal).await.unwrap();
        let l2 = l.clone();
        let second = tokio::spawn(async move { l2.acquire(Priority::Normal).await.map(drop) });
        tokio::task::yield_now().await;
        assert_eq!(l.snapshot().in_flight, 1);
        l.observe(Some(100), Some(98));
        drop(first);
        second.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn limit_zero_refuses_without_waiting_and_rechecks_later() {
        let (clock, l) = limiter();
        let p = l.acquire(Priority::OrderRead).await.unwrap();
        l.observe(Some(0), Some(0));
        drop(p);
        assert_eq!(
            l.acquire(Priority::OrderRead).await.err(),
            Some(Error::NoApiOnPlan)
        );
        clock.advance(ZERO_LIMIT_RECHECK);
        assert!(l.acquire(Priority::OrderRead).await.is_ok());
    }

    #[tokio::test]
    async fn limit_one_means_nothing_passes() {
        let (_clock, l) = limiter();
        drop(l.acquire(Priority::Normal).await.unwrap());
        l.observe(Some(1), None);
        assert_eq!(
            l.acquire(Priority::Normal).await.err(),
            Some(Error::NoApiOnPlan)
        );
    }

    #[tokio::test]
    async fn retry_after_blocks_everyone() {
        let (clock, l) = limiter();
        drop(l.acquire(Priority::Normal).await.unwrap());
        l.observe(Some(100), None);
        l.block_for(Duration::from_secs(60));
        drop(l.acquire(Priority::OrderRead).await.unwrap());
        assert!(clock.now() >= Duration::from_secs(60));
    }

    #[tokio::test]
    async fn lower_remaining_from_the_shop_fills_the_window() {
        let (clock, l) = limiter();
        let p = l.acquire(Priority::Normal).await.unwrap();
        // Another integration used 50 of the 99 slots already.
        l.observe(Some(100), Some(48));
        drop(p);
        assert_eq!(l.snapshot().in_window, 51);
        for _ in 0..48 {
            drop(l.acquire(Priority::Normal).await.unwrap());
        }
        assert_eq!(clock.now(), Duration::ZERO);
        drop(l.acquire(Priority::Normal).await.unwrap());
        assert_eq!(clock.now(), WINDOW);
    }

    #[tokio::test]
    async fn higher_priority_waiters_go_first() {
        let (_clock, l) = limiter();
        drop(l.acquire(Priority::Normal).await.unwrap());
        l.observe(Some(2), None); // capacity 1 per window
                                  // The window's one slot is taken until the permit's minute passes; everyone queues.
        let held = l.acquire(Priority::Normal).await.unwrap();
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for p in [
            Priority::StockWrite,
            Priority::Normal,
            Priority::OrderRead,
            Priority::UrgentStockWrite,
        ] {
            let (l, order) = (l.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                let permit = l.acquire(p).await.unwrap();
                order.lock().unwrap().push(p);
                drop(permit);
            }));
            tokio::task::yield_now().await;
        }
        drop(held);
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(
            *order.lock().unwrap(),
            vec![
                Priority::OrderRead,
                Priority::UrgentStockWrite,
                Priority::Normal,
                Priority::StockWrite
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn no_sliding_minute_ever_holds_more_than_limit_minus_one(
            limit in 2u32..12,
            steps in proptest::collection::vec((0u64..90, 1usize..6), 1..30),
        ) {
            let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
            rt.block_on(async {
                let (clock, l) = limiter();
                let mut admitted: Vec<Duration> = Vec::new();
                for (gap, burst) in steps {
                    clock.advance(Duration::from_secs(gap));
                    for _ in 0..burst {
                        let permit = l.acquire(Priority::Normal).await.unwrap();
                        let now = clock.now();
                        admitted.push(now);
                        l.observe(Some(limit), None);
                        drop(permit);
                        let in_window = admitted
                            .iter()
                            .filter(|t| now.saturating_sub(**t) < WINDOW)
                            .count();
                        assert!(in_window <= (limit - 1) as usize, "{in_window} at {now:?}");
                    }
                }
            });
        }
    }
}
