//! The screens driven by label through egui_kittest, over a real store in a temp folder.

mod common;

use common::{employees_screen, fill, first_admin, settle, sign_in, start, step_until};
use egui_kittest::kittest::{By, Queryable as _};
use rainstaff::db::Store;
use rainstaff::db::edits::SaveOptions;
use rainstaff::db::users::Role;
use rainstaff_core::model::{Employee, fields_of};
use rainstaff_core::schema::EMPLOYEES;

#[test]
fn first_start_creates_the_administrator_and_refuses_a_short_password() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = start(dir.path());
    harness.run();
    fill(&mut harness, "Kullanıcı adı", "yönetici");
    fill(&mut harness, "Parola", "kısa");
    fill(&mut harness, "Parola (tekrar)", "kısa");
    harness.get_by_label("Yöneticiyi oluştur").click();
    harness.run();
    harness.get_by_label("Parola: en az 8 karakter olmalı");
    assert!(harness.state().session.is_none());
    drop(harness);

    let mut harness = start(dir.path());
    first_admin(&mut harness);
    harness.get_by_label("yönetici · Tüm bölgeler");
}

#[test]
fn add_an_employee_and_see_a_validation_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = start(dir.path());
    first_admin(&mut harness);
    harness.get_by_label("Yeni personel").click();
    harness.run();
    fill(&mut harness, "Ad Soyad", "ÇAĞLA ÖZTÜRK");
    fill(&mut harness, "T.C. Kimlik No", "12345678901");
    harness.get_by_label("Kaydet").click();
    settle(&mut harness);
    harness.get_by_label("geçerli bir T.C. kimlik numarası değil (11 hane)");
    assert!(harness.state().employees.visible_names().is_empty());

    // Weekly hours are typed and shown as hours, as payroll says them.
    assert_eq!(
        harness.get_by_role_and_label(egui::accesskit::Role::TextInput, "Haftalık çalışma süresi").value(),
        Some("45:00".into())
    );
    fill(&mut harness, "T.C. Kimlik No", "10000000146");
    fill(&mut harness, "Haftalık çalışma süresi", "37,5");
    harness.get_by_label("Kaydet").click();
    settle(&mut harness);
    harness.get_by_label("geçerli bir süre değil (saat ya da SS:DD, ör. 45:00)");
    assert!(harness.state().employees.visible_names().is_empty());

    fill(&mut harness, "Haftalık çalışma süresi", "37:30");
    harness.get_by_label("Kaydet").click();
    settle(&mut harness);
    assert_eq!(harness.state().employees.visible_names(), ["ÇAĞLA ÖZTÜRK"]);
    harness.get_by_label("ÇAĞLA ÖZTÜRK");
    // The list shows the T.C. number's last four digits only; the form shows all of it.
    harness.get_by_label("*******0146");
    assert!(harness.query_by_label("10000000146").is_none());
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let all = store.employees(rainstaff_core::protocol::ALL_REGIONS).unwrap();
    assert_eq!(all[0].data.weekly_minutes, 2250);
}

/// Opens Puantaj on employee `id` with a new shift's form.
fn new_shift_form(harness: &mut egui_kittest::Harness<'_, rainstaff::app::App>, id: uuid::Uuid) {
    harness.get_by_label("Puantaj").click();
    harness.run();
    harness.state_mut().timesheets.employee = Some(id);
    harness.get_by_label("Yeni vardiya").click();
    harness.run();
}

/// A Bursa store with its manager "şef" and one employee, NURAY ÖZGÜL; returns her id.
fn bursa_with_one_employee(dir: &std::path::Path) -> uuid::Uuid {
    let mut store = Store::open(&dir.join("rainstaff.db")).unwrap();
    let user = store.create_user("şef", Some("parola-12345"), Role::Manager, "Bursa").unwrap();
    let e = Employee { full_name: "NURAY ÖZGÜL".into(), ..Employee::default() };
    store.save_record(&user, &EMPLOYEES, None, "Bursa", fields_of(&e), SaveOptions::default()).unwrap()
}

#[test]
fn a_name_beyond_its_limit_is_refused_and_a_loosely_typed_shift_is_stored_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let id = bursa_with_one_employee(dir.path());
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    employees_screen(&mut harness);
    harness.get_by_label("Yeni personel").click();
    harness.run();
    fill(&mut harness, "Ad Soyad", &"Ş".repeat(201));
    harness.get_by_label("Kaydet").click();
    settle(&mut harness);
    harness.get_by_label("çok uzun (en fazla 200 karakter)");
    assert_eq!(harness.state().employees.visible_names(), ["NURAY ÖZGÜL"]);
    harness.key_press(egui::Key::Escape);
    harness.run();

    // The form takes `8:5`; the store, and so the server, get `08:05`.
    new_shift_form(&mut harness, id);
    fill(&mut harness, "Tarih", "4.3.2026");
    fill(&mut harness, "Başlangıç", "8:5");
    fill(&mut harness, "Bitiş", "16:30");
    harness.get_by_label("Kaydet").click();
    settle(&mut harness);
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let filter = rainstaff::db::queries::ShiftFilter {
        employee: Some(id),
        region: "Bursa".into(),
        ..Default::default()
    };
    let shifts = store.shifts(&filter).unwrap();
    let stored: Vec<_> =
        shifts.iter().map(|s| (s.data.work_date.as_str(), s.data.start_time.as_str())).collect();
    assert_eq!(stored, [("2026-03-04", "08:05")]);
}

