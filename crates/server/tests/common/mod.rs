//! A real server on 127.0.0.1 over a real database, and devices that talk to it over HTTP. The
//! database is a SQLite file, or with `RAINSTAFF_TEST_STORE=postgres` a database of a throw-away
//! PostgreSQL cluster (`pg.rs`): CI runs the server's test files both ways, and every test that
//! goes through `Harness` holds for both stores.

// Each test binary compiles this module and uses a different part of it.
#![allow(dead_code)]

pub mod any_store;
pub mod browser;
pub mod pg;
pub mod visitor;

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

use rainstaff_core::ids::IdNamespaces;
use rainstaff_core::protocol::{
    ChangesPage, ConflictRecord, EnrollResponse, Mutation, Op, Outcome, OutcomeStatus, PROTOCOL_HEADER,
    PushResponse, RejoinRequest, RejoinResponse, RejoinRow, RowState,
};
use rainstaff_core::schema::{TABLES, TableSpec};
use rainstaff_server::http::{HttpConfig, RunningServer};
use rainstaff_server::store::{Device, ServerRow, Store, Tx};
use rainstaff_server::{PgStore, Server, SqliteStore, StoreError};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;
use uuid::Uuid;

use self::any_store::{AnyStore, DynTx};
use self::pg::Cluster;

/// Where a harness keeps its data.
enum Database {
    Sqlite(PathBuf),
    /// The cluster is held as long as the harness, so it stays up while the test runs.
    Postgres(Arc<Cluster>, String),
}

pub struct Harness {
    pub dir: TempDir,
    running: Option<RunningServer<AnyStore>>,
    config: HttpConfig,
    pub http: reqwest::Client,
    // Last, so it goes after the server that uses it (fields drop in order).
    database: Database,
}

impl Harness {
    pub async fn start() -> Self {
        Self::start_with(HttpConfig::default()).await
    }

    /// A server on a new database of the store `RAINSTAFF_TEST_STORE` names (`sqlite`, the
    /// default, or `postgres`).
    pub async fn start_with(config: HttpConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = match std::env::var("RAINSTAFF_TEST_STORE").as_deref() {
            Ok("postgres") => {
                let cluster = Cluster::shared();
                let url = cluster.database();
                Database::Postgres(cluster, url)
            }
            Ok("sqlite") | Err(_) => Database::Sqlite(dir.path().join("server.db")),
            Ok(other) => panic!("RAINSTAFF_TEST_STORE={other}: use sqlite or postgres"),
        };
        let mut h = Self { dir, running: None, config, http: reqwest::Client::new(), database };
        let server = Arc::new(Server::new(h.open_store()));
        h.running = Some(RunningServer::start(server, config).await.unwrap());
        h
    }

    /// Opens the harness's database once more, as another process (or a restarted server) would.
    pub fn open_store(&self) -> AnyStore {
        match &self.database {
            Database::Sqlite(path) => AnyStore::Sqlite(SqliteStore::open(path).unwrap()),
            Database::Postgres(_, url) => AnyStore::Postgres(PgStore::open(url).unwrap()),
        }
    }

