//! The rules of applying an import, against an in-memory store: repeatable, never resurrecting a
//! deleted row whatever the order of files, dry runs that write nothing, no legacy password.

use std::collections::BTreeSet;

use rainstaff_legacy::{ImportReport, apply, dry_run};
use rusqlite::{Connection, OpenFlags};

use crate::common::{Memory, SAMPLES, id, read, sample};

fn import_into(memory: &mut Memory, file: &str) -> ImportReport {
    let import = read(&sample(file), "ALL");
    let Ok(report) = apply(&import, memory);
    report
}

#[test]
fn importing_twice_changes_nothing() {
    for (name, _) in SAMPLES {
        let mut memory = Memory::default();
        let first = import_into(&mut memory, name);
        assert!(!first.imported.is_empty(), "{name}");
        let after_first = memory.clone();

        let second = import_into(&mut memory, name);
        assert!(second.imported.is_empty(), "{name}: {:?}", second.imported);
        assert_eq!(second.unchanged, first.imported, "{name}");
        assert_eq!(second.skipped, first.skipped, "{name}");
        assert_eq!(memory, after_first, "{name}: the second import wrote");
    }
}

#[test]
fn report_serializes_to_the_agreed_shape() {
    let mut memory = Memory::default();
    let report = import_into(&mut memory, "F1_v4_s4.db");
    let json = serde_json::to_value(&report).unwrap();
    let keys: BTreeSet<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    let agreed = [
        "imported",
        "left_out",
        "not_imported",
        "region",
        "regions",
        "skipped",
        "unchanged",
        "variant",
        "warnings",
    ];
    assert_eq!(keys, BTreeSet::from(agreed));
    assert!(json["warnings"].is_array());
    assert_eq!(json["variant"], "V4");
    assert_eq!(json["region"], "ALL");
    assert_eq!(json["left_out"], serde_json::json!({}));
    assert_eq!(json["regions"]["Ankara"]["imported"]["timesheets"], 76);
    assert_eq!(json["imported"]["timesheets"], 76);
    assert_eq!(json["imported"]["employees"], 9);
    assert_eq!(json["imported"]["users"], 5);
    assert_eq!(json["imported"]["settings"], 1);
}

#[test]
fn a_deleted_timesheet_stays_deleted_in_either_order() {
    let ts107 = id("Ankara", "timesheets", 107);

    let mut newer_last = Memory::default();
    let f3 = import_into(&mut newer_last, "F3_v4_s3.db");
    assert_eq!(f3.imported["timesheets"], 77);
    assert!(!newer_last.row("timesheets", ts107).unwrap().deleted);
    import_into(&mut newer_last, "F1_v4_s4.db");
    assert!(newer_last.row("timesheets", ts107).unwrap().deleted);

    let mut older_last = Memory::default();
    import_into(&mut older_last, "F1_v4_s4.db");
    assert!(older_last.row("timesheets", ts107).unwrap().deleted, "the tombstone is recorded");
    let f3 = import_into(&mut older_last, "F3_v4_s3.db");
    assert!(older_last.row("timesheets", ts107).unwrap().deleted);
    assert_eq!(f3.skipped["timesheets"], 1);
    assert!(
        f3.warnings
            .iter()
            .map(ToString::to_string)
            .any(|w| w.contains("timesheets #107") && w.contains("deleted"))
    );

    for memory in [&newer_last, &older_last] {
        assert_eq!(memory.live("timesheets"), 76);
        assert_eq!(memory.live("employees"), 9);
    }
    assert_eq!(newer_last.rows, older_last.rows, "both orders end in the same state");
}

#[test]
fn dry_run_reports_without_writing() {
    let import = read(&sample("F3_v4_s3.db"), "ALL");
    let mut memory = Memory::default();
    let Ok(planned) = dry_run(&import, &mut memory);
    assert_eq!(memory, Memory::default());
    let Ok(applied) = apply(&import, &mut memory);
    assert_eq!(planned, applied);
}

#[test]
fn users_must_set_a_new_password_and_no_legacy_hash_survives() {
    for (name, _) in SAMPLES {
        let path = sample(name);
        let uri = format!("file:{}?mode=ro&immutable=1", path.display());
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(uri, flags).unwrap();
        let Ok(mut stmt) = conn.prepare("SELECT password_hash FROM users") else {
            continue; // V1 has no accounts
        };
        let secrets: Vec<String> =
            stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
        assert!(!secrets.is_empty());

        let import = read(&path, "ALL");
        let mut memory = Memory::default();
        let Ok(report) = apply(&import, &mut memory);
        let everything = format!(
            "{import:?}{}{report:?}{}{memory:?}",
            serde_json::to_string(&import).unwrap(),
            serde_json::to_string(&report).unwrap()
        );
        for secret in &secrets {
            assert!(!everything.contains(secret.as_str()), "{name}: a legacy password survived");
        }
        assert_eq!(memory.users.len(), secrets.len(), "{name}");
    }

    let import = read(&sample("F2_v3_s2.db"), "ALL");
    let roles: Vec<(&str, &str, &str)> =
        import.users.iter().map(|u| (u.username.as_str(), u.role.code(), u.region.as_str())).collect();
    assert!(roles.contains(&("admin", "admin", "ALL")));
    assert!(roles.contains(&("izmir1", "staff", "Izmir")));
}

#[test]
fn existing_accounts_and_company_name_are_not_overwritten() {
    let mut memory = Memory { company_name: Some("Rainwater A.Ş.".to_string()), ..Memory::default() };
    import_into(&mut memory, "F6_v1_s1.db");
    import_into(&mut memory, "F9_v2_s1.db");
    let report = import_into(&mut memory, "F2_v3_s2.db");
    assert_eq!(memory.company_name.as_deref(), Some("Rainwater A.Ş."));
    assert_eq!(report.unchanged["settings"], 1);
    assert!(report.warnings.iter().any(|w| w.to_string().contains("company name kept")));
    assert_eq!(report.unchanged["users"], 5);
    assert!(!report.imported.contains_key("users"));
}

#[test]
fn a_newer_file_updates_the_rows_edited_since() {
    let mut memory = Memory::default();
    import_into(&mut memory, "F9_v2_s1.db");
    let report = import_into(&mut memory, "F2_v3_s2.db");
    // S2 edits of S1 rows, plus the rows added since; employees 1–5 are unchanged.
    assert_eq!(report.unchanged["employees"], 5);
    assert_eq!(report.imported["employees"], 3);
    let ts21 = memory.row("timesheets", id("Ankara", "timesheets", 21)).unwrap();
    assert_eq!(ts21.fields["end_time"], "01:00");
    assert_eq!(ts21.fields["note"], "düzenlendi");
}
