//! Test support (cargo feature `testing`, for dev-dependencies only): a fresh,
//! empty database per test on either engine, removed when dropped.
//!
//! SQLite is a file in a new temporary directory. PostgreSQL is a new database on
//! the server named by `SKLAD_TEST_DATABASE_URL` (an admin URL whose role may
//! `CREATE DATABASE`); when that variable is unset the PostgreSQL half is skipped
//! with a notice, except under `CI`, where that is a failure.

use std::future::Future;

use crate::{Engine, Store};

/// The variable naming the test PostgreSQL server.
pub const DATABASE_URL_VAR: &str = "SKLAD_TEST_DATABASE_URL";

/// The test PostgreSQL server's admin URL, or `None` (with a notice on the
/// terminal, once per process) when unset. Panics when unset under `CI`.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var(DATABASE_URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI is set but {DATABASE_URL_VAR} is not: the PostgreSQL tests must run")
        }
        _ => {
            // Straight to the process's stderr (test capture would swallow it), once.
            static NOTICE: std::sync::Once = std::sync::Once::new();
            NOTICE.call_once(|| {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "notice: {DATABASE_URL_VAR} is unset: PostgreSQL tests are skipped"
                );
            });
            None
        }
    }
}

/// What keeps a test database alive.
enum Keep {
    /// Removed with the directory when dropped.
    Dir {
        _dir: tempfile::TempDir,
    },
    Postgres {
        admin_url: String,
        name: String,
    },
}

/// A fresh, empty (not migrated) database for one test. Dropping it removes it: the
/// SQLite directory, or the PostgreSQL database (`DROP DATABASE … WITH (FORCE)`,
/// best effort, on a thread of its own so it works inside and outside a runtime).
pub struct TestDatabase {
    url: String,
    engine: Engine,
    keep: Keep,
}

impl std::fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URL: the admin URL holds a password.
        f.debug_struct("TestDatabase")
            .field("engine", &self.engine)
            .finish_non_exhaustive()
    }
}

impl TestDatabase {
    /// A new SQLite file in a new temporary directory.
    pub fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        TestDatabase {
            url: format!("sqlite://{}", dir.path().join("sklad.db").display()),
            engine: Engine::Sqlite,
            keep: Keep::Dir { _dir: dir },
        }
    }

    /// A new database on the test PostgreSQL server, or `None` when the server is
    /// not configured (see [`postgres_admin_url`]).
    pub async fn postgres() -> Option<TestDatabase> {
        use sqlx::Connection;
        let admin_url = postgres_admin_url()?;
        sqlx::any::install_default_drivers();
        let name = format!("sklad_test_{:016x}", rand::random::<u64>());
        let mut admin = sqlx::AnyConnection::connect(&admin_url)
            .await
            .expect("connect to the test PostgreSQL server");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create a test database");
        admin.close().await.ok();
        let (base, query) = match admin_url.split_once('?') {
            Some((b, q)) => (b, format!("?{q}")),
            None => (admin_url.as_str(), String::new()),
        };
        let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
        Some(TestDatabase {
            url: format!("{prefix}/{name}{query}"),
            engine: Engine::Postgres,
            keep: Keep::Postgres { admin_url, name },
        })
    }

    /// A new database on `engine`; `None` when it is PostgreSQL and not configured.
    pub async fn fresh(engine: Engine) -> Option<TestDatabase> {
        match engine {
            Engine::Sqlite => Some(TestDatabase::sqlite()),
            Engine::Postgres => TestDatabase::postgres().await,
        }
    }

    /// The database's URL (for [`Store::open`], or a server or CLI under test).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The engine.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// PostgreSQL: refuses new connections to this database and ends every session
    /// of it (`allow = false`), as a database that went away; `allow = true` lets
    /// connections in again. SQLite lives in the process and cannot go away: panics.
    pub async fn allow_connections(&self, allow: bool) {
        use sqlx::Connection;
        let Keep::Postgres { admin_url, name } = &self.keep else {
            panic!("an SQLite database cannot be cut off from its process");
        };
        let mut admin = sqlx::AnyConnection::connect(admin_url)
            .await
            .expect("connect as the test administrator");
        sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS {allow}"))
            .execute(&mut admin)
            .await
            .expect("allow or refuse connections");
        if !allow {
            // Waits (up to 5 s each) until the sessions are gone.
            sqlx::query(
                "SELECT pg_terminate_backend(pid, 5000) AS ended FROM pg_stat_activity \
                 WHERE datname = $1 AND pid <> pg_backend_pid()",
            )
            .bind(name)
            .fetch_all(&mut admin)
            .await
            .expect("end the sessions");
        }
        admin.close().await.ok();
    }

    /// A store on this database, migrated.
    pub async fn store(&self) -> Store {
        let store = Store::open(&self.url).await.expect("open the test store");
        store.migrate().await.expect("migrate the test store");
        store
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Keep::Postgres { admin_url, name } = &self.keep else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        let dropper = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                use sqlx::Connection;
                if let Ok(mut admin) = sqlx::AnyConnection::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut admin)
                        .await;
                    admin.close().await.ok();
                }
            });
        });
        let _ = dropper.join();
    }
}

/// Runs `test` on a fresh migrated store on `engine` (skipped when PostgreSQL is
/// not configured), then closes the store, removes the database and re-raises the
/// test's panic, if any.
pub async fn run_with_store<F, Fut>(engine: Engine, test: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(db) = TestDatabase::fresh(engine).await else {
        return;
    };
    let store = db.store().await;
    let outcome = tokio::spawn(test(store.clone())).await;
    store.close().await;
    drop(db);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}
