//! The built `sklad` binary on a temp data directory: firm, user and token creation,
//! backup and restore, the euro changeover, help texts, and `serve` answering HTTP.

mod support;

use std::io::{Read, Write};
use support::{ok, serve, serve_logged_with, serve_with_stderr_closed, sklad, value, wait_for_log};

#[test]
fn administers_firms_users_tokens_and_archives() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");

    let out = ok(sklad(
        &data,
        &[
            "firm",
            "create",
            "--name",
            "Пример ООД",
            "--eik",
            "831826092",
            "--currency",
            "bgn",
            "--seats",
            "3",
            "--vat-registered",
        ],
    ));
    let firm = value(&out, "firm_id");

    // An invalid ЕИК is refused with the field, the code and both languages.
    let bad = sklad(
        &data,
        &["firm", "create", "--name", "Лоша", "--eik", "831826093"],
    );
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("eik_invalid") && stderr.contains("ЕИК"),
        "{stderr}"
    );

    // A generated password is printed once; a given one is not.
    let out = ok(sklad(
        &data,
        &[
            "user", "create", "--firm", &firm, "--login", "ivan", "--role", "owner",
        ],
    ));
    assert!(out.contains("Парола / Password"), "{out}");
    assert_eq!(value(&out, "login"), "ivan");
    let out = ok(sklad(
        &data,
        &[
            "user",
            "create",
            "--firm",
            &firm,
            "--login",
            "maria",
            "--password",
            "correct horse battery",
        ],
    ));
    assert!(!out.contains("correct horse battery"), "{out}");
    assert_eq!(value(&out, "role"), "operator");

    let out = ok(sklad(
        &data,
        &["token", "create", "--firm", &firm, "--login", "ivan"],
    ));
    assert!(
        out.lines().any(|l| l.starts_with("skl_") && l.len() == 68),
        "{out}"
    );
    let unknown = sklad(
        &data,
        &["token", "create", "--firm", &firm, "--login", "nobody"],
    );
    assert!(!unknown.status.success());

    // The third seat is the last: a fourth user is refused and leaves no user behind
    // (no token for that login; below, it is created anew in another firm).
    ok(sklad(
        &data,
        &["user", "create", "--firm", &firm, "--login", "petar"],
    ));
    let full = sklad(
        &data,
        &["user", "create", "--firm", &firm, "--login", "georgi"],
    );
    assert!(!full.status.success());
    let stderr = String::from_utf8_lossy(&full.stderr);
    assert!(stderr.contains("seats_exceeded"), "{stderr}");
    let orphan = sklad(
        &data,
        &["token", "create", "--firm", &firm, "--login", "georgi"],
    );
    assert!(!orphan.status.success());

    // Backup to a file, restore as a new firm owned by maria.
    let archive = dir.path().join("firm.sklad.gz");
    ok(sklad(
        &data,
        &[
            "backup",
            "--firm",
            &firm,
            "--out",
            archive.to_str().unwrap(),
        ],
    ));
    assert!(std::fs::metadata(&archive).expect("archive").len() > 0);
    let out = ok(sklad(
        &data,
        &[
            "restore",
            "--file",
            archive.to_str().unwrap(),
            "--owner",
            "maria",
            "--name",
            "Копие ООД",
        ],
    ));
    let restored = value(&out, "firm_id");
    assert_ne!(restored, firm);

    // An existing login joins another firm without a new password.
    let out = ok(sklad(
        &data,
        &["user", "create", "--firm", &restored, "--login", "ivan"],
    ));
    assert!(!out.contains("Парола"), "{out}");
    assert_eq!(value(&out, "role"), "operator");
    // The login refused for want of seats was never stored: it is created anew here.
    let out = ok(sklad(
        &data,
        &["user", "create", "--firm", &restored, "--login", "georgi"],
    ));
    assert!(out.contains("Парола / Password"), "{out}");

    // A damaged archive is refused.
    let damaged = dir.path().join("damaged.gz");
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&damaged, bytes).unwrap();
    let refused = sklad(
        &data,
        &[
            "restore",
            "--file",
            damaged.to_str().unwrap(),
            "--owner",
            "maria",
        ],
    );
    assert!(!refused.status.success());

    // The euro changeover happens once.
    ok(sklad(&data, &["euro-changeover", "--firm", &firm]));
    let again = sklad(&data, &["euro-changeover", "--firm", &firm]);
    assert!(!again.status.success());
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().expect("temp dir");
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["firm", "create", "--help"],
        vec!["user", "create", "--help"],
        vec!["token", "create", "--help"],
        vec!["backup", "--help"],
        vec!["restore", "--help"],
        vec!["euro-changeover", "--help"],
    ] {
        let out = ok(sklad(dir.path(), &args));
        assert!(out.contains("Usage"), "{args:?}: {out}");
    }
}

