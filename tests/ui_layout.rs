//! Every screen at the smallest window offices use (1024×700, the legacy app's) and on a wide
//! one (1920×1080): the list beside an open form never runs under the form, and what is needed
//! to finish the job (the form's buttons, the totals) lies inside the window.

mod common;

use common::{settle, sign_in, start_sized};
use egui::Rect;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use rainstaff::app::App;
use rainstaff::db::Store;
use rainstaff::db::edits::SaveOptions;
use rainstaff::db::users::Role;
use rainstaff::ui::record::registry::SCREENS;
use rainstaff_core::model::{Employee, Shift, fields_of};
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::schema::{EMPLOYEES, TIMESHEETS};

const SIZES: [egui::Vec2; 2] = [egui::vec2(1024.0, 700.0), egui::vec2(1920.0, 1080.0)];

/// Every widget named `label` (a tab and a heading may share it; there is at least one) lies
/// fully inside the window.
fn inside(harness: &Harness<'_, App>, label: &str, size: egui::Vec2) {
    let rects: Vec<Rect> = harness.query_all_by_label(label).map(|n| n.rect()).collect();
    assert!(!rects.is_empty(), "{size:?}: no {label}");
    for r in rects {
        assert!(
            Rect::from_min_size(egui::Pos2::ZERO, size).contains_rect(r),
            "{label} {r:?} is outside {size:?}"
        );
    }
}

/// A Bursa office with its manager "şef", an employee with a long name and a shift of hers.
fn office(dir: &std::path::Path) -> uuid::Uuid {
    let mut store = Store::open(&dir.join("rainstaff.db")).unwrap();
    let user = store.create_user("şef", Some("parola-12345"), Role::Manager, "Bursa").unwrap();
    let e = Employee {
        full_name: "MEHMET ALİ ŞAHİNOĞLU".into(),
        department: Some("TEKNİK SERVİS".into()),
        title: Some("KIDEMLİ TEKNİSYEN".into()),
        ..Employee::default()
    };
    let id =
        store.save_record(&user, &EMPLOYEES, None, "Bursa", fields_of(&e), SaveOptions::default()).unwrap();
    let s = Shift {
        employee_id: id.to_string(),
        work_date: "2026-03-02".into(),
        start_time: "08:00".into(),
        end_time: "17:00".into(),
        break_minutes: 60,
        special_day: false,
        note: Some("sayım".into()),
    };
    store.save_record(&user, &TIMESHEETS, None, "Bursa", fields_of(&s), SaveOptions::default()).unwrap();
    id
}

/// The painted text of the last frame, each cut to where it shows (its clip rectangle).
fn painted(harness: &Harness<'_, App>) -> Vec<(String, Rect)> {
    let shapes = &harness.output().shapes;
    shapes
        .iter()
        .filter_map(|clipped| match &clipped.shape {
            egui::Shape::Text(text) => {
                let shown = text.visual_bounding_rect().intersect(clipped.clip_rect);
                (shown.is_positive()).then(|| (text.galley.text().to_string(), shown))
            }
            _ => None,
        })
        .collect()
}

/// The open form's heading `label`, below a button of the same words in the screen's top row.
fn heading(harness: &Harness<'_, App>, label: &str) -> Rect {
    let headings = harness.query_all_by_label(label).map(|n| n.rect());
    headings.max_by(|a, b| a.top().total_cmp(&b.top())).expect("the form's heading")
}

