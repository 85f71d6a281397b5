//! The pages of orders from the shop over plain HTTP (reqwest, no browser), against the
//! real server (issue 8, SPEC G7, X2, X3): Чакащи поръчки and the operation view show
//! the shop order an operation came from; the needs-attention page with its count in
//! the header, „Опитай отново“ for members with the CSRF token only, the raw body of an
//! unreadable delivery shown as text; a connection's orders with their filter; another
//! firm's records not found. The records are put in place through the store.

#[path = "support/browser_support.rs"]
mod browser_support;
#[path = "support/shop_orders_fixtures.rs"]
mod fixtures;
#[path = "support/pages_http.rs"]
mod pages_http;

use browser_support::{start_server, Server, OPERATOR, OWNER};
use pages_http::{get, html, location, post, post_raw, sign_in, switch_firm};
use reqwest::StatusCode;
use sklad_store::shops::ShopConnection;

/// The connection „Магазин А“ of the demo firm.
async fn shop_a(server: &Server) -> ShopConnection {
    fixtures::connection(
        &server.store,
        server.firm_id,
        "Магазин А",
        "shop-a.example.bg",
    )
    .await
}

/// The page with numeric character references of `<`, `>` and `"` written as names,
/// so escaped text can be compared however the template engine spells it.
fn unescaped_names(html: &str) -> String {
    html.replace("&#60;", "&lt;")
        .replace("&#62;", "&gt;")
        .replace("&#34;", "&quot;")
}

/// The header's badge, if shown.
fn badge(html: &str) -> Option<String> {
    let start = html.find("id=\"attention-badge\"")?;
    let text = &html[start..];
    let open = text.find('>')? + 1;
    let close = text.find("</a>")?;
    Some(text[open..close].to_owned())
}

#[tokio::test]
async fn g7_open_orders_and_the_operation_view_show_the_shop_order() {
    let server = start_server().await;
    let store = &server.store;
    let firm = server.firm_id;
    let a = shop_a(&server).await;
    let (record, op) =
        fixtures::imported_order(store, firm, &a, "20417", fixtures::eik_warning()).await;
    assert_eq!(record.state, "imported");
    fixtures::attention_order(store, firm, a.id, "20418", "X-1").await;
    fixtures::waiting_order(store, firm, a.id, "20419").await;
    let owner = sign_in(&server, OWNER).await;

    // Чакащи поръчки: the shop's number (to the shop's admin) and both states.
    let open = html(&server, &owner, "/operations?kind=order&status=active").await;
    assert!(
        open.contains("href=\"https://shop-a.example.bg/admin/orders/20417\""),
        "{open}"
    );
    assert!(open.contains(">№20417</a>"), "{open}");
    assert!(open.contains("Платена · Внесена"), "{open}");
    assert!(open.contains("Поръчка от магазина"), "{open}");

    // The operation view: where it came from, its status there, the import's warnings.
    let view = html(&server, &owner, &format!("/operations/{}", op.id)).await;
    assert!(view.contains("id=\"shop-origin\""), "{view}");
    assert!(
        view.contains("От поръчка №20417 в магазин Магазин А"),
        "{view}"
    );
    assert!(view.contains("https://shop-a.example.bg/admin/orders/20417"));
    assert!(
        view.contains("id=\"shop-order-status\">Платена</dd>"),
        "{view}"
    );
    assert!(
        view.contains("id=\"shop-order-state\">Внесена</dd>"),
        "{view}"
    );
    assert!(view.contains("ЕИК „123“ е невалиден"), "{view}");
    assert!(view.contains(&format!("href=\"/shops/{}/orders\"", a.id)));

    // The sale the order converts into still shows where it came from.
    let sale = store
        .convert_order_to_sale(firm, op.id, None)
        .await
        .expect("converted");
    let view = html(&server, &owner, &format!("/operations/{}", sale.id)).await;
    assert!(
        view.contains("От поръчка №20417 в магазин Магазин А"),
        "{view}"
    );

    // An operation made by hand has no shop line.
    let hand = store
        .create_operation(firm, &{
            let mut d = op.to_draft();
            d.external_ref = None;
            d
        })
        .await
        .expect("operation by hand");
    let view = html(&server, &owner, &format!("/operations/{}", hand.id)).await;
    assert!(!view.contains("id=\"shop-origin\""));

    // The connection's orders: every state, the filter, links from the connection page.
    let list = html(&server, &owner, &format!("/shops/{}/orders", a.id)).await;
    for number in ["№20417", "№20418", "№20419"] {
        assert!(list.contains(number), "{number}: {list}");
    }
    assert!(list.contains("Чака внасяне") && list.contains("Чака вас"));
    assert!(list.contains(&format!("href=\"/operations/{}\"", op.id)));
    assert!(list.contains("Поръчки, които чакат вас: 1."), "{list}");
    assert!(list.contains("Непознат SKU „X-1“"), "{list}");
    let filtered = html(
        &server,
        &owner,
        &format!("/shops/{}/orders?state=attention", a.id),
    )
    .await;
    assert!(filtered.contains("№20418"));
    assert!(!filtered.contains("№20417") && !filtered.contains("№20419"));
    assert!(filtered.contains("<option value=\"attention\" selected>"));
    for odd in [
        "?state=%3Cscript%3E&page=-3",
        "?page=99999999999999999999",
        "?state=imported&page=2",
    ] {
        let page = html(&server, &owner, &format!("/shops/{}/orders{odd}", a.id)).await;
        assert!(!page.contains("<script>alert"), "{odd}");
    }
    let connection = html(&server, &owner, &format!("/shops/{}", a.id)).await;
    assert!(connection.contains(&format!("href=\"/shops/{}/orders\"", a.id)));
    let shops = html(&server, &owner, "/shops").await;
    assert!(shops.contains("href=\"/shops/attention\""), "{shops}");
    assert!(shops.contains(&format!("href=\"/shops/{}/orders\"", a.id)));
}

