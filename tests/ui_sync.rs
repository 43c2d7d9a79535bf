//! The toolbar's sync indicator in every state, "Sync now" against a real server on 127.0.0.1,
//! and the changes that server refused: listed in words, resent or discarded. Driven by label.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Local, TimeZone};
use common::{settle, sign_in, start};
use egui_kittest::kittest::{By, Queryable as _};
use rainstaff::bus::{SyncPhase, SyncStatus};
use rainstaff::db::edits::SaveOptions;
use rainstaff::db::sync::DEVICE_KEY;
use rainstaff::db::sync::SyncError;
use rainstaff::db::users::Role;
use rainstaff::db::{Store, rows};
use rainstaff::paths::DataDir;
use rainstaff::sync_task::enroll_device;
use rainstaff_core::model::{Employee, fields_of};
use rainstaff_core::protocol::SyncReport;
use rainstaff_core::schema::EMPLOYEES;
use serde_json::json;

fn signed_in(dir: &std::path::Path) -> egui_kittest::Harness<'static, rainstaff::app::App> {
    {
        let store = Store::open(&dir.join("rainstaff.db")).unwrap();
        if !store.has_users().unwrap() {
            store.create_user("müdür", Some("parola-12345"), Role::Manager, "Bursa").unwrap();
        }
    }
    let mut harness = start(dir);
    sign_in(&mut harness, "müdür", "parola-12345");
    harness
}

/// A real rainstaff-server on 127.0.0.1 over a file in `dir`, and the runtime serving it.
struct Served {
    runtime: tokio::runtime::Runtime,
    server: Arc<rainstaff_server::Server>,
    running: rainstaff_server::http::RunningServer,
}

impl Served {
    fn start(dir: &std::path::Path) -> Served {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let server = Arc::new(rainstaff_server::Server::open(&dir.join("server.db")).unwrap());
        let running = runtime
            .block_on(rainstaff_server::http::RunningServer::start(server.clone(), Default::default()))
            .unwrap();
        Served { runtime, server, running }
    }

    /// Enrolls the PC whose data folder is `data` for Bursa under `name`; returns the code it used.
    fn enroll(&self, data: &std::path::Path, name: &str) -> String {
        let code = self.server.create_enroll_code("Bursa").unwrap().code;
        let store = Store::open(&data.join("rainstaff.db")).unwrap();
        self.runtime
            .block_on(enroll_device(&store, &DataDir::new(data), &self.running.url(), &code, name))
            .unwrap();
        code
    }
}

#[test]
fn every_indicator_state_says_what_is_true() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = signed_in(dir.path());
    let at = Local.with_ymd_and_hms(2026, 3, 4, 14, 5, 0).unwrap();
    let report = SyncReport {
        pushed: 3,
        pulled: 7,
        conflicts: 1,
        rejected: 0,
        bytes_sent: 900,
        bytes_received: 2100,
        duration_ms: 42,
        ..SyncReport::default()
    };
    let states: Vec<(SyncPhase, Option<SyncReport>, i64, &str)> = vec![
        (SyncPhase::NotSetUp, None, 0, "Eşitleme kurulmadı"),
        (SyncPhase::Idle, Some(report.clone()), 0, "Güncel (14:05)"),
        (SyncPhase::Idle, Some(report.clone()), 4, "4 değişiklik bekliyor"),
        (SyncPhase::Syncing, None, 0, "Eşitleniyor…"),
        (SyncPhase::Offline { retry_at: at }, None, 2, "Çevrimdışı, yeniden deneme 14:05"),
        (SyncPhase::Failed(SyncError::Revoked), None, 0, "Cihaz yetkisi kaldırıldı"),
        (SyncPhase::Failed(SyncError::UpdateRequired("protocol 2".into())), None, 0, "Güncelleme gerekli"),
        (SyncPhase::Failed(SyncError::Server("500".into())), None, 0, "Sunucu hatası"),
    ];
    for (phase, last_report, pending, text) in states {
        let app = harness.state_mut();
        // The app's own sync thread would overwrite the state; tests set it after each frame.
        app.sync = SyncStatus { phase, last_success: Some(at), last_report };
        app.pending = pending;
        harness.step();
        let app = harness.state_mut();
        let (shown, _) = rainstaff::ui::sync_indicator::describe(app.lang, &app.sync, app.pending);
        assert_eq!(shown, text);
        harness.get_by_label(text);
    }
}

