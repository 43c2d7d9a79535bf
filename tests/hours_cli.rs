//! `rainstaff hours` as a process: every vector of shared/spec/hours-engine.md goes in as the
//! spec's JSON, on stdin or from a file, and comes out equal to the library's answer and to the
//! spec's numbers. Bad input exits non-zero naming the field and the shift.

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

/// (vector, input, expected first period [worked, normal, extra25, ot50], flags of the total)
fn vectors() -> Vec<(&'static str, Value, [i64; 4], Vec<&'static str>)> {
    let mut tv6 = days(2, 5, "08:00", "18:00");
    tv6.push(json!({"date": "2026-03-08", "start": "10:00", "end": "14:00"}));
    let mut tv13 = days(2, 5, "08:00", "19:00");
    tv13.extend(days(9, 5, "08:00", "17:00"));
    let mut tv14 = days(2, 5, "08:00", "18:00");
    tv14.push(json!({"date": "2026-03-07", "start": "09:00", "end": "10:10"}));
    let tv11: Vec<Value> =
        (18..23).map(|d| json!({"date": format!("2026-05-{d}"), "start": "08:00", "end": "18:00"})).collect();
    vec![
        ("TV1", request(days(2, 5, "08:00", "18:00")), [2700, 2700, 0, 0], vec![]),
        ("TV2", request(days(2, 5, "08:00", "19:00")), [3000, 2700, 0, 300], vec![]),
        (
            "TV3",
            with(request(days(2, 5, "08:00", "18:00")), "contract", json!({"weekly_minutes": 2400})),
            [2700, 2400, 300, 0],
            vec![],
        ),
        ("TV5", request(days(2, 6, "08:00", "16:00")), [2700, 2700, 0, 0], vec![]),
        ("TV6", request(tv6), [2925, 2700, 0, 225], vec!["REST_DAY_WORKED"]),
        (
            "TV7",
            request(days(2, 7, "09:00", "13:00")),
            [1575, 1575, 0, 0],
            vec!["NO_WEEKLY_REST", "REST_DAY_WORKED"],
        ),
        ("TV9", request(days(2, 5, "22:00", "06:00")), [2250, 2250, 0, 0], vec![]),
        ("TV11", request(tv11), [2700, 2700, 0, 0], vec!["HOLIDAY_WORKED"]),
        ("TV13 weekly", request(tv13.clone()), [3000, 2700, 0, 300], vec![]),
        (
            "TV13 averaged",
            with(request(tv13), "policy", json!({"averaging_weeks": 2})),
            [5400, 5400, 0, 0],
            vec![],
        ),
        (
            "TV14",
            with(request(tv14), "policy", json!({"rounding": "half_hour_up"})),
            [2755, 2700, 0, 55],
            vec![],
        ),
        (
            "TV19",
            with(request(days(2, 5, "09:00", "17:00")), "contract", json!({"break_policy": {"fixed": 60}})),
            [2100, 2100, 0, 0],
            vec![],
        ),
        ("TV20", request(days(2, 1, "09:00", "13:20")), [240, 240, 0, 0], vec![]),
        (
            "TV23a",
            request(vec![
                json!({"date": "2026-03-02", "start": "09:00", "end": "12:00"}),
                json!({"date": "2026-03-02", "start": "13:00", "end": "18:00"}),
            ]),
            [480, 480, 0, 0],
            vec![],
        ),
        (
            "TV23b",
            request(vec![
                json!({"date": "2026-03-02", "start": "09:00", "end": "12:00"}),
                json!({"date": "2026-03-02", "start": "12:10", "end": "18:00"}),
            ]),
            [480, 480, 0, 0],
            vec![],
        ),
        (
            "TV23c",
            request(vec![
                json!({"date": "2026-03-02", "start": "09:00", "end": "11:00"}),
                json!({"date": "2026-03-02", "start": "14:00", "end": "18:00"}),
            ]),
            [360, 360, 0, 0],
            vec![],
        ),
    ]
}

#[test]
fn every_vector_through_the_process_equals_the_library_and_the_spec() {
    for (i, (name, input, expected, flags)) in vectors().into_iter().enumerate() {
        let text = input.to_string();
        let (ok, stdout, stderr) = hours(&text, i % 2 == 0);
        assert!(ok, "{name}: {stderr}");
        let out: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(
            out,
            rainstaff_core::hours::run_json(&text).unwrap(),
            "{name}: process and library differ"
        );
        let p = &out["periods"][0];
        let got = [&p["worked"], &p["normal"], &p["extra25"], &p["ot50"]].map(|v| v.as_i64().unwrap());
        assert_eq!(got, expected, "{name}: worked/normal/extra25/ot50 of the first period");
        let total_flags: Vec<&str> =
            out["total"]["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
        assert_eq!(total_flags, flags, "{name}: flags");
        for key in ["days", "periods", "total"] {
            assert!(out.get(key).is_some(), "{name}: the output has no {key}");
        }
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
