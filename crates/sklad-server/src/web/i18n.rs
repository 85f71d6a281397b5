//! The pages' texts: Fluent catalogues `locales/{bg,en}/main.ftl`, embedded in the
//! binary. Bulgarian is the default; English is chosen per user.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use sklad_domain::FieldError;

/// The Bulgarian catalogue.
pub const CATALOGUE_BG: &str = include_str!("../../locales/bg/main.ftl");
/// The English catalogue.
pub const CATALOGUE_EN: &str = include_str!("../../locales/en/main.ftl");

/// A language the pages speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Български (default).
    #[default]
    Bg,
    /// English.
    En,
}

impl Lang {
    /// Both languages, Bulgarian first.
    pub const ALL: [Lang; 2] = [Lang::Bg, Lang::En];

    /// `bg` or `en`, as stored on the user.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Bg => "bg",
            Lang::En => "en",
        }
    }

    /// The language of a stored code; anything unknown is Bulgarian.
    pub fn from_code(code: &str) -> Lang {
        if code.trim().eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Bg
        }
    }
}

type Bundle = FluentBundle<FluentResource>;

fn build(lang: &str, source: &'static str) -> Bundle {
    let id = lang.parse().unwrap_or_default();
    let mut bundle = Bundle::new_concurrent(vec![id]);
    bundle.set_use_isolating(false);
    let resource = match FluentResource::try_new(source.to_owned()) {
        Ok(resource) => resource,
        // A syntax error in an embedded catalogue is caught by the unit tests; keep the
        // parts that did parse rather than failing every page.
        Err((resource, _)) => resource,
    };
    // Duplicate ids are likewise caught by the tests; the first one wins.
    let _ = bundle.add_resource(resource);
    bundle
}

static BG: LazyLock<Bundle> = LazyLock::new(|| build("bg", CATALOGUE_BG));
static EN: LazyLock<Bundle> = LazyLock::new(|| build("en", CATALOGUE_EN));

/// Translator for one language: `tr.t("menu-goods")`.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    lang: Lang,
}

