//! The administration commands of the `rainstaff-server` binary, writing what they report to
//! `out` so tests can read it.

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
use crate::http::{self, HttpConfig};
use crate::service::Server;

/// Creates the database and its first administrator.
pub fn init(
    db: &Path,
    username: &str,
    password_file: Option<&Path>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let password = match password_file {
        Some(file) => read_secret_file(file)?,
        None => prompt_password()?,
    };
    // Before the database exists: a refused password must not leave an empty file behind.
    auth::check_password(&password)?;
    let server = Server::open(db)?;
    server.init_admin(username, &password)?;
    writeln!(out, "Created {} with administrator {:?}.", db.display(), username.trim())?;
    Ok(())
}

fn read_secret_file(file: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    Ok(text.trim_end_matches(['\r', '\n']).to_string())
}

fn prompt_password() -> anyhow::Result<String> {
    let password = prompt_twice("Administrator password: ", "Repeat the password: ")?;
    auth::check_password(&password)?;
    Ok(password)
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
pub fn legacy_key_set(db: &Path, key_file: Option<&Path>, out: &mut impl Write) -> anyhow::Result<()> {
    let key = match key_file {
        Some(file) => read_secret_file(file)?,
        None => prompt_twice("Legacy API key: ", "Repeat the key: ")?,
    };
    Server::open_existing(db)?.set_legacy_key(Some(&key))?;
    writeln!(out, "Legacy uploads are accepted with this key (only its hash is stored).")?;
    Ok(())
}

pub fn legacy_key_clear(db: &Path, out: &mut impl Write) -> anyhow::Result<()> {
    Server::open_existing(db)?.set_legacy_key(None)?;
    writeln!(out, "Legacy uploads are switched off.")?;
    Ok(())
}

/// Loads a legacy file (see `Server::import_legacy_file`) and prints the report as JSON.
pub fn import_legacy(db: &Path, file: &Path, region: &str, out: &mut impl Write) -> anyhow::Result<()> {
    if !file.is_file() {
        bail!("{}: no such file", file.display());
    }
    let report = Server::open_existing(db)?.import_legacy_file(file, region)?;
    writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    Ok(())
}

/// Issues a one-time enrollment code; the code is the last word printed.
pub fn enroll_code(db: &Path, region: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let server = Server::open_existing(db)?;
    let issued = server.create_enroll_code(region)?;
    let scope = if issued.region == ALL_REGIONS {
        "an administrator's computer (all regions)".to_string()
    } else {
        format!("a computer of {}", regions::display_name(&issued.region))
    };
    writeln!(out, "One-time code for {scope}, valid until {}: {}", issued.expires_at, issued.code)?;
    Ok(())
}

pub fn devices(db: &Path, out: &mut impl Write) -> anyhow::Result<()> {
    let server = Server::open_existing(db)?;
    let devices = server.devices()?;
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

pub fn revoke(db: &Path, device: Uuid, out: &mut impl Write) -> anyhow::Result<()> {
    let server = Server::open_existing(db)?;
    server.revoke(device)?;
    writeln!(out, "Revoked {device}; its token no longer works.")?;
    Ok(())
}

/// Writes a backup to `dest`, or into the backups folder (with retention) when no `dest` is given.
pub fn backup(db: &Path, dest: Option<&Path>, out: &mut impl Write) -> anyhow::Result<()> {
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
pub fn restore(db: &Path, from: &Path, out: &mut impl Write) -> anyhow::Result<()> {
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

pub struct ServeOptions {
    pub listen: SocketAddr,
    pub tls: Option<(PathBuf, PathBuf)>,
    pub http: HttpConfig,
}

/// Serves until SIGTERM or Ctrl-C, with a daily backup next to the database. Prints
/// `listening on URL` once the port is bound.
pub async fn serve(db: &Path, options: ServeOptions, out: &mut impl Write) -> anyhow::Result<()> {
    let server = Arc::new(Server::open_existing(db)?);
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
    let backups = backup::spawn_daily(server.clone(), backup::backups_dir(db));
    writeln!(out, "listening on {scheme}://{addr}")?;
    out.flush()?;
    tracing::info!(%addr, scheme, "serving");
    let result = http::serve(listener, server, options.http, tls, shutdown_signal()).await;
    backups.abort();
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
