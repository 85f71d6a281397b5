//! The [`Control`] methods for the merchant's admin-panel work: catalogue edits that fire
//! `product.*` webhooks, payment methods, webhook subscriptions and API keys.

use crate::api::lock;
use crate::control::{Control, ControlError, VariantView, WebhookView};
use crate::merchant_catalogue::{
    self as catalogue, NewProduct, NewVariant, ProductEdit, ProductView, VariantEdit,
};
use crate::merchant_settings::PaymentProviderView;
use crate::merchant_settings::{self as settings, ApiKeyView, NewPaymentProvider};
use crate::store::Shop;

/// The view of product `id` right after an edit (it exists: the edit just succeeded).
fn product_after(s: &Shop, id: u64) -> Result<ProductView, ControlError> {
    catalogue::product_view(s, id).ok_or_else(|| catalogue::unknown_product(id))
}

fn variant_after(s: &Shop, id: u64) -> Result<VariantView, ControlError> {
    s.variants
        .get(&id)
        .map(VariantView::of)
        .ok_or_else(|| catalogue::unknown_variant(id))
}

impl Control {
    /// Merchant creates a product with its variants in the admin panel (fires
    /// `product.created`; a new category also fires `category.created`).
    pub fn create_product(
        &self,
        host: &str,
        product: &NewProduct,
    ) -> Result<ProductView, ControlError> {
        self.with_shop(host, |s, ev, now| {
            let id = catalogue::create_product(s, product, now, ev)?;
            product_after(s, id)
        })
    }

    /// A product with its variants (`None` when the shop or the product is unknown).
    pub fn product(&self, host: &str, product_id: u64) -> Option<ProductView> {
        let shop = self.state.shops.get(&host.to_ascii_lowercase())?;
        catalogue::product_view(&lock(shop), product_id)
    }

    /// Merchant saves a product's name / description (fires `product.updated`).
    pub fn edit_product(
        &self,
        host: &str,
        product_id: u64,
        edit: &ProductEdit,
    ) -> Result<ProductView, ControlError> {
        self.with_shop(host, |s, ev, now| {
            catalogue::edit_product(s, product_id, edit, now, ev)?;
            product_after(s, product_id)
        })
    }

    /// Merchant deletes a product (the API answers 404 for it and its variants from then on;
    /// fires `product.deleted`).
    pub fn delete_product(&self, host: &str, product_id: u64) -> Result<(), ControlError> {
        self.with_shop(host, |s, ev, _| {
            catalogue::delete_product(s, product_id, ev)
        })
    }

    /// Merchant adds a variant to a product (fires `product.updated`).
    pub fn add_variant(
        &self,
        host: &str,
        product_id: u64,
        variant: &NewVariant,
    ) -> Result<VariantView, ControlError> {
        self.with_shop(host, |s, ev, now| {
            let id = catalogue::add_variant(s, product_id, variant, now, ev)?;
            variant_after(s, id)
        })
    }

    /// Merchant saves a variant's SKU / barcode / price / stock on the product page (fires
    /// `product.updated` of its product). [`Control::set_variant_quantity`] stays the silent
    /// stock-only edit.
    pub fn edit_variant(
        &self,
        host: &str,
        variant_id: u64,
        edit: &VariantEdit,
    ) -> Result<VariantView, ControlError> {
        self.with_shop(host, |s, ev, now| {
            let id = catalogue::edit_variant(s, variant_id, edit, now, ev)?;
            variant_after(s, id)
        })
    }

    /// Merchant deletes a variant, never the last one of its product (fires `product.updated`).
    pub fn delete_variant(&self, host: &str, variant_id: u64) -> Result<(), ControlError> {
        self.with_shop(host, |s, ev, now| {
            catalogue::delete_variant(s, variant_id, now, ev)
        })
    }

    /// The shop's payment methods (empty for an unknown shop).
    pub fn payment_providers(&self, host: &str) -> Vec<PaymentProviderView> {
        self.state
            .shops
            .get(&host.to_ascii_lowercase())
            .map(|s| settings::payment_providers(&lock(s)))
            .unwrap_or_default()
    }

    /// Merchant installs a payment method.
    pub fn add_payment_provider(
        &self,
        host: &str,
        provider: &NewPaymentProvider,
    ) -> Result<PaymentProviderView, ControlError> {
        self.with_shop(host, |s, _, _| settings::add_payment_provider(s, provider))
    }

    /// Merchant switches a payment method off (checkout stops offering it) or on again.
    pub fn set_payment_provider_active(
        &self,
        host: &str,
        code: &str,
        active: bool,
    ) -> Result<PaymentProviderView, ControlError> {
        self.with_shop(host, |s, _, _| {
            settings::set_payment_provider_active(s, code, active)
        })
    }

    /// Merchant flips a webhook subscription's Active switch (queued attempts are dropped).
    pub fn set_webhook_active(
        &self,
        host: &str,
        webhook_id: u64,
        active: bool,
    ) -> Result<WebhookView, ControlError> {
        self.with_shop(host, |s, _, now| {
            settings::set_webhook_active(s, webhook_id, active, now)
        })
    }

    /// Merchant deletes a webhook subscription.
    pub fn delete_webhook(&self, host: &str, webhook_id: u64) -> Result<(), ControlError> {
        self.with_shop(host, |s, _, _| settings::delete_webhook(s, webhook_id))
    }

    /// The shop's API keys with their ids and switches (empty for an unknown shop).
    pub fn api_keys(&self, host: &str) -> Vec<ApiKeyView> {
        self.state
            .shops
            .get(&host.to_ascii_lowercase())
            .map(|s| settings::api_keys(&lock(s)))
            .unwrap_or_default()
    }

    /// Give API key `key_id` (1-based) a new value: the old one gets 401 at once, linked
    /// webhook subscriptions send the new one from their next attempt.
    pub fn rotate_api_key(&self, host: &str, key_id: u64) -> Result<ApiKeyView, ControlError> {
        self.with_shop(host, |s, _, _| settings::rotate_api_key(s, key_id))
    }

    /// Switch API key `key_id` (1-based) off (401) or on again (same value).
    pub fn set_api_key_active(
        &self,
        host: &str,
        key_id: u64,
        active: bool,
    ) -> Result<ApiKeyView, ControlError> {
        self.with_shop(host, |s, _, _| {
            settings::set_api_key_active(s, key_id, active)
        })
    }
}
