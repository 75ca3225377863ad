//! `academy user`: bootstrapping the first program admin, and adding people from the shell.

use academy_app::people::{self, NewPerson};
use academy_core::Email;
use academy_core::access::Role;
use academy_core::password::NewPassword;
use academy_core::user::DisplayName;
use academy_store::users;
use anyhow::{Context, bail};
use clap::Subcommand;
use std::io::{BufRead, IsTerminal};
use std::path::Path;

/// User commands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Creates a person with a role (or grants the role if they already exist).
    Create {
        /// Their email address.
        #[arg(long)]
        email: String,
        /// teacher, facilitator, org-admin, program-admin or researcher.
        #[arg(long)]
        role: String,
        /// Their name (default: the part of the email before @).
        #[arg(long)]
        name: Option<String>,
        /// The organization id the role applies at (default: the national root).
        #[arg(long)]
        org: Option<i64>,
        /// The national program's name, when this creates it (the first program admin).
        #[arg(long, default_value = "National program")]
        program_name: String,
        /// Read the password from standard input (one line) instead of prompting.
        #[arg(long, conflicts_with = "invite")]
        password_stdin: bool,
        /// Print a link to choose a password instead of setting one now.
        #[arg(long)]
        invite: bool,
    },
}

/// Runs a user command.
pub async fn run(config_file: Option<&Path>, command: UserCommand) -> anyhow::Result<()> {
    let app = crate::open_app(config_file, &[]).await?;
    let UserCommand::Create { email, role, name, org, program_name, password_stdin, invite } = command;
    let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let role = Role::try_from(role).map_err(|e| anyhow::anyhow!("--role: {e}"))?;
    let default_name = email.as_str().split('@').next().unwrap_or("Admin").to_owned();
    let name =
        DisplayName::parse(name.as_deref().unwrap_or(&default_name)).map_err(|e| anyhow::anyhow!("--name: {e}"))?;
    let existing = users::by_email(&app.store, &email).await?;
    let password_hash = if existing.is_some() || invite {
        None
    } else {
        let raw = read_password(password_stdin)?;
        let password = NewPassword::parse(&raw, Some(email.as_str())).map_err(|e| anyhow::anyhow!("password: {e}"))?;
        Some(tokio::task::spawn_blocking(move || password.hash()).await?.as_str().to_owned())
    };
    let new =
        NewPerson { email: email.clone(), display_name: name, role, org_id: org, program_name, password_hash, invite };
    let added = match people::add_person(&app, &new).await {
        Err(academy_app::Error::Invalid(errors)) => bail!("--{errors}"),
        Err(academy_app::Error::Refused(message)) => bail!("{message}"),
        other => other?,
    };
    let target = &added.org;
    if added.created_program {
        println!("Created the national program \"{}\".", target.name);
    }
    match (added.existed, added.granted) {
        (true, true) => println!("{email} already had an account; granted {role} at {}.", target.name),
        (true, false) => println!("{email} already holds {role} at {}; nothing changed.", target.name),
        (false, _) => println!("Created {email} with {role} at {} (organization {}).", target.name, target.id),
    }
    if let Some(link) = added.link {
        println!("They choose a password here (valid {} days): {link}", people::CLI_INVITATION_DAYS);
    }
    app.store.close().await;
    Ok(())
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    if !std::io::stdin().is_terminal() {
        bail!("no terminal to ask for a password: use --password-stdin, or --invite to print a set-password link");
    }
    let first = rpassword::prompt_password("Password (at least 12 characters): ")?;
    let second = rpassword::prompt_password("Same password again: ")?;
    if first != second {
        bail!("the two passwords are not the same");
    }
    Ok(first)
}
