//! Sign-in throttling (issue 11), figures printed as plain text with the machine: how
//! many passwords an attacker gets checked —
//!
//! - before: wrong passwords for logins spread over addresses, so no lock ever engages
//!   (what every attempt cost before the throttle: one argon2 check per request);
//! - after, one login from one address, and many logins from one address: attempts
//!   sustained for one hour of the server's (virtual) time, the attacker waiting exactly
//!   the `Retry-After` it is told; and how fast the server refuses a locked attempt
//!   (no argon2 work).
//!
//! Run with `cargo bench -p sklad-server --bench sign_in`; `SKLAD_BENCH_LOGINS` lowers
//! the size of the unthrottled run.

use sklad_bench::{env_usize, machine};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use jiff::SignedDuration;
use reqwest::header::{COOKIE, RETRY_AFTER, SET_COOKIE};
use sklad_domain::clock::{Clock, ManualClock};
use sklad_domain::model::{FirmInput, Role, UserInput};
use sklad_domain::Currency;
use sklad_server::AppState;
use sklad_store::Store;

/// The most attempts any one run makes (a bound on every loop).
const MAX_ATTEMPTS: usize = 20_000;

/// A server on a fresh SQLite file with one owner, trusting the loopback proxy so
/// `X-Forwarded-For` names the attacker's address, on virtual time.
struct Target {
    base: String,
    store: Store,
    clock: ManualClock,
    http: reqwest::Client,
    login_cookie: String,
    csrf: String,
    _dir: tempfile::TempDir,
}

async fn target() -> Target {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new("2026-11-30T10:00:00Z".parse().unwrap());
    let store = Store::open(&format!(
        "sqlite://{}",
        dir.path().join("sklad.db").display()
    ))
    .await
    .unwrap()
    .with_clock(Arc::new(clock.clone()));
    store.migrate().await.unwrap();
    let firm = store
        .create_firm(&FirmInput {
            name: "Цел ООД".into(),
            eik: None,
            currency: Currency::Eur,
            vat_registered: true,
            seats: 2,
            allow_negative_stock: false,
        })
        .await
        .unwrap();
    store
        .create_member(
            firm.id,
            &UserInput {
                login: "admin".into(),
                password: "the-real-password-1".into(),
                display_name: "Админ".into(),
                language: "bg".into(),
            },
            Role::Owner,
        )
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let bridge = sklad_sync::Bridge::new(
        store.clone(),
        sklad_sync::SecretBox::random(),
        sklad_sync::BridgeConfig::new(&format!("http://{addr}")),
    );
    let state = AppState {
        trusted_proxy: Some(IpAddr::from([127, 0, 0, 1])),
        ..AppState::new(store.clone(), Arc::new(clock.clone()), bridge)
    };
    let app = sklad_server::app(state);
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = format!("http://{addr}");
    let page = http.get(format!("{base}/login")).send().await.unwrap();
    let login_cookie = page
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sklad_login_csrf="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_owned();
    let html = page.text().await.unwrap();
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).unwrap() + marker.len();
    let csrf = html[start..start + html[start..].find('"').unwrap()].to_owned();
    Target {
        base,
        store,
        clock,
        http,
        login_cookie,
        csrf,
        _dir: dir,
    }
}

/// What one attempt got: refused with a wait, or answered (a password was checked).
enum Answer {
    Checked,
    Locked(SignedDuration),
}

impl Target {
    async fn attempt(&self, login: &str, from: IpAddr) -> Answer {
        let answer = self
            .http
            .post(format!("{}/login", self.base))
            .header(COOKIE, &self.login_cookie)
            .header("X-Forwarded-For", from.to_string())
            .form(&[
                ("csrf", self.csrf.as_str()),
                ("login", login),
                ("password", "a-wrong-guess"),
            ])
            .send()
            .await
            .unwrap();
        if answer.status() == reqwest::StatusCode::TOO_MANY_REQUESTS {
            let seconds: i64 = answer.headers()[RETRY_AFTER]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            Answer::Locked(SignedDuration::from_secs(seconds))
        } else {
            assert_eq!(answer.status(), reqwest::StatusCode::OK);
            Answer::Checked
        }
    }

    /// Attacks for one hour of virtual time, waiting each `Retry-After`; returns the
    /// passwords checked and the attempts made.
    async fn for_an_hour(&self, login: impl Fn(usize) -> String, from: IpAddr) -> (u64, usize) {
        let checks_before = self.store.password_checks();
        let started = self.clock.now();
        let mut attempts = 0;
        while attempts < MAX_ATTEMPTS
            && self.clock.now().duration_since(started) < SignedDuration::from_hours(1)
        {
            if let Answer::Locked(wait) = self.attempt(&login(attempts), from).await {
                self.clock.advance(wait);
            }
            attempts += 1;
        }
        (self.store.password_checks() - checks_before, attempts)
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!("machine: {}", machine());
    let spread = env_usize("SKLAD_BENCH_LOGINS", 200).min(MAX_ATTEMPTS);

    // Before: no lock engages (every login and address differs), so each request is one
    // argon2 check — what any attacker got before the throttle.
    let t = target().await;
    let started = Instant::now();
    for i in 0..spread {
        let from = IpAddr::from([10, 1, (i / 250) as u8, (i % 250) as u8 + 1]);
        assert!(matches!(
            t.attempt(&format!("guess{i}"), from).await,
            Answer::Checked
        ));
    }
    let before = spread as f64 / started.elapsed().as_secs_f64();
    println!(
        "before (no throttle engaged): {before:.1} password checks/s = {:.0} per hour from one attacker",
        before * 3600.0
    );

    // After: one login from one address.
    let t = target().await;
    let attacker = IpAddr::from([203, 0, 113, 9]);
    let (checked, attempts) = t.for_an_hour(|_| "admin".to_owned(), attacker).await;
    println!(
        "after, one login from one address: {checked} passwords checked in one hour ({attempts} attempts, the rest refused with 429 + Retry-After)"
    );

    // After: many logins from one address (the address locks after its free attempts).
    let t = target().await;
    let (checked, attempts) = t.for_an_hour(|i| format!("victim{i}"), attacker).await;
    println!(
        "after, many logins from one address: {checked} passwords checked in one hour ({attempts} attempts)"
    );

    // A locked attempt costs no argon2: how fast the server refuses them (time stands
    // still, so the lock holds).
    for _ in 0..100 {
        if matches!(t.attempt("admin", attacker).await, Answer::Locked(_)) {
            break;
        }
    }
    let refusals = 2_000;
    let checks = t.store.password_checks();
    let started = Instant::now();
    for _ in 0..refusals {
        assert!(matches!(
            t.attempt("admin", attacker).await,
            Answer::Locked(_)
        ));
    }
    let rate = refusals as f64 / started.elapsed().as_secs_f64();
    assert_eq!(t.store.password_checks(), checks);
    println!("refusing a locked attempt: {rate:.0}/s, 0 passwords checked");
}
