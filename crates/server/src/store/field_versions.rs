//! How both stores keep a row's field versions (which seq and device changed each field last).
//! A row usually has all its fields from one change, so they are kept grouped by change:
//! `[[seq, "device", ["field", …]], …]`, about a quarter of the first form, a JSON object of
//! `{"field": {"version": seq, "device": "…"}}`, which rows written before are still read in.

use std::collections::BTreeMap;

use rainstaff_core::merge::FieldVersion;
use uuid::Uuid;

use crate::error::StoreError;

type FieldVersions = BTreeMap<String, FieldVersion>;

pub fn encode(versions: &FieldVersions) -> Result<String, StoreError> {
    let mut groups: BTreeMap<(i64, Uuid), Vec<&str>> = BTreeMap::new();
    for (field, v) in versions {
        groups.entry((v.version, v.device)).or_default().push(field);
    }
    let groups: Vec<(i64, Uuid, Vec<&str>)> = groups.into_iter().map(|((seq, d), f)| (seq, d, f)).collect();
    Ok(serde_json::to_string(&groups)?)
}

pub fn decode(text: &str) -> Result<FieldVersions, StoreError> {
    if text.starts_with('{') {
        return Ok(serde_json::from_str(text)?);
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
    use super::*;

    #[test]
    fn grouped_by_change_and_read_back_in_either_form() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let versions: FieldVersions = [
            ("work_date", FieldVersion { version: 7, device: a }),
            ("start_time", FieldVersion { version: 7, device: a }),
            ("note", FieldVersion { version: 9, device: b }),
        ]
        .into_iter()
        .map(|(f, v)| (f.to_string(), v))
        .collect();
        let text = encode(&versions).unwrap();
        assert_eq!(text, format!(r#"[[7,"{a}",["start_time","work_date"]],[9,"{b}",["note"]]]"#));
        assert_eq!(decode(&text).unwrap(), versions);
        assert_eq!(decode(&serde_json::to_string(&versions).unwrap()).unwrap(), versions);
        assert_eq!(decode("[]").unwrap(), FieldVersions::new());
    }
}
