//! `/objects` (Обекти): the firm's shops and warehouses, full CRUD.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sklad_domain::model::{Object, ObjectInput, ObjectKind};
use sklad_domain::PriceGroup;

use super::auth::Caller;
use super::extract::{default_true, ApiJson, PathId};
use super::openapi::schema::{input, object, one_of};
use super::routes::{ApiBuilder, Body, Endpoint, Method};
use crate::error::ApiResult;
use crate::AppState;

/// Body of `POST /objects` and `PUT /objects/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ObjectBody {
    name: String,
    #[serde(default = "default_object_kind")]
    kind: ObjectKind,
    #[serde(default)]
    price_group: PriceGroup,
    #[serde(default = "default_true")]
    active: bool,
}

fn default_object_kind() -> ObjectKind {
    ObjectKind::Warehouse
}

impl ObjectBody {
    fn into_input(self) -> ApiResult<ObjectInput> {
        Ok(ObjectInput {
            name: self.name,
            kind: self.kind,
            price_group: self.price_group,
            active: self.active,
        }
        .validate()?)
    }
}

async fn list_objects(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Object>>> {
    Ok(Json(state.store.objects(caller.firm_id).await?))
}

async fn create_object(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ObjectBody>,
) -> ApiResult<(StatusCode, Json<Object>)> {
    let input = body.into_input()?;
    let object = state.store.create_object(caller.firm_id, &input).await?;
    Ok((StatusCode::CREATED, Json(object)))
}

async fn get_object(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> ApiResult<Json<Object>> {
    Ok(Json(state.store.object(caller.firm_id, id).await?))
}

async fn update_object(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    ApiJson(body): ApiJson<ObjectBody>,
) -> ApiResult<Json<Object>> {
    let input = body.into_input()?;
    Ok(Json(
        state
            .store
            .update_object(caller.firm_id, id, &input)
            .await?,
    ))
}

async fn delete_object(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    state.store.delete_object(caller.firm_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds `/objects`.
pub fn routes(api: ApiBuilder) -> ApiBuilder {
    use Method::*;
    let e = Endpoint::new;
    api.add(
        e(
            Get,
            "/objects",
            "listObjects",
            "objects",
            "The firm's objects (shops and warehouses).",
        )
        .response(200, Body::JsonList("Object")),
        list_objects,
    )
    .add(
        e(
            Post,
            "/objects",
            "createObject",
            "objects",
            "Creates an object.",
        )
        .request(Body::Json("ObjectInput"))
        .response(201, Body::Json("Object")),
        create_object,
    )
    .add(
        e(Get, "/objects/{id}", "getObject", "objects", "One object.")
            .response(200, Body::Json("Object")),
        get_object,
    )
    .add(
        e(
            Put,
            "/objects/{id}",
            "updateObject",
            "objects",
            "Replaces an object's data.",
        )
        .request(Body::Json("ObjectInput"))
        .response(200, Body::Json("Object")),
        update_object,
    )
    .add(
        e(
            Delete,
            "/objects/{id}",
            "deleteObject",
            "objects",
            "Deletes an object no operation or stock refers to.",
        )
        .response(204, Body::Empty),
        delete_object,
    )
}

/// The schemas of this module.
pub fn schemas(out: &mut Map<String, Value>) {
    let object_kinds = one_of(&["shop", "warehouse"]);
    let selling: Vec<&str> = PriceGroup::selling().map(|g| g.key()).collect();
    out.insert(
        "Object".into(),
        object(
            &["id", "name", "kind", "price_group", "active"],
            json!({
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "kind": object_kinds,
                "price_group": one_of(&selling),
                "active": {"type": "boolean"}
            }),
        ),
    );
    out.insert(
        "ObjectInput".into(),
        input(
            &["name"],
            json!({
                "name": super::openapi::schema::text(200),
                "kind": {"type": "string", "enum": ["shop", "warehouse"], "default": "warehouse"},
                "price_group": {"type": "string", "enum": selling, "default": "retail"},
                "active": {"type": "boolean", "default": true}
            }),
        ),
    );
}