#[test]
fn sync_now_sends_waiting_changes_to_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path());
    let data = dir.path().join("pc");
    served.enroll(&data, "bursa-1");
    let mut harness = signed_in(&data);
    {
        let mut store = Store::open(&data.join("rainstaff.db")).unwrap();
        let user = store.verify_login("müdür", "parola-12345").unwrap().unwrap();
        let e = Employee { full_name: "ÖMER ŞAHİN".into(), ..Employee::default() };
        store.save_record(&user, &EMPLOYEES, None, "Bursa", fields_of(&e), SaveOptions::default()).unwrap();
    }
    let runs = || Store::open(&data.join("rainstaff.db")).unwrap().sync_runs(50).unwrap().len();
    // Wait for the start-up run to finish, then ask for another and wait for it.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut clicked_after = None;
    loop {
        harness.step();
        let app = harness.state();
        let idle = matches!(app.sync.phase, SyncPhase::Idle) && app.sync.last_success.is_some();
        match clicked_after {
            None if idle => {
                clicked_after = Some(runs());
                harness.get_by_label("Şimdi eşitle").click();
            }
            Some(before) if idle && runs() > before => break,
            _ => {}
        }
        assert!(Instant::now() < deadline, "sync now did not finish: {:?}", harness.state().sync);
        std::thread::sleep(Duration::from_millis(20));
    }
    settle(&mut harness);
    assert_eq!(harness.state().pending, 0);
    let device = served.server.devices().unwrap();
    assert!(device.iter().any(|d| d.name == "bursa-1" && d.last_mutation_id >= 1), "{device:?}");
    served.runtime.block_on(served.running.stop()).unwrap();
}

#[test]
fn a_failed_run_is_listed_in_the_language_chosen_when_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path());
    let data = dir.path().join("pc");
    served.enroll(&data, "bursa-1");
    let device = Store::open(&data.join("rainstaff.db")).unwrap().sync_state(DEVICE_KEY).unwrap().unwrap();
    served.server.revoke(device.parse().unwrap()).unwrap();
    // The start-up run meets the revoked token and is recorded as a failure.
    let mut harness = signed_in(&data);
    common::step_until(&mut harness, "the start-up run to fail", |h| {
        matches!(h.state().sync.phase, SyncPhase::Failed(SyncError::Revoked))
    });
    harness.get_by_label("Ayarlar").click();
    harness.run();
    harness.get(By::new().label_contains(" · Cihaz yetkisi kaldırıldı"));
    harness.get_by_label("English").click();
    settle(&mut harness);
    harness.get(By::new().label_contains(" · Device token revoked"));
}

#[test]
fn a_refused_enrollment_code_is_said_about_the_code_field() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path());
    // Another PC took the code first.
    let code = served.enroll(&dir.path().join("other-pc"), "bursa-1");

    let mut harness = signed_in(&dir.path().join("pc"));
    harness.get_by_label("Ayarlar").click();
    harness.run();
    for (typed, said) in [
        (code.as_str(), "Tek kullanımlık kod: daha önce kullanılmış; BT'den yeni bir kod isteyin"),
        ("UYDURMA-KOD", "Tek kullanımlık kod: sunucunun verdiği bir kod değil"),
    ] {
        common::fill(&mut harness, "Sunucu adresi", &served.running.url());
        common::fill(&mut harness, "Tek kullanımlık kod", typed);
        harness.get_by_label("Bu bilgisayarı kaydet").click();
        common::step_until(&mut harness, said, |h| h.query_all_by_label(said).next().is_some());
    }
    // The sync thread may still be in a run it started meanwhile; its end says what is set up.
    common::step_until(&mut harness, "the sync thread to settle", |h| {
        h.state().sync.phase != SyncPhase::Syncing
    });
    assert_eq!(harness.state().sync.phase, SyncPhase::NotSetUp, "a refused code enrolls nothing");
}

