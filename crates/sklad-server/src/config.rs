//! Server configuration: defaults in code → optional TOML file → `SKLAD_*` environment
//! variables, the environment last.
//!
//! | setting         | TOML key        | environment           | default                       |
//! |-----------------|-----------------|-----------------------|-------------------------------|
//! | data directory  | `data_dir`      | `SKLAD_DATA_DIR`      | `./data`                      |
//! | database        | `database_url`  | `SKLAD_DATABASE_URL`  | `sqlite://<data dir>/sklad.db`|
//! | listen address  | `listen`        | `SKLAD_LISTEN`        | `127.0.0.1:8080`              |
//! | webhook listener| `webhook_listen`| `SKLAD_WEBHOOK_LISTEN`| none (webhooks on `listen`)   |
//! | body limit      | `body_limit`    | `SKLAD_BODY_LIMIT`    | 32 MiB (restore archives)     |
//! | public address  | `public_url`    | `SKLAD_PUBLIC_URL`    | `http://<listen address>`     |
//! | secret key file | `secret_key_file` | `SKLAD_SECRET_KEY_FILE` | `<data dir>/secret.key`, created on first start |
//! | trusted proxy   | `trusted_proxy` | `SKLAD_TRUSTED_PROXY` | none                          |
//! | metrics         | `metrics`       | `SKLAD_METRICS`       | `on` (`GET /metrics` open)    |
//! | metrics token   | `metrics_token` | `SKLAD_METRICS_TOKEN` | none                          |
//! | alert e-mail    | `smtp_url`      | `SKLAD_SMTP_URL`      | none (alerts in the pages only) |
//! | alert sender    | `alert_from`    | `SKLAD_ALERT_FROM`    | none (needed with `smtp_url`) |
//!
//! `webhook_listen` gives the webhook receiver a listener of its own that serves nothing
//! else, so a reverse proxy can publish only it while the back office stays on the LAN.
//! `public_url` is where shops reach this server (behind a TLS reverse proxy in
//! production, e.g. `https://sklad.example.bg`): webhooks are registered under it. The
//! secret key file holds the key that seals shops' API keys at rest; a configured file
//! must exist, the default one is created (owner-only) when missing. `trusted_proxy` is
//! the address of the reverse proxy in front of the server: only requests from it have
//! their client taken from `X-Forwarded-For` (the sign-in throttle counts by client).
//! `metrics = "off"` removes `GET /metrics`; with a `metrics_token` it answers only
//! `Authorization: Bearer <token>` (the token, like the database URL, is never shown).
//! `smtp_url` (`smtp://relay:25`, `smtps://user:password@mail.example.bg`) sends alert
//! e-mails from `alert_from` to the firms' owners who gave an address; its password is
//! never shown either.
//!
//! The file is read from the path given by the caller (`sklad --config FILE`) or from
//! `SKLAD_CONFIG`. The database URL may hold a password, so [`Config`]'s `Debug` and
//! [`Config::database_url_redacted`] never show it.

#![warn(missing_docs)]

use serde::Deserialize;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

/// Default listen address: loopback only, so a fresh install is not exposed.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default data directory, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "./data";
/// Default largest request body: big enough for a firm archive being restored.
pub const DEFAULT_BODY_LIMIT: usize = 32 * 1024 * 1024;

/// The server's settings after all layers are applied.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// Where the embedded SQLite database and other files live.
    pub data_dir: PathBuf,
    /// Explicit database URL; `None` means the SQLite file in [`Config::data_dir`].
    pub database_url: Option<String>,
    /// Address the HTTP server binds.
    pub listen: SocketAddr,
    /// The webhook receiver's own address (`None`: it shares [`Config::listen`]).
    pub webhook_listen: Option<SocketAddr>,
    /// Largest accepted request body in bytes.
    pub body_limit: usize,
    /// Where shops reach this server; `None` means `http://<webhook_listen or listen>`.
    pub public_url: Option<String>,
    /// The key file sealing secrets; `None` means `secret.key` in the data directory.
    pub secret_key_file: Option<PathBuf>,
    /// The reverse proxy whose `X-Forwarded-For` is believed.
    pub trusted_proxy: Option<IpAddr>,
    /// Who may read `GET /metrics`.
    pub metrics: MetricsAccess,
    /// The SMTP server alert e-mails go through (may hold a password).
    pub smtp_url: Option<String>,
    /// The sender of alert e-mails, e.g. `Склад <sklad@example.bg>`.
    pub alert_from: Option<String>,
}