    /// Another program writing to the database, holding its write lock until `release`: only
    /// from outside the server can a write of the server be made to wait.
    pub fn hold_writes(&self) -> WriteHold {
        let store = self.open_store();
        let (held, holding) = mpsc::channel();
        let (release, released) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            store
                .write(|_| {
                    held.send(()).unwrap();
                    let _ = released.recv();
                    Ok(())
                })
                .unwrap();
        });
        holding.recv().unwrap();
        WriteHold { release, thread }
    }

    pub fn server(&self) -> &Arc<Server<AnyStore>> {
        self.running.as_ref().unwrap().server()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.as_ref().unwrap().url())
    }

    /// Stops the server, drops it and everything it held, and starts a new one on the same file.
    pub async fn restart(&mut self) {
        self.restart_after(|| {}).await;
    }

    /// Stops the server, puts the backup at `backup` in place as an administrator would, and
    /// starts the server on it. A backup file is SQLite's: a PostgreSQL database is restored with
    /// PostgreSQL's tools and `new-epoch` (tests/cli_postgres.rs).
    pub async fn restore(&mut self, backup: &Path) {
        let Database::Sqlite(db) = &self.database else {
            panic!("restore puts back a SQLite backup file; run this test on SQLite")
        };
        let db = db.clone();
        self.restart_after(|| {
            rainstaff_server::store::sqlite::restore::restore(&db, backup, "20260101T000000Z").unwrap();
        })
        .await;
    }

    async fn restart_after(&mut self, stopped: impl FnOnce()) {
        let running = self.running.take().unwrap();
        let addr = running.addr();
        let server = running.server().clone();
        running.stop().await.unwrap();
        let server = Arc::try_unwrap(server).unwrap_or_else(|_| panic!("the server is still referenced"));
        drop(server);
        stopped();
        let server = Arc::new(Server::new(self.open_store()));
        self.running = Some(RunningServer::start_on(addr, server, self.config).await.unwrap());
    }

    pub async fn enroll(&self, region: &str, name: &str) -> Dev {
        let code = self.server().create_enroll_code(region).unwrap();
        let response = self
            .http
            .post(self.url("/enroll"))
            .header(PROTOCOL_HEADER, "1")
            .json(&json!({"code": code.code, "name": name}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let enrolled: EnrollResponse = response.json().await.unwrap();
        Dev {
            id: enrolled.device_id,
            token: enrolled.token,
            region: enrolled.region,
            id_namespaces: enrolled.id_namespaces,
            base: self.url(""),
            http: self.http.clone(),
            next_mutation: Cell::new(1),
        }
    }

    /// What the store holds, read as the service reads it (see `stored`).
    pub fn stored(&self) -> Stored {
        stored(self.server().store())
    }

    /// Reads through the running server's store, in one read transaction.
    pub fn read<T>(&self, f: impl FnOnce(&mut DynTx<'_>) -> Result<T, StoreError>) -> T {
        self.server().store().read(|tx| Ok(f(tx)?)).unwrap()
    }

    /// Every row of `table`, tombstones included.
    pub fn rows(&self, table: &'static TableSpec) -> Vec<RowState> {
        rows(self.server().store(), table)
    }
}

/// The write lock another program holds (`Harness::hold_writes`).
pub struct WriteHold {
    release: mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl WriteHold {
    /// Ends the other program's transaction and waits until it has.
    pub fn release(self) {
        let _ = self.release.send(());
        self.thread.join().unwrap();
    }
}

/// Every setting the service keeps: the epoch, the id namespace secret, the legacy upload key's
/// hash and the company's name.
const SETTINGS: [&str; 5] =
    ["epoch", "epoch_base_seq", "id_namespace_secret", "legacy_api_key_sha256", "company_name"];

/// Everything the service can read back from a store, through the `Store` trait rather than the
/// database file, so the tests hold for any backend: equal values mean a request wrote nothing.
/// A mutation's exactly-once record shows as its device's `last_mutation_id`.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub head_seq: i64,
    pub changes: Vec<(i64, RowState)>,
    pub rows: Vec<ServerRow>,
    pub devices: Vec<Device>,
    pub conflicts: Vec<ConflictRecord>,
    pub usernames: Vec<String>,
    pub settings: Vec<Option<String>>,
}

pub fn stored(store: &impl Store) -> Stored {
    store
        .read(|tx| {
            let mut rows = Vec::new();
            for table in TABLES {
                let mut ids = Vec::new();
                tx.scan_rows(table, None, &mut |row| {
                    ids.push(row.id);
                    Ok(())
                })?;
                for id in ids {
                    rows.extend(tx.row(table, id)?);
                }
            }
            let page = tx.changes(None, 0, usize::MAX, usize::MAX, None)?;
            Ok(Stored {
                head_seq: tx.head_seq()?,
                changes: page.changes.into_iter().map(|c| (c.seq, c.row)).collect(),
                rows,
                devices: tx.devices()?,
                conflicts: tx.conflicts(None, true)?,
                usernames: tx.usernames()?,
                settings: SETTINGS.iter().map(|key| tx.setting(key)).collect::<Result<_, _>>()?,
            })
        })
        .unwrap()
}

/// Every row of `table` in `store`, tombstones included.
pub fn rows(store: &impl Store, table: &'static TableSpec) -> Vec<RowState> {
    store
        .read(|tx| {
            let mut rows = Vec::new();
            tx.scan_rows(table, None, &mut |row| {
                rows.push(row);
                Ok(())
            })?;
            Ok(rows)
        })
        .unwrap()
}

pub struct Dev {
    pub id: Uuid,
    pub token: String,
    pub region: String,
    pub id_namespaces: IdNamespaces,
    base: String,
    pub http: reqwest::Client,
    /// The id the next mutation gets; tests set it to replay or skip ids.
    pub next_mutation: Cell<i64>,
}

impl Dev {
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .header(PROTOCOL_HEADER, "1")
            .bearer_auth(&self.token)
    }

    /// A mutation with this device's next id.
    pub fn mutation(
        &self,
        table: &str,
        row_id: Uuid,
        region: &str,
        op: Op,
        fields: Value,
        base: i64,
    ) -> Mutation {
        let m = Mutation {
            mutation_id: self.next_mutation.get(),
            table: table.into(),
            row_id,
            region: region.into(),
            op,
            fields: fields.as_object().cloned().unwrap_or_default(),
            base_version: base,
            imported: false,
            renumbered_from: None,
        };
        self.next_mutation.set(self.next_mutation.get() + 1);
        m
    }

    pub fn upsert(&self, table: &str, row_id: Uuid, fields: Value, base: i64) -> Mutation {
        let region = self.region.clone();
        self.mutation(table, row_id, &region, Op::Upsert, fields, base)
    }

    pub fn delete(&self, table: &str, row_id: Uuid, base: i64) -> Mutation {
        let region = self.region.clone();
        self.mutation(table, row_id, &region, Op::Delete, json!({}), base)
    }

    /// Pushes and returns status and body, whatever they are.
    pub async fn push_raw(&self, mutations: &[Mutation]) -> (StatusCode, Value) {
        let response = self
            .request(reqwest::Method::POST, "/sync")
            .json(&json!({ "mutations": mutations }))
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    pub async fn push(&self, mutations: &[Mutation]) -> PushResponse {
        let (status, body) = self.push_raw(mutations).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }

    pub async fn pull(&self, since: i64, limit: usize) -> ChangesPage {
        self.pull_with(&format!("since={since}&limit={limit}")).await
    }

    /// One page for a query string given as it is sent.
    pub async fn pull_with(&self, query: &str) -> ChangesPage {
        let response =
            self.request(reqwest::Method::GET, &format!("/sync/changes?{query}")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// Pulls every page from `since`; returns the changes and the final cursor.
    pub async fn pull_all(&self, since: i64) -> (Vec<rainstaff_core::protocol::Change>, i64) {
        let mut cursor = since;
        let mut all = Vec::new();
        loop {
            let page = self.pull(cursor, 7).await;
            all.extend(page.changes);
            cursor = page.next_since;
            if !page.has_more {
                return (all, cursor);
            }
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self.request(reqwest::Method::GET, path).send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }
}

/// A legacy sample database from the repository's fixtures.
pub fn sample(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/legacy")).join(name)
}

/// A company file with İzmir's, İstanbul's and Ankara's rows: F1 changed by the legacy tests'
/// fixture `three_regions.sql`.
pub fn three_regions(dir: &Path) -> PathBuf {
    let path = dir.join("sirket.db");
    std::fs::copy(sample("F1_v4_s4.db"), &path).unwrap();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(include_str!("../../../legacy/tests/fixtures/three_regions.sql"))
        .unwrap();
    path
}

pub fn employee(name: &str) -> Value {
    json!({
        "full_name": name,
        "active": true,
        "contract_kind": "full_time",
        "weekly_minutes": 2700,
        "break_policy": "statutory",
    })
}

pub fn timesheet(employee: Uuid) -> Value {
    json!({
        "employee_id": employee.to_string(),
        "work_date": "2026-01-05",
        "start_time": "08:00",
        "end_time": "17:00",
        "break_minutes": 60,
        "special_day": false,
    })
}

/// Ayşe's timesheet of `timesheet`, on another day or at other hours.
pub fn shift(employee: Uuid, date: &str, start: &str, end: &str) -> Value {
    let mut shift = timesheet(employee);
    shift["work_date"] = json!(date);
    shift["start_time"] = json!(start);
    shift["end_time"] = json!(end);
    shift
}

/// The server's version of the row an outcome applied.
pub fn version(outcome: &Outcome) -> i64 {
    assert_ne!(outcome.status, OutcomeStatus::Rejected, "{outcome:?}");
    outcome.row.as_ref().unwrap().version
}

/// Pushes one mutation alone and returns the server's version of its row.
pub async fn write(dev: &Dev, m: Mutation) -> i64 {
    version(&dev.push(&[m]).await.outcomes[0])
}

/// Sends rows back to a restored server as a rejoining PC does; every one must be applied.
pub async fn rejoin(dev: &Dev, rows: Vec<RejoinRow>) {
    let response = dev
        .request(reqwest::Method::POST, "/sync/rejoin")
        .json(&RejoinRequest { rows })
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: RejoinResponse = response.json().await.unwrap();
    assert!(answer.outcomes.iter().all(|o| o.status == OutcomeStatus::Applied), "{answer:?}");
}

pub fn id() -> Uuid {
    Uuid::now_v7()
}

/// Asserts an error answer: its status and its `error` code.
pub fn assert_error(status: StatusCode, body: &Value, expected_status: u16, expected_code: &str) {
    assert_eq!(status.as_u16(), expected_status, "{body}");
    assert_eq!(body["error"], expected_code, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}
