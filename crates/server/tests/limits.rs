//! Limits on what the wire carries and on what a client can hold, against the real server on
//! 127.0.0.1: bounded text, exact dates and times, pull pages bounded in bytes, errors that do
//! not echo their input, deadlines and a connection limit for slow clients, reads that never
//! stop writers, and a readiness probe that knows when the store cannot write.

mod common;

use std::net::SocketAddr;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{Dev, Harness, assert_error, employee, id, timesheet};
use rainstaff_core::protocol::{ChangesPage, OutcomeStatus, PROTOCOL_HEADER, PushRequest};
use rainstaff_core::schema::EMPLOYEES;
use rainstaff_server::http::HttpConfig;
use rainstaff_server::service::MAX_PAGE_BYTES;
use rainstaff_server::snapshot;
use rainstaff_server::store::{Store, Tx};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

/// Pushes one mutation that the server must refuse, alone and writing nothing; returns its reason.
async fn refused_push(h: &Harness, dev: &Dev, mutation: impl serde::Serialize, code: &str) -> String {
    let head = || h.read(|tx| tx.head_seq());
    let before = head();
    let request = dev.request(Method::POST, "/sync").json(&json!({ "mutations": [mutation] }));
    let (status, body) = send(request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let outcome = &body["outcomes"][0];
    assert_eq!(outcome["status"], "rejected", "{body}");
    assert_eq!(outcome["code"], code, "{body}");
    assert_eq!(head(), before, "{code} wrote something");
    outcome["reason"].as_str().unwrap().to_string()
}

fn addr(h: &Harness) -> SocketAddr {
    h.url("").trim_start_matches("http://").parse().unwrap()
}

#[tokio::test]
async fn text_longer_than_its_field_allows_is_refused_naming_the_field_and_the_limit() {
    let h = Harness::start().await;
    let dev = h.enroll("Ankara", "Ankara PC").await;
    // Characters are counted, not bytes: 200 Turkish letters are 400 bytes and still fit.
    let longest = "Ş".repeat(200);
    let saved = dev.push(&[dev.upsert("employees", id(), employee(&longest), 0)]).await;
    assert_eq!(saved.outcomes[0].status, OutcomeStatus::Applied);

    let emp = saved.outcomes[0].row.as_ref().unwrap().id;
    let cases = [
        ("employees", employee("Ali Veli"), "full_name", "Ş".repeat(201), 200),
        ("employees", employee("Ali Veli"), "identity_no", "1".repeat(12), 11),
        ("employees", employee("Ali Veli"), "contract_kind", "c".repeat(33), 32),
        ("timesheets", timesheet(emp), "note", "n".repeat(2001), 2000),
    ];
    for (table, mut fields, field, value, max) in cases {
        fields[field] = json!(value);
        let message = refused_push(&h, &dev, dev.upsert(table, id(), fields, 0), "invalid_fields").await;
        assert!(message.contains(&format!("{field}: is too long ({max} characters at most)")), "{message}");
    }
}

#[tokio::test]
async fn dates_and_times_are_accepted_only_in_their_exact_form() {
    let h = Harness::start().await;
    let dev = h.enroll("Ankara", "Ankara PC").await;
    let emp = id();
    dev.push(&[dev.upsert("employees", emp, employee("Ali Veli"), 0)]).await;
    let loose = [
        ("work_date", "2026-1-6"),
        ("work_date", "2026-01-06 "),
        ("work_date", "06.01.2026"),
        ("start_time", "8:5"),
        ("start_time", "8:05"),
        ("end_time", "17:00:00"),
    ];
    for (field, value) in loose {
        let mut shift = timesheet(emp);
        shift[field] = json!(value);
        let message =
            refused_push(&h, &dev, dev.upsert("timesheets", id(), shift, 0), "invalid_fields").await;
        assert!(message.contains(field), "{value:?}: {message}");
    }
    let mut hired = employee("Ayşe Yılmaz");
    hired["hire_date"] = json!("2026-3-2");
    let message = refused_push(&h, &dev, dev.upsert("employees", id(), hired, 0), "invalid_fields").await;
    assert!(message.contains("hire_date"), "{message}");

    let exact = dev.push(&[dev.upsert("timesheets", id(), timesheet(emp), 0)]).await;
    assert_eq!(exact.outcomes[0].status, OutcomeStatus::Applied);
}

/// Pulls every page from 0 with the largest row limit; returns the pages.
async fn pull_pages(dev: &Dev) -> Vec<ChangesPage> {
    let mut pages = Vec::new();
    let mut since = 0;
    loop {
        let page = dev.pull(since, rainstaff_core::protocol::MAX_BATCH).await;
        since = page.next_since;
        let more = page.has_more;
        pages.push(page);
        if !more {
            return pages;
        }
    }
}

#[tokio::test]
async fn pull_pages_are_bounded_in_bytes_as_well_as_rows() {
    let h = Harness::start().await;
    let dev = h.enroll("Ankara", "Ankara PC").await;
    let vehicle = id();
    // Its km is above every inspection's reading, so no inspection raises it: the pages hold
    // the vehicle and the inspections alone.
    let van = json!({"plate": "06 ABC 123", "km": 1_000, "oil_interval_km": 10000});
    dev.push(&[dev.upsert("vehicles", vehicle, van, 0)]).await;
    // Weekly inspections, one a week as the rule wants, with a checklist near the longest the
    // schema allows: nine items with long notes, about 19 kB of JSON each.
    let checklist: Vec<_> = rainstaff_core::checklist::ITEMS
        .iter()
        .map(|&item| json!({"item": item, "ok": false, "note": "ş".repeat(1_050)}))
        .collect();
    let results = serde_json::Value::Array(checklist).to_string();
    assert!(results.chars().count() <= rainstaff_core::schema::RESULTS_CHARS);
    let first = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let inspections: Vec<_> = (0..120)
        .map(|i| {
            let fields = json!({
                "vehicle_id": vehicle.to_string(),
                "inspection_date": (first + chrono::Duration::weeks(i)).to_string(),
                "km": i,
                "results": results,
            });
            dev.upsert("vehicle_inspections", id(), fields, 0)
        })
        .collect();
    let pushed = dev.push(&inspections).await;
    assert!(pushed.outcomes.iter().all(|o| o.status == OutcomeStatus::Applied));

    let pages = pull_pages(&dev).await;
    assert!(pages.len() >= 3, "{} pages", pages.len());
    let mut seqs = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        let json: usize = page.changes.iter().map(|c| serde_json::to_vec(&c.row).unwrap().len()).sum();
        assert!(json <= MAX_PAGE_BYTES, "page {i} carries {json} bytes of rows");
        assert!(page.changes.len() < 121);
        assert_eq!(page.next_since, page.changes.last().unwrap().seq);
        assert_eq!(page.has_more, i + 1 < pages.len());
        seqs.extend(page.changes.iter().map(|c| c.seq));
    }
    // Every change exactly once, in order.
    assert_eq!(seqs, (1..=121).collect::<Vec<i64>>());
    // Asked again from the end: an empty page that stays where it is.
    let last = dev.pull(121, 500).await;
    assert!(last.changes.is_empty() && !last.has_more && last.next_since == 121);

    // A change larger than the byte budget still comes, alone: a page is never empty while
    // changes wait.
    let page = h.server().store().read(|tx| Ok(tx.changes(None, 0, 500, 1, None)?)).unwrap();
    assert_eq!(page.changes.len(), 1);
    assert!(page.has_more);
    assert_eq!(page.next_since, 1);
}

