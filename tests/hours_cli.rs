//! `rainstaff hours` as a process: every vector of shared/spec/hours-engine.md
//! (crates/core/tests/data/hours_vectors.json) goes in as the spec's JSON, on stdin or from a file,
//! and comes out equal to the library's answer and to the spec's numbers. Bad input exits non-zero
//! naming the field and the shift.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

fn hours(input: &str, via_file: bool) -> (bool, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rainstaff"));
    cmd.arg("hours").stdout(Stdio::piped()).stderr(Stdio::piped());
    let dir = tempfile::tempdir().unwrap();
    let out = if via_file {
        let path = dir.path().join("in.json");
        std::fs::write(&path, input).unwrap();
        cmd.arg(&path).output().unwrap()
    } else {
        let mut child = cmd.stdin(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// Shifts on consecutive days from 2 March 2026 (a Monday) unless `first` says otherwise.
fn days(first: u32, count: u32, start: &str, end: &str) -> Vec<Value> {
    (0..count)
        .map(|i| json!({"date": format!("2026-03-{:02}", first + i), "start": start, "end": end}))
        .collect()
}

fn with(mut input: Value, key: &str, value: Value) -> Value {
    input[key] = value;
    input
}

fn request(shifts: Vec<Value>) -> Value {
    json!({"shifts": shifts})
}

/// The spec's vectors, the same file the library's tests read.
const VECTORS: &str = include_str!("../crates/core/tests/data/hours_vectors.json");

#[test]
fn every_vector_through_the_process_equals_the_library_and_the_spec() {
    let doc: Value = serde_json::from_str(VECTORS).unwrap();
    for (i, vector) in doc["vectors"].as_array().unwrap().iter().enumerate() {
        let name = vector["name"].as_str().unwrap();
        let text = vector["input"].to_string();
        let (ok, stdout, stderr) = hours(&text, i % 2 == 0);
        assert!(ok, "{name}: {stderr}");
        let out: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(
            out,
            rainstaff_core::hours::run_json(&text).unwrap(),
            "{name}: process and library differ"
        );
        let periods: Vec<Value> = out["periods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| json!([p["worked"], p["normal"], p["extra25"], p["ot50"]]))
            .collect();
        assert_eq!(
            Value::from(periods),
            vector["periods"],
            "{name}: worked/normal/extra25/ot50 of each period"
        );
        assert_eq!(out["total"]["flags"], vector["flags"], "{name}: flags");
    }
}

#[test]
fn spec_details_survive_the_process() {
    let (_, stdout, _) = hours(&request(days(2, 5, "22:00", "06:00")).to_string(), false);
    let out: Value = serde_json::from_str(&stdout).unwrap();
    let monday = &out["days"][0];
    assert_eq!((monday["break"].as_i64(), monday["night"].as_i64()), (Some(30), Some(450)));
    assert_eq!(monday["night_shift"], true);
    assert_eq!(out["periods"][0]["weekend"], 330);
    let tv14 = with(
        request(vec![json!({"date": "2026-03-07", "start": "09:00", "end": "10:10"})]),
        "policy",
        json!({"rounding": "half_hour_up"}),
    );
    let (_, stdout, _) = hours(&tv14.to_string(), true);
    let out: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(out["days"][0]["worked"], 55);
}

#[test]
fn bad_input_exits_non_zero_naming_field_and_shift() {
    let cases = [
        (request(days(3, 1, "08:00", "08:00")), "shifts[0].end"),
        (
            request(vec![
                json!({"date": "2026-03-02", "start": "08:00", "end": "17:00"}),
                json!({"date": "02.03.2026", "start": "08:00", "end": "17:00"}),
            ]),
            "shifts[1].date",
        ),
        (request(vec![json!({"date": "2026-03-02", "start": "25:00", "end": "17:00"})]), "shifts[0].start"),
        (
            request(vec![
                json!({"date": "2026-03-02", "start": "08:00", "end": "17:00", "break_minutes": -5}),
            ]),
            "shifts[0].break_minutes",
        ),
        (
            with(request(days(2, 1, "08:00", "17:00")), "contract", json!({"kind": "freelance"})),
            "contract.kind",
        ),
    ];
    for (input, field) in cases {
        let (ok, stdout, stderr) = hours(&input.to_string(), false);
        assert!(!ok, "{field}: accepted");
        assert!(stdout.is_empty(), "{field}: printed {stdout}");
        assert!(stderr.contains(field), "{field}: {stderr}");
    }
    let (ok, _, stderr) = hours("{not json", false);
    assert!(!ok && !stderr.is_empty());
}