/// No text of the list's header row shows where the form is: `header` names the list's first
/// column, `form` the form's heading.
fn list_stays_beside_the_form(harness: &Harness<'_, App>, header: &str, form: &str, size: egui::Vec2) {
    // The list's, left of a form field of the same name.
    let headers = harness.query_all_by_label(header).map(|n| n.rect());
    let row = headers.min_by(|a, b| a.left().total_cmp(&b.left())).expect("the list's header");
    let form = heading(harness, form);
    let under_the_form: Vec<_> = painted(harness)
        .into_iter()
        .filter(|(_, r)| r.center().y > row.top() && r.center().y < row.bottom())
        .filter(|(text, r)| r.right() > form.left() - 2.0 && !form.contains(r.center()) && text != header)
        .collect();
    assert!(
        under_the_form.is_empty(),
        "{size:?}: the list's header shows under the form: {under_the_form:?}"
    );
    // Nor does any cell below it run across the form's edge onto its labels and fields (the
    // form's own text starts a margin left of its heading).
    let across: Vec<_> = painted(harness)
        .into_iter()
        .filter(|(text, _)| !text.trim().is_empty())
        .filter(|(_, r)| r.top() >= row.top() && r.left() < form.left() - 20.0 && r.right() > form.left())
        .collect();
    assert!(across.is_empty(), "{size:?}: list text runs across the form's edge: {across:?}");
}

#[test]
fn lists_beside_an_open_form_stay_clear_of_it_at_1024x700_and_1920x1080() {
    let dir = tempfile::tempdir().unwrap();
    let id = office(dir.path());
    for size in SIZES {
        let mut harness = start_sized(dir.path(), size);
        sign_in(&mut harness, "şef", "parola-12345");
        common::employees_screen(&mut harness);
        harness.get_by_label("MEHMET ALİ ŞAHİNOĞLU").click();
        settle(&mut harness);
        list_stays_beside_the_form(&harness, "Ad Soyad (A-Z)", "Personeli düzenle", size);
        for label in ["MEHMET ALİ ŞAHİNOĞLU", "Kaydet", "Sil", "Haftalık çalışma süresi"] {
            inside(&harness, label, size);
        }

        harness.get_by_label("Puantaj").click();
        harness.run();
        harness.state_mut().timesheets.employee = Some(id);
        harness.state_mut().timesheets.dirty = true;
        harness.get_by_label("Yeni vardiya").click();
        settle(&mut harness);
        list_stays_beside_the_form(&harness, "Hesap notu", "Yeni vardiya", size);
        for label in ["Kaydet", "Mola (dk)", "Çalışma"] {
            assert!(harness.query_all_by_label(label).count() > 0, "{label}");
        }
        // The list's first row, and the form's button, beside each other.
        inside(&harness, "02.03.2026", size);
        inside(&harness, "Kaydet", size);
        // The totals under the list get a good part of the height, not a strip.
        let totals = harness.query_all_by_label("Hafta").map(|n| n.rect()).find(|r| r.top() > size.y * 0.3);
        let totals = totals.expect("the totals panel");
        assert!(size.y - totals.top() > size.y * 0.3, "{size:?}: the totals start at {totals:?}");

        // The week grid: the whole week, its totals and its longest cells in the window.
        tab(&mut harness, "Haftalık giriş");
        for label in ["Paz 08.03", "Toplam", "Günlük toplam", "Tümünü kaydet"] {
            inside(&harness, label, size);
        }
        let cell = harness
            .query_all_by_role(egui::accesskit::Role::TextInput)
            .find(|n| n.value().as_deref() == Some("08:00-17:00"))
            .map(|n| n.rect())
            .expect("Monday's shift in its cell");
        assert!(cell.width() >= 100.0, "{size:?}: a cell is squeezed to {cell:?}");
        assert!(Rect::from_min_size(egui::Pos2::ZERO, size).contains_rect(cell), "{size:?}: {cell:?}");

        harness.get_by_label("Araçlar").click();
        harness.run();
        harness.get_by_label("Yeni araç").click();
        harness.run();
        inside(&harness, "Kaydet", size);
    }
}

/// Opens the toolbar's tab `label` (a form's field or a list's header may share its name).
fn tab(harness: &mut Harness<'_, App>, label: &str) {
    let tabs = harness.query_all_by_label(label).filter(|n| n.rect().top() < 80.0);
    tabs.min_by(|a, b| a.rect().top().total_cmp(&b.rect().top())).expect("the tab").click();
    settle(harness);
}

