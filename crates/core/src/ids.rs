//! Row ids: made where a row is born, never reused, the same on every PC and on the server.

use uuid::Uuid;

/// A new row id: UUIDv7, so ids created on one PC sort by creation time.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

/// Fixed namespace of the ids of rows that came from legacy files. Never change it: repeated
/// imports rely on getting the same id for the same legacy row.
const LEGACY_NAMESPACE: Uuid = Uuid::from_u128(0x6a1c_42f4_9d3e_4b8a_a5e1_7c0f_2b9d_5e31);

/// The id of a legacy row: UUIDv5 of (region, table, legacy integer id), so importing the same
/// or an overlapping file again finds the rows it made before instead of duplicating them.
pub fn legacy_id(region: &str, table: &str, legacy_id: i64) -> Uuid {
    Uuid::new_v5(&LEGACY_NAMESPACE, format!("{region}/{table}/{legacy_id}").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_ids_are_stable_and_distinct() {
        assert_eq!(legacy_id("Ankara", "employees", 1), legacy_id("Ankara", "employees", 1));
        assert_ne!(legacy_id("Ankara", "employees", 1), legacy_id("Izmir", "employees", 1));
        assert_ne!(legacy_id("Ankara", "employees", 1), legacy_id("Ankara", "timesheets", 1));
    }
}
