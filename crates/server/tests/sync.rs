//! The sync guarantees end to end: real server on 127.0.0.1, real HTTP, real SQLite files.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use chrono::{TimeDelta, Utc};
use common::{Harness, assert_error, employee, id, timesheet, version, write};
use rainstaff_core::protocol::{
    ConflictRecord, Mutation, OutcomeStatus, PROTOCOL_HEADER, PROTOCOL_VERSION, RefusalCode, RowState,
    StatusResponse,
};
use rainstaff_core::schema::EMPLOYEES;
use rainstaff_server::Server;
use rainstaff_server::store::Tx;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn health_and_readiness() {
    let h = Harness::start().await;
    let response = h.http.get(h.url("/health")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[PROTOCOL_HEADER], PROTOCOL_VERSION.to_string().as_str());
    assert!(response.headers().contains_key("x-request-id"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["service"], "rainstaff");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert!(chrono::DateTime::parse_from_rfc3339(body["timestamp"].as_str().unwrap()).is_ok());
    let ready = h.http.get(h.url("/ready")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_enrollment_code_works_once_and_expires() {
    let h = Harness::start().await;
    let code = h.server().create_enroll_code("istanbul").unwrap();
    assert_eq!(code.region, "Istanbul");
    let enroll = |code: String| {
        h.http
            .post(h.url("/enroll"))
            .header(PROTOCOL_HEADER, "1")
            .json(&json!({"code": code, "name": "Kadıköy PC"}))
            .send()
    };
    // Typed sloppily: case and dashes do not matter.
    let first = enroll(code.code.to_lowercase().replace('-', "")).await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let enrolled: Value = first.json().await.unwrap();
    assert_eq!(enrolled["region"], "Istanbul");
    assert_eq!(enrolled["token"].as_str().unwrap().len(), 64);
    // Only the token's hash is stored.
    assert_eq!(h.read(|tx| tx.device_by_token_hash(enrolled["token"].as_str().unwrap())), None);

    let before = h.stored();
    let again = enroll(code.code.clone()).await.unwrap();
    let status = again.status();
    assert_error(status, &again.json().await.unwrap(), 410, "code_used");
    let unknown = enroll("AAAA-BBBB-CCCC".into()).await.unwrap();
    let status = unknown.status();
    assert_error(status, &unknown.json().await.unwrap(), 403, "invalid_code");
    assert_eq!(h.stored(), before);

    // A code issued 25 hours ago (by a server whose clock says so) has expired.
    let past = Server::new(h.open_store()).with_clock(Arc::new(|| Utc::now() - TimeDelta::hours(25)));
    let old = past.create_enroll_code("Ankara").unwrap();
    drop(past);
    let before = h.stored();
    let expired = enroll(old.code).await.unwrap();
    let status = expired.status();
    assert_error(status, &expired.json().await.unwrap(), 410, "code_expired");
    assert_eq!(h.stored(), before);
}

#[tokio::test]
async fn push_then_pull_between_two_devices_of_one_region() {
    let h = Harness::start().await;
    let a = h.enroll("Ankara", "A").await;
    let b = h.enroll("Ankara", "B").await;
    let (emp, sheet) = (id(), id());
    let batch = [
        a.upsert("employees", emp, employee("Ayşe Yılmaz"), 0),
        a.upsert("timesheets", sheet, timesheet(emp), 0),
    ];
    let response = a.push(&batch).await;
    assert_eq!(response.outcomes.len(), 2);
    for (outcome, m) in response.outcomes.iter().zip(&batch) {
        assert_eq!(outcome.status, OutcomeStatus::Applied);
        assert_eq!(outcome.mutation_id, m.mutation_id);
        let row = outcome.row.as_ref().unwrap();
        assert_eq!(row.id, m.row_id);
        assert!(row.version > 0);
    }

    let (changes, cursor) = b.pull_all(0).await;
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0].row.fields["full_name"], "Ayşe Yılmaz");
    assert_eq!(changes[1].row.fields["employee_id"], emp.to_string());
    assert_eq!(changes[1].row, *response.outcomes[1].row.as_ref().unwrap());
    assert!(changes[0].seq < changes[1].seq);
    // Caught up: nothing more, and the cursor stays.
    let page = b.pull(cursor, 200).await;
    assert!(page.changes.is_empty() && !page.has_more);
    assert_eq!(page.next_since, cursor);
}

/// A device that says it holds the answers to all its pushes is not sent those changes again;
/// one that says less (its data went back to an older copy) gets them all.
#[tokio::test]
async fn a_device_holding_its_answers_is_not_sent_its_own_changes() {
    let h = Harness::start().await;
    let a = h.enroll("Ankara", "A").await;
    let b = h.enroll("Ankara", "B").await;
    let (ayse, veli) = (id(), id());
    let mine = a.push(&[a.upsert("employees", ayse, employee("Ayşe"), 0)]).await;
    write(&b, b.upsert("employees", veli, employee("Veli"), 0)).await;
    let last =
        a.push(&[a.upsert("employees", ayse, json!({"title": "Şef"}), version(&mine.outcomes[0]))]).await;
    let head = version(&last.outcomes[0]);
    let answered = last.outcomes[0].mutation_id;

    let query = |answered: i64| format!("since=0&answered={answered}");
    let page = a.pull_with(&query(answered)).await;
    let names: Vec<&Value> = page.changes.iter().map(|c| &c.row.fields["full_name"]).collect();
    assert_eq!(names, [&json!("Veli")]);
    assert_eq!((page.next_since, page.has_more), (head, false));
    // An older answer: this device may lack what it pushed after, so everything comes (Ayşe
    // once, as she is now: her first version was superseded).
    assert_eq!(a.pull_with(&query(answered - 1)).await.changes.len(), 2);
    assert_eq!(a.pull(0, 200).await.changes.len(), 2);
}

#[tokio::test]
async fn pages_are_bounded_and_in_sequence_order() {
    let h = Harness::start().await;
    let a = h.enroll("Izmir", "A").await;
    let batch: Vec<_> =
        (0..25).map(|i| a.upsert("employees", id(), employee(&format!("Kişi {i}")), 0)).collect();
    a.push(&batch).await;
    let first = a.pull(0, 10).await;
    assert_eq!(first.changes.len(), 10);
    assert!(first.has_more);
    assert_eq!(first.next_since, first.changes[9].seq);
    let (rest, _) = a.pull_all(first.next_since).await;
    assert_eq!(rest.len(), 15);
    let seqs: Vec<i64> = first.changes.iter().chain(&rest).map(|c| c.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    // Without a limit the page is 200 at most; a huge limit is capped at MAX_BATCH.
    let (status, body) = a.get("/sync/changes?since=0&limit=100000").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["changes"].as_array().unwrap().len(), 25);
}

#[tokio::test]
async fn regions_are_isolated_both_ways() {
    let h = Harness::start().await;
    let ankara = h.enroll("Ankara", "Ankara PC").await;
    let izmir = h.enroll("Izmir", "İzmir PC").await;
    let admin = h.enroll("ALL", "Merkez").await;
    let ankara_emp = id();
    ankara.push(&[ankara.upsert("employees", ankara_emp, employee("Ali"), 0)]).await;
    let izmir_emp = id();
    izmir.push(&[izmir.upsert("employees", izmir_emp, employee("Zeynep"), 0)]).await;

    // Read: each sees only its own region; the administrator sees both.
    let (seen, _) = izmir.pull_all(0).await;
    assert_eq!(seen.iter().map(|c| c.row.id).collect::<Vec<_>>(), vec![izmir_emp]);
    let (seen, _) = ankara.pull_all(0).await;
    assert_eq!(seen.iter().map(|c| c.row.id).collect::<Vec<_>>(), vec![ankara_emp]);
    let (seen, _) = admin.pull_all(0).await;
    assert_eq!(seen.len(), 2);

    // Write: a mutation for Ankara from İzmir, and an İzmir-labelled edit of Ankara's row.
    let before = h.stored();
    let foreign = izmir.mutation(
        "employees",
        ankara_emp,
        "Ankara",
        rainstaff_core::protocol::Op::Upsert,
        json!({"title": "x"}),
        1,
    );
    let response = izmir.push(&[foreign]).await;
    assert_eq!(response.outcomes[0].code, Some(RefusalCode::RegionForbidden));
    let relabelled = izmir.upsert("employees", ankara_emp, json!({"title": "x"}), 1);
    let response = izmir.push(&[relabelled]).await;
    assert_eq!(response.outcomes[0].code, Some(RefusalCode::IdTaken));
    assert!(response.outcomes[0].row.is_none(), "another region's row was revealed");
    // A reference to another region's row is rejected, not followed.
    let sheet = izmir.upsert("timesheets", id(), timesheet(ankara_emp), 0);
    let response = izmir.push(&[sheet]).await;
    assert_eq!(response.outcomes[0].status, OutcomeStatus::Rejected);
    assert!(response.outcomes[0].reason.as_deref().unwrap().contains("employee_id"));
    let mut after = h.stored();
    // The rejection is recorded for exactly-once (the device's progress), nothing else.
    after.devices = before.devices.clone();
    assert_eq!(after, before);

    // The snapshot download holds only the caller's region.
    let response = izmir.request(Method::GET, "/sync/download").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/vnd.sqlite3");
    let head_seq: i64 = response.headers()["x-rainstaff-head-seq"].to_str().unwrap().parse().unwrap();
    let bytes = response.bytes().await.unwrap();
    let file = h.dir.path().join("izmir.db");
    std::fs::File::create(&file).unwrap().write_all(&bytes).unwrap();
    // The download is a SQLite file whatever the store is (it is what a new PC opens), so its
    // contents are read as one.
    let snap = rusqlite::Connection::open(&file).unwrap();
    let ids: Vec<String> = snap
        .prepare("SELECT id FROM employees")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ids, vec![izmir_emp.to_string()]);
    let regions: i64 =
        snap.query_row("SELECT COUNT(*) FROM timesheets WHERE region <> 'Izmir'", [], |r| r.get(0)).unwrap();
    assert_eq!(regions, 0);
    // Nothing but synced rows and where to continue pulling: no accounts, devices or tokens.
    let tables: Vec<String> = snap
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut expected: Vec<String> =
        rainstaff_core::schema::TABLES.iter().map(|t| t.name.to_string()).collect();
    expected.push("snapshot_meta".into());
    expected.sort();
    assert_eq!(tables, expected);
    let meta_seq: String =
        snap.query_row("SELECT value FROM snapshot_meta WHERE key = 'head_seq'", [], |r| r.get(0)).unwrap();
    assert_eq!(meta_seq.parse::<i64>().unwrap(), head_seq);
    assert_eq!(head_seq, h.stored().changes.last().unwrap().0);
    let holds = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(holds(b"Zeynep"));
    assert!(!holds(izmir.token.as_bytes()) && !holds(b"Ali") && !holds(b"argon2"));

    // Status is for administrators only.
    let (status, body) = izmir.get("/sync/status").await;
    assert_error(status, &body, 403, "admin_only");
}

