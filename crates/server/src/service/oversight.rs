//! What people do to the system itself from the dashboard: the devices (list, enroll, revoke),
//! the conflicts (review), the audit trail (read). Each method takes the `Viewer` and applies the
//! same scope rule as a device of that region; what only an administrator may do says so first.

use chrono::{Days, NaiveTime, Utc};
use rainstaff_core::protocol::{ConflictRecord, in_scope};
use rainstaff_core::time::{parse_user_date, turkey};
use uuid::Uuid;

use super::sessions::{Viewer, audit_entry};
use super::{IssuedCode, Server, scope, timestamp};
use crate::error::ServiceError;
use crate::store::{AuditEntry, AuditQuery, Device, Store, Tx};

/// The most audit entries one page shows.
pub const AUDIT_PAGE: usize = 500;

/// A device as the devices page lists it.
#[derive(Debug, Clone)]
pub struct DeviceRow {
    pub device: Device,
    /// Changes in its scope it has not pulled yet.
    pub lag: i64,
}

/// Which audit entries a person asks for; the scope is theirs.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub actor: Option<String>,
    /// Days in Turkey (DD.MM.YYYY or YYYY-MM-DD), both included.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The stored timestamp of midnight in Turkey `days_after` the day `date` names (DD.MM.YYYY as
/// typed, or YYYY-MM-DD as a browser's date field sends it).
fn turkish_midnight(field: &str, date: &str, days_after: u64) -> Result<String, ServiceError> {
    let day = parse_user_date(date).map_err(|_| {
        ServiceError::invalid("invalid_date", format!("{field}: {date} is not a date (DD.MM.YYYY)"))
    })?;
    let midnight = (day + Days::new(days_after)).and_time(NaiveTime::MIN);
    let local = midnight.and_local_timezone(turkey()).single().ok_or_else(|| {
        ServiceError::invalid("invalid_date", format!("{field}: {date} has no midnight in Turkish time"))
    })?;
    Ok(timestamp(local.with_timezone(&Utc)))
}

fn no_conflict(id: i64) -> ServiceError {
    ServiceError::not_found("conflict_not_found", format!("no conflict {id}"))
}

impl<S: Store> Server<S> {
    /// The devices `viewer` oversees: an administrator's are all of them, a manager's their
    /// region's.
    pub fn devices_for(&self, viewer: &Viewer) -> Result<Vec<DeviceRow>, ServiceError> {
        self.store.read(|tx| {
            let mut rows = Vec::new();
            for device in tx.devices()?.into_iter().filter(|d| in_scope(&viewer.region, &d.region)) {
                let lag = tx.count_changes(scope(&device.region), device.cursor)?;
                rows.push(DeviceRow { device, lag });
            }
            Ok(rows)
        })
    }

    /// An enrollment code for a PC of `region`, issued by an administrator.
    pub fn issue_enroll_code(&self, viewer: &Viewer, region: &str) -> Result<IssuedCode, ServiceError> {
        viewer.require_admin()?;
        let issued = self.create_enroll_code(region)?;
        self.audit(
            viewer,
            &issued.region,
            "enroll_code_issued",
            &issued.region,
            format!("expires {}", issued.expires_at),
        )?;
        Ok(issued)
    }

    /// Revokes a device, by an administrator; revoking one twice changes nothing.
    pub fn revoke_by(&self, viewer: &Viewer, id: Uuid) -> Result<Device, ServiceError> {
        viewer.require_admin()?;
        let at = timestamp(self.now());
        self.store.write(|tx| {
            let device = tx
                .device(id)?
                .ok_or_else(|| ServiceError::not_found("device_not_found", format!("no device {id}")))?;
            if device.revoked_at.is_none() {
                tx.revoke_device(id, &at)?;
                let entry = audit_entry(
                    &at,
                    &viewer.actor(),
                    &device.region,
                    "device_revoked",
                    &device.name,
                    id.to_string(),
                );
                tx.append_audit(&entry)?;
            }
            Ok(tx.device(id)?.unwrap_or(device))
        })
    }

    /// The conflicts in `viewer`'s regions; the open ones, or all of them.
    pub fn conflicts_for(
        &self,
        viewer: &Viewer,
        include_resolved: bool,
    ) -> Result<Vec<ConflictRecord>, ServiceError> {
        self.store.read(|tx| Ok(tx.conflicts(viewer.scope(), include_resolved)?))
    }

    /// Marks a conflict of `viewer`'s regions reviewed; the row keeps the value that won.
    pub fn resolve_conflict_by(&self, viewer: &Viewer, id: i64) -> Result<ConflictRecord, ServiceError> {
        let at = timestamp(self.now());
        self.store.write(|tx| {
            let conflict = tx
                .conflict(id)?
                .filter(|c| in_scope(&viewer.region, &c.region))
                .ok_or_else(|| no_conflict(id))?;
            if conflict.resolved_at.is_none() {
                tx.resolve_conflict(id, &at, &viewer.actor())?;
                let detail = format!("{}.{} of {}", conflict.table, conflict.field, conflict.row_id);
                let entry = audit_entry(
                    &at,
                    &viewer.actor(),
                    &conflict.region,
                    "conflict_resolved",
                    &format!("#{id}"),
                    detail,
                );
                tx.append_audit(&entry)?;
            }
            tx.conflict(id)?.ok_or_else(|| no_conflict(id))
        })
    }

    /// The newest audit entries of `viewer`'s regions that `filter` asks for. Its dates are
    /// days in Turkey, as the pages show times; the trail keeps UTC.
    pub fn audit_trail(
        &self,
        viewer: &Viewer,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEntry>, ServiceError> {
        let from = filter.from.as_deref().map(|d| turkish_midnight("from", d, 0)).transpose()?;
        let until = filter.to.as_deref().map(|d| turkish_midnight("to", d, 1)).transpose()?;
        let query = AuditQuery {
            scope: viewer.scope(),
            action: filter.action.as_deref(),
            actor: filter.actor.as_deref(),
            from: from.as_deref(),
            until: until.as_deref(),
            limit: AUDIT_PAGE,
        };
        self.store.read(|tx| Ok(tx.audit(&query)?))
    }

    /// Writes one audit entry of `viewer`'s in its own transaction.
    pub(super) fn audit(
        &self,
        viewer: &Viewer,
        region: &str,
        action: &str,
        subject: &str,
        detail: String,
    ) -> Result<(), ServiceError> {
        let entry = audit_entry(&timestamp(self.now()), &viewer.actor(), region, action, subject, detail);
        self.store.write(|tx| Ok(tx.append_audit(&entry)?))
    }
}
