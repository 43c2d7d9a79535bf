//! The administration commands of the `rainstaff-server` binary, writing what they report to
//! `out` so tests can read it. Each opens the store `--db` named (`Opened`) and runs the same
//! service code on either backend; only backups and restores differ, as a SQLite file is copied
//! by the server and a PostgreSQL database by PostgreSQL's own tools.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::quote::printable;
use rainstaff_core::regions;
use uuid::Uuid;

use crate::auth;
use crate::backup;
use crate::error::StoreError;
use crate::http::{self, HttpConfig};
use crate::service::{Role, Server};
use crate::store::url::Database;
use crate::store::{PgStore, SqliteStore, Store};

/// The service over the store `--db` named.
pub enum Opened {
    Sqlite(Server<SqliteStore>),
    Postgres(Server<PgStore>),
}

/// Runs `$body` with `$server` bound to the opened service, whichever store it runs on.
macro_rules! with_server {
    ($opened:expr, |$server:ident| $body:expr) => {
        match $opened {
            Opened::Sqlite($server) => $body,
            Opened::Postgres($server) => $body,
        }
    };
}

impl Opened {
    /// Opens the database, creating it (a file, or the tables in an empty PostgreSQL database).
    pub fn open(db: &Database) -> Result<Self, StoreError> {
        Ok(match db {
            Database::Sqlite(path) => Self::Sqlite(Server::open(path)?),
            Database::Postgres(url) => Self::Postgres(Server::new(PgStore::open(url)?)),
        })
    }

    /// Opens an existing database; a missing one is an error.
    pub fn open_existing(db: &Database) -> Result<Self, StoreError> {
        Ok(match db {
            Database::Sqlite(path) => Self::Sqlite(Server::open_existing(path)?),
            Database::Postgres(url) => Self::Postgres(Server::new(PgStore::open_existing(url)?)),
        })
    }
}

/// Creates the database and its first administrator.
pub fn init(
    db: &Database,
    username: &str,
    password_file: Option<&Path>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let password = read_password(password_file, "Administrator password: ")?;
    // Before the database exists: a refused password must not leave an empty file behind.
    auth::check_password(&password)?;
    with_server!(Opened::open(db)?, |server| server.init_admin(username, &password))?;
    writeln!(out, "Created {db} with administrator {:?}.", username.trim())?;
    Ok(())
}

fn read_secret_file(file: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    Ok(text.trim_end_matches(['\r', '\n']).to_string())
}

/// A password from `file`, or asked twice on the terminal with `prompt` (and checked at once, so a
/// short one is refused before anything else happens).
fn read_password(file: Option<&Path>, prompt: &str) -> anyhow::Result<String> {
    let Some(file) = file else {
        let password = prompt_twice(prompt, "Repeat the password: ")?;
        auth::check_password(&password)?;
        return Ok(password);
    };
    read_secret_file(file)
}

fn prompt_twice(first: &str, again: &str) -> anyhow::Result<String> {
    let no_terminal = "cannot read from the terminal; pass the secret in a file instead";
    let secret = rpassword::prompt_password(first).context(no_terminal)?;
    if rpassword::prompt_password(again).context(no_terminal)? != secret {
        bail!("the two entries differ");
    }
    Ok(secret)
}

/// Sets the key legacy PCs must send with their uploads, from `key_file` or the terminal.
pub fn legacy_key_set(db: &Database, key_file: Option<&Path>, out: &mut impl Write) -> anyhow::Result<()> {
    let key = match key_file {
        Some(file) => read_secret_file(file)?,
        None => prompt_twice("Legacy API key: ", "Repeat the key: ")?,
    };
    with_server!(Opened::open_existing(db)?, |server| server.set_legacy_key(Some(&key)))?;
    writeln!(out, "Legacy uploads are accepted with this key (only its hash is stored).")?;
    Ok(())
}

pub fn legacy_key_clear(db: &Database, out: &mut impl Write) -> anyhow::Result<()> {
    with_server!(Opened::open_existing(db)?, |server| server.set_legacy_key(None))?;
    writeln!(out, "Legacy uploads are switched off.")?;
    Ok(())
}

/// Sets the puantaj letters from `set` (each `name=letter`), after going back to the defaults
/// when `reset`, and prints every letter in force: name, letter, meaning.
pub fn puantaj_letters(
    db: &Database,
    set: &[String],
    reset: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut asked = std::collections::BTreeMap::new();
    for item in set {
        let (name, letter) = item
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--set {item}: write it as name=letter (e.g. annual=Yİ)"))?;
        asked.insert(name.trim().to_string(), letter.to_string());
    }
    let letters =
        with_server!(Opened::open_existing(db)?, |server| server.set_puantaj_letters(&asked, reset))?;
    for name in rainstaff_core::puantaj::Letters::names() {
        let meaning = rainstaff_core::puantaj::Letters::meaning(name).tr;
        writeln!(out, "{name}\t{}\t{meaning}", letters.get(name))?;
    }
    Ok(())
}

