//! Secrets stay out of errors and `Debug`; concurrent writers of one firm neither
//! lose stock nor duplicate numbers (both engines).

mod common;

use common::*;
use sklad_domain::operation::OperationKind::*;
use sklad_domain::Quantity;
use sklad_store::Store;

#[tokio::test]
async fn connection_errors_do_not_leak_the_url() {
    let url = "postgres://sklad:TopSecret42@127.0.0.1:1/nowhere";
    let err = Store::open(url).await.unwrap_err();
    for text in [
        err.to_string(),
        format!("{err:?}"),
        err.message_en(),
        err.message_bg(),
    ] {
        assert!(!text.contains("TopSecret42"), "{text}");
    }
    let err = Store::open("mysql://root:TopSecret42@localhost/x")
        .await
        .unwrap_err();
    assert!(!format!("{err:?}").contains("TopSecret42"));
}

async fn debug_output_redacts(store: Store) {
    let (firm, user, _) = firm_with_owner(&store, "Фирма", "ivan").await;
    let token = store.create_api_token(user, firm, "t").await.unwrap();
    let session = store
        .create_session(
            user,
            firm,
            jiff::Timestamp::from_second(2_000_000_000).unwrap(),
        )
        .await
        .unwrap();
    let input = user_input("maria");
    for text in [
        format!("{store:?}"),
        format!("{token:?}"),
        format!("{session:?}"),
        format!("{input:?}"),
    ] {
        assert!(!text.contains(&token.plaintext));
        assert!(!text.contains(&session.id));
        assert!(!text.contains(&session.session.csrf_token));
        assert!(!text.contains(&input.password));
        assert!(!text.contains("sklad:sklad@"));
    }
}

async fn concurrent_sales(store: Store) {
    let (firm, _, obj) = firm_with_owner(&store, "Фирма", "ivan").await;
    let g = store
        .create_good(firm, &good_input("G", &[]))
        .await
        .unwrap();
    store
        .create_operation(firm, &draft(Delivery, obj, vec![line(g.id, 30, 100)]))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut ok = 0;
            for _ in 0..5 {
                match store
                    .create_operation(firm, &draft(Sale, obj, vec![line(g.id, 1, 100)]))
                    .await
                {
                    Ok(_) => ok += 1,
                    Err(e) => assert_eq!(field_code(&e).1, "stock_insufficient"),
                }
            }
            ok
        }));
    }
    let mut sold = 0;
    for t in tasks {
        sold += t.await.unwrap();
    }
    assert_eq!(sold, 30, "exactly the stock was sold, no more");
    let level = store.stock_of_good(firm, g.id).await.unwrap();
    assert_eq!(level[0].on_hand, Quantity::ZERO);
    let mut filter = sklad_store::OperationFilter {
        kind: Some(Sale),
        ..Default::default()
    };
    filter.paging.limit = 100;
    let mut numbers: Vec<i64> = store
        .operations(firm, &filter)
        .await
        .unwrap()
        .items
        .iter()
        .map(|o| o.number)
        .collect();
    numbers.sort();
    assert_eq!(numbers, (1..=30).collect::<Vec<_>>());
}

both!(debug_output_redacts, concurrent_sales);