#[tokio::test]
async fn a_company_wide_template_reaches_every_region_and_only_an_administrator_writes_it() {
    use rainstaff_core::protocol::Op;
    let h = Harness::start().await;
    let ankara = h.enroll("Ankara", "Ankara PC").await;
    let izmir = h.enroll("Izmir", "İzmir PC").await;
    let admin = h.enroll("ALL", "Merkez").await;
    let template = |code: &str| json!({"name": "Gece", "start_time": "22:00", "end_time": "06:00", "break_minutes": 30, "short_code": code});
    let company = id();
    let answer =
        admin.push(&[admin.mutation("shift_templates", company, "ALL", Op::Upsert, template("G"), 0)]).await;
    assert_eq!(answer.outcomes[0].status, OutcomeStatus::Applied, "{:?}", answer.outcomes[0]);
    let own = id();
    ankara.push(&[ankara.upsert("shift_templates", own, template("A"), 0)]).await;

    // Every region reads it beside its own, in its pulls and in a new PC's snapshot.
    let (seen, _) = izmir.pull_all(0).await;
    assert_eq!(seen.iter().map(|c| c.row.id).collect::<Vec<_>>(), vec![company]);
    let (seen, _) = ankara.pull_all(0).await;
    let mut ids: Vec<uuid::Uuid> = seen.iter().map(|c| c.row.id).collect();
    ids.sort();
    let mut expected = vec![company, own];
    expected.sort();
    assert_eq!(ids, expected);
    let bytes = izmir.request(Method::GET, "/sync/download").send().await.unwrap().bytes().await.unwrap();
    let file = h.dir.path().join("izmir.db");
    std::fs::File::create(&file).unwrap().write_all(&bytes).unwrap();
    let snap = rusqlite::Connection::open(&file).unwrap();
    let region: String = snap.query_row("SELECT region FROM shift_templates", [], |r| r.get(0)).unwrap();
    assert_eq!(region, "ALL");

    // A regional PC neither writes one nor changes the company's; the code is the company's too.
    let answer =
        izmir.push(&[izmir.mutation("shift_templates", id(), "ALL", Op::Upsert, template("Z"), 0)]).await;
    assert_eq!(answer.outcomes[0].code, Some(RefusalCode::RegionForbidden));
    let answer = izmir.push(&[izmir.upsert("shift_templates", company, json!({"name": "x"}), 1)]).await;
    assert_eq!(answer.outcomes[0].status, OutcomeStatus::Rejected);
    let answer = izmir.push(&[izmir.upsert("shift_templates", id(), template("G"), 0)]).await;
    assert_eq!(answer.outcomes[0].status, OutcomeStatus::Rejected, "the code G is the company's");
    // Nor does an administrator move it into one region: every region holds it.
    let moved = admin.mutation("shift_templates", company, "Izmir", Op::Upsert, json!({}), 1);
    assert_eq!(admin.push(&[moved]).await.outcomes[0].code, Some(RefusalCode::RegionForbidden));
}

