//! Shared rig: an emulator on 127.0.0.1 with a virtual clock, and a client whose clock moves
//! the emulator's clock whenever the client sleeps (rate windows, backoff, Retry-After).

#![allow(dead_code)] // each test binary uses a different part of the rig

use cloudcart::clock::{Clock, Sleep};
use cloudcart::{Client, ClientConfig, RetryPolicy};
use cloudcart_sim::{ClockMode, Control, ShopConfig, Sim, SimConfig};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Primary shop host used by the tests.
pub const HOST: &str = "shop.localhost";
/// Its API key.
pub const KEY: &str = "TESTKEY0000000000000000000000000000000000000000000000000000000001";

/// The client's clock, tied to the emulator's virtual clock: a sleep advances both.
pub struct SharedTime {
    nanos: AtomicU64,
    control: Arc<Control>,
}

impl SharedTime {
    /// Virtual seconds elapsed so far.
    pub fn elapsed(&self) -> Duration {
        self.now()
    }
}

impl Clock for SharedTime {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }

    fn sleep_until(&self, deadline: Duration) -> Sleep {
        let target = u64::try_from(deadline.as_nanos()).unwrap_or(u64::MAX);
        let before = self.nanos.fetch_max(target, Ordering::SeqCst);
        let delta = Duration::from_nanos(target.saturating_sub(before));
        let control = self.control.clone();
        Box::pin(async move {
            if !delta.is_zero() {
                control.advance(delta).await;
            }
        })
    }
}

/// A running emulator with one client.
pub struct Rig {
    pub sim: Sim,
    pub control: Arc<Control>,
    pub time: Arc<SharedTime>,
    pub client: Client,
}

/// Retries that give up on the first 429 (to prove none is ever received).
pub fn no_429_tolerance() -> RetryPolicy {
    RetryPolicy {
        max_rate_limit_waits: 0,
        ..RetryPolicy::default()
    }
}

impl Rig {
    /// Starts `shop` (host [`HOST`], key [`KEY`] are set here) on virtual time.
    pub async fn start(shop: ShopConfig) -> Rig {
        Self::start_shops(vec![shop.api_key(KEY)]).await
    }

    /// Starts several shops; the client talks to the first.
    pub async fn start_shops(shops: Vec<ShopConfig>) -> Rig {
        let sim = Sim::start(SimConfig {
            shops,
            clock: ClockMode::Virtual,
            ..Default::default()
        })
        .await
        .expect("emulator starts");
        let control = Arc::new(sim.control());
        let time = Arc::new(SharedTime {
            nanos: AtomicU64::new(0),
            control: control.clone(),
        });
        let client = Client::new(Self::config_for(&sim, &time, HOST, KEY)).expect("client");
        Rig {
            sim,
            control,
            time,
            client,
        }
    }

    /// A config for `host` on this emulator with `key`, on the shared virtual time.
    pub fn config_for(sim: &Sim, time: &Arc<SharedTime>, host: &str, key: &str) -> ClientConfig {
        ClientConfig::new(&sim.base_url(host), key)
            .expect("loopback config")
            .resolve_to(sim.addr())
            .clock(time.clone())
    }

    /// Another client for `host`/`key` (its own limiter) on the same virtual time.
    pub fn client_for(&self, host: &str, key: &str) -> Client {
        Client::new(Self::config_for(&self.sim, &self.time, host, key)).expect("client")
    }

    /// A client for the main shop with a different retry policy (its own limiter).
    pub fn client_with_retry(&self, retry: RetryPolicy) -> Client {
        Client::new(Self::config_for(&self.sim, &self.time, HOST, KEY).retry(retry))
            .expect("client")
    }
}

/// The SKU of the first seeded variant that has one.
pub fn first_sku(control: &Control) -> String {
    control
        .variants(HOST)
        .into_iter()
        .find_map(|v| v.sku)
        .expect("a seeded variant with a SKU")
}

/// Reads one HTTP/1.1 request (head and the body its `Content-Length` announces; bounded).
pub async fn read_http_request(sock: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    for _ in 0..256 {
        let Ok(n) = sock.read(&mut chunk).await else {
            break;
        };
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some(end) = text.find("\r\n\r\n") {
            let len = text[..end]
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                break;
            }
        }
    }
    String::from_utf8_lossy(&buf).to_string()
}

/// A webhook receiver on 127.0.0.1 that answers `204` and keeps every request it got.
pub async fn webhook_receiver() -> (std::net::SocketAddr, Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let request = read_http_request(&mut sock).await;
            log.lock().unwrap().push(request);
            let _ = sock
                .write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
                .await;
            let _ = sock.shutdown().await;
        }
    });
    (addr, seen)
}

/// The body of a raw HTTP request.
pub fn body_of(request: &str) -> &str {
    request.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}
