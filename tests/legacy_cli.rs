//! The legacy files through the real binary: `import-legacy` then `export timesheets`, read back
//! with a real CSV reader and checked against the office's own numbers (oracle.json).

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use rainstaff::db::Store;
use rainstaff_core::schema::TIMESHEETS;

fn rainstaff(data: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rainstaff"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// Imports a sample on a PC not enrolled yet, as the office's (Ankara's) data.
fn import(data: &Path, file: &str) -> serde_json::Value {
    let path = common::samples().join(file);
    let (ok, stdout, stderr) =
        rainstaff(data, &["import-legacy", path.to_str().unwrap(), "--region", "Ankara"]);
    assert!(ok, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

#[test]
fn importing_in_any_order_and_twice_matches_the_oracle_to_the_minute() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    import(data, "F3_v4_s3.db");
    import(data, "F1_v4_s4.db");
    let again = import(data, "F1_v4_s4.db");
    assert_eq!(again["imported"], serde_json::json!({}), "{again}");
    assert_eq!(again["variant"], "V4");

    // Timesheet 107 was deleted in F1 and stays deleted though F3 still had it.
    // Before enrollment the ids come from a namespace of this PC's own.
    let store = Store::open(&data.join("rainstaff.db")).unwrap();
    let namespace = store.local_id_namespaces().unwrap()["Ankara"];
    let ts107 = rainstaff_core::ids::legacy_id(namespace, "timesheets", 107);
    let row = rainstaff::db::rows::get(store.test_connection(), &TIMESHEETS, ts107).unwrap().unwrap();
    assert!(row.deleted);
    drop(store);
    import(data, "F3_v4_s3.db");
    let store = Store::open(&data.join("rainstaff.db")).unwrap();
    assert!(rainstaff::db::rows::get(store.test_connection(), &TIMESHEETS, ts107).unwrap().unwrap().deleted);
    drop(store);

    let csv_path = data.join("out.csv");
    let (ok, _, stderr) = rainstaff(
        data,
        &[
            "export",
            "timesheets",
            "--from",
            "01.01.2026",
            "--to",
            "2026-01-31",
            "--format",
            "csv",
            "--out",
            csv_path.to_str().unwrap(),
        ],
    );
    assert!(ok, "{stderr}");
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for h in ["employee", "region", "date", "start", "end", "break_minutes", "worked_minutes", "note"] {
        assert!(headers.iter().any(|x| x == h), "missing column {h}");
    }
    let mut minutes: BTreeMap<String, i64> = BTreeMap::new();
    let mut rows: BTreeMap<String, i64> = BTreeMap::new();
    for record in reader.deserialize::<BTreeMap<String, String>>() {
        let record = record.unwrap();
        *minutes.entry(record["employee"].clone()).or_default() +=
            record["worked_minutes"].parse::<i64>().unwrap();
        *rows.entry(record["employee"].clone()).or_default() += 1;
    }

    let oracle = common::f1_oracle();
    for (name, (expected_minutes, expected_rows)) in &oracle {
        assert_eq!(minutes.get(name), Some(expected_minutes), "minutes of {name}");
        assert_eq!(rows.get(name), Some(expected_rows), "rows of {name}");
    }
    assert_eq!(minutes.values().sum::<i64>(), oracle.values().map(|(m, _)| m).sum::<i64>());
}

#[test]
fn a_pc_not_enrolled_must_name_the_region_and_a_dry_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::samples().join("F6_v1_s1.db");
    let file = path.to_str().unwrap();
    let (ok, _, stderr) = rainstaff(dir.path(), &["import-legacy", file]);
    assert!(!ok);
    assert!(
        stderr.contains("region: this PC is not enrolled yet") && stderr.contains("--region"),
        "{stderr}"
    );

    let (ok, stdout, stderr) =
        rainstaff(dir.path(), &["import-legacy", file, "--region", "izmir", "--dry-run"]);
    assert!(ok, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!((&report["region"], &report["imported"]["timesheets"]), (&"Izmir".into(), &37.into()));
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    assert!(store.employees("ALL").unwrap().is_empty());
    assert!(store.local_id_namespaces().unwrap().is_empty(), "a dry run keeps no namespace");
    drop(store);

    // A V1 file has no regions: every row is the region named.
    let (ok, _, stderr) = rainstaff(dir.path(), &["import-legacy", file, "--region", "İzmir"]);
    assert!(ok, "{stderr}");
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let regions: Vec<String> = store.employees("ALL").unwrap().into_iter().map(|e| e.region).collect();
    assert_eq!(regions, vec!["Izmir"; 5]);
    assert_eq!(store.local_id_namespaces().unwrap().keys().collect::<Vec<_>>(), ["Izmir"]);
}

#[test]
fn unreadable_files_fail_with_the_file_named_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "bu bir veritabanı değil").unwrap();
    let (ok, _, stderr) =
        rainstaff(dir.path(), &["import-legacy", text.to_str().unwrap(), "--region", "ALL"]);
    assert!(!ok);
    assert!(stderr.contains("notes.db"), "{stderr}");
    let full = std::fs::read(common::samples().join("F1_v4_s4.db")).unwrap();
    let truncated = dir.path().join("truncated.db");
    std::fs::write(&truncated, &full[..full.len() / 3]).unwrap();
    let (ok, _, stderr) =
        rainstaff(dir.path(), &["import-legacy", truncated.to_str().unwrap(), "--region", "ALL"]);
    assert!(!ok);
    assert!(stderr.contains("truncated.db"), "{stderr}");
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    assert_eq!(store.pending_count().unwrap(), 0);
    let (ok, _, stderr) = rainstaff(
        dir.path(),
        &["export", "timesheets", "--from", "32.01.2026", "--to", "01.02.2026", "--out", "x.csv"],
    );
    assert!(!ok && stderr.contains("--from"), "{stderr}");
}

