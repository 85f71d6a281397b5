//! Create, read, update, list and delete of every entity over the API, the firm's own
//! settings, and the operations that move stock between objects or set it.

mod api_support;

use api_support::{assert_error, assert_field, TestServer};
use reqwest::StatusCode;
use serde_json::json;

async fn every_entity_has_crud(server: TestServer) {
    let firm = server.tenant("Номенклатури ООД", "nomen").await;
    let t = firm.token.as_str();

    // Firm: read and patch only what is given.
    let patched = server
        .call(
            "PATCH",
            "/firm",
            Some(t),
            Some(json!({"name": "Номенклатури 2 ООД", "allow_negative_stock": true, "eik": null})),
        )
        .await;
    assert_eq!(patched.0, StatusCode::OK, "{}", patched.1);
    assert_eq!(patched.1["name"], "Номенклатури 2 ООД");
    assert_eq!(patched.1["eik"], serde_json::Value::Null);
    assert_eq!(patched.1["seats"], 3, "untouched");
    let (status, body) = server
        .call("PATCH", "/firm", Some(t), Some(json!({"currency": "EUR"})))
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );

    // Objects.
    let shop = server
        .post_expect(
            "/objects",
            t,
            json!({"name": "Магазин", "kind": "shop", "price_group": "group2"}),
            StatusCode::CREATED,
        )
        .await;
    let shop_id = shop["id"].as_i64().unwrap();
    assert_eq!(shop["price_group"], "group2");
    let fields = server
        .refused(
            "POST",
            "/objects",
            Some(t),
            Some(json!({"name": "X", "price_group": "purchase"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    assert_field(&fields, "price_group", "price_group_purchase");
    let (status, renamed) = server
        .call(
            "PUT",
            &format!("/objects/{shop_id}"),
            Some(t),
            Some(json!({"name": "Магазин 1", "kind": "shop"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(
        server.get_ok(&format!("/objects/{shop_id}"), t).await["name"],
        "Магазин 1"
    );
    let spare = server
        .post_expect(
            "/objects",
            t,
            json!({"name": "Резервен"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let (status, _) = server
        .call("DELETE", &format!("/objects/{spare}"), Some(t), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = server
        .call("GET", &format!("/objects/{spare}"), Some(t), None)
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(
        server.get_ok("/objects", t).await.as_array().unwrap().len(),
        2
    );

    // Payment types.
    let voucher = server
        .post_expect(
            "/payment-types",
            t,
            json!({"name": "Ваучер Х", "method": "voucher"}),
            StatusCode::CREATED,
        )
        .await;
    let voucher_id = voucher["id"].as_i64().unwrap();
    let (status, updated) = server
        .call(
            "PUT",
            &format!("/payment-types/{voucher_id}"),
            Some(t),
            Some(json!({"name": "Ваучер Y", "method": "voucher", "active": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["active"], false);
    assert_eq!(
        server
            .get_ok(&format!("/payment-types/{voucher_id}"), t)
            .await["name"],
        "Ваучер Y"
    );
    let (status, _) = server
        .call(
            "DELETE",
            &format!("/payment-types/{voucher_id}"),
            Some(t),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        server
            .get_ok("/payment-types", t)
            .await
            .as_array()
            .unwrap()
            .len(),
        5
    );

    // Partners, searched and filtered.
    let client = server
        .post_expect(
            "/partners",
            t,
            json!({"name": "Клиент АД", "eik": "831826092", "vat_number": "BG831826092",
                   "email": "Office@Client.bg", "role": "client", "price_group": "wholesale"}),
            StatusCode::CREATED,
        )
        .await;
    let client_id = client["id"].as_i64().unwrap();
    assert_eq!(client["email"], "office@client.bg");
    server
        .post_expect(
            "/partners",
            t,
            json!({"name": "Доставчик", "role": "supplier"}),
            StatusCode::CREATED,
        )
        .await;
    let (status, body) = server
        .call(
            "POST",
            "/partners",
            Some(t),
            Some(json!({"name": "Двойник", "eik": "831826092"})),
        )
        .await;
    let fields = assert_error(status, &body, StatusCode::CONFLICT, "conflict");
    assert_field(&fields, "eik", "eik_duplicate");
    let found = server.get_ok("/partners?q=client.bg", t).await;
    assert_eq!(found["total"], 1);
    let suppliers = server.get_ok("/partners?role=supplier", t).await;
    assert_eq!(suppliers["total"], 1);
    let (status, updated) = server
        .call(
            "PUT",
            &format!("/partners/{client_id}"),
            Some(t),
            Some(json!({"name": "Клиент 2 АД", "city": "Пловдив"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["city"], "Пловдив");
    assert_eq!(
        updated["eik"],
        serde_json::Value::Null,
        "PUT replaces the whole record"
    );
    let (status, _) = server
        .call("DELETE", &format!("/partners/{client_id}"), Some(t), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(server.get_ok("/partners", t).await["total"], 1);

    // Goods: update replaces barcodes and prices; filters; delete.
    let good = server
        .post_expect(
            "/goods",
            t,
            json!({"code": "G1", "name": "Брашно", "measure": "кг", "group": "Храни",
                   "barcodes": ["100"], "prices": {"retail": "2.40"}}),
            StatusCode::CREATED,
        )
        .await;
    let good_id = good["id"].as_i64().unwrap();
    let service = server
        .post_expect(
            "/goods",
            t,
            json!({"code": "SHIP", "name": "Доставка", "kind": "service", "vat_rate": 20}),
            StatusCode::CREATED,
        )
        .await;
    let (status, updated) = server
        .call(
            "PUT",
            &format!("/goods/{good_id}"),
            Some(t),
            Some(json!({"code": "G1", "name": "Брашно тип 500", "measure": "кг", "group": "Храни",
                        "barcodes": ["101", "102"], "prices": {"retail": "2.60", "group8": "2.00"}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["barcodes"], json!(["101", "102"]));
    assert_eq!(
        updated["prices"],
        json!({"retail": "2.60", "group8": "2.00"})
    );
    let (status, _) = server
        .call("GET", "/goods/by-code/100", Some(t), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the old barcode is gone");
    assert_eq!(server.get_ok("/goods?kind=service", t).await["total"], 1);
    assert_eq!(
        server
            .get_ok("/goods?group=%D0%A5%D1%80%D0%B0%D0%BD%D0%B8", t)
            .await["total"],
        1
    );
    assert_eq!(server.get_ok("/goods?active=false", t).await["total"], 0);
    let (status, _) = server
        .call(
            "DELETE",
            &format!("/goods/{}", service["id"]),
            Some(t),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(server.get_ok("/goods", t).await["total"], 1);

    // A good with stock movements cannot be deleted.
    let main = server
        .get_ok("/objects", t)
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] != shop_id)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let record = |operation: serde_json::Value| {
        server.post_expect("/operations", t, operation, StatusCode::CREATED)
    };
    record(
        json!({"kind": "delivery", "date": "2026-11-20", "object_id": main,
               "lines": [{"good_id": good_id, "quantity": "25.5", "unit_price": "1.80"}]}),
    )
    .await;
    let fields = server
        .refused(
            "DELETE",
            &format!("/goods/{good_id}"),
            Some(t),
            None,
            StatusCode::CONFLICT,
            "conflict",
        )
        .await;
    assert_field(&fields, "", "good_in_use");

    // Transfer 5.5 kg to the shop, count 10 kg there.
    record(
        json!({"kind": "transfer", "date": "2026-11-21", "object_id": main, "target_object_id": shop_id,
               "lines": [{"good_id": good_id, "quantity": "5.5", "unit_price": "1.80"}]}),
    )
    .await;
    let levels = server.get_ok(&format!("/stock/goods/{good_id}"), t).await;
    let at = |object: i64| {
        levels
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["object_id"] == object)
            .unwrap()["on_hand"]
            .clone()
    };
    assert_eq!(at(main), "20");
    assert_eq!(at(shop_id), "5.5");
    record(
        json!({"kind": "stock_taking", "date": "2026-11-22", "object_id": shop_id,
               "lines": [{"good_id": good_id, "quantity": "10", "unit_price": "0"}]}),
    )
    .await;
    let both = server
        .get_ok(&format!("/stock/available?object_ids={main},{shop_id}"), t)
        .await;
    assert_eq!(both[0]["on_hand"], "30");

    // The list filtered by date range and object.
    let range = server
        .get_ok("/operations?date_from=2026-11-21&date_to=22.11.2026", t)
        .await;
    assert_eq!(range["total"], 2);
    let shop_ops = server
        .get_ok(&format!("/operations?object_id={shop_id}"), t)
        .await;
    assert_eq!(shop_ops["total"], 2, "{shop_ops}");
}

async fn owners_manage_members_and_tokens(server: TestServer) {
    let firm = server.tenant("Екип ООД", "chief").await;
    let other = server.tenant("Чужда ООД", "stranger").await;
    let t = firm.token.as_str();

    let clerk = server
        .post_expect(
            "/users",
            t,
            json!({"login": "Kasa", "role": "operator", "password": "dlaga-parola-1"}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(clerk["login"], "kasa");
    assert!(
        clerk.get("password").is_none(),
        "a given password is not echoed"
    );
    let clerk_id = clerk["id"].as_i64().unwrap();

    let token = server
        .post_expect(
            "/tokens",
            t,
            json!({"login": "kasa", "name": "Каса 1"}),
            StatusCode::CREATED,
        )
        .await;
    let secret = token["plaintext"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("skl_"));
    server.get_ok("/goods", &secret).await;
    let listed = server.get_ok("/tokens", t).await;
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t.get("plaintext").is_none()));
    let kasa = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Каса 1" && t["user_id"] == clerk_id)
        .expect("the new token listed");
    // Issue 11: when each token was last used (to the minute) is shown.
    let now = sklad_domain::clock::Clock::now(&server.clock);
    assert_eq!(kasa["last_used_at"], json!(now.to_string()));

    let fields = server
        .refused(
            "POST",
            "/tokens",
            Some(t),
            Some(json!({"login": "stranger"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    assert_field(&fields, "login", "member_unknown");

    // Another firm's owner can neither revoke the token nor remove the member.
    let (status, body) = server
        .call(
            "DELETE",
            &format!("/tokens/{}", token["id"]),
            Some(&other.token),
            None,
        )
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = server
        .call(
            "DELETE",
            &format!("/users/{clerk_id}"),
            Some(&other.token),
            None,
        )
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    server.get_ok("/goods", &secret).await;

    let (status, _) = server
        .call("DELETE", &format!("/tokens/{}", token["id"]), Some(t), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = server.call("GET", "/goods", Some(&secret), None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");

    let fields = server
        .refused(
            "DELETE",
            &format!("/users/{}", firm.owner_id),
            Some(t),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    assert_field(&fields, "id", "user_self");
    let (status, _) = server
        .call("DELETE", &format!("/users/{clerk_id}"), Some(t), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        server.get_ok("/users", t).await.as_array().unwrap().len(),
        1
    );
}

/// Issue 11: a password change checks the current password, ends every web session of
/// the user (an API token keeps working) and is in the journal; the owner ends a member's
/// sessions; an operator may not.
async fn password_changes_and_the_owner_end_sessions(server: TestServer) {
    use sklad_domain::clock::Clock as _;
    let firm = server.tenant("Сесии ООД", "sesii").await;
    let clerk = server.user("kasierka").await;
    server
        .store
        .add_member(
            firm.firm_id,
            clerk,
            sklad_domain::model::Role::Operator,
            "test",
        )
        .await
        .unwrap();
    let clerk_token = server
        .store
        .create_api_token(clerk, firm.firm_id, "каса")
        .await
        .unwrap()
        .plaintext;
    let expires = server.clock.now() + jiff::SignedDuration::from_hours(8);
    let mut owner_sessions = Vec::new();
    for _ in 0..2 {
        owner_sessions.push(
            server
                .store
                .create_session(firm.owner_id, firm.firm_id, expires)
                .await
                .unwrap()
                .id,
        );
    }
    let clerk_session = server
        .store
        .create_session(clerk, firm.firm_id, expires)
        .await
        .unwrap()
        .id;
    let now = server.clock.now();
    let alive = |id: String| {
        let store = server.store.clone();
        async move {
            store
                .resolve_session(&id, now, None)
                .await
                .unwrap()
                .is_some()
        }
    };

    let fields = server
        .refused(
            "PUT",
            "/me/password",
            Some(&firm.token),
            Some(json!({"current_password": "not the one", "new_password": "a new secret 42"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    assert_field(&fields, "current_password", "password_wrong");
    let fields = server
        .refused(
            "PUT",
            "/me/password",
            Some(&firm.token),
            Some(json!({"current_password": "correct horse battery", "new_password": "short"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    assert_field(&fields, "new_password", "password_length");
    assert!(alive(owner_sessions[0].clone()).await, "nothing changed");

    let (status, body) = server
        .call(
            "PUT",
            "/me/password",
            Some(&firm.token),
            Some(json!({"current_password": "correct horse battery", "new_password": "a new secret 42"})),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"sessions_ended": 2}))
    );
    for id in &owner_sessions {
        assert!(!alive(id.clone()).await, "ended");
    }
    assert!(
        alive(clerk_session.clone()).await,
        "another user's session stays"
    );
    server.get_ok("/goods", &firm.token).await;
    assert!(server
        .store
        .verify_password("sesii", "a new secret 42")
        .await
        .unwrap()
        .is_some());
    assert!(server
        .store
        .verify_password("sesii", "correct horse battery")
        .await
        .unwrap()
        .is_none());

    // An operator may not end anyone's sessions; the owner ends the clerk's.
    let path = format!("/users/{clerk}/sessions/end");
    let (status, body) = server.call("POST", &path, Some(&clerk_token), None).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    assert!(alive(clerk_session.clone()).await);
    let (status, body) = server.call("POST", &path, Some(&firm.token), None).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"sessions_ended": 1}))
    );
    assert!(!alive(clerk_session).await);

    let journal = server.get_ok("/journal", &firm.token).await;
    let actions: Vec<&str> = journal["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"password_changed") && actions.contains(&"sessions_ended"),
        "{actions:?}"
    );
}

on_both_engines!(
    every_entity_has_crud,
    owners_manage_members_and_tokens,
    password_changes_and_the_owner_end_sessions
);
