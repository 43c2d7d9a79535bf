//! `rainstaff-server`: the sync server and its administration.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use rainstaff_server::admin::{self, ServeOptions};
use rainstaff_server::http::HttpConfig;
use rainstaff_server::ratelimit::RateLimit;
use rainstaff_server::service::Role;
use rainstaff_server::store::url::Database;
use uuid::Uuid;

#[derive(Parser)]
#[command(name = "rainstaff-server", version, about = "Rainstaff sync server and its administration")]
struct Cli {
    /// The server's database: a SQLite file's path, or a URL whose scheme picks the store
    /// (sqlite:///absolute/path, sqlite:relative/path, postgres://USER@HOST:PORT/DB).
    #[arg(long, env = "RAINSTAFF_SERVER_DB", value_name = "PATH|URL")]
    db: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the database and its first administrator.
    Init {
        /// Read the administrator's password from this file instead of asking on the terminal.
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
        #[arg(long, default_value = "admin")]
        username: String,
    },
    /// Print a one-time code (valid 24 hours) that enrolls one computer for a region.
    EnrollCode {
        /// A region such as Ankara or Istanbul, or ALL for an administrator's computer.
        #[arg(long)]
        region: String,
    },
    /// List the enrolled computers and their sync state.
    Devices,
    /// Revoke a computer's token.
    Revoke {
        /// The device id, as `devices` shows it.
        device: Uuid,
    },
    /// Serve the sync API and the web dashboard until SIGTERM or Ctrl-C.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        /// PEM certificate chain; serves HTTPS together with --tls-key.
        #[arg(long, requires = "tls_key", value_name = "FILE")]
        tls_cert: Option<PathBuf>,
        /// PEM private key.
        #[arg(long, requires = "tls_cert", value_name = "FILE")]
        tls_key: Option<PathBuf>,
        /// Requests per second one device token may make on average.
        #[arg(long, default_value_t = RateLimit::default().per_second)]
        rate_limit: f64,
        /// Requests one device token may make at once.
        #[arg(long, default_value_t = RateLimit::default().burst)]
        rate_burst: f64,
        /// Seconds after which a request is answered with a timeout.
        #[arg(long, default_value_t = HttpConfig::default().request_timeout.as_secs())]
        request_timeout: u64,
        /// Seconds a client may take to send a request's headers (and its TLS handshake); an
        /// idle connection is closed after as long.
        #[arg(long, default_value_t = HttpConfig::default().header_timeout.as_secs())]
        header_timeout: u64,
        /// Connections served at once; more wait until one closes.
        #[arg(long, default_value_t = HttpConfig::default().max_connections)]
        max_connections: usize,
        /// Browsers reach this server through a TLS reverse proxy: the dashboard's cookies are
        /// sent over TLS only (with --tls-cert they are anyway).
        #[arg(long)]
        secure_cookies: bool,
    },
    /// Manage the people who sign in to the server (administrators and regional managers), apart
    /// from the computers' device tokens.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Accept or refuse legacy PCs' whole-file uploads (POST /sync with X-API-KEY).
    LegacyKey {
        #[command(subcommand)]
        action: LegacyKeyAction,
    },
    /// Load a legacy puantaj.db into the database once, on migration day: every region's rows
    /// (or --region's only); prints the report as JSON. Loading it again changes nothing.
    ImportLegacy {
        file: PathBuf,
        /// Only this region's rows; rows the file places in no region are then its own
        /// (default: every region's rows, and the legacy default Ankara for rows without one).
        #[arg(long, default_value = rainstaff_core::protocol::ALL_REGIONS)]
        region: String,
    },
    /// Print the puantaj letters the monthly puantaj is written with (name, letter, meaning), after
    /// setting an office's own with --set.
    PuantajLetters {
        /// A letter of the office's own, as name=letter (annual=YZ, weekly_rest=H); repeatable.
        #[arg(long = "set", value_name = "NAME=LETTER")]
        set: Vec<String>,
        /// Go back to the default letters first.
        #[arg(long)]
        reset: bool,
    },
    /// Write an online backup: to --out, or into the backups folder next to the database.
    Backup {
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Put a backup in place of the database, with the server stopped; computers rejoin by themselves.
    Restore {
        /// The backup file, as `backup` wrote it.
        file: PathBuf,
    },
    /// After a database was restored by other means (pg_restore, point-in-time recovery), make
    /// every computer rejoin it at its next sync.
    NewEpoch,
}