#[test]
fn search_folds_turkish_letters() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
        let admin = store.create_user("admin", Some("parola-123456"), Role::Admin, "ALL").unwrap();
        let mut manager = admin.clone();
        manager.region = "Istanbul".into();
        for name in ["AYŞE IŞIK", "İSMAİL ŞAHİN", "Ilgaz Çelik"] {
            let e = Employee { full_name: name.into(), ..Employee::default() };
            store
                .save_record(&manager, &EMPLOYEES, None, "Istanbul", fields_of(&e), SaveOptions::default())
                .unwrap();
        }
    }
    let mut harness = start(dir.path());
    sign_in(&mut harness, "admin", "parola-123456");
    employees_screen(&mut harness);
    assert_eq!(harness.state().employees.visible_names(), ["AYŞE IŞIK", "Ilgaz Çelik", "İSMAİL ŞAHİN"]);
    fill(&mut harness, "Ara:", "ısık");
    harness.run();
    assert_eq!(harness.state().employees.visible_names(), ["AYŞE IŞIK"]);
    fill(&mut harness, "Ara:", "istanbul ismail");
    harness.run();
    assert_eq!(harness.state().employees.visible_names(), ["İSMAİL ŞAHİN"]);
}

#[test]
fn switch_language_to_english_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = start(dir.path());
    first_admin(&mut harness);
    harness.get_by_label("Ayarlar").click();
    harness.run();
    harness.get_by_label("English").click();
    settle(&mut harness);
    harness.get_by_label("Employees");
    harness.get_by_label("Timesheets");
    drop(harness);
    // The choice is remembered across a restart, from the sign-in screen on.
    let mut harness = start(dir.path());
    harness.run();
    harness.get_by_label("Sign in");
    fill(&mut harness, "Username", "YÖNETİCİ");
    fill(&mut harness, "Password", "çok-gizli-parola");
    harness.get_by_label("Sign in").click();
    settle(&mut harness);
    harness.get_by_label("Settings").click();
    harness.run();
    harness.get_by_label("Türkçe").click();
    settle(&mut harness);
    harness.get_by_label("Personel");
}

#[test]
fn add_a_shift_from_a_template_and_see_an_overlap_refused() {
    let dir = tempfile::tempdir().unwrap();
    let id = bursa_with_one_employee(dir.path());
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    new_shift_form(&mut harness, id);
    // The seeded weekday template fills start, end and break in one click.
    harness.get_by_label("Hafta içi 08:30–17:30").click();
    harness.run();
    fill(&mut harness, "Tarih", "04.03.2026");
    harness.get_by_label("Kaydet").click();
    settle(&mut harness);
    assert_eq!(harness.state().timesheets.row_count(), 1);
    harness.get_by_label("Çar");

    // The form stays open for the next shift of the same person; an overlapping one is refused.
    fill(&mut harness, "Başlangıç", "12:00");
    fill(&mut harness, "Bitiş", "20:00");
    harness.get_by_label("Kaydet").click();
    settle(&mut harness);
    harness.get_by_label("başka bir vardiyayla çakışıyor (04.03.2026 08:30–17:30)");
    assert_eq!(harness.state().timesheets.row_count(), 1);
}

/// Steps frames until the app asks the OS to open a URL, and returns it.
fn opened_url(harness: &mut egui_kittest::Harness<'_, rainstaff::app::App>) -> String {
    let mut url = None;
    step_until(harness, "a URL to be opened", |h| {
        url = h.output().platform_output.commands.iter().find_map(|c| match c {
            egui::OutputCommand::OpenUrl(open) => Some(open.url.clone()),
            _ => None,
        });
        url.is_some()
    });
    url.unwrap()
}

#[test]
fn f1_the_sign_in_link_and_the_help_menu_open_the_user_guide_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = start(dir.path());
    harness.run();
    // Before anyone has signed in: the first start is when help is needed most.
    harness.key_press(egui::Key::F1);
    let url = opened_url(&mut harness);
    let path = url::Url::parse(&url).unwrap().to_file_path().unwrap();
    assert_eq!(path, std::path::absolute(dir.path().join("help.html")).unwrap());
    harness.run();
    harness.get_by_label(&format!("Kullanım kılavuzu: {url}"));
    let guide = std::fs::read_to_string(&path).unwrap();
    assert!(
        guide.contains("<section id=\"tr\" lang=\"tr\">")
            && guide.contains("<section id=\"en\" lang=\"en\">")
    );
    std::fs::remove_file(&path).unwrap();
    harness.get_by_label("Kullanım kılavuzu (F1)").click();
    assert_eq!(opened_url(&mut harness), url);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), guide);
    std::fs::remove_file(&path).unwrap();

    first_admin(&mut harness);
    harness.get_by_label("Yardım").click();
    harness.run();
    harness.get_by_label("Kullanım kılavuzu (F1)").click();
    assert_eq!(opened_url(&mut harness), url);
    harness.run();
    harness.get_by_label(&format!("Kullanım kılavuzu: {url}"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), guide);
}

#[test]
fn a_guide_that_cannot_be_written_is_said_in_the_status_bar() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = start(dir.path());
    first_admin(&mut harness);
    // A folder where the guide's file should go: writing it fails as a full or locked disk would.
    std::fs::create_dir(dir.path().join("help.html")).unwrap();
    harness.key_press(egui::Key::F1);
    settle(&mut harness);
    let shown = harness.get(By::new().label_contains("Kılavuz açılamadı: ")).value().unwrap_or_default();
    assert!(shown.contains("help.html: "), "the status bar names the file: {shown}");
    assert!(
        harness
            .output()
            .platform_output
            .commands
            .iter()
            .all(|c| !matches!(c, egui::OutputCommand::OpenUrl(_)))
    );
}