impl Tr {
    /// The translator of `lang`.
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// The language translated into.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    fn bundle(&self) -> &'static Bundle {
        match self.lang {
            Lang::Bg => &BG,
            Lang::En => &EN,
        }
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> String {
        let bundle = self.bundle();
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    /// The text of message `id`; the id itself when the catalogue lacks it (tests make
    /// sure none is missing).
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The text of message `id` with one named argument.
    pub fn t1(&self, id: &str, name: &str, value: &str) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(value));
        self.format(id, Some(&args))
    }

    /// The text of message `id` with several named arguments.
    pub fn ta(&self, id: &str, named: &[(&str, &str)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in named {
            args.set(*name, FluentValue::from(*value));
        }
        self.format(id, Some(&args))
    }

    /// The text of message `id` with counts: numbers, so that the catalogue can pick
    /// the word's form by the count (`{ $n -> [one] … *[other] … }`).
    pub fn tn(&self, id: &str, counts: &[(&str, i64)]) -> String {
        let mut args = FluentArgs::new();
        for (name, count) in counts {
            args.set(*name, FluentValue::from(*count));
        }
        self.format(id, Some(&args))
    }

    /// Whether the catalogue has message `id` (for ids built from stable keys).
    pub fn has(&self, id: &str) -> bool {
        self.bundle()
            .get_message(id)
            .is_some_and(|m| m.value().is_some())
    }

    /// The text of the message `{prefix}-{key}` (underscores and dots of `key` as
    /// dashes), or `key` itself when the catalogue has none (a key newer than the
    /// catalogue).
    pub fn keyed(&self, prefix: &str, key: &str) -> String {
        let id = format!("{prefix}-{}", key.replace(['_', '.'], "-"));
        if self.has(&id) {
            self.t(&id)
        } else {
            key.to_owned()
        }
    }

    /// The text in this language of a pair of texts (Bulgarian, English).
    pub fn pick<'a>(&self, bg: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Bg => bg,
            Lang::En => en,
        }
    }

    /// A domain error's message in this language.
    pub fn field_error(&self, error: &FieldError) -> String {
        match self.lang {
            Lang::Bg => error.message_bg.clone(),
            Lang::En => error.message_en.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ids(source: &str) -> BTreeSet<String> {
        let resource = FluentResource::try_new(source.to_owned()).expect("catalogue parses");
        resource
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn x6_both_catalogues_parse_and_have_the_same_messages() {
        let bg = ids(CATALOGUE_BG);
        let en = ids(CATALOGUE_EN);
        let only_bg: Vec<_> = bg.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&bg).collect();
        assert!(only_bg.is_empty(), "missing in en: {only_bg:?}");
        assert!(only_en.is_empty(), "missing in bg: {only_en:?}");
        assert!(bg.len() > 50);
    }

    /// A count picks the word's form in both languages (1 вариант, 2 варианта).
    #[test]
    fn x6_counts_pick_the_form_of_the_word() {
        let bg = Tr::new(Lang::Bg);
        let value = |tr: Tr, pushes: i64, calls: i64| {
            tr.tn(
                "shops-push-last-hour-value",
                &[("pushes", pushes), ("calls", calls)],
            )
        };
        assert_eq!(value(bg, 1, 1), "1 вариант (1 заявка)");
        assert_eq!(value(bg, 2, 1), "2 варианта (1 заявка)");
        assert_eq!(value(bg, 0, 5), "0 варианта (5 заявки)");
        assert_eq!(value(bg, 1500, 21), "1500 варианта (21 заявки)");
        let en = Tr::new(Lang::En);
        assert_eq!(value(en, 1, 2), "1 variant (2 requests)");
        assert_eq!(
            bg.tn("totp-on", &[("codes", 1)]),
            "Двуфакторното влизане е включено. Остава 1 код за възстановяване."
        );
        assert_eq!(
            en.tn("login-throttled", &[("seconds", 1)]),
            "Too many failed attempts. Try again in 1 second."
        );
    }

    /// Every `t("…")` / `t1("…"` used in templates and web code names a message of the
    /// catalogue, so no page ever shows a raw id.
    #[test]
    fn every_used_message_exists() {
        let known = ids(CATALOGUE_BG);
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["templates", "src/web", "src/web/pages"] {
            for entry in std::fs::read_dir(root.join(dir)).expect("dir") {
                let path = entry.expect("entry").path();
                // This file names ids in its own tests on purpose.
                if path.is_file() && !path.ends_with("i18n.rs") {
                    files.push(path);
                }
            }
        }
        let mut missing = Vec::new();
        // First argument is a message id: tr.t("…"), page.t1("…", …), ctx.page("…").
        let first = [".t(\"", ".t1(\"", ".ta(\"", ".tn(\"", ".page(\""];
        // Second argument is a label id: fields.text("name", "…", …).
        let second = [".text(\"", ".select(\"", ".checkbox(\"", ".input(\""];
        for path in files {
            let text = std::fs::read_to_string(&path).expect("read");
            let mut used = Vec::new();
            for marker in first {
                for (pos, _) in text.match_indices(marker) {
                    used.push(&text[pos + marker.len()..]);
                }
            }
            for marker in second {
                for (pos, _) in text.match_indices(marker) {
                    let rest = &text[pos + marker.len()..];
                    if let Some(comma) = rest.find("\", \"") {
                        if !rest[..comma].contains('\n') {
                            used.push(&rest[comma + 4..]);
                        }
                    }
                }
            }
            for rest in used {
                let Some(end) = rest.find('"') else { continue };
                let id = &rest[..end];
                if !known.contains(id) {
                    missing.push(format!("{}: {id}", path.display()));
                }
            }
        }
        assert!(missing.is_empty(), "unknown message ids: {missing:#?}");
    }

    /// Any literal in the web code shaped like a message id (`word-word`, starting like
    /// a catalogue id) must be one, so ids passed around as values are checked too.
    #[test]
    fn every_id_shaped_literal_in_web_code_is_a_message() {
        let known = ids(CATALOGUE_BG);
        let prefixes: BTreeSet<&str> = known.iter().filter_map(|i| i.split('-').next()).collect();
        // HTML ids and header values that merely look like message ids.
        let not_messages = [
            "no-store",
            "price-groups",
            "payment-types",
            "total-net",
            "total-vat",
            "total-gross",
            "total-other",
        ];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        for dir in ["src/web", "src/web/pages"] {
            for entry in std::fs::read_dir(root.join(dir)).expect("dir") {
                let path = entry.expect("entry").path();
                if !path.is_file() || path.ends_with("i18n.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("read");
                for literal in text.split('"').skip(1).step_by(2) {
                    let shaped = literal.contains('-')
                        && literal.split('-').all(|part| {
                            !part.is_empty()
                                && part
                                    .chars()
                                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                        });
                    let prefix = literal.split('-').next().unwrap_or_default();
                    if shaped
                        && prefixes.contains(prefix)
                        && !known.contains(literal)
                        && !not_messages.contains(&literal)
                    {
                        missing.push(format!("{}: {literal}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "unknown message ids: {missing:#?}");
    }

    #[test]
    fn translates_with_arguments_and_falls_back_to_the_id() {
        let bg = Tr::new(Lang::Bg);
        let en = Tr::new(Lang::En);
        assert_eq!(bg.t("menu-goods"), "Стоки");
        assert_eq!(en.t("menu-goods"), "Goods");
        assert_eq!(en.t1("page-of", "page", "3"), "Page 3");
        assert_eq!(bg.t("no-such-message"), "no-such-message");
        assert_eq!(Lang::from_code("EN"), Lang::En);
        assert_eq!(Lang::from_code("fr"), Lang::Bg);
    }
}
