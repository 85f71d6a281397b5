//! Sklad's warehouse domain: the rules a Bulgarian merchant's back office follows,
//! free of I/O so that storage, the REST API, the pages and the CloudCart bridge
//! all share one definition of them.
//!
//! Vocabulary follows the merchant instructions (see `shared/SPEC.md`):
//! Обект → [`model::Object`], Ценова група → [`price_group::PriceGroup`],
//! Стока → [`model::Good`], Партньор → [`model::Partner`],
//! Тип плащане → [`model::PaymentType`], operations → [`operation`].

pub mod changeover;
pub mod clock;
pub mod date;
pub mod error;
pub mod ident;
pub mod model;
pub mod money;
pub mod operation;
pub mod price_group;
pub mod quantity;
pub mod stock;
pub mod vat;

pub use error::{FieldError, ValidationErrors};
pub use money::{Currency, Money};
pub use price_group::PriceGroup;
pub use quantity::Quantity;
pub use vat::VatRate;

/// Database identifier of any stored record. Records are always looked up together with
/// their firm, so an id alone never crosses a tenant boundary.
pub type Id = i64;
