//! Configuration: defaults, then an optional TOML file, then `ACADEMY_*` environment variables
//! (and `DATABASE_URL`), each overriding the one before. Every value is checked at start-up and
//! a bad one is reported with where it came from.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use url::Url;

/// The checked configuration the server runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Where the embedded database and other files live.
    pub data_dir: PathBuf,
    /// The database to use (`sqlite://…` or `postgres://…`).
    pub database_url: String,
    /// The address people reach the server at; every link and activity IRI is built from it.
    pub public_url: PublicUrl,
    /// Whether `public_url` was derived from `bind` (and so follows the port actually bound).
    pub public_url_from_bind: bool,
    /// SMTP relay for outgoing mail; without it mail goes to the outbox.
    pub smtp: Option<Smtp>,
    /// The From address of outgoing mail.
    pub mail_from: String,
    /// Log as JSON lines (for collectors) or as text (for a terminal).
    pub log_format: LogFormat,
    /// How many jobs run at once in this process.
    pub workers: usize,
    /// Most database connections.
    pub db_max_connections: u32,
    /// Sign-in and reset attempts allowed per client address per minute (a school's shared
    /// address carries a whole workshop room).
    pub sign_in_per_minute: u32,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy_headers: bool,
    /// Days a session lasts without use.
    pub session_days: i64,
    /// How many teachers the program sets out to reach (the national dashboard's goal).
    pub goal_teachers: i64,
    /// Issue credentials as `did:web:DOMAIN` (serving `/.well-known/did.json`); `did:key`
    /// when unset.
    pub did_web_domain: Option<String>,
    /// When set, `/metrics` answers only requests with `Authorization: Bearer <token>`.
    pub metrics_token: Option<SecretSetting>,
    /// Longest wait for a request's head (also the idle time allowed between requests on one
    /// connection): slow or silent clients are closed.
    pub header_read_timeout: std::time::Duration,
    /// Most connections open at once.
    pub max_connections: usize,
    /// The key that seals secrets at rest and signs device cookies (base64, 32 bytes); when
    /// unset, the key in `secret_key_file` (made on first start).
    pub secret_key: Option<SecretSetting>,
    /// Keys sealed values may still be under, during a rotation.
    pub secret_key_previous: Vec<SecretSetting>,
    /// Where the key lives when `secret_key` is unset (`<data dir>/secret.key`).
    pub secret_key_file: PathBuf,
}

/// A secret setting: compared without leaking timing, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretSetting(String);

impl SecretSetting {
    /// The secret itself, for the one place that uses it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `presented` is the secret.
    pub fn matches(&self, presented: &str) -> bool {
        academy_core::token::digest_eq(presented, &self.0)
    }
}

impl From<&str> for SecretSetting {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl std::fmt::Debug for SecretSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// SMTP relay settings.
#[derive(Debug, Clone)]
pub struct Smtp {
    /// `smtp://user:pass@host:587` (STARTTLS), `smtps://…:465` (TLS) or
    /// `smtp://host:25?tls=none` for a local relay.
    pub url: String,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The raw settings as the providers give them, before checking.
#[derive(Debug, Deserialize, Serialize)]
struct Raw {
    bind: String,
    data_dir: PathBuf,
    database_url: Option<String>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    mail_from: String,
    log_format: LogFormat,
    workers: usize,
    db_max_connections: u32,
    sign_in_per_minute: u32,
    trust_proxy_headers: bool,
    session_days: i64,
    goal_teachers: i64,
    did_web_domain: Option<String>,
    metrics_token: Option<String>,
    header_read_timeout_seconds: u64,
    max_connections: usize,
    secret_key: Option<String>,
    secret_key_previous: Option<String>,
    secret_key_file: Option<PathBuf>,
}

impl Default for Raw {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("academy-data"),
            database_url: None,
            public_url: None,
            smtp_url: None,
            mail_from: "Academy <no-reply@academy.localhost>".into(),
            log_format: LogFormat::Text,
            workers: 2,
            db_max_connections: 16,
            sign_in_per_minute: 120,
            trust_proxy_headers: false,
            session_days: 7,
            goal_teachers: 400_000,
            did_web_domain: None,
            metrics_token: None,
            header_read_timeout_seconds: 20,
            max_connections: 1024,
            secret_key: None,
            secret_key_previous: None,
            secret_key_file: None,
        }
    }
}

