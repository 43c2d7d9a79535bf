//! Every kind of bad request gets its own 4xx with a JSON `{error, message}`, and writes nothing.

mod common;

use std::time::Duration;

use common::{Dev, Harness, assert_error, employee, id};
use rainstaff_core::protocol::{MAX_BATCH, Op, OutcomeStatus, PROTOCOL_HEADER, RefusalCode};
use rainstaff_core::schema::EMPLOYEES;
use rainstaff_server::http::HttpConfig;
use rainstaff_server::ratelimit::RateLimit;
use rainstaff_server::store::Tx;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

/// A server with one Ankara device that has pushed one employee (mutation 1).
async fn setup() -> (Harness, Dev, Uuid) {
    let h = Harness::start().await;
    let dev = h.enroll("Ankara", "Ankara PC").await;
    let emp = id();
    dev.push(&[dev.upsert("employees", emp, employee("Ali Veli"), 0)]).await;
    (h, dev, emp)
}

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    let body = response.json().await.unwrap_or_else(|e| panic!("{status}: not JSON: {e}"));
    (status, body)
}

/// Sends `request`, asserts the answer and that the database did not change.
async fn refused(h: &Harness, request: reqwest::RequestBuilder, status: u16, code: &str) {
    let before = h.stored();
    let (got, body) = send(request).await;
    assert_error(got, &body, status, code);
    assert_eq!(h.stored(), before, "{code} wrote something");
}

fn push_body(dev: &Dev, body: impl Into<reqwest::Body>) -> reqwest::RequestBuilder {
    dev.request(Method::POST, "/sync").header("content-type", "application/json").body(body)
}

#[tokio::test]
async fn malformed_and_mistyped_bodies() {
    let (h, dev, _) = setup().await;
    refused(&h, push_body(&dev, "{\"mutations\": ["), 400, "malformed_json").await;
    let wrong_type = json!({"mutations": [{"mutation_id": "two", "table": "employees", "row_id": id(),
        "region": "Ankara", "op": "upsert", "fields": {}, "base_version": 0}]});
    refused(&h, push_body(&dev, wrong_type.to_string()), 400, "invalid_body").await;
    let unknown_op = json!({"mutations": [{"mutation_id": 2, "table": "employees", "row_id": id(),
        "region": "Ankara", "op": "replace", "fields": {}, "base_version": 0}]});
    refused(&h, push_body(&dev, unknown_op.to_string()), 400, "invalid_body").await;
    refused(&h, push_body(&dev, json!({"mutations": [], "extra": 1}).to_string()), 400, "invalid_body").await;
    let no_content_type = dev.request(Method::POST, "/sync").body(json!({"mutations": []}).to_string());
    refused(&h, no_content_type, 415, "unsupported_media_type").await;
    let enroll = h.http.post(h.url("/enroll")).header("content-type", "application/json").body("not json");
    refused(&h, enroll, 400, "malformed_json").await;
    let code = h.server().create_enroll_code("Ankara").unwrap();
    let nameless = h.http.post(h.url("/enroll")).json(&json!({"code": code.code, "name": "  "}));
    refused(&h, nameless, 400, "invalid_name").await;
}

/// Pushes `good`, then `bad`, then `good2` in one batch and checks that only `bad` was refused,
/// with `code` and a message naming `named`, while both good ones were applied.
async fn refused_alone(
    h: &Harness,
    dev: &Dev,
    bad: rainstaff_core::protocol::Mutation,
    code: RefusalCode,
    named: &str,
) {
    // `bad` took the next id: the batch is numbered around it.
    let start = bad.mutation_id;
    let mut first = dev.upsert("employees", id(), employee("Önce"), 0);
    let mut bad = bad;
    let mut last = dev.upsert("employees", id(), employee("Sonra"), 0);
    (first.mutation_id, bad.mutation_id, last.mutation_id) = (start, start + 1, start + 2);
    dev.next_mutation.set(start + 3);
    let head_before = h.read(|tx| tx.head_seq());
    let response = dev.push(&[first.clone(), bad, last.clone()]).await;
    let [a, b, c] = &response.outcomes[..] else { panic!("three answers expected: {response:?}") };
    assert_eq!(a.status, OutcomeStatus::Applied, "{a:?}");
    assert_eq!(c.status, OutcomeStatus::Applied, "{c:?}");
    assert_eq!(b.status, OutcomeStatus::Rejected, "{b:?}");
    assert_eq!(b.code, Some(code), "{b:?}");
    assert!(b.reason.as_deref().unwrap_or_default().contains(named), "{b:?}");
    assert_eq!(h.read(|tx| tx.head_seq()), head_before + 2, "only the two good mutations are written");
}

