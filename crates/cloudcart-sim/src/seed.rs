//! Deterministic catalogue generator: Bulgarian product names, sizes and colours, unique
//! SKUs, valid EAN-13 barcodes (prefix 380), optional deliberately broken rows.

use jiff::Timestamp;

use crate::config::BrokenCases;
use crate::store::{Category, OptionValue, Parameter, Product, Shop, Variant};

/// SplitMix64: a tiny generator whose output never changes between versions.
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    /// Seeded generator.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// A deterministic 64-character upper-case API key for a host (so examples are stable).
pub fn api_key_for(host: &str) -> String {
    let seed = host.bytes().fold(0xCBF2_9CE4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01B3)
    });
    let mut r = SplitMix::new(seed);
    (0..64)
        .map(|_| (b'A' + r.below(26) as u8) as char)
        .collect()
}

/// EAN-13 check digit of the first 12 digits.
pub fn ean13_check_digit(first12: &[u8; 12]) -> u8 {
    let sum: u32 = first12
        .iter()
        .enumerate()
        .map(|(i, d)| (*d as u32) * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// Whether `code` is a valid EAN-13 (13 digits, correct check digit).
pub fn is_valid_ean13(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() != 13 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut first = [0u8; 12];
    for (i, d) in b[..12].iter().enumerate() {
        first[i] = d - b'0';
    }
    ean13_check_digit(&first) == b[12] - b'0'
}

/// EAN-13 with Bulgarian prefix 380 for a serial number below 10^9.
pub fn ean13(serial: u64) -> String {
    let body = format!("380{:09}", serial % 1_000_000_000);
    let mut first = [0u8; 12];
    for (i, c) in body.bytes().enumerate() {
        first[i] = c - b'0';
    }
    format!("{body}{}", ean13_check_digit(&first))
}

struct Kind {
    noun: &'static str,
    code: &'static str,
    /// Second sentence of the seeded description.
    blurb: &'static str,
    category: &'static str,
    /// Index into the parameter table: 0 = size+colour, 1 = colour, 2 = weight, 3 = none.
    grid: usize,
    price: (i64, i64),
    weight: i64,
}

const KINDS: &[Kind] = &[
    Kind {
        noun: "Тениска",
        code: "TSH",
        blurb: "Памучна тениска с щампа, удобна за всеки ден.",
        category: "Тениски",
        grid: 0,
        price: (1490, 3490),
        weight: 210,
    },
    Kind {
        noun: "Суитшърт",
        code: "SWT",
        blurb: "Топъл суитшърт от мек памук с начес.",
        category: "Суитшърти",
        grid: 0,
        price: (3990, 6990),
        weight: 480,
    },
    Kind {
        noun: "Рокля",
        code: "DRS",
        blurb: "Лека лятна рокля от ленена материя.",
        category: "Рокли",
        grid: 0,
        price: (4990, 12990),
        weight: 350,
    },
    Kind {
        noun: "Чаша",
        code: "MUG",
        blurb: "Керамична чаша, подходяща за съдомиялна машина.",
        category: "Чаши",
        grid: 1,
        price: (990, 2490),
        weight: 320,
    },
    Kind {
        noun: "Кафе на зърна",
        code: "COF",
        blurb: "Прясно изпечено кафе на зърна, 100% арабика.",
        category: "Кафе",
        grid: 2,
        price: (890, 3990),
        weight: 260,
    },
    Kind {
        noun: "Мед",
        code: "HON",
        blurb: "Натурален пчелен мед от български пчелини.",
        category: "Пчелни продукти",
        grid: 2,
        price: (1190, 2990),
        weight: 400,
    },
    Kind {
        noun: "Книга",
        code: "BOK",
        blurb: "Книга с твърди корици от българско издателство.",
        category: "Книги",
        grid: 3,
        price: (1290, 3590),
        weight: 450,
    },
    Kind {
        noun: "Розово масло",
        code: "ROS",
        blurb: "Натурално розово масло от Розовата долина.",
        category: "Козметика",
        grid: 3,
        price: (1990, 8990),
        weight: 60,
    },
];

const NAMES: &[&str] = &[
    "Пирин",
    "Рила",
    "Витоша",
    "Странджа",
    "Родопи",
    "Балкан",
    "Дунав",
    "Марица",
    "Искър",
    "Тунджа",
    "Камчия",
    "Струма",
    "Мусала",
    "Вихрен",
    "Шипка",
    "Бачково",
    "Мелник",
    "Созопол",
    "Несебър",
    "Копривщица",
    "Трявна",
    "Жеравна",
    "Арбанаси",
    "Боровец",
    "Пампорово",
    "Калофер",
    "Карлово",
    "Троян",
    "Елена",
    "Котел",
];

const SIZES: &[(&str, &str)] = &[("S", "S"), ("M", "M"), ("L", "L"), ("XL", "XL")];
const COLOURS: &[(&str, &str)] = &[
    ("Черен", "BLK"),
    ("Бял", "WHT"),
    ("Червен", "RED"),
    ("Син", "BLU"),
    ("Зелен", "GRN"),
];
const WEIGHTS: &[(&str, &str, i64)] = &[
    ("250 г", "250", 260),
    ("500 г", "500", 510),
    ("1 кг", "1000", 1010),
];

/// The short Bulgarian description of a seeded product (no random draw, so adding it left
/// every other seeded value unchanged).
fn description(k: &Kind, place: &str) -> String {
    format!("{} от серията „{place}“. {}", k.noun, k.blurb)
}

fn slug(s: &str, id: u64) -> String {
    format!("p-{id}-{}", s.len())
}

/// Add `n` products (1–8 variants each) to the shop, deterministic in `seed`, plus the broken rows.
pub(crate) fn generate(shop: &mut Shop, n: usize, seed: u64, broken: BrokenCases, now: Timestamp) {
    if n == 0 {
        return;
    }
    let mut rng = SplitMix::new(seed);
    // Categories.
    let mut cat_ids = Vec::new();
    for k in KINDS {
        let id = shop.ids.allocate();
        shop.categories.insert(
            id,
            Category {
                id,
                name: k.category.into(),
                url_handle: format!("c-{}", k.code.to_lowercase()),
                created_at: now,
                updated_at: now,
            },
        );
        cat_ids.push(id);
    }
    // Parameters and options.
    let param =
        |shop: &mut Shop, name: &str, display: &str, values: Vec<&str>| -> (u64, Vec<u64>) {
            let pid = shop.ids.allocate();
            shop.parameters.insert(
                pid,
                Parameter {
                    id: pid,
                    name: name.into(),
                    display_type: display.into(),
                },
            );
            let opts = values
                .into_iter()
                .map(|v| {
                    let oid = shop.ids.allocate();
                    shop.options.insert(
                        oid,
                        OptionValue {
                            id: oid,
                            parameter_id: pid,
                            name: v.into(),
                        },
                    );
                    oid
                })
                .collect();
            (pid, opts)
        };
    let (size_p, size_o) = param(
        shop,
        "Размер",
        "select",
        SIZES.iter().map(|s| s.0).collect(),
    );
    let (col_p, col_o) = param(shop, "Цвят", "color", COLOURS.iter().map(|s| s.0).collect());
    let (w_p, w_o) = param(
        shop,
        "Грамаж",
        "radio",
        WEIGHTS.iter().map(|s| s.0).collect(),
    );
    let barcode_base = rng.below(500_000_000);
    let mut serial = 0u64;
    for i in 0..n {
        let ki = rng.below(KINDS.len() as u64) as usize;
        let k = &KINDS[ki];
        let place = NAMES[rng.below(NAMES.len() as u64) as usize];
        let name = format!("{} „{}“ №{}", k.noun, place, i + 1);
        let pid = shop.ids.allocate();
        let params = match k.grid {
            0 => vec![size_p, col_p],
            1 => vec![col_p],
            2 => vec![w_p],
            _ => vec![],
        };
        shop.products.insert(
            pid,
            Product {
                id: pid,
                name: name.clone(),
                url_handle: slug(&name, pid),
                active: true,
                draft: false,
                tracking: true,
                continue_selling: rng.below(10) == 0,
                shipping: true,
                digital: false,
                sale: false,
                new: false,
                category_id: cat_ids[ki],
                parameters: params,
                description: Some(description(k, place)),
                image_id: None,
                date_added: now,
                date_modified: now,
            },
        );
        // Variant grid.
        let combos: Vec<(Vec<u64>, String, i64)> = match k.grid {
            0 => {
                let sizes = 1 + rng.below(4) as usize;
                let colours = 1 + rng.below(2) as usize;
                let c0 = rng.below(COLOURS.len() as u64) as usize;
                let mut v = Vec::new();
                for s in 0..sizes {
                    for c in 0..colours {
                        let ci = (c0 + c) % COLOURS.len();
                        v.push((
                            vec![size_o[s], col_o[ci]],
                            format!("-{}-{}", SIZES[s].1, COLOURS[ci].1),
                            0,
                        ));
                    }
                }
                v
            }
            1 => {
                let c0 = rng.below(COLOURS.len() as u64) as usize;
                (0..1 + rng.below(3) as usize)
                    .map(|c| {
                        let ci = (c0 + c) % COLOURS.len();
                        (vec![col_o[ci]], format!("-{}", COLOURS[ci].1), 0)
                    })
                    .collect()
            }
            2 => (0..1 + rng.below(3) as usize)
                .map(|w| (vec![w_o[w]], format!("-{}", WEIGHTS[w].1), WEIGHTS[w].2))
                .collect(),
            _ => vec![(vec![], String::new(), 0)],
        };
        let base_price = k.price.0 + rng.below((k.price.1 - k.price.0) as u64 / 10) as i64 * 10;
        for (j, (options, suffix, w)) in combos.into_iter().enumerate() {
            let vid = shop.ids.allocate();
            serial += 1;
            shop.variants.insert(
                vid,
                Variant {
                    id: vid,
                    product_id: pid,
                    sku: Some(format!("{}-{:05}{}", k.code, i + 1, suffix)),
                    barcode: Some(ean13(barcode_base + serial)),
                    price: base_price + j as i64 * 100,
                    delivery_price: 0,
                    weight: if w > 0 { w } else { k.weight },
                    quantity: Some(rng.below(60) as i64 * 1000),
                    options,
                },
            );
        }
    }
    // Broken rows, applied to the first rows deterministically.
    let vids: Vec<u64> = shop.variants.keys().copied().collect();
    for vid in vids.iter().take(broken.missing_sku) {
        if let Some(v) = shop.variants.get_mut(vid) {
            v.sku = None;
        }
    }
    for (i, vid) in vids.iter().rev().take(broken.duplicate_barcode).enumerate() {
        let dup = vids
            .get(broken.missing_sku + i)
            .and_then(|id| shop.variants.get(id))
            .and_then(|v| v.barcode.clone());
        if let (Some(v), Some(b)) = (shop.variants.get_mut(vid), dup) {
            v.barcode = Some(b);
        }
    }
    let pids: Vec<u64> = shop.products.keys().copied().collect();
    for pid in pids.iter().rev().take(broken.missing_name) {
        if let Some(p) = shop.products.get_mut(pid) {
            p.name = String::new();
        }
    }
    for pid in pids.iter().take(broken.missing_description) {
        if let Some(p) = shop.products.get_mut(pid) {
            p.description = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ean13_known_value_and_generated_codes_are_valid() {
        assert!(is_valid_ean13("4006381333931"));
        assert!(!is_valid_ean13("4006381333932"));
        assert!(!is_valid_ean13("40063813339"));
        for s in [0, 1, 999_999_999, 123_456_789] {
            assert!(is_valid_ean13(&ean13(s)));
        }
    }

    #[test]
    fn api_key_is_64_upper_case_and_stable() {
        let k = api_key_for("shop.localhost");
        assert_eq!(k.len(), 64);
        assert!(k.bytes().all(|b| b.is_ascii_uppercase()));
        assert_eq!(k, api_key_for("shop.localhost"));
        assert_ne!(k, api_key_for("other.localhost"));
    }
}