/// Who may read `GET /metrics`.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum MetricsAccess {
    /// Anyone who reaches the back office's listener (never the webhook listener).
    #[default]
    Open,
    /// Only a scraper presenting this bearer token.
    Token(String),
    /// Nobody: the route answers 404.
    Off,
}

impl fmt::Debug for MetricsAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetricsAccess::Open => f.write_str("Open"),
            MetricsAccess::Token(_) => f.write_str("Token(***)"),
            MetricsAccess::Off => f.write_str("Off"),
        }
    }
}

/// Why the configuration could not be loaded. Never contains the database URL.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The TOML file could not be read.
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        /// The file's path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML file is not valid.
    #[error("the configuration file {path} is not valid: {message}")]
    Parse {
        /// The file's path.
        path: PathBuf,
        /// What the TOML parser said (it does not echo values).
        message: String,
    },
    /// A setting has a value that cannot be used.
    #[error("{setting} is not valid: {message}")]
    Invalid {
        /// The variable or key, e.g. `SKLAD_LISTEN`.
        setting: String,
        /// Why.
        message: String,
    },
}

/// The keys a TOML file may set; all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLayer {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    listen: Option<String>,
    webhook_listen: Option<String>,
    body_limit: Option<usize>,
    public_url: Option<String>,
    secret_key_file: Option<PathBuf>,
    trusted_proxy: Option<String>,
    metrics: Option<String>,
    metrics_token: Option<String>,
    smtp_url: Option<String>,
    alert_from: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            database_url: None,
            listen: DEFAULT_LISTEN
                .parse()
                .expect("the default address is valid"),
            webhook_listen: None,
            body_limit: DEFAULT_BODY_LIMIT,
            public_url: None,
            secret_key_file: None,
            trusted_proxy: None,
            metrics: MetricsAccess::Open,
            smtp_url: None,
            alert_from: None,
        }
    }
}

