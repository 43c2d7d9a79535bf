//! What a pull reads in the SQLite store. Each synced row is its own latest change: its version
//! is the change's seq and its `origin` the number of the device whose push answer carried it,
//! found through the `(region, version)` index of its table. `departures` holds the changes no
//! table holds: a row's departure from a region, as that region's devices are to see it. So the
//! store delivers one change per row and region without a log that names every row again (at
//! 50 000 shifts such a log and its index were 4 of the file's 13.5 MB).

use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::schema::TABLES;

use crate::store::company_wide_changes;

/// The statements of a pull, built once from the static schema for each kind of scope.
pub struct Pulls {
    pub region: PullSql,
    pub everywhere: PullSql,
}

/// Parameters: `?1` the seq after which to read, `?2` the pulling device's number and `?3` its
/// id (their own changes are left out; NULL leaves nothing out), `?4` the page's row limit, and
/// in a region's statements `?5` the region. `count` and `last` take `?1` and the region as `?2`.
pub struct PullSql {
    /// Seq, table, row id and the departure's JSON (NULL for a row its table holds), in seq order.
    pub page: String,
    /// How many changes come after `?1`.
    pub count: String,
    /// The last seq after `?1`, NULL when none.
    pub last: String,
}

impl Pulls {
    pub fn new() -> Self {
        Self { region: PullSql::new(Some("?5"), Some("?2")), everywhere: PullSql::new(None, None) }
    }
}

impl PullSql {
    /// `page_region` and `summary_region` name the region's parameter in the page's statement
    /// and in the others'; `None` reads every region.
    fn new(page_region: Option<&str>, summary_region: Option<&str>) -> Self {
        let rows = |region: Option<&str>, extra: &str, select: &dyn Fn(&str) -> String| {
            TABLES
                .iter()
                .map(|t| {
                    let name = t.name;
                    format!(
                        "{} FROM \"{name}\" WHERE {} AND version > ?1{extra}",
                        select(name),
                        in_scope(name, t.company_wide(), region)
                    )
                })
                .collect::<Vec<_>>()
        };
        let departures = |region: Option<&str>| match region {
            Some(region) => format!("(region = {region} OR {})", company_wide_changes()),
            None => "1".to_string(),
        };

        let mut page = rows(page_region, " AND (?2 IS NULL OR origin IS NOT ?2)", &|name| {
            format!("SELECT version, '{name}', id, NULL")
        });
        page.push(format!(
            "SELECT seq, table_name, row_id, row_json FROM departures WHERE {} AND seq > ?1 \
             AND (?3 IS NULL OR origin IS NOT ?3)",
            departures(page_region)
        ));
        let mut count = rows(summary_region, "", &|_| "SELECT count(*)".to_string());
        count.push(format!(
            "SELECT count(*) FROM departures WHERE {} AND seq > ?1",
            departures(summary_region)
        ));
        let mut last = rows(summary_region, "", &|_| "SELECT max(version) AS last".to_string());
        last.push(format!(
            "SELECT max(seq) FROM departures WHERE {} AND seq > ?1",
            departures(summary_region)
        ));
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

/// The condition on a table's rows for a scope: the region's, with the company-wide rows every
/// region holds; or every region's, named one by one from the `(region, version)` index so that
/// each is read from the seq on instead of the whole table being scanned.
fn in_scope(table: &str, company_wide: bool, region: Option<&str>) -> String {
    match (region, company_wide) {
        (Some(region), false) => format!("region = {region}"),
        (Some(region), true) => format!("region IN ({region}, '{ALL_REGIONS}')"),
        (None, _) => format!(
            "region IN (WITH RECURSIVE r(region) AS (SELECT min(region) FROM \"{table}\" UNION ALL \
             SELECT (SELECT min(region) FROM \"{table}\" WHERE region > r.region) FROM r \
             WHERE r.region IS NOT NULL) SELECT region FROM r)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each table's rows are found through its `(region, version)` index in either scope:
    /// without it a pull would read the whole table, every few minutes for every PC.
    #[test]
    fn a_pull_reads_each_table_from_its_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        drop(super::super::SqliteStore::open(&path).unwrap());
        let conn = rusqlite::Connection::open(&path).unwrap();
        let pulls = Pulls::new();
        let statements = [&pulls.region, &pulls.everywhere].map(|p| [&p.page, &p.count, &p.last]);
        for sql in statements.into_iter().flatten() {
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
        }
    }
}
