//! The create/edit scaffold of the record screens (goods, partners, objects, payment
//! types): one set of handlers, each screen says only what differs ([`Catalogue`]).
//!
//! | route | handler |
//! |---|---|
//! | `GET {BASE}/new`, `POST {BASE}/new` | [`new`], [`create`] |
//! | `GET {BASE}/{id}`, `POST {BASE}/{id}` | [`edit`], [`update`] |
//!
//! A save redirects to `{BASE}?saved=1`; a refused one shows the form again with
//! everything typed and each error beside its field.

use std::future::Future;

use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use sklad_domain::{Id, ValidationErrors};
use sklad_store::{Store, StoreError};

use super::error::{render, WebError};
use super::form::{FormData, FormErrors};
use super::layout::Page;
use super::screens::{RecordForm, RecordList};
use super::session::{Ctx, PathId, Posted};
use super::view::{Fields, Table};
use crate::AppState;

/// What one record screen adds to the scaffold.
pub trait Catalogue: Send + Sync + 'static {
    /// The stored record.
    type Record: Send;
    /// What the form is read into.
    type Input: Send + Sync;
    /// The list's path, e.g. `/objects`.
    const BASE: &'static str;
    /// Title message of the create form.
    const NEW_TITLE: &'static str;
    /// Title message of the edit form.
    const EDIT_TITLE: &'static str;

    /// The form of a new record (its defaults).
    fn blank() -> FormData;
    /// The form filled with a stored record.
    fn form_of(record: &Self::Record) -> FormData;
    /// Reads the posted form (tidying it for showing again, e.g. blank rows
    /// dropped); every field error at once.
    fn input_of(form: &mut FormData) -> Result<Self::Input, ValidationErrors>;
    /// The prefix of the form's input ids, e.g. `object-`.
    const FIELD_PREFIX: &'static str;

    /// Adds the form's fields.
    fn fields(ctx: &Ctx, fields: &mut Fields<'_>);

    /// The form's screen titled by message `title`, posting to `action`: by default
    /// [`Catalogue::fields`] in the generic `record_form.html`.
    fn screen(
        ctx: &Ctx,
        title: &str,
        action: String,
        form: &FormData,
        errors: &FormErrors,
    ) -> Result<Html<String>, WebError> {
        let mut fields = Fields::new(ctx.tr, form, errors, Self::FIELD_PREFIX);
        Self::fields(ctx, &mut fields);
        let screen = RecordForm {
            page: ctx.page(title),
            action,
            back: Self::BASE.into(),
            alerts: errors.alerts(&fields.names()),
            fields: fields.done(),
        };
        render(&screen, ctx.lang())
    }
    /// Reads record `id` of `firm`.
    fn load(
        store: &Store,
        firm: Id,
        id: Id,
    ) -> impl Future<Output = Result<Self::Record, StoreError>> + Send;
    /// Stores a new record.
    fn create(
        store: &Store,
        firm: Id,
        input: &Self::Input,
    ) -> impl Future<Output = Result<Self::Record, StoreError>> + Send;
    /// Replaces record `id`.
    fn update(
        store: &Store,
        firm: Id,
        id: Id,
        input: &Self::Input,
    ) -> impl Future<Output = Result<Self::Record, StoreError>> + Send;
}

/// The create and edit routes of `C` (its list route is the screen's own).
pub fn routes<C: Catalogue>() -> axum::Router<AppState> {
    axum::Router::new()
        .route(&format!("{}/new", C::BASE), get(new::<C>).post(create::<C>))
        .route(
            &format!("{}/{{id}}", C::BASE),
            get(edit::<C>).post(update::<C>),
        )
}

/// `GET {BASE}/new`.
pub async fn new<C: Catalogue>(ctx: Ctx) -> Result<Html<String>, WebError> {
    let action = format!("{}/new", C::BASE);
    let none = FormErrors::none(ctx.tr);
    C::screen(&ctx, C::NEW_TITLE, action, &C::blank(), &none)
}

/// `POST {BASE}/new`.
pub async fn create<C: Catalogue>(
    State(state): State<AppState>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, mut form } = posted;
    let result = match C::input_of(&mut form) {
        Ok(input) => C::create(&state.store, ctx.firm_id(), &input).await,
        Err(errors) => Err(StoreError::Validation(errors)),
    };
    let action = format!("{}/new", C::BASE);
    saved_or_form(
        &ctx,
        result,
        |_| saved_link::<C>(),
        |errors| C::screen(&ctx, C::NEW_TITLE, action, &form, &errors),
    )
}

/// `GET {BASE}/{id}`.
pub async fn edit<C: Catalogue>(
    State(state): State<AppState>,
    ctx: Ctx,
    PathId(id): PathId,
) -> Result<Html<String>, WebError> {
    let record = C::load(&state.store, ctx.firm_id(), id)
        .await
        .map_err(|e| ctx.fail(e))?;
    let action = format!("{}/{id}", C::BASE);
    let none = FormErrors::none(ctx.tr);
    C::screen(&ctx, C::EDIT_TITLE, action, &C::form_of(&record), &none)
}