#[test]
fn migrate_reports_the_database_without_secrets() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = ok(sklad(&dir.path().join("data"), &["migrate"]));
    assert!(out.contains("sqlite"), "{out}");
    assert!(dir.path().join("data").join("sklad.db").exists());
}

/// `GET path` on the server at `url`, the whole raw response.
fn get_raw(url: &str, path: &str) -> String {
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    response
}

#[test]
fn serve_prints_the_url_and_first_login_and_answers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = serve(&dir.path().join("data"));
    assert!(
        server.banner.contains("Вход / Login: admin"),
        "{}",
        server.banner
    );
    let response = get_raw(&server.url, "/api/v1/openapi.json");
    drop(server);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"openapi\":\"3.1.0\""));
}

#[test]
fn serve_answers_with_its_standard_error_closed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = serve_with_stderr_closed(&dir.path().join("data"));
    // Each request logs a line that cannot be written; none of them may fail for it.
    for _ in 0..3 {
        let response = get_raw(&server.url, "/api/v1/openapi.json");
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    }
}

/// Issue 10: with `SKLAD_LOG_FORMAT=json` every log line is one JSON object (a request's
/// line carries its span: method and path); `/healthz` answers without a session.
#[test]
fn serve_logs_json_lines_when_asked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (server, log) =
        serve_logged_with(&dir.path().join("data"), &[("SKLAD_LOG_FORMAT", "json")]);
    let response = get_raw(&server.url, "/healthz");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("{\"status\":\"ok\"}"), "{response}");
    let line = wait_for_log(&log, &["/healthz"], std::time::Duration::from_secs(30));
    drop(server);
    let entry: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
    assert_eq!(entry["span"]["path"], "/healthz", "{entry}");
    assert_eq!(entry["span"]["method"], "GET", "{entry}");
    assert!(
        entry["level"].is_string() && entry["timestamp"].is_string(),
        "{entry}"
    );
    for other in log.try_iter() {
        serde_json::from_str::<serde_json::Value>(&other).expect("every line is JSON");
    }
}

/// Issue 11: with `SKLAD_WEBHOOK_LISTEN` the webhook receiver has a listener of its own
/// that serves nothing else (pages, API, assets, health: an empty 404), shops are told
/// its address, and the back office's listener keeps everything.
#[test]
fn the_webhook_listener_serves_only_the_webhook_doors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (server, _log) = serve_logged_with(
        &dir.path().join("data"),
        &[("SKLAD_WEBHOOK_LISTEN", "127.0.0.1:0")],
    );
    let hooks = server
        .banner
        .lines()
        .find_map(|l| {
            l.split_once("(nothing else): ")
                .map(|(_, url)| url.to_owned())
        })
        .expect("the webhook address in the banner");
    let hooks = hooks.trim_end_matches("/hooks/cloudcart/…").to_owned();
    assert!(
        server
            .banner
            .contains(&format!("Public address for shop webhooks: {hooks}")),
        "{}",
        server.banner
    );
    for path in [
        "/",
        "/login",
        "/api/v1/openapi.json",
        "/api/v1/goods",
        "/assets/sklad.css",
        "/healthz",
        "/metrics",
        "/hooks/cloudcart",
    ] {
        let response = get_raw(&hooks, path);
        assert!(response.starts_with("HTTP/1.1 404"), "{path}: {response}");
        assert!(
            response.ends_with("\r\n\r\n"),
            "{path}: an empty body: {response}"
        );
    }
    // A door with an unknown token: the receiver itself answers (404, nothing written).
    let address = hooks.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    write!(
        stream,
        "POST /hooks/cloudcart/unknown/order-created HTTP/1.1\r\nHost: {address}\r\n\
         Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    assert!(response.starts_with("HTTP/1.1 404"), "{response}");
    // The back office is where it was.
    assert!(get_raw(&server.url, "/login").starts_with("HTTP/1.1 200"));
    assert!(get_raw(&server.url, "/healthz").starts_with("HTTP/1.1 200"));
}
