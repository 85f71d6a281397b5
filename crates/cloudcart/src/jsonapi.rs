//! JSON:API 1.0 documents as CloudCart sends them: primary data (one, many or null),
//! `included`, `meta.page`, relationships and linkage, plus typed decoding of attributes
//! with the offending JSON path on failure.

use crate::error::Error;
use crate::lenient::{opt_i64, scalar_text};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The type and id of a resource (`{"type": "variants", "id": "5311"}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ResourceId {
    /// The resource type, e.g. `order-products`.
    #[serde(rename = "type", deserialize_with = "scalar_text")]
    pub kind: String,
    /// The id as a string (CloudCart sends strings; numbers are accepted).
    #[serde(deserialize_with = "scalar_text")]
    pub id: String,
}

/// Relationship linkage: to-one (possibly empty) or to-many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Linkage {
    /// `"data": null` — an empty to-one relationship.
    Empty,
    /// `"data": {…}` — a to-one relationship.
    One(ResourceId),
    /// `"data": […]` — a to-many relationship.
    Many(Vec<ResourceId>),
}

impl Linkage {
    /// Every linked id (zero, one or many).
    pub fn ids(&self) -> &[ResourceId] {
        match self {
            Self::Empty => &[],
            Self::One(one) => std::slice::from_ref(one),
            Self::Many(many) => many,
        }
    }
}

impl<'de> Deserialize<'de> for Linkage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Many(Vec<ResourceId>),
            One(ResourceId),
        }
        Ok(match Option::<Raw>::deserialize(d)? {
            None => Self::Empty,
            Some(Raw::One(one)) => Self::One(one),
            Some(Raw::Many(many)) => Self::Many(many),
        })
    }
}

/// A relationship object. `data` is `None` when the server sent only links.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct Relationship {
    /// The linkage, when present.
    #[serde(default, deserialize_with = "present_linkage")]
    pub data: Option<Linkage>,
}

fn present_linkage<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Linkage>, D::Error> {
    Linkage::deserialize(d).map(Some)
}

/// A resource object whose attributes are still raw JSON.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RawResource {
    /// The resource type.
    #[serde(rename = "type", deserialize_with = "scalar_text")]
    pub kind: String,
    /// The id (string on the wire; numbers accepted).
    #[serde(deserialize_with = "scalar_text")]
    pub id: String,
    /// The attributes object (absent = empty).
    #[serde(default)]
    pub attributes: serde_json::Value,
    /// Relationships by name.
    #[serde(default)]
    pub relationships: BTreeMap<String, Relationship>,
}

impl RawResource {
    /// This resource's type and id.
    pub fn resource_id(&self) -> ResourceId {
        ResourceId {
            kind: self.kind.clone(),
            id: self.id.clone(),
        }
    }

    /// Decodes the attributes into `A`. `path` names this resource in error messages
    /// (e.g. `data[3]`).
    pub fn decode<A: DeserializeOwned>(&self, path: &str) -> Result<Resource<A>, Error> {
        let attributes = decode_value::<A>(&self.attributes, &format!("{path}.attributes"))?;
        Ok(Resource {
            kind: self.kind.clone(),
            id: self.id.clone(),
            attributes,
            relationships: self.relationships.clone(),
        })
    }
}

/// Decodes `A` from a JSON value (`null` reads as an empty object), reporting the failing
/// path prefixed with `prefix`.
pub(crate) fn decode_value<A: DeserializeOwned>(
    value: &serde_json::Value,
    prefix: &str,
) -> Result<A, Error> {
    static EMPTY: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    let value = if value.is_null() {
        EMPTY.get_or_init(|| serde_json::Value::Object(serde_json::Map::new()))
    } else {
        value
    };
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let path = if inner == "." || inner.is_empty() {
            prefix.to_owned()
        } else {
            format!("{prefix}.{inner}")
        };
        Error::Decode {
            path,
            message: e.into_inner().to_string(),
        }
    })
}

/// A resource with typed attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource<A> {
    /// The resource type.
    pub kind: String,
    /// The resource id.
    pub id: String,
    /// Typed attributes.
    pub attributes: A,
    /// Relationships by name.
    pub relationships: BTreeMap<String, Relationship>,
}

impl<A> Resource<A> {
    /// The linkage of relationship `name`, if the server sent it.
    pub fn linkage(&self, name: &str) -> Option<&Linkage> {
        self.relationships.get(name).and_then(|r| r.data.as_ref())
    }

    /// The ids linked by relationship `name` (empty when absent).
    pub fn linked_ids(&self, name: &str) -> &[ResourceId] {
        self.linkage(name).map(Linkage::ids).unwrap_or(&[])
    }
}

/// Top-level primary data: a collection, one record (single-record filter mode or a GET by
/// id), or null.
#[derive(Debug, Clone, PartialEq)]
pub enum PrimaryData {
    /// `"data": null`
    Null,
    /// `"data": {…}`
    One(Box<RawResource>),
    /// `"data": […]`
    Many(Vec<RawResource>),
}

impl<'de> Deserialize<'de> for PrimaryData {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Many(Vec<RawResource>),
            One(Box<RawResource>),
        }
        Ok(match Option::<Raw>::deserialize(d)? {
            None => Self::Null,
            Some(Raw::One(one)) => Self::One(one),
            Some(Raw::Many(many)) => Self::Many(many),
        })
    }
}

/// `meta.page` of a collection response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct PageMeta {
    /// The 1-based number of this page.
    #[serde(rename = "current-page", deserialize_with = "opt_i64")]
    pub current_page: Option<i64>,
    /// Page size in force.
    #[serde(rename = "per-page", deserialize_with = "opt_i64")]
    pub per_page: Option<i64>,
    /// 1-based position of the first row on this page.
    #[serde(deserialize_with = "opt_i64")]
    pub from: Option<i64>,
    /// 1-based position of the last row on this page.
    #[serde(deserialize_with = "opt_i64")]
    pub to: Option<i64>,
    /// Rows in the filtered result.
    #[serde(deserialize_with = "opt_i64")]
    pub total: Option<i64>,
    /// Number of the last page.
    #[serde(rename = "last-page", deserialize_with = "opt_i64")]
    pub last_page: Option<i64>,
}

/// Top-level `meta`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct Meta {
    /// Paging information (collections only).
    pub page: Option<PageMeta>,
}

/// A success document with raw resources.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RawDocument {
    /// Primary data (required: a document without `data` is not a success document).
    pub data: PrimaryData,
    /// Side-loaded resources.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub included: Vec<RawResource>,
    /// Top-level meta.
    #[serde(default, deserialize_with = "null_as_default")]
    pub meta: Meta,
}

fn null_as_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

fn null_as_default<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(
    d: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

impl RawDocument {
    /// Parses a response body; failures name the JSON path.
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        let mut de = serde_json::Deserializer::from_slice(body);
        let doc: Self = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            Error::Decode {
                path,
                message: e.into_inner().to_string(),
            }
        })?;
        de.end().map_err(|e| Error::Decode {
            path: ".".to_owned(),
            message: e.to_string(),
        })?;
        Ok(doc)
    }

    /// The primary resources as a list (one record counts as a list of one).
    pub fn primary(&self) -> &[RawResource] {
        match &self.data {
            PrimaryData::Null => &[],
            PrimaryData::One(one) => std::slice::from_ref(one.as_ref()),
            PrimaryData::Many(many) => many,
        }
    }

    /// Decodes every primary resource.
    pub fn decode_primary<A: DeserializeOwned>(&self) -> Result<Vec<Resource<A>>, Error> {
        let single = matches!(self.data, PrimaryData::One(_));
        self.primary()
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let path = if single {
                    "data".to_owned()
                } else {
                    format!("data[{i}]")
                };
                r.decode(&path)
            })
            .collect()
    }

    /// The side-loaded resources, indexed by type and id.
    pub fn included(&self) -> Included {
        Included::new(&self.included)
    }
}

/// Side-loaded resources indexed by (type, id), decoded on demand.
#[derive(Debug, Clone, Default)]
pub struct Included {
    by_id: HashMap<ResourceId, (usize, RawResource)>,
}

impl Included {
    /// Indexes a slice of included resources (first occurrence wins on duplicates).
    pub fn new(resources: &[RawResource]) -> Self {
        let mut by_id = HashMap::with_capacity(resources.len());
        for (i, r) in resources.iter().enumerate() {
            by_id
                .entry(r.resource_id())
                .or_insert_with(|| (i, r.clone()));
        }
        Self { by_id }
    }

    /// Number of distinct included resources.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether nothing was included.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The raw included resource with this type and id.
    pub fn raw(&self, id: &ResourceId) -> Option<&RawResource> {
        self.by_id.get(id).map(|(_, r)| r)
    }

    /// Decodes the included resource with this type and id, if present.
    pub fn get<A: DeserializeOwned>(&self, id: &ResourceId) -> Result<Option<Resource<A>>, Error> {
        match self.by_id.get(id) {
            None => Ok(None),
            Some((i, r)) => r.decode(&format!("included[{i}]")).map(Some),
        }
    }

    /// Decodes every included resource linked by `ids`, skipping ids that were not included.
    pub fn get_all<A: DeserializeOwned>(
        &self,
        ids: &[ResourceId],
    ) -> Result<Vec<Resource<A>>, Error> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(r) = self.get(id)? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Decodes the resources a relationship of `owner` points to.
    pub fn related<A: DeserializeOwned, O>(
        &self,
        owner: &Resource<O>,
        relationship: &str,
    ) -> Result<Vec<Resource<A>>, Error> {
        self.get_all(owner.linked_ids(relationship))
    }

    /// Decodes the single resource a to-one relationship of `owner` points to.
    pub fn related_one<A: DeserializeOwned, O>(
        &self,
        owner: &Resource<O>,
        relationship: &str,
    ) -> Result<Option<Resource<A>>, Error> {
        match owner.linked_ids(relationship).first() {
            Some(id) => self.get(id),
            None => Ok(None),
        }
    }
}

/// The `source` of a JSON:API error object.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ErrorSource {
    /// JSON pointer into the request body, e.g. `/data/attributes/qty`.
    #[serde(deserialize_with = "crate::lenient::opt_text")]
    pub pointer: Option<String>,
    /// Query parameter at fault, e.g. `page[size]`.
    #[serde(deserialize_with = "crate::lenient::opt_text")]
    pub parameter: Option<String>,
}

/// One JSON:API error object.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ApiError {
    /// HTTP status as a string.
    #[serde(deserialize_with = "crate::lenient::opt_text")]
    pub status: Option<String>,
    /// Short title.
    #[serde(deserialize_with = "crate::lenient::opt_text")]
    pub title: Option<String>,
    /// Human-readable detail.
    #[serde(deserialize_with = "crate::lenient::opt_text")]
    pub detail: Option<String>,
    /// Where the error is.
    pub source: Option<ErrorSource>,
}

/// A JSON:API error document (`{"errors": […]}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct ErrorDocument {
    /// The error objects.
    #[serde(default)]
    pub errors: Vec<ApiError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_record_mode_and_null_data_are_understood() {
        let doc = RawDocument::parse(br#"{"data":{"type":"customers","id":"5","attributes":{}}}"#)
            .unwrap();
        assert_eq!(doc.primary().len(), 1);
        assert!(matches!(doc.data, PrimaryData::One(_)));
        let doc = RawDocument::parse(br#"{"data":null}"#).unwrap();
        assert!(doc.primary().is_empty());
        let doc = RawDocument::parse(br#"{"data":[],"included":null,"meta":null}"#).unwrap();
        assert!(doc.primary().is_empty());
    }

    #[test]
    fn numeric_ids_and_linkage_shapes_are_accepted() {
        let doc = RawDocument::parse(
            br#"{"data":{"type":"orders","id":7,"relationships":{
                "payment":{"data":null},
                "products":{"data":[{"type":"order-products","id":"1"}]},
                "shipping":{"data":{"type":"order-shipping","id":2}},
                "totals":{"links":{"related":"x"}}}}}"#,
        )
        .unwrap();
        let r = &doc.primary()[0];
        assert_eq!(r.id, "7");
        assert_eq!(r.relationships["payment"].data, Some(Linkage::Empty));
        assert_eq!(
            r.relationships["products"]
                .data
                .as_ref()
                .unwrap()
                .ids()
                .len(),
            1
        );
        assert_eq!(
            r.relationships["shipping"].data.as_ref().unwrap().ids()[0].id,
            "2"
        );
        assert_eq!(r.relationships["totals"].data, None);
    }

    #[test]
    fn decode_errors_name_the_path() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct A {
            price: i64,
        }
        let doc = RawDocument::parse(
            br#"{"data":[{"type":"variants","id":"1","attributes":{"price":1}},
                         {"type":"variants","id":"2","attributes":{"price":"x"}}]}"#,
        )
        .unwrap();
        match doc.decode_primary::<A>() {
            Err(Error::Decode { path, .. }) => assert_eq!(path, "data[1].attributes.price"),
            other => panic!("unexpected {other:?}"),
        }
        match RawDocument::parse(br#"{"data":[{"type":"variants"}]}"#) {
            Err(Error::Decode { path, .. }) => assert!(path.starts_with("data"), "{path}"),
            other => panic!("unexpected {other:?}"),
        }
    }
}
