//! The records a firm keeps: firm, users, objects, goods, partners, payment types.
//! Operations and stock live in [`crate::operation`] and [`crate::stock`].

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::error::{FieldError, ValidationErrors};
use crate::{Currency, Id, PriceGroup, VatRate};

/// A firm (tenant): everything else belongs to exactly one firm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Firm {
    pub id: Id,
    pub name: String,
    /// ЕИК / Булстат, 9 or 13 digits, validated.
    pub eik: Option<String>,
    pub currency: Currency,
    pub vat_registered: bool,
    /// Users the subscription allows (SPEC P1: the shop connection needs 2).
    pub seats: i64,
    /// Whether a sale may take on-hand stock below zero.
    pub allow_negative_stock: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Собственик: everything, including users, backups and restore.
    Owner,
    /// Оператор: daily work; no user administration, no restore.
    Operator,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: Id,
    pub login: String,
    pub display_name: String,
    /// `bg` or `en`.
    pub language: String,
}

/// A user's membership in one firm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub firm_id: Id,
    pub firm_name: String,
    pub role: Role,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Shop,
    Warehouse,
}

/// Обект: a shop or warehouse that holds stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Object {
    pub id: Id,
    pub name: String,
    pub kind: ObjectKind,
    /// The selling price group this object sells at (never `Purchase`).
    pub price_group: PriceGroup,
    pub active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoodKind {
    /// Stocked good.
    Good,
    /// Service: never held in stock (delivery, discount, fee …).
    Service,
}

/// Стока: identified by its main code and any number of barcodes, all unique in the firm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Good {
    pub id: Id,
    pub code: String,
    pub barcodes: Vec<String>,
    pub name: String,
    /// Мярка, e.g. "бр.", "кг".
    pub measure: String,
    pub kind: GoodKind,
    pub vat_rate: VatRate,
    /// Група, free text.
    pub group: Option<String>,
    pub active: bool,
    /// Price per price group, VAT included, in minor units of the firm's currency.
    /// A missing group has no price.
    pub prices: BTreeMap<PriceGroup, i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerRole {
    Client,
    Supplier,
    Both,
}

/// Партньор.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    pub id: Id,
    pub name: String,
    /// ЕИК / Булстат (or ЕГН for a person), validated; unique in the firm when present.
    pub eik: Option<String>,
    /// ДДС номер, `BG` + 9 or 10 digits.
    pub vat_number: Option<String>,
    /// МОЛ: the person legally responsible.
    pub mol: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub role: PartnerRole,
    pub price_group: PriceGroup,
}

/// The four ways money moves in Microinvest, plus cash on delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    BankTransfer,
    Card,
    Voucher,
    CashOnDelivery,
}

/// Тип плащане: a named payment type of the firm (SPEC S2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentType {
    pub id: Id,
    pub name: String,
    pub method: PaymentMethod,
    pub active: bool,
}

/// The payment types every new firm starts with.
pub fn default_payment_types() -> Vec<(&'static str, PaymentMethod)> {
    vec![
        ("В брой", PaymentMethod::Cash),
        ("По банка", PaymentMethod::BankTransfer),
        ("С карта", PaymentMethod::Card),
        ("Ваучер", PaymentMethod::Voucher),
        ("Наложен платеж", PaymentMethod::CashOnDelivery),
    ]
}

// ---------------------------------------------------------------------------
// Inputs: what a user submits to create or change a record. `validate()` checks
// everything that needs no database and returns the normalised input.
// ---------------------------------------------------------------------------

fn text_required(
    errors: &mut ValidationErrors,
    field: &str,
    value: &str,
    max_chars: usize,
) -> String {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        errors.push(FieldError::required(field));
    } else if trimmed.chars().count() > max_chars {
        errors.push(too_long(field, max_chars));
    } else if trimmed.contains('\0') {
        errors.push(text_nul(field));
    }
    trimmed.to_owned()
}

fn text_optional(
    errors: &mut ValidationErrors,
    field: &str,
    value: &Option<String>,
    max_chars: usize,
) -> Option<String> {
    let trimmed = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    if trimmed.chars().count() > max_chars {
        errors.push(too_long(field, max_chars));
    } else if trimmed.contains('\0') {
        errors.push(text_nul(field));
    }
    Some(trimmed.to_owned())
}

/// Text with a NUL character, which no user means to type and PostgreSQL cannot store.
pub fn text_nul(field: &str) -> FieldError {
    FieldError::new(
        field,
        "text_nul",
        "Текстът съдържа забранения знак NUL (\\u0000).",
        "The text contains the forbidden NUL character (\\u0000).",
    )
}

fn too_long(field: &str, max_chars: usize) -> FieldError {
    FieldError::new(
        field,
        "too_long",
        format!("Най-много {max_chars} знака."),
        format!("At most {max_chars} characters."),
    )
}

