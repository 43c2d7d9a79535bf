//! `rainstaff export puantaj` as a process, on a real store in a temporary folder: it writes the
//! month's puantaj cetveli as a workbook calamine reads back, records the export in the audit
//! trail, and refuses a bad month, region or output path naming the option, writing nothing.

use std::path::Path;
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use rainstaff::db::Store;
use rainstaff::db::audit::Filter;
use rainstaff::db::edits::SaveOptions;
use rainstaff::db::users::{Role, User};
use rainstaff_core::leave::Leave;
use rainstaff_core::model::{Employee, Shift, fields_of};
use rainstaff_core::schema::{EMPLOYEES, LEAVES, TIMESHEETS};

const WORKER: &str = "ÇAĞLA IŞIK";
const NEWCOMER: &str = "DENİZ AK";

fn rainstaff(data: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rainstaff"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into())
}

fn store(data: &Path) -> Store {
    Store::open(&data.join("rainstaff.db")).unwrap()
}

fn save(
    store: &mut Store,
    user: &User,
    table: &'static rainstaff_core::schema::TableSpec,
    fields: impl serde::Serialize,
) -> uuid::Uuid {
    store.save_record(user, table, None, &user.region, fields_of(&fields), SaveOptions::default()).unwrap()
}

/// April 2026 in İzmir: Çağla works Monday to Friday 08:00–16:30 but is absent on Tuesday the
/// 14th (which costs Sunday the 19th too); Deniz is hired on the 16th and works from then on.
/// Nobody works 23 April, a public holiday.
fn april_store(data: &Path) {
    let mut store = store(data);
    let user = store.create_user("müdür", Some("parola-12345"), Role::Manager, "Izmir").unwrap();
    let worker =
        Employee { full_name: WORKER.into(), identity_no: Some("10000000146".into()), ..Employee::default() };
    let worker = save(&mut store, &user, &EMPLOYEES, worker);
    let newcomer =
        Employee { full_name: NEWCOMER.into(), hire_date: Some("2026-04-16".into()), ..Employee::default() };
    let newcomer = save(&mut store, &user, &EMPLOYEES, newcomer);
    let absence = Leave {
        employee_id: worker.to_string(),
        first_day: "2026-04-14".into(),
        last_day: "2026-04-14".into(),
        kind: "absent".into(),
        sgk_code: None,
        note: None,
        entered_by: "müdür".into(),
        approved_by: None,
    };
    save(&mut store, &user, &LEAVES, absence);
    // 1 April 2026 is a Wednesday: weekdays are those whose offset from Monday 30 March is < 5.
    let weekdays = (1..=30).filter(|d| (d + 1) % 7 < 5 && *d != 23);
    for day in weekdays {
        for (who, from) in [(worker, 1), (newcomer, 16)] {
            if day < from || (who == worker && day == 14) {
                continue;
            }
            let shift = Shift {
                employee_id: who.to_string(),
                work_date: format!("2026-04-{day:02}"),
                start_time: "08:00".into(),
                end_time: "16:30".into(),
                break_minutes: 0,
                special_day: false,
                note: None,
            };
            save(&mut store, &user, &TIMESHEETS, shift);
        }
    }
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("expected text, found {other:?}"),
    }
}

#[test]
fn export_puantaj_writes_the_grid_and_logs_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    april_store(data);
    let out = data.join("nisan.xlsx");
    let args =
        ["export", "puantaj", "--month", "2026-04", "--region", "izmir", "--out", out.to_str().unwrap()];
    let (ok, stderr) = rainstaff(data, &args);
    assert!(ok, "{stderr}");

    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    assert_eq!(book.sheet_names(), ["Puantaj"], "the grid alone");
    let sheet = book.worksheet_range("Puantaj").unwrap();
    let cell = |r: usize, c: usize| sheet.get((r, c)).cloned().unwrap_or(Data::Empty);
    assert!(text(&cell(0, 0)).contains("Puantaj cetveli — Nisan 2026"), "{:?}", cell(0, 0));
    assert_eq!(text(&cell(1, 0)), "Bölge: İzmir");
    let header: Vec<String> = (0..sheet.width()).map(|c| text(&cell(2, c))).collect();
    let at = |label: &str| header.iter().position(|h| h == label).unwrap_or_else(|| panic!("no {label}"));
    // Day d is in column d + 1, after name and T.C. number.
    assert_eq!(header[2], "1\nÇar");

    let worker = 3;
    assert_eq!([text(&cell(worker, 0)), text(&cell(worker, 1))], [WORKER, "10000000146"]);
    let days: Vec<String> = (1..=30).map(|d| text(&cell(worker, d + 1))).collect();
    assert_eq!(days[0], "Ç 7,5");
    assert_eq!([days[13].as_str(), days[18].as_str(), days[22].as_str()], ["D", "HT", "RT"]);
    let number = |r: usize, label: &str| match cell(r, at(label)) {
        Data::Float(f) => f,
        other => panic!("{label}: {other:?}"),
    };
    assert_eq!([number(worker, "Prim günü"), number(worker, "Eksik gün")], [28.0, 2.0]);
    assert_eq!(text(&cell(worker, at("Eksik gün nedeni"))), "15", "the absence and its Sunday");

    let newcomer = 4;
    assert_eq!(text(&cell(newcomer, 0)), NEWCOMER);
    assert!((1..=15).all(|d| text(&cell(newcomer, d + 1)) == "-"), "not yet hired");
    assert_eq!(text(&cell(newcomer, 17)), "Ç 7,5", "the 16th");
    assert_eq!(number(newcomer, "Prim günü"), 15.0);

    let entries = store(data).audit_entries(&Filter::default()).unwrap();
    let written = out.display().to_string();
    assert!(
        entries.iter().any(|e| e.action == "export" && e.record.as_deref() == Some(written.as_str())),
        "the export is in the audit trail"
    );
}

#[test]
fn bad_arguments_fail_naming_the_option() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    april_store(data);
    let out = data.join("x.xlsx");
    let out = out.to_str().unwrap();
    let missing_folder = data.join("yok").join("x.xlsx");
    let cases: [(&[&str], &str); 6] = [
        (&["--month", "2026-13", "--out", out], "--month"),
        (&["--month", "nisan", "--out", out], "--month"),
        (&["--month", "2026-04", "--region", "Ankra", "--out", out], "--region"),
        (&["--month", "2026-04", "--out", missing_folder.to_str().unwrap()], "--out"),
        (&["--month", "2026-04", "--out", &out.replace(".xlsx", ".csv")], "--out"),
        (&["--month", "2026-04", "--out", out, "--lang", "de"], "--lang"),
    ];
    for (args, option) in cases {
        let mut all = vec!["export", "puantaj"];
        all.extend(args);
        let (ok, stderr) = rainstaff(data, &all);
        assert!(!ok, "{args:?} succeeded");
        assert!(stderr.contains(option), "{args:?}: {stderr}");
    }
    assert!(
        !Path::new(out).exists() && !Path::new(&out.replace(".xlsx", ".csv")).exists(),
        "nothing written"
    );
}