#[test]
fn sign_in_and_account_mistakes_are_said_in_the_chosen_language() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = start(dir.path());
    first_admin(&mut harness);
    harness.get_by_label("Kullanıcılar").click();
    harness.run();
    // The same name in another case is the same account: Turkish folding, said in Turkish.
    for name in ["Işık", "ışık"] {
        fill(&mut harness, "Kullanıcı adı", name);
        fill(&mut harness, "Parola", "parola-12345");
        fill(&mut harness, "Parola (tekrar)", "parola-12345");
        harness.get_by_label("Kullanıcı ekle").click();
        settle(&mut harness);
    }
    assert!(harness.query_all_by_label("Kullanıcı adı: zaten kayıtlı (ışık)").next().is_some());
    fill(&mut harness, "Kullanıcı adı", "kısa");
    fill(&mut harness, "Parola", "1234567");
    harness.get_by_label("Kullanıcı ekle").click();
    harness.run();
    harness.get_by_label("Parola: en az 8 karakter olmalı");

    harness.get_by_label("Ayarlar").click();
    harness.run();
    fill(&mut harness, "Sunucu adresi", "sunucu.ofis:8787");
    fill(&mut harness, "Tek kullanımlık kod", "ABCD-1234");
    harness.get_by_label("Bu bilgisayarı kaydet").click();
    let said = "Sunucu adresi: https:// ya da http:// ile başlamalı";
    step_until(&mut harness, said, |h| h.query_all_by_label(said).next().is_some());

    harness.get_by_label("Çıkış yap").click();
    harness.run();
    sign_in(&mut harness, "yönetici", "yanlış-parola");
    harness.get_by_label("Kullanıcı adı ya da parola yanlış");
    sign_in(&mut harness, "yönetici", "çok-gizli-parola");
    harness.get_by_label("Ayarlar").click();
    harness.run();
    // The failed sign-in stays on the sign-in screen; a wrong current password is said here.
    assert!(harness.query_by_label("Kullanıcı adı ya da parola yanlış").is_none());
    fill(&mut harness, "Mevcut parola", "yanlış-parola");
    fill(&mut harness, "Yeni parola", "yepyeni-parola");
    harness.get_by_label("Parolayı değiştir").click();
    settle(&mut harness);
    assert!(harness.query_all_by_label("Mevcut parola: yanlış").next().is_some());
    harness.get_by_label("English").click();
    settle(&mut harness);
    harness.get_by_label("Sign out").click();
    harness.run();
    fill(&mut harness, "Username", "ışık");
    fill(&mut harness, "Password", "wrong-password");
    harness.get_by_label("Sign in").click();
    settle(&mut harness);
    harness.get_by_label("Wrong username or password");
}

#[test]
fn import_a_legacy_database_with_preview_and_say_why_a_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = start(dir.path());
    first_admin(&mut harness);
    let open_dialog = |harness: &mut egui_kittest::Harness<'_, rainstaff::app::App>| {
        harness.get_by_label("Dosya").click();
        harness.run();
        harness.get_by_label("Eski veritabanını içe aktar…").click();
        harness.run();
    };

    // A file that is no database at all: refused in Turkish, naming the file, nothing written.
    let not_a_db = dir.path().join("puantaj-notlar.txt");
    std::fs::write(&not_a_db, "Ocak ayı notları\n").unwrap();
    open_dialog(&mut harness);
    fill(&mut harness, "Dosya", not_a_db.to_str().unwrap());
    harness.get_by_label("Önizle").click();
    settle(&mut harness);
    let said =
        format!("{}: SQLite veritabanı değil, dolayısıyla eski bir puantaj.db değil", not_a_db.display());
    assert!(harness.query_all_by_label(&said).next().is_some(), "expected «{said}»");

    // The office's real file: the preview counts it, the import brings every employee across.
    let sample = common::samples().join("F1_v4_s4.db");
    fill(&mut harness, "Dosya", sample.to_str().unwrap());
    harness.get_by_label("Önizle").click();
    settle(&mut harness);
    harness.get(By::new().label_contains("Eklenecek/güncellenecek: "));
    // An administrator's PC that is not enrolled takes every region unless one is chosen, and
    // the preview names what stays behind instead of a dash.
    harness.get_by_label("Alınan bölge: Tüm bölgeler");
    harness.get_by_label("Başka bölgelerin, alınmayacak: yok");
    harness.get_by_label("  • Stok envanteri (12 satır): Rainstaff'ta stok takibi yok");
    harness.get_by_label("  • Rapor arşivi (6 satır): eski programın yazdığı rapor dosyalarının listesi; raporlar Rainstaff'ta yeniden alınır");
    assert!(harness.state().employees.visible_names().is_empty(), "the preview wrote nothing");
    // What the file's rows lost is said in Turkish, with fields named as the screens name them.
    harness.get(By::new().label_contains("Uyarılar (")).click();
    harness.run();
    let warning =
        harness.get(By::new().label_contains("Personel #31: T.C. Kimlik No: ")).value().unwrap_or_default();
    assert!(warning.ends_with("(dosyadaki değer \"1\"); boş bırakıldı"), "{warning}");
    harness.get_by_label("Onayla ve içe aktar").click();
    settle(&mut harness);
    harness.get(By::new().label_contains(" kayıt içe aktarıldı"));
    let mut names: Vec<String> =
        harness.state().employees.visible_names().iter().map(|s| s.to_string()).collect();
    names.sort();
    let expected: Vec<String> = common::f1_oracle().into_keys().collect();
    assert!(expected.iter().all(|n| names.contains(n)), "imported {names:?}, the office has {expected:?}");
}

