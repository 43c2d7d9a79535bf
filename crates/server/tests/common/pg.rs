//! A throw-away PostgreSQL cluster for the tests: `initdb` in a temporary folder, started on a
//! free port of 127.0.0.1, stopped and deleted when the last test using it lets go. Nothing
//! outside the test process is needed but the server's binaries (Debian's `postgresql`
//! package), and a machine without them fails the tests that need one, saying how to install
//! them, instead of passing them silently.
//!
//! PostgreSQL refuses to run as root; as root the cluster is made and run as the `postgres` user
//! (which the package creates), in a folder it owns. Tests running at once share one cluster,
//! each with a database of its own.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use tempfile::TempDir;

const INSTALL: &str = "PostgreSQL's server binaries are needed (initdb, pg_ctl, psql under \
    /usr/lib/postgresql/*/bin): install them with `apt-get install -y postgresql`";

pub struct Cluster {
    bin: PathBuf,
    dir: TempDir,
    port: u16,
    as_postgres: bool,
}

/// The cluster tests running now share, if one runs.
static SHARED: Mutex<Weak<Cluster>> = Mutex::new(Weak::new());
static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// The newest installed PostgreSQL's binaries.
fn bin_dir() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").is_file() && bin.join("pg_ctl").is_file())
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).unwrap_or_else(|| panic!("{INSTALL}"))
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("id -u");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

impl Cluster {
    /// The running cluster, or a new one.
    pub fn shared() -> Arc<Cluster> {
        let mut shared = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(cluster) = shared.upgrade() {
            return cluster;
        }
        let cluster = Arc::new(Cluster::start(false));
        *shared = Arc::downgrade(&cluster);
        cluster
    }

    /// A cluster of its own that keeps PostgreSQL's durability (fsync, synchronous commit), as
    /// a production server does: for measurements. The tests' cluster trades it for speed.
    pub fn durable() -> Cluster {
        Cluster::start(true)
    }

    fn start(durable: bool) -> Self {
        let bin = bin_dir();
        let as_postgres = is_root();
        let dir = tempfile::Builder::new().prefix("rainstaff-pg-").tempdir().unwrap();
        if as_postgres {
            let chown = Command::new("chown").arg("postgres:postgres").arg(dir.path()).status().unwrap();
            assert!(chown.success(), "cannot give {} to the postgres user", dir.path().display());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let cluster = Self { bin, dir, port, as_postgres };
        let data = cluster.data();
        cluster.run_tool(
            "initdb",
            &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"],
        );
        let mut options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300",
            cluster.dir.path().display()
        );
        if !durable {
            options.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        let log = cluster.dir.path().join("log");
        cluster.run_tool(
            "pg_ctl",
            &["-D", &data, "-l", log.to_str().unwrap(), "-o", &options, "-w", "-s", "start"],
        );
        cluster
    }

    fn data(&self) -> String {
        self.dir.path().join("data").to_str().unwrap().to_string()
    }

    fn tool(&self, name: &str, args: &[&str]) -> Output {
        let program = self.bin.join(name);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        command
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("{name}: {e}; {INSTALL}"))
    }

    fn run_tool(&self, name: &str, args: &[&str]) {
        let out = self.tool(name, args);
        assert!(
            out.status.success(),
            "{name} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A new, empty database on this cluster; its URL.
    pub fn database(&self) -> String {
        let name = format!("t{}_{}", std::process::id(), DATABASES.fetch_add(1, Ordering::SeqCst));
        let port = self.port.to_string();
        self.run_tool(
            "psql",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-qc",
                &format!("CREATE DATABASE {name}"),
            ],
        );
        self.url(&name)
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Runs SQL on `url`'s database as the superuser (for what no store method does: a schema
    /// version from a newer build, another program's table).
    pub fn sql(&self, database_url: &str, sql: &str) {
        let name = database_url.rsplit('/').next().unwrap();
        let port = self.port.to_string();
        self.run_tool("psql", &["-h", "127.0.0.1", "-p", &port, "-U", "postgres", "-d", name, "-qc", sql]);
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self.tool("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "-s", "stop"]);
    }
}
