//! Two `rainstaff-server serve` processes over one PostgreSQL database, as behind a reverse
//! proxy, and many devices pushing and pulling through either at random. A push whose answer is
//! "lost" is sent again through the other instance, sometimes at the same moment as the first
//! try; one instance is killed (SIGKILL, in the middle of whatever it was doing) and started again
//! twice during the run, and what was sent to it goes again through the other. At the end every
//! invariant of shared/spec/sync.md that concerns the server is checked against what the devices
//! saw and what the database holds: convergence, no lost writes, exactly once, monotonic reads,
//! region scope, tombstones, and the one multiple writers threaten most, that a pull never skips
//! a change committed later with a smaller seq. Crash and resume of PCs, and version skew, do not
//! depend on how many instances run; `tests/sync_sim.rs` and `tests/sync_e2e.rs` check them.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::pg::Cluster;
use rainstaff_core::protocol::{
    ALL_REGIONS, ChangesPage, EnrollResponse, Mutation, Op, Outcome, OutcomeStatus, PROTOCOL_HEADER,
    PushResponse, RefusalCode, RowState,
};
use rainstaff_core::schema::{SHIFT_TEMPLATES, VEHICLES};
use rainstaff_server::{PgStore, Server};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use uuid::Uuid;

const REGIONS: [&str; 2] = ["Ankara", "Izmir"];
const DEVICES_PER_REGION: usize = 7;
const ADMINS: usize = 2;
const STEPS: usize = 40;
/// Few plates, so devices on both instances keep trying to register the same one.
const PLATES: usize = 4;

/// What one device did and saw.
struct Report {
    region: String,
    /// Every change pulled, in the order pulled.
    pulled: Vec<(i64, RowState)>,
    /// The device's view at the end: the newest state of each row it pulled.
    view: BTreeMap<Uuid, RowState>,
    /// Every mutation sent, with the one answer it got (all tries agreed).
    outcomes: Vec<(Mutation, Outcome)>,
}

struct Device {
    token: String,
    region: String,
    http: reqwest::Client,
    urls: [String; 2],
    rng: StdRng,
    next_mutation: i64,
    outbox: Vec<Mutation>,
    cursor: i64,
    report: Report,
    /// Requests any device sent that no instance answered (it was down).
    unanswered: Arc<AtomicUsize>,
}

impl Device {
    fn url(&mut self) -> String {
        self.urls[self.rng.gen_range(0..2)].clone()
    }

    fn mutation(&mut self, table: &str, row_id: Uuid, region: &str, op: Op, fields: Value, base: i64) {
        self.outbox.push(Mutation {
            mutation_id: self.next_mutation,
            table: table.into(),
            row_id,
            region: region.into(),
            op,
            fields: fields.as_object().cloned().unwrap_or_default(),
            base_version: base,
            imported: false,
            renumbered_from: None,
        });
        self.next_mutation += 1;
    }

    fn own_region(&mut self) -> String {
        if self.region == ALL_REGIONS {
            REGIONS[self.rng.gen_range(0..REGIONS.len())].to_string()
        } else {
            self.region.clone()
        }
    }

    /// One random edit into the outbox.
    fn edit(&mut self) {
        let region = self.own_region();
        let live: Vec<RowState> = self
            .report
            .view
            .values()
            .filter(|r| r.table == SHIFT_TEMPLATES.name && r.deleted_at.is_none())
            .cloned()
            .collect();
        match self.rng.gen_range(0..10) {
            0..=2 => {
                let name = format!("Vardiya {}", self.rng.gen_range(0..1000));
                let fields =
                    json!({"name": name, "start_time": "08:00", "end_time": "16:00", "break_minutes": 30});
                self.mutation(SHIFT_TEMPLATES.name, Uuid::now_v7(), &region, Op::Upsert, fields, 0);
            }
            3..=5 if !live.is_empty() => {
                let row = &live[self.rng.gen_range(0..live.len())];
                let fields = json!({"name": format!("Düzeltme {}", self.rng.gen_range(0..1000))});
                let (id, region, version) = (row.id, row.region.clone(), row.version);
                self.mutation(SHIFT_TEMPLATES.name, id, &region, Op::Upsert, fields, version);
            }
            6 if !live.is_empty() => {
                let row = &live[self.rng.gen_range(0..live.len())];
                let (id, region, version) = (row.id, row.region.clone(), row.version);
                self.mutation(SHIFT_TEMPLATES.name, id, &region, Op::Delete, json!({}), version);
            }
            7 if self.region != ALL_REGIONS => {
                // Another region's record: the server must refuse it, whatever instance it reaches.
                let other = REGIONS.iter().find(|r| **r != self.region).unwrap().to_string();
                let fields = json!({"name": "Yabancı", "start_time": "08:00", "end_time": "16:00", "break_minutes": 0});
                self.mutation(SHIFT_TEMPLATES.name, Uuid::now_v7(), &other, Op::Upsert, fields, 0);
            }
            _ => {
                let plate = format!("06 ABC {}", 100 + self.rng.gen_range(0..PLATES));
                let fields = json!({"plate": plate, "km": 1000, "oil_interval_km": 10000});
                self.mutation(VEHICLES.name, Uuid::now_v7(), &region, Op::Upsert, fields, 0);
            }
        }
    }

