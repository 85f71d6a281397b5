//! Request tracing names the method, path and status, never the token, the query
//! string or the body.

mod api_support;

use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Collects everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_traced_without_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let db = sklad_store::testing::TestDatabase::sqlite();
    let (server, task) = api_support::start(db.url()).await;
    let firm = server.tenant("Следи ООД", "tracer").await;
    server
        .post_expect(
            "/partners?note=query-secret-42",
            &firm.token,
            json!({"name": "body-secret-77", "email": "secret-mail@example.bg"}),
            reqwest::StatusCode::CREATED,
        )
        .await;
    let (status, _) = server
        .call("GET", "/goods", Some("skl_not-a-real-token-31337"), None)
        .await;
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);
    task.abort();
    server.store.close().await;

    let logs = String::from_utf8_lossy(&captured.0.lock().expect("log buffer")).into_owned();
    assert!(
        logs.contains("/api/v1/partners"),
        "requests are traced: {logs}"
    );
    assert!(logs.contains("status=201"), "with their status: {logs}");
    for secret in [
        firm.token.as_str(),
        &firm.token[4..20],
        "skl_not-a-real-token-31337",
        "query-secret-42",
        "body-secret-77",
        "secret-mail@example.bg",
    ] {
        assert!(!logs.contains(secret), "{secret} leaked into the logs");
    }
}
