//! The web dashboard over real HTTP against a real server: sign-in, sessions, CSRF, lockout,
//! escaping, region scope, the figures and the workbook. The browser tests (`web_browser.rs`)
//! drive the same pages in Chromium.

mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use common::visitor::{ADMIN_PASSWORD, MANAGER_PASSWORD, Visitor, company};
use common::{Harness, id, write};
use rainstaff_core::protocol::{Op, OutcomeStatus};
use rainstaff_server::service::LOCKOUT_AFTER;
use reqwest::StatusCode;

#[tokio::test]
async fn signing_in_gives_a_strict_http_only_session_and_signing_out_ends_it() {
    let h = Harness::start().await;
    company(&h).await;
    let visitor = Visitor::new(&h);

    let root = visitor.get("/").await;
    assert_eq!((root.status, root.location()), (StatusCode::SEE_OTHER, Some("/login")));
    let form = visitor.get("/login").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"username\"") && form.body.contains("name=\"password\""));
    let csp = form.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"), "{csp}");

    let answer = visitor.sign_in("ADMIN", ADMIN_PASSWORD).await;
    assert_eq!((answer.status, answer.location()), (StatusCode::SEE_OTHER, Some("/dashboard")));
    let cookie = answer.set_cookie("rs_session").unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP cannot carry a Secure cookie: {cookie}");
    assert_eq!(visitor.get("/").await.location(), Some("/dashboard"));
    let dashboard = visitor.get("/dashboard").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.body.contains("admin"), "the page names who is signed in");

    let csrf = dashboard.csrf();
    let out = visitor.post("/logout", &[("csrf_token", &csrf)]).await;
    assert_eq!((out.status, out.location()), (StatusCode::SEE_OTHER, Some("/login")));
    assert!(!visitor.has_cookie("rs_session"));
    assert_eq!(visitor.get("/dashboard").await.location(), Some("/login"));
}

#[tokio::test]
async fn a_copied_session_cookie_stops_working_once_its_session_is_signed_out() {
    let h = Harness::start().await;
    company(&h).await;
    let visitor = Visitor::new(&h);
    let answer = visitor.sign_in("admin", ADMIN_PASSWORD).await;
    let cookie = answer.set_cookie("rs_session").unwrap();
    let copied = cookie.split(';').next().unwrap().to_string();
    let other = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let seen = other.get(h.url("/dashboard")).header("cookie", &copied).send().await.unwrap();
    assert_eq!(seen.status(), StatusCode::OK);

    let csrf = visitor.csrf().await;
    visitor.post("/logout", &[("csrf_token", &csrf)]).await;
    let after = other.get(h.url("/dashboard")).header("cookie", &copied).send().await.unwrap();
    assert_eq!(
        after.status(),
        StatusCode::SEE_OTHER,
        "the session is gone from the server, not only the browser"
    );
}