/// How many changes of one record wait in the PC's outbox.
fn queued_for(data: &std::path::Path, id: uuid::Uuid) -> i64 {
    Store::open(&data.join("rainstaff.db"))
        .unwrap()
        .test_connection()
        .query_row("SELECT count(*) FROM outbox WHERE row_id = ?1", [id], |r| r.get(0))
        .unwrap()
}

/// Clicks "Sync now" once the app is idle and waits for that run to be recorded.
fn sync_now(harness: &mut egui_kittest::Harness<'static, rainstaff::app::App>, data: &std::path::Path) {
    let runs = || Store::open(&data.join("rainstaff.db")).unwrap().sync_runs(50).unwrap().len();
    common::step_until(harness, "the app to be idle", |h| {
        matches!(h.state().sync.phase, SyncPhase::Idle) && h.state().sync.last_success.is_some()
    });
    let before = runs();
    harness.get_by_label("Şimdi eşitle").click();
    common::step_until(harness, "the run to finish", |h| {
        matches!(h.state().sync.phase, SyncPhase::Idle) && runs() > before
    });
    settle(harness);
}

#[test]
fn a_refused_change_is_listed_in_words_and_discarding_it_drops_what_the_server_never_had() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path());
    let data = dir.path().join("pc");
    served.enroll(&data, "bursa-1");
    // The administrator, signed in on Bursa's PC, wrote an Ankara employee past the form's rules
    // (as an older build did); the server refuses that change alone.
    let ankara = rainstaff_core::ids::new_id();
    {
        let store = Store::open(&data.join("rainstaff.db")).unwrap();
        store.create_user("yönetici", Some("parola-12345"), Role::Admin, "ALL").unwrap();
        store.act_as(Some("yönetici")).unwrap();
        let e = Employee { full_name: "ANKARALI PERSONEL".into(), ..Employee::default() };
        let tx = store.test_connection().unchecked_transaction().unwrap();
        rows::save(&tx, &EMPLOYEES, ankara, "Ankara", &fields_of(&e)).unwrap();
        tx.commit().unwrap();
    }
    let mut harness = start(&data);
    sign_in(&mut harness, "yönetici", "parola-12345");
    common::step_until(&mut harness, "the start-up run to refuse the change", |h| h.state().refused == 1);
    // (Signing in seeds Bursa's shift templates, which wait for the next run.)
    assert_eq!(queued_for(&data, ankara), 0, "the refused change left the queue");

    harness.get_by_label("1 reddedilen değişiklik").click();
    harness.run();
    let made_at =
        Store::open(&data.join("rainstaff.db")).unwrap().refused_changes("ALL").unwrap()[0].made_at.clone();
    harness.get_by_label("Personel · ANKARALI PERSONEL");
    harness.get_by_label("Neden: Bu bilgisayar o bölgenin kayıtlarını değiştiremez");
    harness.get_by_label(&format!("Yapan: yönetici · Zaman: {}", rainstaff::ui::form::local_time(&made_at)));
    harness.get(By::new().label_contains("Ad Soyad «ANKARALI PERSONEL» · "));
    harness.get(By::new().label_contains("Sözleşme «Tam zamanlı»"));
    harness.get_by_label("Kaydı düzeltip kaydedin; değişiklik yeniden gönderilir.");

    // The same list in English, when English is chosen.
    harness.get_by_label("Ayarlar").click();
    harness.run();
    harness.get_by_label("English").click();
    settle(&mut harness);
    harness.get_by_label("Open the list").click();
    harness.run();
    harness.get_by_label("Reason: This computer may not change that region's records");
    harness.get_by_label("Fix the record and save it; the change is sent again.");
    harness.get_by_label("Settings").click();
    harness.run();
    harness.get_by_label("Türkçe").click();
    settle(&mut harness);
    harness.get_by_label("Listeyi aç").click();
    harness.run();

    harness.get_by_label("Vazgeç").click();
    settle(&mut harness);
    harness.get_by_label("Reddedilen değişiklik yok");
    assert_eq!(harness.state().refused, 0);
    assert!(harness.query_by_label("1 reddedilen değişiklik").is_none(), "the indicator still counts it");
    let store = Store::open(&data.join("rainstaff.db")).unwrap();
    assert!(
        rows::get(store.test_connection(), &EMPLOYEES, ankara).unwrap().is_none_or(|r| r.deleted),
        "a record the server never had stays"
    );
    assert_eq!((store.refused_count().unwrap(), queued_for(&data, ankara)), (0, 0));
    served.runtime.block_on(served.running.stop()).unwrap();
}