#[test]
fn the_audit_command_prints_what_the_import_and_the_export_did_as_json_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    import(data, "F3_v4_s3.db");
    let out = data.join("shifts.csv");
    let (ok, _, stderr) = rainstaff(
        data,
        &[
            "export",
            "timesheets",
            "--from",
            "01.01.2020",
            "--to",
            "31.12.2030",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(ok, "{stderr}");

    let (ok, stdout, stderr) = rainstaff(data, &["audit", "--format", "json"]);
    assert!(ok, "{stderr}");
    let entries: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["import", "export"], "oldest first: {stdout}");
    assert!(entries[0]["username"].as_str().unwrap().starts_with("cli"), "{stdout}");
    assert!(entries[0]["record"].as_str().unwrap().ends_with("F3_v4_s3.db"), "{stdout}");
    assert_eq!(entries[1]["region"], "ALL", "an export of every region is nobody's region's: {stdout}");

    let (ok, stdout, stderr) = rainstaff(data, &["audit", "--format", "csv", "--from", "2020-01-01"]);
    assert!(ok, "{stderr}");
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..5], ["at", "username", "device", "region", "action"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.iter().map(|r| r[4].to_string()).collect::<Vec<_>>(), ["import", "export"]);

    // Days the trail has nothing on, and days that are not days.
    let (ok, stdout, _) = rainstaff(data, &["audit", "--to", "01.01.2020"]);
    assert!(ok && stdout.trim() == "[]", "{stdout}");
    let (ok, _, stderr) = rainstaff(data, &["audit", "--from", "32.01.2026"]);
    assert!(!ok && stderr.contains("--from: \"32.01.2026\""), "{stderr}");
    let (ok, _, stderr) = rainstaff(data, &["audit", "--from", "02.01.2026", "--to", "01.01.2026"]);
    assert!(!ok && stderr.contains("--to: must not be before --from"), "{stderr}");
}