#[tokio::test]
async fn error_answers_quote_only_a_short_printable_prefix_of_the_input() {
    let h = Harness::start().await;
    let dev = h.enroll("Ankara", "Ankara PC").await;
    let hostile = format!("\u{1b}]0;owned\u{7}{}", "x".repeat(100_000));
    // Each refused mutation is answered and kept, so each takes the device's next id.
    let next = std::cell::Cell::new(1);
    let mutation = |table: &str, region: &str, fields: Value| {
        let n = next.replace(next.get() + 1);
        json!({"mutation_id": n, "table": table, "row_id": id(), "region": region, "op": "upsert",
               "fields": fields, "base_version": 0})
    };
    let bounded = |message: &str| {
        assert!(message.chars().count() <= 320, "{} characters", message.chars().count());
        assert!(!message.contains('\u{1b}') && !message.contains('\u{7}'), "{message}");
    };

    let message = refused_push(&h, &dev, mutation(&hostile, "Ankara", json!({})), "unknown_table").await;
    bounded(&message);
    assert!(message.contains("\\u{1b}]0;owned\\u{7}xxx"), "{message}");
    let message =
        refused_push(&h, &dev, mutation("employees", &hostile, employee("A")), "invalid_region").await;
    bounded(&message);
    let mut fields = employee("A");
    fields[&hostile] = json!(1);
    let message = refused_push(&h, &dev, mutation("employees", "Ankara", fields), "invalid_fields").await;
    bounded(&message);
    // Thousands of unknown fields: the answer names the first ones and counts the rest.
    let mut fields = employee("A");
    for i in 0..5000 {
        fields[format!("extra_{i}")] = json!(i);
    }
    let message = refused_push(&h, &dev, mutation("employees", "Ankara", fields), "invalid_fields").await;
    assert!(message.len() < 1000 && message.contains("and 4990 more"), "{message}");

    // Serde's explanation quotes the value; the answer keeps its start and its end.
    let mut bad_op = mutation("employees", "Ankara", employee("A"));
    bad_op["op"] = json!(hostile);
    let request = dev.request(Method::POST, "/sync").json(&json!({ "mutations": [bad_op] }));
    let (status, body) = send(request).await;
    assert_error(status, &body, 400, "invalid_body");
    let message = body["message"].as_str().unwrap();
    bounded(message);
    assert!(
        message.contains("mutations[0].op") && message.contains("expected `upsert` or `delete`"),
        "{message}"
    );

    let query = format!("/sync/changes?since={}", "9".repeat(20_000));
    let (status, body) = send(dev.request(Method::GET, &query)).await;
    assert_error(status, &body, 400, "invalid_query");
    bounded(body["message"].as_str().unwrap());
}