#[test]
fn an_office_pc_previews_its_own_regions_rows_and_counts_the_others() {
    let dir = tempfile::tempdir().unwrap();
    {
        // Enrolled for İzmir, with İzmir's id namespace as the server handed it out.
        let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
        store.set_sync_state(rainstaff::db::sync::SERVER_KEY, "http://127.0.0.1:9").unwrap();
        store.set_sync_state(rainstaff::db::sync::REGION_KEY, "Izmir").unwrap();
        let namespaces = [("Izmir".to_string(), uuid::Uuid::from_u128(42))].into_iter().collect();
        store.add_id_namespaces(&namespaces).unwrap();
    }
    let mut harness = start(dir.path());
    first_admin(&mut harness);
    harness.get_by_label("Dosya").click();
    harness.run();
    harness.get_by_label("Eski veritabanını içe aktar…").click();
    harness.run();
    harness.get_by_label("bu bilgisayarın bölgesi");
    let file = common::three_regions(dir.path());
    fill(&mut harness, "Dosya", file.to_str().unwrap());
    harness.get_by_label("Önizle").click();
    settle(&mut harness);
    harness.get_by_label("Alınan bölge: İzmir");
    harness.get_by_label(
        "Eklenecek/güncellenecek: Personel 2, Ayarlar 1, Vardiya şablonları 2, Puantaj 29, Kullanıcılar 2",
    );
    harness
        .get_by_label("Başka bölgelerin, alınmayacak: Sürücüler 1, Personel 7, Puantaj 47, Kullanıcılar 3");
    harness.state_mut().lang = rainstaff::i18n::Lang::En;
    harness.run();
    harness.get_by_label("Region imported: İzmir");
    harness.get_by_label("Of other regions, left out: Drivers 1, Employees 7, Timesheets 47, Users 3");
    harness.get_by_label("  • Stock inventory (12 rows): Rainstaff keeps no stock");
    harness.get_by_label("Confirm and import").click();
    settle(&mut harness);
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let regions: std::collections::BTreeSet<String> =
        store.employees("ALL").unwrap().into_iter().map(|e| e.region).collect();
    assert_eq!(regions.into_iter().collect::<Vec<_>>(), ["Izmir"]);
}

/// Types into whatever has the keyboard focus, as a person at the keyboard does.
fn type_keys(harness: &mut egui_kittest::Harness<'_, rainstaff::app::App>, text: &str) {
    harness.event(egui::Event::Text(text.into()));
    harness.run();
}

#[test]
fn employees_and_shifts_are_entered_by_keyboard_alone() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
        store.create_user("şef", Some("parola-12345"), Role::Manager, "Bursa").unwrap();
    }
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    employees_screen(&mut harness);

    // Ctrl+N, the name, Enter: the cursor starts in the name field.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    harness.run();
    type_keys(&mut harness, "NURAY ÖZGÜL");
    harness.key_press(egui::Key::Enter);
    settle(&mut harness);
    assert_eq!(harness.state().employees.visible_names(), ["NURAY ÖZGÜL"]);
    harness.key_press(egui::Key::Escape);
    harness.run();

    // Two shifts of one day: Ctrl+N, start, Tab, end, Enter; the form comes back for the next.
    harness.get_by_label("Puantaj").click();
    harness.run();
    let id = Store::open(&dir.path().join("rainstaff.db")).unwrap().employees("Bursa").unwrap()[0].id;
    harness.state_mut().timesheets.employee = Some(id);
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    harness.run();
    for (from, to) in [("08:00", "12:00"), ("13:00", "17:30")] {
        type_keys(&mut harness, from);
        harness.key_press(egui::Key::Tab);
        harness.run();
        type_keys(&mut harness, to);
        harness.key_press(egui::Key::Enter);
        settle(&mut harness);
    }
    assert_eq!(harness.state().timesheets.row_count(), 2);
    // Each starts with the region's break, an hour unless changed; the engine counts the day.
    harness.get_by_label("2 vardiya · toplam çalışma 7:30");
    // The totals show the week the shifts were entered in, not the week of the 1st of the month.
    harness.get_by_label("02.03.2026 – 08.03.2026");
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(harness.query_by_label("Kaydet").is_none(), "Esc closes the form");
}

#[test]
fn the_calendar_beside_a_date_speaks_the_windows_language_and_fills_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let id = bursa_with_one_employee(dir.path());
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    new_shift_form(&mut harness, id);
    harness.get_by_label("Takvim").click();
    harness.run();
    // Today is 4 March 2026 in the tests: the calendar opens on its month, Monday first.
    harness.get_by_label("Mart 2026");
    for day in ["Pzt", "Sal", "Çar", "Per", "Cum", "Cmt", "Paz"] {
        harness.get_by_label(day);
    }
    assert!(harness.query_by_label("March 2026").is_none() && harness.query_by_label("Mo").is_none());
    harness.get_by_label("›").click();
    harness.run();
    harness.get_by_label("Nisan 2026");
    harness.get_by_label(" 7").click();
    harness.run();
    assert!(harness.query_by_label("Nisan 2026").is_none(), "a picked day closes the calendar");
    assert_eq!(
        harness.get_by_role_and_label(egui::accesskit::Role::TextInput, "Tarih").value(),
        Some("07.04.2026".into())
    );
}

