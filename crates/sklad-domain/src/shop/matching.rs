//! K1 „Провери съответствието“: every shop variant beside its good, with one status
//! per row (SPEC G4, K1). A variant is matched by SKU ↔ the good's main code, else by
//! its barcode ↔ any barcode of a good; a stored link (from K2) wins over both.
//!
//! [`Correspondence::of`] takes the whole shop (all variants) and the firm's goods and
//! decides every row; the statuses that need the whole picture (a barcode on two
//! variants, one good claimed by two variants, goods the shop lacks) are decided there.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

use crate::model::GoodKind;
use crate::Id;

/// The longest main code a good may have (the code of a new good is the SKU).
pub const MAX_CODE_CHARS: usize = 64;

/// One shop variant as the check sees it (a product without variants counts as one).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShopVariant {
    /// The variant's id in the shop.
    pub variant_id: String,
    /// Its product's id in the shop.
    pub product_id: String,
    /// SKU, trimmed; `None` when blank.
    pub sku: Option<String>,
    /// Barcode, trimmed; `None` when blank.
    pub barcode: Option<String>,
    /// The product's name, trimmed; `None` when blank.
    pub product_name: Option<String>,
    /// The variant's option values (`M`, `Черен`), in slot order.
    pub option_values: Vec<String>,
    /// Whether the product has a description.
    pub has_description: bool,
    /// Price, minor units of the shop's currency.
    pub price: Option<i64>,
    /// Stock in thousandths; `None` = unlimited (`quantity: null`).
    pub quantity: Option<i64>,
}

impl ShopVariant {
    /// The name a good made from this variant gets: the product's name and the option
    /// values, e.g. `Тениска „Лого“ (M, Черен)`; at most 300 characters.
    pub fn good_name(&self) -> Option<String> {
        let name = self.product_name.as_deref()?;
        let values: Vec<&str> = self
            .option_values
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        let full = if values.is_empty() {
            name.to_owned()
        } else {
            format!("{name} ({})", values.join(", "))
        };
        Some(full.chars().take(300).collect())
    }
}

/// What the check needs of a good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoodKey {
    /// The good.
    pub id: Id,
    /// Main code.
    pub code: String,
    /// Barcodes.
    pub barcodes: Vec<String>,
    /// Good or service.
    pub kind: GoodKind,
    /// Active.
    pub active: bool,
}

/// The status of one row of the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// „Вече синхронизирана“: a link between the variant and a good is stored.
    Linked,
    /// „Съвпада“: a good has this code or barcode; the import will link them.
    Matched,
    /// „Нова в магазина“: no good matches; the import will create one.
    NewInShop,
    /// „Само в склада“: an active stocked good no variant matches.
    OnlyInWarehouse,
    /// „Липсва SKU“: no SKU and no good matches the barcode.
    SkuMissing,
    /// „SKU не може да е код“: the SKU is too long for a main code.
    SkuInvalid,
    /// „Повтарящ се SKU в магазина“: another variant has the same SKU.
    DuplicateSku,
    /// „Повтарящ се баркод в магазина“: another variant has the same barcode.
    DuplicateBarcode,
    /// „Конфликт в склада“: the SKU is one good's code and another good's barcode.
    Clash,
    /// „Двусмислено“: the variant matches two goods, or a good is matched by two
    /// variants, or the match is a service.
    Ambiguous,
    /// „Липсва име“: the product has no name.
    NameMissing,
}

impl CheckStatus {
    /// Every status, in the order the summary shows them.
    pub const ALL: [CheckStatus; 11] = [
        CheckStatus::Linked,
        CheckStatus::Matched,
        CheckStatus::NewInShop,
        CheckStatus::OnlyInWarehouse,
        CheckStatus::SkuMissing,
        CheckStatus::SkuInvalid,
        CheckStatus::DuplicateSku,
        CheckStatus::DuplicateBarcode,
        CheckStatus::Clash,
        CheckStatus::Ambiguous,
        CheckStatus::NameMissing,
    ];

