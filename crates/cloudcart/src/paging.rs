//! Paging through a collection with `page[size]=100`, page after page, de-duplicating rows
//! that shift between pages (offset paging, API.md §1.5).

use crate::client::Client;
use crate::error::Error;
use crate::jsonapi::{Included, PageMeta, PrimaryData, Resource};
use crate::limiter::Priority;
use crate::query::{Query, MAX_PAGE_SIZE};
use crate::transport::Target;
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::marker::PhantomData;

/// Stop after this many pages whatever the shop says (10 million rows at 100 per page).
pub const MAX_PAGES: u32 = 100_000;

/// One page of a collection.
#[derive(Debug, Clone)]
pub struct Page<A> {
    /// The rows not seen on an earlier page.
    pub items: Vec<Resource<A>>,
    /// Side-loaded resources of this page.
    pub included: Included,
    /// `meta.page`, when sent.
    pub meta: Option<PageMeta>,
}

/// Walks a collection page by page: `while let Some(page) = pager.next_page().await? {…}`.
#[derive(Debug)]
pub struct Pager<A> {
    client: Client,
    resource: String,
    query: Query,
    priority: Priority,
    next: Option<u32>,
    seen: HashSet<String>,
    _rows: PhantomData<fn() -> A>,
}

impl<A: DeserializeOwned> Pager<A> {
    pub(crate) fn new(client: Client, resource: String, query: Query, priority: Priority) -> Self {
        Self {
            client,
            resource,
            query,
            priority,
            next: Some(1),
            seen: HashSet::new(),
            _rows: PhantomData,
        }
    }

    /// Sets the page size (default 100, the maximum).
    pub fn page_size(mut self, size: u32) -> Self {
        self.query = self.query.page_size(size);
        self
    }

    /// The next page, or `None` after the last one.
    pub async fn next_page(&mut self) -> Result<Option<Page<A>>, Error> {
        let Some(number) = self.next else {
            return Ok(None);
        };
        if number > MAX_PAGES {
            self.next = None;
            return Ok(None);
        }
        let size = self.query.explicit_page_size().unwrap_or(MAX_PAGE_SIZE);
        let query = self.query.clone().page(number).page_size(size);
        let doc = self
            .client
            .get_raw(
                &[self.resource.as_str()],
                &query,
                self.priority,
                Target::Collection,
            )
            .await?;
        let rows = doc.decode_primary::<A>()?;
        let meta = doc.meta.page;
        self.next = match (&doc.data, meta) {
            (PrimaryData::One(_) | PrimaryData::Null, _) => None,
            (PrimaryData::Many(_), _) if rows.is_empty() => None,
            (
                _,
                Some(PageMeta {
                    current_page: Some(current),
                    last_page: Some(last),
                    ..
                }),
            ) => (current < last).then_some(number + 1),
            _ => (rows.len() >= size as usize).then_some(number + 1),
        };
        if rows.is_empty() {
            return Ok(None);
        }
        let items = rows
            .into_iter()
            .filter(|r| self.seen.insert(format!("{}/{}", r.kind, r.id)))
            .collect();
        Ok(Some(Page {
            items,
            included: doc.included(),
            meta,
        }))
    }

    /// Every row of every page.
    pub async fn collect_all(mut self) -> Result<Vec<Resource<A>>, Error> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page().await? {
            all.extend(page.items);
        }
        Ok(all)
    }
}
