//! Issue 11 over plain HTTP against the real server: „Смяна на парола“ checks the
//! current password, ends the user's other sessions and keeps this one; the owner sees
//! when and from where each member last used a session and ends them; each of these and
//! every role change lands in the firm's journal.

#[path = "support/browser_support.rs"]
mod browser_support;
#[path = "support/pages_http.rs"]
mod pages_http;

use browser_support::{start_server, OPERATOR, OWNER};
use pages_http::{get, html, location, post, sign_in};
use reqwest::StatusCode;
use sklad_domain::model::Role;

#[tokio::test]
async fn a_new_password_ends_the_other_sessions_and_keeps_this_one() {
    let server = start_server().await;
    let here = sign_in(&server, OPERATOR).await;
    let elsewhere = sign_in(&server, OPERATOR).await;
    let form = html(&server, &here, "/account/password").await;
    assert!(form.contains("name=\"current_password\""), "{form}");

    // A wrong current password and a mistyped repeat are refused on their fields;
    // nothing changes and both sessions live on.
    let wrong = post(
        &server,
        &here,
        "/account/password",
        &[
            ("current_password", "not-it-at-all"),
            ("new_password", "a-new-secret-9"),
            ("new_password_again", "a-new-secret-9"),
        ],
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::OK);
    let page = wrong.text().await.unwrap();
    assert!(page.contains("Текущата парола не е вярна"), "{page}");
    assert!(
        !page.contains("a-new-secret-9"),
        "a password is never sent back"
    );
    let differ = post(
        &server,
        &here,
        "/account/password",
        &[
            ("current_password", OPERATOR.1),
            ("new_password", "a-new-secret-9"),
            ("new_password_again", "a-new-secret-8"),
        ],
    )
    .await;
    assert!(differ
        .text()
        .await
        .unwrap()
        .contains("Двете нови пароли се различават"));
    assert_eq!(
        get(&server, &elsewhere.cookie, "/").await.status(),
        StatusCode::OK
    );

    let changed = post(
        &server,
        &here,
        "/account/password",
        &[
            ("current_password", OPERATOR.1),
            ("new_password", "a-new-secret-9"),
            ("new_password_again", "a-new-secret-9"),
        ],
    )
    .await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&changed), "/account/password?saved=1");
    let done = html(&server, &here, "/account/password?saved=1").await;
    assert!(done.contains("Паролата е сменена"), "{done}");
    let gone = get(&server, &elsewhere.cookie, "/").await;
    assert_eq!(
        gone.status(),
        StatusCode::SEE_OTHER,
        "the other session ended"
    );
    assert!(location(&gone).starts_with("/login"));
    sign_in(&server, (OPERATOR.0, "a-new-secret-9")).await;

    let journal = server
        .store
        .journal(server.firm_id, Default::default())
        .await
        .unwrap();
    let entry = journal
        .items
        .iter()
        .find(|e| e.action == "password_changed")
        .expect("password_changed in the journal");
    assert_eq!(entry.details["sessions_ended"], 1, "{:?}", entry.details);
}

