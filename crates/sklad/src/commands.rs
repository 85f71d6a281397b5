//! What each command does. Output is for people (Bulgarian first, English after the
//! slash) and keeps one `key=value` summary line that scripts can read.

use anyhow::{Context, Result};
use sklad_domain::model::{FirmInput, Role, UserInput};
use sklad_domain::Currency;
use sklad_server::Config;
use sklad_store::{Store, StoreError};

use crate::cli::{
    BackupArgs, Cli, Command, CurrencyArg, EuroChangeoverArgs, FirmCommand, FirmCreateArgs,
    RestoreArgs, RoleArg, TokenCommand, TokenCreateArgs, UserCommand, UserCreateArgs,
};

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<()> {
    // The demo has settings of its own: no configuration reaches it.
    if let Command::Demo(args) = cli.command {
        return crate::demo::demo(args).await;
    }
    let config = Config::load(cli.config.as_deref()).context("reading the configuration")?;
    match cli.command {
        Command::Demo(_) => unreachable!("the demo returned above"),
        Command::Serve(args) => crate::serve::serve(config, args).await,
        Command::Migrate => migrate(&config).await,
        Command::Firm(FirmCommand::Create(args)) => firm_create(&config, args).await,
        Command::User(UserCommand::Create(args)) => user_create(&config, args).await,
        Command::Token(TokenCommand::Create(args)) => token_create(&config, args).await,
        Command::Backup(args) => backup(&config, args).await,
        Command::Restore(args) => restore(&config, args).await,
        Command::EuroChangeover(args) => euro_changeover(&config, args).await,
        Command::Shop(command) => crate::shop::run(&config, command).await,
    }
}

/// A store error as a readable message: Bulgarian and English, with the field of each
/// problem. Never holds connection details (the store's errors do not).
pub fn explain(error: StoreError) -> anyhow::Error {
    match &error {
        StoreError::Validation(errors) => {
            let lines: Vec<String> = errors
                .errors
                .iter()
                .map(|e| {
                    format!(
                        "{}: {} / {} [{}]",
                        e.field, e.message_bg, e.message_en, e.code
                    )
                })
                .collect();
            anyhow::anyhow!("{}", lines.join("\n  "))
        }
        _ => anyhow::anyhow!(
            "{} / {} [{}]",
            error.message_bg(),
            error.message_en(),
            error.code()
        ),
    }
}

/// A bridge error as a readable message, the same way as [`explain`].
pub fn sync_error(e: sklad_sync::SyncError) -> anyhow::Error {
    match e {
        sklad_sync::SyncError::Store(store) => explain(store),
        other => anyhow::anyhow!(
            "{} / {} [{}]",
            other.message_bg(),
            other.message_en(),
            other.code()
        ),
    }
}

/// Opens the configured database (creating the data directory for the default
/// SQLite file) and applies pending migrations.
pub async fn open_store(config: &Config) -> Result<Store> {
    if config.uses_default_database() {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!("creating the data directory {}", config.data_dir.display())
        })?;
    }
    let store = Store::open(&config.database_url())
        .await
        .map_err(explain)
        .with_context(|| format!("opening the database {}", config.database_url_redacted()))?;
    store
        .migrate()
        .await
        .map_err(explain)
        .context("migrating the database")?;
    Ok(store)
}

async fn migrate(config: &Config) -> Result<()> {
    let store = open_store(config).await?;
    println!(
        "Базата данни е актуална / The database is up to date: {} ({})",
        config.database_url_redacted(),
        store.engine().key()
    );
    store.close().await;
    Ok(())
}

async fn firm_create(config: &Config, args: FirmCreateArgs) -> Result<()> {
    let store = open_store(config).await?;
    let input = FirmInput {
        name: args.name,
        eik: args.eik,
        currency: match args.currency {
            CurrencyArg::Eur => Currency::Eur,
            CurrencyArg::Bgn => Currency::Bgn,
        },
        vat_registered: args.vat_registered,
        seats: args.seats,
        allow_negative_stock: args.allow_negative_stock,
    }
    .validate()
    .map_err(|e| explain(e.into()))
    .context("the firm's data is not valid")?;
    let firm = store
        .create_firm(&input)
        .await
        .map_err(explain)
        .context("creating the firm")?;
    println!(
        "Фирмата е създадена / Firm created: „{}“ ({}, {} потребители / seats)",
        firm.name, firm.currency, firm.seats
    );
    println!("firm_id={}", firm.id);
    store.close().await;
    Ok(())
}