#[tokio::test]
async fn retried_and_duplicated_batches_apply_once() {
    let h = Harness::start().await;
    let a = h.enroll("Bursa", "A").await;
    let (e1, e2) = (id(), id());
    let m1 = a.upsert("employees", e1, employee("Bir"), 0);
    let m2 = a.upsert("employees", e2, employee("İki"), 0);
    let first = a.push(&[m1.clone(), m2.clone()]).await;
    let after_first = h.stored();

    // The response was lost; the device sends the same batch again.
    let retry = a.push(&[m1.clone(), m2.clone()]).await;
    assert_eq!(retry.outcomes, first.outcomes);
    assert_eq!(h.stored(), after_first);

    // Duplicated inside one batch, and overlapping the next batch.
    let m3 =
        a.upsert("employees", e1, json!({"title": "Usta"}), first.outcomes[0].row.as_ref().unwrap().version);
    let mixed = a.push(&[m2.clone(), m3.clone(), m3.clone()]).await;
    assert_eq!(mixed.outcomes[0], first.outcomes[1]);
    assert_eq!(mixed.outcomes[1], mixed.outcomes[2]);
    assert_eq!(mixed.outcomes[1].status, OutcomeStatus::Applied);
    // One change per row is kept: Bir's first version was superseded by m3.
    assert_eq!(h.read(|tx| tx.count_changes(None, 0)), 2);
    assert_eq!(h.rows(&EMPLOYEES).len(), 2);
    let (changes, _) = a.pull_all(0).await;
    assert_eq!(changes.len(), 2);

    // Changes applied as sent keep no full record: the same ids again after all that (a late copy
    // of an old request, a PC put back from an older copy) are answered from what is kept of
    // their answers, with the rows as they stand now, and change nothing; an id sent with other
    // content is answered as replayed.
    assert!(h.read(|tx| tx.applied_mutation(a.id, 2)).is_none());
    let before = h.stored();
    let again = a.push(&[m1.clone(), m2.clone(), m3]).await;
    assert!(again.outcomes.iter().all(|o| o.status == OutcomeStatus::Applied), "{:?}", again.outcomes);
    assert_eq!(again.outcomes[0].row, mixed.outcomes[1].row);
    assert_eq!(h.stored(), before);
    let other = a.upsert("employees", e1, employee("Başka"), 0);
    let (status, body) = a.push_raw(&[Mutation { mutation_id: 1, ..other.clone() }]).await;
    assert_error(status, &body, 409, "mutation_replayed");
    assert_eq!(body["last_mutation_id"], 3, "{body}");
    assert_eq!(h.stored(), before);
    // Every id the server knows with other content is named, and only those: the device gives
    // just those new ids, as the others are answered as they were.
    let reused =
        [Mutation { mutation_id: 1, ..other.clone() }, m2, Mutation { mutation_id: 3, ..other.clone() }];
    let (status, body) = a.push_raw(&reused).await;
    assert_error(status, &body, 409, "mutation_replayed");
    assert_eq!(body["replayed_mutation_ids"], json!([1, 3]), "{body}");
    assert_eq!(h.stored(), before);
}