/// Loads a legacy file (see `Server::import_legacy_file`) and prints the report as JSON.
pub fn import_legacy(db: &Database, file: &Path, region: &str, out: &mut impl Write) -> anyhow::Result<()> {
    if !file.is_file() {
        bail!("{}: no such file", file.display());
    }
    let report = with_server!(Opened::open_existing(db)?, |server| server.import_legacy_file(file, region))?;
    writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    Ok(())
}

/// Issues a one-time enrollment code; the code is the last word printed.
pub fn enroll_code(db: &Database, region: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let issued = with_server!(Opened::open_existing(db)?, |server| server.create_enroll_code(region))?;
    let scope = if issued.region == ALL_REGIONS {
        "an administrator's computer (all regions)".to_string()
    } else {
        format!("a computer of {}", regions::display_name(&issued.region))
    };
    writeln!(out, "One-time code for {scope}, valid until {}: {}", issued.expires_at, issued.code)?;
    Ok(())
}

pub fn devices(db: &Database, out: &mut impl Write) -> anyhow::Result<()> {
    let devices = with_server!(Opened::open_existing(db)?, |server| server.devices())?;
    if devices.is_empty() {
        writeln!(out, "No devices are enrolled.")?;
        return Ok(());
    }
    writeln!(
        out,
        "{:<36}  {:<20}  {:<10}  {:<7}  {:<24}  {:<24}  {:>8}  {:>8}  {:>6}",
        "DEVICE", "NAME", "REGION", "STATE", "LAST PUSH", "LAST PULL", "MUTATION", "CURSOR", "LAG"
    )?;
    for d in devices {
        writeln!(
            out,
            "{:<36}  {:<20}  {:<10}  {:<7}  {:<24}  {:<24}  {:>8}  {:>8}  {:>6}",
            d.device_id,
            // A PC names itself when it enrolls: what it chose must not reach the terminal raw.
            printable(&d.name),
            d.region,
            if d.revoked { "revoked" } else { "active" },
            d.last_push_at.as_deref().unwrap_or("-"),
            d.last_pull_at.as_deref().unwrap_or("-"),
            d.last_mutation_id,
            d.cursor,
            d.lag
        )?;
    }
    Ok(())
}

pub fn revoke(db: &Database, device: Uuid, out: &mut impl Write) -> anyhow::Result<()> {
    with_server!(Opened::open_existing(db)?, |server| server.revoke(device))?;
    writeln!(out, "Revoked {device}; its token no longer works.")?;
    Ok(())
}

/// Adds a server user; the password comes from `password_file` or the terminal.
pub fn user_add(
    db: &Database,
    username: &str,
    role: Role,
    region: Option<&str>,
    password_file: Option<&Path>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    // Opened first: a wrong --db is told before anybody types a password.
    let opened = Opened::open_existing(db)?;
    let password = read_password(password_file, &format!("Password for {}: ", printable(username.trim())))?;
    let user = with_server!(opened, |server| server.add_user(username, role, region, &password))?;
    let scope = match Role::of(&user) {
        Role::Admin => "all regions".to_string(),
        Role::Manager => regions::display_name(&user.region).to_string(),
    };
    writeln!(out, "Added {} {:?} ({scope}).", Role::of(&user), user.username)?;
    Ok(())
}

/// One line per user; the password hashes are never read, let alone printed.
pub fn user_list(db: &Database, out: &mut impl Write) -> anyhow::Result<()> {
    let users = with_server!(Opened::open_existing(db)?, |server| server.users())?;
    if users.is_empty() {
        writeln!(out, "No users.")?;
        return Ok(());
    }
    writeln!(
        out,
        "{:<20}  {:<7}  {:<10}  {:<24}  {:<8}  DISABLED",
        "USERNAME", "ROLE", "REGION", "CREATED", "STATE"
    )?;
    for u in users {
        writeln!(
            out,
            "{:<20}  {:<7}  {:<10}  {:<24}  {:<8}  {}",
            printable(&u.username),
            Role::of(&u),
            u.region,
            u.created_at,
            if u.disabled_at.is_some() { "disabled" } else { "active" },
            u.disabled_at.as_deref().unwrap_or("-"),
        )?;
    }
    Ok(())
}

pub fn user_disable(db: &Database, username: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let user = with_server!(Opened::open_existing(db)?, |server| server.disable_user(username))?;
    let at = user.disabled_at.as_deref().unwrap_or("-");
    writeln!(out, "User {:?} is disabled (since {at}).", user.username)?;
    Ok(())
}

