//! Номенклатури → Партньори: clients and suppliers, ЕИК validated inline.

use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;
use sklad_domain::model::{Partner, PartnerInput, PartnerRole};
use sklad_domain::{PriceGroup, ValidationErrors};
use sklad_store::PartnerFilter;

use crate::web::crud::{self, Catalogue};
use crate::web::error::{render, WebError};
use crate::web::form::FormData;
use crate::web::labels;
use crate::web::screens::RecordList;
use crate::web::session::Ctx;
use crate::web::view::{self, Cell, Fields, FilterForm, Table};
use crate::AppState;

const PER_PAGE: i64 = 25;

const ROLES: [PartnerRole; 3] = [
    PartnerRole::Client,
    PartnerRole::Supplier,
    PartnerRole::Both,
];

fn role_of(key: &str) -> Option<PartnerRole> {
    ROLES
        .into_iter()
        .find(|r| labels::partner_role_key(*r) == key)
}

/// Query of the partners list.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    page: String,
    saved: Option<String>,
}

/// `GET /partners`.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let tr = ctx.tr;
    let page_no = view::page_number(&q.page);
    let filter = PartnerFilter {
        search: Some(q.q.trim().to_owned()).filter(|s| !s.is_empty()),
        role: role_of(&q.role),
        paging: view::page_paging(page_no, PER_PAGE),
    };
    let found = state
        .store
        .partners(ctx.firm_id(), &filter)
        .await
        .map_err(|e| ctx.fail(e))?;
    let table = Table::new(
        tr,
        "partners",
        &[
            ("partner-name", false),
            ("partner-eik", false),
            ("partner-city", false),
            ("partner-email", false),
            ("partner-role", false),
        ],
        found
            .items
            .iter()
            .map(|p| {
                vec![
                    Cell::link(&p.name, format!("/partners/{}", p.id)),
                    Cell::text(p.eik.clone().unwrap_or_default()),
                    Cell::text(p.city.clone().unwrap_or_default()),
                    Cell::text(p.email.clone().unwrap_or_default()),
                    Cell::text(labels::partner_role(tr, p.role)),
                ]
            })
            .collect(),
    );
    let asked = FilterForm::new(tr, &[("q", &q.q), ("role", &q.role)]);
    let mut filters = asked.fields();
    let mut roles = vec![(String::new(), tr.t("all"))];
    roles.extend(labels::partner_roles(tr));
    filters
        .input("q", "partners-search", "search")
        .select("role", "partner-role", roles);
    let screen = RecordList::paged(
        crud::list_page(&ctx, "partners-title", q.saved.is_some()),
        filters.done(),
        Some(("/partners/new".into(), tr.t("partners-new"))),
        table,
        asked.pager("/partners", page_no, PER_PAGE, found.total),
    );
    render(&screen, ctx.lang())
}

/// The partners' create and edit forms (`/partners/new`, `/partners/{id}`).
pub struct Partners;

impl Catalogue for Partners {
    type Record = Partner;
    type Input = PartnerInput;
    const BASE: &'static str = "/partners";
    const NEW_TITLE: &'static str = "partners-new";
    const FIELD_PREFIX: &'static str = "partner-";
    const EDIT_TITLE: &'static str = "partners-edit";

    fn blank() -> FormData {
        let mut form = FormData::default();
        form.set("role", "client");
        form.set("price_group", PriceGroup::Retail.key());
        form
    }

    fn form_of(partner: &Partner) -> FormData {
        let mut form = FormData::default();
        form.set("name", &partner.name);
        let optional = [
            ("eik", &partner.eik),
            ("vat_number", &partner.vat_number),
            ("mol", &partner.mol),
            ("address", &partner.address),
            ("city", &partner.city),
            ("phone", &partner.phone),
            ("email", &partner.email),
        ];
        for (name, value) in optional {
            form.set(name, value.clone().unwrap_or_default());
        }
        form.set("role", labels::partner_role_key(partner.role));
        form.set("price_group", partner.price_group.key());
        form
    }

    /// The ЕИК, VAT number and e-mail are checked by the domain (and again by the
    /// store, with uniqueness).
    fn input_of(form: &mut FormData) -> Result<PartnerInput, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let role = role_of(form.get("role")).unwrap_or_else(|| {
            errors.push(labels::invalid_choice("role"));
            PartnerRole::Client
        });
        let price_group = PriceGroup::from_key(form.get("price_group"))
            .filter(|g| *g != PriceGroup::Purchase)
            .unwrap_or_else(|| {
                errors.push(labels::invalid_choice("price_group"));
                PriceGroup::Retail
            });
        let input = PartnerInput {
            name: form.get("name").to_owned(),
            eik: form.opt("eik"),
            vat_number: form.opt("vat_number"),
            mol: form.opt("mol"),
            address: form.opt("address"),
            city: form.opt("city"),
            phone: form.opt("phone"),
            email: form.opt("email"),
            role,
            price_group,
        };
        crud::with_domain_checks(errors, input, PartnerInput::validate)
    }

    fn fields(ctx: &Ctx, fields: &mut Fields<'_>) {
        let tr = ctx.tr;
        fields
            .text("name", "partner-name", true)
            .wide()
            .text("eik", "partner-eik", false)
            .text("vat_number", "partner-vat", false)
            .text("mol", "partner-mol", false)
            .input("email", "partner-email", "email")
            .text("phone", "partner-phone", false)
            .text("city", "partner-city", false)
            .text("address", "partner-address", false)
            .wide()
            .select("role", "partner-role", labels::partner_roles(tr))
            .select(
                "price_group",
                "partner-price-group",
                labels::selling_groups(ctx.lang()),
            );
    }

    crud::store_calls!(partner, create_partner, update_partner);
}
