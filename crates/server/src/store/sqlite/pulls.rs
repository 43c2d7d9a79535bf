//! What a pull reads in the SQLite store. Each synced row is its own latest change: its version
//! is the change's seq and its `origin` the number of the device whose push answer carried it,
//! found through the `(region, version)` index of its table. `departures` holds the changes no
//! table holds: a row's departure from a region, as that region's devices are to see it. So the
//! store delivers one change per row and region without a log that names every row again (at
//! 50 000 shifts such a log and its index were 4.1 of the file's 13.5 MB).

use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::schema::TABLES;

use crate::store::company_wide_changes;

/// The statements of a pull, built once from the static schema for each kind of scope.
pub struct Pulls {
    pub region: PullSql,
    pub everywhere: PullSql,
}

/// Parameters: `?1` the seq after which to read, `?2` the pulling device's number and `?3` its
/// id (their own changes are left out; NULL leaves nothing out), `?4` the page's row limit; `?5`
/// is the region in a region's page, and in every region's page the last seq to read (`WINDOW`).
/// `count` and `last` take `?1`, and a region's the region as `?2`.
pub struct PullSql {
    /// Seq, table, row id and the departure's JSON (NULL for a row its table holds), in seq order.
    pub page: String,
    /// How many changes come after `?1`.
    pub count: String,
    /// The last seq after `?1`, NULL when none.
    pub last: String,
}

/// How many seqs, per row of the page asked for, every region's page first reads (`Pulls`): a
/// region's rows come from its own part of an index, so rows of several regions come in seq
/// order only once sorted, and a page that read every change after the cursor would sort them
/// all, however far behind the device is. The store widens the window while it holds too few.
pub const WINDOW: i64 = 2;

impl Pulls {
    pub fn new() -> Self {
        Self { region: PullSql::new(Scope::Region), everywhere: PullSql::new(Scope::Everywhere) }
    }
}

#[derive(Clone, Copy)]
enum Scope {
    Region,
    Everywhere,
}

impl PullSql {
    fn new(scope: Scope) -> Self {
        // The region's parameter, and the page's condition on seqs, by scope.
        let (page_region, summary_region, page_seqs) = match scope {
            Scope::Region => (Some("?5"), Some("?2"), "> ?1"),
            Scope::Everywhere => (None, None, "BETWEEN ?1 + 1 AND ?5"),
        };
        let rows = |region: Option<&str>, seqs: &str, extra: &str, select: &dyn Fn(&str) -> String| {
            let mut arms = Vec::new();
            for t in TABLES {
                let name = t.name;
                let mut arm = |condition: String| {
                    arms.push(format!(
                        "{} FROM \"{name}\" WHERE {condition} AND version {seqs}{extra}",
                        select(name)
                    ))
                };
                match region {
                    // Company-wide rows in an arm of their own: each arm comes in seq order from
                    // the index, and the page merges them without sorting.
                    Some(region) if t.company_wide() => {
                        arm(format!("region = {region}"));
                        arm(format!("region = '{ALL_REGIONS}'"));
                    }
                    Some(region) => arm(format!("region = {region}")),
                    None => arm(every_region(name)),
                }
            }
            arms
        };
        // The departures of the region, and apart those of company-wide rows, as for the tables.
        let departures = |region: Option<&str>, select: &str, seqs: &str, extra: &str| {
            let conditions = match region {
                Some(region) => vec![format!("region = {region}"), company_wide_changes()],
                None => vec!["1".to_string()],
            };
            conditions
                .into_iter()
                .map(|c| format!("{select} FROM departures WHERE {c} AND seq {seqs}{extra}"))
                .collect::<Vec<_>>()
        };

        let mut page = rows(page_region, page_seqs, " AND (?2 IS NULL OR origin IS NOT ?2)", &|name| {
            format!("SELECT version, '{name}', id, NULL")
        });
        page.extend(departures(
            page_region,
            "SELECT seq, table_name, row_id, row_json",
            page_seqs,
            " AND (?3 IS NULL OR origin IS NOT ?3)",
        ));
        let mut count = rows(summary_region, "> ?1", "", &|_| "SELECT count(*)".to_string());
        count.extend(departures(summary_region, "SELECT count(*)", "> ?1", ""));
        let mut last = rows(summary_region, "> ?1", "", &|_| "SELECT max(version) AS last".to_string());
        last.extend(departures(summary_region, "SELECT max(seq) AS last", "> ?1", ""));
        Self {
            // A compound ORDER BY merges its arms, each read in order from its index, and stops
            // at the limit.
            page: format!("{} ORDER BY 1 LIMIT ?4", page.join(" UNION ALL ")),
            count: format!(
                "SELECT {}",
                count.iter().map(|c| format!("({c})")).collect::<Vec<_>>().join(" + ")
            ),
            last: format!("SELECT max(last) FROM ({})", last.join(" UNION ALL ")),
        }
    }
}

/// The condition on a table's rows of every region: each region named from the `(region,
/// version)` index, so that each is read from the seq on instead of the whole table being
/// scanned.
fn every_region(table: &str) -> String {
    format!(
        "region IN (WITH RECURSIVE r(region) AS (SELECT min(region) FROM \"{table}\" UNION ALL \
         SELECT (SELECT min(region) FROM \"{table}\" WHERE region > r.region) FROM r \
         WHERE r.region IS NOT NULL) SELECT region FROM r)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each table's rows are found through its `(region, version)` index in either scope:
    /// without it a pull would read the whole table, every few minutes for every PC; and a
    /// region's page comes in seq order from the indexes, with nothing to sort.
    #[test]
    fn a_pull_reads_each_table_from_its_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        drop(super::super::SqliteStore::open(&path).unwrap());
        let conn = rusqlite::Connection::open(&path).unwrap();
        let pulls = Pulls::new();
        let statements = [&pulls.region, &pulls.everywhere].map(|p| [&p.page, &p.count, &p.last]);
        for (i, sql) in statements.into_iter().flatten().enumerate() {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let nulls = vec![rusqlite::types::Value::Null; stmt.parameter_count()];
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(nulls), |r| r.get(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            // A full scan shows as `SCAN table`; the distinct regions (`r`) are few.
            let scans: Vec<&String> = plan
                .iter()
                .filter(|l| l.starts_with("SCAN ") && !["SCAN r", "SCAN CONSTANT ROW"].contains(&l.as_str()))
                .collect();
            assert!(scans.is_empty(), "{scans:?} in the plan of {sql}");
            assert!(plan.iter().any(|l| l.contains("INDEX timesheets_changes")), "{plan:?}");
            // A region's page, what every regional PC asks for, merges its arms without sorting.
            if i == 0 {
                assert!(!plan.iter().any(|l| l.contains("TEMP B-TREE")), "{plan:?}");
            }
        }
    }
}
