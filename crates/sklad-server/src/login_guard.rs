//! Sign-in throttling (issue 11): per login and per client address, a few failed
//! attempts are free; after them each further failure locks that login (or address) for
//! a time that doubles with every failure — 30 s, 1 min, 2 min … at most 15 min — and a
//! success clears both. A locked attempt is refused before any password is checked, with
//! `429` and `Retry-After`.
//!
//! Hand-written rather than with `governor`: the lock must grow with repeated failures
//! (a token bucket refills at one rate) and run on the server's injected clock, so tests
//! lift it on virtual time. The table is bounded: past [`MAX_ENTRIES`] the entries that no
//! longer lock anything are dropped first, then the oldest.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use jiff::{SignedDuration, Timestamp};
use sklad_domain::clock::SharedClock;

/// Failed attempts free per login before it locks.
pub const FREE_PER_LOGIN: u32 = 5;
/// Failed attempts free per client address (many logins tried from one place).
pub const FREE_PER_ADDRESS: u32 = 20;
/// The first lock; each further failure doubles it.
const FIRST_LOCK: SignedDuration = SignedDuration::from_secs(30);
/// The longest lock.
const MAX_LOCK: SignedDuration = SignedDuration::from_mins(15);
/// Most logins and addresses remembered at once.
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Login(String),
    Address(IpAddr),
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    locked_until: Option<Timestamp>,
    last: Timestamp,
}

/// What a failed attempt led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lock {
    /// Until when.
    pub until: Timestamp,
    /// Whether it was the login (else the address) that locked.
    pub login: bool,
}

/// The sign-in throttle of a server.
#[derive(Debug)]
pub struct LoginGuard {
    clock: SharedClock,
    entries: Mutex<HashMap<Key, Entry>>,
}

fn login_key(login: &str) -> Key {
    Key::Login(login.trim().to_lowercase())
}

impl LoginGuard {
    /// A throttle on `clock` with nothing remembered.
    pub fn new(clock: SharedClock) -> LoginGuard {
        LoginGuard {
            clock,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How long to wait before `login` may be tried from `address`, when either is
    /// locked now.
    pub fn wait(&self, login: &str, address: IpAddr) -> Option<SignedDuration> {
        let now = self.clock.now();
        let entries = self.entries();
        [login_key(login), Key::Address(address)]
            .iter()
            .filter_map(|k| entries.get(k)?.locked_until)
            .filter(|until| *until > now)
            .max()
            .map(|until| until.duration_since(now))
    }

    /// Counts a failed attempt; returns the lock it started, if any.
    pub fn failed(&self, login: &str, address: IpAddr) -> Option<Lock> {
        let now = self.clock.now();
        let mut entries = self.entries();
        if entries.len() >= MAX_ENTRIES {
            prune(&mut entries, now);
        }
        let mut lock = None;
        for (key, free) in [
            (login_key(login), FREE_PER_LOGIN),
            (Key::Address(address), FREE_PER_ADDRESS),
        ] {
            let is_login = matches!(key, Key::Login(_));
            let entry = entries.entry(key).or_insert(Entry {
                failures: 0,
                locked_until: None,
                last: now,
            });
            entry.failures = entry.failures.saturating_add(1);
            entry.last = now;
            if entry.failures >= free {
                let doublings = (entry.failures - free).min(10);
                let span = FIRST_LOCK
                    .checked_mul(1 << doublings)
                    .unwrap_or(MAX_LOCK)
                    .min(MAX_LOCK);
                let until = now.checked_add(span).unwrap_or(now);
                entry.locked_until = Some(until);
                if lock.is_none_or(|l: Lock| until > l.until) {
                    lock = Some(Lock {
                        until,
                        login: is_login,
                    });
                }
            }
        }
        lock
    }

    /// A successful sign-in clears the login's and the address's failures.
    pub fn succeeded(&self, login: &str, address: IpAddr) {
        let mut entries = self.entries();
        entries.remove(&login_key(login));
        entries.remove(&Key::Address(address));
    }
}

/// Drops entries that lock nothing now, then, if still full, the least recently failed.
fn prune(entries: &mut HashMap<Key, Entry>, now: Timestamp) {
    entries.retain(|_, e| e.locked_until.is_some_and(|u| u > now));
    if entries.len() >= MAX_ENTRIES {
        let mut by_age: Vec<(Key, Timestamp)> =
            entries.iter().map(|(k, e)| (k.clone(), e.last)).collect();
        by_age.sort_by_key(|(_, last)| *last);
        for (key, _) in by_age.into_iter().take(MAX_ENTRIES / 10) {
            entries.remove(&key);
        }
    }
}

/// The client's address: the socket's peer, or — when that peer is the configured
/// trusted reverse proxy — the last address of its `X-Forwarded-For`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<crate::AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        if state.trusted_proxy == Some(peer) {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .next_back();
            if let Some(client) = forwarded {
                return Ok(ClientAddr(client));
            }
        }
        Ok(ClientAddr(peer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sklad_domain::clock::ManualClock;
    use std::sync::Arc;

    #[test]
    fn locks_grow_with_failures_lift_on_time_and_clear_on_success() {
        let clock = ManualClock::new("2026-11-30T10:00:00Z".parse().unwrap());
        let guard = LoginGuard::new(Arc::new(clock.clone()));
        let here: IpAddr = [192, 0, 2, 1].into();
        for _ in 1..FREE_PER_LOGIN {
            assert_eq!(guard.failed("Admin", here), None);
        }
        let lock = guard.failed("admin", here).expect("locked");
        assert!(lock.login);
        assert_eq!(guard.wait("ADMIN", here), Some(FIRST_LOCK));
        clock.advance(FIRST_LOCK);
        assert_eq!(guard.wait("admin", here), None, "lifted");
        guard.failed("admin", here);
        assert_eq!(guard.wait("admin", here), Some(FIRST_LOCK * 2), "doubled");
        for _ in 0..20 {
            guard.failed("admin", here);
        }
        assert_eq!(guard.wait("admin", here), Some(MAX_LOCK), "at most");
        guard.succeeded("admin", here);
        assert_eq!(guard.wait("admin", here), None, "cleared");
    }

    #[test]
    fn many_logins_from_one_address_lock_the_address() {
        let clock = ManualClock::new("2026-11-30T10:00:00Z".parse().unwrap());
        let guard = LoginGuard::new(Arc::new(clock));
        let here: IpAddr = [192, 0, 2, 1].into();
        let elsewhere: IpAddr = [198, 51, 100, 7].into();
        for i in 0..FREE_PER_ADDRESS {
            guard.failed(&format!("user{i}"), here);
        }
        assert!(guard.wait("someone", here).is_some(), "the address");
        assert_eq!(guard.wait("someone", elsewhere), None);
    }
}
