//! Issue 10 (SPEC X2: nothing fails silently): alerts. A shop answering 402 or refusing the key, or a subscription the
//! watchdog finds disabled, raises an alert for the firm; with SMTP configured, the
//! owners with an address get an e-mail — one per alert per hour at most — received here
//! by an SMTP sink on loopback. Virtual time throughout.

mod support;

use std::time::Duration;

use cloudcart_sim::{ApiFault, ClockMode, ShopConfig};
use sklad_domain::model::{Role, UserInput};
use sklad_domain::Currency;
use sklad_store::Engine;
use sklad_sync::alerts::Mailer;
use sklad_sync::JobKind;
use support::{rig_with, Rig};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// A message the sink received: its recipients and its text (headers and body).
#[derive(Debug)]
struct Received {
    to: Vec<String>,
    data: String,
}

/// An SMTP server on loopback that accepts every message (no TLS, no authentication):
/// its `smtp://` URL and the messages as they arrive.
async fn smtp_sink() -> (String, mpsc::UnboundedReceiver<Received>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let mut to = Vec::new();
                // Bounded: a session of at most 10 000 lines.
                for _ in 0..10_000 {
                    let Ok(Some(line)) = lines.next_line().await else {
                        return;
                    };
                    let verb = line.to_ascii_uppercase();
                    let reply: &[u8] = if verb.starts_with("EHLO") || verb.starts_with("HELO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if verb.starts_with("RCPT TO:") {
                        to.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                        b"250 OK\r\n"
                    } else if verb == "DATA" {
                        let _ = write.write_all(b"354 go on\r\n").await;
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        let _ = tx.send(Received {
                            to: std::mem::take(&mut to),
                            data,
                        });
                        b"250 queued\r\n"
                    } else if verb == "QUIT" {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 OK\r\n"
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, rx)
}

/// Runs rounds until the bridge has nothing running (the mailer included).
async fn quiet(rig: &Rig) {
    rig.bridge.tick().await.unwrap();
    for _ in 0..200 {
        if !rig.bridge.busy() {
            return;
        }
        rig.bridge
            .wait_for_activity(Duration::from_millis(50))
            .await;
    }
    panic!("the bridge did not settle");
}

/// The firm's alerts as (cause, times).
async fn causes(rig: &Rig) -> Vec<(String, i64)> {
    rig.store
        .alerts(rig.firm_id)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.cause, a.times))
        .collect()
}

async fn x2_refusals_raise_alerts_e_mailed_once_an_hour(engine: Engine) {
    let (url, mut inbox) = smtp_sink().await;
    let mailer = Mailer::new(&url, "Склад <sklad@example.bg>").unwrap();
    let shop = ShopConfig::new("shop.localhost").seed_products(3);
    let Some(rig) = rig_with(engine, shop, Currency::Eur, ClockMode::Virtual, |c| {
        c.mailer = Some(mailer);
    })
    .await
    else {
        return;
    };
    let owner = rig
        .store
        .create_member(
            rig.firm_id,
            &UserInput {
                login: "ivan".into(),
                password: "a-long-password-1".into(),
                display_name: "Иван".into(),
                language: "bg".into(),
            },
            Role::Owner,
        )
        .await
        .unwrap();
    let connection = rig.connect().await;
    rig.settle(connection.id).await;
    assert!(
        causes(&rig).await.is_empty(),
        "a working shop raises nothing"
    );

    // The plan expired: K1 fails with 402 and raises an alert. Without an
    // owner's address nothing is e-mailed yet.
    let control = rig.sim.control();
    let expire = ApiFault::Status {
        status: 402,
        count: 1,
    };
    control.inject_api_fault(&rig.host, expire.clone()).unwrap();
    let failed = rig.run(connection.id, JobKind::Check, false).await;
    assert_eq!(failed.status, "failed");
    assert_eq!(causes(&rig).await, vec![("plan_expired".to_owned(), 1)]);
    quiet(&rig).await;
    assert!(inbox.try_recv().is_err(), "no address, no e-mail");

    // With an address: one e-mail, in Bulgarian and English.
    rig.store
        .set_user_email(owner.id, "ivan@example.bg")
        .await
        .unwrap();
    quiet(&rig).await;
    let mail = inbox.try_recv().expect("an alert e-mail");
    assert_eq!(mail.to, vec!["ivan@example.bg".to_owned()]);
    assert!(mail.data.contains("Subject:"), "{}", mail.data);
    assert!(mail.data.contains("sklad@example.bg"), "{}", mail.data);
    assert!(!mail.data.contains(&rig.api_key()), "no key in an e-mail");

    // Raised again within the hour: counted, not e-mailed again.
    control.inject_api_fault(&rig.host, expire.clone()).unwrap();
    rig.run(connection.id, JobKind::Check, false).await;
    quiet(&rig).await;
    assert_eq!(causes(&rig).await, vec![("plan_expired".to_owned(), 2)]);
    assert!(inbox.try_recv().is_err(), "at most one e-mail per hour");

    // An hour on, raised again: e-mailed again.
    rig.time.advance(Duration::from_secs(3600)).await;
    control.inject_api_fault(&rig.host, expire).unwrap();
    rig.run(connection.id, JobKind::Check, false).await;
    quiet(&rig).await;
    assert!(inbox.try_recv().is_ok(), "the next hour's e-mail");

    // The shop refusing the key is another cause, e-mailed on its own.
    control
        .inject_api_fault(
            &rig.host,
            ApiFault::Status {
                status: 401,
                count: 1,
            },
        )
        .unwrap();
    rig.run(connection.id, JobKind::Check, false).await;
    quiet(&rig).await;
    let all = causes(&rig).await;
    assert!(all.contains(&("key_refused".to_owned(), 1)), "{all:?}");
    assert!(inbox.try_recv().is_ok(), "the key's e-mail");

    // Seen by the owner: out of the badge, kept in the list.
    assert_eq!(rig.store.unseen_alerts(rig.firm_id).await.unwrap(), 2);
    rig.store
        .mark_alerts_seen(rig.firm_id, None, "ivan")
        .await
        .unwrap();
    assert_eq!(rig.store.unseen_alerts(rig.firm_id).await.unwrap(), 0);
    assert_eq!(rig.store.alerts(rig.firm_id).await.unwrap().len(), 2);
}

async fn x2_a_disabled_subscription_raises_an_alert(engine: Engine) {
    let shop = ShopConfig::new("shop.localhost").seed_products(3);
    let Some(rig) = rig_with(engine, shop, Currency::Eur, ClockMode::Virtual, |_| {}).await else {
        return;
    };
    let connection = rig.connect().await;
    rig.settle(connection.id).await;
    rig.complete_settings(connection.id).await;
    let hooks = rig.run(connection.id, JobKind::Webhooks, false).await;
    assert_eq!(hooks.status, "done");
    assert!(causes(&rig).await.is_empty());
    // The merchant (or the shop, after failed deliveries) switches one off.
    let control = rig.sim.control();
    let first = control.webhooks(&rig.host)[0].id;
    control.set_webhook_active(&rig.host, first, false).unwrap();
    let watchdog = rig.run(connection.id, JobKind::Watchdog, false).await;
    assert_eq!(watchdog.status, "done");
    assert!(control.webhooks(&rig.host).iter().all(|h| h.active));
    let alerts = rig.store.alerts(rig.firm_id).await.unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].cause, "subscription_disabled");
    assert_eq!(alerts[0].connection_id, connection.id);
}

on_both_engines!(
    x2_refusals_raise_alerts_e_mailed_once_an_hour,
    x2_a_disabled_subscription_raises_an_alert
);