    /// Stable key.
    pub fn key(self) -> &'static str {
        match self {
            CheckStatus::Linked => "linked",
            CheckStatus::Matched => "matched",
            CheckStatus::NewInShop => "new_in_shop",
            CheckStatus::OnlyInWarehouse => "only_in_warehouse",
            CheckStatus::SkuMissing => "sku_missing",
            CheckStatus::SkuInvalid => "sku_invalid",
            CheckStatus::DuplicateSku => "duplicate_sku",
            CheckStatus::DuplicateBarcode => "duplicate_barcode",
            CheckStatus::Clash => "clash",
            CheckStatus::Ambiguous => "ambiguous",
            CheckStatus::NameMissing => "name_missing",
        }
    }

    /// The status with this key.
    pub fn from_key(key: &str) -> Option<CheckStatus> {
        CheckStatus::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Whether the row is a problem the merchant must fix before the import can take it.
    pub fn is_problem(self) -> bool {
        !matches!(
            self,
            CheckStatus::Linked
                | CheckStatus::Matched
                | CheckStatus::NewInShop
                | CheckStatus::OnlyInWarehouse
        )
    }
}

/// One decided row: a shop variant (or, for [`CheckStatus::OnlyInWarehouse`], a good
/// alone) with its status and the good it corresponds to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRow {
    /// Index of the variant in the input; `None` for a good the shop lacks.
    pub variant: Option<usize>,
    /// The status.
    pub status: CheckStatus,
    /// The good the row corresponds to (linked, matched, or the only-in-warehouse good);
    /// for an ambiguous row, the first good it matched.
    pub good_id: Option<Id>,
    /// The product has no description (a warning, not a status).
    pub description_missing: bool,
}

/// The goods of the firm indexed for matching, with the links already stored.
#[derive(Debug, Default)]
pub struct GoodsIndex {
    by_code: HashMap<String, Id>,
    by_barcode: HashMap<String, Id>,
    kinds: HashMap<Id, (GoodKind, bool)>,
    order: Vec<Id>,
    links: HashMap<String, Id>,
}

impl GoodsIndex {
    /// Indexes `goods`; `links` are (shop variant id, good id) pairs of the connection.
    pub fn new(goods: &[GoodKey], links: impl IntoIterator<Item = (String, Id)>) -> Self {
        let mut index = GoodsIndex::default();
        for g in goods {
            index.by_code.insert(g.code.clone(), g.id);
            for b in &g.barcodes {
                index.by_barcode.insert(b.clone(), g.id);
            }
            index.kinds.insert(g.id, (g.kind, g.active));
            index.order.push(g.id);
        }
        index.links = links
            .into_iter()
            .filter(|(_, good)| index.kinds.contains_key(good))
            .collect();
        index
    }

    /// The good with this main code.
    pub fn by_code(&self, code: &str) -> Option<Id> {
        self.by_code.get(code).copied()
    }

    /// The good with this barcode.
    pub fn by_barcode(&self, barcode: &str) -> Option<Id> {
        self.by_barcode.get(barcode).copied()
    }
}

/// The decided rows of a whole shop against the firm's goods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correspondence {
    /// One row per variant, in input order, then one per good the shop lacks (by the
    /// goods' order in the index).
    pub rows: Vec<CheckRow>,
}

impl Correspondence {
    /// Decides every row (see the module docs). Precedence of a variant's status: name
    /// missing, duplicate SKU, duplicate barcode, linked, clash, ambiguous, matched,
    /// SKU missing, SKU invalid, new in shop; then a good claimed by two variants turns
    /// the unlinked claimants ambiguous.
    pub fn of(variants: &[ShopVariant], goods: &GoodsIndex) -> Correspondence {
        let mut sku_count: HashMap<&str, u32> = HashMap::new();
        let mut barcode_count: HashMap<&str, u32> = HashMap::new();
        for v in variants {
            if let Some(s) = &v.sku {
                *sku_count.entry(s).or_default() += 1;
            }
            if let Some(b) = &v.barcode {
                *barcode_count.entry(b).or_default() += 1;
            }
        }
        let mut rows: Vec<CheckRow> = variants
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let (status, good_id) = decide(v, goods, &sku_count, &barcode_count);
                CheckRow {
                    variant: Some(i),
                    status,
                    good_id,
                    description_missing: !v.has_description,
                }
            })
            .collect();
        // A good may correspond to one variant only: a linked row keeps it, other
        // claimants become ambiguous; without a link every claimant does.
        let mut claims: HashMap<Id, Vec<usize>> = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            if matches!(row.status, CheckStatus::Linked | CheckStatus::Matched) {
                if let Some(g) = row.good_id {
                    claims.entry(g).or_default().push(i);
                }
            }
        }
        for claimants in claims.values().filter(|c| c.len() > 1) {
            let linked = claimants
                .iter()
                .any(|&i| rows[i].status == CheckStatus::Linked);
            for &i in claimants {
                if !(linked && rows[i].status == CheckStatus::Linked) {
                    rows[i].status = CheckStatus::Ambiguous;
                }
            }
        }
        // A good any variant row points at (matched, or named in a problem) is not
        // "only in the warehouse".
        let claimed: HashSet<Id> = rows.iter().filter_map(|r| r.good_id).collect();
        for id in &goods.order {
            let stocked_and_active = goods.kinds.get(id) == Some(&(GoodKind::Good, true));
            if stocked_and_active && !claimed.contains(id) {
                rows.push(CheckRow {
                    variant: None,
                    status: CheckStatus::OnlyInWarehouse,
                    good_id: Some(*id),
                    description_missing: false,
                });
            }
        }
        Correspondence { rows }
    }

    /// How many rows have each status (every status present, zero or not).
    pub fn counts(&self) -> Vec<(CheckStatus, usize)> {
        CheckStatus::ALL
            .into_iter()
            .map(|s| (s, self.rows.iter().filter(|r| r.status == s).count()))
            .collect()
    }
}

