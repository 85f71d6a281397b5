//! Records and queries that belong to storage rather than to the domain: pages,
//! filters, auth records, stock views, ledger, outbox, journal.

use serde::{Deserialize, Serialize};
use sklad_domain::model::{GoodKind, PartnerRole, Role, User};
use sklad_domain::operation::{OperationKind, OperationStatus};
use sklad_domain::{Id, Quantity};

/// One page of a list and the total count of matching records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    /// The records of this page.
    pub items: Vec<T>,
    /// How many records match the filter, over all pages.
    pub total: i64,
    /// Most records on a page.
    pub limit: i64,
    /// Records skipped before this page.
    pub offset: i64,
}

impl<T> Page<T> {
    /// The page of `items` taken with `paging` out of `total` matching records.
    pub(crate) fn of(items: Vec<T>, total: i64, paging: Paging) -> Page<T> {
        Page {
            items,
            total,
            limit: paging.limit,
            offset: paging.offset,
        }
    }
}

/// Paging of a list: at most `limit` (1..=1000, default 50) records after `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paging {
    /// Most records on a page.
    pub limit: i64,
    /// Records skipped before this page.
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
    /// Only this kind.
    pub kind: Option<GoodKind>,
    /// Only this group (exact).
    pub group: Option<String>,
    /// Only active (true) or inactive (false) goods.
    pub active: Option<bool>,
    /// Which page.
    #[serde(default)]
    pub paging: Paging,
}

/// Filter of the partners list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerFilter {
    /// Case-insensitive substring of name, ЕИК, VAT number, e-mail, phone or city.
    pub search: Option<String>,
    /// Only this role.
    pub role: Option<PartnerRole>,
    /// Which page.
    #[serde(default)]
    pub paging: Paging,
}

/// Filter of the operations list (newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationFilter {
    /// Only this kind.
    pub kind: Option<OperationKind>,
    /// Only this status.
    pub status: Option<OperationStatus>,
    /// Inclusive.
    pub date_from: Option<jiff::civil::Date>,
    /// Inclusive.
    pub date_to: Option<jiff::civil::Date>,
    /// Only operations of this partner.
    pub partner_id: Option<Id>,
    /// The object (for the filter: as source or destination).
    pub object_id: Option<Id>,
    /// Which page.
    #[serde(default)]
    pub paging: Paging,
}

/// A member of a firm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    /// The user.
    pub user: User,
    /// Only this role.
    pub role: Role,
}

/// Who a token or session acts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AuthContext {
    /// The user.
    pub user_id: Id,
    /// The firm.
    pub firm_id: Id,
    /// Only this role.
    pub role: Role,
}

/// An API token as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// Database id.
    pub id: Id,
    /// The user.
    pub user_id: Id,
    /// The firm.
    pub firm_id: Id,
    /// A name to recognise it by.
    pub name: String,
    /// When it was created.
    pub created_at: jiff::Timestamp,
    /// Revoked tokens no longer authenticate.
    pub revoked: bool,
    /// When it last authenticated a request (to the minute), if ever.
    pub last_used_at: Option<jiff::Timestamp>,
}

/// A freshly created API token: `plaintext` is shown once and never stored.
/// `Debug` redacts it.
#[derive(Clone, PartialEq, Eq)]
pub struct NewApiToken {
    /// The stored token.
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
    /// The user.
    pub user_id: Id,
    /// The firm.
    pub firm_id: Id,
    /// Only this role.
    pub role: Role,
    /// Must accompany every form post of this session.
    pub csrf_token: String,
    /// Expires at.
    pub expires_at: jiff::Timestamp,
}

/// Where and when a web session was used (no secret of it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SessionUse {
    /// When it began (sign-in).
    pub started_at: jiff::Timestamp,
    /// When it was last used (to the minute); `None` before its first page.
    pub last_seen_at: Option<jiff::Timestamp>,
    /// The client address it was last used from.
    pub last_seen_from: Option<String>,
    /// When it expires.
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
    /// Database id.
    pub id: String,
    /// The session.
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
    /// The good.
    pub good_id: Id,
    /// The good's main code.
    pub code: String,
    /// On hand, milli-units.
    pub on_hand: Quantity,
    /// Reserved by open orders, milli-units.
    pub reserved: Quantity,
    /// `on_hand − reserved`.
    pub available: Quantity,
}

/// One ledger row: a single stock movement made by an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    /// Database id.
    pub id: Id,
    /// The operation that made the movement.
    pub operation_id: Id,
    /// The object (for the filter: as source or destination).
    pub object_id: Id,
    /// The good.
    pub good_id: Id,
    /// Change of on hand.
    pub on_hand_delta: Quantity,
    /// Change of reserved.
    pub reserved_delta: Quantity,
    /// When.
    pub at: jiff::Timestamp,
}

/// An outbox row: the stock of (object, good) changed and the shop should hear of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StockChange {
    /// Database id.
    pub id: Id,
    /// The firm.
    pub firm_id: Id,
    /// The object (for the filter: as source or destination).
    pub object_id: Id,
    /// The good.
    pub good_id: Id,
}

/// An entry of a firm's journal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JournalEntry {
    /// Database id.
    pub id: Id,
    /// When.
    pub at: jiff::Timestamp,
    /// Who did it (a login, `system`, `cli` …).
    pub actor: String,
    /// Stable action key, e.g. `euro_changeover`.
    pub action: String,
    /// Free-form details.
    pub details: serde_json::Value,
}

/// What the euro changeover did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EuroChangeover {
    /// Goods in the firm.
    pub goods: i64,
    /// Prices converted.
    pub prices: i64,
}

/// What a verified firm archive holds (see [`crate::Store::inspect_archive`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArchiveSummary {
    /// The firm's name in the archive.
    pub firm_name: String,
    /// When the backup was taken.
    pub created_at: jiff::Timestamp,
    /// The engine the firm was backed up from.
    pub source_engine: Engine,
    /// Objects in the archive.
    pub objects: i64,
    /// Goods in the archive.
    pub goods: i64,
    /// Partners in the archive.
    pub partners: i64,
    /// Operations in the archive.
    pub operations: i64,
}

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    /// SQLite, one file.
    Sqlite,
    /// PostgreSQL.
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