    /// One try; None when the instance was not there to answer (killed, or starting again).
    async fn try_send(&self, url: &str, batch: &[Mutation]) -> Option<PushResponse> {
        let response = self
            .http
            .post(format!("{url}/sync"))
            .header(PROTOCOL_HEADER, "1")
            .bearer_auth(&self.token)
            .json(&json!({ "mutations": batch }))
            .send()
            .await;
        let Ok(response) = response else {
            self.unanswered.fetch_add(1, Ordering::Relaxed);
            return None;
        };
        let status = response.status();
        let Ok(body) = response.json::<Value>().await else {
            self.unanswered.fetch_add(1, Ordering::Relaxed);
            return None;
        };
        assert_eq!(status, 200, "{body}");
        Some(serde_json::from_value(body).unwrap())
    }

    /// Tries `url` first, then either instance until one answers, as a PC retries.
    async fn send(&self, url: &str, batch: &[Mutation]) -> PushResponse {
        if let Some(answer) = self.try_send(url, batch).await {
            return answer;
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        for attempt in 0.. {
            assert!(Instant::now() < deadline, "neither instance answered for a minute");
            tokio::time::sleep(Duration::from_millis(20)).await;
            if let Some(answer) = self.try_send(&self.urls[attempt % 2], batch).await {
                return answer;
            }
        }
        unreachable!()
    }

    /// Pushes the start of the outbox. Sometimes the answer is "lost" and the batch goes again
    /// through the other instance, after the first or at the same time; every try must get the
    /// same answer (`alike`).
    async fn push(&mut self) {
        if self.outbox.is_empty() {
            return;
        }
        let n = self.rng.gen_range(1..=self.outbox.len().min(10));
        let batch: Vec<Mutation> = self.outbox[..n].to_vec();
        let first = self.rng.gen_range(0..2);
        let (a, b) = (self.urls[first].clone(), self.urls[1 - first].clone());
        let answer = match self.rng.gen_range(0..10) {
            0..=1 => {
                let (x, y) = tokio::join!(self.send(&a, &batch), self.send(&b, &batch));
                alike(&x, &y, false, "two tries at once were answered differently");
                x
            }
            2..=3 => {
                let x = self.send(&a, &batch).await;
                let y = self.send(&b, &batch).await;
                alike(&x, &y, true, "a retry through the other instance was answered differently");
                // The first answer is the one the writer took: "every logged change was answered
                // to its writer" below counts its versions, not the retry's.
                x
            }
            _ => self.send(&a, &batch).await,
        };
        assert_eq!(answer.outcomes.len(), batch.len());
        self.outbox.drain(..n);
        self.report.outcomes.extend(batch.into_iter().zip(answer.outcomes));
    }

    /// Pulls every page from the cursor, each through either instance.
    async fn pull(&mut self) {
        loop {
            let url = self.url();
            let asked = self
                .http
                .get(format!("{url}/sync/changes?since={}&limit=25", self.cursor))
                .header(PROTOCOL_HEADER, "1")
                .bearer_auth(&self.token)
                .send()
                .await;
            let Some(page) = (match asked {
                Ok(response) => response.json::<ChangesPage>().await.ok(),
                Err(_) => None,
            }) else {
                // That instance is down: the next page request picks an instance again.
                self.unanswered.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            };
            for change in page.changes {
                assert!(change.seq > self.cursor, "seq {} after cursor {}", change.seq, self.cursor);
                assert_eq!(change.seq, change.row.version);
                if self.region != ALL_REGIONS {
                    assert_eq!(change.row.region, self.region, "another region's change reached a device");
                }
                if let Some(seen) = self.report.view.get(&change.row.id) {
                    assert!(change.row.version > seen.version, "a device went back to an older version");
                    assert!(
                        seen.deleted_at.is_none() || change.row.deleted_at.is_some(),
                        "a deleted row came back: {:?}",
                        change.row
                    );
                }
                self.cursor = change.seq;
                self.report.view.insert(change.row.id, change.row.clone());
                self.report.pulled.push((change.seq, change.row));
            }
            assert_eq!(page.next_since, self.cursor);
            if !page.has_more {
                return;
            }
        }
    }
}

async fn enroll(server: &Server<PgStore>, http: &reqwest::Client, url: &str, region: &str) -> EnrollResponse {
    let code = server.create_enroll_code(region).unwrap().code;
    let response = http
        .post(format!("{url}/enroll"))
        .header(PROTOCOL_HEADER, "1")
        .json(&json!({"code": code, "name": "Ofis PC"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// A `rainstaff-server serve` process on a port of its own.
struct Instance {
    db: String,
    port: u16,
    child: Child,
}

impl Instance {
    fn start(db: &str, port: u16) -> Instance {
        let child = Command::new(env!("CARGO_BIN_EXE_rainstaff-server"))
            .args(["--db", db, "serve", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "an instance did not start listening");
            std::thread::sleep(Duration::from_millis(20));
        }
        Instance { db: db.to_string(), port, child }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Killed without warning, then started again on the same port.
    fn crash_and_restart(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        *self = Instance::start(&self.db, self.port);
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_serve_many_devices_on_one_database() {
    let cluster = Cluster::shared();
    let url = cluster.database();
    // The administrator's side: creates the tables, issues enrollment codes, reads at the end.
    let admin = Server::new(PgStore::open(&url).unwrap());
    let mut instances = [Instance::start(&url, free_port()), Instance::start(&url, free_port())];
    let urls = [instances[0].url(), instances[1].url()];
    let http = reqwest::Client::new();
    let regions: Vec<&str> = REGIONS
        .iter()
        .flat_map(|r| std::iter::repeat_n(*r, DEVICES_PER_REGION))
        .chain(std::iter::repeat_n(ALL_REGIONS, ADMINS))
        .collect();
    let seed: u64 = std::env::var("SCALE_OUT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20);
    let unanswered = Arc::new(AtomicUsize::new(0));
    // The devices keep working until the second instance has died twice: on a quick day they
    // would otherwise be through before the first crash, and the crash would go untested.
    let crashed = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for (i, region) in regions.iter().enumerate() {
        // Enrolled through either instance: one is as good as the other.
        let enrolled = enroll(&admin, &http, &urls[i % 2], region).await;
        let mut device = Device {
            token: enrolled.token,
            region: enrolled.region,
            http: http.clone(),
            urls: urls.clone(),
            rng: StdRng::seed_from_u64(seed * 1000 + i as u64),
            next_mutation: 1,
            outbox: Vec::new(),
            cursor: 0,
            unanswered: unanswered.clone(),
            report: Report {
                region: region.to_string(),
                pulled: Vec::new(),
                view: BTreeMap::new(),
                outcomes: Vec::new(),
            },
        };
        let crashed = crashed.clone();
        tasks.push(tokio::spawn(async move {
            for step in 0.. {
                if step >= STEPS && crashed.load(Ordering::Relaxed) {
                    break;
                }
                match device.rng.gen_range(0..4) {
                    0 | 1 => device.edit(),
                    2 => device.push().await,
                    _ => device.pull().await,
                }
            }
            while !device.outbox.is_empty() {
                device.push().await;
            }
            device
        }));
    }
    // The second instance dies twice while the devices work, at whatever it is doing then.
    let second = &mut instances[1];
    for pause in [400, 600] {
        tokio::time::sleep(Duration::from_millis(pause)).await;
        tokio::task::block_in_place(|| second.crash_and_restart());
    }
    crashed.store(true, Ordering::Relaxed);
    // Every outbox is empty before anybody's last pull (a device that failed fails the test here).
    let mut devices = Vec::new();
    for task in tasks {
        devices.push(task.await.unwrap());
    }
    let mut reports = Vec::new();
    for mut device in devices {
        device.pull().await;
        reports.push(device.report);
    }
    let stored = common::stored(admin.store());
    check(&reports, &stored);
    assert!(
        unanswered.load(Ordering::Relaxed) > 0,
        "no request met a killed instance: the crash went untested"
    );
}

fn check(reports: &[Report], stored: &common::Stored) {
    let log: Vec<i64> = stored.changes.iter().map(|(seq, _)| *seq).collect();
    assert!(log.windows(2).all(|w| w[0] < w[1]), "the change log has a seq twice or out of order");
    assert_eq!(stored.head_seq, *log.last().unwrap());

    // Convergence, and no pull skipped a change: each device pulled every change its scope's
    // log holds (and maybe versions superseded since, which the log no longer keeps).
    for report in reports {
        let in_scope = |r: &RowState| report.region == ALL_REGIONS || r.region == report.region;
        let pulled: BTreeSet<i64> = report.pulled.iter().map(|(s, _)| *s).collect();
        assert_eq!(pulled.len(), report.pulled.len(), "a device of {} pulled a change twice", report.region);
        for (seq, row) in stored.changes.iter().filter(|(_, r)| in_scope(r)) {
            assert!(pulled.contains(seq), "a device of {} missed {row:?}", report.region);
        }
        let server: BTreeMap<Uuid, RowState> = stored
            .rows
            .iter()
            .filter(|r| in_scope(&r.state))
            .map(|r| (r.state.id, r.state.clone()))
            .collect();
        assert_eq!(report.view, server, "a device of {} did not converge", report.region);
    }

    // No lost writes, and exactly once: every mutation has an answer, a refusal says why, and the
    // log holds exactly the versions the applied and merged answers gave out.
    let mut written = BTreeSet::new();
    let mut plates_taken = 0;
    for report in reports {
        for (mutation, outcome) in &report.outcomes {
            assert_eq!(outcome.mutation_id, mutation.mutation_id);
            match outcome.status {
                OutcomeStatus::Applied | OutcomeStatus::Merged => {
                    written.insert(outcome.row.as_ref().expect("a written row comes back").version);
                }
                OutcomeStatus::Rejected => {
                    assert!(outcome.code.is_some() && outcome.reason.is_some(), "{outcome:?}");
                    if outcome.code == Some(RefusalCode::Rule) {
                        plates_taken += 1;
                    }
                }
            }
            // Region scope: another region's record is refused, through either instance.
            if report.region != ALL_REGIONS && mutation.region != report.region {
                assert_eq!(outcome.code, Some(RefusalCode::RegionForbidden), "{outcome:?}");
            }
        }
    }
    // Every logged change was answered to its writer (the log keeps each row's last change).
    assert!(log.iter().all(|seq| written.contains(seq)), "the log holds a change nobody was answered");
    assert!(stored.rows.iter().all(|r| log.contains(&r.state.version)), "a row's last change is not logged");
    let mut per_row: HashMap<Uuid, Vec<&RowState>> = HashMap::new();
    for (_, row) in &stored.changes {
        per_row.entry(row.id).or_default().push(row);
    }
    for row in &stored.rows {
        let history = &per_row[&row.state.id];
        assert_eq!(history.last().unwrap().version, row.state.version, "a row is not at its last change");
        // Tombstones: once deleted, every later change of the row is deleted too.
        let first_deleted = history.iter().position(|r| r.deleted_at.is_some()).unwrap_or(history.len());
        assert!(history[first_deleted..].iter().all(|r| r.deleted_at.is_some()), "a deleted row came back");
    }

    // The plate rule held across instances: one live vehicle per plate, and it was exercised.
    let mut plates = BTreeMap::new();
    for row in stored.rows.iter().filter(|r| r.state.table == VEHICLES.name && r.state.deleted_at.is_none()) {
        let plate = row.state.fields["plate"].clone();
        assert!(plates.insert(plate.to_string(), row.state.id).is_none(), "two live vehicles share {plate}");
    }
    assert!(plates_taken > 0, "no device ever tried a plate another had: the rule went untested");
}

/// Two tries of one batch answered alike: each change the same way, about the same row, which a
/// retry carries as it stands by then (at least as new as the first answer's, when `in_turn`).
/// A change applied a second time would not get this far: its id would be refused (409), and
/// `try_send` fails on any answer but 200.
fn alike(x: &PushResponse, y: &PushResponse, in_turn: bool, what: &str) {
    let answer = |o: &Outcome| {
        (o.mutation_id, o.status, o.code, o.reason.clone(), o.conflicts.clone(), o.row.as_ref().map(|r| r.id))
    };
    assert_eq!(
        x.outcomes.iter().map(answer).collect::<Vec<_>>(),
        y.outcomes.iter().map(answer).collect::<Vec<_>>(),
        "{what}"
    );
    if in_turn {
        for (first, again) in x.outcomes.iter().zip(&y.outcomes) {
            let version = |o: &Outcome| o.row.as_ref().map(|r| r.version);
            assert!(version(again) >= version(first), "{what}: {first:?} then {again:?}");
        }
    }
}
