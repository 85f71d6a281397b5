//! Sklad's warehouse domain: the rules a Bulgarian merchant's back office follows,
//! free of I/O so that storage, the REST API, the pages and the CloudCart bridge
//! all share one definition of them.
//!
//! # Vocabulary
//!
//! The merchant instructions (`shared/seed/`) and Microinvest speak Bulgarian; the code
//! speaks English. `shared/SPEC.md` and `shared/domain/BULGARIA.md` have the details.
//!
//! | Bulgarian                     | English in the code                  | Where |
//! |-------------------------------|--------------------------------------|-------|
//! | Фирма                         | firm (the tenant)                    | [`model::Firm`] |
//! | Собственик / Оператор         | owner / operator (roles)             | [`model::Role`] |
//! | Обект                         | object (a shop or warehouse)         | [`model::Object`] |
//! | Стока / Услуга                | good / service                       | [`model::Good`], [`model::GoodKind`] |
//! | Мярка                         | measure                              | [`model::Good::measure`] |
//! | Партньор (клиент, доставчик)  | partner (client, supplier)           | [`model::Partner`] |
//! | МОЛ                           | the person legally responsible       | [`model::Partner::mol`] |
//! | Тип плащане                   | payment type                         | [`model::PaymentType`] |
//! | Доставна цена                 | purchase price                       | [`PriceGroup::Purchase`] |
//! | Цена на едро / на дребно      | wholesale / retail price             | [`PriceGroup`] |
//! | Ценова група 1…8              | price group 1…8                      | [`PriceGroup::Group1`]… |
//! | Доставка                      | delivery (stock in)                  | [`operation::OperationKind::Delivery`] |
//! | Продажба                      | sale (stock out)                     | [`operation::OperationKind::Sale`] |
//! | Поръчка                       | order (reserves, moves nothing)      | [`operation::OperationKind::Order`] |
//! | Трансфер                      | transfer (object to object)          | [`operation::OperationKind::Transfer`] |
//! | Ревизия                       | stock-taking (sets the count)        | [`operation::OperationKind::StockTaking`] |
//! | Изписване                     | write-off                            | [`operation::OperationKind::WriteOff`] |
//! | Връщане от клиент             | customer return                      | [`operation::OperationKind::CustomerReturn`] |
//! | Анулиране                     | annulment (exact reversal)           | [`stock::reversal`] |
//! | Наличност / резервирано       | on hand / reserved                   | [`stock::StockLevel`] |
//! | Свободно количество           | available = on hand − reserved       | [`stock::StockLevel::available`] |
//! | ЕИК / Булстат                 | company id (9 or 13 digits)          | [`ident::validate_eik`] |
//! | ЕГН / ЛНЧ                     | personal number of a citizen / foreigner | [`ident::validate_egn`], [`ident::validate_lnch`] |
//! | ДДС номер                     | VAT number                           | [`ident::validate_vat_number`] |
//! | ДДС (20 %, 9 %, 0 %)          | VAT rate                             | [`VatRate`] |
//! | лев (лв) / евро (€)           | BGN / EUR, minor units               | [`Money`], [`Currency`] |
//! | Преминаване към евро          | euro changeover                      | [`changeover`] |
//!
//! # Rules every module keeps
//!
//! - Money is integer minor units with an explicit currency; 1 EUR = 1.95583 BGN,
//!   converted half up to the cent ([`money::convert_minor`]).
//! - Quantities are integer thousandths ([`Quantity`]).
//! - Bad input is a [`FieldError`]: field path, stable code, Bulgarian and English text.
//!   Parsers and validators never panic, whatever the input.
//! - Time comes from a [`clock::Clock`], so tests run on virtual time.
//! - Stock changes only through [`stock::Movement`]s, one ledger row each; the
//!   in-memory [`stock::StockBook`] is the reference model storage must match.

// Every public item is documented; `model` is held to the same rule by review.
#[warn(missing_docs)]
pub mod changeover;
#[warn(missing_docs)]
pub mod clock;
#[warn(missing_docs)]
pub mod date;
#[warn(missing_docs)]
pub mod decimal;
#[warn(missing_docs)]
pub mod error;
#[warn(missing_docs)]
pub mod ident;
pub mod model;
#[warn(missing_docs)]
pub mod money;
#[warn(missing_docs)]
pub mod operation;
#[warn(missing_docs)]
pub mod price_group;
#[warn(missing_docs)]
pub mod quantity;
#[warn(missing_docs)]
pub mod shop;
#[warn(missing_docs)]
pub mod stock;
#[warn(missing_docs)]
pub mod vat;

pub use error::{FieldError, ValidationErrors};
pub use money::{Currency, Money};
pub use price_group::PriceGroup;
pub use quantity::Quantity;
pub use vat::VatRate;

/// Database identifier of any stored record. Records are always looked up together with
/// their firm, so an id alone never crosses a tenant boundary.
pub type Id = i64;