#[test]
fn the_log_says_who_did_what_and_why_a_filter_shows_nothing() {
    let dir = tempfile::tempdir().unwrap();
    bursa_with_one_employee(dir.path());
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "yanlış-parola");
    assert!(harness.state().session.is_none());
    sign_in(&mut harness, "şef", "parola-12345");
    harness.get_by_role_and_label(egui::accesskit::Role::Button, "Kayıtlar").click();
    harness.run();
    for seen in ["Hatalı giriş", "Oturum açıldı", "Eklendi", "NURAY ÖZGÜL", "Bursa"] {
        assert!(harness.query_all_by_label(seen).next().is_some(), "{seen} is not on the log");
    }

    harness.get_by_role_and_label(egui::accesskit::Role::ComboBox, "İşlem").click();
    harness.run();
    harness.get_by_label("Silindi").click();
    harness.run();
    harness
        .get_by_label("Bu süzgeçlere uyan kayıt yok: süzgeçleri gevşetin ya da tarih aralığını genişletin.");
    fill(&mut harness, "Başlangıç", "32.01.2026");
    assert!(
        harness.query_all(By::new().label_contains("Başlangıç: ")).next().is_some(),
        "a date that is not one is said about its field"
    );

    // Staff have no log to read.
    harness.state_mut().session = None;
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    store.create_user("personel", Some("parola-12345"), Role::Staff, "Bursa").unwrap();
    drop(store);
    let mut harness = start(dir.path());
    sign_in(&mut harness, "personel", "parola-12345");
    assert!(harness.query_by_role_and_label(egui::accesskit::Role::Button, "Kayıtlar").is_none());
}

#[test]
fn empty_lists_and_bad_filters_say_why_and_the_status_bar_forgets_the_last_screen() {
    let dir = tempfile::tempdir().unwrap();
    bursa_with_one_employee(dir.path());
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    employees_screen(&mut harness);
    fill(&mut harness, "Ara:", "zzz");
    harness
        .get_by_label("1 kayıt aramaya ya da süzgeçlere uymuyor: aramayı silin ya da süzgeçleri gevşetin.");

    harness.get_by_role_and_label(egui::accesskit::Role::Button, "Puantaj").click();
    harness.run();
    let dates = |harness: &mut egui_kittest::Harness<'_, rainstaff::app::App>, from: &str, to: &str| {
        fill(harness, "İlk gün", from);
        fill(harness, "Son gün", to);
        harness.key_press(egui::Key::Tab);
        harness.run();
    };
    dates(&mut harness, "10.03.2026", "01.03.2026");
    harness.get_by_label("Son gün, ilk günden önce olamaz");
    dates(&mut harness, "01.03.2026", "31.13.2026");
    assert!(harness.query_all(By::new().label_contains("Son gün: ")).next().is_some(), "the field is named");
    dates(&mut harness, "01.03.2026", "31.03.2026");
    harness.get_by_label(
        "Bu tarihlerde ve süzgeçlerle vardiya yok: tarihleri genişletin, başka personel seçin ya da «Yeni vardiya» ile ekleyin.",
    );

    // A backup shows in the list at once, and what the status bar said goes with the screen.
    harness.get_by_role_and_label(egui::accesskit::Role::Button, "Ayarlar").click();
    harness.run();
    harness.get_by_label("Şimdi yedekle").click();
    settle(&mut harness);
    // Once in the list and once in the status bar's "Yedek alındı: …".
    assert_eq!(harness.query_all(By::new().label_contains("manual-")).count(), 2, "the backup is listed");
    assert!(harness.query_all(By::new().label_contains("Yedek alındı: ")).next().is_some());
    employees_screen(&mut harness);
    assert!(harness.query_all(By::new().label_contains("Yedek alındı: ")).next().is_none());
}

#[test]
fn a_manager_approves_the_week_the_list_starts_in() {
    let dir = tempfile::tempdir().unwrap();
    bursa_with_one_employee(dir.path());
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    harness.get_by_role_and_label(egui::accesskit::Role::Button, "Puantaj").click();
    harness.run();
    // The list opens on March: 1 March 2026 is a Sunday, of ISO week 9.
    harness.get_by_label("Hafta 2026-W09 (Bursa): onaylanmadı");
    harness.get_by_label("Haftayı onayla").click();
    settle(&mut harness);
    assert!(
        harness
            .query_all(By::new().label_contains("Hafta 2026-W09 (Bursa): onaylandı: şef, "))
            .next()
            .is_some()
    );
    assert!(harness.query_by_label("Haftayı onayla").is_none());
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    assert_eq!(store.period("Bursa", "2026-W09").unwrap().unwrap().state, "approved");
}

#[test]
fn keys_typed_after_a_tab_within_one_slow_frame_land_in_the_next_field() {
    let dir = tempfile::tempdir().unwrap();
    let id = bursa_with_one_employee(dir.path());
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    new_shift_form(&mut harness, id);
    fill(&mut harness, "Tarih", "05.03.2026");
    harness.get_by_role_and_label(egui::accesskit::Role::TextInput, "Başlangıç").focus();
    harness.run();
    let tab = |pressed| egui::Event::Key {
        key: egui::Key::Tab,
        physical_key: None,
        pressed,
        repeat: false,
        modifiers: Default::default(),
    };
    let text = |s: &str| egui::Event::Text(s.into());
    // 08:30 ⇥ 18:00 ⇥ 60, all gathered by one frame.
    harness.input_mut().events.extend([
        text("08:30"),
        tab(true),
        tab(false),
        text("18:00"),
        tab(true),
        tab(false),
        egui::Event::Key {
            key: egui::Key::A,
            physical_key: None,
            pressed: true,
            repeat: false,
            modifiers: egui::Modifiers::COMMAND,
        },
        text("60"),
    ]);
    common::step_as_the_window_does(&mut harness);
    harness.get_by_label("Kaydet").click();
    settle(&mut harness);
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let filter = rainstaff::db::queries::ShiftFilter {
        employee: Some(id),
        region: "Bursa".into(),
        ..Default::default()
    };
    let shifts = store.shifts(&filter).unwrap();
    let typed: Vec<_> = shifts
        .iter()
        .map(|s| (s.data.start_time.as_str(), s.data.end_time.as_str(), s.data.break_minutes))
        .collect();
    assert_eq!(typed, [("08:30", "18:00", 60)]);
}

