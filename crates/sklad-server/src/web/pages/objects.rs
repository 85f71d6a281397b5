//! Номенклатури → Обекти: shops and warehouses.

use axum::extract::{Query, State};
use axum::response::Html;
use sklad_domain::model::{Object, ObjectInput, ObjectKind};
use sklad_domain::{PriceGroup, ValidationErrors};

use crate::web::crud::{self, Catalogue, Saved};
use crate::web::error::WebError;
use crate::web::form::FormData;
use crate::web::labels;
use crate::web::session::Ctx;
use crate::web::view::{Cell, Fields, Table};
use crate::AppState;

/// `GET /objects`.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(saved): Query<Saved>,
) -> Result<Html<String>, WebError> {
    let objects = state
        .store
        .objects(ctx.firm_id())
        .await
        .map_err(|e| ctx.fail(e))?;
    let tr = ctx.tr;
    let table = Table::new(
        tr,
        "objects",
        &[
            ("object-name", false),
            ("object-kind", false),
            ("object-price-group", false),
            ("object-active", false),
        ],
        objects
            .iter()
            .map(|o| {
                vec![
                    Cell::link(&o.name, format!("/objects/{}", o.id)),
                    Cell::text(labels::object_kind(tr, o.kind)),
                    Cell::text(labels::price_group(ctx.lang(), o.price_group)),
                    Cell::text(labels::yes_no(tr, o.active)),
                ]
            })
            .collect(),
    );
    let new = ("/objects/new", "objects-new");
    crud::short_list(&ctx, &saved, "objects-title", new, table)
}

/// The objects' create and edit forms (`/objects/new`, `/objects/{id}`).
pub struct Objects;

impl Catalogue for Objects {
    type Record = Object;
    type Input = ObjectInput;
    const BASE: &'static str = "/objects";
    const NEW_TITLE: &'static str = "objects-new";
    const FIELD_PREFIX: &'static str = "object-";
    const EDIT_TITLE: &'static str = "objects-edit";

    fn blank() -> FormData {
        let mut form = FormData::default();
        form.set("kind", "warehouse");
        form.set("price_group", PriceGroup::Retail.key());
        form.set_checked("active", true);
        form
    }

    fn form_of(object: &Object) -> FormData {
        let mut form = FormData::default();
        form.set("name", &object.name);
        form.set("kind", labels::object_kind_key(object.kind));
        form.set("price_group", object.price_group.key());
        form.set_checked("active", object.active);
        form
    }

    /// Choices that are not offered are field errors.
    fn input_of(form: &mut FormData) -> Result<ObjectInput, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let kind = match form.get("kind") {
            "shop" => ObjectKind::Shop,
            "warehouse" => ObjectKind::Warehouse,
            _ => {
                errors.push(labels::invalid_choice("kind"));
                ObjectKind::Warehouse
            }
        };
        let price_group = PriceGroup::from_key(form.get("price_group")).unwrap_or_else(|| {
            errors.push(labels::invalid_choice("price_group"));
            PriceGroup::Retail
        });
        let input = ObjectInput {
            name: form.get("name").to_owned(),
            kind,
            price_group,
            active: form.checked("active"),
        };
        crud::with_domain_checks(errors, input, ObjectInput::validate)
    }

    fn fields(ctx: &Ctx, fields: &mut Fields<'_>) {
        let tr = ctx.tr;
        fields
            .text("name", "object-name", true)
            .select("kind", "object-kind", labels::object_kinds(tr))
            .select(
                "price_group",
                "object-price-group",
                labels::selling_groups(ctx.lang()),
            )
            .checkbox("active", "object-active");
    }

    crud::store_calls!(object, create_object, update_object);
}