#[derive(Subcommand)]
enum LegacyKeyAction {
    /// Set the key (read from --key-file, or asked on the terminal).
    Set {
        #[arg(long, value_name = "FILE")]
        key_file: Option<PathBuf>,
    },
    /// Switch legacy uploads off.
    Clear,
}

#[derive(Subcommand)]
enum UserAction {
    /// Add a user (the password is read from --password-file, or asked twice on the terminal).
    Add {
        /// The name they sign in with; no other user's may differ from it only in case or in
        /// Turkish letters (AYŞE, ayşe and ayse are one name).
        #[arg(long)]
        username: String,
        /// admin: every region; manager: the one region --region names.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// A manager's region, such as Ankara or Istanbul (required for a manager; an admin has
        /// every region, ALL).
        #[arg(long)]
        region: Option<String>,
        /// Read the password from this file instead of asking on the terminal.
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
    },
    /// List the users: name, role, region, when added, and whether disabled (never a password hash).
    List,
    /// Disable a user; the last active administrator cannot be disabled.
    Disable {
        /// The user name, as `user list` shows it (case does not matter).
        username: String,
    },
    /// Give a user a new password (read from --password-file, or asked twice on the terminal).
    Passwd {
        /// The user name, as `user list` shows it (case does not matter).
        username: String,
        /// Read the new password from this file instead of asking on the terminal.
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    /// An administrator: every region.
    Admin,
    /// A regional manager: one region.
    Manager,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Admin => Role::Admin,
            RoleArg::Manager => Role::Manager,
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Escape codes only for a person's terminal, not in journald or a log file.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let out = &mut std::io::stdout().lock();
    let db = &Database::parse(cli.db.as_os_str())?;
    match cli.command {
        Command::Init { password_file, username } => {
            admin::init(db, &username, password_file.as_deref(), out)
        }
        Command::EnrollCode { region } => admin::enroll_code(db, &region, out),
        Command::Devices => admin::devices(db, out),
        Command::Revoke { device } => admin::revoke(db, device, out),
        Command::LegacyKey { action: LegacyKeyAction::Set { key_file } } => {
            admin::legacy_key_set(db, key_file.as_deref(), out)
        }
        Command::LegacyKey { action: LegacyKeyAction::Clear } => admin::legacy_key_clear(db, out),
        Command::User { action } => match action {
            UserAction::Add { username, role, region, password_file } => {
                admin::user_add(db, &username, role.into(), region.as_deref(), password_file.as_deref(), out)
            }
            UserAction::List => admin::user_list(db, out),
            UserAction::Disable { username } => admin::user_disable(db, &username, out),
            UserAction::Passwd { username, password_file } => {
                admin::user_passwd(db, &username, password_file.as_deref(), out)
            }
        },
        Command::PuantajLetters { set, reset } => admin::puantaj_letters(db, &set, reset, out),
        Command::Backup { out: dest } => admin::backup(db, dest.as_deref(), out),
        Command::Restore { file } => admin::restore(db, &file, out),
        Command::NewEpoch => admin::new_epoch(db, out),
        Command::ImportLegacy { file, region } => admin::import_legacy(db, &file, &region, out),
        Command::Serve {
            listen,
            tls_cert,
            tls_key,
            rate_limit,
            rate_burst,
            request_timeout,
            header_timeout,
            max_connections,
            secure_cookies,
        } => {
            if rate_limit <= 0.0 || rate_burst < 1.0 {
                anyhow::bail!("--rate-limit must be positive and --rate-burst at least 1");
            }
            if max_connections == 0 {
                anyhow::bail!("--max-connections must be at least 1");
            }
            let options = ServeOptions {
                listen,
                tls: tls_cert.zip(tls_key),
                http: HttpConfig {
                    request_timeout: Duration::from_secs(request_timeout.max(1)),
                    header_timeout: Duration::from_secs(header_timeout.max(1)),
                    max_connections,
                    rate_limit: RateLimit { per_second: rate_limit, burst: rate_burst },
                    secure_cookies,
                    ..HttpConfig::default()
                },
            };
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(admin::serve(db, options, out))
        }
    }
}