#[test]
fn the_offices_spreadsheets_come_in_with_every_bad_row_named_and_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    // Turkish Excel's CSV: a BOM, ";" and headers with or without Turkish letters.
    let csv = data.join("personel.csv");
    std::fs::write(
        &csv,
        "\u{feff}Ad Soyad;T.C. Kimlik No;Departman;İşe Giriş\n\
         İpek Çağlar;;Depo;02.03.2026\n\
         ŞÜKRÜ ÇELİK;10000000146;Sevkiyat;\n\
         YANLIŞ NO;12345678901;;\n",
    )
    .unwrap();
    let employees = |dry: bool| {
        let mut args = vec!["import", "employees", csv.to_str().unwrap(), "--region", "Bursa"];
        if dry {
            args.push("--dry-run");
        }
        let (ok, stdout, stderr) = rainstaff(data, &args);
        assert!(ok, "{stderr}");
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap()
    };
    let preview = employees(true);
    assert_eq!(preview["added"], 2, "{preview}");
    assert!(
        Store::open(&data.join("rainstaff.db")).unwrap().employees("Bursa").unwrap().is_empty(),
        "a dry run writes nothing"
    );
    let report = employees(false);
    assert_eq!((report["added"].as_u64(), report["updated"].as_u64()), (Some(2), Some(0)), "{report}");
    assert_eq!(report["errors"][0]["row"], 4, "{report}");
    assert_eq!(report["errors"][0]["field"], "T.C. Kimlik No", "{report}");
    let again = employees(false);
    assert_eq!((again["added"].as_u64(), again["unchanged"].as_u64()), (Some(0), Some(2)), "{again}");

    // An XLSX of shifts: names without Turkish letters, times as typed, a real date cell.
    let xlsx = data.join("puantaj.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd.mm.yyyy");
    for (col, header) in ["Personel", "Tarih", "Giriş Saati", "Çıkış", "Mola (dk)"].iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    let rows = [
        ("Ipek Caglar", "8.30", "1800", "45"),
        ("ŞÜKRÜ ÇELİK", "9", "17", ""),
        ("ipek çağlar", "17", "19", "0"),
    ];
    let serial = (chrono::NaiveDate::from_ymd_opt(2026, 3, 4).unwrap()
        - chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap())
    .num_days() as f64;
    for (i, (who, from, to, brk)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, *who).unwrap();
        sheet.write_number_with_format(r, 1, serial, &date).unwrap();
        sheet.write_string(r, 2, *from).unwrap();
        sheet.write_string(r, 3, *to).unwrap();
        sheet.write_string(r, 4, *brk).unwrap();
    }
    book.save(&xlsx).unwrap();
    let shifts = || {
        let (ok, stdout, stderr) = rainstaff(
            data,
            &["import", "timesheets", xlsx.to_str().unwrap(), "--region", "Bursa", "--lang", "en"],
        );
        assert!(ok, "{stderr}");
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap()
    };
    let report = shifts();
    assert_eq!(report["added"], 2, "{report}");
    // İpek's evening overlaps her day: that row is named, the others land.
    assert_eq!(report["errors"][0]["row"], 4, "{report}");
    assert_eq!(report["errors"][0]["field"], "Start", "{report}");
    let store = Store::open(&data.join("rainstaff.db")).unwrap();
    let filter = rainstaff::db::queries::ShiftFilter { region: "Bursa".into(), ..Default::default() };
    let mut typed: Vec<_> = store
        .shifts(&filter)
        .unwrap()
        .iter()
        .map(|s| {
            (
                s.data.work_date.clone(),
                s.data.start_time.clone(),
                s.data.end_time.clone(),
                s.data.break_minutes,
            )
        })
        .collect();
    typed.sort();
    assert_eq!(
        typed,
        [
            ("2026-03-04".to_string(), "08:30".to_string(), "18:00".to_string(), 45),
            ("2026-03-04".to_string(), "09:00".to_string(), "17:00".to_string(), 60),
        ],
        "an empty break is the region's"
    );
    assert_eq!(shifts()["added"], 0, "the same file again adds nothing");

    // A file whose header names no date column says so and writes nothing.
    let bad = data.join("bad.csv");
    std::fs::write(&bad, "Ad Soyad,Giriş,Çıkış\nİpek Çağlar,8,17\n").unwrap();
    let (ok, _, stderr) =
        rainstaff(data, &["import", "timesheets", bad.to_str().unwrap(), "--region", "Bursa"]);
    assert!(!ok && stderr.contains("no column for Tarih"), "{stderr}");
}
