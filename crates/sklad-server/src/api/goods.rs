//! `/goods` (Стоки): codes, barcodes, eleven price columns; search and paging.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sklad_domain::model::{Good, GoodInput, GoodKind};
use sklad_domain::money::format_minor_plain;
use sklad_domain::{FieldError, Id, PriceGroup, ValidationErrors, VatRate};
use sklad_store::{GoodFilter, Page, Paging, StoreError};
use std::collections::BTreeMap;

use super::auth::Caller;
use super::decimal::DecimalText;
use super::extract::{default_true, ApiJson, PathId, PathText, QueryParams};
use super::openapi::schema::{self, input, nullable, object, one_of};
use super::routes::{ApiBuilder, Body, Endpoint, Method, Param};
use crate::error::ApiResult;
use crate::AppState;

/// The keys of the goods kinds.
const GOOD_KINDS: [&str; 2] = ["good", "service"];

/// A good as the API shows it: prices as decimal strings per price group key.
#[derive(Debug, Serialize)]
pub struct GoodView {
    id: Id,
    code: String,
    barcodes: Vec<String>,
    name: String,
    measure: String,
    kind: GoodKind,
    /// Percent: 20, 9 or 0.
    vat_rate: i64,
    group: Option<String>,
    active: bool,
    prices: BTreeMap<&'static str, String>,
}

impl From<Good> for GoodView {
    fn from(good: Good) -> Self {
        GoodView {
            id: good.id,
            code: good.code,
            barcodes: good.barcodes,
            name: good.name,
            measure: good.measure,
            kind: good.kind,
            vat_rate: good.vat_rate.percent(),
            group: good.group,
            active: good.active,
            prices: good
                .prices
                .into_iter()
                .map(|(group, minor)| (group.key(), format_minor_plain(minor)))
                .collect(),
        }
    }
}

/// Reads a VAT rate given as `20`, `"20"`, `9` or `0`.
pub fn vat_rate(field: &str, value: &DecimalText) -> Result<VatRate, FieldError> {
    value
        .0
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(VatRate::from_percent)
        .ok_or_else(|| {
            FieldError::new(
                field,
                "vat_rate_invalid",
                "Ставката на ДДС трябва да е 20, 9 или 0.",
                "The VAT rate must be 20, 9 or 0.",
            )
        })
}

/// Body of `POST /goods` and `PUT /goods/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GoodBody {
    code: String,
    #[serde(default)]
    barcodes: Vec<String>,
    name: String,
    #[serde(default = "default_measure")]
    measure: String,
    #[serde(default = "default_kind")]
    kind: GoodKind,
    vat_rate: Option<DecimalText>,
    group: Option<String>,
    #[serde(default = "default_true")]
    active: bool,
    /// Price group key → VAT-inclusive price in the firm's currency.
    #[serde(default)]
    prices: BTreeMap<String, DecimalText>,
}

fn default_measure() -> String {
    "бр.".into()
}

fn default_kind() -> GoodKind {
    GoodKind::Good
}

impl GoodBody {
    fn into_input(self) -> ApiResult<GoodInput> {
        let mut errors = ValidationErrors::new();
        let vat_rate = match &self.vat_rate {
            Some(v) => errors.check(vat_rate("vat_rate", v)),
            None => Some(VatRate::Standard),
        };
        let mut prices = BTreeMap::new();
        for (key, amount) in &self.prices {
            let field = format!("prices.{key}");
            match PriceGroup::from_key(key) {
                Some(group) => {
                    if let Some(minor) = errors.check(amount.minor(&field)) {
                        prices.insert(group, minor);
                    }
                }
                None => errors.push(FieldError::new(
                    field,
                    "price_group_unknown",
                    "Няма такава ценова група (purchase, wholesale, retail, group1 … group8).",
                    "No such price group (purchase, wholesale, retail, group1 … group8).",
                )),
            }
        }
        let input = GoodInput {
            code: self.code,
            barcodes: self.barcodes,
            name: self.name,
            measure: self.measure,
            kind: self.kind,
            vat_rate: vat_rate.unwrap_or_default(),
            group: self.group,
            active: self.active,
            prices,
        };
        // Both layers' problems are reported together.
        match input.validate() {
            Ok(valid) if errors.is_empty() => Ok(valid),
            Ok(_) => Err(errors.into()),
            Err(more) => {
                errors.errors.extend(more.errors);
                Err(errors.into())
            }
        }
    }
}

/// A page of goods.
type GoodPage = Page<GoodView>;