async fn user_create(config: &Config, args: UserCreateArgs) -> Result<()> {
    let store = open_store(config).await?;
    let role = match args.role {
        RoleArg::Owner => Role::Owner,
        RoleArg::Operator => Role::Operator,
    };
    let firm = store
        .firm(args.firm)
        .await
        .map_err(explain)
        .with_context(|| format!("finding firm {}", args.firm))?;
    let existing = match store.user_by_login(args.login.trim()).await {
        Ok(user) => Some(user),
        Err(StoreError::NotFound { .. }) => None,
        Err(e) => return Err(explain(e)).context("looking up the login"),
    };
    let (user, generated) = match existing {
        Some(user) => {
            anyhow::ensure!(
                args.password.is_none(),
                "Потребителят „{}“ вече съществува; паролата му не се променя оттук. / \
                 The user „{}“ already exists; its password is not changed here.",
                user.login,
                user.login
            );
            store
                .add_member(firm.id, user.id, role, "cli")
                .await
                .map_err(explain)
                .context("adding the user to the firm")?;
            (user, None)
        }
        None => {
            let generated = args
                .password
                .is_none()
                .then(sklad_server::api::generate_password);
            let input = UserInput {
                login: args.login.clone(),
                password: args
                    .password
                    .clone()
                    .or_else(|| generated.clone())
                    .unwrap_or_default(),
                display_name: args.display_name.clone().unwrap_or(args.login.clone()),
                language: args.language.clone(),
            }
            .validate()
            .map_err(|e| explain(e.into()))
            .context("the user's data is not valid")?;
            // User and membership in one transaction: a full firm gets no orphan user.
            let user = store
                .create_member(firm.id, &input, role)
                .await
                .map_err(explain)
                .context("creating the user")?;
            (user, generated)
        }
    };
    println!(
        "Потребителят „{}“ е добавен към „{}“ / User added to the firm",
        user.login, firm.name
    );
    if let Some(password) = generated {
        println!("Парола / Password (показва се само сега / shown only now): {password}");
    }
    println!(
        "user_id={} login={} role={}",
        user.id,
        user.login,
        match role {
            Role::Owner => "owner",
            Role::Operator => "operator",
        }
    );
    store.close().await;
    Ok(())
}

async fn token_create(config: &Config, args: TokenCreateArgs) -> Result<()> {
    let store = open_store(config).await?;
    let user = store
        .user_by_login(args.login.trim())
        .await
        .map_err(explain)
        .with_context(|| format!("finding the user „{}“", args.login.trim()))?;
    let token = store
        .create_api_token(user.id, args.firm, &args.name)
        .await
        .map_err(explain)
        .with_context(|| {
            format!(
                "creating a token for „{}“ in firm {}",
                user.login, args.firm
            )
        })?;
    println!(
        "API ключ за „{}“ (показва се само сега) / API token (shown only now):",
        user.login
    );
    println!("{}", token.plaintext);
    store.close().await;
    Ok(())
}

async fn backup(config: &Config, args: BackupArgs) -> Result<()> {
    let store = open_store(config).await?;
    let archive = store
        .backup_firm(args.firm)
        .await
        .map_err(explain)
        .with_context(|| format!("backing up firm {}", args.firm))?;
    std::fs::write(&args.out, &archive)
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "Архивът е записан / Archive written: {} ({} bytes)",
        args.out.display(),
        archive.len()
    );
    store.close().await;
    Ok(())
}

async fn restore(config: &Config, args: RestoreArgs) -> Result<()> {
    let archive =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let store = open_store(config).await?;
    let owner = store
        .user_by_login(args.owner.trim())
        .await
        .map_err(explain)
        .with_context(|| format!("finding the user „{}“", args.owner.trim()))?;
    let firm = store
        .restore_firm(&archive, owner.id, args.name)
        .await
        .map_err(explain)
        .with_context(|| format!("restoring {}", args.file.display()))?;
    println!(
        "Фирмата е възстановена като нова / Restored as a new firm: „{}“, собственик / owner {}",
        firm.name, owner.login
    );
    println!("firm_id={}", firm.id);
    store.close().await;
    Ok(())
}

async fn euro_changeover(config: &Config, args: EuroChangeoverArgs) -> Result<()> {
    let store = open_store(config).await?;
    let done = store
        .euro_changeover(args.firm, "cli")
        .await
        .map_err(explain)
        .with_context(|| format!("switching firm {} to the euro", args.firm))?;
    println!(
        "Фирмата вече води отчет в евро / The firm now keeps its books in euro: \
         {} стоки / goods, {} цени / prices превалутирани / converted at 1.95583",
        done.goods, done.prices
    );
    store.close().await;
    Ok(())
}