#[tokio::test]
async fn every_form_is_refused_without_its_csrf_token() {
    let h = Harness::start().await;
    let company = company(&h).await;
    let visitor = Visitor::signed_in(&h, "admin", ADMIN_PASSWORD).await;

    let forged = visitor.post("/logout", &[("csrf_token", "0000")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(visitor.get("/dashboard").await.status, StatusCode::OK, "still signed in");
    let forged = visitor.post("/devices/enroll-code", &[("region", "Ankara")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let path = format!("/devices/{}/revoke", company.ankara.id);
    assert_eq!(visitor.post(&path, &[("csrf_token", "")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(company.ankara.push(&[]).await.outcomes.len(), 0, "the device still syncs");

    // The sign-in form itself: its token must match the cookie sent with the form.
    let stranger = Visitor::new(&h);
    stranger.get("/login").await;
    let answer = stranger
        .post("/login", &[("username", "admin"), ("password", ADMIN_PASSWORD), ("csrf_token", "forged")])
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(!stranger.has_cookie("rs_session"));

    let csrf = visitor.csrf().await;
    let issued = visitor.post("/devices/enroll-code", &[("csrf_token", &csrf), ("region", "Bursa")]).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    assert!(issued.body.contains("id=\"issued-code\""));
    let revoked = visitor.post(&path, &[("csrf_token", &csrf)]).await;
    assert_eq!((revoked.status, revoked.location()), (StatusCode::SEE_OTHER, Some("/devices")));
    let (status, _) = company.ankara.push_raw(&[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a revoked device is refused");
}

#[tokio::test]
async fn repeated_failures_lock_the_user_out_and_the_audit_trail_says_so() {
    let h = Harness::start().await;
    company(&h).await;
    let visitor = Visitor::new(&h);
    for _ in 0..LOCKOUT_AFTER {
        let answer = visitor.sign_in("ayse.mudur", "yanlış parola 123").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert!(answer.body.contains("Kullanıcı adı ya da parola yanlış"), "{}", answer.body);
    }
    let locked = visitor.sign_in("ayse.mudur", MANAGER_PASSWORD).await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED, "the right password is refused while locked");
    // A lockout, an unknown name and a wrong password read alike: nobody learns which names exist.
    let unknown = visitor.sign_in("kimse", MANAGER_PASSWORD).await;
    let error =
        |body: &str| body[body.find("id=\"error\"").unwrap()..].split('<').next().unwrap().to_string();
    assert_eq!(error(&locked.body), error(&unknown.body));

    let admin = Visitor::signed_in(&h, "admin", ADMIN_PASSWORD).await;
    let audit = admin.get("/audit?action=locked_out").await;
    assert!(audit.body.contains("user:ayse.mudur"), "{}", audit.body);
    assert!(audit.body.contains("<td>Kilitlendi</td>"), "{}", audit.body);
    assert!(!audit.body.contains("<td>Hatalı giriş</td>"), "the filter shows only lockouts");
    let day = admin.get("/audit?from=01.01.2020&to=2020-01-02").await;
    assert!(day.body.contains("Kayıt yok"), "no entry on those days: {}", day.body);
    let bad = admin.get("/audit?from=32.01.2026").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("from: 32.01.2026"), "{}", bad.body);
}

/// An audit entry as a desktop writes it (src/db/audit.rs).
fn desktop_entry(
    username: &str,
    device: &str,
    action: &str,
    record: &str,
    changes: &str,
) -> serde_json::Value {
    serde_json::json!({
        "at": "2026-11-20T09:15:00.000Z", "username": username, "device": device, "action": action,
        "table_name": "employees", "record_id": id().to_string(), "record": record, "changes": changes,
    })
}

#[tokio::test]
async fn the_audit_page_shows_what_people_did_on_the_office_pcs_and_nobody_rewrites_it() {
    let h = Harness::start().await;
    let company = company(&h).await;
    let izmir = &company.izmir;
    let changes = r#"{"department":["Depo","Sevkiyat"]}"#;
    let entry = id();
    let written = desktop_entry("ayse.mudur", "IZMIR-PC1", "update", "Çağrı Öztürk", changes);
    write(izmir, izmir.upsert("audit_entries", entry, written, 0)).await;
    let rewritten = desktop_entry("ayse.mudur", "IZMIR-PC1", "update", "Çağrı Öztürk", "{}");
    for m in [izmir.upsert("audit_entries", entry, rewritten, 1), izmir.delete("audit_entries", entry, 1)] {
        let outcome = izmir.push(&[m]).await.outcomes.remove(0);
        assert_eq!(outcome.status, OutcomeStatus::Rejected, "{outcome:?}");
        assert!(outcome.reason.as_deref().unwrap_or_default().contains("log entry"), "{outcome:?}");
    }
    // An administrator's sign-in on an all-regions PC belongs to no one region.
    let head_office = h.enroll("ALL", "MERKEZ-PC").await;
    let mut sign_in = desktop_entry("admin", "MERKEZ-PC", "sign_in", "", "");
    sign_in
        .as_object_mut()
        .unwrap()
        .retain(|k, _| !["table_name", "record_id", "record", "changes"].contains(&k.as_str()));
    let everywhere = head_office.mutation("audit_entries", id(), "ALL", Op::Upsert, sign_in, 0);
    write(&head_office, everywhere).await;

    let manager = Visitor::signed_in(&h, "ayse.mudur", MANAGER_PASSWORD).await;
    let audit = manager.get("/audit?action=update").await;
    assert!(audit.body.contains("ayse.mudur · IZMIR-PC1"), "{}", audit.body);
    assert!(audit.body.contains("<td>Değiştirildi</td>"), "{}", audit.body);
    assert!(audit.body.contains("Departman: Depo » Sevkiyat"), "{}", audit.body);
    assert!(
        !manager.get("/audit").await.body.contains("MERKEZ-PC"),
        "a company-wide entry on a manager's page"
    );
    let admin = Visitor::signed_in(&h, "admin", ADMIN_PASSWORD).await;
    let all = admin.get("/audit?action=sign_in").await;
    assert!(all.body.contains("admin · MERKEZ-PC"), "{}", all.body);
}

#[tokio::test]
async fn values_from_the_data_are_escaped() {
    let h = Harness::start().await;
    let company = company(&h).await;
    let evil = "<script>alert('x')</script> & \"Ali\"";
    write(&company.izmir, company.izmir.upsert("employees", id(), common::employee(evil), 0)).await;
    let visitor = Visitor::signed_in(&h, "admin", ADMIN_PASSWORD).await;
    let page = visitor.get("/employees").await;
    assert!(!page.body.contains("<script>"), "the name reached the page as markup");
    assert!(
        page.body.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt; &amp; &quot;Ali&quot;"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_manager_sees_only_their_region_and_another_regions_record_is_not_found() {
    let h = Harness::start().await;
    let company = company(&h).await;
    let manager = Visitor::signed_in(&h, "ayse.mudur", MANAGER_PASSWORD).await;

    let list = manager.get("/employees?region=ALL").await;
    assert!(list.body.contains("Çağrı Öztürk"));
    assert!(!list.body.contains("Ayşe Işık"), "an Ankara employee on an İzmir manager's list");
    let other = manager.get(&format!("/employees/{}", company.ankara_employee)).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let own = manager.get(&format!("/employees/{}?month=2026-11", company.izmir_employee)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(manager.get("/devices").await.status, StatusCode::NOT_FOUND, "devices are an administrator's");
    let dashboard = manager.get("/dashboard?month=2026-11&region=Ankara").await;
    assert!(dashboard.body.contains("id=\"count-employees\">1<"), "{}", dashboard.body);
    assert!(dashboard.body.contains("IZMIR-PC1") && !dashboard.body.contains("ANKARA-PC1"));
    let audit = manager.get("/audit").await;
    assert!(audit.body.contains("IZMIR-PC1") && !audit.body.contains("ANKARA-PC1"), "{}", audit.body);

    let (status, _, bytes) = manager.get_bytes("/reports/month.xlsx?month=2026-11&region=Ankara").await;
    assert_eq!(status, StatusCode::OK);
    let names = sheet_names(&bytes);
    assert!(names.iter().any(|n| n.contains("Çağrı")), "{names:?}");
    assert!(
        !names.iter().any(|n| n.contains("Ayşe")),
        "another region's employee in the workbook: {names:?}"
    );
}

fn sheet_names(xlsx: &[u8]) -> Vec<String> {
    Xlsx::new(Cursor::new(xlsx.to_vec())).unwrap().sheet_names()
}

/// The text of the element with `id` on a page: `<... id="ID">TEXT<`.
fn element(body: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let at = body.find(&marker).unwrap_or_else(|| panic!("no #{id} on the page"));
    let rest = &body[at + marker.len()..];
    rest[..rest.find('<').unwrap()].to_string()
}

#[tokio::test]
async fn the_dashboard_shows_the_workbooks_numbers() {
    let h = Harness::start().await;
    company(&h).await;
    let admin = Visitor::signed_in(&h, "admin", ADMIN_PASSWORD).await;
    let page = admin.get("/dashboard?month=2026-11&region=Ankara").await;
    assert_eq!(page.status, StatusCode::OK);
    // Five days of 08:00–17:00 with an hour's break.
    assert_eq!(element(&page.body, "worked"), "40:00");
    assert_eq!(element(&page.body, "count-shifts"), "5");
    assert_eq!(element(&page.body, "count-employees"), "1");

    let everyone = admin.get("/dashboard?month=2026-11").await;
    assert_eq!(element(&everyone.body, "worked"), "56:00", "Ankara's 40 h and İzmir's 2 × 8 h");
    assert!(everyone.body.contains("35 ABC 123"), "the overdue inspection is among the alerts");

    let (status, headers, bytes) =
        admin.get_bytes("/reports/month.xlsx?month=2026-11&region=Ankara&lang=tr").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains("puantaj-ankara-2026-11.xlsx"));
    let mut book = Xlsx::new(Cursor::new(bytes)).unwrap();
    let first = book.sheet_names()[0].clone();
    let summary = book.worksheet_range(&first).unwrap();
    let row = summary
        .rows()
        .find(|r| r.iter().any(|c| matches!(c, Data::String(s) if s == "Ayşe Işık")))
        .expect("Ayşe's row on the summary sheet");
    // The workbook keeps hours as a duration: 40 h is 40/24 of a day.
    let worked = row.iter().any(|c| match c {
        Data::Float(f) => (f * 24.0 - 40.0).abs() < 1e-9,
        Data::DateTime(d) => (d.as_f64() * 24.0 - 40.0).abs() < 1e-9,
        _ => false,
    });
    assert!(worked, "the summary row holds the dashboard's 40:00: {row:?}");
}

/// A session idle for longer than `SESSION_IDLE`, or older than `SESSION_MAX`, has ended; a
/// disabled user's sessions end at once. On the service with a clock the test moves.
#[test]
fn sessions_end_when_idle_too_old_or_their_user_is_disabled() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    use chrono::{TimeDelta, Utc};
    use rainstaff_server::service::{Role, SESSION_IDLE, SESSION_MAX};
    use rainstaff_server::{Server, SqliteStore};

    let dir = tempfile::tempdir().unwrap();
    let start = Utc::now();
    let minutes = Arc::new(AtomicI64::new(0));
    let clock_minutes = minutes.clone();
    let clock = Arc::new(move || start + TimeDelta::minutes(clock_minutes.load(Ordering::SeqCst)));
    let server = Server::new(SqliteStore::open(&dir.path().join("server.db")).unwrap()).with_clock(clock);
    server.add_user("admin", Role::Admin, None, ADMIN_PASSWORD).unwrap();
    server.add_user("ayse.mudur", Role::Manager, Some("Izmir"), MANAGER_PASSWORD).unwrap();
    let advance = |by: TimeDelta| minutes.fetch_add(by.num_minutes(), Ordering::SeqCst);

    let (idle, _) = server.sign_in("admin", ADMIN_PASSWORD, None).unwrap();
    advance(SESSION_IDLE - TimeDelta::minutes(1));
    assert!(server.session(&idle).is_ok(), "used within the idle time");
    advance(SESSION_IDLE - TimeDelta::minutes(1));
    assert!(server.session(&idle).is_ok(), "each use starts the idle time again");
    advance(SESSION_IDLE + TimeDelta::minutes(1));
    assert_eq!(server.session(&idle).unwrap_err().code, "session_expired");

    let (busy, _) = server.sign_in("admin", ADMIN_PASSWORD, None).unwrap();
    let mut used = TimeDelta::zero();
    while used < SESSION_MAX - TimeDelta::minutes(10) {
        advance(TimeDelta::minutes(10));
        used += TimeDelta::minutes(10);
        assert!(server.session(&busy).is_ok());
    }
    advance(TimeDelta::minutes(20));
    assert!(server.session(&busy).is_err(), "a session in use still ends after {SESSION_MAX}");

    let (manager, _) = server.sign_in("ayse.mudur", MANAGER_PASSWORD, None).unwrap();
    server.disable_user("ayse.mudur").unwrap();
    assert!(server.session(&manager).is_err());
    assert_eq!(server.sign_in("ayse.mudur", MANAGER_PASSWORD, None).unwrap_err().code, "sign_in_failed");
}

#[tokio::test]
async fn the_devices_page_shows_each_pcs_app_version_and_refused_changes() {
    let h = Harness::start().await;
    let company = company(&h).await;
    let izmir = &company.izmir;
    let pulled = izmir
        .request(reqwest::Method::GET, "/sync/changes?since=0")
        .header(reqwest::header::USER_AGENT, "rainstaff/9.9.9")
        .send()
        .await
        .unwrap();
    assert_eq!(pulled.status(), StatusCode::OK);
    // An İzmir PC writing Ankara's employee is refused.
    let answer =
        izmir.push(&[izmir.upsert("employees", company.ankara_employee, common::employee("X"), 1)]).await;
    assert_eq!(answer.outcomes[0].status, rainstaff_core::protocol::OutcomeStatus::Rejected);

    let admin = Visitor::signed_in(&h, "admin", ADMIN_PASSWORD).await;
    let page = admin.get("/devices").await;
    let row = &page.body[page.body.find(&format!("data-device=\"{}\"", izmir.id)).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("<td>9.9.9</td>"), "{row}");
    assert!(row.contains("<td class=\"num\">1</td>"), "one refused change: {row}");
}

#[tokio::test]
async fn a_manager_reviews_a_conflict_of_their_region_and_the_trail_records_it() {
    let h = Harness::start().await;
    let company = company(&h).await;
    // Two İzmir PCs rename Çağrı from the same version: the later one wins, the other is kept.
    let second = h.enroll("Izmir", "IZMIR-PC2").await;
    let renamed = |name: &str| common::employee(name);
    write(&company.izmir, company.izmir.upsert("employees", company.izmir_employee, renamed("Çağrı Öz"), 1))
        .await;
    write(&second, second.upsert("employees", company.izmir_employee, renamed("Çağrı Öztürk Yılmaz"), 1))
        .await;

    let manager = Visitor::signed_in(&h, "ayse.mudur", MANAGER_PASSWORD).await;
    let page = manager.get("/conflicts").await;
    assert!(page.body.contains("Çağrı Öz") && page.body.contains("Çağrı Öztürk Yılmaz"), "{}", page.body);
    let conflict = h.server().conflicts_for(&manager_viewer(), false).unwrap().remove(0);
    let csrf = page.csrf();
    let resolved =
        manager.post(&format!("/conflicts/{}/resolve", conflict.id), &[("csrf_token", &csrf)]).await;
    assert_eq!(resolved.location(), Some("/conflicts"));
    assert!(manager.get("/conflicts").await.body.contains("Çakışma yok"));
    let trail = manager.get("/audit?action=conflict_resolved").await;
    assert!(trail.body.contains("user:ayse.mudur"), "{}", trail.body);

    // The vehicles are the region's too, each with its page and alerts.
    let vehicles = manager.get("/vehicles").await;
    assert!(vehicles.body.contains("35 ABC 123"));
    let link = vehicles.body.split("href=\"/vehicles/").nth(1).unwrap();
    let vehicle = manager.get(&format!("/vehicles/{}", &link[..link.find('"').unwrap()])).await;
    assert_eq!(vehicle.status, StatusCode::OK);
    assert!(vehicle.body.contains("Muayene") && vehicle.body.contains("gün geçti"), "{}", vehicle.body);
}

fn manager_viewer() -> rainstaff_server::service::Viewer {
    rainstaff_server::service::Viewer { username: "ayse.mudur".into(), region: "Izmir".into() }
}

#[tokio::test]
async fn wrong_passwords_sent_at_once_still_lock_the_user() {
    let h = Harness::start().await;
    company(&h).await;
    let tries = (0..12).map(|_| {
        let visitor = Visitor::new(&h);
        async move { visitor.sign_in("ayse.mudur", "yanlış parola 123").await.status }
    });
    for status in futures_util::future::join_all(tries).await {
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let right = Visitor::new(&h).sign_in("ayse.mudur", MANAGER_PASSWORD).await;
    assert_eq!(right.status, StatusCode::UNAUTHORIZED, "a burst of failures got past the lockout");
}

#[tokio::test]
async fn a_browser_gets_pages_for_what_goes_wrong_and_a_device_gets_json() {
    let h = Harness::start().await;
    company(&h).await;
    let admin = Visitor::signed_in(&h, "admin", ADMIN_PASSWORD).await;
    let html = |a: &common::visitor::Answer| {
        a.headers["content-type"].to_str().unwrap().starts_with("text/html")
            && a.body.contains("id=\"error\"")
    };
    let browser = reqwest::Client::new();
    let page = browser.get(h.url("/nowhere")).header("accept", "text/html").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(page.text().await.unwrap().contains("Böyle bir sayfa ya da kayıt yok"));
    let program = browser.get(h.url("/sync/nowhere")).send().await.unwrap();
    assert_eq!(program.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = program.json().await.unwrap();
    assert_eq!(body["error"], "not_found", "{body}");

    for bad in ["/dashboard?month=a&month=b", "/dashboard?month=2026-13", "/conflicts?all=1&all=2"] {
        let answer = admin.get(bad).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(html(&answer), "{bad}: {}", answer.body);
    }
    let csrf = admin.csrf().await;
    let answer = admin.post("/conflicts/abc/resolve", &[("csrf_token", &csrf)]).await;
    assert!(answer.status.is_client_error() && html(&answer), "{}", answer.body);
}

#[tokio::test]
async fn signing_in_again_ends_the_session_the_browser_had() {
    let h = Harness::start().await;
    company(&h).await;
    let visitor = Visitor::new(&h);
    let first = visitor.sign_in("admin", ADMIN_PASSWORD).await;
    let old = first.set_cookie("rs_session").unwrap().split(';').next().unwrap().to_string();
    assert!(!first.set_cookie("rs_session").unwrap().contains("Max-Age"), "the cookie outlives the browser");
    visitor.sign_in("admin", ADMIN_PASSWORD).await;
    let other = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let with_old = other.get(h.url("/dashboard")).header("cookie", &old).send().await.unwrap();
    assert_eq!(with_old.status(), StatusCode::SEE_OTHER);
    assert_eq!(visitor.get("/dashboard").await.status, StatusCode::OK);
}

/// The cells of the puantaj table's row of `name`, as text.
fn puantaj_row(body: &str, name: &str) -> Vec<String> {
    let start = format!("<th scope=\"row\">{name}</th>");
    let at = body.find(&start).unwrap_or_else(|| panic!("no row of {name}: {body}"));
    let row = &body[at + start.len()..];
    let row = &row[..row.find("</tr>").unwrap()];
    row.split("</td>").filter_map(|cell| cell.rsplit_once('>').map(|(_, text)| text.to_string())).collect()
}

#[tokio::test]
async fn the_month_puantaj_shows_each_day_in_its_letter_and_the_sgk_days() {
    let h = Harness::start().await;
    let company = company(&h).await;
    let leave = |kind: &str, first: &str, last: &str| {
        serde_json::json!({"employee_id": company.ankara_employee.to_string(), "kind": kind,
            "first_day": first, "last_day": last, "entered_by": "memur"})
    };
    let ankara = &company.ankara;
    write(ankara, ankara.upsert("leaves", id(), leave("sick", "2026-11-09", "2026-11-11"), 0)).await;
    write(ankara, ankara.upsert("leaves", id(), leave("annual", "2026-11-12", "2026-11-13"), 0)).await;

    let admin = Visitor::signed_in(&h, "admin", ADMIN_PASSWORD).await;
    let page = admin.get("/puantaj?month=2026-11&region=Ankara").await;
    assert_eq!(page.status, StatusCode::OK);
    let cells = puantaj_row(&page.body, "Ayşe Işık");
    // After the T.C. number, 1 November (a Sunday) to the 30th.
    let days = &cells[1..31];
    assert_eq!(days[0], "HT");
    assert_eq!(&days[1..6], ["Ç 8", "Ç 8", "Ç 8", "Ç 8", "Ç 8"]);
    assert_eq!(&days[8..13], ["R", "R", "R", "Yİ", "Yİ"]);
    // Days worked, annual leave and report days, weekly rest, holidays, premium days, missing
    // days and their reason: a report is three unpaid days, declared under 01.
    let totals = &cells[31..39];
    assert_eq!(totals, ["5", "2", "3", "5", "0", "27", "3", "01"], "{cells:?}");
    assert!(page.body.contains("<dt>R</dt><dd>Rapor (istirahat)</dd>"), "the legend");

    // The İzmir manager sees İzmir's grid whatever region is asked for.
    let manager = Visitor::signed_in(&h, "ayse.mudur", MANAGER_PASSWORD).await;
    let theirs = manager.get("/puantaj?month=2026-11&region=Ankara").await;
    assert!(theirs.body.contains("Çağrı Öztürk") && !theirs.body.contains("Ayşe Işık"), "{}", theirs.body);

    let (status, headers, bytes) = admin.get_bytes("/reports/puantaj.xlsx?month=2026-11&region=Ankara").await;
    assert_eq!(status, StatusCode::OK);
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.contains("puantaj-cetveli-ankara-2026-11.xlsx"), "{disposition}");
    let mut book = Xlsx::new(Cursor::new(bytes)).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let grid = book.worksheet_range(&sheet).unwrap();
    let row = grid
        .rows()
        .find(|r| r.iter().any(|c| matches!(c, Data::String(s) if s == "Ayşe Işık")))
        .expect("Ayşe's row in the downloaded puantaj");
    let text: Vec<String> = row.iter().map(|c| c.to_string()).collect();
    assert_eq!(&text[2..32], days, "the page and the workbook say the same days");
}
