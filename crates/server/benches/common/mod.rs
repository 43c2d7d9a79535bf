//! What the benches share: a device speaking the sync protocol over HTTP, the mutations each
//! device pushes, and writing a bench's report into docs/PERFORMANCE.md. What each measures and
//! how it reports it stays in the bench.

use std::time::{Duration, Instant};

use rainstaff_core::protocol::{
    ChangesPage, EnrollResponse, Mutation, Op, OutcomeStatus, PROTOCOL_HEADER, PushResponse,
};
use rainstaff_server::Server;
use rainstaff_server::store::Store;
use serde_json::{Value, json};
use uuid::Uuid;

/// Mutations in one push batch, and employees each device creates.
pub const BATCH: usize = 100;

/// An enrolled device.
pub struct Client {
    http: reqwest::Client,
    url: String,
    token: String,
    pub region: String,
}

impl Client {
    pub async fn push(&self, mutations: &[Mutation]) -> PushResponse {
        let response = self
            .http
            .post(format!("{}/sync", self.url))
            .header(PROTOCOL_HEADER, "1")
            .bearer_auth(&self.token)
            .json(&json!({ "mutations": mutations }))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "push: {}", response.status());
        response.json().await.unwrap()
    }

    pub async fn pull(&self, since: i64, limit: usize) -> ChangesPage {
        let response = self
            .http
            .get(format!("{}/sync/changes?since={since}&limit={limit}", self.url))
            .header(PROTOCOL_HEADER, "1")
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "pull: {}", response.status());
        response.json().await.unwrap()
    }
}

/// Enrolls a device named `name` in `region` with a code from `server`, talking through `http`.
pub async fn enroll<S: Store>(
    server: &Server<S>,
    http: &reqwest::Client,
    url: &str,
    region: &str,
    name: &str,
) -> Client {
    let code = server.create_enroll_code(region).unwrap();
    let enrolled: EnrollResponse = http
        .post(format!("{url}/enroll"))
        .json(&json!({"code": code.code, "name": name}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Client { http: http.clone(), url: url.to_string(), token: enrolled.token, region: enrolled.region }
}

pub fn employee(n: usize) -> Value {
    json!({"full_name": format!("Personel {n}"), "active": true, "contract_kind": "full_time",
           "weekly_minutes": 2700, "break_policy": "statutory"})
}

/// A shift on the `day`th day from 1 March 2026: each batch a day of its own, however many batches.
fn timesheet(employee: Uuid, day: usize) -> Value {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + chrono::Days::new(day as u64);
    json!({"employee_id": employee.to_string(), "work_date": date.to_string(),
           "start_time": "08:00", "end_time": "17:00", "break_minutes": 60, "special_day": false})
}

/// One device's script of `count` batches: its first batch creates employees, later batches add
/// timesheets for them and edit one employee in five.
pub fn batches(region: &str, count: usize) -> Vec<Vec<Mutation>> {
    let employees: Vec<Uuid> = (0..BATCH).map(|_| Uuid::now_v7()).collect();
    let mut next_id = 0;
    let mut mutation = |table: &str, row_id: Uuid, fields: Value, base_version: i64| {
        next_id += 1;
        Mutation {
            mutation_id: next_id,
            table: table.into(),
            row_id,
            region: region.into(),
            op: Op::Upsert,
            fields: fields.as_object().cloned().unwrap(),
            base_version,
            imported: false,
            renumbered_from: None,
        }
    };
    let mut out = vec![
        employees.iter().enumerate().map(|(n, &id)| mutation("employees", id, employee(n), 0)).collect(),
    ];
    for b in 1..count {
        out.push(
            (0..BATCH)
                .map(|i| {
                    let emp = employees[i];
                    if i % 5 == 0 {
                        mutation("employees", emp, json!({"title": format!("Unvan {b}")}), 1)
                    } else {
                        // One shift a day per person: an overlapping one would be refused.
                        mutation("timesheets", Uuid::now_v7(), timesheet(emp, b), 0)
                    }
                })
                .collect(),
        );
    }
    out
}

/// What `push_at_once` measured.
pub struct Pushed {
    /// Until every device was done.
    pub total: Duration,
    /// Each push's latency, sorted.
    pub latencies: Vec<Duration>,
    /// Round n is every device's n-th batch: from the second round on, the lowest and highest of
    /// the rounds' mean latencies (the pace of the whole), and the most any batch took over its
    /// round's mean, as a fraction (a batch held up by something of its own, beside the queue every
    /// batch of the round waits in). In the first round the queue forms, and a batch's wait is its
    /// place in it.
    pub round_means: (Duration, Duration),
    pub worst_over_round: f64,
}

/// Every device pushes its `count` batches at once, each device one batch after another.
pub async fn push_at_once(devices: Vec<Client>, count: usize) -> Pushed {
    assert!(!devices.is_empty() && count >= 2, "rounds after the first need devices and two batches each");
    let started = Instant::now();
    let tasks: Vec<_> = devices
        .into_iter()
        .map(|device| {
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                for batch in batches(&device.region, count) {
                    let t = Instant::now();
                    let response = device.push(&batch).await;
                    latencies.push(t.elapsed());
                    assert_eq!(response.outcomes.len(), batch.len());
                    // A refused mutation costs less than a written one and would flatter the rate.
                    assert!(response.outcomes.iter().all(|o| o.status == OutcomeStatus::Applied));
                }
                latencies
            })
        })
        .collect();
    let mut by_device = Vec::new();
    for task in tasks {
        by_device.push(task.await.unwrap());
    }
    let total = started.elapsed();
    let rounds: Vec<Vec<Duration>> =
        (1..count).map(|n| by_device.iter().map(|device| device[n]).collect()).collect();
    let mean = |round: &[Duration]| round.iter().sum::<Duration>() / round.len() as u32;
    let means: Vec<Duration> = rounds.iter().map(|round| mean(round)).collect();
    let worst_over_round = rounds
        .iter()
        .zip(&means)
        .map(|(round, mean)| round.iter().max().unwrap().as_secs_f64() / mean.as_secs_f64() - 1.0)
        .fold(0.0, f64::max);
    let mut latencies: Vec<Duration> = by_device.into_iter().flatten().collect();
    latencies.sort();
    Pushed {
        total,
        latencies,
        round_means: (*means.iter().min().unwrap(), *means.iter().max().unwrap()),
        worst_over_round,
    }
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The machine's load average (1/5/15 min), for the report.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" / "))
        .unwrap_or_else(|_| "not known".to_string())
}

#[path = "../../../../benches/common/perf_doc.rs"]
mod perf_doc;

/// Runs a bench's `run` and publishes its report, a Markdown section under the heading `section`
/// (`perf_doc::publish`).
pub fn report(section: &str, run: impl Future<Output = String>) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    perf_doc::publish(section, &runtime.block_on(run));
}