#[tokio::test]
async fn x2_x3_the_badge_counts_what_waits_and_the_page_lists_it_escaped() {
    let server = start_server().await;
    let store = &server.store;
    let firm = server.firm_id;
    let owner = sign_in(&server, OWNER).await;
    let operator = sign_in(&server, OPERATOR).await;
    assert_eq!(badge(&html(&server, &owner, "/").await), None);

    let a = shop_a(&server).await;
    fixtures::attention_order(store, firm, a.id, "20418", "X-1").await;
    fixtures::waiting_order(store, firm, a.id, "20419").await;
    let script = r#"<script>alert("x")</script>"#;
    fixtures::unreadable(store, firm, a.id, script).await;
    let long = format!("[{{\"note\":\"{}\"", "я".repeat(5000));
    fixtures::unreadable(store, firm, a.id, &long).await;
    assert_eq!(store.shop_attention_count(firm).await.expect("count"), 3);

    // Every member sees the count in the header, on every page.
    for user in [&owner, &operator] {
        for path in ["/", "/goods", "/operations"] {
            let page = html(&server, user, path).await;
            assert_eq!(
                badge(&page).as_deref(),
                Some("Изисква внимание: 3"),
                "{path}"
            );
            assert!(page.contains("href=\"/shops/attention\""));
        }
    }

    let page = html(&server, &operator, "/shops/attention").await;
    assert!(page.contains("Поръчки, които чакат вас: 1"), "{page}");
    assert!(page.contains("Непознат SKU „X-1“"), "{page}");
    assert!(page.contains("href=\"https://shop-a.example.bg/admin/orders/20418\""));
    assert!(!page.contains("№20419"), "a waiting order needs nobody yet");
    assert!(page.contains(&format!("action=\"/shops/{}/orders/20418/retry\"", a.id)));
    assert!(page.contains(&format!("action=\"/shops/{}/orders/retry\"", a.id)));
    assert!(page.contains("Магазин А — поръчки, които чакат: 1"));
    // The raw body: text inside <details>, never markup.
    assert!(page.contains("Известия, които не могат да бъдат прочетени: 2"));
    assert!(page.contains("<details class=\"raw-body\">"));
    assert!(!page.contains(script), "the body is escaped");
    assert!(
        unescaped_names(&page).contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"),
        "{page}"
    );
    assert!(page.contains(&format!(
        "Показани са първите 4096 от {} байта.",
        long.len()
    )));
    assert!(!page.contains(&"я".repeat(2100)), "cut to a few KB");
    assert!(
        page.contains("съобщението не назовава поръчка"),
        "the reason in Bulgarian"
    );

    // In English: the reason in the user's language.
    let switched = post(
        &server,
        &owner,
        "/language",
        &[("lang", "en"), ("back", "/shops/attention")],
    )
    .await;
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    let page = html(&server, &owner, "/shops/attention").await;
    assert_eq!(badge(&page).as_deref(), Some("Needs attention: 3"));
    assert!(unescaped_names(&page).contains("Unknown SKU &quot;X-1&quot;"));
    assert!(page.contains("Try all again") && page.contains("Show what was received"));
    assert!(
        page.contains("the delivery names no order"),
        "the reason in English"
    );

    // The other firm of the owner has nothing waiting.
    switch_firm(&server, &owner, server.second_firm_id).await;
    assert_eq!(badge(&html(&server, &owner, "/").await), None);
    let page = html(&server, &owner, "/shops/attention").await;
    assert!(!page.contains("20418") && !page.contains("alert("));
}

