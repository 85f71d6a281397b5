//! The command line: every command and option, with the help text `sklad --help` shows.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Склад: складова програма за български търговци (warehouse back office).
///
/// Settings come from defaults, then an optional TOML file (--config or SKLAD_CONFIG),
/// then the environment: SKLAD_DATA_DIR (default ./data), SKLAD_DATABASE_URL (default
/// sqlite://<data dir>/sklad.db; a postgres:// URL selects PostgreSQL), SKLAD_LISTEN
/// (default 127.0.0.1:8080), SKLAD_WEBHOOK_LISTEN, SKLAD_PUBLIC_URL, SKLAD_TRUSTED_PROXY,
/// SKLAD_SECRET_KEY_FILE, SKLAD_BODY_LIMIT, SKLAD_METRICS (on/off), SKLAD_METRICS_TOKEN,
/// SKLAD_SMTP_URL and SKLAD_ALERT_FROM. Logs: SKLAD_LOG (filter; default info, warn
/// for the demo), SKLAD_LOG_FORMAT=json.
#[derive(Debug, Parser)]
#[command(name = "sklad", version, propagate_version = true)]
pub struct Cli {
    /// TOML configuration file (keys: data_dir, database_url, listen, body_limit,
    /// webhook_listen, public_url, trusted_proxy, secret_key_file, metrics,
    /// metrics_token, smtp_url, alert_from; see deploy/sklad.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Starts the web server (pages and REST API). On a fresh database it creates a
    /// first firm and its owner and prints the login and password once.
    Serve(ServeArgs),
    /// The whole product on this machine: Sklad on an embedded database in ./demo
    /// (wiped at every start; ./data is never touched), an emulated CloudCart shop with a
    /// Bulgarian catalogue, a connection ready to sync, and a gentle stream of shop
    /// orders and warehouse sales, told as they flow.
    Demo(DemoArgs),
    /// Creates or updates the database tables, then exits.
    Migrate,
    /// Firms (фирми).
    #[command(subcommand)]
    Firm(FirmCommand),
    /// Users (потребители).
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens for the REST API.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Writes a firm's archive (Архивиране на фирма) to a file.
    Backup(BackupArgs),
    /// Restores an archive as a NEW firm; the original is not touched.
    Restore(RestoreArgs),
    /// Switches a BGN firm to EUR for good: prices converted at 1.95583, half up to the
    /// cent; documents keep their amounts.
    EuroChangeover(EuroChangeoverArgs),
    /// E-shop connections (Връзка с ел. магазини) and the CloudCart control panel.
    #[command(subcommand)]
    Shop(ShopCommand),
}

/// Options of `sklad demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The demo's data directory (emptied at every start; refused when it holds
    /// anything an earlier demo did not make).
    #[arg(long, default_value = "demo")]
    pub data_dir: PathBuf,
    /// Address of the back office (pages and REST API).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Port of the emulated shop on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 8088)]
    pub shop_port: u16,
    /// Products in the emulated shop (each with one to eight variants).
    #[arg(long, default_value_t = 300)]
    pub products: usize,
    /// Milliseconds between two events of the stream (a shop order, then a warehouse
    /// sale, by turns).
    #[arg(long, default_value_t = 15_000)]
    pub every_ms: u64,
    /// Prints one JSON line with the facts (addresses, login, keys), then one JSON line
    /// per event, for scripts.
    #[arg(long)]
    pub json: bool,
}

/// `sklad shop …`: what the connection pages and the control panel do, for scripts.
/// Shop actions run as jobs: a running `sklad serve` on the same database runs them
/// when it holds the shop's lease, otherwise this command runs them itself.
#[derive(Debug, Subcommand)]
pub enum ShopCommand {
    /// Adds a CloudCart connection („Нова връзка“) and tests it.
    Add(ShopAddArgs),
    /// Lists the firm's connections.
    List(FirmArg),
    /// „Провери връзката“: key, address, plan, counts, currency.
    Test(ShopJobArgs),
    /// K1 „Провери съответствието“: every shop variant beside its good.
    Check(ShopCheckArgs),
    /// K2 „Импортирай ВСИЧКИ стоки от магазина“ (use --dry-run first).
    Import(ShopDryRunArgs),
    /// The shop's quantities as opening stock: one Ревизия (use --dry-run first).
    OpeningStock(ShopDryRunArgs),
    /// Creates the special goods Доставка, Търговска отстъпка and Такса (services).
    SpecialGoods(ShopJobArgs),
    /// K4 „Активирай известията“: registers the webhooks at the public address.
    Webhooks(ShopJobArgs),
}

/// `--firm`.
#[derive(Debug, Args)]
pub struct FirmArg {
    /// The firm's id.
    #[arg(long)]
    pub firm: i64,
}

/// A currency of a shop connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShopCurrencyArg {
    /// From the shop's latest order (the API does not tell the shop's currency).
    Auto,
    /// Euro.
    Eur,
    /// Bulgarian lev.
    Bgn,
}

