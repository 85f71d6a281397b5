//! The fields every CloudCart address shares (order billing / shipping addresses and the
//! customer address book, API.md §3.5 and §4), declared once.

/// Declares an address attributes struct: the shared name, phone, company and street
/// fields (tolerant text, `null` = absent) followed by the resource's own fields.
macro_rules! postal_address {
    ($(#[$meta:meta])* $name:ident { $($own:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default, serde::Deserialize)]
        #[serde(default)]
        pub struct $name {
            /// First name.
            #[serde(deserialize_with = "crate::lenient::opt_text")]
            pub first_name: Option<String>,
            /// Last name.
            #[serde(deserialize_with = "crate::lenient::opt_text")]
            pub last_name: Option<String>,
            /// Phone.
            #[serde(deserialize_with = "crate::lenient::opt_text")]
            pub phone: Option<String>,
            /// Company name.
            #[serde(deserialize_with = "crate::lenient::opt_text")]
            pub company_name: Option<String>,
            /// Company VAT number (e.g. `BG204512345`).
            #[serde(deserialize_with = "crate::lenient::opt_text")]
            pub company_vat: Option<String>,
            /// Country ISO code.
            #[serde(deserialize_with = "crate::lenient::opt_text")]
            pub country_iso2: Option<String>,
            /// City.
            #[serde(deserialize_with = "crate::lenient::opt_text")]
            pub city_name: Option<String>,
            /// Street.
            #[serde(deserialize_with = "crate::lenient::opt_text")]
            pub street_name: Option<String>,
            /// Street number.
            #[serde(deserialize_with = "crate::lenient::opt_text")]
            pub street_number: Option<String>,
            /// Post code.
            #[serde(deserialize_with = "crate::lenient::opt_text")]
            pub post_code: Option<String>,
            $($own)*
        }
    };
}

pub(crate) use postal_address;