#[tokio::test]
async fn x2_members_retry_with_the_csrf_token_only() {
    let server = start_server().await;
    let store = &server.store;
    let firm = server.firm_id;
    let a = shop_a(&server).await;
    let before = fixtures::attention_order(store, firm, a.id, "20418", "X-1").await;
    assert!(!before.dirty);
    let operator = sign_in(&server, OPERATOR).await;
    let owner = sign_in(&server, OWNER).await;
    let one = format!("/shops/{}/orders/20418/retry", a.id);
    let all = format!("/shops/{}/orders/retry", a.id);

    // Without the token: refused, nothing written.
    for path in [&one, &all] {
        let refused = post_raw(&server, &operator.cookie, path, &[]).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{path}");
        let wrong = post_raw(&server, &operator.cookie, path, &[("csrf", "nope")]).await;
        assert_eq!(wrong.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let same = store.shop_order(firm, a.id, "20418").await.expect("record");
    assert_eq!(same, before, "nothing written");

    // An operator may retry: the order is to be read again.
    let done = post(&server, &operator, &one, &[]).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), "/shops/attention?retried=one&inactive=1");
    let after = store.shop_order(firm, a.id, "20418").await.expect("record");
    assert!(after.dirty);
    assert!(after.version > before.version);
    assert_eq!(after.state, "attention", "a retry changes nothing else");
    let page = html(&server, &operator, &location(&done)).await;
    assert!(page.contains("ще бъде прочетена от магазина и внесена отново"));
    assert!(page.contains("Връзката не се използва"));

    // „Опитай отново всички“ by the owner, back to the connection's orders.
    let settled = fixtures::attention_order(store, firm, a.id, "20420", "X-2").await;
    assert!(!settled.dirty);
    let done = post(&server, &owner, &format!("{all}?back=orders"), &[]).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&done),
        format!("/shops/{}/orders?retried=all&inactive=1", a.id)
    );
    assert!(
        store
            .shop_order(firm, a.id, "20420")
            .await
            .expect("r")
            .dirty
    );
    let page = html(&server, &owner, &location(&done)).await;
    assert!(page.contains("Поръчките, които чакат, ще бъдат прочетени"));

    // Unknown orders and odd paths: the 404 page, nothing written.
    for path in [
        format!("/shops/{}/orders/99999/retry", a.id),
        "/shops/abc/orders/1/retry".to_owned(),
        format!("/shops/{}/orders/%00/retry", a.id),
        "/shops/0/orders/retry".to_owned(),
        "/shops/999999/orders/retry".to_owned(),
    ] {
        let missing = post(&server, &owner, &path, &[]).await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let missing = get(&server, &owner.cookie, "/shops/abc/orders").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_firms_shop_orders_are_not_found() {
    let server = start_server().await;
    let store = &server.store;
    let other = server.second_firm_id;
    let b = fixtures::connection(store, other, "Магазин Б", "shop-b.example.bg").await;
    let theirs = fixtures::attention_order(store, other, b.id, "777", "Y-1").await;
    fixtures::unreadable(store, other, b.id, "not json at all").await;
    let (_, their_op) =
        fixtures::imported_order(store, other, &b, "778", serde_json::json!([])).await;
    let operator = sign_in(&server, OPERATOR).await;

    for path in [
        format!("/shops/{}/orders", b.id),
        format!("/shops/{}/orders?state=attention", b.id),
        format!("/operations/{}", their_op.id),
    ] {
        let response = get(&server, &operator.cookie, &path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    for path in [
        format!("/shops/{}/orders/777/retry", b.id),
        format!("/shops/{}/orders/retry", b.id),
    ] {
        let response = post(&server, &operator, &path, &[]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let same = store.shop_order(other, b.id, "777").await.expect("record");
    assert_eq!(same, theirs, "nothing written");

    // Nothing of theirs in our header or on our page.
    let page = html(&server, &operator, "/shops/attention").await;
    assert_eq!(badge(&page), None);
    assert!(!page.contains("777") && !page.contains("not json"));
    assert!(page.contains("Поръчки, които чакат вас: 0"));
}
