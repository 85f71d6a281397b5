//! The CloudCart client: typed reads (with paging), the writes a warehouse sync needs, and
//! webhook subscription management. Clones share one connection pool and one rate limiter.

use crate::config::ClientConfig;
use crate::error::Error;
use crate::jsonapi::{decode_value, Included, PrimaryData, RawDocument, Resource};
use crate::limiter::{LimiterSnapshot, Priority, RateLimiter};
use crate::models::catalogue::{
    Category, Product, Variant, VariantOption, VariantParameter, VariantUpdate,
};
use crate::models::customers::{Customer, CustomerAddress};
use crate::models::orders::{
    Fulfillment, FullOrder, Order, OrderLine, OrderStatus, OrderStatusEntry, FULL_ORDER_INCLUDES,
};
use crate::models::providers::{PaymentProvider, ShippingProvider};
use crate::models::webhooks::{Webhook, WebhookWrite};
use crate::paging::Pager;
use crate::query::Query;
use crate::transport::{Reply, Request, Target, Transport};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;

/// A client for one shop.
#[derive(Clone)]
pub struct Client {
    transport: Arc<Transport>,
    priority: Option<Priority>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", self.transport.config())
            .field("priority", &self.priority)
            .finish()
    }
}

/// One record with its side-loaded resources.
#[derive(Debug, Clone)]
pub struct Single<A> {
    /// The record.
    pub resource: Resource<A>,
    /// What `include` brought along.
    pub included: Included,
}