/// Options of `sklad shop add`.
#[derive(Debug, Args)]
pub struct ShopAddArgs {
    /// The firm's id.
    #[arg(long)]
    pub firm: i64,
    /// A name to recognise the connection by.
    #[arg(long, default_value = "CloudCart")]
    pub name: String,
    /// The shop's primary address, e.g. https://sampleshop.cloudcart.net.
    #[arg(long)]
    pub url: String,
    /// The API key (CloudCart: Настройки → API ключове). Prefer SKLAD_SHOP_API_KEY, so
    /// the key stays out of the shell history and the process list.
    #[arg(long, env = "SKLAD_SHOP_API_KEY", hide_env_values = true)]
    pub key: String,
    /// Put the connection in use (it takes one of the firm's seats).
    #[arg(long)]
    pub in_use: bool,
    /// The shop's currency.
    #[arg(long, value_enum, default_value = "auto")]
    pub currency: ShopCurrencyArg,
    /// The shop's prices are without VAT.
    #[arg(long)]
    pub net_prices: bool,
}

/// `--firm` and `--connection`.
#[derive(Debug, Args)]
pub struct ShopJobArgs {
    /// The firm's id.
    #[arg(long)]
    pub firm: i64,
    /// The connection's id (see `sklad shop list`).
    #[arg(long)]
    pub connection: i64,
}

/// Options of `sklad shop check`.
#[derive(Debug, Args)]
pub struct ShopCheckArgs {
    /// The firm and connection.
    #[command(flatten)]
    pub target: ShopJobArgs,
    /// Also write every row to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

/// Options of the actions with a dry run.
#[derive(Debug, Args)]
pub struct ShopDryRunArgs {
    /// The firm and connection.
    #[command(flatten)]
    pub target: ShopJobArgs,
    /// Show what would be done; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Options of `sklad serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (overrides SKLAD_LISTEN), e.g. 127.0.0.1:8080.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
}

/// `sklad firm …`
#[derive(Debug, Subcommand)]
pub enum FirmCommand {
    /// Creates a firm with the default payment types and the object „Основен склад“.
    Create(FirmCreateArgs),
}

/// A firm's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CurrencyArg {
    /// Euro (Bulgaria's currency since 1 January 2026).
    Eur,
    /// Bulgarian lev, for books kept in leva.
    Bgn,
}

/// Options of `sklad firm create`.
#[derive(Debug, Args)]
pub struct FirmCreateArgs {
    /// The firm's name, e.g. "Пример ООД".
    #[arg(long)]
    pub name: String,
    /// ЕИК / Булстат (9 or 13 digits, check digits verified).
    #[arg(long)]
    pub eik: Option<String>,
    /// Currency of the books.
    #[arg(long, value_enum, default_value = "eur")]
    pub currency: CurrencyArg,
    /// Users the subscription allows (the CloudCart connection needs 2).
    #[arg(long, default_value_t = 2)]
    pub seats: i64,
    /// The firm is registered for VAT (регистрирана по ДДС).
    #[arg(long)]
    pub vat_registered: bool,
    /// Let sales take stock below zero.
    #[arg(long)]
    pub allow_negative_stock: bool,
}

/// A user's role in a firm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// Собственик: everything, including users, backups and restore.
    Owner,
    /// Оператор: daily work.
    Operator,
}

/// `sklad user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Creates a user in a firm (an existing login is added to the firm instead). Without
    /// --password a password is generated and printed once.
    Create(UserCreateArgs),
}

/// Options of `sklad user create`.
#[derive(Debug, Args)]
pub struct UserCreateArgs {
    /// The firm's id (see `sklad firm create`).
    #[arg(long)]
    pub firm: i64,
    /// Login name: 3–64 letters, digits, . _ - @.
    #[arg(long)]
    pub login: String,
    /// Role in the firm.
    #[arg(long, value_enum, default_value = "operator")]
    pub role: RoleArg,
    /// Password (8–200 characters). Prefer leaving it out: a strong one is generated.
    #[arg(long)]
    pub password: Option<String>,
    /// Name shown in the interface; the login when absent.
    #[arg(long)]
    pub display_name: Option<String>,
    /// Interface language: bg or en.
    #[arg(long, default_value = "bg")]
    pub language: String,
}

/// `sklad token …`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Creates an API token for a member of a firm and prints it once.
    Create(TokenCreateArgs),
}

/// Options of `sklad token create`.
#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// The firm's id.
    #[arg(long)]
    pub firm: i64,
    /// The member's login.
    #[arg(long)]
    pub login: String,
    /// A label for the token, e.g. "CloudCart".
    #[arg(long, default_value = "API")]
    pub name: String,
}

/// Options of `sklad backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The firm's id.
    #[arg(long)]
    pub firm: i64,
    /// File to write (overwritten).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// Options of `sklad restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Archive made by `sklad backup` or downloaded from the server.
    #[arg(long, value_name = "FILE")]
    pub file: PathBuf,
    /// Login of the user who becomes the new firm's owner.
    #[arg(long)]
    pub owner: String,
    /// The new firm's name; the archived name when absent.
    #[arg(long)]
    pub name: Option<String>,
}

/// Options of `sklad euro-changeover`.
#[derive(Debug, Args)]
pub struct EuroChangeoverArgs {
    /// The firm's id.
    #[arg(long)]
    pub firm: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_the_documented_commands() {
        let cli = Cli::try_parse_from([
            "sklad",
            "firm",
            "create",
            "--name",
            "Пример",
            "--eik",
            "831826092",
            "--currency",
            "bgn",
            "--seats",
            "3",
        ])
        .unwrap();
        match cli.command {
            Command::Firm(FirmCommand::Create(args)) => {
                assert_eq!(args.currency, CurrencyArg::Bgn);
                assert_eq!(args.seats, 3);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(Cli::try_parse_from(["sklad", "firm", "create", "--currency", "usd"]).is_err());
    }
}
