//! The `academy` command: the server and the tasks an operator runs beside it.
//!
//! - `serve [--demo] [--bind ADDR]`: the web app, job worker and housekeeping.
//! - `migrate`: applies database migrations.
//! - `user create`: bootstraps the first program admin, or adds anyone.
//! - `outbox list|show`: mail kept when no SMTP relay is configured.
//! - `import nces-ccd`: loads districts and schools from NCES CCD directory files.
//! - `course import|export`: course packages (docs/course-format.md).
//! - `credentials list|show|revoke`: issued Open Badges credentials.
//! - `secrets generate-key|rotate`: the key that seals secrets at rest.
//! - `bench web`: the shipped web benchmark.
//!
//! Configuration comes from `ACADEMY_*` environment variables, `DATABASE_URL` and an optional
//! TOML file (`--config`); see `academy --help`.

mod bench;
mod course;
mod credentials;
mod import;
mod outbox;
mod secrets;
mod serve;
mod user;

use academy_app::App;
use academy_app::config::{Config, LogFormat};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Academy: professional learning for teaching with AI.
#[derive(Debug, Parser)]
#[command(name = "academy", version, about)]
struct Cli {
    /// A TOML configuration file (its keys are the ACADEMY_* variables in lower case, without
    /// the prefix: bind, data_dir, database_url, public_url, smtp_url, mail_from, …).
    #[arg(long, global = true, env = "ACADEMY_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the server.
    Serve(serve::ServeArgs),
    /// Applies database migrations and exits.
    Migrate,
    /// Manages people.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Reads the mail outbox.
    #[command(subcommand)]
    Outbox(outbox::OutboxCommand),
    /// Imports data.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Imports and exports course packages.
    #[command(subcommand)]
    Course(course::CourseCommand),
    /// Lists, shows and revokes issued credentials.
    #[command(subcommand)]
    Credentials(credentials::CredentialsCommand),
    /// Generates and rotates the key that seals secrets at rest.
    #[command(subcommand)]
    Secrets(secrets::SecretsCommand),
    /// Runs the shipped benchmarks.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve::run(cli.config.as_deref(), args).await,
        Command::Migrate => {
            let config = load_config(cli.config.as_deref(), &[])?;
            init_logging(&config, false);
            let store = academy_app::open_store(&config).await?;
            println!("Migrations applied to {}.", config.database_url_redacted());
            store.close().await;
            Ok(())
        }
        Command::User(command) => user::run(cli.config.as_deref(), command).await,
        Command::Outbox(command) => outbox::run(cli.config.as_deref(), command).await,
        Command::Import(command) => import::run(cli.config.as_deref(), command).await,
        Command::Course(command) => course::run(cli.config.as_deref(), command).await,
        Command::Credentials(command) => credentials::run(cli.config.as_deref(), command).await,
        Command::Secrets(command) => secrets::run(cli.config.as_deref(), command).await,
        Command::Bench(command) => bench::run(command).await,
    }
}

/// Loads the configuration, with command-line overrides applied last.
pub fn load_config(file: Option<&std::path::Path>, overrides: &[(&str, String)]) -> anyhow::Result<Config> {
    Ok(Config::load_with(file, overrides)?)
}

/// The application for an operator's command: configuration loaded (with command-line
/// overrides last), logging set up, the database opened and migrated.
pub async fn open_app(file: Option<&std::path::Path>, overrides: &[(&str, String)]) -> anyhow::Result<App> {
    let config = load_config(file, overrides)?;
    init_logging(&config, false);
    let store = academy_app::open_store(&config).await?;
    App::new(store, config)
}

/// Structured logs to stderr: JSON or text per configuration; `RUST_LOG` filters. Commands
/// other than `serve` log warnings only, so their own output stays readable.
pub fn init_logging(config: &Config, server: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if server { "info,sqlx=warn,tower_http=info" } else { "warn" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match config.log_format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
