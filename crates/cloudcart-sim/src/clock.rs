//! The emulator's injected clock: real time, or virtual time that moves only when told.

use std::sync::atomic::{AtomicI64, Ordering};

use jiff::{SignedDuration, Timestamp};

use crate::config::ClockMode;

/// Start of virtual time: 2026-06-01 08:00:00 UTC (microseconds since the epoch).
const VIRTUAL_START_MICROS: i64 = 1_780_300_800_000_000;

/// The clock every schedule in the emulator reads (webhook retries, rate windows, timestamps).
#[derive(Debug)]
pub struct SimClock {
    mode: ClockMode,
    /// Virtual mode: current time. Real mode: offset added to wall-clock time.
    micros: AtomicI64,
}

impl SimClock {
    /// A clock in the given mode.
    pub fn new(mode: ClockMode) -> Self {
        let micros = match mode {
            ClockMode::Virtual => VIRTUAL_START_MICROS,
            ClockMode::Real => 0,
        };
        Self {
            mode,
            micros: AtomicI64::new(micros),
        }
    }

    /// Whether the clock is virtual.
    pub fn is_virtual(&self) -> bool {
        self.mode == ClockMode::Virtual
    }

    /// Now.
    pub fn now(&self) -> Timestamp {
        let micros = self.micros.load(Ordering::SeqCst);
        match self.mode {
            ClockMode::Virtual => {
                Timestamp::from_microsecond(micros).unwrap_or(Timestamp::UNIX_EPOCH)
            }
            ClockMode::Real => Timestamp::now()
                .checked_add(SignedDuration::from_micros(micros))
                .unwrap_or_else(|_| Timestamp::now()),
        }
    }

    /// Move time forward (also in real mode, where it shifts the offset).
    pub fn advance(&self, by: SignedDuration) {
        let by = by.as_micros().clamp(0, i64::MAX as i128) as i64;
        self.micros.fetch_add(by, Ordering::SeqCst);
    }
}

/// `YYYY-MM-DD HH:MM:SS` as the API prints datetimes (UTC in the emulator).
pub fn format_datetime(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%d %H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_clock_moves_only_when_advanced() {
        let c = SimClock::new(ClockMode::Virtual);
        let a = c.now();
        assert_eq!(format_datetime(a), "2026-06-01 08:00:00");
        c.advance(SignedDuration::from_secs(120));
        assert_eq!(format_datetime(c.now()), "2026-06-01 08:02:00");
    }
}