impl Config {
    /// Loads the configuration from the process environment and, when `file` is given
    /// (or `SKLAD_CONFIG` is set), from that TOML file.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        Self::load_with(file, |name| std::env::var(name).ok())
    }

    /// Like [`Config::load`], with the environment given as a lookup function (tests).
    pub fn load_with(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        let file = file.map(Path::to_path_buf).or_else(|| {
            env("SKLAD_CONFIG")
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
        });
        if let Some(path) = file {
            let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                path: path.clone(),
                source,
            })?;
            config.apply_toml(&path, &text)?;
        }
        if let Some(dir) = env("SKLAD_DATA_DIR").filter(|s| !s.is_empty()) {
            config.data_dir = PathBuf::from(dir);
        }
        if let Some(url) = env("SKLAD_DATABASE_URL").filter(|s| !s.is_empty()) {
            config.database_url = Some(url);
        }
        if let Some(listen) = env("SKLAD_LISTEN").filter(|s| !s.is_empty()) {
            config.listen = parse_listen("SKLAD_LISTEN", &listen)?;
        }
        if let Some(listen) = env("SKLAD_WEBHOOK_LISTEN").filter(|s| !s.is_empty()) {
            config.webhook_listen = Some(parse_listen("SKLAD_WEBHOOK_LISTEN", &listen)?);
        }
        if let Some(url) = env("SKLAD_PUBLIC_URL").filter(|s| !s.is_empty()) {
            config.public_url = Some(parse_public_url("SKLAD_PUBLIC_URL", &url)?);
        }
        if let Some(file) = env("SKLAD_SECRET_KEY_FILE").filter(|s| !s.is_empty()) {
            config.secret_key_file = Some(PathBuf::from(file));
        }
        if let Some(proxy) = env("SKLAD_TRUSTED_PROXY").filter(|s| !s.is_empty()) {
            config.trusted_proxy = Some(parse_proxy("SKLAD_TRUSTED_PROXY", &proxy)?);
        }
        let switch = env("SKLAD_METRICS").filter(|s| !s.is_empty());
        let token = env("SKLAD_METRICS_TOKEN").filter(|s| !s.is_empty());
        config.apply_metrics("SKLAD_METRICS", switch.as_deref(), token)?;
        if let Some(url) = env("SKLAD_SMTP_URL").filter(|s| !s.is_empty()) {
            config.smtp_url = Some(url);
        }
        if let Some(from) = env("SKLAD_ALERT_FROM").filter(|s| !s.is_empty()) {
            config.alert_from = Some(from);
        }
        if config.smtp_url.is_some() && config.alert_from.is_none() {
            return Err(ConfigError::Invalid {
                setting: "alert_from".into(),
                message: "the sender of alert e-mails is needed with smtp_url".into(),
            });
        }
        if let Some(limit) = env("SKLAD_BODY_LIMIT").filter(|s| !s.is_empty()) {
            config.body_limit = limit.trim().parse().map_err(|_| ConfigError::Invalid {
                setting: "SKLAD_BODY_LIMIT".into(),
                message: "expected a number of bytes".into(),
            })?;
        }
        Ok(config)
    }

    fn apply_toml(&mut self, path: &Path, text: &str) -> Result<(), ConfigError> {
        let layer: FileLayer = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.message().to_owned(),
        })?;
        if let Some(dir) = layer.data_dir {
            self.data_dir = dir;
        }
        if let Some(url) = layer.database_url {
            self.database_url = Some(url);
        }
        if let Some(listen) = layer.listen {
            self.listen = parse_listen("listen", &listen)?;
        }
        if let Some(listen) = layer.webhook_listen {
            self.webhook_listen = Some(parse_listen("webhook_listen", &listen)?);
        }
        if let Some(limit) = layer.body_limit {
            self.body_limit = limit;
        }
        if let Some(url) = layer.public_url {
            self.public_url = Some(parse_public_url("public_url", &url)?);
        }
        if let Some(file) = layer.secret_key_file {
            self.secret_key_file = Some(file);
        }
        if let Some(proxy) = layer.trusted_proxy {
            self.trusted_proxy = Some(parse_proxy("trusted_proxy", &proxy)?);
        }
        if let Some(url) = layer.smtp_url {
            self.smtp_url = Some(url);
        }
        if let Some(from) = layer.alert_from {
            self.alert_from = Some(from);
        }
        self.apply_metrics("metrics", layer.metrics.as_deref(), layer.metrics_token)
    }

    /// `on`/`off` and a token, from one layer: a token guards the route unless the
    /// layer switches it off.
    fn apply_metrics(
        &mut self,
        setting: &str,
        switch: Option<&str>,
        token: Option<String>,
    ) -> Result<(), ConfigError> {
        let on = match switch.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            None => None,
            Some("on") => Some(true),
            Some("off") => Some(false),
            Some(other) => {
                return Err(ConfigError::Invalid {
                    setting: setting.into(),
                    message: format!("expected on or off, got {other:?}"),
                })
            }
        };
        let token = token.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        self.metrics = match (on, token) {
            (Some(false), _) => MetricsAccess::Off,
            (_, Some(token)) => MetricsAccess::Token(token),
            (Some(true), None) => MetricsAccess::Open,
            (None, None) => self.metrics.clone(),
        };
        Ok(())
    }

    /// Where shops reach this server, without a trailing slash.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.webhook_listen.unwrap_or(self.listen)))
    }

    /// The secret key file and whether it is the default one (created when missing).
    pub fn secret_key_path(&self) -> (PathBuf, bool) {
        match &self.secret_key_file {
            Some(path) => (path.clone(), false),
            None => (self.data_dir.join("secret.key"), true),
        }
    }

    /// The database to open: the configured URL, or the SQLite file `sklad.db` in the
    /// data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("sklad.db").display()),
        }
    }

    /// Whether the database is the embedded SQLite file in the data directory.
    pub fn uses_default_database(&self) -> bool {
        self.database_url.is_none()
    }

    /// The database URL with any password replaced by `***`, safe to print.
    pub fn database_url_redacted(&self) -> String {
        redact_url(&self.database_url())
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database_url", &self.database_url_redacted())
            .field("listen", &self.listen)
            .field("webhook_listen", &self.webhook_listen)
            .field("body_limit", &self.body_limit)
            .field("public_url", &self.public_url)
            .field("secret_key_file", &self.secret_key_file)
            .field("trusted_proxy", &self.trusted_proxy)
            .field("metrics", &self.metrics)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("alert_from", &self.alert_from)
            .finish()
    }
}

fn parse_listen(setting: &str, text: &str) -> Result<SocketAddr, ConfigError> {
    text.trim().parse().map_err(|_| ConfigError::Invalid {
        setting: setting.into(),
        message: format!("expected an address such as {DEFAULT_LISTEN}, got {text:?}"),
    })
}

