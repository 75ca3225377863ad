//! `academy serve`.

use academy_app::App;
use academy_app::demo::{self, ACCOUNTS, DEMO_PASSWORD, DemoOutcome};
use academy_web::Server;
use clap::Args;
use std::path::Path;

/// Flags of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Load the demo program into an empty database (harmless on later starts).
    #[arg(long)]
    demo: bool,
    /// Address and port to listen on (default 127.0.0.1:8080, or ACADEMY_BIND).
    #[arg(long)]
    bind: Option<String>,
}

/// Starts the server and serves until interrupted.
pub async fn run(config_file: Option<&Path>, args: ServeArgs) -> anyhow::Result<()> {
    let overrides: Vec<(&str, String)> = args.bind.map(|b| ("bind", b)).into_iter().collect();
    let config = crate::load_config(config_file, &overrides)?;
    crate::init_logging(&config, true);
    let store = academy_app::open_store(&config).await?;
    let uses_smtp = config.smtp.is_some();
    let database = config.database_url_redacted();
    let server = Server::start_with_store(config, store).await?;
    let app: &App = &server.state.app;
    let outcome = if args.demo { Some(demo::load(app).await?) } else { None };
    println!("Academy is running at {}", app.config.public_url);
    if app.config.public_url.home_page() != server.url() {
        println!("(listening on {})", server.addr);
    }
    println!("Database: {database}");
    match outcome {
        Some(DemoOutcome::Loaded | DemoOutcome::AlreadyPresent) => {
            if outcome == Some(DemoOutcome::Loaded) {
                println!("The demo program was loaded.");
            }
            println!("Demo accounts (password: {DEMO_PASSWORD}):");
            for account in ACCOUNTS {
                println!("  {:<28} {}", account.email, account.role);
            }
        }
        Some(DemoOutcome::OtherProgramPresent) => {
            println!("This database already holds a program, so the demo was not loaded.");
        }
        None => {}
    }
    if !uses_smtp {
        println!(
            "Mail: no SMTP relay configured; messages go to the outbox (/admin/outbox, or `academy outbox list`)."
        );
    }
    println!("Press Ctrl-C to stop.");
    server.run_until_signal().await;
    Ok(())
}
