//! The one clock everything asks for the time, so schedules, retries and expiries are
//! tested on virtual time.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> jiff::Timestamp;

    /// Today's date in Bulgaria (Europe/Sofia), e.g. the default date of a new
    /// document.
    fn today_in_sofia(&self) -> jiff::civil::Date {
        self.now().to_zoned(sofia()).date()
    }
}

/// Bulgaria's time zone: from the system's time zone database, or, where there is
/// none (a bare container), the same rule written out: EET (UTC+2), summer time EEST
/// (UTC+3) from the last Sunday of March 03:00 to the last Sunday of October 04:00.
pub fn sofia() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Sofia")
        .or_else(|_| jiff::tz::TimeZone::posix("EET-2EEST,M3.5.0/3,M10.5.0/4"))
        .unwrap_or(jiff::tz::TimeZone::fixed(jiff::tz::offset(2)))
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
    /// A clock standing at `start`.
    pub fn new(start: jiff::Timestamp) -> Self {
        Self {
            micros: Arc::new(AtomicI64::new(start.as_microsecond())),
        }
    }

    /// Moves the clock by `by` (backwards when negative). Every clone of this clock
    /// sees the change.
    pub fn advance(&self, by: jiff::SignedDuration) {
        let by = i64::try_from(by.as_micros()).unwrap_or(i64::MAX);
        // The closure always returns `Some`, so the update cannot fail.
        let _ = self
            .micros
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |m| {
                Some(m.saturating_add(by))
            });
    }

    /// Puts the clock at `at`.
    pub fn set(&self, at: jiff::Timestamp) {
        self.micros.store(at.as_microsecond(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> jiff::Timestamp {
        let micros = self.micros.load(Ordering::SeqCst);
        jiff::Timestamp::from_microsecond(micros).unwrap_or(if micros < 0 {
            jiff::Timestamp::MIN
        } else {
            jiff::Timestamp::MAX
        })
    }
}

/// The clock as services hold it.
pub type SharedClock = Arc<dyn Clock>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told_and_all_clones_see_it() {
        let start: jiff::Timestamp = "2026-11-28T21:30:00Z".parse().unwrap();
        let clock = ManualClock::new(start);
        let shared: SharedClock = Arc::new(clock.clone());
        assert_eq!(shared.now(), start);
        clock.advance(jiff::SignedDuration::from_secs(3 * 3600));
        assert_eq!(
            shared.now(),
            start + jiff::SignedDuration::from_secs(3 * 3600)
        );
        // 00:30 in UTC is already 02:30 the next day in Sofia (UTC+2 in winter).
        assert_eq!(shared.today_in_sofia(), jiff::civil::date(2026, 11, 29));
        clock.set(start);
        assert_eq!(shared.now(), start);
        assert_eq!(shared.today_in_sofia(), jiff::civil::date(2026, 11, 28));
    }

    #[test]
    fn the_written_out_rule_matches_the_database() {
        let rule = jiff::tz::TimeZone::posix("EET-2EEST,M3.5.0/3,M10.5.0/4").unwrap();
        // Summer time 2026: 29 March 01:00 UTC to 25 October 01:00 UTC.
        for (utc, hours) in [
            ("2026-03-29T00:59:59Z", 2),
            ("2026-03-29T01:00:00Z", 3),
            ("2026-10-25T00:59:59Z", 3),
            ("2026-10-25T01:00:00Z", 2),
        ] {
            let at: jiff::Timestamp = utc.parse().unwrap();
            assert_eq!(rule.to_offset(at), jiff::tz::offset(hours), "{utc}");
            assert_eq!(sofia().to_offset(at), jiff::tz::offset(hours), "{utc}");
        }
    }
}
