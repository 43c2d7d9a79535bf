//! What the integration tests share: where the real legacy samples are, their oracle, and an
//! in-memory store to apply imports to.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::path::{Path, PathBuf};

use rainstaff_core::ids::{IdNamespaces, legacy_id};
use rainstaff_core::text::search_key;
use rainstaff_legacy::{
    Existing, ImportTarget, ImportedRow, LegacyImport, LegacyUser, Tombstone, read_legacy,
};
use serde_json::Value;
use uuid::Uuid;

pub fn samples_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/legacy"))
}

pub fn sample(name: &str) -> PathBuf {
    samples_dir().join(name)
}

pub fn oracle() -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(sample("oracle.json")).expect("oracle.json is readable");
    match serde_json::from_str(&text).expect("oracle.json is JSON") {
        Value::Object(files) => files,
        other => panic!("oracle.json is not an object: {other}"),
    }
}

/// A region's id namespace in these tests: fixed, so that a test can say which id a row must get.
pub fn namespace(region: &str) -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_OID, region.as_bytes())
}

/// The namespaces of every region the samples and fixtures hold.
pub fn namespaces() -> IdNamespaces {
    ["Ankara", "Bursa", "Istanbul", "Izmir"].iter().map(|r| (r.to_string(), namespace(r))).collect()
}

/// The id an import gives row `legacy` of `table` in `region`.
pub fn id(region: &str, table: &str, legacy: i64) -> Uuid {
    legacy_id(namespace(region), table, legacy)
}

/// Reads `path` taking the rows of `region` (`ALL`: of every region).
pub fn read(path: &Path, region: &str) -> LegacyImport {
    read_legacy(path, region, &namespaces()).unwrap()
}

/// The variant each sample is documented to be (README of the samples).
pub const SAMPLES: &[(&str, &str)] = &[
    ("F1_v4_s4.db", "V4"),
    ("F2_v3_s2.db", "V3"),
    ("F3_v4_s3.db", "V4"),
    ("F6_v1_s1.db", "V1"),
    ("F8_v5_demo.db", "V5"),
    ("F9_v2_s1.db", "V2"),
];

/// A store as small as a store can be: rows by (table, id), tombstones as flagged rows.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Memory {
    pub rows: BTreeMap<(String, Uuid), Existing>,
    pub users: BTreeMap<String, LegacyUser>,
    pub company_name: Option<String>,
    pub writes: usize,
}

impl Memory {
    pub fn row(&self, table: &str, id: Uuid) -> Option<&Existing> {
        self.rows.get(&(table.to_string(), id))
    }

    pub fn live(&self, table: &str) -> usize {
        self.rows.iter().filter(|((t, _), e)| t == table && !e.deleted).count()
    }
}

impl ImportTarget for Memory {
    type Error = Infallible;

    fn existing(&mut self, table: &'static str, id: Uuid) -> Result<Option<Existing>, Infallible> {
        Ok(self.row(table, id).cloned())
    }

    fn upsert(&mut self, row: &ImportedRow) -> Result<(), Infallible> {
        self.writes += 1;
        let existing = Existing { region: row.region.clone(), fields: row.fields.clone(), deleted: false };
        self.rows.insert((row.table.to_string(), row.id), existing);
        Ok(())
    }

    fn delete(&mut self, tombstone: &Tombstone) -> Result<(), Infallible> {
        self.writes += 1;
        let key = (tombstone.table.to_string(), tombstone.id);
        // A tombstone keeps no data, whether or not this store ever had the row.
        let tombstone =
            Existing { region: tombstone.region.clone(), fields: serde_json::Map::new(), deleted: true };
        self.rows.insert(key, tombstone);
        Ok(())
    }

    fn has_user(&mut self, username: &str) -> Result<bool, Infallible> {
        Ok(self.users.contains_key(&search_key(username)))
    }

    fn create_user(&mut self, user: &LegacyUser) -> Result<(), Infallible> {
        self.writes += 1;
        self.users.insert(search_key(&user.username), user.clone());
        Ok(())
    }

    fn company_name(&mut self) -> Result<Option<String>, Infallible> {
        Ok(self.company_name.clone())
    }

    fn set_company_name(&mut self, name: &str) -> Result<(), Infallible> {
        self.writes += 1;
        self.company_name = Some(name.to_string());
        Ok(())
    }
}
