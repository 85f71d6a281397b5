//! Records and queries that belong to storage rather than to the domain: pages,
//! filters, auth records, stock views, ledger, outbox, journal.

use serde::{Deserialize, Serialize};
use sklad_domain::model::{GoodKind, PartnerRole, Role, User};
use sklad_domain::operation::{OperationKind, OperationStatus};
use sklad_domain::{Id, Quantity};

/// One page of a list and the total count of matching records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many records match the filter, over all pages.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// Paging of a list: at most `limit` (1..=1000, default 50) records after `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paging {
    pub limit: i64,
    pub offset: i64,
}

impl Default for Paging {
    fn default() -> Self {
        Paging {
            limit: 50,
            offset: 0,
        }
    }
}

impl Paging {
    /// Limit clamped to 1..=1000 and offset to ≥ 0.
    pub fn clamped(self) -> Paging {
        Paging {
            limit: self.limit.clamp(1, 1000),
            offset: self.offset.max(0),
        }
    }
}

/// Filter of the goods list. Empty filter lists everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoodFilter {
    /// Case-insensitive substring of code, barcode or name.
    pub search: Option<String>,
    pub kind: Option<GoodKind>,
    pub group: Option<String>,
    pub active: Option<bool>,
    #[serde(default)]
    pub paging: Paging,
}

/// Filter of the partners list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerFilter {
    /// Case-insensitive substring of name, ЕИК, VAT number, e-mail, phone or city.
    pub search: Option<String>,
    pub role: Option<PartnerRole>,
    #[serde(default)]
    pub paging: Paging,
}

/// Filter of the operations list (newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationFilter {
    pub kind: Option<OperationKind>,
    pub status: Option<OperationStatus>,
    /// Inclusive.
    pub date_from: Option<jiff::civil::Date>,
    /// Inclusive.
    pub date_to: Option<jiff::civil::Date>,
    pub partner_id: Option<Id>,
    pub object_id: Option<Id>,
    #[serde(default)]
    pub paging: Paging,
}

/// A member of a firm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub user: User,
    pub role: Role,
}

/// Who a token or session acts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AuthContext {
    pub user_id: Id,
    pub firm_id: Id,
    pub role: Role,
}

/// An API token as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: Id,
    pub user_id: Id,
    pub firm_id: Id,
    pub name: String,
    pub created_at: jiff::Timestamp,
    pub revoked: bool,
}

/// A freshly created API token: `plaintext` is shown once and never stored.
/// `Debug` redacts it.
#[derive(Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub token: ApiToken,
    /// `skl_` + 64 hex characters.
    pub plaintext: String,
}

impl std::fmt::Debug for NewApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewApiToken")
            .field("token", &self.token)
            .field("plaintext", &"<redacted>")
            .finish()
    }
}

/// A resolved web session. `Debug` redacts the CSRF token.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: Id,
    pub firm_id: Id,
    pub role: Role,
    /// Must accompany every form post of this session.
    pub csrf_token: String,
    pub expires_at: jiff::Timestamp,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user_id", &self.user_id)
            .field("firm_id", &self.firm_id)
            .field("role", &self.role)
            .field("csrf_token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// A freshly created session: `id` goes into the cookie and is stored only hashed.
/// `Debug` redacts it.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    pub id: String,
    pub session: Session,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("id", &"<redacted>")
            .field("session", &self.session)
            .finish()
    }
}

/// Stock of one good summed over a set of objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Availability {
    pub good_id: Id,
    pub code: String,
    pub on_hand: Quantity,
    pub reserved: Quantity,
    /// `on_hand − reserved`.
    pub available: Quantity,
}

/// One ledger row: a single stock movement made by an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    pub id: Id,
    pub operation_id: Id,
    pub object_id: Id,
    pub good_id: Id,
    pub on_hand_delta: Quantity,
    pub reserved_delta: Quantity,
    pub at: jiff::Timestamp,
}

/// An outbox row: the stock of (object, good) changed and the shop should hear of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StockChange {
    pub id: Id,
    pub firm_id: Id,
    pub object_id: Id,
    pub good_id: Id,
}

/// An entry of a firm's journal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JournalEntry {
    pub id: Id,
    pub at: jiff::Timestamp,
    /// Who did it (a login, `system`, `cli` …).
    pub actor: String,
    /// Stable action key, e.g. `euro_changeover`, `firm_restored`.
    pub action: String,
    pub details: serde_json::Value,
}

/// What the euro changeover did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EuroChangeover {
    pub goods: i64,
    pub prices: i64,
}

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// `sqlite` or `postgres`.
    pub fn key(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}
