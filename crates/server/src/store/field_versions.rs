//! How both stores keep a row's field versions (which seq and device changed each field last).
//! Most rows have every field from the one change that created them: that is kept as the
//! change alone, `[seq, "device"]`, meaning every field of the table. Otherwise the fields are
//! grouped by change, `[[seq, "device", ["field", …]], …]`. Rows written before either form are
//! read in their first one, a JSON object of `{"field": {"version": seq, "device": "…"}}`.
//!
//! "Every field of the table" is read against the schema of the build reading it: a field added
//! to the schema later reads as changed by the row's first change too. That matters only to a
//! device editing the new field from a copy older than that change, whose edit is then recorded
//! as a conflict with the field's empty value; it still applies.

use std::collections::BTreeMap;

use rainstaff_core::merge::FieldVersion;
use rainstaff_core::schema::TableSpec;
use uuid::Uuid;

use crate::error::StoreError;

pub type FieldVersions = BTreeMap<String, FieldVersion>;

pub fn encode(versions: &FieldVersions, table: &TableSpec) -> Result<String, StoreError> {
    if let Some(change) = one_change(versions, table) {
        return Ok(serde_json::to_string(&change)?);
    }
    let mut groups: BTreeMap<(i64, Uuid), Vec<&str>> = BTreeMap::new();
    for (field, v) in versions {
        groups.entry((v.version, v.device)).or_default().push(field);
    }
    let groups: Vec<(i64, Uuid, Vec<&str>)> = groups.into_iter().map(|((seq, d), f)| (seq, d, f)).collect();
    Ok(serde_json::to_string(&groups)?)
}

/// The one change (seq and device) that set every field of `table`, when one did.
pub fn one_change(versions: &FieldVersions, table: &TableSpec) -> Option<(i64, Uuid)> {
    let first = versions.values().next()?;
    let one = versions.len() == table.fields.len()
        && versions.values().all(|v| v == first)
        && table.column_names().all(|name| versions.contains_key(name));
    one.then_some((first.version, first.device))
}

/// Every field of `table` as set by one change.
pub fn every_field(table: &TableSpec, version: i64, device: Uuid) -> FieldVersions {
    table.column_names().map(|f| (f.to_string(), FieldVersion { version, device })).collect()
}

pub fn decode(text: &str, table: &TableSpec) -> Result<FieldVersions, StoreError> {
    if text.starts_with('{') {
        return Ok(serde_json::from_str(text)?);
    }
    if text.as_bytes().get(1).is_some_and(u8::is_ascii_digit) {
        let (version, device): (i64, Uuid) = serde_json::from_str(text)?;
        return Ok(every_field(table, version, device));
    }
    let groups: Vec<(i64, Uuid, Vec<String>)> = serde_json::from_str(text)?;
    Ok(groups
        .into_iter()
        .flat_map(|(version, device, fields)| {
            fields.into_iter().map(move |f| (f, FieldVersion { version, device }))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use rainstaff_core::schema::SHIFT_TEMPLATES;

    use super::*;

    fn versions(of: &[(&str, i64, Uuid)]) -> FieldVersions {
        of.iter()
            .map(|(f, version, device)| (f.to_string(), FieldVersion { version: *version, device: *device }))
            .collect()
    }

    #[test]
    fn grouped_by_change_and_read_back_in_either_form() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let versions = versions(&[("start_time", 7, a), ("end_time", 7, a), ("name", 9, b)]);
        let text = encode(&versions, &SHIFT_TEMPLATES).unwrap();
        assert_eq!(text, format!(r#"[[7,"{a}",["end_time","start_time"]],[9,"{b}",["name"]]]"#));
        assert_eq!(decode(&text, &SHIFT_TEMPLATES).unwrap(), versions);
        assert_eq!(decode(&serde_json::to_string(&versions).unwrap(), &SHIFT_TEMPLATES).unwrap(), versions);
        assert_eq!(decode("[]", &SHIFT_TEMPLATES).unwrap(), FieldVersions::new());
    }

    #[test]
    fn every_field_from_one_change_is_kept_as_the_change_alone() {
        let a = Uuid::now_v7();
        let created: Vec<(&str, i64, Uuid)> = SHIFT_TEMPLATES.column_names().map(|f| (f, 12, a)).collect();
        let created = versions(&created);
        let text = encode(&created, &SHIFT_TEMPLATES).unwrap();
        assert_eq!(text, format!(r#"[12,"{a}"]"#));
        assert_eq!(decode(&text, &SHIFT_TEMPLATES).unwrap(), created);
        // One field fewer is not every field.
        let mut partial = created.clone();
        partial.remove("short_code");
        assert!(encode(&partial, &SHIFT_TEMPLATES).unwrap().starts_with("[["));
    }
}