/// A retry is answered from one moment: a change applied beside a refused one, and the refused
/// one, carry the row as it stands when the retry comes, though only the refusal's answer is kept
/// in full. Until a later push says the device holds it; then it goes.
#[tokio::test]
async fn a_retry_answers_every_change_with_the_row_as_it_stands() {
    let h = Harness::start().await;
    let a = h.enroll("Bursa", "A").await;
    let b = h.enroll("Bursa", "B").await;
    let emp = id();
    let created = a.push(&[a.upsert("employees", emp, employee("Bir"), 0)]).await;
    let v1 = created.outcomes[0].row.as_ref().unwrap().version;
    let batch = [
        a.upsert("employees", emp, json!({"title": "Usta"}), v1),
        a.upsert("employees", emp, json!({"weekly_minutes": 9999}), v1),
    ];
    let first = a.push(&batch).await;
    let statuses: Vec<_> = first.outcomes.iter().map(|o| o.status).collect();
    assert_eq!(statuses, [OutcomeStatus::Applied, OutcomeStatus::Rejected]);
    assert!(h.read(|tx| tx.applied_mutation(a.id, batch[1].mutation_id)).is_some());

    // The answer was lost; another PC edits the row before the retry.
    let later = b.push(&[b.upsert("employees", emp, json!({"department": "Depo"}), v1)]).await;
    let now = later.outcomes[0].row.clone().unwrap();
    let retry = a.push(&batch).await;
    let statuses: Vec<_> = retry.outcomes.iter().map(|o| o.status).collect();
    assert_eq!(statuses, [OutcomeStatus::Applied, OutcomeStatus::Rejected]);
    assert_eq!(retry.outcomes[1].reason, first.outcomes[1].reason);
    for outcome in &retry.outcomes {
        assert_eq!(outcome.row.as_ref(), Some(&now), "{outcome:?}");
    }

    a.push(&[a.upsert("employees", emp, json!({"title": "Şef"}), now.version)]).await;
    assert!(h.read(|tx| tx.applied_mutation(a.id, batch[1].mutation_id)).is_none());
}