/// Every text field right of `left` (the open form's) is wide enough to read what it holds.
fn fields_have_room(harness: &Harness<'_, App>, left: f32, size: egui::Vec2) {
    let fields: Vec<Rect> = harness
        .query_all_by_role(egui::accesskit::Role::TextInput)
        .map(|n| n.rect())
        .filter(|r| r.left() >= left)
        .collect();
    assert!(!fields.is_empty(), "{size:?}: the form has no text field");
    for r in fields {
        // A date's field is 100 px by design, beside its calendar button.
        assert!(r.width() >= 100.0, "{size:?}: a form field is squeezed to {r:?}");
    }
}

/// Every screen an administrator opens, at both sizes: the form beside each fleet list keeps
/// clear of it with room in its fields, and each screen's heading and the buttons that finish
/// its job lie inside the window.
#[test]
fn every_screen_fits_at_1024x700_and_1920x1080() {
    let dir = tempfile::tempdir().unwrap();
    office(dir.path());
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    store.create_user("yönetici", Some("parola-12345"), Role::Admin, ALL_REGIONS).unwrap();
    drop(store);
    for size in SIZES {
        let mut harness = start_sized(dir.path(), size);
        harness.run();
        for label in ["Kullanıcı adı", "Parola", "Giriş"] {
            inside(&harness, label, size);
        }
        sign_in(&mut harness, "yönetici", "parola-12345");
        inside(&harness, "Özet", size);

        for screen in SCREENS {
            tab(&mut harness, screen.tab.tr);
            harness.get_by_label(screen.new.tr).click();
            settle(&mut harness);
            let first = screen.table.list[0];
            let header = screen.table.field(first).expect("a listed field").label.tr;
            list_stays_beside_the_form(&harness, header, screen.new.tr, size);
            inside(&harness, "Kaydet", size);
            inside(&harness, "Vazgeç", size);
            fields_have_room(&harness, heading(&harness, screen.new.tr).left(), size);
            harness.get_by_label("Vazgeç").click();
            harness.run();
        }

        tab(&mut harness, "Tatiller");
        for label in ["Tatil takvimi", "Ekle"] {
            inside(&harness, label, size);
        }
        tab(&mut harness, "Raporlar");
        for label in ["Dosya yolu", "Raporu oluştur"] {
            inside(&harness, label, size);
        }
        tab(&mut harness, "Ay sonu");
        inside(&harness, "Ay sonu", size);
        tab(&mut harness, "Kayıtlar");
        inside(&harness, "Kayıtlar", size);

        tab(&mut harness, "Kullanıcılar");
        inside(&harness, "Kullanıcı ekle", size);
        // Each account's buttons stay on its own row, beside its name.
        let edits: Vec<Rect> = harness.query_all_by_label("Düzenle").map(|n| n.rect()).collect();
        let disables: Vec<Rect> =
            harness.query_all_by_label("Hesabı devre dışı bırak…").map(|n| n.rect()).collect();
        assert!(!disables.is_empty(), "{size:?}: another account to disable");
        for d in &disables {
            assert!(
                edits.iter().any(|e| (e.center().y - d.center().y).abs() < 2.0),
                "{size:?}: a disable button {d:?} is not beside an edit button: {edits:?}"
            );
        }

        tab(&mut harness, "Ayarlar");
        inside(&harness, "Ayarlar", size);
        harness.get_by_label("Listeyi aç").click();
        settle(&mut harness);
        inside(&harness, "Reddedilen değişiklikler", size);

        let import = &mut harness.state_mut().import;
        import.open = true;
        import.path = Some(common::samples().join("F1_v4_s4.db"));
        import.region = Some(ALL_REGIONS.to_string());
        harness.run();
        harness.get_by_label("Önizle").click();
        settle(&mut harness);
        inside(&harness, "Onayla ve içe aktar", size);
    }
}