/// An `http(s)://host[:port][/path]` URL without a trailing slash, query or password.
fn parse_public_url(setting: &str, text: &str) -> Result<String, ConfigError> {
    let invalid = || ConfigError::Invalid {
        setting: setting.into(),
        message: format!("expected an address such as https://sklad.example.bg, got {text:?}"),
    };
    let url = url::Url::parse(text.trim()).map_err(|_| invalid())?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    if !plain {
        return Err(invalid());
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// A URL with its password (and, for unparseable text, everything) hidden.
pub fn redact_url(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(mut url) => {
            if url.password().is_some() {
                // Setting a password only fails for URLs that cannot have one.
                let _ = url.set_password(Some("***"));
            }
            for (key, _) in url.query_pairs() {
                if key.eq_ignore_ascii_case("password") {
                    url.set_query(Some("***"));
                    break;
                }
            }
            url.to_string()
        }
        Err(_) => "<unparseable database URL>".into(),
    }
}

fn parse_proxy(setting: &str, value: &str) -> Result<IpAddr, ConfigError> {
    value.trim().parse().map_err(|_| ConfigError::Invalid {
        setting: setting.into(),
        message: "expected an IP address, e.g. 127.0.0.1".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn defaults_use_sqlite_in_the_data_dir() {
        let config = Config::load_with(None, env_of(&[])).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url(), "sqlite://./data/sklad.db");
        assert!(config.uses_default_database());
    }

    #[test]
    fn environment_wins_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sklad.toml");
        std::fs::write(
            &path,
            "data_dir = \"/srv/sklad\"\nlisten = \"127.0.0.1:9000\"\nbody_limit = 1024\n",
        )
        .unwrap();
        let config =
            Config::load_with(Some(&path), env_of(&[("SKLAD_LISTEN", "127.0.0.1:9100")])).unwrap();
        assert_eq!(config.data_dir, PathBuf::from("/srv/sklad"));
        assert_eq!(config.listen.to_string(), "127.0.0.1:9100");
        assert_eq!(config.body_limit, 1024);
        assert_eq!(config.database_url(), "sqlite:///srv/sklad/sklad.db");
    }

    #[test]
    fn public_url_and_secret_key_file_have_defaults_and_are_checked() {
        let config = Config::load_with(None, env_of(&[])).unwrap();
        assert_eq!(config.public_url(), "http://127.0.0.1:8080");
        assert_eq!(
            config.secret_key_path(),
            (PathBuf::from("./data/secret.key"), true)
        );
        let config = Config::load_with(
            None,
            env_of(&[
                ("SKLAD_PUBLIC_URL", "https://sklad.example.bg/"),
                ("SKLAD_SECRET_KEY_FILE", "/etc/sklad/secret.key"),
            ]),
        )
        .unwrap();
        assert_eq!(config.public_url(), "https://sklad.example.bg");
        assert_eq!(
            config.secret_key_path(),
            (PathBuf::from("/etc/sklad/secret.key"), false)
        );
        for bad in [
            "sklad.example.bg",
            "ftp://x",
            "https://x/?a=1",
            "https://u:p@x",
        ] {
            assert!(
                Config::load_with(None, env_of(&[("SKLAD_PUBLIC_URL", bad)])).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_deployment_example_loads() {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/sklad.toml");
        let config = Config::load_with(Some(&example), env_of(&[])).unwrap();
        assert_eq!(config.public_url(), "https://sklad.example.bg");
        assert_eq!(config.trusted_proxy, Some([127, 0, 0, 1].into()));
        assert_eq!(config.data_dir, PathBuf::from("/var/lib/sklad"));
    }

    #[test]
    fn a_webhook_listener_is_where_shops_are_sent_by_default() {
        let config =
            Config::load_with(None, env_of(&[("SKLAD_WEBHOOK_LISTEN", "0.0.0.0:8443")])).unwrap();
        assert_eq!(config.webhook_listen, Some("0.0.0.0:8443".parse().unwrap()));
        assert_eq!(config.public_url(), "http://0.0.0.0:8443");
        assert!(Config::load_with(None, env_of(&[("SKLAD_WEBHOOK_LISTEN", "nowhere")])).is_err());
    }

    #[test]
    fn metrics_are_open_unless_switched_off_or_guarded_by_a_token() {
        let load = |env: &[(&str, &str)]| Config::load_with(None, env_of(env));
        assert_eq!(load(&[]).unwrap().metrics, MetricsAccess::Open);
        assert_eq!(
            load(&[("SKLAD_METRICS", "off")]).unwrap().metrics,
            MetricsAccess::Off
        );
        let guarded = load(&[("SKLAD_METRICS_TOKEN", "s3cret-scrape")]).unwrap();
        assert_eq!(
            guarded.metrics,
            MetricsAccess::Token("s3cret-scrape".into())
        );
        assert!(!format!("{guarded:?}").contains("s3cret-scrape"));
        assert_eq!(
            load(&[("SKLAD_METRICS", "off"), ("SKLAD_METRICS_TOKEN", "t")])
                .unwrap()
                .metrics,
            MetricsAccess::Off
        );
        assert!(matches!(
            load(&[("SKLAD_METRICS", "maybe")]),
            Err(ConfigError::Invalid { .. })
        ));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sklad.toml");
        std::fs::write(&path, "metrics_token = \"from-file\"\n").unwrap();
        assert_eq!(
            Config::load_with(Some(&path), env_of(&[])).unwrap().metrics,
            MetricsAccess::Token("from-file".into())
        );
        // The environment's switch wins over the file's token.
        assert_eq!(
            Config::load_with(Some(&path), env_of(&[("SKLAD_METRICS", "off")]))
                .unwrap()
                .metrics,
            MetricsAccess::Off
        );
    }

    #[test]
    fn alert_e_mail_needs_a_sender_and_hides_the_smtp_password() {
        let url = ("SKLAD_SMTP_URL", "smtps://sklad:pa55word@mail.example.bg");
        assert!(matches!(
            Config::load_with(None, env_of(&[url])),
            Err(ConfigError::Invalid { .. })
        ));
        let config = Config::load_with(
            None,
            env_of(&[url, ("SKLAD_ALERT_FROM", "sklad@example.bg")]),
        )
        .unwrap();
        assert_eq!(config.alert_from.as_deref(), Some("sklad@example.bg"));
        assert!(!format!("{config:?}").contains("pa55word"));
    }

    #[test]
    fn a_trusted_proxy_is_an_ip_address() {
        assert_eq!(
            Config::load_with(None, env_of(&[])).unwrap().trusted_proxy,
            None
        );
        let config =
            Config::load_with(None, env_of(&[("SKLAD_TRUSTED_PROXY", "127.0.0.1")])).unwrap();
        assert_eq!(config.trusted_proxy, Some([127, 0, 0, 1].into()));
        let error = Config::load_with(None, env_of(&[("SKLAD_TRUSTED_PROXY", "proxy.lan")]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("SKLAD_TRUSTED_PROXY"), "{error}");
    }

    #[test]
    fn config_file_can_come_from_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "database_url = \"postgres://a:b@127.0.0.1/x\"\n").unwrap();
        let config =
            Config::load_with(None, env_of(&[("SKLAD_CONFIG", path.to_str().unwrap())])).unwrap();
        assert!(!config.uses_default_database());
    }

    #[test]
    fn debug_and_redaction_hide_the_password() {
        let config = Config::load_with(
            None,
            env_of(&[(
                "SKLAD_DATABASE_URL",
                "postgres://sklad:s3cret-pw@127.0.0.1:5432/sklad",
            )]),
        )
        .unwrap();
        let debug = format!("{config:?}");
        assert!(!debug.contains("s3cret-pw"), "{debug}");
        assert!(
            debug.contains("postgres://sklad:***@127.0.0.1:5432/sklad"),
            "{debug}"
        );
        assert!(!redact_url("postgres://h/db?password=s3cret-pw").contains("s3cret-pw"));
        assert!(!redact_url("not a url s3cret-pw").contains("s3cret-pw"));
    }

    #[test]
    fn bad_values_are_clear_errors() {
        let err = Config::load_with(None, env_of(&[("SKLAD_LISTEN", "localhost")])).unwrap_err();
        assert!(err.to_string().contains("SKLAD_LISTEN"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "listen = 5\nsurprise = true\n").unwrap();
        assert!(matches!(
            Config::load_with(Some(&path), env_of(&[])),
            Err(ConfigError::Parse { .. })
        ));
        let missing = dir.path().join("missing.toml");
        assert!(matches!(
            Config::load_with(Some(&missing), env_of(&[])),
            Err(ConfigError::Read { .. })
        ));
    }
}