#[tokio::test]
async fn the_owner_sees_where_sessions_were_used_and_ends_them() {
    let server = start_server().await;
    let owner = sign_in(&server, OWNER).await;
    let operator = sign_in(&server, OPERATOR).await;
    html(&server, &operator, "/stock").await;

    let users = html(&server, &owner, "/users").await;
    let row = users
        .split("<tr>")
        .find(|r| r.contains(&format!(">{}<", OPERATOR.0)))
        .expect("the operator's row");
    assert!(row.contains("127.0.0.1"), "the place of last use: {row}");
    assert!(row.contains("28.11.2026"), "the time of last use: {row}");
    let operator_id = server.store.user_by_login(OPERATOR.0).await.unwrap().id;
    let action = format!("/users/{operator_id}/sessions/end");
    assert!(row.contains(&action), "{row}");

    // An operator cannot end anyone's sessions.
    let refused = post(&server, &operator, &action, &[]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let ended = post(&server, &owner, &action, &[]).await;
    assert_eq!(ended.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        get(&server, &operator.cookie, "/").await.status(),
        StatusCode::SEE_OTHER,
        "the operator's session ended"
    );
    assert_eq!(
        get(&server, &owner.cookie, "/users").await.status(),
        StatusCode::OK
    );
    let users = html(&server, &owner, "/users").await;
    let row = users
        .split("<tr>")
        .find(|r| r.contains(&format!(">{}<", OPERATOR.0)))
        .unwrap();
    assert!(row.contains("няма сесии"), "{row}");

    // A role change is journalled with who made it.
    server
        .store
        .add_member(server.firm_id, operator_id, Role::Owner, "owner")
        .await
        .unwrap();
    let journal = server
        .store
        .journal(server.firm_id, Default::default())
        .await
        .unwrap();
    let actions: Vec<&str> = journal.items.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"sessions_ended"), "{actions:?}");
    let role = journal
        .items
        .iter()
        .find(|e| e.action == "role_changed")
        .expect("role_changed");
    assert_eq!(role.details["from"], "operator");
    assert_eq!(role.details["to"], "owner");
    assert_eq!(role.actor, "owner");

    // The owner reads it all in Администриране → Журнал.
    let page = html(&server, &owner, "/journal").await;
    for shown in [
        "Сменена роля",
        "Прекратени сесии",
        "Вход",
        "address: 127.0.0.1",
    ] {
        assert!(page.contains(shown), "{shown} in {page}");
    }
}

#[tokio::test]
async fn owners_see_alerts_in_the_header_and_mark_them_seen() {
    let server = start_server().await;
    let owner = sign_in(&server, OWNER).await;
    let operator = sign_in(&server, OPERATOR).await;
    assert!(!html(&server, &owner, "/").await.contains("alerts-badge"));
    server
        .store
        .raise_alert(
            server.firm_id,
            0,
            "plan_expired",
            "Планът на магазина е изтекъл (402).",
            "The shop's plan has expired (402).",
        )
        .await
        .unwrap();
    let home = html(&server, &owner, "/").await;
    assert!(home.contains("Сигнали: 1"), "{home}");
    assert!(!html(&server, &operator, "/").await.contains("alerts-badge"));
    for owners_only in ["/alerts", "/journal"] {
        assert_eq!(
            get(&server, &operator.cookie, owners_only).await.status(),
            StatusCode::FORBIDDEN
        );
    }
    let list = html(&server, &owner, "/alerts").await;
    assert!(list.contains("Планът на магазина е изтекъл"), "{list}");
    assert!(
        list.contains("не е настроено"),
        "no SMTP on this server: {list}"
    );
    let id = server.store.alerts(server.firm_id).await.unwrap()[0].id;
    let seen = post(&server, &owner, &format!("/alerts/{id}/seen"), &[]).await;
    assert_eq!(seen.status(), StatusCode::SEE_OTHER);
    assert!(!html(&server, &owner, "/").await.contains("alerts-badge"));
    assert!(html(&server, &owner, "/alerts").await.contains("Планът"));

    // The address alert e-mails go to: checked, then kept.
    let bad = post(&server, &owner, "/account/email", &[("email", "ivan@")]).await;
    assert_eq!(bad.status(), StatusCode::OK);
    assert!(bad.text().await.unwrap().contains("Въведете имейл адрес"));
    let good = post(
        &server,
        &owner,
        "/account/email",
        &[("email", " ivan@example.bg ")],
    )
    .await;
    assert_eq!(good.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        server.store.owner_emails(server.firm_id).await.unwrap(),
        vec!["ivan@example.bg".to_owned()]
    );
    assert!(html(&server, &owner, "/account/email")
        .await
        .contains("ivan@example.bg"));
}