#[tokio::test]
async fn same_field_edits_conflict_and_different_fields_merge() {
    let h = Harness::start().await;
    let a = h.enroll("Konya", "A").await;
    let b = h.enroll("Konya", "B").await;
    let emp = id();
    let created = a.push(&[a.upsert("employees", emp, employee("Mehmet"), 0)]).await;
    let v1 = created.outcomes[0].row.as_ref().unwrap().version;

    // Both edit the name from version v1: the later arrival wins and the conflict is kept.
    a.push(&[a.upsert("employees", emp, json!({"full_name": "Mehmet Kaya"}), v1)]).await;
    let later = b.push(&[b.upsert("employees", emp, json!({"full_name": "Mehmet Kara"}), v1)]).await;
    let outcome = &later.outcomes[0];
    assert_eq!(outcome.status, OutcomeStatus::Merged);
    assert_eq!(outcome.conflicts.len(), 1);
    assert_eq!(outcome.conflicts[0].field, "full_name");
    assert_eq!(outcome.conflicts[0].server_value, "Mehmet Kaya");
    assert_eq!(outcome.conflicts[0].device_value, "Mehmet Kara");
    let row = outcome.row.clone().unwrap();
    assert_eq!(row.fields["full_name"], "Mehmet Kara");

    let (status, body) = a.get("/sync/conflicts").await;
    assert_eq!(status, StatusCode::OK);
    let open: Vec<ConflictRecord> = serde_json::from_value(body).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].row_id, open[0].field.as_str()), (emp, "full_name"));
    assert_eq!(open[0].server_value, "Mehmet Kaya");
    let resolved =
        a.request(Method::POST, &format!("/sync/conflicts/{}/resolve", open[0].id)).send().await.unwrap();
    assert_eq!(resolved.status(), StatusCode::OK);
    let resolved: ConflictRecord = resolved.json().await.unwrap();
    assert!(resolved.resolved_at.is_some());
    let (_, body) = a.get("/sync/conflicts").await;
    assert_eq!(body.as_array().unwrap().len(), 0);
    let (_, body) = a.get("/sync/conflicts?include_resolved=true").await;
    assert_eq!(body.as_array().unwrap().len(), 1);
    // Another region cannot see or resolve it.
    let other = h.enroll("Adana", "C").await;
    let (_, body) = other.get("/sync/conflicts?include_resolved=true").await;
    assert_eq!(body.as_array().unwrap().len(), 0);
    let response =
        other.request(Method::POST, &format!("/sync/conflicts/{}/resolve", open[0].id)).send().await.unwrap();
    let status = response.status();
    assert_error(status, &response.json().await.unwrap(), 403, "region_forbidden");

    // Different fields from the same base: both kept, no conflict.
    let base = row.version;
    a.push(&[a.upsert("employees", emp, json!({"department": "Muhasebe"}), base)]).await;
    let merged = b.push(&[b.upsert("employees", emp, json!({"title": "Şef"}), base)]).await;
    let outcome = &merged.outcomes[0];
    assert_eq!(outcome.status, OutcomeStatus::Merged);
    assert!(outcome.conflicts.is_empty());
    let fields = &outcome.row.as_ref().unwrap().fields;
    assert_eq!((fields["department"].as_str(), fields["title"].as_str()), (Some("Muhasebe"), Some("Şef")));
    assert_eq!(h.read(|tx| tx.conflicts(None, true)).len(), 1);
}