#[tokio::test]
async fn unknown_tables_fields_and_wrong_types_are_refused_alone() {
    let (h, dev, emp) = setup().await;
    // (table, fields, code, what the reason must name)
    let cases = [
        ("payroll", json!({"x": 1}), RefusalCode::UnknownTable, "table"),
        ("employees", json!({"full_name": "A", "salary": 1}), RefusalCode::InvalidFields, "salary"),
        ("employees", json!({"weekly_minutes": "forty"}), RefusalCode::InvalidFields, "weekly_minutes"),
        ("employees", json!({"hire_date": "31.02.2026"}), RefusalCode::InvalidFields, "hire_date"),
        ("employees", json!({"full_name": null}), RefusalCode::InvalidFields, "full_name"),
    ];
    for (table, fields, code, named) in cases {
        let bad = dev.upsert(table, emp, fields.clone(), 1);
        refused_alone(&h, &dev, bad, code, named).await;
    }
    // A new row needs every required field.
    let incomplete = dev.upsert("employees", id(), json!({"full_name": "Yarım"}), 0);
    refused_alone(&h, &dev, incomplete, RefusalCode::InvalidFields, "contract_kind").await;
    // Not a region code at all.
    let nowhere = dev.mutation("employees", id(), "ALL", Op::Upsert, employee("Her yer"), 0);
    refused_alone(&h, &dev, nowhere, RefusalCode::InvalidRegion, "region").await;
}

#[tokio::test]
async fn oversized_bodies_and_batches() {
    let (h, dev, _) = setup().await;
    let huge = format!("{{\"mutations\": [], \"pad\": \"{}\"}}", "x".repeat(17 * 1024 * 1024));
    // The server answers before it has read the whole body and closes the connection, so on a
    // busy machine the client may lose the answer's body while it is still sending: the status
    // is what must hold, and the body when it arrives.
    let before = h.stored();
    let response = push_body(&dev, huge).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    if let Ok(body) = response.json::<Value>().await {
        assert_eq!(body["error"], "body_too_large", "{body}");
    }
    assert_eq!(h.stored(), before, "body_too_large wrote something");
    let batch: Vec<_> = (0..=MAX_BATCH).map(|_| dev.upsert("employees", id(), employee("Çok"), 0)).collect();
    refused(
        &h,
        dev.request(Method::POST, "/sync").json(&json!({"mutations": batch})),
        400,
        "batch_too_large",
    )
    .await;
}

#[tokio::test]
async fn another_regions_mutation() {
    let (h, dev, emp) = setup().await;
    let foreign = dev.mutation("employees", id(), "Izmir", Op::Upsert, employee("Başka"), 0);
    refused_alone(&h, &dev, foreign, RefusalCode::RegionForbidden, "region").await;
    // An İzmir record under an id Ankara already owns: refused, and nothing of Ankara's is told.
    let izmir = h.enroll("Izmir", "İzmir PC").await;
    let claim = izmir.upsert("employees", emp, employee("Gasp"), 0);
    let response = izmir.push(&[claim]).await;
    assert_eq!(response.outcomes[0].code, Some(RefusalCode::IdTaken));
    assert!(response.outcomes[0].row.is_none(), "{response:?}");
    assert!(!serde_json::to_string(&response).unwrap().contains("Ali Veli"));
    // An office PC cannot move a row to another region.
    let moved = dev.mutation("employees", emp, "Izmir", Op::Upsert, json!({"title": "x"}), 1);
    refused_alone(&h, &dev, moved, RefusalCode::RegionForbidden, "region").await;
}

