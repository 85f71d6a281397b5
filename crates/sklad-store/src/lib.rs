//! Sklad's storage and service layer: every read and write of the warehouse goes
//! through [`Store`], on SQLite (default, one file) or PostgreSQL.

/// The warehouse store. Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct Store {}