#[tokio::test]
async fn tombstones_propagate_and_deleted_rows_stay_deleted() {
    let h = Harness::start().await;
    let a = h.enroll("Antalya", "A").await;
    let b = h.enroll("Antalya", "B").await;
    let emp = id();
    let created = a.push(&[a.upsert("employees", emp, employee("Can"), 0)]).await;
    let v1 = created.outcomes[0].row.as_ref().unwrap().version;
    let (_, cursor) = b.pull_all(0).await;

    let deleted = a.push(&[a.delete("employees", emp, v1)]).await;
    assert_eq!(deleted.outcomes[0].status, OutcomeStatus::Applied);
    let (changes, _) = b.pull_all(cursor).await;
    assert_eq!(changes.len(), 1);
    assert!(changes[0].row.deleted_at.is_some());
    assert_eq!(changes[0].row.fields["full_name"], "Can");

    // B edits the row it still had: rejected with the reason and the canonical (deleted) row.
    let edit = b.push(&[b.upsert("employees", emp, json!({"title": "Usta"}), v1)]).await;
    let outcome = &edit.outcomes[0];
    assert_eq!(outcome.status, OutcomeStatus::Rejected);
    assert!(outcome.reason.as_deref().unwrap().contains("deleted"));
    let row: &RowState = outcome.row.as_ref().unwrap();
    assert!(row.deleted_at.is_some());
    // A new row pointing at it is refused too.
    let sheet = b.push(&[b.upsert("timesheets", id(), timesheet(emp), 0)]).await;
    assert_eq!(sheet.outcomes[0].status, OutcomeStatus::Rejected);

    // A delete of a row the server never saw leaves a tombstone that a later upsert cannot undo.
    let ghost = id();
    let tomb = b.push(&[b.delete("employees", ghost, 0)]).await;
    assert!(tomb.outcomes[0].row.as_ref().unwrap().deleted_at.is_some());
    let revive = b.push(&[b.upsert("employees", ghost, employee("Hayalet"), 0)]).await;
    assert_eq!(revive.outcomes[0].status, OutcomeStatus::Rejected);
    assert_eq!(h.rows(&EMPLOYEES).iter().filter(|r| r.deleted_at.is_none()).count(), 0);
}

