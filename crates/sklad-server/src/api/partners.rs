//! `/partners` (Партньори): clients and suppliers with validated ЕИК and VAT number.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sklad_domain::model::{Partner, PartnerInput, PartnerRole};
use sklad_domain::PriceGroup;
use sklad_store::{Page, Paging, PartnerFilter};

use super::auth::Caller;
use super::extract::{ApiJson, PathId, QueryParams};
use super::openapi::schema::{self, input, nullable, object, one_of};
use super::routes::{ApiBuilder, Body, Endpoint, Method, Param};
use crate::error::ApiResult;
use crate::AppState;

/// The keys of the partner roles.
const PARTNER_ROLES: [&str; 3] = ["client", "supplier", "both"];

/// Body of `POST /partners` and `PUT /partners/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PartnerBody {
    name: String,
    eik: Option<String>,
    vat_number: Option<String>,
    mol: Option<String>,
    address: Option<String>,
    city: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    #[serde(default = "default_role")]
    role: PartnerRole,
    #[serde(default)]
    price_group: PriceGroup,
}

fn default_role() -> PartnerRole {
    PartnerRole::Client
}

impl PartnerBody {
    fn into_input(self) -> ApiResult<PartnerInput> {
        Ok(PartnerInput {
            name: self.name,
            eik: self.eik,
            vat_number: self.vat_number,
            mol: self.mol,
            address: self.address,
            city: self.city,
            phone: self.phone,
            email: self.email,
            role: self.role,
            price_group: self.price_group,
        }
        .validate()?)
    }
}

async fn list_partners(
    State(state): State<AppState>,
    caller: Caller,
    mut query: QueryParams,
) -> ApiResult<Json<Page<Partner>>> {
    let role = query.key("role", &PARTNER_ROLES, |k| match k {
        "client" => Some(PartnerRole::Client),
        "supplier" => Some(PartnerRole::Supplier),
        "both" => Some(PartnerRole::Both),
        _ => None,
    });
    let (limit, offset) = query.paging();
    let filter = PartnerFilter {
        search: query.text("q"),
        role,
        paging: Paging { limit, offset },
    };
    query.finish()?;
    Ok(Json(state.store.partners(caller.firm_id, &filter).await?))
}

async fn create_partner(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PartnerBody>,
) -> ApiResult<(StatusCode, Json<Partner>)> {
    let input = body.into_input()?;
    let partner = state.store.create_partner(caller.firm_id, &input).await?;
    Ok((StatusCode::CREATED, Json(partner)))
}

async fn get_partner(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> ApiResult<Json<Partner>> {
    Ok(Json(state.store.partner(caller.firm_id, id).await?))
}

async fn update_partner(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    ApiJson(body): ApiJson<PartnerBody>,
) -> ApiResult<Json<Partner>> {
    let input = body.into_input()?;
    Ok(Json(
        state
            .store
            .update_partner(caller.firm_id, id, &input)
            .await?,
    ))
}

async fn delete_partner(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    state.store.delete_partner(caller.firm_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds `/partners`.
pub fn routes(api: ApiBuilder) -> ApiBuilder {
    use Method::*;
    let e = Endpoint::new;
    api.add(
        e(
            Get,
            "/partners",
            "listPartners",
            "partners",
            "Partners, searched, one page at a time.",
        )
        .param(Param::query(
            "q",
            "string",
            "Substring of name, ЕИК, VAT number, e-mail, phone or city.",
        ))
        .param(
            Param::query("role", "string", "`client`, `supplier` or `both`.")
                .accepts(|| schema::query_key(&PARTNER_ROLES)),
        )
        .paged()
        .response(200, Body::Json("PartnerPage")),
        list_partners,
    )
    .add(
        e(
            Post,
            "/partners",
            "createPartner",
            "partners",
            "Creates a partner.",
        )
        .request(Body::Json("PartnerInput"))
        .response(201, Body::Json("Partner")),
        create_partner,
    )
    .add(
        e(
            Get,
            "/partners/{id}",
            "getPartner",
            "partners",
            "One partner.",
        )
        .response(200, Body::Json("Partner")),
        get_partner,
    )
    .add(
        e(
            Put,
            "/partners/{id}",
            "updatePartner",
            "partners",
            "Replaces a partner's data.",
        )
        .request(Body::Json("PartnerInput"))
        .response(200, Body::Json("Partner")),
        update_partner,
    )
    .add(
        e(
            Delete,
            "/partners/{id}",
            "deletePartner",
            "partners",
            "Deletes a partner no operation refers to.",
        )
        .response(204, Body::Empty),
        delete_partner,
    )
}

/// The schemas of this module.
pub fn schemas(out: &mut Map<String, Value>) {
    let roles = one_of(&["client", "supplier", "both"]);
    let groups = schema::price_group_keys();
    let fields = json!({
        "name": {"type": "string"},
        "eik": {"type": ["string", "null"], "description": "ЕИК / Булстат (9 or 13 digits), or ЕГН / ЛНЧ for a person; unique in the firm."},
        "vat_number": {"type": ["string", "null"], "description": "BG + 9 or 10 digits."},
        "mol": nullable("string"),
        "address": nullable("string"),
        "city": nullable("string"),
        "phone": nullable("string"),
        "email": nullable("string"),
        "role": roles,
        "price_group": one_of(&groups)
    });
    let mut stored = fields.clone();
    stored["id"] = json!({"type": "integer"});
    out.insert(
        "Partner".into(),
        object(
            &[
                "id",
                "name",
                "eik",
                "vat_number",
                "mol",
                "address",
                "city",
                "phone",
                "email",
                "role",
                "price_group",
            ],
            stored,
        ),
    );
    let mut typed = fields;
    typed["name"] = schema::text(300);
    out.insert("PartnerInput".into(), input(&["name"], typed));
    out.insert("PartnerPage".into(), schema::page("Partner"));
}
