//! Project tasks, run as `cargo xtask TASK` (an alias in `.cargo/config.toml`).
//!
//! `cargo xtask test [ARGS…]` is the one command that runs the whole test suite, in stages:
//!
//! 1. `npm ci` in `tests/browser/` when `node_modules` is missing or older than
//!    `package-lock.json` (else nothing). It comes first because Rust tests use those Node
//!    packages too: academy-credentials checks its credentials with
//!    `@digitalcredentials/verifier-core`. Without npm it is skipped, or fails when
//!    `ACADEMY_REQUIRE_BROWSER=1`;
//! 2. the Rust tests: `cargo nextest run --workspace ARGS…` when cargo-nextest is installed, else
//!    `cargo test --workspace ARGS…`. Their PostgreSQL halves run when `TEST_DATABASE_URL` is
//!    set (and must, when `ACADEMY_REQUIRE_POSTGRES=1`); the environment is passed through. They
//!    include the outside API checks (openapi-spec-validator, schemathesis) when the Python
//!    tools are installed (`ACADEMY_API_TOOLS`; required with `ACADEMY_REQUIRE_API_TOOLS=1`);
//! 3. `cargo build -p academy`, the debug server binary the browser tests start;
//! 4. the browser tests: every `*.test.mjs` in `tests/browser/`, one after the other, in name
//!    order (Debian's Chromium, playwright-core and axe-core). Without `/usr/bin/chromium` they
//!    are skipped, or fail when `ACADEMY_REQUIRE_BROWSER=1`.
//!
//! Every stage runs even when an earlier one failed (the browser tests need the build), a
//! summary follows, and the exit code is non-zero when any stage failed. The binary is found in
//! `$CARGO_TARGET_DIR/debug` (default `./target/debug`). This crate uses only `std`, so it builds
//! in seconds.

use std::env;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant, SystemTime};

/// Where the browser tests expect Chromium; it never uses a downloaded browser.
const CHROMIUM: &str = "/usr/bin/chromium";
/// A browser test's exit code when Chromium is not installed.
const CHROMIUM_MISSING: i32 = 77;
/// The browser tests' folder, relative to the workspace root; each `*.test.mjs` in it is a test.
const BROWSER_DIR: &str = "tests/browser";
const BROWSER_TEST_SUFFIX: &str = ".test.mjs";

const USAGE: &str = "\
usage: cargo xtask TASK