#[test]
fn five_wrong_passwords_lock_the_name_for_five_minutes_even_across_a_restart() {
    use rainstaff::db::audit::Filter;
    let dir = tempfile::tempdir().unwrap();
    bursa_with_one_employee(dir.path());
    let mut harness = start(dir.path());
    harness.run();
    // The name field has the keyboard as the screen opens.
    harness.event(egui::Event::Text("şef".into()));
    harness.run();
    let name = harness.get_by_role_and_label(egui::accesskit::Role::TextInput, "Kullanıcı adı").value();
    assert_eq!(name.as_deref(), Some("şef"));
    sign_in(&mut harness, "şef", "yanlış-parola");
    // A refused attempt empties the password and gives it the keyboard; the name stays.
    let field = |h: &egui_kittest::Harness<'_, rainstaff::app::App>, role, label| {
        h.get_by_role_and_label(role, label).value().unwrap_or_default()
    };
    use egui::accesskit::Role::{PasswordInput, TextInput};
    assert_eq!(field(&harness, PasswordInput, "Parola").chars().count(), 0);
    harness.event(egui::Event::Text("ab".into()));
    harness.run();
    assert_eq!(field(&harness, PasswordInput, "Parola").chars().count(), 2);
    assert_eq!(field(&harness, TextInput, "Kullanıcı adı"), "şef");
    for _ in 1..5 {
        sign_in(&mut harness, "şef", "yanlış-parola");
    }
    let locked = |h: &egui_kittest::Harness<'_, rainstaff::app::App>| {
        h.query_all(By::new().label_contains("5 hatalı deneme: saat ")).next().is_some()
    };
    assert!(locked(&harness), "the fifth wrong password locks the name");
    drop(harness);

    let mut harness = start(dir.path());
    sign_in(&mut harness, "ŞEF", "parola-12345");
    assert!(
        harness.state().session.is_none() && locked(&harness),
        "the right password waits too, after a restart"
    );
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let count = |action: &str| {
        store.audit_entries(&Filter { action: Some(action.into()), ..Filter::default() }).unwrap().len()
    };
    assert_eq!((count("sign_in_failed"), count("locked_out")), (5, 1));
    drop(harness);

    // Five minutes later the lock is over.
    store
        .test_connection()
        .execute("UPDATE sign_in_failures SET locked_until = '2000-01-01T00:00:00.000Z'", [])
        .unwrap();
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    assert!(harness.state().session.is_some());
    assert_eq!(
        store
            .test_connection()
            .query_row("SELECT count(*) FROM sign_in_failures", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        0
    );
}

#[test]
fn accounts_take_a_password_twice_are_disabled_only_when_confirmed_and_the_last_administrator_stays() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = start(dir.path());
    first_admin(&mut harness);
    harness.get_by_label("Kullanıcılar").click();
    harness.run();
    fill(&mut harness, "Kullanıcı adı", "ayşe");
    fill(&mut harness, "Parola", "parola-12345");
    fill(&mut harness, "Parola (tekrar)", "parola-54321");
    harness.get_by_label("Kullanıcı ekle").click();
    harness.run();
    harness.get_by_label("Parola (tekrar): parolalar aynı değil");
    fill(&mut harness, "Parola (tekrar)", "parola-12345");
    harness.get_by_label("Kullanıcı ekle").click();
    settle(&mut harness);
    let store = || Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let account = |name: &str| store().users().unwrap().into_iter().find(|u| u.username == name).unwrap();
    assert_eq!(account("ayşe").role, Role::Staff);

    // Disabling asks first, naming the account; Cancel keeps it.
    harness.get_by_label("Hesabı devre dışı bırak…").click();
    harness.run();
    harness.get_by_label("«ayşe» hesabı devre dışı bırakılsın mı?");
    // The dialog's Cancel, drawn above the new-user form's.
    harness.query_all_by_label("Vazgeç").last().unwrap().click();
    harness.run();
    assert!(account("ayşe").active);
    harness.get_by_label("Hesabı devre dışı bırak…").click();
    harness.run();
    harness.get_by_label("Devre dışı bırak").click();
    settle(&mut harness);
    assert!(!account("ayşe").active);
    harness.get_by_label("Etkinleştir").click();
    settle(&mut harness);
    assert!(account("ayşe").active);

    // An administrator makes her a manager; the only administrator cannot stop being one.
    let rows = harness.query_all_by_label("Düzenle").collect::<Vec<_>>();
    let ayse_row = harness.get_by_label("ayşe").rect();
    rows.into_iter().find(|b| (b.rect().center().y - ayse_row.center().y).abs() < 8.0).unwrap().click();
    harness.run();
    harness.get_by_label("Hesap: ayşe");
    // The account's Role, under the new-user form's.
    let roles = harness.query_all_by_role_and_label(egui::accesskit::Role::ComboBox, "Rol");
    roles.max_by(|a, b| a.rect().top().total_cmp(&b.rect().top())).unwrap().click();
    harness.run();
    harness.get_by_label("Yönetici").click();
    harness.run();
    harness.get_by_label("Rolü ve bölgeyi kaydet").click();
    settle(&mut harness);
    assert_eq!(account("ayşe").role, Role::Manager);
    let admin = account("yönetici");
    let err = store().set_user_active(&account("ayşe"), admin.id, false).unwrap_err();
    assert!(err.to_string().contains("the last active administrator"), "{err}");
    let err = store().set_user_role(&admin, admin.id, Role::Manager, "Bursa").unwrap_err();
    assert!(err.to_string().contains("your own administrator account"), "{err}");
    assert!(harness.query_all_by_label("Hesabı devre dışı bırak…").count() == 1, "not one's own account");

    // Demoting oneself in the form is refused, and the screen says why.
    let rows = harness.query_all_by_label("Düzenle").collect::<Vec<_>>();
    let own_row = harness.get_by_label("yönetici").rect();
    rows.into_iter().find(|b| (b.rect().center().y - own_row.center().y).abs() < 8.0).unwrap().click();
    harness.run();
    let roles = harness.query_all_by_role_and_label(egui::accesskit::Role::ComboBox, "Rol");
    roles.max_by(|a, b| a.rect().top().total_cmp(&b.rect().top())).unwrap().click();
    harness.run();
    // The list names ayşe's role too; the choice is in the popup, drawn last.
    harness.query_all_by_label("Yönetici").last().unwrap().click();
    harness.run();
    harness.get_by_label("Rolü ve bölgeyi kaydet").click();
    settle(&mut harness);
    assert!(
        harness
            .query_all(
                By::new()
                    .label_contains("Kendi yönetici hesabınızı kapatamaz ya da yetkisini düşüremezsiniz")
            )
            .next()
            .is_some(),
        "the refusal is shown"
    );
    assert_eq!(account("yönetici").role, Role::Admin);
}

