//! The rig of the page tests: the real server on 127.0.0.1:0 over a temp SQLite store
//! with a demo firm, and (for browser tests) headless Chromium driven through
//! chromedriver with fantoccini. Every wait is bounded.

#![allow(dead_code)] // each test binary uses a different part of the rig

use std::net::TcpListener as StdListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use sklad_domain::clock::ManualClock;
use sklad_domain::model::{FirmInput, Role, UserInput};
use sklad_domain::{Currency, Id};
use sklad_server::AppState;
use sklad_store::Store;

/// The owner's login and password in the demo firm.
pub const OWNER: (&str, &str) = ("owner", "owner-password-1");
/// An operator of the demo firm.
pub const OPERATOR: (&str, &str) = ("operator", "operator-password-1");

/// How long any single wait for the page may take.
pub const WAIT: Duration = Duration::from_secs(15);

/// The server with its store and demo data.
pub struct Server {
    pub base: String,
    pub store: Store,
    pub clock: ManualClock,
    pub firm_id: Id,
    pub second_firm_id: Id,
    _dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn user(store: &Store, login: &str, password: &str, name: &str) -> Id {
    store
        .create_user(&UserInput {
            login: login.into(),
            password: password.into(),
            display_name: name.into(),
            language: "bg".into(),
        })
        .await
        .expect("user")
        .id
}

/// Starts the real server (`sklad_server::app`) on a loopback port with a fresh SQLite
/// store: firm „Демо ЕООД“ (EUR, 3 seats) with an owner and an operator, and a second
/// firm of the owner for the firm switcher. Time is virtual: 28.11.2026 10:00 UTC.
pub async fn start_server() -> Server {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("sklad.db").display());
    let clock = ManualClock::new("2026-11-28T10:00:00Z".parse().expect("timestamp"));
    let store = Store::open(&url)
        .await
        .expect("open store")
        .with_clock(Arc::new(clock.clone()));
    store.migrate().await.expect("migrate");
    let firm = store
        .create_firm(&FirmInput {
            name: "Демо ЕООД".into(),
            eik: Some("831826092".into()),
            currency: Currency::Eur,
            vat_registered: true,
            seats: 3,
            allow_negative_stock: false,
        })
        .await
        .expect("firm");
    let second = store
        .create_firm(&FirmInput {
            name: "Втора фирма ООД".into(),
            eik: None,
            currency: Currency::Bgn,
            vat_registered: false,
            seats: 2,
            allow_negative_stock: false,
        })
        .await
        .expect("second firm");
    let owner = user(&store, OWNER.0, OWNER.1, "Иван Петров").await;
    let operator = user(&store, OPERATOR.0, OPERATOR.1, "Мария Операторова").await;
    store
        .add_member(firm.id, owner, Role::Owner, "test")
        .await
        .expect("owner member");
    store
        .add_member(firm.id, operator, Role::Operator, "test")
        .await
        .expect("operator member");
    store
        .add_member(second.id, owner, Role::Owner, "test")
        .await
        .expect("second firm member");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let mut config = sklad_sync::BridgeConfig::new(&base);
    config.clients.clock = Arc::new(cloudcart::clock::VirtualClock::new());
    let bridge = sklad_sync::Bridge::new(store.clone(), sklad_sync::SecretBox::random(), config);
    let state = AppState::new(store.clone(), Arc::new(clock.clone()), bridge.clone());
    let app = sklad_server::app(state);
    let task = tokio::spawn(async move {
        tokio::spawn(bridge.run(std::future::pending()));
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await;
    });
    Server {
        base,
        store,
        clock,
        firm_id: firm.id,
        second_firm_id: second.id,
        _dir: dir,
        task,
    }
}

/// chromedriver on a free loopback port, killed on drop.
pub struct Driver {
    child: Child,
    pub url: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chromedriver_path() -> Option<PathBuf> {
    let from_env = std::env::var_os("CHROMEDRIVER").map(PathBuf::from);
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("chromedriver"))
            .find(|p| p.is_file())
    });
    from_env.filter(|p| p.is_file()).or(on_path)
}

/// One browser at a time: the machine (and CI) has few cores, and parallel Chromiums
/// only slow each other down.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A browser session: chromedriver, a headless Chromium and the screenshot folder.
pub struct Browser {
    pub client: Client,
    shots: PathBuf,
    _driver: Driver,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

/// Starts headless Chromium, or `None` (with a printed notice) when chromedriver is
/// not installed and `CI` is unset. With `CI` set a missing chromedriver fails.
pub async fn start_browser() -> Option<Browser> {
    let Some(path) = chromedriver_path() else {
        if std::env::var_os("CI").is_some() {
            panic!("chromedriver is not installed but CI is set: browser tests must run");
        }
        eprintln!(
            "NOTICE: chromedriver not found; skipping the browser test (set CI to fail instead)"
        );
        return None;
    };
    let turn = ONE_BROWSER.lock().await;
    let port = {
        let probe = StdListener::bind("127.0.0.1:0").expect("free port");
        probe.local_addr().expect("addr").port()
    };
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn chromedriver");
    let profile = tempfile::tempdir().expect("profile dir");
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _profile: profile,
    };
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "chromedriver did not start listening within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let args = vec![
        "--headless=new".to_owned(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--no-first-run".into(),
        format!("--user-data-dir={}", driver._profile.path().display()),
        "--window-size=1280,900".into(),
    ];
    let mut options = serde_json::json!({ "args": args });
    if let Some(binary) = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).is_file())
    {
        options["binary"] = binary.into();
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    // Both rustls back ends are in the dependency tree; fantoccini needs one chosen.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = tokio::time::timeout(
        Duration::from_secs(60),
        ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps)
            .connect(&driver.url),
    )
    .await
    .expect("chromium started within 60 s")
    .expect("webdriver session");
    let shots = screenshot_dir();
    std::fs::create_dir_all(&shots).expect("screenshot dir");
    Some(Browser {
        client,
        shots,
        _driver: driver,
        _turn: turn,
    })
}

