//! `academy user`: bootstrapping the first program admin, and adding people from the shell.

use academy_core::access::Role;
use academy_core::org::NewOrg;
use academy_core::password::NewPassword;
use academy_core::token::SecretToken;
use academy_core::user::{DisplayName, NewUser};
use academy_core::{Email, OrgKind, time};
use academy_store::sessions::{self, TokenPurpose};
use academy_store::{audit, orgs, users};
use anyhow::{Context, bail};
use chrono::Duration;
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
    let config = crate::load_config(config_file, &[])?;
    crate::init_logging(&config, false);
    let store = crate::open_store(&config).await?;
    let UserCommand::Create { email, role, name, org, program_name, password_stdin, invite } = command;
    let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let role = Role::try_from(role).map_err(|e| anyhow::anyhow!("--role: {e}"))?;
    let default_name = email.as_str().split('@').next().unwrap_or("Admin").to_owned();
    let name =
        DisplayName::parse(name.as_deref().unwrap_or(&default_name)).map_err(|e| anyhow::anyhow!("--name: {e}"))?;
    let existing = users::by_email(&store, &email).await?;

    let password_hash = if existing.is_some() || invite {
        None
    } else {
        let raw = read_password(password_stdin)?;
        let password = NewPassword::parse(&raw, Some(email.as_str())).map_err(|e| anyhow::anyhow!("password: {e}"))?;
        Some(tokio::task::spawn_blocking(move || password.hash()).await?.as_str().to_owned())
    };

    let now = time::now();
    let mut tx = store.begin().await?;
    let target = match org {
        Some(id) => orgs::get(&mut tx, id).await?.with_context(|| format!("--org: there is no organization {id}"))?,
        None => match orgs::root(&mut tx).await? {
            Some(root) => root,
            None if role == Role::ProgramAdmin => {
                let root = NewOrg {
                    parent_id: None,
                    kind: OrgKind::National,
                    name: program_name.trim().to_owned(),
                    state: None,
                    nces_id: None,
                    locale: None,
                    title_i: None,
                };
                println!("Created the national program \"{}\".", root.name);
                orgs::create(&mut tx, &root, now).await?
            }
            None => {
                bail!("there is no national program yet; create the first program admin first (--role program-admin)")
            }
        },
    };
    let user_id = match &existing {
        Some(user) => user.id,
        None => {
            let new =
                NewUser { email: email.clone(), display_name: name, password_hash, school_id: None, local_id: None };
            users::create(&mut tx, &new, now).await?
        }
    };
    let granted = users::add_grant(&mut tx, user_id, target.id, role, None, now).await?;
    audit::record(
        &mut tx,
        None,
        "grant.add",
        &format!("user:{user_id}"),
        Some(&format!("{role} at {} (CLI)", target.name)),
        now,
    )
    .await?;
    let link = if invite && existing.is_none() {
        let token = SecretToken::generate();
        sessions::create_account_token(
            &mut tx,
            &token.hash(),
            user_id,
            TokenPurpose::Invitation,
            now,
            now + Duration::days(14),
        )
        .await?;
        Some(config.link(&format!("/invitations/{}", token.expose())))
    } else {
        None
    };
    tx.commit().await?;

    match (existing.is_some(), granted) {
        (true, true) => println!("{email} already had an account; granted {role} at {}.", target.name),
        (true, false) => println!("{email} already holds {role} at {}; nothing changed.", target.name),
        (false, _) => println!("Created {email} with {role} at {} (organization {}).", target.name, target.id),
    }
    if let Some(link) = link {
        println!("They choose a password here (valid 14 days): {link}");
    }
    store.close().await;
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