#[test]
fn a_delete_asks_first_and_undo_brings_the_same_record_back() {
    let dir = tempfile::tempdir().unwrap();
    let id = bursa_with_one_employee(dir.path());
    let store = || Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    employees_screen(&mut harness);
    let delete = |harness: &mut egui_kittest::Harness<'_, rainstaff::app::App>, confirm: &str| {
        harness.get_by_label("NURAY ÖZGÜL").click();
        harness.run();
        harness.get_by_label("Sil").click();
        harness.run();
        harness.get_by_label("Silinsin mi?");
        // The dialog's button, above the form's.
        harness.query_all_by_label(confirm).last().unwrap().click();
        settle(harness);
    };
    delete(&mut harness, "Vazgeç");
    assert!(store().employee(id).unwrap().is_some(), "Cancel keeps the record");

    delete(&mut harness, "Sil");
    assert!(store().employee(id).unwrap().is_none());
    harness.get_by_label("Silindi: NURAY ÖZGÜL");
    assert!(harness.query_by_label("Kaydedildi").is_none());
    harness.get_by_label("Geri al").click();
    settle(&mut harness);
    assert!(store().employee(id).unwrap().is_some(), "the same record, under its id");
    harness.get_by_label("Geri alındı: NURAY ÖZGÜL");
    let waiting = |sql: &str| store().test_connection().query_row(sql, [id], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(waiting("SELECT count(*) FROM outbox WHERE row_id = ?1 AND op = 'delete'"), 0);

    // Later in the session, from the list of deletes.
    delete(&mut harness, "Sil");
    harness.get_by_label("Silinenler").click();
    harness.run();
    assert!(harness.query_all(By::new().label_contains("Personel · NURAY ÖZGÜL (")).next().is_some());
    harness.query_all(By::new().label_contains("Personel · NURAY ÖZGÜL (")).next().unwrap().click();
    settle(&mut harness);
    assert!(store().employee(id).unwrap().is_some());

    // A delete the store refuses says so, and never "Kaydedildi".
    let mut s = store();
    let user = s.verify_login("şef", "parola-12345").unwrap().unwrap();
    let shift = rainstaff_core::model::Shift {
        employee_id: id.to_string(),
        work_date: "2026-03-02".into(),
        start_time: "08:00".into(),
        end_time: "12:00".into(),
        break_minutes: 0,
        special_day: false,
        note: None,
    };
    s.save_record(
        &user,
        &rainstaff_core::schema::TIMESHEETS,
        None,
        "Bursa",
        fields_of(&shift),
        SaveOptions::default(),
    )
    .unwrap();
    drop(s);
    harness.state_mut().employees.dirty = true;
    delete(&mut harness, "Sil");
    assert!(
        harness
            .query_all(By::new().label_contains("Silinmedi: Ad Soyad: vardiyası olan personel silinemez"))
            .next()
            .is_some()
    );
    assert!(store().employee(id).unwrap().is_some());
}

#[test]
fn a_new_shift_starts_with_the_regions_break() {
    let dir = tempfile::tempdir().unwrap();
    let id = bursa_with_one_employee(dir.path());
    Store::open(&dir.path().join("rainstaff.db"))
        .unwrap()
        .create_user("yönetici", Some("parola-12345"), Role::Admin, "ALL")
        .unwrap();
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    new_shift_form(&mut harness, id);
    let break_typed = |h: &egui_kittest::Harness<'_, rainstaff::app::App>| {
        h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Mola (dk)").value()
    };
    assert_eq!(break_typed(&harness).as_deref(), Some("60"), "the legacy app's hour unless changed");

    let mut harness = start(dir.path());
    sign_in(&mut harness, "yönetici", "parola-12345");
    harness.get_by_label("Ayarlar").click();
    harness.run();
    fill(&mut harness, "Bursa", "45");
    let bursa = harness.get_by_role_and_label(egui::accesskit::Role::TextInput, "Bursa").rect();
    let save =
        harness.query_all_by_label("Kaydet").find(|b| (b.rect().center().y - bursa.center().y).abs() < 8.0);
    save.unwrap().click();
    settle(&mut harness);

    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    new_shift_form(&mut harness, id);
    assert_eq!(break_typed(&harness).as_deref(), Some("45"));
}

