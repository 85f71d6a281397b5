//! The webhook doors this process has recently seen open: a genuine delivery is
//! acknowledged without reading its connection from the database again for
//! [`DOOR_TTL`], so acknowledging stays one durable insert (issue 8's benchmark).
//!
//! Only what opened a door is kept: the connection and digests (SHA-256) of the API key
//! and of our header — never the secrets. A delivery that does not match goes to the
//! database, so a changed key is seen at once; a door closed by another process (key
//! rotated, connection deleted) may still open here until its entry lapses, which
//! costs nothing: deliveries are hints, the importer reads every order from the shop,
//! and a deleted connection's inbox row is refused by the database (503, retried, then
//! 404). Every change made through this process empties the cache.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};
use sklad_domain::Id;
use subtle::ConstantTimeEq;

/// How long an opened door is remembered.
pub const DOOR_TTL: jiff::SignedDuration = jiff::SignedDuration::from_secs(5);

/// Doors are remembered for at most this many connections (a firm's shops; beyond it
/// the cache starts over).
const MAX_DOORS: usize = 10_000;

/// The connection a door opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Opened {
    pub firm_id: Id,
    pub connection_id: Id,
}

struct Door {
    opened: Opened,
    key: [u8; 32],
    header: [u8; 32],
    until: jiff::Timestamp,
}

/// The remembered doors, by path token.
#[derive(Default)]
pub(crate) struct Doors {
    doors: Mutex<HashMap<String, Door>>,
}

impl std::fmt::Debug for Doors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Doors").finish_non_exhaustive()
    }
}

fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

impl Doors {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Door>> {
        self.doors.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The connection, when `token` opened with exactly this key and header before
    /// `now` and the entry has not lapsed.
    pub(crate) fn open(
        &self,
        token: &str,
        api_key: &str,
        header: &str,
        now: jiff::Timestamp,
    ) -> Option<Opened> {
        let doors = self.lock();
        let door = doors.get(token).filter(|d| now < d.until)?;
        let same = door.key.ct_eq(&digest(api_key)) & door.header.ct_eq(&digest(header));
        bool::from(same).then_some(door.opened)
    }

    /// Remembers that `token` opened with this key and header.
    pub(crate) fn remember(
        &self,
        token: &str,
        api_key: &str,
        header: &str,
        opened: Opened,
        now: jiff::Timestamp,
    ) {
        let mut doors = self.lock();
        if doors.len() >= MAX_DOORS {
            doors.clear();
        }
        doors.insert(
            token.to_owned(),
            Door {
                opened,
                key: digest(api_key),
                header: digest(header),
                until: now.saturating_add(DOOR_TTL).unwrap_or(now),
            },
        );
    }

    /// Forgets every door (a connection changed).
    pub(crate) fn forget(&self) {
        self.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_door_opens_again_only_with_the_same_secrets_and_until_it_lapses() {
        let doors = Doors::default();
        let now: jiff::Timestamp = "2026-11-30T10:00:00Z".parse().unwrap();
        let opened = Opened {
            firm_id: 1,
            connection_id: 7,
        };
        assert_eq!(doors.open("t", "key", "hdr", now), None);
        doors.remember("t", "key", "hdr", opened, now);
        assert_eq!(doors.open("t", "key", "hdr", now), Some(opened));
        assert_eq!(doors.open("t", "other", "hdr", now), None);
        assert_eq!(doors.open("t", "key", "other", now), None);
        assert_eq!(doors.open("u", "key", "hdr", now), None);
        assert_eq!(doors.open("t", "key", "hdr", now + DOOR_TTL), None);
        doors.forget();
        assert_eq!(doors.open("t", "key", "hdr", now), None);
        assert!(!format!("{doors:?}").contains("key"));
    }
}
