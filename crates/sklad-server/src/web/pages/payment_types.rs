//! За фирмата → Типове плащания: the firm's named payment types (SPEC S2).

use axum::extract::{Query, State};
use axum::response::Html;
use sklad_domain::model::{PaymentType, PaymentTypeInput};
use sklad_domain::ValidationErrors;

use crate::web::crud::{self, Catalogue, Saved};
use crate::web::error::WebError;
use crate::web::form::FormData;
use crate::web::labels;
use crate::web::session::Ctx;
use crate::web::view::{Cell, Fields, Table};
use crate::AppState;

/// `GET /payment-types`.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(saved): Query<Saved>,
) -> Result<Html<String>, WebError> {
    let types = state
        .store
        .payment_types(ctx.firm_id())
        .await
        .map_err(|e| ctx.fail(e))?;
    let tr = ctx.tr;
    let table = Table::new(
        tr,
        "payment-types",
        &[
            ("payment-type-name", false),
            ("payment-type-method", false),
            ("payment-type-active", false),
        ],
        types
            .iter()
            .map(|p| {
                vec![
                    Cell::link(&p.name, format!("/payment-types/{}", p.id)),
                    Cell::text(labels::method(tr, p.method)),
                    Cell::text(labels::yes_no(tr, p.active)),
                ]
            })
            .collect(),
    );
    let new = ("/payment-types/new", "payment-types-new");
    crud::short_list(&ctx, &saved, "payment-types-title", new, table)
}

/// The payment types' create and edit forms (`/payment-types/new`, `/payment-types/{id}`).
pub struct PaymentTypes;

impl Catalogue for PaymentTypes {
    type Record = PaymentType;
    type Input = PaymentTypeInput;
    const BASE: &'static str = "/payment-types";
    const NEW_TITLE: &'static str = "payment-types-new";
    const FIELD_PREFIX: &'static str = "payment-type-";
    const EDIT_TITLE: &'static str = "payment-types-edit";

    fn blank() -> FormData {
        let mut form = FormData::default();
        form.set("method", "cash");
        form.set_checked("active", true);
        form
    }

    fn form_of(payment_type: &PaymentType) -> FormData {
        let mut form = FormData::default();
        form.set("name", &payment_type.name);
        form.set("method", labels::method_key(payment_type.method));
        form.set_checked("active", payment_type.active);
        form
    }

    /// A method that is not offered is a field error.
    fn input_of(form: &mut FormData) -> Result<PaymentTypeInput, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let method = labels::PAYMENT_METHODS
            .into_iter()
            .find(|m| labels::method_key(*m) == form.get("method"))
            .unwrap_or_else(|| {
                errors.push(labels::invalid_choice("method"));
                labels::PAYMENT_METHODS[0]
            });
        let input = PaymentTypeInput {
            name: form.get("name").to_owned(),
            method,
            active: form.checked("active"),
        };
        crud::with_domain_checks(errors, input, PaymentTypeInput::validate)
    }

    fn fields(ctx: &Ctx, fields: &mut Fields<'_>) {
        let tr = ctx.tr;
        fields
            .text("name", "payment-type-name", true)
            .select("method", "payment-type-method", labels::methods(tr))
            .checkbox("active", "payment-type-active");
    }

    crud::store_calls!(payment_type, create_payment_type, update_payment_type);
}