#[test]
fn the_employee_picker_finds_by_typing_without_turkish_letters_and_names_namesakes_regions() {
    let dir = tempfile::tempdir().unwrap();
    bursa_with_one_employee(dir.path());
    let sukru = {
        let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
        let user = store.verify_login("şef", "parola-12345").unwrap().unwrap();
        let mut add = |name: &str| {
            let e = Employee { full_name: name.into(), ..Employee::default() };
            store
                .save_record(&user, &EMPLOYEES, None, "Bursa", fields_of(&e), SaveOptions::default())
                .unwrap()
        };
        add("NURAY ÖZGÜL");
        add("ŞÜKRÜ ÇELİK")
    };
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    harness.get_by_label("Puantaj").click();
    harness.run();
    harness.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Personel").click();
    harness.run();
    assert_eq!(harness.query_all_by_label("NURAY ÖZGÜL (Bursa)").count(), 2, "namesakes say their region");
    // The keyboard is in the search at once.
    harness.event(egui::Event::Text("sukru".into()));
    harness.run();
    assert!(harness.query_by_label("NURAY ÖZGÜL (Bursa)").is_none());
    harness.get_by_label("ŞÜKRÜ ÇELİK");
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert_eq!(harness.state().timesheets.employee, Some(sukru));
}

#[test]
fn copying_last_week_says_first_what_it_will_copy_and_skip() {
    let dir = tempfile::tempdir().unwrap();
    let id = bursa_with_one_employee(dir.path());
    let shift = |date: &str, start: &str, end: &str| rainstaff_core::model::Shift {
        employee_id: id.to_string(),
        work_date: date.into(),
        start_time: start.into(),
        end_time: end.into(),
        break_minutes: 30,
        special_day: false,
        note: None,
    };
    {
        let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
        let user = store.verify_login("şef", "parola-12345").unwrap().unwrap();
        // Last week (today is Wednesday 4 March 2026): Monday and Tuesday; this Tuesday is taken.
        for s in [
            shift("2026-02-23", "08:00", "16:00"),
            shift("2026-02-24", "08:00", "16:00"),
            shift("2026-03-03", "09:00", "12:00"),
        ] {
            store
                .save_record(
                    &user,
                    &rainstaff_core::schema::TIMESHEETS,
                    None,
                    "Bursa",
                    fields_of(&s),
                    SaveOptions::default(),
                )
                .unwrap();
        }
    }
    let count = || {
        let filter = rainstaff::db::queries::ShiftFilter { region: "Bursa".into(), ..Default::default() };
        Store::open(&dir.path().join("rainstaff.db")).unwrap().shifts(&filter).unwrap().len()
    };
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    harness.get_by_label("Puantaj").click();
    harness.run();
    harness.get_by_label("Geçen haftayı kopyala…").click();
    settle(&mut harness);
    harness.get_by_label("Bu haftaya 1 vardiya kopyalanacak, 1 vardiya atlanacak.");
    assert_eq!(count(), 3, "the preview writes nothing");
    harness.get_by_label("Kopyala").click();
    settle(&mut harness);
    assert_eq!(count(), 4);
    harness.get_by_label("1 vardiya kopyalandı · 1 atlandı (çakışan ya da pasif)");
}

#[test]
fn the_file_menu_imports_a_spreadsheet_after_a_preview_that_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    bursa_with_one_employee(dir.path());
    let csv = dir.path().join("personel.csv");
    std::fs::write(&csv, "Ad Soyad;T.C. Kimlik No\nŞÜKRÜ ÇELİK;10000000146\nYANLIŞ NO;12345678901\n")
        .unwrap();
    let names = || {
        let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
        store.employees("Bursa").unwrap().into_iter().map(|e| e.data.full_name).collect::<Vec<_>>()
    };
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    harness.get_by_label("Dosya").click();
    harness.run();
    harness.get_by_label("Excel ya da CSV'den içe aktar…").click();
    harness.run();
    harness.state_mut().sheet.path = csv.display().to_string();
    harness.run();
    harness.get_by_label("Önizle").click();
    settle(&mut harness);
    harness.get_by_label("Önizleme: 1 eklenecek, 0 güncellenecek, 0 aynı");
    harness.get_by_label("Satır 3 · T.C. Kimlik No: geçerli bir T.C. kimlik numarası değil (11 hane)");
    assert_eq!(names(), ["NURAY ÖZGÜL"], "the preview writes nothing");
    harness.get_by_label("İçe aktar").click();
    settle(&mut harness);
    harness.get_by_label("İçe aktarıldı: 1 eklendi, 0 güncellendi, 0 aynı");
    assert_eq!(names(), ["NURAY ÖZGÜL", "ŞÜKRÜ ÇELİK"]);
}

#[test]
fn a_person_picked_by_typing_leaves_the_keyboard_on_the_picker_for_tab_to_go_on() {
    let dir = tempfile::tempdir().unwrap();
    bursa_with_one_employee(dir.path());
    let mut harness = start(dir.path());
    sign_in(&mut harness, "şef", "parola-12345");
    harness.get_by_label("Puantaj").click();
    settle(&mut harness);
    // Ctrl+N opens a form for nobody yet: the picker has the keyboard; Enter opens it, typing
    // filters, Enter takes NURAY, and Tab goes on to the date.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    settle(&mut harness);
    assert!(common::focused(&harness, "Personel"));
    harness.key_press(egui::Key::Enter);
    settle(&mut harness);
    harness.event(egui::Event::Text("nur".into()));
    harness.run();
    harness.key_press(egui::Key::Enter);
    settle(&mut harness);
    assert!(common::focused(&harness, "Personel"), "the keyboard is back on the picker");
    harness.key_press(egui::Key::Tab);
    settle(&mut harness);
    assert!(common::focused(&harness, "Tarih"));
}