#[tokio::test]
async fn an_administrator_moves_a_record_to_another_region() {
    let (h, ankara, emp) = setup().await;
    let izmir = h.enroll("Izmir", "İzmir PC").await;
    let admin = h.enroll("ALL", "Merkez").await;
    let (_, head) = ankara.pull_all(0).await;
    let version = h.rows(&EMPLOYEES)[0].version;
    let moved = admin.mutation("employees", emp, "Izmir", Op::Upsert, employee("Ali Veli"), version);
    let response = admin.push(&[moved]).await;
    let outcome = &response.outcomes[0];
    assert_eq!(outcome.status, OutcomeStatus::Applied, "{outcome:?}");
    assert_eq!(outcome.row.as_ref().unwrap().region, "Izmir");
    // Ankara's PCs see it leave; İzmir's see it arrive, alive.
    let (seen, _) = ankara.pull_all(head).await;
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].row.id, seen[0].row.region.as_str()), (emp, "Ankara"));
    assert!(seen[0].row.deleted_at.is_some());
    let (seen, _) = izmir.pull_all(0).await;
    assert_eq!(
        seen.iter().map(|c| (c.row.id, c.row.deleted_at.is_none())).collect::<Vec<_>>(),
        vec![(emp, true)]
    );
    // A row that refers to others stays where its references are.
    let shift = id();
    ankara.push(&[ankara.upsert("timesheets", shift, common::timesheet(id()), 0)]).await;
    let sheet = admin.mutation("timesheets", shift, "Izmir", Op::Upsert, json!({"note": "x"}), 0);
    let response = admin.push(&[sheet]).await;
    assert_eq!(response.outcomes[0].status, OutcomeStatus::Rejected);
}

#[tokio::test]
async fn replayed_and_gapped_mutation_ids() {
    let (h, dev, emp) = setup().await;
    // Mutation 1 again, with other content.
    dev.next_mutation.set(1);
    let replay = dev.upsert("employees", emp, employee("Başka İsim"), 0);
    refused(
        &h,
        dev.request(Method::POST, "/sync").json(&json!({"mutations": [replay]})),
        409,
        "mutation_replayed",
    )
    .await;
    // Mutation 3 while 2 never came.
    dev.next_mutation.set(3);
    let gap = dev.upsert("employees", id(), employee("Boşluk"), 0);
    refused(&h, dev.request(Method::POST, "/sync").json(&json!({"mutations": [gap]})), 409, "mutation_gap")
        .await;
    dev.next_mutation.set(0);
    let zero = dev.upsert("employees", id(), employee("Sıfır"), 0);
    refused(
        &h,
        dev.request(Method::POST, "/sync").json(&json!({"mutations": [zero]})),
        400,
        "invalid_mutation",
    )
    .await;
}

#[tokio::test]
async fn missing_forged_and_revoked_tokens() {
    let (h, dev, _) = setup().await;
    let body = json!({"mutations": []});
    let no_token = h.http.post(h.url("/sync")).header(PROTOCOL_HEADER, "1").json(&body);
    refused(&h, no_token, 401, "missing_token").await;
    let forged =
        h.http.post(h.url("/sync")).header(PROTOCOL_HEADER, "1").bearer_auth("f".repeat(64)).json(&body);
    refused(&h, forged, 401, "invalid_token").await;
    let basic =
        h.http.get(h.url("/sync/changes")).header(PROTOCOL_HEADER, "1").basic_auth("admin", Some("x"));
    refused(&h, basic, 401, "invalid_token").await;

    h.server().revoke(dev.id).unwrap();
    refused(&h, dev.request(Method::POST, "/sync").json(&body), 401, "token_revoked").await;
    refused(&h, dev.request(Method::GET, "/sync/changes?since=0"), 401, "token_revoked").await;
    refused(&h, dev.request(Method::GET, "/sync/download"), 401, "token_revoked").await;
}