/// A configuration problem, naming the setting and where its value came from.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl Config {
    /// Loads from `file` (when given, it must exist), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_with(file, &[])
    }

    /// Like [`Config::load`], with `overrides` (from command-line flags) applied last.
    pub fn load_with(file: Option<&Path>, overrides: &[(&str, String)]) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Raw::default()));
        if let Some(file) = file {
            if !file.is_file() {
                return Err(ConfigError(format!("the configuration file {} does not exist", file.display())));
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        figment = figment
            .merge(Env::prefixed("ACADEMY_").ignore(&["config"]))
            .merge(Env::raw().only(&["DATABASE_URL"]).map(|_| "database_url".into()));
        for (key, value) in overrides {
            figment = figment.merge((*key, value.clone()));
        }
        Self::from_figment(figment)
    }

    /// Checks the settings a figment holds.
    pub fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let raw: Raw = figment.extract().map_err(|e| ConfigError(describe_figment_error(e)))?;
        Self::check(raw)
    }

    /// A configuration for tests and benchmarks: a server on `bind` with its data in `data_dir`.
    pub fn for_data_dir(data_dir: &Path, database_url: Option<String>) -> Result<Self, ConfigError> {
        let raw = Raw { data_dir: data_dir.to_path_buf(), database_url, bind: "127.0.0.1:0".into(), ..Raw::default() };
        Self::check(raw)
    }

    fn check(raw: Raw) -> Result<Self, ConfigError> {
        let bind: SocketAddr = raw.bind.trim().parse().map_err(|_| {
            ConfigError(format!(
                "bind: '{}' is not an address and port such as 127.0.0.1:8080 (ACADEMY_BIND)",
                raw.bind
            ))
        })?;
        let database_url = match raw.database_url.filter(|u| !u.trim().is_empty()) {
            Some(url) => {
                let url = url.trim().to_owned();
                if !(url.starts_with("sqlite:") || url.starts_with("postgres:") || url.starts_with("postgresql:")) {
                    return Err(ConfigError(
                        "database_url: use sqlite://FILE or postgres://USER@HOST/DB (DATABASE_URL)".into(),
                    ));
                }
                url
            }
            None => format!("sqlite://{}", raw.data_dir.join("academy.db").display()),
        };
        let public_url_from_bind = raw.public_url.as_deref().is_none_or(|u| u.trim().is_empty());
        let public_url = match raw.public_url.filter(|u| !u.trim().is_empty()) {
            Some(url) => {
                let parsed = Url::parse(url.trim())
                    .map_err(|e| ConfigError(format!("public_url: '{url}' is not a URL ({e}) (ACADEMY_PUBLIC_URL)")))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(ConfigError(format!("public_url: '{url}' must start with http:// or https://")));
                }
                parsed
            }
            None => url_for_bind(bind)?,
        };
        let smtp = match raw.smtp_url.filter(|u| !u.trim().is_empty()) {
            Some(url) => {
                let parsed = Url::parse(url.trim()).map_err(|_| {
                    ConfigError("smtp_url: not a URL; use smtp://user:pass@host:587 (ACADEMY_SMTP_URL)".into())
                })?;
                if !matches!(parsed.scheme(), "smtp" | "smtps") || parsed.host_str().is_none() {
                    return Err(ConfigError(
                        "smtp_url: use smtp://host:port or smtps://host:port (ACADEMY_SMTP_URL)".into(),
                    ));
                }
                Some(Smtp { url: url.trim().to_owned() })
            }
            None => None,
        };
        if raw.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError(format!(
                "mail_from: '{}' is not an address such as 'Academy <no-reply@example.org>' (ACADEMY_MAIL_FROM)",
                raw.mail_from
            )));
        }
        if raw.workers == 0 || raw.workers > 64 {
            return Err(ConfigError(format!(
                "workers: {} is out of range; use 1 to 64 (ACADEMY_WORKERS)",
                raw.workers
            )));
        }
        if raw.db_max_connections < 2 {
            return Err(ConfigError("db_max_connections: use at least 2 (ACADEMY_DB_MAX_CONNECTIONS)".into()));
        }
        if raw.sign_in_per_minute == 0 {
            return Err(ConfigError("sign_in_per_minute: use at least 1 (ACADEMY_SIGN_IN_PER_MINUTE)".into()));
        }
        if !(1..=90).contains(&raw.session_days) {
            return Err(ConfigError("session_days: use 1 to 90 (ACADEMY_SESSION_DAYS)".into()));
        }
        let did_web_domain = match raw.did_web_domain.map(|d| d.trim().to_lowercase()).filter(|d| !d.is_empty()) {
            Some(domain) => {
                let ok = domain.contains('.')
                    && domain
                        .split('.')
                        .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
                if !ok {
                    return Err(ConfigError(format!(
                        "did_web_domain: '{domain}' is not a domain name such as academy.example.org (ACADEMY_DID_WEB_DOMAIN)"
                    )));
                }
                Some(domain)
            }
            None => None,
        };
        let metrics_token = raw.metrics_token.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        if let Some(token) = &metrics_token
            && (token.len() < 16 || !token.chars().all(|c| c.is_ascii_graphic()))
        {
            return Err(ConfigError(
                "metrics_token: use at least 16 printable characters without spaces (ACADEMY_METRICS_TOKEN)".into(),
            ));
        }
        let secret_key = raw.secret_key.map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()).map(SecretSetting);
        let secret_key_previous = raw
            .secret_key_previous
            .iter()
            .flat_map(|keys| keys.split(','))
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| SecretSetting(k.to_owned()))
            .collect();
        let secret_key_file = raw.secret_key_file.unwrap_or_else(|| raw.data_dir.join("secret.key"));
        if !(1..=600).contains(&raw.header_read_timeout_seconds) {
            return Err(ConfigError(
                "header_read_timeout_seconds: use 1 to 600 (ACADEMY_HEADER_READ_TIMEOUT_SECONDS)".into(),
            ));
        }
        if !(1..=1_000_000).contains(&raw.max_connections) {
            return Err(ConfigError("max_connections: use 1 to 1000000 (ACADEMY_MAX_CONNECTIONS)".into()));
        }
        if raw.goal_teachers < 1 {
            return Err(ConfigError("goal_teachers: use a positive number (ACADEMY_GOAL_TEACHERS)".into()));
        }
        Ok(Self {
            bind,
            data_dir: raw.data_dir,
            database_url,
            public_url: PublicUrl(public_url),
            public_url_from_bind,
            smtp,
            mail_from: raw.mail_from,
            log_format: raw.log_format,
            workers: raw.workers,
            db_max_connections: raw.db_max_connections,
            sign_in_per_minute: raw.sign_in_per_minute,
            trust_proxy_headers: raw.trust_proxy_headers,
            session_days: raw.session_days,
            goal_teachers: raw.goal_teachers,
            did_web_domain,
            metrics_token: metrics_token.map(SecretSetting),
            header_read_timeout: std::time::Duration::from_secs(raw.header_read_timeout_seconds),
            max_connections: raw.max_connections,
            secret_key,
            secret_key_previous,
            secret_key_file,
        })
    }

    /// Records the address actually bound (port 0 becomes a real port), and the public URL
    /// with it when that was derived from the bind address.
    pub fn bound_to(&mut self, addr: SocketAddr) -> Result<(), ConfigError> {
        self.bind = addr;
        if self.public_url_from_bind {
            self.public_url = PublicUrl(url_for_bind(addr)?);
        }
        Ok(())
    }

    /// Whether people reach the server over TLS, so cookies must be `Secure`.
    pub fn is_https(&self) -> bool {
        self.public_url.is_https()
    }

    /// The embedded database's file, when the database is SQLite on disk.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        let rest = self.database_url.strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next().unwrap_or(rest);
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }

    /// The database URL with any password hidden, for logs.
    pub fn database_url_redacted(&self) -> String {
        match Url::parse(&self.database_url) {
            Ok(mut url) if url.password().is_some() => {
                let _ = url.set_password(Some("***"));
                url.to_string()
            }
            _ => self.database_url.clone(),
        }
    }
}

