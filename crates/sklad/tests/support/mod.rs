//! Running the built `sklad` binary in tests: one command on a data directory (and
//! optionally a database URL), its output checked, and `sklad serve` on a loopback
//! port that is stopped when the test ends.

#![allow(dead_code)]

pub mod shop;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

/// `sklad` with `data_dir` as its data directory and nothing from the caller's
/// environment that would point it elsewhere.
fn command(data_dir: &Path, database_url: Option<&str>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sklad"));
    command
        .env("SKLAD_DATA_DIR", data_dir)
        .env_remove("SKLAD_DATABASE_URL")
        .env_remove("SKLAD_CONFIG")
        .env_remove("SKLAD_LISTEN")
        .env_remove("SKLAD_LOG_FORMAT");
    if let Some(url) = database_url {
        command.env("SKLAD_DATABASE_URL", url);
    }
    command
}

/// Runs `sklad args…` on the embedded SQLite database of `data_dir`.
pub fn sklad(data_dir: &Path, args: &[&str]) -> Output {
    sklad_on(data_dir, None, args)
}

/// Runs `sklad args…` on `database_url`, or on the embedded database when `None`.
pub fn sklad_on(data_dir: &Path, database_url: Option<&str>, args: &[&str]) -> Output {
    command(data_dir, database_url)
        .args(args)
        .output()
        .expect("run sklad")
}

/// The standard output of a run that must have succeeded.
pub fn ok(output: Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "sklad failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The value of `key=` in the output's summary line.
pub fn value(stdout: &str, key: &str) -> String {
    let marker = format!("{key}=");
    stdout
        .split_whitespace()
        .find_map(|word| word.strip_prefix(&marker))
        .unwrap_or_else(|| panic!("no {key}= in {stdout}"))
        .to_owned()
}

/// The id `key=` in the output's summary line.
pub fn id(stdout: &str, key: &str) -> i64 {
    value(stdout, key)
        .parse()
        .unwrap_or_else(|_| panic!("{key}= is not an id in {stdout}"))
}

/// A running `sklad serve`, killed when dropped, however the test ends.
pub struct Server {
    child: Child,
    /// What it printed up to "Спиране / Stop".
    pub banner: String,
    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Starts `sklad serve` on a free loopback port over `data_dir` and reads its banner.
pub fn serve(data_dir: &Path) -> Server {
    start_serve(command(data_dir, None), "127.0.0.1:0", Stdio::null())
}

/// [`serve`] with its standard error closed as soon as it has started (a supervisor
/// gone, a terminal closed): its log lines have nowhere to go.
pub fn serve_with_stderr_closed(data_dir: &Path) -> Server {
    let mut server = start_serve(command(data_dir, None), "127.0.0.1:0", Stdio::piped());
    drop(server.child.stderr.take());
    server
}

/// [`serve`] on `listen` (`127.0.0.1:0` for any free port), with the server's log lines
/// (stderr) sent to the receiver as they come.
pub fn serve_logged(data_dir: &Path, listen: &str) -> (Server, std::sync::mpsc::Receiver<String>) {
    serve_logged_on(data_dir, None, listen)
}

/// [`serve_logged`] on `database_url` (the embedded database when `None`).
pub fn serve_logged_on(
    data_dir: &Path,
    database_url: Option<&str>,
    listen: &str,
) -> (Server, std::sync::mpsc::Receiver<String>) {
    logged(start_serve(
        command(data_dir, database_url),
        listen,
        Stdio::piped(),
    ))
}

/// [`serve_logged`] with these environment variables set (e.g. `SKLAD_LOG_FORMAT=json`).
pub fn serve_logged_with(
    data_dir: &Path,
    env: &[(&str, &str)],
) -> (Server, std::sync::mpsc::Receiver<String>) {
    let mut command = command(data_dir, None);
    command.envs(env.iter().copied());
    logged(start_serve(command, "127.0.0.1:0", Stdio::piped()))
}

/// The server with a thread passing its log lines (stderr) to the receiver.
fn logged(mut server: Server) -> (Server, std::sync::mpsc::Receiver<String>) {
    let stderr = server.child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    // Drains the pipe until the server exits, even once nobody listens: a closed pipe
    // would fail the server's next log line.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (server, rx)
}

/// Waits (at most `within`) for a log line containing every one of `words`.
pub fn wait_for_log(
    log: &std::sync::mpsc::Receiver<String>,
    words: &[&str],
    within: std::time::Duration,
) -> String {
    let deadline = std::time::Instant::now() + within;
    let mut seen: Vec<String> = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match log.recv_timeout(left) {
            Ok(line) if words.iter().all(|w| line.contains(w)) => return line,
            Ok(line) => seen.push(line),
            Err(_) => panic!(
                "no log line with {words:?} within {within:?}; the last ones:\n{}",
                seen[seen.len().saturating_sub(15)..].join("\n")
            ),
        }
    }
}

fn start_serve(mut command: Command, listen: &str, stderr: Stdio) -> Server {
    let mut child = command
        .args(["serve", "--listen", listen])
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("start sklad serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut server = Server {
        child,
        banner: String::new(),
        url: String::new(),
    };
    let mut lines = BufReader::new(stdout).lines();
    // The banner is a handful of lines; EOF ends the loop if the server fails.
    for line in lines.by_ref().take(12) {
        let line = line.expect("line");
        let done = line.starts_with("Спиране");
        server.banner.push_str(&line);
        server.banner.push('\n');
        if done {
            break;
        }
    }
    // Keep reading until the server exits: a closed pipe would fail its next print.
    std::thread::spawn(move || lines.for_each(drop));
    server.url = server
        .banner
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {}", server.banner))
        .trim_end_matches('/')
        .to_owned();
    server
}