#[tokio::test]
async fn protocol_versions() {
    let (h, dev, _) = setup().await;
    let without = h.http.get(h.url("/sync/changes")).bearer_auth(&dev.token);
    refused(&h, without, 400, "protocol_missing").await;
    for version in ["0", "99"] {
        let request =
            h.http.get(h.url("/sync/changes")).header(PROTOCOL_HEADER, version).bearer_auth(&dev.token);
        let (status, body) = send(request).await;
        assert_error(status, &body, 426, "update_required");
    }
    let garbage = h.http.get(h.url("/sync/changes")).header(PROTOCOL_HEADER, "one").bearer_auth(&dev.token);
    refused(&h, garbage, 400, "protocol_invalid").await;
    // Enrollment by an old client is refused the same way.
    let code = h.server().create_enroll_code("Ankara").unwrap();
    let old = h
        .http
        .post(h.url("/enroll"))
        .header(PROTOCOL_HEADER, "0")
        .json(&json!({"code": code.code, "name": "Eski"}));
    refused(&h, old, 426, "update_required").await;
}

#[tokio::test]
async fn bad_queries_paths_and_routes() {
    let (h, dev, _) = setup().await;
    refused(&h, dev.request(Method::GET, "/sync/changes?since=abc"), 400, "invalid_query").await;
    refused(&h, dev.request(Method::GET, "/sync/changes?since=-1"), 400, "invalid_query").await;
    refused(&h, dev.request(Method::POST, "/sync/conflicts/x/resolve"), 400, "invalid_path").await;
    refused(&h, dev.request(Method::POST, "/sync/conflicts/12345/resolve"), 404, "conflict_not_found").await;
    refused(&h, dev.request(Method::GET, "/nowhere"), 404, "not_found").await;
    refused(&h, dev.request(Method::DELETE, "/sync"), 405, "method_not_allowed").await;
}

#[tokio::test]
async fn a_flooding_token_is_rate_limited() {
    let config =
        HttpConfig { rate_limit: RateLimit { per_second: 0.01, burst: 3.0 }, ..HttpConfig::default() };
    let h = Harness::start_with(config).await;
    let dev = h.enroll("Ankara", "Döngüde").await;
    for _ in 0..3 {
        assert_eq!(
            dev.request(Method::GET, "/sync/changes?since=0").send().await.unwrap().status(),
            StatusCode::OK
        );
    }
    let before = h.stored();
    let response = dev.request(Method::GET, "/sync/changes?since=0").send().await.unwrap();
    assert!(response.headers().contains_key("retry-after"));
    let status = response.status();
    assert_error(status, &response.json().await.unwrap(), 429, "rate_limited");
    assert_eq!(h.stored(), before);
    // Other devices are not affected.
    let other = h.enroll("Ankara", "Sakin").await;
    assert_eq!(
        other.request(Method::GET, "/sync/changes?since=0").send().await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_slow_request_times_out_with_json_and_its_work_still_counts_once() {
    let config = HttpConfig { request_timeout: Duration::from_millis(300), ..HttpConfig::default() };
    let h = Harness::start_with(config).await;
    let dev = h.enroll("Ankara", "Yavaş").await;
    let m = dev.upsert("employees", id(), employee("Bekleyen"), 0);
    // Another program holds the database's write lock, so the push waits for it.
    let blocker = h.hold_writes();
    let (status, body) = dev.push_raw(std::slice::from_ref(&m)).await;
    assert_error(status, &body, 408, "request_timeout");
    blocker.release();
    // The push went on and committed once; the retry gets its outcome and writes nothing more.
    let retry = dev.push(std::slice::from_ref(&m)).await;
    assert_eq!(retry.outcomes.len(), 1);
    assert_eq!(h.read(|tx| tx.count_changes(None, 0)), 1);
}
