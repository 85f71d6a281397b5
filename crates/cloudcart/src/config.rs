//! Client configuration: the shop's primary domain, the API key, timeouts, retries and an
//! optional DNS override for tests.

use crate::clock::{SharedClock, SystemClock};
use crate::error::Error;
use crate::secret::Secret;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use url::{Host, Url};

/// How failed requests are retried (5xx, timeouts, connection errors; never other 4xx; a
/// POST only when it surely did not arrive or the shop answered 503).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included (at least 1).
    pub max_attempts: u32,
    /// Backoff before the second attempt; doubles for each later one.
    pub initial_backoff: Duration,
    /// Upper bound of one backoff.
    pub max_backoff: Duration,
    /// How many `429 Retry-After` waits one request may sit through before giving up.
    pub max_rate_limit_waits: u32,
    /// How long an HTML `429` / a `403` from the anti-abuse layer blocks every request.
    pub anti_abuse_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(60),
            max_rate_limit_waits: 3,
            anti_abuse_backoff: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// The pause after failed attempt number `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.initial_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }
}

/// Everything the client needs to talk to one shop.
#[derive(Clone)]
pub struct ClientConfig {
    pub(crate) base_url: Url,
    pub(crate) api_key: Secret,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) resolve: Option<SocketAddr>,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent: String,
    pub(crate) clock: SharedClock,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url.as_str())
            .field("api_key", &self.api_key)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("resolve", &self.resolve)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

/// Whether `host` is a loopback host (`localhost`, `*.localhost`, 127.0.0.0/8, `::1`).
pub fn is_loopback_host(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

impl ClientConfig {
    /// Validates the shop's base URL (`https://primary-domain`, or `http://` on a loopback
    /// host for tests) and the API key.
    pub fn new(base_url: &str, api_key: impl Into<Secret>) -> Result<Self, Error> {
        let api_key = api_key.into();
        let url = Url::parse(base_url.trim()).map_err(|e| {
            Error::config(
                format!("the shop address is not a URL ({e})"),
                format!("адресът на магазина не е URL ({e})"),
            )
        })?;
        let host = url.host().ok_or_else(|| {
            Error::config(
                "the shop address has no host",
                "адресът на магазина няма домейн",
            )
        })?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback_host(&host) => {}
            "http" => {
                return Err(Error::config(
                    "plain http:// is allowed only for loopback test hosts; use https://",
                    "http:// е разрешен само за локални тестови адреси; използвайте https://",
                ))
            }
            other => {
                return Err(Error::config(
                    format!("unsupported scheme {other:?}; use https://"),
                    format!("неподдържана схема {other:?}; използвайте https://"),
                ))
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::config(
                "the shop address must not contain a user name or password",
                "адресът на магазина не трябва да съдържа потребител или парола",
            ));
        }
        let path = url.path().trim_end_matches('/');
        if !(path.is_empty() || path == "/api/v2") || url.query().is_some() {
            return Err(Error::config(
                "give only the shop's domain (e.g. https://shop.bg)",
                "въведете само домейна на магазина (напр. https://shop.bg)",
            ));
        }
        if api_key.is_empty() {
            return Err(Error::config("the API key is empty", "API ключът е празен"));
        }
        if !api_key.expose().bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::config(
                "the API key contains characters that cannot be sent in a header",
                "API ключът съдържа знаци, които не могат да се изпратят в заглавка",
            ));
        }
        let mut base = url.clone();
        base.set_path("/api/v2/");
        base.set_fragment(None);
        Ok(Self {
            base_url: base,
            api_key,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(35),
            resolve: None,
            retry: RetryPolicy::default(),
            user_agent: format!("sklad-cloudcart/{}", env!("CARGO_PKG_VERSION")),
            clock: Arc::new(SystemClock::new()),
        })
    }

    /// Sends every request for the shop's host to `addr` (tests: `*.localhost` → 127.0.0.1;
    /// the port of the URL is kept).
    pub fn resolve_to(mut self, addr: SocketAddr) -> Self {
        self.resolve = Some(addr);
        self
    }

    /// Sends requests for the shop's host to this IP (URL port kept).
    pub fn resolve_to_ip(self, ip: IpAddr) -> Self {
        self.resolve_to(SocketAddr::new(ip, 0))
    }

    /// Connect and whole-request timeouts.
    pub fn timeouts(mut self, connect: Duration, request: Duration) -> Self {
        self.connect_timeout = connect;
        self.request_timeout = request;
        self
    }

    /// The retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The clock for rate windows and backoff (tests: [`crate::clock::VirtualClock`]).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// The shop's host, lower-cased.
    pub fn host(&self) -> String {
        self.base_url
            .host_str()
            .unwrap_or_default()
            .to_ascii_lowercase()
    }

    /// The API root (`https://shop/api/v2/`).
    pub fn api_root(&self) -> &Url {
        &self.base_url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_is_required_except_on_loopback() {
        assert!(ClientConfig::new("https://zarno-pamuk.bg", "K").is_ok());
        assert!(ClientConfig::new("https://zarno-pamuk.bg/api/v2/", "K").is_ok());
        for ok in [
            "http://localhost:8080",
            "http://shop.localhost:1234",
            "http://127.0.0.5:80",
            "http://[::1]:9",
        ] {
            assert!(ClientConfig::new(ok, "K").is_ok(), "{ok}");
        }
        for bad in [
            "http://zarno-pamuk.bg",
            "http://localhost.evil.com",
            "ftp://localhost",
            "https://user:pw@shop.bg",
            "https://shop.bg/admin",
            "https://shop.bg/?x=1",
            "not a url",
            "",
        ] {
            let e = ClientConfig::new(bad, "K").unwrap_err();
            assert_eq!(e.code(), "cloudcart.invalid_config", "{bad}");
        }
        assert!(ClientConfig::new("https://shop.bg", " ").is_err());
        assert!(ClientConfig::new("https://shop.bg", "KEY\nX").is_err());
    }

    #[test]
    fn debug_never_shows_the_key() {
        let c = ClientConfig::new("https://shop.bg", "TOPSECRETKEY").unwrap();
        assert!(!format!("{c:?}").contains("TOPSECRET"));
        assert_eq!(c.api_root().as_str(), "https://shop.bg/api/v2/");
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let r = RetryPolicy::default();
        assert_eq!(r.backoff(1), Duration::from_secs(2));
        assert_eq!(r.backoff(2), Duration::from_secs(4));
        assert_eq!(r.backoff(10), Duration::from_secs(60));
        assert_eq!(r.backoff(100), Duration::from_secs(60));
    }
}