async fn list_goods(
    State(state): State<AppState>,
    caller: Caller,
    mut query: QueryParams,
) -> ApiResult<Json<GoodPage>> {
    let kind = query.key("kind", &GOOD_KINDS, |k| match k {
        "good" => Some(GoodKind::Good),
        "service" => Some(GoodKind::Service),
        _ => None,
    });
    let active = query.bool("active");
    let (limit, offset) = query.paging();
    let filter = GoodFilter {
        search: query.text("q"),
        kind,
        group: query.text("group"),
        active,
        paging: Paging { limit, offset },
    };
    query.finish()?;
    let page = state.store.goods(caller.firm_id, &filter).await?;
    Ok(Json(Page {
        items: page.items.into_iter().map(GoodView::from).collect(),
        total: page.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

async fn create_good(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<GoodBody>,
) -> ApiResult<(StatusCode, Json<GoodView>)> {
    let input = body.into_input()?;
    let good = state.store.create_good(caller.firm_id, &input).await?;
    Ok((StatusCode::CREATED, Json(good.into())))
}

async fn get_good(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> ApiResult<Json<GoodView>> {
    Ok(Json(state.store.good(caller.firm_id, id).await?.into()))
}

async fn update_good(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    ApiJson(body): ApiJson<GoodBody>,
) -> ApiResult<Json<GoodView>> {
    let input = body.into_input()?;
    Ok(Json(
        state
            .store
            .update_good(caller.firm_id, id, &input)
            .await?
            .into(),
    ))
}

async fn delete_good(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    state.store.delete_good(caller.firm_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn good_by_code(
    State(state): State<AppState>,
    caller: Caller,
    PathText(code): PathText,
) -> ApiResult<Json<GoodView>> {
    let code = code.trim();
    let good = match state.store.good_by_code(caller.firm_id, code).await {
        Err(StoreError::NotFound { .. }) => state.store.good_by_barcode(caller.firm_id, code).await,
        other => other,
    }?;
    Ok(Json(good.into()))
}

/// Adds `/goods`.
pub fn routes(api: ApiBuilder) -> ApiBuilder {
    use Method::*;
    let e = Endpoint::new;
    api.add(
        e(
            Get,
            "/goods",
            "listGoods",
            "goods",
            "Goods, searched and filtered, one page at a time.",
        )
        .param(Param::query(
            "q",
            "string",
            "Substring of the code, a barcode or the name (case-insensitive).",
        ))
        .param(
            Param::query("kind", "string", "`good` or `service`.")
                .accepts(|| schema::query_key(&GOOD_KINDS)),
        )
        .param(Param::query("group", "string", "The goods group."))
        .param(Param::query(
            "active",
            "boolean",
            "Only active (true) or inactive (false) goods.",
        ))
        .paged()
        .response(200, Body::Json("GoodPage")),
        list_goods,
    )
    .add(
        e(
            Post,
            "/goods",
            "createGood",
            "goods",
            "Creates a good with its barcodes and prices.",
        )
        .request(Body::Json("GoodInput"))
        .response(201, Body::Json("Good")),
        create_good,
    )
    .add(
        e(Get, "/goods/{id}", "getGood", "goods", "One good.").response(200, Body::Json("Good")),
        get_good,
    )
    .add(
        e(
            Put,
            "/goods/{id}",
            "updateGood",
            "goods",
            "Replaces a good's data, barcodes and prices.",
        )
        .request(Body::Json("GoodInput"))
        .response(200, Body::Json("Good")),
        update_good,
    )
    .add(
        e(
            Delete,
            "/goods/{id}",
            "deleteGood",
            "goods",
            "Deletes a good no operation refers to.",
        )
        .response(204, Body::Empty),
        delete_good,
    )
    .add(
        e(
            Get,
            "/goods/by-code/{code}",
            "getGoodByCode",
            "goods",
            "The good with this main code or barcode.",
        )
        .response(200, Body::Json("Good")),
        good_by_code,
    )
}

/// The schemas of this module.
pub fn schemas(out: &mut Map<String, Value>) {
    let keys = schema::price_group_keys();
    let price_props: Map<String, Value> = keys
        .iter()
        .map(|k| ((*k).to_owned(), schema::decimal("12.50")))
        .collect();
    let price_inputs: Map<String, Value> = keys
        .iter()
        .map(|k| ((*k).to_owned(), schema::decimal_input("12.50")))
        .collect();
    out.insert(
        "Good".into(),
        object(
            &[
                "id", "code", "barcodes", "name", "measure", "kind", "vat_rate", "group", "active",
                "prices",
            ],
            json!({
                "id": {"type": "integer"},
                "code": {"type": "string", "description": "Main code, unique in the firm."},
                "barcodes": {"type": "array", "items": {"type": "string"}},
                "name": {"type": "string"},
                "measure": {"type": "string", "examples": ["бр.", "кг"]},
                "kind": one_of(&["good", "service"]),
                "vat_rate": {"type": "integer", "enum": [20, 9, 0]},
                "group": nullable("string"),
                "active": {"type": "boolean"},
                "prices": {
                    "type": "object",
                    "description": "VAT-inclusive price per price group, in the firm's currency.",
                    "properties": price_props,
                    "additionalProperties": false
                }
            }),
        ),
    );
    out.insert(
        "GoodInput".into(),
        input(
            &["code", "name"],
            json!({
                "code": schema::text(64),
                "barcodes": {"type": "array", "items": {"type": "string", "pattern": "^[A-Za-z0-9-]{1,64}$"}},
                "name": schema::text(300),
                "measure": {"type": "string", "default": "бр.", "minLength": 1, "maxLength": 20, "pattern": "\\S"},
                "kind": {"type": "string", "enum": ["good", "service"], "default": "good"},
                "vat_rate": {"type": ["integer", "string", "null"], "enum": [20, 9, 0, "20", "9", "0", null], "default": 20, "description": "20 when absent or null."},
                "group": nullable("string"),
                "active": {"type": "boolean", "default": true},
                "prices": {
                    "type": "object",
                    "properties": price_inputs,
                    "additionalProperties": false
                }
            }),
        ),
    );
    out.insert("GoodPage".into(), schema::page("Good"));
}