tasks:
  test [ARGS...]   the whole test suite: npm ci in tests/browser (when due), Rust tests (cargo
                   nextest, else cargo test; ARGS are passed to it), the debug build of academy,
                   then the browser tests (every tests/browser/*.test.mjs)

environment:
  CARGO_TARGET_DIR          where cargo builds (default ./target)
  TEST_DATABASE_URL         postgres://... to run the PostgreSQL halves of the Rust tests
  ACADEMY_REQUIRE_POSTGRES  1: the Rust tests fail instead of skipping without PostgreSQL
  ACADEMY_REQUIRE_BROWSER   1: fail instead of skipping when /usr/bin/chromium, npm or the Node
                            packages of tests/browser are missing
  ACADEMY_API_TOOLS         the Python virtual environment with openapi-spec-validator and
                            schemathesis for the outside API checks (default
                            ~/.cache/academy-api-tools; .ci/run installs it)
  ACADEMY_REQUIRE_API_TOOLS 1: the outside API checks fail instead of skipping without them";

fn main() -> ExitCode {
    let mut args = env::args_os().skip(1);
    let task = args.next();
    match task.as_ref().and_then(|t| t.to_str()) {
        Some("test") => test(args.collect()),
        Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("xtask: unknown task '{other}'\n\n{USAGE}");
            ExitCode::from(2)
        }
        None if task.is_some() => {
            eprintln!("xtask: the task name is not valid UTF-8\n\n{USAGE}");
            ExitCode::from(2)
        }
        None => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// How a stage ended.
enum Outcome {
    Passed,
    Failed(String),
    Skipped(String),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Passed => f.write_str("passed"),
            Outcome::Failed(why) => write!(f, "FAILED: {why}"),
            Outcome::Skipped(why) => write!(f, "SKIPPED: {why}"),
        }
    }
}

/// One finished stage, for the summary.
struct Stage {
    name: String,
    outcome: Outcome,
    took: Duration,
}

/// The workspace and the tools the stages share.
struct Workspace {
    root: PathBuf,
    cargo: OsString,
    target_dir: PathBuf,
}

fn test(runner_args: Vec<OsString>) -> ExitCode {
    let ws = match Workspace::locate() {
        Ok(ws) => ws,
        Err(error) => {
            eprintln!("xtask: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("xtask: workspace {}, target directory {}", ws.root.display(), ws.target_dir.display());
    let mut stages = Vec::new();

    // Before the Rust tests, which use these packages too (academy-credentials runs
    // verifier-core); the browser tests after them find them installed.
    stages.push(run_stage("npm ci (tests/browser)", || npm_ci(&ws)));

    let (runner, mut cmd) = if ws.has_nextest() {
        ("cargo nextest run --workspace", ws.cargo(["nextest", "run", "--workspace"]))
    } else {
        ("cargo test --workspace", ws.cargo(["test", "--workspace"]))
    };
    cmd.args(&runner_args);
    stages.push(run_stage(&format!("Rust tests ({runner})"), || status_outcome(&mut cmd)));

    let build = run_stage("build academy (cargo build -p academy)", || {
        status_outcome(&mut ws.cargo(["build", "-p", "academy"]))
    });
    let built = matches!(build.outcome, Outcome::Passed);
    stages.push(build);

    stages.push(run_stage("browser tests (tests/browser)", || {
        if built { browser_test(&ws) } else { Outcome::Failed("not run: the academy build failed".into()) }
    }));

    summarize(&stages)
}

impl Workspace {
    fn locate() -> Result<Self, String> {
        // xtask/ sits directly in the workspace root. `cargo run` tells us where it is now; the
        // path compiled in is only a fallback, as a binary built from one clone can be reused,
        // fresh, by another that shares the target directory.
        let manifest_dir =
            env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
        let root = manifest_dir
            .parent()
            .ok_or_else(|| format!("cannot find the workspace root above {}", manifest_dir.display()))?
            .to_path_buf();
        let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        // A relative CARGO_TARGET_DIR means the same to every cargo started below, which run in
        // the root, as to the `cargo xtask` that started us: resolve it against our directory.
        let target_dir = match env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
            Some(dir) => {
                let cwd = env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
                cwd.join(dir)
            }
            None => root.join("target"),
        };
        Ok(Self { root, cargo, target_dir })
    }

    /// `cargo ARGS…` in the workspace root, with the resolved target directory.
    fn cargo<const N: usize>(&self, args: [&str; N]) -> Command {
        let mut cmd = command(&self.cargo);
        cmd.args(args).current_dir(&self.root).env("CARGO_TARGET_DIR", &self.target_dir);
        cmd
    }

    fn has_nextest(&self) -> bool {
        let mut probe = self.cargo(["nextest", "--version"]);
        probe.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
        probe.status().is_ok_and(|s| s.success())
    }

    fn academy_bin(&self) -> PathBuf {
        self.target_dir.join("debug").join(format!("academy{}", env::consts::EXE_SUFFIX))
    }
}

/// A command without the variables `cargo run` set for us (`CARGO_MANIFEST_DIR`, `CARGO_PKG_*`,
/// …). Inherited, they would differ from a plain `cargo build` in a shell, and build scripts
/// that watch them (ring's watches `CARGO_MANIFEST_DIR`) would rebuild half the tree each time
/// one alternates between the two.
fn command(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(program);
    for (name, _) in env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        let injected = matches!(name, "CARGO" | "CARGO_CRATE_NAME" | "CARGO_BIN_NAME" | "CARGO_PRIMARY_PACKAGE")
            || name.starts_with("CARGO_MANIFEST_")
            || name.starts_with("CARGO_PKG_");
        if injected {
            cmd.env_remove(name);
        }
    }
    cmd
}

fn run_stage(name: &str, body: impl FnOnce() -> Outcome) -> Stage {
    println!("\n==> xtask: {name}");
    let started = Instant::now();
    let outcome = body();
    let took = started.elapsed();
    println!("==> xtask: {name}: {outcome} ({:.1} s)", took.as_secs_f64());
    Stage { name: name.to_owned(), outcome, took }
}

/// Runs `cmd` to the end, echoing it first.
fn status_outcome(cmd: &mut Command) -> Outcome {
    println!("$ {}", describe(cmd));
    match cmd.status() {
        Ok(status) if status.success() => Outcome::Passed,
        Ok(status) => Outcome::Failed(format!("`{}` exited with {status}", describe(cmd))),
        Err(error) => Outcome::Failed(format!("cannot run `{}`: {error}", describe(cmd))),
    }
}

fn describe(cmd: &Command) -> String {
    let mut words = vec![cmd.get_program().to_string_lossy().into_owned()];
    words.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    words.join(" ")
}

fn browser_required() -> bool {
    env::var("ACADEMY_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

fn chromium_missing() -> Outcome {
    let why = format!("chromium not installed ({CHROMIUM} is missing; install it with `apt-get install chromium`)");
    if browser_required() {
        Outcome::Failed(format!("{why}, and ACADEMY_REQUIRE_BROWSER=1"))
    } else {
        Outcome::Skipped(why)
    }
}

fn browser_test(ws: &Workspace) -> Outcome {
    if !Path::new(CHROMIUM).exists() {
        return chromium_missing();
    }
    let dir = ws.root.join(BROWSER_DIR);
    if needs_npm_ci(&dir) {
        return Outcome::Failed(format!(
            "the node modules in {BROWSER_DIR} are missing or stale (see the npm ci stage)"
        ));
    }
    let tests = match browser_tests(&dir) {
        Ok(tests) if tests.is_empty() => return Outcome::Failed(format!("no *{BROWSER_TEST_SUFFIX} in {BROWSER_DIR}")),
        Ok(tests) => tests,
        Err(error) => return Outcome::Failed(format!("cannot list {}: {error}", dir.display())),
    };
    // Each file runs even when an earlier one failed; the outcome names every one that failed.
    let mut failed = Vec::new();
    for test in &tests {
        let mut node = command("node");
        node.arg(test).current_dir(&dir).env("ACADEMY_BIN", ws.academy_bin());
        println!("$ ACADEMY_BIN={} {}", ws.academy_bin().display(), describe(&node));
        match node.status() {
            Ok(status) if status.success() => {}
            Ok(status) if status.code() == Some(CHROMIUM_MISSING) => return chromium_missing(),
            Ok(status) => failed.push(format!("{test} exited with {status}")),
            Err(error) => return Outcome::Failed(format!("cannot run node (is Node.js 20 installed?): {error}")),
        }
    }
    if failed.is_empty() { Outcome::Passed } else { Outcome::Failed(failed.join("; ")) }
}

/// The browser tests: the names of the `*.test.mjs` files in `dir`, sorted.
fn browser_tests(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut tests = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else { continue };
        if name.ends_with(BROWSER_TEST_SUFFIX) && entry.file_type()?.is_file() {
            tests.push(name);
        }
    }
    tests.sort();
    Ok(tests)
}

/// Installs the Node packages of `tests/browser` with `npm ci` when due (idempotent).
fn npm_ci(ws: &Workspace) -> Outcome {
    let dir = ws.root.join(BROWSER_DIR);
    if !needs_npm_ci(&dir) {
        println!("node modules in {BROWSER_DIR} are up to date (npm ci not needed)");
        return Outcome::Passed;
    }
    let mut npm = command("npm");
    npm.args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        // playwright-core downloads nothing, but make sure no install step ever fetches a browser.
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    println!("$ {}", describe(&npm));
    match npm.status() {
        Ok(status) if status.success() => Outcome::Passed,
        Ok(status) => Outcome::Failed(format!("`{}` exited with {status}", describe(&npm))),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound && !browser_required() => {
            Outcome::Skipped("npm is not installed (Node.js 20); the Node checks will be skipped".into())
        }
        Err(error) => Outcome::Failed(format!("cannot run npm (is Node.js 20 installed?): {error}")),
    }
}

/// `npm ci` is due when `node_modules` is missing or `package-lock.json` changed since the last
/// install (npm writes `node_modules/.package-lock.json` on every install).
fn needs_npm_ci(dir: &Path) -> bool {
    let modified = |path: PathBuf| -> Option<SystemTime> { path.metadata().and_then(|m| m.modified()).ok() };
    match (modified(dir.join("package-lock.json")), modified(dir.join("node_modules/.package-lock.json"))) {
        (Some(lock), Some(installed)) => lock > installed,
        _ => true,
    }
}

fn summarize(stages: &[Stage]) -> ExitCode {
    let count = |pred: fn(&Outcome) -> bool| stages.iter().filter(|s| pred(&s.outcome)).count();
    let passed = count(|o| matches!(o, Outcome::Passed));
    let failed = count(|o| matches!(o, Outcome::Failed(_)));
    let skipped = count(|o| matches!(o, Outcome::Skipped(_)));
    let width = stages.iter().map(|s| s.name.len()).max().unwrap_or(0);
    println!("\nxtask test summary:");
    for stage in stages {
        println!("  {:<width$}  {:>6.1} s  {}", stage.name, stage.took.as_secs_f64(), stage.outcome);
    }
    println!("stages: {passed} passed, {failed} failed, {skipped} skipped");
    if failed > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
