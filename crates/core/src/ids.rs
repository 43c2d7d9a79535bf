//! Row ids: made where a row is born, never reused, the same on every PC and on the server.

use std::collections::BTreeMap;

use uuid::Uuid;

/// A new row id: UUIDv7, so ids created on one PC sort by creation time.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

/// Region code → the secret namespace the ids of that region's imported legacy rows come from.
pub type IdNamespaces = BTreeMap<String, Uuid>;

/// The id of a legacy row: UUIDv5 of (table, legacy integer id) in its region's namespace, so
/// importing the same or an overlapping file again, on any PC of the region or on the server,
/// finds the rows it made before instead of duplicating them. The namespace is a secret the
/// server hands out per region: a device of another region cannot compute these ids in advance
/// and create rows under them first.
pub fn legacy_id(namespace: Uuid, table: &str, legacy_id: i64) -> Uuid {
    Uuid::new_v5(&namespace, format!("{table}/{legacy_id}").as_bytes())
}

/// Fixed namespace of ids every PC of a region must agree on without asking anybody (the shift
/// templates a region starts with). Never change it: stores hold rows under these ids.
const SEED_NAMESPACE: Uuid = Uuid::from_u128(0x6a1c_42f4_9d3e_4b8a_a5e1_7c0f_2b9d_5e31);

/// The id of the `n`th row a region is seeded with: UUIDv5 of (region, what, n), public by design.
pub fn seed_id(region: &str, what: &str, n: i64) -> Uuid {
    Uuid::new_v5(&SEED_NAMESPACE, format!("{region}/{what}/{n}").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_ids_are_stable_per_namespace_and_distinct() {
        let (izmir, other) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_eq!(legacy_id(izmir, "employees", 1), legacy_id(izmir, "employees", 1));
        assert_ne!(legacy_id(izmir, "employees", 1), legacy_id(other, "employees", 1));
        assert_ne!(legacy_id(izmir, "employees", 1), legacy_id(izmir, "timesheets", 1));
        assert_ne!(legacy_id(izmir, "employees", 1), legacy_id(izmir, "employees", 2));
    }

    #[test]
    fn seed_ids_keep_the_values_stores_already_hold() {
        // The id Ankara's first template got before seed ids had a function of their own.
        assert_eq!(
            seed_id("Ankara", "seed_shift_templates", 1).to_string(),
            "c0441542-2747-5ec1-b483-0892e59f8964"
        );
        assert_ne!(seed_id("Ankara", "seed_shift_templates", 1), seed_id("Izmir", "seed_shift_templates", 1));
    }
}