impl Client {
    /// A client for the configured shop.
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        Ok(Self {
            transport: Arc::new(Transport::new(config, None)?),
            priority: None,
        })
    }

    /// A client for the configured shop that spends `limiter`'s budget: the rate budget
    /// belongs to the shop's domain (API.md §1.13), so every client of one shop — also
    /// with different API keys — should share one limiter. The limiter's clock is used
    /// for the rate window; `config`'s clock for retry backoff.
    pub fn with_limiter(config: ClientConfig, limiter: Arc<RateLimiter>) -> Result<Self, Error> {
        Ok(Self {
            transport: Arc::new(Transport::new(config, Some(limiter))?),
            priority: None,
        })
    }

    /// The rate limiter this client spends (shared by its clones).
    pub fn limiter(&self) -> Arc<RateLimiter> {
        self.transport.limiter().clone()
    }

    /// A handle whose requests all use `priority` (shares the limiter with `self`).
    pub fn at(&self, priority: Priority) -> Self {
        Self {
            transport: self.transport.clone(),
            priority: Some(priority),
        }
    }

    /// The shop's host.
    pub fn host(&self) -> String {
        self.transport.config().host()
    }

    /// What the rate limiter currently knows.
    pub fn rate_limit(&self) -> LimiterSnapshot {
        self.transport.limiter().snapshot()
    }

    fn priority_or(&self, default: Priority) -> Priority {
        self.priority.unwrap_or(default)
    }

    pub(crate) async fn get_raw(
        &self,
        segments: &[&str],
        query: &Query,
        default: Priority,
        target: Target,
    ) -> Result<RawDocument, Error> {
        let reply = self
            .transport
            .send(Request {
                method: Method::GET,
                segments,
                query: query.pairs(),
                body: None,
                priority: self.priority_or(default),
                target,
            })
            .await?;
        RawDocument::parse(&reply.body)
    }

    async fn write(
        &self,
        method: Method,
        segments: &[&str],
        body: serde_json::Value,
        default: Priority,
    ) -> Result<Reply, Error> {
        self.transport
            .send(Request {
                method,
                segments,
                query: Vec::new(),
                body: Some(body),
                priority: self.priority_or(default),
                target: Target::Record,
            })
            .await
    }

    /// Checks the connection: key, host and plan (one cheap request).
    pub async fn check(&self) -> Result<(), Error> {
        self.get_raw(
            &["payment-providers"],
            &Query::new().page_size(1),
            Priority::OrderRead,
            Target::Collection,
        )
        .await
        .map(drop)
    }

    /// Pages through any collection (`resource` like `variants`), decoding attributes as `A`.
    pub fn list<A: DeserializeOwned>(
        &self,
        resource: &str,
        query: Query,
        priority: Priority,
    ) -> Pager<A> {
        Pager::new(
            self.clone(),
            resource.to_owned(),
            query,
            self.priority_or(priority),
        )
    }

    fn list_by_id<A: DeserializeOwned>(
        &self,
        resource: &str,
        query: Query,
        priority: Priority,
    ) -> Pager<A> {
        let query = if query.has_sort() {
            query
        } else {
            query.sort("id")
        };
        self.list(resource, query, priority)
    }

    /// Fetches one record of any resource by id.
    pub async fn get<A: DeserializeOwned>(
        &self,
        resource: &str,
        id: &str,
        query: &Query,
        priority: Priority,
    ) -> Result<Single<A>, Error> {
        let doc = self
            .get_raw(&[resource, id], query, priority, Target::Record)
            .await?;
        single(doc)
    }

    /// A single-record filter lookup (`filter[email]`, `filter[url_handle]`…): `None` when
    /// nothing matches (`data: null`, an empty list or a 404).
    pub async fn find_one<A: DeserializeOwned>(
        &self,
        resource: &str,
        query: &Query,
        priority: Priority,
    ) -> Result<Option<Resource<A>>, Error> {
        match self
            .get_raw(&[resource], query, priority, Target::Collection)
            .await
        {
            Ok(doc) => Ok(doc.decode_primary::<A>()?.into_iter().next()),
            Err(Error::UnknownShop { .. }) | Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    // ---- catalogue ----

    /// Products (sorted by id unless `query` sorts).
    pub fn products(&self, query: Query) -> Pager<Product> {
        self.list_by_id("products", query, Priority::Normal)
    }

    /// One product.
    pub async fn product(&self, id: &str, query: &Query) -> Result<Single<Product>, Error> {
        self.get("products", id, query, Priority::Normal).await
    }

    /// The product with this URL handle (single-record mode).
    pub async fn product_by_url_handle(
        &self,
        handle: &str,
    ) -> Result<Option<Resource<Product>>, Error> {
        let handle = non_empty("url_handle", handle)?;
        self.find_one(
            "products",
            &Query::new().filter("url_handle", handle),
            Priority::Normal,
        )
        .await
    }

    /// Variants (sorted by id unless `query` sorts).
    pub fn variants(&self, query: Query) -> Pager<Variant> {
        self.list_by_id("variants", query, Priority::Normal)
    }

    /// One variant.
    pub async fn variant(&self, id: &str) -> Result<Resource<Variant>, Error> {
        Ok(self
            .get("variants", id, &Query::new(), Priority::Normal)
            .await?
            .resource)
    }

    /// Every variant whose SKU equals `sku` (SKU uniqueness is not guaranteed by CloudCart).
    pub async fn variants_by_sku(&self, sku: &str) -> Result<Vec<Resource<Variant>>, Error> {
        let sku = non_empty("sku", sku)?;
        self.variants(Query::new().filter("sku", sku).page_size(100))
            .collect_all()
            .await
    }

    /// PATCHes a variant's quantity and/or price; returns the updated variant. Default
    /// priority: [`Priority::StockWrite`] (use [`Client::at`] for urgent ones).
    pub async fn update_variant(
        &self,
        id: &str,
        update: &VariantUpdate,
    ) -> Result<Resource<Variant>, Error> {
        if update.quantity.is_none() && update.price.is_none() {
            return Err(Error::InvalidInput {
                field: "update",
                reason: "nothing to change".to_owned(),
            });
        }
        if update.price.is_some_and(|p| p < 0) {
            return Err(Error::InvalidInput {
                field: "price",
                reason: "a price cannot be negative".to_owned(),
            });
        }
        let body = document("variants", Some(id), update)?;
        let reply = self
            .write(Method::PATCH, &["variants", id], body, Priority::StockWrite)
            .await?;
        single(RawDocument::parse(&reply.body)?).map(|s| s.resource)
    }

    /// Variant parameters ("Size", "Colour").
    pub fn variant_parameters(&self, query: Query) -> Pager<VariantParameter> {
        self.list("variant-parameters", query, Priority::Normal)
    }

    /// Variant options ("M", "Black"); filter by `parameter_id`.
    pub fn variant_options(&self, query: Query) -> Pager<VariantOption> {
        self.list("variant-options", query, Priority::Normal)
    }

    /// Categories.
    pub fn categories(&self, query: Query) -> Pager<Category> {
        self.list_by_id("categories", query, Priority::Normal)
    }

    // ---- orders ----

    /// Orders (default priority [`Priority::OrderRead`]; sorted by id unless `query` sorts).
    pub fn orders(&self, query: Query) -> Pager<Order> {
        self.list_by_id("orders", query, Priority::OrderRead)
    }

    /// One order with whatever `query` includes.
    pub async fn order(&self, id: &str, query: &Query) -> Result<Single<Order>, Error> {
        self.get("orders", id, query, Priority::OrderRead).await
    }

    /// One order with every sub-resource of API.md §3.5, in one request.
    pub async fn full_order(&self, id: &str) -> Result<FullOrder, Error> {
        let s = self
            .order(
                id,
                &Query::new().include(FULL_ORDER_INCLUDES.iter().copied()),
            )
            .await?;
        FullOrder::resolve(s.resource, &s.included)
    }

    /// Order lines of one order, with their chosen add-ons side-loaded (resolve them with
    /// `page.included.related::<OrderLineOption, _>(&line, "options")`).
    pub fn order_lines(&self, order_id: &str) -> Pager<OrderLine> {
        self.list(
            "order-products",
            Query::new()
                .filter("order_id", order_id)
                .include(["options"]),
            Priority::OrderRead,
        )
    }

    /// The `order-status` helper list (built-in and custom statuses).
    pub async fn order_statuses(&self) -> Result<Vec<OrderStatusEntry>, Error> {
        let reply = self
            .transport
            .send(Request {
                method: Method::GET,
                segments: &["order-status"],
                query: Vec::new(),
                body: None,
                priority: self.priority_or(Priority::OrderRead),
                target: Target::Collection,
            })
            .await?;
        #[derive(serde::Deserialize)]
        struct Helper {
            #[serde(default)]
            data: serde_json::Value,
        }
        let helper: Helper = serde_json::from_slice(&reply.body).map_err(|e| Error::Decode {
            path: ".".to_owned(),
            message: e.to_string(),
        })?;
        decode_value(&helper.data, "data")
    }

    /// Sets an order's status by code; when the shop rejects the `status` attribute, retries
    /// once with the numeric `status_id` from the helper list (API.md §3.4). Gateway-only
    /// codes (`voided`, `failed`, …) are refused before sending. On a real shop a status
    /// change e-mails the customer and may issue an invoice number or capture a card payment
    /// (API.md §8); call it for a decided change only.
    pub async fn set_order_status(
        &self,
        id: &str,
        status: &OrderStatus,
    ) -> Result<Resource<Order>, Error> {
        let code = non_empty("status", status.as_str())?;
        if !status.is_settable() {
            return Err(Error::InvalidInput {
                field: "status",
                reason: format!("{code:?} is set only by payment gateways"),
            });
        }
        let body = document("orders", Some(id), &serde_json::json!({ "status": code }))?;
        match self
            .write(Method::PATCH, &["orders", id], body, Priority::OrderRead)
            .await
        {
            Ok(reply) => single(RawDocument::parse(&reply.body)?).map(|s| s.resource),
            Err(Error::Validation {
                status: 422,
                problems,
            }) if problems
                .iter()
                .any(|p| p.pointer.as_deref() == Some("/data/attributes/status")) =>
            {
                let statuses = self.order_statuses().await?;
                let Some(status_id) = statuses
                    .iter()
                    .find(|s| s.slug.as_deref() == Some(code))
                    .and_then(|s| s.id)
                else {
                    return Err(Error::Validation {
                        status: 422,
                        problems,
                    });
                };
                let body = document(
                    "orders",
                    Some(id),
                    &serde_json::json!({ "status_id": status_id }),
                )?;
                let reply = self
                    .write(Method::PATCH, &["orders", id], body, Priority::OrderRead)
                    .await?;
                single(RawDocument::parse(&reply.body)?).map(|s| s.resource)
            }
            Err(e) => Err(e),
        }
    }

    /// Marks the whole order shipped with tracking data (`PATCH /orders/{id}/fulfill`). On a
    /// real shop this also issues invoice numbers, may capture an open card authorisation and
    /// e-mails the customer (API.md §3.7). Returns the updated order.
    pub async fn fulfill_order(
        &self,
        id: &str,
        fulfillment: &Fulfillment,
    ) -> Result<Resource<Order>, Error> {
        fulfillment.validate()?;
        let body = document("orders", Some(id), fulfillment)?;
        let reply = self
            .write(
                Method::PATCH,
                &["orders", id, "fulfill"],
                body,
                Priority::Normal,
            )
            .await?;
        single(RawDocument::parse(&reply.body)?).map(|s| s.resource)
    }

    // ---- customers ----

    /// Customers.
    pub fn customers(&self, query: Query) -> Pager<Customer> {
        self.list_by_id("customers", query, Priority::Normal)
    }

    /// The customer with this e-mail (single-record mode).
    pub async fn customer_by_email(
        &self,
        email: &str,
    ) -> Result<Option<Resource<Customer>>, Error> {
        let email = non_empty("email", email)?;
        self.find_one(
            "customers",
            &Query::new().filter("email", email),
            Priority::Normal,
        )
        .await
    }

    /// Customers' billing addresses (filter by `customer_id`).
    pub fn customer_billing_addresses(&self, query: Query) -> Pager<CustomerAddress> {
        self.list("customer-billing-address", query, Priority::Normal)
    }

    /// Customers' shipping addresses (filter by `customer_id`).
    pub fn customer_shipping_addresses(&self, query: Query) -> Pager<CustomerAddress> {
        self.list("customer-shipping-address", query, Priority::Normal)
    }

    // ---- providers ----

    /// Payment providers (no sort allowed by the shop).
    pub fn payment_providers(&self, query: Query) -> Pager<PaymentProvider> {
        self.list("payment-providers", query, Priority::Normal)
    }

    /// Shipping providers (no sort allowed by the shop).
    pub fn shipping_providers(&self, query: Query) -> Pager<ShippingProvider> {
        self.list("shipping-providers", query, Priority::Normal)
    }

    // ---- webhooks ----

    /// Webhook subscriptions.
    pub fn webhooks(&self, query: Query) -> Pager<Webhook> {
        self.list_by_id("webhooks", query, Priority::Normal)
    }

    /// Creates a subscription (`url` and `event` required).
    pub async fn create_webhook(&self, webhook: &WebhookWrite) -> Result<Resource<Webhook>, Error> {
        let url = webhook.url.as_deref().unwrap_or_default();
        let parsed = url::Url::parse(url).map_err(|_| Error::InvalidInput {
            field: "url",
            reason: format!("{url:?} is not an http(s) URL"),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::InvalidInput {
                field: "url",
                reason: format!("{url:?} is not an http(s) URL"),
            });
        }
        if webhook.event.is_none() {
            return Err(Error::InvalidInput {
                field: "event",
                reason: "an event is required".to_owned(),
            });
        }
        let body = document("webhooks", None, webhook)?;
        let reply = self
            .write(Method::POST, &["webhooks"], body, Priority::Normal)
            .await?;
        single(RawDocument::parse(&reply.body)?).map(|s| s.resource)
    }

    /// Updates a subscription (`request_headers`, when set, replace all headers;
    /// `api_key_id` cannot change and is refused here before sending).
    pub async fn update_webhook(
        &self,
        id: &str,
        webhook: &WebhookWrite,
    ) -> Result<Resource<Webhook>, Error> {
        if webhook.api_key_id.is_some() {
            return Err(Error::InvalidInput {
                field: "api_key_id",
                reason: "it is read-only after creation".to_owned(),
            });
        }
        let body = document("webhooks", Some(id), webhook)?;
        let reply = self
            .write(Method::PATCH, &["webhooks", id], body, Priority::Normal)
            .await?;
        single(RawDocument::parse(&reply.body)?).map(|s| s.resource)
    }

    /// Deletes a subscription.
    pub async fn delete_webhook(&self, id: &str) -> Result<(), Error> {
        self.transport
            .send(Request {
                method: Method::DELETE,
                segments: &["webhooks", id],
                query: Vec::new(),
                body: None,
                priority: self.priority_or(Priority::Normal),
                target: Target::Record,
            })
            .await
            .map(drop)
    }
}

fn non_empty<'a>(field: &'static str, value: &'a str) -> Result<&'a str, Error> {
    if value.trim().is_empty() {
        Err(Error::InvalidInput {
            field,
            reason: "it is empty".to_owned(),
        })
    } else {
        Ok(value)
    }
}

/// Builds `{"data":{"type":…,"id":…,"attributes":…}}`.
fn document<T: Serialize>(
    kind: &str,
    id: Option<&str>,
    attributes: &T,
) -> Result<serde_json::Value, Error> {
    let attributes = serde_json::to_value(attributes).map_err(|e| Error::InvalidInput {
        field: "attributes",
        reason: e.to_string(),
    })?;
    let mut data = serde_json::Map::new();
    data.insert("type".to_owned(), kind.into());
    if let Some(id) = id {
        non_empty("id", id)?;
        data.insert("id".to_owned(), id.into());
    }
    data.insert("attributes".to_owned(), attributes);
    Ok(serde_json::json!({ "data": data }))
}

fn single<A: DeserializeOwned>(doc: RawDocument) -> Result<Single<A>, Error> {
    let included = doc.included();
    match &doc.data {
        PrimaryData::One(raw) => Ok(Single {
            resource: raw.decode("data")?,
            included,
        }),
        PrimaryData::Many(_) | PrimaryData::Null => Err(Error::Decode {
            path: "data".to_owned(),
            message: "expected one resource object".to_owned(),
        }),
    }
}