/// `POST {BASE}/{id}`.
pub async fn update<C: Catalogue>(
    State(state): State<AppState>,
    PathId(id): PathId,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, mut form } = posted;
    let result = match C::input_of(&mut form) {
        Ok(input) => C::update(&state.store, ctx.firm_id(), id, &input).await,
        Err(errors) => Err(StoreError::Validation(errors)),
    };
    let action = format!("{}/{id}", C::BASE);
    saved_or_form(
        &ctx,
        result,
        |_| saved_link::<C>(),
        |errors| C::screen(&ctx, C::EDIT_TITLE, action, &form, &errors),
    )
}

fn saved_link<C: Catalogue>() -> String {
    format!("{}?saved=1", C::BASE)
}

/// The end of a form post: a redirect to `saved(record)` when stored; the form again
/// (drawn by `form` with the errors beside their fields) when refused; any other
/// failure is an error page.
pub fn saved_or_form<T>(
    ctx: &Ctx,
    result: Result<T, StoreError>,
    saved: impl FnOnce(T) -> String,
    form: impl FnOnce(FormErrors) -> Result<Html<String>, WebError>,
) -> Result<Response, WebError> {
    match result {
        Ok(record) => Ok(Redirect::to(&saved(record)).into_response()),
        Err(StoreError::Validation(errors)) => {
            Ok(form(FormErrors::new(ctx.tr, errors.errors))?.into_response())
        }
        Err(other) => Err(ctx.fail(other)),
    }
}

/// A form of the signed-in user's own account posting to `action`: `fields`, the
/// errors above them, and `notice` (after a save).
pub fn account_form(
    ctx: &Ctx,
    title_key: &str,
    action: &str,
    errors: &FormErrors,
    mut fields: Fields,
    notice: Option<String>,
) -> Result<Html<String>, WebError> {
    let mut page = ctx.page(title_key);
    page.notice = notice;
    let screen = RecordForm {
        page,
        action: action.into(),
        back: "/".into(),
        alerts: errors.alerts(&fields.names()),
        fields: fields.done(),
    };
    render(&screen, ctx.lang())
}

/// `input` with `errors` and then the domain's own checks (`validate`) added, so
/// every error of a form shows at once.
pub fn with_domain_checks<T, V>(
    mut errors: ValidationErrors,
    input: T,
    validate: impl FnOnce(&T) -> Result<V, ValidationErrors>,
) -> Result<T, ValidationErrors> {
    if let Err(more) = validate(&input) {
        errors.errors.extend(more.errors);
    }
    errors.into_result(input)
}

/// The [`Catalogue`] store calls of a screen, `load`, `create` and `update`, each
/// the [`Store`] method named: `crud::store_calls!(object, create_object, update_object);`.
macro_rules! store_calls {
    ($load:ident, $create:ident, $update:ident) => {
        async fn load(
            store: &sklad_store::Store,
            firm: sklad_domain::Id,
            id: sklad_domain::Id,
        ) -> Result<Self::Record, sklad_store::StoreError> {
            store.$load(firm, id).await
        }

        async fn create(
            store: &sklad_store::Store,
            firm: sklad_domain::Id,
            input: &Self::Input,
        ) -> Result<Self::Record, sklad_store::StoreError> {
            store.$create(firm, input).await
        }

        async fn update(
            store: &sklad_store::Store,
            firm: sklad_domain::Id,
            id: sklad_domain::Id,
            input: &Self::Input,
        ) -> Result<Self::Record, sklad_store::StoreError> {
            store.$update(firm, id, input).await
        }
    };
}
pub(crate) use store_calls;

/// `?saved=1`, set by the redirect after a save.
#[derive(Debug, Default, Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

impl Saved {
    /// Whether the page follows a save.
    pub fn is_saved(&self) -> bool {
        self.saved.is_some()
    }
}

/// The layout of a list titled by message `title_key`, with „Записано.“ after a save.
pub fn list_page(ctx: &Ctx, title_key: &str, saved: bool) -> Page {
    let mut page = ctx.page(title_key);
    page.notice = saved.then(|| ctx.tr.t("saved"));
    page
}

/// A short list (no filters, no paging) with its „Нов …“ button: (link, message).
pub fn short_list(
    ctx: &Ctx,
    saved: &Saved,
    title_key: &str,
    (new_href, new_key): (&str, &str),
    table: Table,
) -> Result<Html<String>, WebError> {
    let page = list_page(ctx, title_key, saved.saved.is_some());
    let new = Some((new_href.to_owned(), ctx.tr.t(new_key)));
    render(&RecordList::simple(page, new, table), ctx.lang())
}
