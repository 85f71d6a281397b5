//! The generic screens: a record's form and a filtered, paged list.

use askama::Template;

use super::layout::Page;
use super::view::{Field, Pager, Table};

/// A record's create/edit form (`record_form.html`).
#[derive(Template)]
#[template(path = "record_form.html")]
pub struct RecordForm {
    /// Layout.
    pub page: Page,
    /// Where the form posts.
    pub action: String,
    /// Where „Отказ“ leads.
    pub back: String,
    /// The fields.
    pub fields: Vec<Field>,
    /// Errors not tied to a shown field, plus the general "form has errors" line.
    pub alerts: Vec<String>,
}

/// A list with filters, a „Нов …“ button, a table and a pager (`record_list.html`).
#[derive(Template)]
#[template(path = "record_list.html")]
pub struct RecordList {
    /// Layout.
    pub page: Page,
    /// A line under the title.
    pub intro: Option<String>,
    /// Filter fields (GET form).
    pub filters: Vec<Field>,
    /// (href, label) of the create button.
    pub new_link: Option<(String, String)>,
    /// The records.
    pub table: Table,
    /// Paging, for long lists.
    pub pager: Option<Pager>,
    /// The firm's e-shop connections (id, name): the goods list offers the CloudCart
    /// control panel of each under its title (one button, or a chooser for several).
    pub shop_panels: Vec<(sklad_domain::Id, String)>,
    /// Links under the title: (href, label, element id).
    pub links: Vec<(String, String, &'static str)>,
}

impl RecordList {
    /// A list without filters and pager.
    pub fn simple(page: Page, new_link: Option<(String, String)>, table: Table) -> Self {
        Self {
            page,
            intro: None,
            filters: Vec::new(),
            new_link,
            table,
            pager: None,
            shop_panels: Vec::new(),
            links: Vec::new(),
        }
    }

    /// A filtered, paged list.
    pub fn paged(
        page: Page,
        filters: Vec<Field>,
        new_link: Option<(String, String)>,
        table: Table,
        pager: Pager,
    ) -> Self {
        Self {
            page,
            intro: None,
            filters,
            new_link,
            table,
            pager: Some(pager),
            shop_panels: Vec::new(),
            links: Vec::new(),
        }
    }
}