#[test]
fn a_refused_edit_is_resent_from_the_list_or_discarded_for_the_servers_version() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path());
    let data = dir.path().join("pc");
    served.enroll(&data, "bursa-1");
    let open = || Store::open(&data.join("rainstaff.db")).unwrap();
    let id = {
        let mut store = open();
        let manager = store.create_user("müdür", Some("parola-12345"), Role::Manager, "Bursa").unwrap();
        store.create_user("personel", Some("parola-12345"), Role::Staff, "Bursa").unwrap();
        // Seeded now, so that they go with the start-up run and only the resent change waits later.
        store.seed_templates(&manager).unwrap();
        let e = Employee { full_name: "ÖMER ŞAHİN".into(), ..Employee::default() };
        store.save_record(&manager, &EMPLOYEES, None, "Bursa", fields_of(&e), SaveOptions::default()).unwrap()
    };
    let weekly = || open().employee(id).unwrap().unwrap().data.weekly_minutes;
    let mut harness = start(&data);
    sign_in(&mut harness, "personel", "parola-12345");
    common::step_until(&mut harness, "the start-up run to send the employee", |h| {
        h.state().sync.last_success.is_some() && h.state().pending == 0
    });
    // Then an edit that breaks a rule the form would have caught (a week of 9999 minutes),
    // written past the form as an older build did.
    {
        let store = open();
        store.act_as(Some("müdür")).unwrap();
        let edit = json!({"weekly_minutes": 9999}).as_object().unwrap().clone();
        let tx = store.test_connection().unchecked_transaction().unwrap();
        rows::save(&tx, &EMPLOYEES, id, "Bursa", &edit).unwrap();
        tx.commit().unwrap();
    }
    sync_now(&mut harness, &data);
    assert_eq!((harness.state().refused, harness.state().pending), (1, 0));
    assert_eq!(weekly(), 9999, "what was typed stays on the record until somebody chooses");

    // Staff see the list and cannot act on it.
    harness.get_by_label("Ayarlar").click();
    harness.run();
    assert_eq!(
        harness.query_all_by_label("1 reddedilen değişiklik").count(),
        2,
        "the indicator and Settings"
    );
    harness.get_by_label("Listeyi aç").click();
    harness.run();
    harness.get_by_label("Personel · ÖMER ŞAHİN");
    harness.get_by_label("Neden: Bir veri kuralına uymuyor");
    harness.get_by_label("Haftalık çalışma süresi «166:39»");
    harness.get_by_label("Yeniden göndermek ya da vazgeçmek yöneticilere açık.");
    assert!(harness.query_by_label("Yeniden gönder").is_none() && harness.query_by_label("Vazgeç").is_none());
    harness.get_by_label("Ayarlar").click();
    harness.run();
    harness.get_by_label("Çıkış yap").click();
    harness.run();

    // The manager resends it: it waits among the changes to send again.
    sign_in(&mut harness, "müdür", "parola-12345");
    harness.get_by_label("1 reddedilen değişiklik").click();
    harness.run();
    harness.get_by_label("Yeniden gönder").click();
    settle(&mut harness);
    assert_eq!((harness.state().refused, harness.state().pending), (0, 1));
    harness.get_by_label("Reddedilen değişiklik yok");
    harness.get_by_label("1 değişiklik bekliyor");

    // The server refuses it again; discarding it brings back the server's version.
    sync_now(&mut harness, &data);
    assert_eq!((harness.state().refused, harness.state().pending), (1, 0));
    harness.get_by_label("Haftalık çalışma süresi «166:39»");
    harness.get_by_label("Vazgeç").click();
    settle(&mut harness);
    assert_eq!(harness.state().refused, 0);
    harness.get_by_label("Reddedilen değişiklik yok");
    assert_eq!(weekly(), 2700);
    let store = open();
    assert_eq!(store.employee(id).unwrap().unwrap().sync_error, None, "the record is no longer marked");
    assert_eq!(store.pending_count().unwrap(), 0);
    served.runtime.block_on(served.running.stop()).unwrap();
}