/// Input for creating or updating a firm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirmInput {
    /// Name.
    pub name: String,
    /// ЕИК / Булстат (ЕГН or ЛНЧ for a person partner), optional.
    pub eik: Option<String>,
    /// The firm's currency.
    pub currency: Currency,
    /// Registered for VAT.
    pub vat_registered: bool,
    /// Users the subscription allows (at least 1).
    pub seats: i64,
    /// Whether on-hand stock may go below zero.
    pub allow_negative_stock: bool,
}

impl FirmInput {
    /// Name required, ЕИК valid when present, at least one seat.
    pub fn validate(&self) -> Result<FirmInput, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = text_required(&mut errors, "name", &self.name, 200);
        let eik = match text_optional(&mut errors, "eik", &self.eik, 20) {
            Some(eik) => errors.check(crate::ident::validate_eik("eik", &eik)),
            None => None,
        };
        if !(1..=10_000).contains(&self.seats) {
            errors.push(FieldError::new(
                "seats",
                "seats_invalid",
                "Броят потребители трябва да е между 1 и 10000.",
                "Seats must be between 1 and 10000.",
            ));
        }
        errors.into_result(FirmInput {
            name,
            eik,
            ..self.clone()
        })
    }
}

/// Input for creating a user. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInput {
    /// Login, unique over all firms.
    pub login: String,
    /// Password in plain text (hashed before it is stored).
    pub password: String,
    /// Name shown in the pages.
    pub display_name: String,
    /// `bg` or `en`.
    pub language: String,
}

impl std::fmt::Debug for UserInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserInput")
            .field("login", &self.login)
            .field("password", &"<redacted>")
            .field("display_name", &self.display_name)
            .field("language", &self.language)
            .finish()
    }
}

/// Checks a new password: 8 to 200 characters.
pub fn validate_password(field: &str, password: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if !(8..=200).contains(&n) {
        return Err(FieldError::new(
            field,
            "password_length",
            "Паролата трябва да е между 8 и 200 знака.",
            "The password must be 8 to 200 characters long.",
        ));
    }
    Ok(())
}

/// A user's language, `bg` or `en` (any case, surrounding spaces ignored), returned
/// lower-case; else `language_invalid` on `field`.
pub fn validate_language(field: &str, language: &str) -> Result<String, FieldError> {
    let language = language.trim().to_lowercase();
    if language != "bg" && language != "en" {
        return Err(FieldError::new(
            field,
            "language_invalid",
            "Езикът трябва да е bg или en.",
            "The language must be bg or en.",
        ));
    }
    Ok(language)
}

impl UserInput {
    /// Login of 3–64 letters, digits, `.`, `_`, `-`, `@` (stored lower-case); password
    /// 8–200 characters; language `bg` or `en`.
    pub fn validate(&self) -> Result<UserInput, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let login = self.login.trim().to_lowercase();
        let login_ok = (3..=64).contains(&login.chars().count())
            && login
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
        if !login_ok {
            errors.push(FieldError::new(
                "login",
                "login_invalid",
                "Потребителското име трябва да е 3–64 знака: букви, цифри, . _ - @.",
                "The login must be 3–64 characters: letters, digits, . _ - @.",
            ));
        }
        errors.check(validate_password("password", &self.password));
        let display_name = text_required(&mut errors, "display_name", &self.display_name, 200);
        let language = errors
            .check(validate_language("language", &self.language))
            .unwrap_or_default();
        errors.into_result(UserInput {
            login,
            password: self.password.clone(),
            display_name,
            language,
        })
    }
}

/// Input for creating or updating an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectInput {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: ObjectKind,
    /// The selling price group.
    pub price_group: PriceGroup,
    /// Offered for new work.
    pub active: bool,
}

impl ObjectInput {
    /// Name required; the price group must be a selling group (not `Purchase`).
    pub fn validate(&self) -> Result<ObjectInput, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = text_required(&mut errors, "name", &self.name, 200);
        if self.price_group == PriceGroup::Purchase {
            errors.push(FieldError::new(
                "price_group",
                "price_group_purchase",
                "Обектът не може да продава по доставна цена.",
                "An object cannot sell at the purchase price.",
            ));
        }
        errors.into_result(ObjectInput {
            name,
            ..self.clone()
        })
    }
}

