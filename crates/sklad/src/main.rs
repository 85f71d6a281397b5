//! `sklad`: the Sklad warehouse back office from the command line — run the demo, serve the pages
//! and REST API, migrate, administer firms, users and tokens, back up and restore.

mod cli;
mod commands;
mod demo;
mod serve;
mod shop;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // The demo tells its story on stdout; its logs stay at warnings unless asked for.
    let default_filter = match cli.command {
        cli::Command::Demo(_) => "warn",
        _ => "info,sqlx=warn",
    };
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SKLAD_LOG")
                .unwrap_or_else(|_| default_filter.into()),
        )
        .with_writer(std::io::stderr)
        // A log line that cannot be written (stderr closed) is lost, not reported with
        // `eprintln!`, which would panic the request that logged it.
        .log_internal_errors(false);
    // Human-readable lines by default; one JSON object per line for log collectors.
    if std::env::var("SKLAD_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        logs.json().with_current_span(true).init();
    } else {
        logs.init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("Грешка / Error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Грешка / Error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
