//! `sklad serve`: opens and migrates the database, creates a first firm on a fresh one,
//! prints the address and serves until Ctrl-C (or SIGTERM), letting requests in flight
//! finish.

use anyhow::{Context, Result};
use sklad_domain::clock::SystemClock;
use sklad_domain::model::{FirmInput, Role, UserInput};
use sklad_domain::Currency;
use sklad_server::{AppState, Config};
use sklad_store::Store;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::cli::ServeArgs;
use crate::commands::{explain, open_store};

/// Prints a line of the banner. A closed stdout (`sklad serve | head -1`) must not stop
/// the server, so write errors are ignored where `println!` would panic.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Login of the owner created on a fresh database.
const FIRST_OWNER_LOGIN: &str = "admin";

/// Runs the server.
pub async fn serve(mut config: Config, args: ServeArgs) -> Result<()> {
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    let store = open_store(&config).await?;
    tracing::info!(database = %config.database_url_redacted(), engine = store.engine().key(), "database ready");
    let first = create_first_firm_if_fresh(&store).await?;
    let server = Server::bind(&config, &store).await?;
    let url = server.url();
    say!("Склад работи на / Sklad is running at {url}");
    say!("REST API: {url}api/v1 (OpenAPI: {url}api/v1/openapi.json)");
    if let Some((firm_name, password)) = first {
        say!("Създадена е първа фирма „{firm_name}“ / A first firm was created.");
        say!(
            "Вход / Login: {FIRST_OWNER_LOGIN}   Парола / Password: {password}   (показва се само сега / shown only now)"
        );
    }
    if let Some(path) = &server.key_created {
        say!(
            "Създаден е ключ за шифриране на API ключовете на магазините: {} (пазете го заедно с \
             архивите) / An encryption key for shop API keys was created: {} (keep it with your backups)",
            path.display(),
            path.display()
        );
    }
    if let Some(at) = server.hooks_address {
        say!(
            "Известия от магазините (само те) / Shop webhooks (nothing else): http://{at}{}/…",
            sklad_sync::hooks::HOOK_PATH
        );
    }
    say!(
        "Адрес за известията от магазините / Public address for shop webhooks: {}",
        server.public_url
    );
    say!("Спиране / Stop: Ctrl-C");
    server.run(shutdown_signal()).await?;
    store.close().await;
    say!("Склад спря / Sklad stopped.");
    Ok(())
}

/// A server with its listeners bound and its bridge made, not serving yet: `sklad serve`
/// and `sklad demo` both run one.
pub struct Server {
    listener: tokio::net::TcpListener,
    hooks_listener: Option<tokio::net::TcpListener>,
    state: AppState,
    body_limit: usize,
    /// The back office's bound address.
    pub address: SocketAddr,
    /// The webhook receiver's own bound address, when it has one.
    pub hooks_address: Option<SocketAddr>,
    /// Where shops are told to send their webhooks.
    pub public_url: String,
    /// The bridge whose workers run while the server serves.
    pub bridge: sklad_sync::Bridge,
    /// The secret key file, when this start created it.
    pub key_created: Option<PathBuf>,
}