#[tokio::test]
async fn invalid_rows_are_rejected_with_a_reason_and_the_batch_goes_on() {
    let h = Harness::start().await;
    let a = h.enroll("Ankara", "A").await;
    let mut bad_employee = employee("Veli");
    bad_employee["weekly_minutes"] = json!(9999);
    let mut long_break = timesheet(id());
    long_break["break_minutes"] = json!(600);
    let good = id();
    let batch = [
        a.upsert("employees", id(), bad_employee, 0),
        a.upsert("timesheets", id(), long_break, 0),
        a.upsert("employees", good, employee("İyi"), 0),
    ];
    let response = a.push(&batch).await;
    let statuses: Vec<_> = response.outcomes.iter().map(|o| o.status).collect();
    assert_eq!(statuses, [OutcomeStatus::Rejected, OutcomeStatus::Rejected, OutcomeStatus::Applied]);
    assert!(response.outcomes[0].reason.as_deref().unwrap().contains("weekly_minutes"));
    let reason = response.outcomes[1].reason.as_deref().unwrap();
    assert!(reason.contains("break_minutes") && reason.contains("employee_id"), "{reason}");
    assert!(response.outcomes[0].row.is_none());
    assert_eq!(h.read(|tx| tx.count_changes(None, 0)), 1);
    // Money keeps one form whatever a PC sent: 100 and 100.0 are the same value.
    let vehicle = id();
    let fields = json!({"plate": "06 ABC 123", "oil_interval_km": 10000});
    a.push(&[a.upsert("vehicles", vehicle, fields, 0)]).await;
    let visit = json!({"vehicle_id": vehicle.to_string(), "start_date": "2026-02-01", "cost": 100});
    let saved = a.push(&[a.upsert("vehicle_service_visits", id(), visit, 0)]).await;
    let row = saved.outcomes[0].row.clone().unwrap();
    assert_eq!(row.fields["cost"], json!(100.0));
    let (changes, _) = a.pull_all(0).await;
    assert_eq!(changes.last().unwrap().row, row);
}

#[tokio::test]
async fn a_restart_keeps_everything() {
    let mut h = Harness::start().await;
    let a = h.enroll("Izmir", "A").await;
    let emp = id();
    let m1 = a.upsert("employees", emp, employee("Deniz"), 0);
    let pushed = a.push(std::slice::from_ref(&m1)).await;
    let (before_changes, cursor) = a.pull_all(0).await;
    let before = h.stored();

    h.restart().await;
    assert_eq!(h.stored(), before);
    // The token still works, the change log is the same, a replay still gets the stored answer.
    let (after_changes, _) = a.pull_all(0).await;
    assert_eq!(serde_json::to_value(&after_changes).unwrap(), serde_json::to_value(&before_changes).unwrap());
    assert_eq!(a.push(std::slice::from_ref(&m1)).await.outcomes, pushed.outcomes);
    // The mutation sequence continues where it was: a gap is still a gap.
    a.next_mutation.set(5);
    let (status, body) = a.push_raw(&[a.upsert("employees", id(), employee("Ege"), 0)]).await;
    assert_error(status, &body, 409, "mutation_gap");
    // Renumbered from the first new id, after the last applied; on a first push, from where the
    // request starts.
    assert_eq!((&body["last_mutation_id"], &body["replayed_mutation_id"]), (&json!(1), &json!(5)), "{body}");
    let b = h.enroll("Izmir", "B").await;
    let skipping =
        [b.upsert("employees", id(), employee("Ece"), 0), b.upsert("employees", id(), employee("Efe"), 0)];
    let (status, body) =
        b.push_raw(&[skipping[0].clone(), Mutation { mutation_id: 3, ..skipping[1].clone() }]).await;
    assert_error(status, &body, 409, "mutation_gap");
    assert_eq!((&body["last_mutation_id"], &body["replayed_mutation_id"]), (&json!(0), &json!(1)), "{body}");
    a.next_mutation.set(2);
    let next = a.push(&[a.upsert("employees", emp, json!({"title": "Müdür"}), 1)]).await;
    assert_eq!(next.outcomes[0].status, OutcomeStatus::Applied);
    assert!(next.outcomes[0].row.as_ref().unwrap().version > cursor);
}

