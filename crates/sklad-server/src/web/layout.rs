//! What every page shares: title, translator, the signed-in user's bar, the menu.

use sklad_domain::Id;

use super::i18n::Tr;

/// The signed-in user as the header shows them.
#[derive(Debug, Clone)]
pub struct UserBar {
    /// Name shown in the header.
    pub display_name: String,
    /// The firm the session works in.
    pub firm_id: Id,
    /// Its name.
    pub firm_name: String,
    /// Every firm the user belongs to: (id, name), for the firm switcher.
    pub firms: Vec<(Id, String)>,
    /// Whether the user owns the current firm (sees Администриране fully).
    pub is_owner: bool,
    /// How many things of the firm's shops wait for the merchant (orders needing
    /// attention, deliveries that could not be read): the header's badge.
    pub attention: i64,
    /// Alerts no owner has marked seen (owners only; 0 for operators).
    pub alerts: i64,
}

/// The layout context of one rendered page.
#[derive(Debug, Clone)]
pub struct Page {
    /// Translator of the user's language.
    pub tr: Tr,
    /// The page's title (already translated).
    pub title: String,
    /// Path of the page, to mark the current menu item.
    pub path: String,
    /// The signed-in user; `None` on the login page.
    pub user: Option<UserBar>,
    /// The session's CSRF token, for the header's forms.
    pub csrf: String,
    /// A one-line confirmation shown above the content.
    pub notice: Option<String>,
    /// The page reloads itself every 2 seconds (a job still running), without script.
    pub refresh: bool,
}

/// One menu section, e.g. Номенклатури.
#[derive(Debug, Clone)]
pub struct MenuSection {
    /// Stable id for tests and styling.
    pub id: &'static str,
    /// Translated label.
    pub label: String,
    /// Its entries.
    pub items: Vec<MenuItem>,
}

/// One menu entry.
#[derive(Debug, Clone)]
pub struct MenuItem {
    /// Translated label.
    pub label: String,
    /// Where it leads.
    pub href: &'static str,
    /// Whether it is the page shown.
    pub current: bool,
}

/// An entry of [`MENU`]: message id, link, owner only.
struct Entry {
    key: &'static str,
    href: &'static str,
    owner_only: bool,
}

const fn entry(key: &'static str, href: &'static str) -> Entry {
    Entry {
        key,
        href,
        owner_only: false,
    }
}

const fn owner(key: &'static str, href: &'static str) -> Entry {
    Entry {
        key,
        href,
        owner_only: true,
    }
}

/// The menus in the seed's vocabulary.
const MENU: &[(&str, &str, &[Entry])] = &[
    (
        "nomenclatures",
        "menu-nomenclatures",
        &[
            entry("menu-goods", "/goods"),
            entry("menu-partners", "/partners"),
            entry("menu-objects", "/objects"),
        ],
    ),
    (
        "operations",
        "menu-operations",
        &[
            entry("menu-delivery", "/operations/new/delivery"),
            entry("menu-sale", "/operations/new/sale"),
            entry("menu-order", "/operations/new/order"),
            entry("menu-transfer", "/operations/new/transfer"),
            entry("menu-stock-taking", "/operations/new/stock_taking"),
            entry("menu-write-off", "/operations/new/write_off"),
            entry("menu-open-orders", "/operations?kind=order&status=active"),
            entry("menu-operation-list", "/operations"),
        ],
    ),
    ("reports", "menu-reports", &[entry("menu-stock", "/stock")]),
    (
        "firm",
        "menu-firm",
        &[
            entry("menu-payment-types", "/payment-types"),
            entry("menu-price-groups", "/price-groups"),
        ],
    ),
    (
        "admin",
        "menu-admin",
        &[
            owner("menu-users", "/users"),
            owner("menu-backup", "/backup"),
            owner("menu-alerts", "/alerts"),
            owner("menu-journal", "/journal"),
            entry("menu-shops", "/shops"),
        ],
    ),
];

impl Page {
    /// A page for a signed-in user or, with `user` `None`, a public one.
    pub fn new(tr: Tr, title: String, path: &str, user: Option<UserBar>, csrf: &str) -> Self {
        Self {
            tr,
            title,
            path: path.to_owned(),
            user,
            csrf: csrf.to_owned(),
            notice: None,
            refresh: false,
        }
    }

    /// The text of message `id` in the page's language.
    pub fn t(&self, id: &str) -> String {
        self.tr.t(id)
    }

    /// The text of message `id` with one argument.
    pub fn t1(&self, id: &str, name: &str, value: &str) -> String {
        self.tr.t1(id, name, value)
    }

    /// `bg` or `en`.
    pub fn lang_code(&self) -> &'static str {
        self.tr.lang().code()
    }

    /// The header's badge „Изисква внимание: N“, when something of the firm's shops
    /// waits for the merchant.
    pub fn attention_badge(&self) -> Option<String> {
        let count = self.user.as_ref().map_or(0, |u| u.attention);
        (count > 0).then(|| self.tr.t1("attention-badge", "count", &count.to_string()))
    }

    /// The header's badge „Сигнали: N“ for owners, when alerts wait to be seen.
    pub fn alerts_badge(&self) -> Option<String> {
        let count = self.user.as_ref().map_or(0, |u| u.alerts);
        (count > 0).then(|| self.tr.t1("alerts-badge", "count", &count.to_string()))
    }

    /// The menu this user may use (an operator sees neither Потребители nor
    /// Архивиране на фирма).
    pub fn menu(&self) -> Vec<MenuSection> {
        let is_owner = self.user.as_ref().is_some_and(|u| u.is_owner);
        MENU.iter()
            .map(|(id, key, entries)| MenuSection {
                id,
                label: self.tr.t(key),
                items: entries
                    .iter()
                    .filter(|e| is_owner || !e.owner_only)
                    .map(|e| MenuItem {
                        label: self.tr.t(e.key),
                        href: e.href,
                        current: self.path == e.href,
                    })
                    .collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    fn page(is_owner: bool) -> Page {
        let user = UserBar {
            display_name: "Иван".into(),
            firm_id: 1,
            firm_name: "Фирма".into(),
            firms: vec![(1, "Фирма".into())],
            is_owner,
            attention: 0,
            alerts: 0,
        };
        Page::new(Tr::new(Lang::Bg), "Стоки".into(), "/goods", Some(user), "x")
    }

    #[test]
    fn operators_do_not_see_user_administration() {
        let owner_items: Vec<_> = page(true)
            .menu()
            .into_iter()
            .flat_map(|s| s.items)
            .collect();
        let operator_items: Vec<_> = page(false)
            .menu()
            .into_iter()
            .flat_map(|s| s.items)
            .collect();
        assert!(owner_items.iter().any(|i| i.href == "/users"));
        assert!(!operator_items.iter().any(|i| i.href == "/users"));
        assert!(owner_items.iter().any(|i| i.href == "/goods" && i.current));
    }

    #[test]
    fn the_attention_badge_shows_only_a_count_above_zero() {
        let mut shown = page(false);
        assert_eq!(shown.attention_badge(), None);
        if let Some(user) = shown.user.as_mut() {
            user.attention = 3;
        }
        assert_eq!(
            shown.attention_badge().as_deref(),
            Some("Изисква внимание: 3")
        );
    }

    #[test]
    fn menus_follow_the_seed_vocabulary() {
        let labels: Vec<String> = page(true).menu().into_iter().map(|s| s.label).collect();
        assert_eq!(
            labels,
            [
                "Номенклатури",
                "Операции",
                "Справки",
                "За фирмата",
                "Администриране"
            ]
        );
    }
}