/// The address people reach the server at. Every absolute link (in mail, credentials,
/// calendar files) and every xAPI activity IRI and account home page is built here, so they
/// all agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl(Url);

impl PublicUrl {
    /// Wraps a checked `http` or `https` URL.
    pub fn new(url: Url) -> Self {
        Self(url)
    }

    /// The URL.
    pub fn url(&self) -> &Url {
        &self.0
    }

    /// The URL as text, with its trailing slash (`https://academy.example.org/`).
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The base without a trailing slash: the home page of learners' xAPI accounts and the
    /// base of activity IRIs.
    pub fn home_page(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    /// An absolute link to a path on this server (`path` starts with `/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.home_page())
    }

    /// Whether people reach the server over TLS.
    pub fn is_https(&self) -> bool {
        self.0.scheme() == "https"
    }

    /// The host name, for identifiers such as calendar UIDs.
    pub fn host(&self) -> &str {
        self.0.host_str().unwrap_or("academy")
    }
}

impl std::fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Creates the data directory (and its parents) if it is missing, readable by its owner only
/// (mode 0700): it holds the database and the secret key.
pub fn create_data_dir(dir: &Path) -> anyhow::Result<()> {
    use anyhow::Context;
    std::fs::create_dir_all(dir).with_context(|| format!("creating the data directory {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("making the data directory {} private", dir.display()))?;
    }
    Ok(())
}

/// Writes a new file readable by its owner only (mode 0600); an existing file is refused.
pub fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents)
}