/// Input for creating or updating a good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoodInput {
    /// Main code, unique in the firm.
    pub code: String,
    /// Barcodes, unique in the firm.
    #[serde(default)]
    pub barcodes: Vec<String>,
    /// Name.
    pub name: String,
    /// Мярка, e.g. "бр.".
    pub measure: String,
    /// Kind.
    pub kind: GoodKind,
    /// VAT rate.
    pub vat_rate: VatRate,
    /// Група, free text.
    #[serde(default)]
    pub group: Option<String>,
    /// Offered for new work.
    pub active: bool,
    /// Price per price group, VAT included, minor units of the firm's currency.
    #[serde(default)]
    pub prices: BTreeMap<PriceGroup, i64>,
}

impl GoodInput {
    /// Code, name and measure required; barcodes non-empty, digits/letters only, not
    /// repeated; prices not negative.
    pub fn validate(&self) -> Result<GoodInput, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let code = text_required(&mut errors, "code", &self.code, 64);
        let name = text_required(&mut errors, "name", &self.name, 300);
        let measure = text_required(&mut errors, "measure", &self.measure, 20);
        let group = text_optional(&mut errors, "group", &self.group, 100);
        let mut barcodes = Vec::new();
        for (i, barcode) in self.barcodes.iter().enumerate() {
            let field = format!("barcodes[{i}]");
            let barcode = barcode.trim().to_owned();
            if barcode.is_empty()
                || barcode.len() > 64
                || !barcode
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                errors.push(FieldError::new(
                    field,
                    "barcode_invalid",
                    "Баркодът трябва да е от 1 до 64 латински букви, цифри или тирета.",
                    "A barcode must be 1 to 64 Latin letters, digits or dashes.",
                ));
            } else if barcodes.contains(&barcode) {
                errors.push(FieldError::new(
                    field,
                    "barcode_repeated",
                    "Баркодът е въведен два пъти.",
                    "The barcode is entered twice.",
                ));
            } else {
                barcodes.push(barcode);
            }
        }
        for (group, amount) in &self.prices {
            if *amount < 0 {
                errors.push(FieldError::new(
                    format!("prices.{}", group.key()),
                    "price_negative",
                    "Цената не може да е отрицателна.",
                    "The price cannot be negative.",
                ));
            }
        }
        errors.into_result(GoodInput {
            code,
            barcodes,
            name,
            measure,
            group,
            ..self.clone()
        })
    }
}

/// Input for creating or updating a partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerInput {
    /// Name.
    pub name: String,
    /// ЕИК / Булстат (ЕГН or ЛНЧ for a person partner), optional.
    #[serde(default)]
    pub eik: Option<String>,
    /// ДДС номер.
    #[serde(default)]
    pub vat_number: Option<String>,
    /// МОЛ.
    #[serde(default)]
    pub mol: Option<String>,
    /// Address.
    #[serde(default)]
    pub address: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Client, supplier or both.
    pub role: PartnerRole,
    /// The selling price group.
    #[serde(default)]
    pub price_group: PriceGroup,
}

impl PartnerInput {
    /// Name required; ЕИК/ЕГН/ЛНЧ and VAT number valid when present; e-mail shaped
    /// like one (stored lower-case).
    pub fn validate(&self) -> Result<PartnerInput, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = text_required(&mut errors, "name", &self.name, 300);
        let eik = match text_optional(&mut errors, "eik", &self.eik, 20) {
            Some(v) => errors.check(crate::ident::validate_partner_id("eik", &v)),
            None => None,
        };
        let vat_number = match text_optional(&mut errors, "vat_number", &self.vat_number, 20) {
            Some(v) => errors.check(crate::ident::validate_vat_number("vat_number", &v)),
            None => None,
        };
        let email = text_optional(&mut errors, "email", &self.email, 254).map(|e| e.to_lowercase());
        if let Some(email) = &email {
            let shaped = email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
            }) && !email.chars().any(char::is_whitespace);
            if !shaped {
                errors.push(FieldError::new(
                    "email",
                    "email_invalid",
                    "Невалиден e-mail адрес.",
                    "Invalid e-mail address.",
                ));
            }
        }
        let out = PartnerInput {
            name,
            eik,
            vat_number,
            mol: text_optional(&mut errors, "mol", &self.mol, 200),
            address: text_optional(&mut errors, "address", &self.address, 500),
            city: text_optional(&mut errors, "city", &self.city, 100),
            phone: text_optional(&mut errors, "phone", &self.phone, 50),
            email,
            role: self.role,
            price_group: self.price_group,
        };
        errors.into_result(out)
    }
}

/// Input for creating or updating a payment type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentTypeInput {
    /// Name.
    pub name: String,
    /// How the money moves.
    pub method: PaymentMethod,
    /// Offered for new work.
    pub active: bool,
}

impl PaymentTypeInput {
    /// Name required.
    pub fn validate(&self) -> Result<PaymentTypeInput, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = text_required(&mut errors, "name", &self.name, 100);
        errors.into_result(PaymentTypeInput {
            name,
            ..self.clone()
        })
    }
}