fn decide(
    v: &ShopVariant,
    goods: &GoodsIndex,
    sku_count: &HashMap<&str, u32>,
    barcode_count: &HashMap<&str, u32>,
) -> (CheckStatus, Option<Id>) {
    let sku = v.sku.as_deref();
    let by_code = sku.and_then(|s| goods.by_code(s));
    let sku_as_barcode = sku.and_then(|s| goods.by_barcode(s));
    let by_barcode = v.barcode.as_deref().and_then(|b| goods.by_barcode(b));
    let first = by_code.or(by_barcode);
    let is_service = |id: Id| {
        goods
            .kinds
            .get(&id)
            .is_some_and(|(k, _)| *k == GoodKind::Service)
    };
    if v.product_name.is_none() {
        return (CheckStatus::NameMissing, first);
    }
    if sku.is_some_and(|s| sku_count.get(s).copied().unwrap_or(0) > 1) {
        return (CheckStatus::DuplicateSku, first);
    }
    if v.barcode
        .as_deref()
        .is_some_and(|b| barcode_count.get(b).copied().unwrap_or(0) > 1)
    {
        return (CheckStatus::DuplicateBarcode, first);
    }
    if let Some(good) = goods.links.get(&v.variant_id) {
        return (CheckStatus::Linked, Some(*good));
    }
    if let (Some(a), Some(b)) = (by_code, sku_as_barcode) {
        if a != b {
            return (CheckStatus::Clash, Some(a));
        }
    }
    if let (Some(a), Some(b)) = (by_code, by_barcode) {
        if a != b {
            return (CheckStatus::Ambiguous, Some(a));
        }
    }
    if let Some(good) = first {
        if is_service(good) {
            return (CheckStatus::Ambiguous, Some(good));
        }
        return (CheckStatus::Matched, Some(good));
    }
    match sku {
        None => (CheckStatus::SkuMissing, None),
        Some(s) if s.chars().count() > MAX_CODE_CHARS || s.contains('\0') => {
            (CheckStatus::SkuInvalid, None)
        }
        Some(_) => (CheckStatus::NewInShop, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variant(id: &str, sku: Option<&str>, barcode: Option<&str>) -> ShopVariant {
        ShopVariant {
            variant_id: id.into(),
            product_id: format!("p{id}"),
            sku: sku.map(Into::into),
            barcode: barcode.map(Into::into),
            product_name: Some(format!("Продукт {id}")),
            option_values: Vec::new(),
            has_description: true,
            price: Some(1000),
            quantity: Some(5000),
        }
    }

    fn good(id: Id, code: &str, barcodes: &[&str]) -> GoodKey {
        GoodKey {
            id,
            code: code.into(),
            barcodes: barcodes.iter().map(|b| b.to_string()).collect(),
            kind: GoodKind::Good,
            active: true,
        }
    }

    fn statuses(c: &Correspondence) -> Vec<(&'static str, Option<Id>)> {
        c.rows.iter().map(|r| (r.status.key(), r.good_id)).collect()
    }

    #[test]
    fn k1_every_status_from_one_catalogue() {
        let goods = [
            good(1, "A", &["111", "112"]),
            good(2, "B", &["222", "223"]),
            good(3, "C", &["D"]), // D is C's barcode and E's code below
            good(4, "D", &[]),
            good(5, "LONELY", &[]),
            good(6, "L", &[]),
            GoodKey {
                kind: GoodKind::Service,
                ..good(7, "SRV", &[])
            },
            good(8, "TWICE", &[]),
        ];
        let mut nameless = variant("9", Some("N1"), None);
        nameless.product_name = None;
        let mut no_description = variant("12", Some("NEW2"), None);
        no_description.has_description = false;
        let variants = vec![
            variant("1", Some("A"), Some("111")), // matched by code
            variant("2", None, Some("222")),      // matched by barcode
            variant("3", Some("NEW"), None),      // new in shop
            variant("4", None, None),             // SKU missing
            variant("5", Some("DUP"), None),      // duplicate SKU
            variant("6", Some("DUP"), None),      // duplicate SKU
            variant("7", Some("X1"), Some("333")),
            variant("8", Some("X2"), Some("333")), // duplicate barcode (both)
            nameless,                              // name missing
            variant("10", Some("D"), None),        // D is good 4's code and good 3's barcode
            variant("11", Some("A2"), Some("223")), // good 2 by barcode, as variant 2
            no_description,
            variant("13", Some("L"), None), // linked below
            variant("14", Some("SRV"), None),
            variant("15", Some(&"x".repeat(65)), None),
            variant("16", Some("B"), Some("112")), // code → 2, barcode → 1: ambiguous
            variant("17", Some("TWICE"), None),
            variant("18", None, Some("TW-BC")),
        ];
        let mut goods = goods.to_vec();
        goods[7].barcodes.push("TW-BC".into());
        let index = GoodsIndex::new(&goods, [("13".to_string(), 6)]);
        let c = Correspondence::of(&variants, &index);
        assert_eq!(
            statuses(&c),
            vec![
                ("matched", Some(1)),
                ("ambiguous", Some(2)), // 2 and 11 both claim good 2
                ("new_in_shop", None),
                ("sku_missing", None),
                ("duplicate_sku", None),
                ("duplicate_sku", None),
                ("duplicate_barcode", None),
                ("duplicate_barcode", None),
                ("name_missing", None),
                ("clash", Some(4)),
                ("ambiguous", Some(2)),
                ("new_in_shop", None),
                ("linked", Some(6)),
                ("ambiguous", Some(7)),
                ("sku_invalid", None),
                ("ambiguous", Some(2)),
                ("ambiguous", Some(8)), // 17 by code and 18 by barcode claim good 8
                ("ambiguous", Some(8)),
                ("only_in_warehouse", Some(3)),
                ("only_in_warehouse", Some(5)),
            ]
        );
        assert!(c.rows[11].description_missing);
        assert!(!c.rows[0].description_missing);
        let counts: HashMap<_, _> = c.counts().into_iter().collect();
        assert_eq!(counts[&CheckStatus::OnlyInWarehouse], 2);
        assert_eq!(counts.values().sum::<usize>(), c.rows.len());
    }

    #[test]
    fn a_linked_variant_keeps_its_good_against_a_second_claimant() {
        let goods = [good(1, "A", &["111"])];
        let index = GoodsIndex::new(&goods, [("v1".to_string(), 1)]);
        let variants = [
            variant("v1", Some("OTHER"), None),
            variant("v2", Some("A"), None),
        ];
        let c = Correspondence::of(&variants, &index);
        assert_eq!(
            statuses(&c),
            vec![("linked", Some(1)), ("ambiguous", Some(1))]
        );
    }

    #[test]
    fn links_to_vanished_goods_are_ignored_and_names_carry_option_values() {
        let index = GoodsIndex::new(&[], [("v1".to_string(), 42)]);
        let mut v = variant("v1", Some("A"), None);
        v.option_values = vec!["M".into(), " ".into(), "Черен".into()];
        let c = Correspondence::of(std::slice::from_ref(&v), &index);
        assert_eq!(statuses(&c), vec![("new_in_shop", None)]);
        assert_eq!(v.good_name().unwrap(), "Продукт v1 (M, Черен)");
        for s in CheckStatus::ALL {
            assert_eq!(CheckStatus::from_key(s.key()), Some(s));
        }
    }
}