/// `target/screenshots/` of the workspace (or of `CARGO_TARGET_DIR`).
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("screenshots")
}

impl Browser {
    /// Opens `base` + `path`.
    pub async fn open(&self, base: &str, path: &str) {
        self.client
            .goto(&format!("{base}{path}"))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    /// The element matching `css`, waiting at most [`WAIT`].
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("element {css} did not appear: {e}"))
    }

    /// Types `text` into the field `css` after clearing it.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    /// Clicks `css`.
    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    /// Chooses the option with `value` in the select `css`.
    pub async fn select(&self, css: &str, value: &str) {
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("select {value} in {css}: {e}"));
    }

    /// Text of `css`.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    /// The current `value` of the field `css`.
    pub async fn value(&self, css: &str) -> String {
        self.find(css)
            .await
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default()
    }

    /// Puts the file at `path` into the file input `css`.
    pub async fn choose_file(&self, css: &str, path: &std::path::Path) {
        self.find(css)
            .await
            .send_keys(&path.display().to_string())
            .await
            .expect("choose file");
    }

    /// Switches the header's firm switcher to the firm labelled `name`, waiting for
    /// the start page.
    pub async fn switch_firm(&self, name: &str) {
        self.find("#switch-firm")
            .await
            .select_by_label(name)
            .await
            .unwrap_or_else(|e| panic!("firm {name}: {e}"));
        self.click("form[action='/switch-firm'] button[type=submit]")
            .await;
        self.wait_for_text("Добре дошли").await;
    }

    /// Asserts that the page is not wider than the window (no sideways scrolling);
    /// names the elements that stick out.
    pub async fn assert_fits_width(&self, what: &str) {
        let script = "const w = document.documentElement.clientWidth; \
            return [document.documentElement.scrollWidth - w, \
              Array.from(document.querySelectorAll('body *')) \
                .filter(e => e.getBoundingClientRect().right > w + 1 && !(e.parentElement && e.parentElement.closest('.table-wrap'))) \
                .slice(0, 8) \
                .map(e => e.tagName + '.' + e.className + '#' + e.id)];";
        let result = self
            .client
            .execute(script, Vec::new())
            .await
            .expect("measure");
        let overflow = result[0].as_i64().unwrap_or(i64::MAX);
        assert!(
            overflow <= 0,
            "{what} is {overflow}px too wide: {}",
            result[1]
        );
    }

    /// Waits until the page's `<main>` contains `needle`, failing after [`WAIT`].
    pub async fn wait_for_text(&self, needle: &str) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let text = match self.client.find(Locator::Css("main")).await {
                Ok(main) => main.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(needle) {
                return text;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the page never showed {needle:?}; it shows:\n{text}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the browser is on a path starting with `prefix`.
    pub async fn wait_for_path(&self, prefix: &str) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let url = self.client.current_url().await.expect("url");
            if url.path().starts_with(prefix) {
                return url.path().to_owned();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "never reached {prefix}; at {url}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Saves a PNG of the window as `target/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(self.shots.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// Logs in through the form and waits for the start page.
    pub async fn login(&self, base: &str, login: &str, password: &str) {
        self.open(base, "/login").await;
        self.fill("#login", login).await;
        self.fill("#password", password).await;
        self.click("#login-submit").await;
        self.find("#logout").await;
    }

    /// Logs out through the header button.
    pub async fn logout(&self) {
        self.click("#logout").await;
        self.find("#login-submit").await;
    }
}

/// A good with two barcodes and three prices.
pub fn sample_good() -> sklad_domain::model::GoodInput {
    use sklad_domain::model::{GoodInput, GoodKind};
    use sklad_domain::{PriceGroup, VatRate};
    GoodInput {
        code: "TEA-1".into(),
        barcodes: vec!["3800000000035".into(), "3800000000042".into()],
        name: "Чай липа".into(),
        measure: "бр.".into(),
        kind: GoodKind::Good,
        vat_rate: VatRate::Reduced,
        group: Some("Напитки".into()),
        active: true,
        prices: [
            (PriceGroup::Purchase, 150),
            (PriceGroup::Wholesale, 250),
            (PriceGroup::Retail, 320),
        ]
        .into_iter()
        .collect(),
    }
}
