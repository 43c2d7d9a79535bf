//! A legacy import on this PC (`rainstaff import-legacy`, File → Import legacy database): which
//! region's rows it takes, and where the namespaces of their ids come from. Legacy files hold
//! every region's rows, and the server refuses rows outside a PC's region, so:
//!
//! - an enrolled office PC takes its own region's rows only (naming another region is refused);
//! - an administrator's PC (enrolled for ALL) takes every region's rows, or the one region named;
//! - a PC not yet enrolled takes the region it is told, or every region's with ALL; it must be
//!   told, since rows of a region it is not enrolled for later could never sync.
//!
//! Rows the file places in no region belong to the region taken (to Ankara, the legacy default,
//! when every region is taken). An enrolled PC derives ids from the server's namespaces and asks
//! the server for any it lacks; a PC not yet enrolled makes namespaces of its own, which enrolling
//! replaces (see `db::namespaces`).

use std::collections::BTreeSet;
use std::path::Path;

use rainstaff_core::ids::IdNamespaces;
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::regions;
use rainstaff_legacy::ImportReport;
use uuid::Uuid;

use crate::db::import::ImportError;
use crate::db::sync::{REGION_KEY, SERVER_KEY, SyncError};
use crate::db::{Store, StoreError};
use crate::net::HttpTransport;
use crate::paths::DataDir;

/// Imports the legacy file at `path` (see the module's rules); `region` is the one the person
/// named, if any, by the person `by` (the audit trail's user). With `dry_run` only says what it
/// would do.
pub fn import_legacy(
    store: &mut Store,
    data: &DataDir,
    path: &Path,
    region: Option<&str>,
    dry_run: bool,
    by: &str,
) -> Result<ImportReport, ImportError> {
    let device = store.sync_state(REGION_KEY)?;
    let region = taken_region(device.as_deref(), region)?;
    let needed = rainstaff_legacy::namespaces_needed(path, &region)?;
    let namespaces = match device {
        Some(_) => server_namespaces(store, data, &needed)?,
        None => local_namespaces(store, &needed, dry_run)?,
    };
    store.import_legacy(path, &region, &namespaces, dry_run, by)
}

/// The region an import takes (a region code or ALL), from this PC's enrolled region and the one
/// named.
fn taken_region(device: Option<&str>, named: Option<&str>) -> Result<String, StoreError> {
    let named = match named {
        Some(typed) => Some(regions::normalize(typed).ok_or_else(|| StoreError::Refused {
            tr: "Bölge: boş olamaz".into(),
            en: "region: must not be empty".into(),
        })?),
        None => None,
    };
    match (device, named) {
        (Some(ALL_REGIONS), named) => Ok(named.unwrap_or_else(|| ALL_REGIONS.to_string())),
        (Some(device), None) => Ok(device.to_string()),
        (Some(device), Some(named)) if named == device => Ok(named),
        (Some(device), Some(named)) => {
            let (mine, theirs) = (regions::display_name(device), regions::display_name(&named));
            Err(StoreError::Refused {
                tr: format!(
                    "Bölge: bu bilgisayar {mine} için kayıtlı ve yalnız {mine} kayıtlarını alır; {theirs} kayıtlarını {theirs} bilgisayarı ya da sunucu alır"
                ),
                en: format!(
                    "region: this PC is enrolled for {mine} and imports {mine}'s rows only; {theirs}'s rows are imported on a {theirs} PC or on the server"
                ),
            })
        }
        (None, Some(named)) => Ok(named),
        (None, None) => Err(StoreError::Refused {
            tr: "Bölge: bu bilgisayar henüz sunucuya kayıtlı değil; hangi bölgenin kayıtlarının alınacağını seçin (tüm bölgeler için ALL)".into(),
            en: "region: this PC is not enrolled yet; name the region whose rows to import (--region Izmir, or --region ALL for every region)".into(),
        }),
    }
}

/// The server's namespaces of `needed`, asking the server for those this PC does not hold yet.
fn server_namespaces(
    store: &Store,
    data: &DataDir,
    needed: &BTreeSet<String>,
) -> Result<IdNamespaces, ImportError> {
    let mut held = store.id_namespaces()?;
    let missing: Vec<String> = needed.iter().filter(|r| !held.contains_key(*r)).cloned().collect();
    if missing.is_empty() {
        return Ok(held);
    }
    let failed = |why: SyncError| ImportError::Namespaces { regions: missing.join(", "), why };
    let (Some(server), Some(token)) = (store.sync_state(SERVER_KEY)?, data.read_token()) else {
        return Err(failed(SyncError::NotEnrolled));
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failed(SyncError::Local(e.to_string())))?;
    let given =
        runtime.block_on(HttpTransport::new(&server, &token).id_namespaces(&missing)).map_err(failed)?;
    store.add_id_namespaces(&given)?;
    held.extend(given);
    Ok(held)
}

/// This PC's own namespaces of `needed`; a dry run does not keep the ones it had to make up.
fn local_namespaces(
    store: &Store,
    needed: &BTreeSet<String>,
    dry_run: bool,
) -> Result<IdNamespaces, StoreError> {
    let held = store.local_id_namespaces()?;
    needed
        .iter()
        .map(|region| {
            let namespace = match (held.get(region), dry_run) {
                (Some(namespace), _) => *namespace,
                (None, true) => Uuid::new_v4(),
                (None, false) => store.local_id_namespace(region)?,
            };
            Ok((region.clone(), namespace))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_taken_follows_the_enrollment() {
        let taken = |device, named| taken_region(device, named).map_err(|e| e.to_string());
        assert_eq!(taken(Some("Izmir"), None).unwrap(), "Izmir");
        assert_eq!(taken(Some("Izmir"), Some("İZMİR")).unwrap(), "Izmir");
        let refused = taken(Some("Izmir"), Some("Ankara")).unwrap_err();
        assert!(refused.starts_with("region: this PC is enrolled for İzmir"), "{refused}");
        assert_eq!(taken(Some("ALL"), None).unwrap(), "ALL");
        assert_eq!(taken(Some("ALL"), Some("bursa")).unwrap(), "Bursa");
        assert_eq!(taken(None, Some("all")).unwrap(), "ALL");
        assert_eq!(taken(None, Some("Konya")).unwrap(), "Konya");
        assert!(taken(None, None).unwrap_err().contains("not enrolled yet"));
        assert!(taken(None, Some("  ")).unwrap_err().contains("must not be empty"));
    }
}