/// Sets a user's new password, from `password_file` or the terminal.
pub fn user_passwd(
    db: &Database,
    username: &str,
    password_file: Option<&Path>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let opened = Opened::open_existing(db)?;
    let prompt = format!("New password for {}: ", printable(username.trim()));
    let password = read_password(password_file, &prompt)?;
    let user = with_server!(opened, |server| server.set_user_password(username, &password))?;
    writeln!(out, "Changed the password of {:?}.", user.username)?;
    Ok(())
}

/// Writes a backup to `dest`, or into the backups folder (with retention) when no `dest` is given.
pub fn backup(db: &Database, dest: Option<&Path>, out: &mut impl Write) -> anyhow::Result<()> {
    let Database::Sqlite(db) = db else { bail!(PG_BACKUPS) };
    let server = Server::open_existing(db)?;
    let path = match dest {
        Some(dest) => {
            if dest.exists() {
                bail!("{} already exists; choose a new file", dest.display());
            }
            server.backup_to(dest)?;
            dest.to_path_buf()
        }
        None => backup::backup_into_dir(&server, &backup::backups_dir(db), backup::KEEP)?,
    };
    writeln!(out, "Backup written to {}", path.display())?;
    Ok(())
}

/// Puts a backup in place of the database (the server must be stopped). The replaced file is
/// kept beside it; devices rejoin the restored server by themselves at their next sync.
pub fn restore(db: &Database, from: &Path, out: &mut impl Write) -> anyhow::Result<()> {
    let Database::Sqlite(db) = db else { bail!(PG_BACKUPS) };
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let restored = crate::store::sqlite::restore::restore(db, from, &stamp)?;
    writeln!(out, "Restored {} into {}.", from.display(), db.display())?;
    if let Some(previous) = &restored.previous {
        writeln!(out, "The replaced database was kept as {}.", previous.display())?;
    }
    if restored.devices_carried > 0 {
        writeln!(
            out,
            "{} computer(s) enrolled after the backup keep their access.",
            restored.devices_carried
        )?;
    }
    writeln!(
        out,
        "New epoch {} from change {}: every computer sends back what the backup lacks at its next sync.",
        restored.epoch, restored.base_seq
    )?;
    Ok(())
}

/// Why `backup` and `restore` refuse a PostgreSQL database, and what to do instead.
const PG_BACKUPS: &str = "a PostgreSQL database is backed up and restored with PostgreSQL's tools \
    (pg_dump / pg_restore, or continuous archiving); after a restore run `rainstaff-server --db URL \
    new-epoch` so every computer rejoins (docs/IT.md, \"Scaling out\")";

/// Starts a new epoch on a database restored outside rainstaff-server (pg_restore, PITR, a file
/// copied back by hand): every computer notices at its next sync and sends back what the restored
/// database lacks, as after `restore`.
pub fn new_epoch(db: &Database, out: &mut impl Write) -> anyhow::Result<()> {
    let epoch = with_server!(Opened::open_existing(db)?, |server| server.start_new_epoch())?;
    writeln!(
        out,
        "New epoch {} from change {}: every computer sends back what the database lacks at its next sync.",
        epoch.id, epoch.base_seq
    )?;
    Ok(())
}

pub struct ServeOptions {
    pub listen: SocketAddr,
    pub tls: Option<(PathBuf, PathBuf)>,
    pub http: HttpConfig,
}

/// Serves until SIGTERM or Ctrl-C, with a daily backup next to a SQLite database (PostgreSQL's
/// are PostgreSQL's business). Prints `listening on URL` once the port is bound.
pub async fn serve(db: &Database, options: ServeOptions, out: &mut impl Write) -> anyhow::Result<()> {
    match (Opened::open_existing(db)?, db) {
        (Opened::Sqlite(server), Database::Sqlite(path)) => {
            serve_store(Arc::new(server), Some(backup::backups_dir(path)), options, out).await
        }
        (opened, _) => with_server!(opened, |server| serve_store(Arc::new(server), None, options, out).await),
    }
}

async fn serve_store<S: Store>(
    server: Arc<Server<S>>,
    backups: Option<PathBuf>,
    options: ServeOptions,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let tls = match &options.tls {
        Some((cert, key)) => Some(http::tls_acceptor(cert, key).await.with_context(|| {
            format!("cannot load TLS certificate {} / key {}", cert.display(), key.display())
        })?),
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .with_context(|| format!("cannot listen on {}", options.listen))?;
    let addr = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    if tls.is_none() && !addr.ip().is_loopback() {
        tracing::warn!(%addr, "serving plain HTTP beyond loopback; use --tls-cert and --tls-key");
    }
    let backups = backups.map(|dir| backup::spawn_daily(server.clone(), dir));
    writeln!(out, "listening on {scheme}://{addr}")?;
    out.flush()?;
    tracing::info!(%addr, scheme, "serving");
    let result = http::serve(listener, server, options.http, tls, shutdown_signal()).await;
    if let Some(backups) = backups {
        backups.abort();
    }
    result.context("server stopped with an error")?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutdown signal received; finishing open requests");
}
