//! API.md §2: products, variants, parameters/options, categories — over real HTTP.

mod common;

use common::*;
use serde_json::{json, Value};

async fn category(h: &Harness) -> String {
    let r = h
        .post(
            "/api/v2/categories",
            json!({"data": {"type": "categories", "attributes": {"name": "Тениски"}}}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.id()
}

async fn product(h: &Harness, cat: &str, params: &[&str]) -> Value {
    let mut rels = json!({"category": {"data": {"type": "categories", "id": cat}}});
    for (i, p) in params.iter().enumerate() {
        rels[format!("parameter{}", i + 1)] =
            json!({"data": {"type": "variant-parameters", "id": p}});
    }
    let r = h
        .post(
            "/api/v2/products",
            json!({"data": {"type": "products", "attributes": {"name": "Тениска „Витоша“", "tracking": "yes", "shipping": "yes"},
                "relationships": rels}}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body
}

fn variant_body(product: &str, sku: &str, options: &[&str]) -> Value {
    let mut rels = json!({"product": {"data": {"type": "products", "id": product}}});
    for (i, o) in options.iter().enumerate() {
        rels[format!("option{}", i + 1)] = json!({"data": {"type": "variant-options", "id": o}});
    }
    json!({"data": {"type": "variants", "attributes": {"sku": sku, "price": 2490, "quantity": 36, "barcode": "3800987650014"},
        "relationships": rels}})
}

#[tokio::test]
async fn s2_2_s2_3_product_post_defaults_required_category_location_and_soft_delete() {
    let h = start(shop()).await;
    let r = h
        .post(
            "/api/v2/products",
            json!({"data": {"type": "products", "attributes": {"name": "Без категория"}}}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(err(&r).1, Some("/data/relationships/category"));
    let r = h
        .post(
            "/api/v2/products",
            json!({"data": {"type": "products", "attributes": {"name": "X"}, "relationships": {"category": {"data": {"type": "categories", "id": "1"}}}}}),
        )
        .await;
    assert_eq!(
        r.status, 422,
        "name min 2 chars (and category 1 does not exist)"
    );
    let cat = category(&h).await;
    let r = h
        .post(
            "/api/v2/products",
            json!({"data": {"type": "products", "attributes": {"name": "Мед от Странджа"},
                "relationships": {"category": {"data": {"type": "categories", "id": cat}}}}}),
        )
        .await;
    assert_eq!(r.status, 201);
    let id = r.id();
    assert!(r.headers["location"]
        .to_str()
        .unwrap()
        .ends_with(&format!("/api/v2/products/{id}")));
    let a = &r.body["data"]["attributes"];
    for k in ["tracking", "shipping", "digital", "sale", "new", "draft"] {
        assert_eq!(a[k], "no", "API POST default of {k}");
    }
    assert_eq!(
        h.delete(&format!("/api/v2/products/{id}")).await.status,
        204
    );
    assert_eq!(h.get(&format!("/api/v2/products/{id}")).await.status, 404);
    // A category with products is not deletable.
    product(&h, &cat, &[]).await;
    let r = h.delete(&format!("/api/v2/categories/{cat}")).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["title"], "Not Deletable");
}

#[tokio::test]
async fn s2_1_default_option_less_variant_is_unique_and_sku_is_unique_per_shop() {
    let h = start(shop()).await;
    let cat = category(&h).await;
    let p = product(&h, &cat, &[]).await;
    let pid = p["data"]["id"].as_str().unwrap();
    let r = h
        .post("/api/v2/variants", variant_body(pid, "COF-ETH-250", &[]))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["data"]["attributes"]["v1_id"], Value::Null);
    assert_eq!(r.body["data"]["attributes"]["price"], 2490);
    let r = h
        .post("/api/v2/variants", variant_body(pid, "COF-ETH-500", &[]))
        .await;
    assert_eq!(r.status, 422, "second option-less variant");
    let p2 = product(&h, &cat, &[]).await;
    let r = h
        .post(
            "/api/v2/variants",
            variant_body(p2["data"]["id"].as_str().unwrap(), "COF-ETH-250", &[]),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(err(&r).1, Some("/data/attributes/sku"));
    assert_eq!(err(&r).2, Some("This SKU is already in use"));
    let r = h
        .post(
            "/api/v2/variants",
            json!({"data": {"type": "variants", "attributes": {"sku": "Z"}}}),
        )
        .await;
    assert_eq!(err(&r).1, Some("/data/relationships/product"));
    // The product's default variant relationship points at it.
    let r = h
        .get(&format!("/api/v2/products/{pid}?include=variant"))
        .await;
    assert_eq!(r.body["included"][0]["attributes"]["sku"], "COF-ETH-250");
}

#[tokio::test]
async fn s2_1_default_variant_is_recomputed_cheapest_then_lowest_id() {
    let h = start(shop()).await;
    let cat = category(&h).await;
    let size = created_id(
        &h,
        "/api/v2/variant-parameters",
        json!({"data": {"type": "variant-parameters",
        "attributes": {"name": "Размер", "display_type": "select"}}}),
    )
    .await;
    let mut variants = Vec::new();
    let pid = product(&h, &cat, &[&size]).await["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (name, price) in [("S", 3000), ("M", 2000)] {
        let opt = created_id(
            &h,
            "/api/v2/variant-options",
            json!({"data": {"type": "variant-options",
            "attributes": {"name": name},
            "relationships": {"parameter": {"data": {"type": "variant-parameters", "id": size}}}}}),
        )
        .await;
        let mut body = variant_body(&pid, &format!("DV-{name}"), &[&opt]);
        body["data"]["attributes"]["price"] = json!(price);
        variants.push(created_id(&h, "/api/v2/variants", body).await);
    }
    let default_sku = || async {
        let r = h
            .get(&format!("/api/v2/products/{pid}?include=variant"))
            .await;
        r.body["included"][0]["attributes"]["sku"].clone()
    };
    assert_eq!(default_sku().await, "DV-M", "the cheapest variant");
    let h = &h;
    let set_price = |id: String, price: i64| async move {
        let path = format!("/api/v2/variants/{id}");
        h.patch(
            &path,
            json!({"data": {"type": "variants", "id": id, "attributes": {"price": price}}}),
        )
        .await
    };
    assert_eq!(set_price(variants[1].clone(), 4000).await.status, 200);
    assert_eq!(
        default_sku().await,
        "DV-S",
        "recomputed after a price change"
    );
    assert_eq!(set_price(variants[1].clone(), 3000).await.status, 200);
    assert_eq!(default_sku().await, "DV-S", "a tie goes to the lower id");
}

#[tokio::test]
async fn s2_4_option_count_and_slot_validation_and_parameter_change_wipes_variants() {
    let h = start(shop()).await;
    let cat = category(&h).await;
    let size = h
        .post("/api/v2/variant-parameters", json!({"data": {"type": "variant-parameters", "attributes": {"name": "Размер", "display_type": "select"}}}))
        .await;
    assert_eq!(size.status, 201, "{:?}", size.body);
    let size = size.id();
    let colour = h
        .post("/api/v2/variant-parameters", json!({"data": {"type": "variant-parameters", "attributes": {"name": "Цвят", "display_type": "color"}}}))
        .await
        .id();
    let opt = |param: String, name: &str| {
        json!({"data": {"type": "variant-options", "attributes": {"name": name},
            "relationships": {"parameter": {"data": {"type": "variant-parameters", "id": param}}}}})
    };
    let m = h
        .post("/api/v2/variant-options", opt(size.clone(), "M"))
        .await
        .id();
    let dup = h
        .post("/api/v2/variant-options", opt(size.clone(), " m "))
        .await;
    assert_eq!(
        dup.status, 422,
        "option names are unique per parameter, case-insensitive, trimmed"
    );
    let black = h
        .post("/api/v2/variant-options", opt(colour.clone(), "Черен"))
        .await
        .id();
    // Slot 2 without slot 1.
    let r = h
        .post(
            "/api/v2/products",
            json!({"data": {"type": "products", "attributes": {"name": "Суитшърт"}, "relationships": {
                "category": {"data": {"type": "categories", "id": cat}},
                "parameter2": {"data": {"type": "variant-parameters", "id": size}}}}}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.body["errors"][0]["title"],
        "Missing Parameter Relationship"
    );
    let p = product(&h, &cat, &[&size, &colour]).await;
    let pid = p["data"]["id"].as_str().unwrap().to_string();
    let r = h
        .post("/api/v2/variants", variant_body(&pid, "TS-M", &[&m]))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        err(&r).2,
        Some("You are trying to save variant with 1 options, but your product requires 2")
    );
    let r = h
        .post(
            "/api/v2/variants",
            variant_body(&pid, "TS-M", &[&black, &m]),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(err(&r)
        .2
        .unwrap()
        .contains("does not belongs to variant parameter"));
    let r = h
        .post(
            "/api/v2/variants",
            variant_body(&pid, "TS-M-BLK", &[&m, &black]),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["data"]["attributes"]["v1"], "M");
    assert_eq!(r.body["data"]["attributes"]["v2"], "Черен");
    let vid = r.id();
    // The last variant of a product with parameters cannot be deleted; a used option neither.
    assert_eq!(
        h.delete(&format!("/api/v2/variants/{vid}")).await.status,
        422
    );
    assert_eq!(
        h.delete(&format!("/api/v2/variant-options/{m}"))
            .await
            .status,
        422
    );
    // Changing the parameter slots wipes the grid.
    let r = h
        .patch(
            &format!("/api/v2/products/{pid}"),
            json!({"data": {"type": "products", "id": pid, "relationships": {
                "parameter1": {"data": {"type": "variant-parameters", "id": colour}},
                "parameter2": {"data": null}}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(h.get(&format!("/api/v2/variants/{vid}")).await.status, 404);
}

#[tokio::test]
async fn s2_7_patch_variant_quantity_and_price_null_is_unlimited_and_id_must_match() {
    let h = start(shop()).await;
    let cat = category(&h).await;
    let p = product(&h, &cat, &[]).await;
    let v = h
        .post(
            "/api/v2/variants",
            variant_body(p["data"]["id"].as_str().unwrap(), "MUG-1", &[]),
        )
        .await;
    let vid = v.id();
    let r = h.patch(&format!("/api/v2/variants/{vid}"), json!({"data": {"type": "variants", "id": vid, "attributes": {"quantity": 12.5, "price": 1990}}})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["data"]["attributes"]["quantity"], 12.5);
    assert_eq!(r.body["data"]["attributes"]["price"], 1990);
    let r = h
        .patch(
            &format!("/api/v2/variants/{vid}"),
            json!({"data": {"type": "variants", "id": vid, "attributes": {"quantity": null}}}),
        )
        .await;
    assert_eq!(r.body["data"]["attributes"]["quantity"], Value::Null);
    let r = h
        .patch(
            &format!("/api/v2/variants/{vid}"),
            json!({"data": {"type": "variants", "id": "999", "attributes": {"quantity": 1}}}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(err(&r).1, Some("/data/id"));
    let r = h
        .patch(
            &format!("/api/v2/variants/{vid}"),
            json!({"data": {"type": "variants", "id": vid, "attributes": {"price": 19.9}}}),
        )
        .await;
    assert_eq!(r.status, 422, "prices are integers in minor units");
    assert_eq!(err(&r).1, Some("/data/attributes/price"));
    let r = h
        .patch(
            &format!("/api/v2/variants/{vid}"),
            json!({"data": {"type": "variants", "id": vid, "attributes": {"quantity": "lots"}}}),
        )
        .await;
    assert_eq!(err(&r).1, Some("/data/attributes/quantity"));
    // The PATCHes are visible to the control surface.
    let writes = h.sim.control().received_writes(HOST);
    assert!(writes.iter().any(|w| w.method == "PATCH"
        && w.body["data"]["attributes"]["price"] == 1990
        && w.status == 200));
}

#[tokio::test]
async fn s4_customers_and_billing_address_company_fields() {
    let h = start(shop()).await;
    let r = h
        .post(
            "/api/v2/customers",
            json!({"data": {"type": "customers", "attributes": {"first_name": "Мария"}}}),
        )
        .await;
    assert_eq!(err(&r).1, Some("/data/attributes/email"));
    let r = h
        .post(
            "/api/v2/customers",
            json!({"data": {"type": "customers", "attributes": {"email": "maria@example.bg"}}}),
        )
        .await;
    assert_eq!(r.status, 201);
    let cid = r.id();
    let r = h
        .post(
            "/api/v2/customers",
            json!({"data": {"type": "customers", "attributes": {"email": "MARIA@example.bg"}}}),
        )
        .await;
    assert_eq!(r.status, 422, "e-mail unique");
    let r = h
        .get("/api/v2/customers?filter[email]=maria@example.bg")
        .await;
    assert_eq!(r.body["data"]["id"], cid.as_str());
    // PATCHing the e-mail only stores it for confirmation.
    let r = h
        .patch(&format!("/api/v2/customers/{cid}"), json!({"data": {"type": "customers", "id": cid, "attributes": {"email": "m.g@example.bg"}}}))
        .await;
    assert_eq!(r.body["data"]["attributes"]["email"], "maria@example.bg");
    assert_eq!(
        r.body["data"]["attributes"]["email_for_confirmation"],
        "m.g@example.bg"
    );
    assert_eq!(r.body["data"]["attributes"]["email_confirmed"], "no");
    let r = h
        .patch(
            &format!("/api/v2/customers/{cid}"),
            json!({"data": {"type": "customers", "id": cid, "attributes": {"group_id": 2}}}),
        )
        .await;
    assert_eq!(
        err(&r).1,
        Some("/data/attributes/group_id"),
        "read-only attributes are refused"
    );
    let addr = |extra: Value| {
        let mut a = json!({"first_name": "Мария", "last_name": "Георгиева", "country_iso2": "bg", "city_name": "Пловдив", "street_name": "бул. Марица"});
        a.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({"data": {"type": "customer-billing-address", "attributes": a,
            "relationships": {"customer": {"data": {"type": "customers", "id": cid}}}}})
    };
    let r = h
        .post(
            "/api/v2/customer-billing-address",
            addr(json!({"company_name": "Кафе Агал ЕООД"})),
        )
        .await;
    assert_eq!(r.status, 422, "company name without VAT");
    let r = h
        .post("/api/v2/customer-billing-address", addr(json!({"company_name": "Кафе Агал ЕООД", "company_vat": "BG204512345", "company_bulstat": "204512345"})))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["data"]["attributes"]["country_iso2"], "BG");
    let aid = r.body["data"]["id"].as_str().unwrap();
    let r = h
        .delete(&format!("/api/v2/customer-billing-address/{aid}"))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        err(&r).2,
        Some("Cannot delete customer default billing address.")
    );
    assert_eq!(
        h.delete(&format!("/api/v2/customers/{cid}")).await.status,
        204
    );
}

#[tokio::test]
async fn s2_3_plan_product_cap_answers_402() {
    let h = start(shop().product_limit(1)).await;
    let cat = category(&h).await;
    product(&h, &cat, &[]).await;
    let r = h
        .post(
            "/api/v2/products",
            json!({"data": {"type": "products", "attributes": {"name": "Още един"}, "relationships": {"category": {"data": {"type": "categories", "id": cat}}}}}),
        )
        .await;
    assert_eq!(r.status, 402);
    assert_eq!(r.body["errors"][0]["title"], "Payment Required");
}

#[tokio::test]
async fn s2_8_images_post_delete_no_patch_svg_refused() {
    let h = start(shop()).await;
    let cat = category(&h).await;
    let p = product(&h, &cat, &[]).await;
    let pid = p["data"]["id"].as_str().unwrap().to_string();
    let img = |src: &str| {
        json!({"data": {"type": "images", "attributes": {"src": src},
            "relationships": {"product": {"data": {"type": "products", "id": pid}}}}})
    };
    let r = h
        .post("/api/v2/images", img("https://cdn.example.bg/logo.svg"))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(err(&r).1, Some("/data/attributes/src"));
    let r = h
        .post("/api/v2/images", img("https://cdn.example.bg/t-shirt.png"))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["data"]["attributes"]["thumbs"], json!([]));
    let iid = r.id();
    let r = h
        .get(&format!("/api/v2/products/{pid}?include=image"))
        .await;
    assert_eq!(r.body["included"][0]["id"], iid.as_str());
    let r = h
        .patch(
            &format!("/api/v2/images/{iid}"),
            json!({"data": {"type": "images", "id": iid, "attributes": {"name": "x"}}}),
        )
        .await;
    assert_eq!(r.status, 405);
    assert_eq!(h.delete(&format!("/api/v2/images/{iid}")).await.status, 204);
    let r = h.get(&format!("/api/v2/products/{pid}")).await;
    assert!(r.body["data"]["relationships"]["image"]["data"].is_null());
}
