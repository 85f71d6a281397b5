//! Alerts (issue 10): the bridge never fails silently. When orders start waiting for
//! the merchant, the shop disables one of our subscriptions, answers 402 (plan expired)
//! or refuses the API key (401, or a delivery carrying another key), an alert is raised
//! for the firm — the owners see it in the page header — and, with SMTP configured, the
//! firm's owners who gave an e-mail address get one e-mail per alert at most once an hour
//! (times from the store's clock).

use std::time::Duration;

use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sklad_domain::Id;

use crate::{Bridge, SyncError};

/// The longest an alert is not e-mailed again while it keeps being raised.
pub const EMAIL_EVERY: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

/// Why an alert was raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// Orders or deliveries wait in „Изисква внимание“.
    Attention,
    /// The shop had disabled or dropped one of our webhook subscriptions.
    SubscriptionDisabled,
    /// The shop answered 402: the plan expired or a plan limit was reached.
    PlanExpired,
    /// The shop refused the API key, or a delivery came with another one.
    KeyRefused,
}

impl Cause {
    /// Every cause.
    pub const ALL: [Cause; 4] = [
        Cause::Attention,
        Cause::SubscriptionDisabled,
        Cause::PlanExpired,
        Cause::KeyRefused,
    ];

    /// The stable key stored and shown to scripts.
    pub fn key(self) -> &'static str {
        match self {
            Cause::Attention => "attention",
            Cause::SubscriptionDisabled => "subscription_disabled",
            Cause::PlanExpired => "plan_expired",
            Cause::KeyRefused => "key_refused",
        }
    }

    /// The cause of a stored key.
    pub fn from_key(key: &str) -> Option<Cause> {
        Cause::ALL.into_iter().find(|c| c.key() == key)
    }

    /// A short title, in Bulgarian.
    pub fn title_bg(self) -> &'static str {
        match self {
            Cause::Attention => "Поръчки чакат внимание",
            Cause::SubscriptionDisabled => "Магазинът беше спрял известие",
            Cause::PlanExpired => "Планът на магазина е изтекъл",
            Cause::KeyRefused => "Магазинът отказа API ключа",
        }
    }

    /// A short title, in English.
    pub fn title_en(self) -> &'static str {
        match self {
            Cause::Attention => "Orders need attention",
            Cause::SubscriptionDisabled => "The shop had disabled a notification",
            Cause::PlanExpired => "The shop's plan has expired",
            Cause::KeyRefused => "The shop refused the API key",
        }
    }
}

/// The cause a failure raises, if it is one an owner must act on: the shop refusing
/// the key (401, or a key that cannot be read or is missing) or answering 402.
pub(crate) fn cause_of(error: &SyncError) -> Option<Cause> {
    match error {
        SyncError::Shop(cloudcart::Error::Unauthorized)
        | SyncError::NoKey
        | SyncError::Secret(_) => Some(Cause::KeyRefused),
        SyncError::Shop(cloudcart::Error::PlanLimit { .. }) => Some(Cause::PlanExpired),
        _ => None,
    }
}

/// Raises an alert (a failure to store it is logged: the work that raised it goes on).
pub(crate) async fn raise(
    bridge: &Bridge,
    firm_id: Id,
    connection_id: Id,
    cause: Cause,
    message_bg: &str,
    message_en: &str,
) {
    tracing::warn!(
        connection = connection_id,
        cause = cause.key(),
        "alert raised"
    );
    if let Err(e) = bridge
        .store()
        .raise_alert(firm_id, connection_id, cause.key(), message_bg, message_en)
        .await
    {
        tracing::error!(code = e.code(), "the alert could not be stored");
    }
}

/// Raises the alert `error` calls for, if any.
pub(crate) async fn raise_for(bridge: &Bridge, firm_id: Id, connection_id: Id, error: &SyncError) {
    if let Some(cause) = cause_of(error) {
        raise(
            bridge,
            firm_id,
            connection_id,
            cause,
            &error.message_bg(),
            &error.message_en(),
        )
        .await;
    }
}

/// Where alert e-mails go out: an SMTP server and the sender's address. Its `Debug`
/// shows neither the server's URL nor its password.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.email.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for `smtp_url` (`smtp://host:port` plain, for a relay on the machine;
    /// `smtps://user:password@host` or `smtp://…?tls=required` with TLS) sending from
    /// `from`. The error never repeats the URL (it may hold a password).
    pub fn new(smtp_url: &str, from: &str) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|_| {
                "the SMTP URL is not valid (smtp://host:port or smtps://user:password@host)"
                    .to_owned()
            })?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|_| format!("the sender address {from:?} is not valid"))?;
        Ok(Mailer { transport, from })
    }
}

/// E-mails the alerts that are due, each to its firm's owners with an address, and
/// notes each one sent; stops at the first failure (the rest wait for the next round).
pub(crate) async fn send_due(bridge: &Bridge, mailer: &Mailer) -> crate::SyncResult<()> {
    let store = bridge.store();
    for (alert, to) in store.alerts_to_email(EMAIL_EVERY).await? {
        let firm = store.firm(alert.firm_id).await?;
        let cause = Cause::from_key(&alert.cause);
        let (title, title_en): (&str, &str) = match cause {
            Some(c) => (c.title_bg(), c.title_en()),
            None => (&alert.cause, &alert.cause),
        };
        let body = format!(
            "{title} — „{}“\n\n{}\n\nВижте: Склад → Администриране → Сигнали.\n\n---\n\n\
             {title_en} — \"{}\"\n\n{}\n\nSee: Sklad → Administration → Alerts.\n",
            firm.name, alert.message_bg, firm.name, alert.message_en
        );
        let mut message = Message::builder()
            .from(mailer.from.clone())
            .subject(format!("Склад: {title} ({})", firm.name));
        for address in &to {
            match address.parse::<Mailbox>() {
                Ok(mailbox) => message = message.to(mailbox),
                Err(_) => tracing::warn!(
                    firm = alert.firm_id,
                    "an owner's e-mail address is not usable"
                ),
            }
        }
        let Ok(message) = message.body(body) else {
            tracing::warn!(alert = alert.id, "the alert e-mail could not be built");
            continue;
        };
        match mailer.transport.send(message).await {
            Ok(_) => {
                store.mark_alert_emailed(alert.id).await?;
                tracing::info!(alert = alert.id, cause = %alert.cause, "alert e-mailed");
            }
            Err(e) => {
                tracing::warn!(alert = alert.id, "the alert e-mail could not be sent: {e}");
                return Ok(());
            }
        }
    }
    Ok(())
}