#[tokio::test]
async fn status_agrees_with_the_changes_a_pull_gets() {
    let h = Harness::start().await;
    let admin = h.enroll("ALL", "Merkez").await;
    let a = h.enroll("Ankara", "A").await;
    let b = h.enroll("Istanbul", "B").await;
    let (e1, e2, e3) = (id(), id(), id());
    a.push(&[a.upsert("employees", e1, employee("Bir"), 0), a.upsert("employees", e2, employee("İki"), 0)])
        .await;
    a.push(&[a.delete("employees", e2, 2), a.upsert("timesheets", id(), timesheet(e1), 0)]).await;
    b.push(&[b.upsert("employees", e3, employee("Üç"), 0)]).await;
    b.pull_all(0).await;

    let (changes, _) = admin.pull_all(0).await;
    let (status, body) = admin.get("/sync/status").await;
    assert_eq!(status, StatusCode::OK);
    let report: StatusResponse = serde_json::from_value(body).unwrap();
    assert_eq!(report.head_seq, changes.last().unwrap().seq);

    // The latest state of every row, from the log alone, counted per table and region.
    let mut latest: BTreeMap<_, &RowState> = BTreeMap::new();
    for c in &changes {
        latest.insert((c.row.table.clone(), c.row.id), &c.row);
    }
    let mut from_log: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for row in latest.values() {
        let entry = from_log.entry((row.table.clone(), row.region.clone())).or_default();
        if row.deleted_at.is_some() { entry.1 += 1 } else { entry.0 += 1 }
    }
    let from_status: BTreeMap<_, _> =
        report.tables.iter().map(|t| ((t.table.clone(), t.region.clone()), (t.rows, t.deleted))).collect();
    assert_eq!(from_status, from_log);

    let lag = |region: &str, cursor: i64| {
        changes.iter().filter(|c| c.seq > cursor && (region == "ALL" || c.row.region == region)).count()
            as i64
    };
    assert_eq!(report.devices.len(), 3);
    for d in &report.devices {
        assert_eq!(d.lag, lag(&d.region, d.cursor), "{d:?}");
    }
    let by_name = |n: &str| report.devices.iter().find(|d| d.name == n).unwrap();
    // Four changes, of which İki's creation was superseded by its deletion.
    assert_eq!((by_name("A").cursor, by_name("A").lag), (0, 3));
    assert_eq!(by_name("A").last_mutation_id, 4);
    assert!(by_name("A").last_push_at.is_some() && by_name("A").last_pull_at.is_none());
    assert_eq!(by_name("B").lag, 0);
    assert_eq!(by_name("Merkez").lag, 0);
}

#[tokio::test]
async fn gzip_both_ways() {
    let h = Harness::start().await;
    let a = h.enroll("Adana", "A").await;
    let m = a.upsert("employees", id(), employee("Sıkıştırılmış"), 0);
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&serde_json::to_vec(&json!({"mutations": [m]})).unwrap()).unwrap();
    let response = a
        .request(Method::POST, "/sync")
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(encoder.finish().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(h.rows(&EMPLOYEES).len(), 1);

    // A client that accepts gzip gets it (reqwest's own decoding is off here to see the header).
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let response = raw
        .get(h.url("/sync/changes?since=0"))
        .header(PROTOCOL_HEADER, "1")
        .header("accept-encoding", "gzip")
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
}
