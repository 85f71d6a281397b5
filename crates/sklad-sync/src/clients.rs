//! One CloudCart client per connection, and one rate limiter per shop host shared by
//! all of them: the budget belongs to the shop's domain, shared by every key and app
//! (API.md §1.13), so two connections to one shop spend one budget. The limiter follows
//! `X-RateLimit-Remaining`, since other apps spend the same budget.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use cloudcart::limiter::{LimiterSnapshot, RateLimiter};
use cloudcart::{Client, ClientConfig};
use sklad_domain::Id;
use sklad_store::shops::{ConnectionSecrets, ShopConnection};

use crate::error::{SyncError, SyncResult};
use crate::secret::{Purpose, SecretBox};

/// How clients talk to shops.
#[derive(Clone)]
pub struct ClientSettings {
    /// The clock of rate windows and retry backoff (virtual in tests).
    pub clock: cloudcart::clock::SharedClock,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout.
    pub request_timeout: Duration,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            clock: Arc::new(cloudcart::clock::SystemClock::new()),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(35),
        }
    }
}

impl std::fmt::Debug for ClientSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSettings")
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .finish_non_exhaustive()
    }
}

/// The clients of this process.
pub(crate) struct ShopClients {
    settings: ClientSettings,
    limiters: Mutex<HashMap<String, Arc<RateLimiter>>>,
    /// Per connection: (what the client was built from, the client).
    clients: Mutex<HashMap<Id, (String, Client)>>,
}

fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl ShopClients {
    pub fn new(settings: ClientSettings) -> ShopClients {
        ShopClients {
            settings,
            limiters: Mutex::new(HashMap::new()),
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// The limiter of `host` (one per host in this process).
    pub fn limiter(&self, host: &str) -> Arc<RateLimiter> {
        guard(&self.limiters)
            .entry(host.to_owned())
            .or_insert_with(|| RateLimiter::new(self.settings.clock.clone()))
            .clone()
    }

    /// What the limiter of `host` knows, when this process has talked to it.
    pub fn rate_budget(&self, host: &str) -> Option<LimiterSnapshot> {
        guard(&self.limiters).get(host).map(|l| l.snapshot())
    }

    /// The client of a connection, built anew when its address or key changed.
    pub fn client(
        &self,
        secrets_box: &SecretBox,
        connection: &ShopConnection,
        secrets: &ConnectionSecrets,
    ) -> SyncResult<Client> {
        let sealed = secrets.api_key_sealed.as_deref().ok_or(SyncError::NoKey)?;
        let fingerprint = format!("{}|{sealed}", connection.shop_url);
        if let Some((built_from, client)) = guard(&self.clients).get(&connection.id) {
            if *built_from == fingerprint {
                return Ok(client.clone());
            }
        }
        let key = secrets_box.open(Purpose::ShopApiKey, sealed)?;
        let mut config = ClientConfig::new(&connection.shop_url, key)?
            .clock(self.settings.clock.clone())
            .timeouts(self.settings.connect_timeout, self.settings.request_timeout)
            .user_agent(format!("Sklad/{}", env!("CARGO_PKG_VERSION")));
        // `*.localhost` names are loopback by definition (RFC 6761), whatever the
        // system resolver says: test and demo shops live there.
        let host = &connection.shop_host;
        if host.ends_with(".localhost") || host == "localhost" {
            config = config.resolve_to_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        let client = Client::with_limiter(config, self.limiter(&connection.shop_host))?;
        guard(&self.clients).insert(connection.id, (fingerprint, client.clone()));
        Ok(client)
    }
}
