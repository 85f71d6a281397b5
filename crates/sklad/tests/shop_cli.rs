//! `sklad shop …` on the built binary against the CloudCart emulator on loopback: what
//! a script can do without the pages (issue 7's "the same through the CLI").

mod support;

use cloudcart_sim::{BrokenCases, ClockMode, ShopConfig, Sim, SimConfig};
use support::{ok, sklad, value};

fn run(data: std::path::PathBuf, args: Vec<String>, key: Option<String>) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_sklad"));
    command
        .env("SKLAD_DATA_DIR", &data)
        .env_remove("SKLAD_DATABASE_URL")
        .env_remove("SKLAD_CONFIG")
        .env_remove("SKLAD_LISTEN")
        .args(&args);
    match key {
        Some(key) => command.env("SKLAD_SHOP_API_KEY", key),
        None => command.env_remove("SKLAD_SHOP_API_KEY"),
    };
    command.output().expect("run sklad")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c1_s4_k1_k2_k3_through_the_command_line() {
    let sim = Sim::start(SimConfig {
        shops: vec![ShopConfig::new("shop.localhost")
            .seed_products(8)
            .broken(BrokenCases {
                missing_sku: 1,
                ..BrokenCases::default()
            })],
        clock: ClockMode::Virtual,
        ..SimConfig::default()
    })
    .await
    .expect("emulator");
    let key = sim.control().shops()[0].api_keys[0].clone();
    let url = sim.base_url("shop.localhost");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let firm = value(
        &ok(sklad(
            &data,
            &["firm", "create", "--name", "Скрипт ООД", "--seats", "3"],
        )),
        "firm_id",
    );
    let cmd = |args: &[&str], key: Option<String>| {
        let data = data.clone();
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        tokio::task::spawn_blocking(move || run(data, args, key))
    };
    // The key comes from the environment, so it is in no command line.
    let out = ok(cmd(
        &["shop", "add", "--firm", &firm, "--url", &url, "--in-use"],
        Some(key.clone()),
    )
    .await
    .unwrap());
    assert!(!out.contains(&key), "the key is never printed: {out}");
    assert!(
        out.contains(&format!("••••{}", &key[key.len() - 4..])),
        "{out}"
    );
    assert_eq!(value(&out, "status"), "done");
    assert!(out.contains("\"ok\": true"), "{out}");
    let connection = value(&out, "connection_id");
    let target = ["--firm", firm.as_str(), "--connection", connection.as_str()];

    let csv = dir.path().join("k1.csv");
    let mut args = vec!["shop", "check"];
    args.extend(target);
    args.extend(["--csv", csv.to_str().unwrap()]);
    let out = ok(cmd(&args, None).await.unwrap());
    assert!(out.contains("\"sku_missing\": 1"), "{out}");
    let written = std::fs::read_to_string(&csv).unwrap();
    assert!(written.starts_with("row,status,"));
    assert!(written.contains(",sku_missing,"));

    let mut args = vec!["shop", "import"];
    args.extend(target);
    args.push("--dry-run");
    let dry = ok(cmd(&args, None).await.unwrap());
    assert!(dry.contains("\"dry_run\": true"), "{dry}");
    let mut args = vec!["shop", "import"];
    args.extend(target);
    let out = ok(cmd(&args, None).await.unwrap());
    assert!(out.contains("\"create\""), "{out}");

    let mut args = vec!["shop", "check"];
    args.extend(target);
    let out = ok(cmd(&args, None).await.unwrap());
    assert!(
        out.contains("\"problems\": 1"),
        "only the broken row is left: {out}"
    );

    // Webhooks need complete settings: refused with the reasons, exit code non-zero.
    let mut args = vec!["shop", "webhooks"];
    args.extend(target);
    let refused = cmd(&args, None).await.unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("special_good_missing"), "{stderr}");

    let out = ok(cmd(&["shop", "list", "--firm", &firm], None).await.unwrap());
    assert!(out.contains(&url) && out.contains("in use"), "{out}");
    sim.shutdown().await;
}
