//! Optional persistence: a JSON snapshot of every shop's records and settings, written
//! atomically (temporary file + rename) and loaded at start.
//!
//! Not persisted: the rate window, queued/held webhook attempts, the delivery and write
//! logs, injected faults, and the clock. The file holds the shops' API keys (it is the
//! emulator's own storage, like the real platform's database).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::ShopConfig;
use crate::store::{
    Category, CustomStatus, Customer, CustomerAddress, Ids, Image, OptionValue, Order, Parameter,
    PaymentProvider, Product, ShippingProvider, Shop, Variant, Webhook,
};
use crate::webhooks::HookSettings;

/// Current snapshot format.
const VERSION: u32 = 1;

/// One shop's persisted state.
#[derive(Serialize, Deserialize)]
pub struct ShopSnapshot {
    config: ShopConfig,
    ids: Ids,
    categories: BTreeMap<u64, Category>,
    products: BTreeMap<u64, Product>,
    variants: BTreeMap<u64, Variant>,
    parameters: BTreeMap<u64, Parameter>,
    options: BTreeMap<u64, OptionValue>,
    customers: BTreeMap<u64, Customer>,
    addresses: BTreeMap<u64, CustomerAddress>,
    #[serde(default)]
    images: BTreeMap<u64, Image>,
    payment_providers: Vec<PaymentProvider>,
    shipping_providers: BTreeMap<u64, ShippingProvider>,
    orders: BTreeMap<u64, Order>,
    webhooks: BTreeMap<u64, Webhook>,
    custom_statuses: Vec<CustomStatus>,
    invoice_counter: u64,
    /// API keys switched off by the merchant (indexes into `config.api_keys`).
    #[serde(default)]
    disabled_keys: std::collections::BTreeSet<usize>,
}

/// The whole file.
#[derive(Serialize, Deserialize)]
pub struct Snapshot {
    version: u32,
    shops: Vec<ShopSnapshot>,
}

/// Why a snapshot could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// File system error.
    #[error("snapshot file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// OS error.
        source: std::io::Error,
    },
    /// The file is not a snapshot of this version.
    #[error("snapshot file {path} is not a valid emulator snapshot: {detail}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        detail: String,
    },
}

impl ShopSnapshot {
    /// Capture a shop.
    pub fn of(shop: &Shop) -> Self {
        Self {
            config: shop.config.clone(),
            ids: shop.ids,
            categories: shop.categories.clone(),
            products: shop.products.clone(),
            variants: shop.variants.clone(),
            parameters: shop.parameters.clone(),
            options: shop.options.clone(),
            customers: shop.customers.clone(),
            addresses: shop.addresses.clone(),
            images: shop.images.clone(),
            payment_providers: shop.payment_providers.clone(),
            shipping_providers: shop.shipping_providers.clone(),
            orders: shop.orders.clone(),
            webhooks: shop.webhooks.clone(),
            custom_statuses: shop.custom_statuses.clone(),
            invoice_counter: shop.invoice_counter,
            disabled_keys: shop.disabled_keys.clone(),
        }
    }

    /// Primary host of the snapshot.
    pub fn host(&self) -> &str {
        &self.config.host
    }

    /// Rebuild the shop.
    pub fn restore(self, hooks: HookSettings) -> Shop {
        let mut shop = Shop::new(self.config, hooks);
        shop.ids = self.ids;
        shop.categories = self.categories;
        shop.products = self.products;
        shop.variants = self.variants;
        shop.parameters = self.parameters;
        shop.options = self.options;
        shop.customers = self.customers;
        shop.addresses = self.addresses;
        shop.images = self.images;
        shop.payment_providers = self.payment_providers;
        shop.shipping_providers = self.shipping_providers;
        for o in self.orders.into_values() {
            shop.put_order(o);
        }
        shop.webhooks = self.webhooks;
        shop.custom_statuses = self.custom_statuses;
        shop.invoice_counter = self.invoice_counter;
        shop.disabled_keys = self.disabled_keys;
        shop
    }
}

/// Read a snapshot file; `Ok(None)` when it does not exist.
pub fn load(path: &Path) -> Result<Option<Vec<ShopSnapshot>>, SnapshotError> {
    let shown = path.display().to_string();
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(SnapshotError::Io {
                path: shown,
                source,
            })
        }
    };
    let snap: Snapshot = serde_json::from_slice(&text).map_err(|e| SnapshotError::Invalid {
        path: shown.clone(),
        detail: e.to_string(),
    })?;
    if snap.version != VERSION {
        return Err(SnapshotError::Invalid {
            path: shown,
            detail: format!("version {} (expected {VERSION})", snap.version),
        });
    }
    Ok(Some(snap.shops))
}

/// Write a snapshot atomically.
pub fn save(path: &Path, shops: Vec<ShopSnapshot>) -> Result<(), SnapshotError> {
    let shown = path.display().to_string();
    let body = serde_json::to_vec(&Snapshot {
        version: VERSION,
        shops,
    })
    .map_err(|e| SnapshotError::Invalid {
        path: shown.clone(),
        detail: e.to_string(),
    })?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, body).map_err(|source| SnapshotError::Io {
        path: tmp.display().to_string(),
        source,
    })?;
    std::fs::rename(&tmp, path).map_err(|source| SnapshotError::Io {
        path: shown,
        source,
    })
}