impl Server {
    /// Binds the configured addresses and makes the bridge.
    pub async fn bind(config: &Config, store: &Store) -> Result<Server> {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("listening on {}", config.listen))?;
        let address = listener.local_addr().context("reading the bound address")?;
        // The webhook receiver on a listener of its own, when configured.
        let hooks_listener = match config.webhook_listen {
            Some(at) => Some(
                tokio::net::TcpListener::bind(at)
                    .await
                    .with_context(|| format!("listening for webhooks on {at}"))?,
            ),
            None => None,
        };
        let hooks_address = hooks_listener
            .as_ref()
            .map(|l| l.local_addr())
            .transpose()
            .context("reading the webhook listener's address")?;
        // Without a configured public address, shops are told the bound one.
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", hooks_address.unwrap_or(address)));
        let (bridge, key_created) = start_bridge(config, store, &public_url, address)?;
        let state = AppState {
            trusted_proxy: config.trusted_proxy,
            metrics: config.metrics.clone(),
            ..AppState::new(store.clone(), Arc::new(SystemClock), bridge.clone())
        };
        Ok(Server {
            listener,
            hooks_listener,
            state,
            body_limit: config.body_limit,
            address,
            hooks_address,
            public_url,
            bridge,
            key_created,
        })
    }

    /// The back office's URL, with a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// Serves pages, API and webhooks, and runs the bridge's workers, until `shutdown`
    /// completes; requests in flight finish.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let until_stopped = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
            let _ = stopped.wait_for(|s| *s).await;
        };
        let hooks_server = self.hooks_listener.map(|listener| {
            let app = sklad_server::webhook_app(self.state.clone(), self.body_limit);
            tokio::spawn(sklad_server::serve(
                listener,
                app,
                until_stopped(stop.subscribe()),
            ))
        });
        let app = sklad_server::app_with_body_limit(self.state, self.body_limit);
        let workers = tokio::spawn(self.bridge.run(until_stopped(stopped)));
        sklad_server::serve(self.listener, app, async move {
            shutdown.await;
            let _ = stop.send(true);
        })
        .await
        .context("serving HTTP")?;
        if let Some(server) = hooks_server {
            server
                .await
                .context("serving webhooks")?
                .context("serving webhooks")?;
        }
        let _ = workers.await;
        Ok(())
    }
}

/// The bridge with the sealing key from the configuration, and the key file's path when
/// this start created it (the default file is created on first start, owner-only).
fn start_bridge(
    config: &Config,
    store: &Store,
    public_url: &str,
    listen: SocketAddr,
) -> Result<(sklad_sync::Bridge, Option<PathBuf>)> {
    let (path, default) = config.secret_key_path();
    let (secrets, created) = sklad_sync::SecretBox::load(&path, default)
        .with_context(|| format!("loading the secret key file {}", path.display()))?;
    let mut bridge = sklad_sync::BridgeConfig::new(public_url);
    bridge.instance = Some(format!("{}@{listen}", host_name()));
    if let (Some(url), Some(from)) = (&config.smtp_url, &config.alert_from) {
        let mailer = sklad_sync::alerts::Mailer::new(url, from)
            .map_err(|e| anyhow::anyhow!("smtp_url / alert_from: {e}"))?;
        bridge.mailer = Some(mailer);
    }
    Ok((
        sklad_sync::Bridge::new(store.clone(), secrets, bridge),
        created.then_some(path),
    ))
}

/// This machine's name (for the bridge's instance name), `sklad` when unknown.
fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "sklad".to_owned())
}

/// On a database without any firm, creates „Моята фирма“ (EUR, 2 seats) and its owner
/// `admin` with a random password; returns the firm's name and the password.
async fn create_first_firm_if_fresh(store: &Store) -> Result<Option<(String, String)>> {
    if store
        .has_firms()
        .await
        .map_err(explain)
        .context("checking for a first firm")?
    {
        return Ok(None);
    }
    let firm = store
        .create_firm(&FirmInput {
            name: "Моята фирма".into(),
            eik: None,
            currency: Currency::Eur,
            vat_registered: true,
            seats: 2,
            allow_negative_stock: false,
        })
        .await
        .map_err(explain)
        .context("creating the first firm")?;
    let password = sklad_server::api::generate_password();
    // Users join firms only, so a database without firms has no users either.
    store
        .create_member(
            firm.id,
            &UserInput {
                login: FIRST_OWNER_LOGIN.into(),
                password: password.clone(),
                display_name: "Администратор".into(),
                language: "bg".into(),
            },
            Role::Owner,
        )
        .await
        .map_err(explain)
        .context("creating the first owner")?;
    Ok(Some((firm.name, password)))
}

/// Completes on Ctrl-C or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down");
}