/// Makes an existing file readable by its owner only (mode 0600), or creates it empty so.
/// SQLite gives its `-wal` and `-shm` files the database file's mode.
pub fn ensure_private_file(path: &Path) -> std::io::Result<()> {
    if !path.exists() {
        return write_private_file(path, b"");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

fn url_for_bind(bind: SocketAddr) -> Result<Url, ConfigError> {
    let host = if bind.ip().is_unspecified() { "127.0.0.1".to_owned() } else { bind.ip().to_string() };
    let host = if bind.is_ipv6() { format!("[{host}]") } else { host };
    Url::parse(&format!("http://{host}:{}", bind.port()))
        .map_err(|e| ConfigError(format!("public_url: cannot derive one from bind: {e}")))
}

fn describe_figment_error(error: figment::Error) -> String {
    error
        .into_iter()
        .map(|e| {
            let key = e.path.join(".");
            let source = e.metadata.as_ref().map(|m| m.name.to_string()).unwrap_or_default();
            let kind = e.kind.to_string();
            match (key.is_empty(), source.is_empty()) {
                (false, false) => format!("{key}: {kind} (from {source})"),
                (false, true) => format!("{key}: {kind}"),
                _ => kind,
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use figment::providers::Serialized;

    fn with(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Raw::default()));
        for (k, v) in pairs {
            figment = figment.merge((*k, *v));
        }
        Config::from_figment(figment)
    }

    #[test]
    fn defaults_give_an_embedded_database_under_academy_data() {
        let config = with(&[]).expect("defaults are valid");
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url, "sqlite://academy-data/academy.db");
        assert_eq!(config.public_url.as_str(), "http://127.0.0.1:8080/");
        assert!(!config.is_https());
        assert!(config.smtp.is_none());
    }

    #[test]
    fn bad_values_say_which_setting() {
        let err = with(&[("bind", "localhost")]).expect_err("bad bind").to_string();
        assert!(err.contains("bind") && err.contains("ACADEMY_BIND"), "{err}");
        let err = with(&[("database_url", "mysql://x")]).expect_err("bad db").to_string();
        assert!(err.contains("DATABASE_URL"), "{err}");
        let err = with(&[("public_url", "ftp://x")]).expect_err("bad url").to_string();
        assert!(err.contains("public_url"), "{err}");
        let err = with(&[("workers", "many")]).expect_err("bad type").to_string();
        assert!(err.contains("workers"), "{err}");
        let err = with(&[("mail_from", "not an address")]).expect_err("bad from").to_string();
        assert!(err.contains("mail_from"), "{err}");
        let err = with(&[("smtp_url", "http://mail")]).expect_err("bad smtp").to_string();
        assert!(err.contains("smtp_url"), "{err}");
        let err = with(&[("metrics_token", "short")]).expect_err("short token").to_string();
        assert!(err.contains("ACADEMY_METRICS_TOKEN"), "{err}");
        assert_eq!(with(&[("metrics_token", "  ")]).expect("blank is unset").metrics_token, None);
        let config = with(&[("metrics_token", "scrape-token-0123456789")]).expect("valid token");
        assert!(!format!("{config:?}").contains("scrape-token"), "the token is never printed");
    }

    #[test]
    fn the_sqlite_file_is_found_in_its_url() {
        let file = |url: &str| with(&[("database_url", url)]).expect("valid").sqlite_file();
        assert_eq!(file("sqlite://academy-data/academy.db"), Some(PathBuf::from("academy-data/academy.db")));
        assert_eq!(file("sqlite:///var/lib/academy/a.db?mode=rwc"), Some(PathBuf::from("/var/lib/academy/a.db")));
        assert_eq!(file("sqlite::memory:"), None);
        assert_eq!(file("postgres://db/academy"), None);
    }

    #[test]
    fn secret_keys_come_from_the_environment_or_a_file() {
        let config = with(&[]).expect("defaults");
        assert_eq!(config.secret_key_file, PathBuf::from("academy-data/secret.key"));
        assert!(config.secret_key.is_none() && config.secret_key_previous.is_empty());
        let config = with(&[("secret_key", "a2V5"), ("secret_key_previous", "b2xk, b2xkZXI=")]).expect("valid");
        assert_eq!(config.secret_key_previous.len(), 2);
        assert!(!format!("{config:?}").contains("a2V5"), "keys are never printed");
    }

    #[test]
    fn secrets_are_redacted_in_logs() {
        let config = with(&[("database_url", "postgres://app:hunter2@db.internal/academy")]).expect("valid");
        assert!(!config.database_url_redacted().contains("hunter2"));
        assert_eq!(config.public_url.link("/password/reset/x"), "http://127.0.0.1:8080/password/reset/x");
    }
}
