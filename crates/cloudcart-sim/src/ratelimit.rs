//! The per-shop sliding 60-second request window (API.md §1.13).

use std::collections::VecDeque;

use jiff::{SignedDuration, Timestamp};

/// Admitted request times of the last 60 s.
#[derive(Debug, Default)]
pub struct RateWindow {
    admitted: VecDeque<Timestamp>,
}

/// Outcome of a rate-limit check, with the header values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// `X-RateLimit-Limit`.
    pub limit: u32,
    /// `X-RateLimit-Remaining`.
    pub remaining: u32,
}

impl RateDecision {
    /// A refusal with nothing remaining under `limit`.
    pub fn refused(limit: u32) -> Self {
        RateDecision {
            allowed: false,
            limit,
            remaining: 0,
        }
    }
}

impl RateWindow {
    /// The header values for a refusal at `now` that does not use up quota.
    pub fn peek(&mut self, now: Timestamp, limit: u32) -> RateDecision {
        self.expire(now);
        let remaining =
            (limit.saturating_sub(1) as usize).saturating_sub(self.admitted.len()) as u32;
        RateDecision {
            remaining,
            ..RateDecision::refused(limit)
        }
    }

    fn expire(&mut self, now: Timestamp) {
        let window_start = now - SignedDuration::from_secs(60);
        while self.admitted.front().is_some_and(|t| *t <= window_start) {
            self.admitted.pop_front();
        }
    }

    /// Check and record a request at `now` against `limit` per minute. Like the platform,
    /// only `limit − 1` requests pass per sliding 60 s; a limit of 0 refuses everything.
    pub fn check(&mut self, now: Timestamp, limit: u32) -> RateDecision {
        self.expire(now);
        let capacity = limit.saturating_sub(1) as usize;
        if self.admitted.len() < capacity {
            self.admitted.push_back(now);
            RateDecision {
                allowed: true,
                limit,
                remaining: (capacity - self.admitted.len()) as u32,
            }
        } else {
            RateDecision::refused(limit)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_minus_one_pass_then_window_slides() {
        let mut w = RateWindow::default();
        let t0 = Timestamp::from_second(1_000_000).unwrap();
        for i in 0..4 {
            assert!(w.check(t0 + SignedDuration::from_secs(i), 5).allowed);
        }
        assert!(!w.check(t0 + SignedDuration::from_secs(10), 5).allowed);
        assert!(w.check(t0 + SignedDuration::from_secs(61), 5).allowed);
    }

    #[test]
    fn limit_zero_refuses_first_request() {
        let mut w = RateWindow::default();
        let d = w.check(Timestamp::from_second(1).unwrap(), 0);
        assert!(!d.allowed);
        assert_eq!(d.remaining, 0);
    }
}