#[tokio::test]
async fn a_client_that_does_not_send_its_headers_in_time_is_disconnected() {
    let config = HttpConfig { header_timeout: Duration::from_millis(500), ..HttpConfig::default() };
    let h = Harness::start_with(config).await;
    let mut dribbling = TcpStream::connect(addr(&h)).await.unwrap();
    dribbling.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n").await.unwrap();
    let silent = TcpStream::connect(addr(&h)).await.unwrap();
    let started = Instant::now();
    for mut client in [dribbling, silent] {
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(10), client.read_to_end(&mut rest)).await;
        assert!(closed.is_ok(), "the server kept a client that sent no complete request");
    }
    assert!(started.elapsed() >= Duration::from_millis(400), "closed before the deadline");
    // Whoever sends a whole request in time is served as before.
    assert_eq!(h.http.get(h.url("/health")).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_until_one_closes() {
    let config = HttpConfig { max_connections: 2, ..HttpConfig::default() };
    let h = Harness::start_with(config).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut client = TcpStream::connect(addr(&h)).await.unwrap();
        client.write_all(b"GET /health HTTP/1.1\r\n").await.unwrap();
        held.push(client);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let impatient = reqwest::Client::builder().timeout(Duration::from_millis(800)).build().unwrap();
    let waited = impatient.get(h.url("/health")).send().await;
    assert!(waited.is_err_and(|e| e.is_timeout()), "a third connection was served beside two held ones");
    drop(held);
    let response = reqwest::Client::new().get(h.url("/health")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_client_that_stops_reading_its_answer_loses_the_connection() {
    let config = HttpConfig { request_timeout: Duration::from_secs(3), ..HttpConfig::default() };
    let h = Harness::start_with(config).await;
    let dev = h.enroll("Ankara", "Ankara PC").await;
    // A store whose snapshot (6 MB) is larger than the socket buffers between the two ends,
    // written through the service so the short request timeout does not get in the way.
    let device = h.server().authenticate(&dev.token).unwrap();
    let vehicle = id();
    let mut mutations =
        vec![dev.upsert("vehicles", vehicle, json!({"plate": "06 ABC 123", "oil_interval_km": 10000}), 0)];
    for km in 0..300 {
        let fields = json!({"vehicle_id": vehicle.to_string(), "inspection_date": "2026-02-01", "km": km,
                            "results": "ş".repeat(10_000)});
        mutations.push(dev.upsert("vehicle_inspections", id(), fields, 0));
    }
    h.server().push(&device, PushRequest { mutations }).unwrap();

    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut client = socket.connect(addr(&h)).await.unwrap();
    let request = format!(
        "GET /sync/download HTTP/1.1\r\nHost: 127.0.0.1\r\n{PROTOCOL_HEADER}: 1\r\nAuthorization: Bearer {}\r\n\r\n",
        dev.token
    );
    client.write_all(request.as_bytes()).await.unwrap();
    // Reads nothing for twice the request timeout.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), client.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the server kept a client that stopped reading");
    assert!(received.len() < 6_000_000, "the whole answer arrived ({} bytes)", received.len());
}

#[tokio::test]
async fn a_request_in_flight_finishes_when_the_server_stops() {
    let mut h = Harness::start().await;
    let dev = h.enroll("Ankara", "Ankara PC").await;
    let m = dev.upsert("employees", id(), employee("Yolda"), 0);
    // Another program holds the database's write lock, so the push is still running when the
    // stop comes.
    let blocker = h.hold_writes();
    let push = tokio::spawn(dev.request(Method::POST, "/sync").json(&json!({ "mutations": [m] })).send());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let release = tokio::task::spawn_blocking(move || {
        std::thread::sleep(Duration::from_millis(500));
        blocker.release();
    });
    h.restart().await;
    release.await.unwrap();
    let response = push.await.unwrap().unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(h.rows(&EMPLOYEES).len(), 1);
}

#[tokio::test]
async fn a_snapshot_being_read_does_not_stop_pushes() {
    let h = Harness::start().await;
    let dev = h.enroll("Ankara", "Ankara PC").await;
    let first = id();
    dev.push(&[dev.upsert("employees", first, employee("İlk"), 0)]).await;

    // The snapshot's read transaction stays open until the push below has answered.
    let (opened, snapshot_open) = mpsc::channel();
    let (pushed, push_done) = mpsc::channel::<()>();
    let server = h.server().clone();
    let dest = h.dir.path().join("snapshot.db");
    let second = id();
    let reading = tokio::task::spawn_blocking(move || {
        server.store().read(|tx| {
            let head =
                snapshot::write(tx, "Ankara", Some("Ankara"), "2026-03-04T00:00:00.000Z", "epoch", &dest)?;
            opened.send(()).unwrap();
            let answered = push_done.recv_timeout(Duration::from_secs(20)).is_ok();
            let table = rainstaff_core::schema::table("employees").unwrap();
            // Still the state the snapshot began with.
            let sees_push = tx.row(table, second)?.is_some();
            Ok((head, answered, sees_push))
        })
    });
    tokio::task::spawn_blocking(move || snapshot_open.recv().unwrap()).await.unwrap();
    let push = dev.request(Method::POST, "/sync").json(&json!({
        "mutations": [dev.upsert("employees", second, employee("İkinci"), 0)]
    }));
    let answer = tokio::time::timeout(Duration::from_secs(10), push.send()).await;
    let _ = pushed.send(());
    let answer = answer.expect("the push waited for the snapshot").unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let (head, answered, sees_push) = reading.await.unwrap().unwrap();
    assert!(answered);
    assert_eq!(head, 1);
    assert!(!sees_push, "a read transaction saw a later commit");
    assert_eq!(h.rows(&EMPLOYEES).len(), 2);

    // And through HTTP: a download and pushes at once both succeed.
    let download = dev.request(Method::GET, "/sync/download").send();
    let third = [dev.upsert("employees", id(), employee("Üçüncü"), 0)];
    let more = dev.push(&third);
    let (download, more) = tokio::join!(download, more);
    assert_eq!(download.unwrap().status(), StatusCode::OK);
    assert_eq!(more.outcomes[0].status, OutcomeStatus::Applied);
}

#[tokio::test]
async fn ready_fails_while_the_store_cannot_be_written() {
    let h = Harness::start().await;
    // Another program holding the database's write lock.
    let blocker = h.hold_writes();
    let (status, body) = send(h.http.get(h.url("/ready"))).await;
    assert_error(status, &body, 503, "not_ready");
    // Liveness is another question: the process itself is fine.
    assert_eq!(h.http.get(h.url("/health")).send().await.unwrap().status(), StatusCode::OK);
    blocker.release();
    assert_eq!(h.http.get(h.url("/ready")).send().await.unwrap().status(), StatusCode::OK);
    // The probe rolled back what it touched.
    assert_eq!(h.read(|tx| tx.head_seq()), 0);
}
