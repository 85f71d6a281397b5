//! CloudCart client.
