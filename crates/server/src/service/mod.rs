//! The sync service, independent of HTTP: every endpoint is one method here, and the HTTP layer
//! only translates. The methods block (they run database transactions); async callers run them on
//! a blocking thread, a simulation calls them directly. Everything a method commits is durable
//! when it returns, so dropping a `Server` and opening the same file again is a clean restart.

mod answers;
mod figures;
mod legacy;
mod letters;
mod namespaces;
mod oversight;
mod push;
mod rejoin;
mod sessions;
mod users;

pub use figures::{Book, FleetView, Overview, VehicleFile, Workbook};
pub use legacy::{LEGACY_UPLOADER, LegacyImportResponse};
pub use oversight::{AUDIT_PAGE, AuditFilter, DeviceRow};
pub use sessions::{LOCKOUT_AFTER, LOCKOUT_FOR, SESSION_IDLE, SESSION_MAX, SignedIn, Viewer};
pub use users::{MAX_USERNAME_CHARS, Role};

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use rainstaff_core::protocol::{
    ALL_REGIONS, ChangesPage, ConflictRecord, DeviceStatus, EnrollRequest, EnrollResponse, ErrorDetail,
    MAX_BATCH, StatusResponse, in_scope,
};
use rainstaff_core::regions::{self, MAX_REGION_CHARS};
use uuid::Uuid;

use crate::auth;
use crate::error::{ServiceError, StoreError};
use crate::lineage::{self, Lineage, Link};
use crate::snapshot;
use crate::store::{Device, EnrollCode, NewUser, Scope, SqliteStore, Store, Tx};

/// Where the service reads the time; a simulation passes its own to be reproducible.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// How long an enrollment code works after it was issued.
pub const ENROLL_CODE_TTL: TimeDelta = TimeDelta::hours(24);
/// Changes per pull page when the client does not say.
pub const DEFAULT_PAGE: usize = 200;
/// Row JSON per pull page: with the largest rows the schema allows, `MAX_BATCH` of them would
/// make an answer of tens of megabytes that a PC on a slow line has to take in one piece.
pub const MAX_PAGE_BYTES: usize = 1024 * 1024;
const MAX_DEVICE_NAME_CHARS: usize = 100;

/// An enrollment code as issued: `code` is shown once to the administrator, never stored.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub code: String,
    pub region: String,
    pub expires_at: String,
}

pub struct Server<S: Store = SqliteStore> {
    store: S,
    clock: Clock,
}

impl Server<SqliteStore> {
    /// Opens (creating when missing) the SQLite database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self::new(SqliteStore::open(path)?))
    }

    /// Opens an existing SQLite database; a missing file is an error.
    pub fn open_existing(path: &Path) -> Result<Self, StoreError> {
        Ok(Self::new(SqliteStore::open_existing(path)?))
    }
}

/// RFC 3339 in UTC with milliseconds: sorts as text, which the store relies on.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Which history the server holds: a restore from a backup starts a new epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Epoch {
    pub id: String,
    /// The head seq of the backup the epoch started from (0 for a database never restored).
    pub base_seq: i64,
}

pub(crate) fn epoch(tx: &mut impl Tx) -> Result<Epoch, StoreError> {
    let id = tx.setting("epoch")?.ok_or_else(|| StoreError::msg("the database has no epoch"))?;
    let base_seq = tx.setting("epoch_base_seq")?.and_then(|s| s.parse().ok()).unwrap_or(0);
    Ok(Epoch { id, base_seq })
}

/// The epochs the database knows of, `current` among them.
fn lineage(tx: &mut impl Tx, current: &Epoch) -> Result<Lineage, StoreError> {
    Ok(Lineage::stored(tx.setting(lineage::SETTING)?.as_deref(), &current.id, current.base_seq))
}

fn scope(device_region: &str) -> Scope<'_> {
    (device_region != ALL_REGIONS).then_some(device_region)
}

impl<S: Store> Server<S> {
    pub fn new(store: S) -> Self {
        Self { store, clock: Arc::new(Utc::now) }
    }

    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Creates the first administrator; refused once any user exists.
    pub fn init_admin(&self, username: &str, password: &str) -> Result<(), ServiceError> {
        let username = users::check_username(username)?;
        auth::check_password(password)?;
        let password_hash = auth::hash_password(password).map_err(|e| ServiceError::internal(&e))?;
        let created_at = timestamp(self.now());
        self.store.write(|tx| {
            if tx.user_count()? > 0 {
                return Err(ServiceError::conflict(
                    "already_initialized",
                    "this database already has an administrator",
                ));
            }
            tx.insert_user(&NewUser {
                username: username.to_string(),
                password_hash,
                region: ALL_REGIONS.to_string(),
                created_at,
            })?;
            namespaces::secret(tx)?;
            Ok(())
        })
    }

    /// Issues a one-time code that enrolls one PC for `region` (or `ALL` for an administrator's).
    pub fn create_enroll_code(&self, region: &str) -> Result<IssuedCode, ServiceError> {
        let region = regions::normalize(region).ok_or_else(|| {
            ServiceError::invalid(
                "invalid_region",
                format!("a region's name is required (at most {MAX_REGION_CHARS} characters)"),
            )
        })?;
        let code = auth::new_enroll_code();
        let now = self.now();
        let stored = EnrollCode {
            code_hash: auth::enroll_code_hash(&code),
            region: region.clone(),
            created_at: timestamp(now),
            expires_at: timestamp(now + ENROLL_CODE_TTL),
            used_at: None,
        };
        self.store.write(|tx| Ok(tx.insert_enroll_code(&stored)?))?;
        Ok(IssuedCode { code, region, expires_at: stored.expires_at })
    }

    pub fn enroll(&self, request: EnrollRequest) -> Result<EnrollResponse, ServiceError> {
        let name = request.name.trim();
        if name.is_empty() || name.chars().count() > MAX_DEVICE_NAME_CHARS {
            return Err(ServiceError::invalid(
                "invalid_name",
                format!("the computer's name must have 1 to {MAX_DEVICE_NAME_CHARS} characters"),
            ));
        }
        let code_hash = auth::enroll_code_hash(&request.code);
        let now = self.now();
        let token = auth::new_token();
        let (device, id_namespaces) = self.store.write(|tx| {
            let code = tx.enroll_code(&code_hash)?.ok_or_else(|| {
                ServiceError::forbidden("invalid_code", "this enrollment code does not exist")
            })?;
            if code.used_at.is_some() {
                return Err(ServiceError::gone(
                    "code_used",
                    "this enrollment code was already used; ask for a new one",
                ));
            }
            let expired = DateTime::parse_from_rfc3339(&code.expires_at).map_or(true, |at| now >= at);
            if expired {
                return Err(ServiceError::gone(
                    "code_expired",
                    "this enrollment code has expired; ask for a new one",
                ));
            }
            let device = Device {
                id: Uuid::now_v7(),
                name: name.to_string(),
                region: code.region,
                created_at: timestamp(now),
                revoked_at: None,
                last_mutation_id: None,
                last_push_at: None,
                last_pull_at: None,
                cursor: 0,
                app_version: None,
                refused: 0,
            };
            tx.insert_device(&device, &auth::token_hash(&token))?;
            tx.use_enroll_code(&code_hash, &device.created_at, device.id)?;
            let actor = format!("device:{}", device.name);
            let entry = sessions::audit_entry(
                &device.created_at,
                &actor,
                &device.region,
                "device_enrolled",
                &device.name,
                device.id.to_string(),
            );
            tx.append_audit(&entry)?;
            let id_namespaces = namespaces::at_enrollment(tx, &device.region)?;
            Ok((device, id_namespaces))
        })?;
        tracing::info!(device = %device.id, region = %device.region, "device enrolled");
        let epoch = Some(self.epoch()?.id);
        Ok(EnrollResponse { device_id: device.id, token, region: device.region, epoch, id_namespaces })
    }

    pub fn authenticate(&self, token: &str) -> Result<Device, ServiceError> {
        let hash = auth::token_hash(token);
        let device = self.store.read(|tx| Ok(tx.device_by_token_hash(&hash)?))?.ok_or_else(|| {
            ServiceError::unauthenticated("invalid_token", "this device token is not valid")
        })?;
        if device.revoked_at.is_some() {
            return Err(ServiceError::unauthenticated(
                "token_revoked",
                "this computer's access was revoked; enroll it again",
            ));
        }
        Ok(device)
    }

    /// Records the app version a device speaks with (the devices page shows it).
    pub fn note_app_version(&self, device: &Device, version: &str) -> Result<Device, ServiceError> {
        self.store.write(|tx| Ok(tx.set_app_version(device.id, version)?))?;
        Ok(Device { app_version: Some(version.to_string()), ..device.clone() })
    }

    pub fn epoch(&self) -> Result<Epoch, ServiceError> {
        self.store.read(|tx| Ok(epoch(tx)?))
    }

    /// Starts a new epoch from the present head, as a restore does, for a database put back by
    /// other means (pg_restore, point-in-time recovery): devices that synced with the lost
    /// history are refused until they rejoin, and their next push may start at any mutation id.
    pub fn start_new_epoch(&self) -> Result<Epoch, ServiceError> {
        let id = Uuid::new_v4().simple().to_string();
        self.store.write(|tx| {
            let base_seq = tx.head_seq()?;
            let current = epoch(tx)?;
            let mut lineage = lineage(tx, &current)?;
            lineage.add(Link { id: id.clone(), parent: Some(current.id), base_seq });
            tx.set_setting(lineage::SETTING, Some(&lineage.to_json()))?;
            tx.set_setting("epoch", Some(&id))?;
            tx.set_setting("epoch_base_seq", Some(&base_seq.to_string()))?;
            tx.forget_last_mutations()?;
            Ok(Epoch { id: id.clone(), base_seq })
        })
    }

    /// Refuses a request made against an earlier epoch: the device must rejoin first, or it
    /// would push edits based on versions, and pull from a cursor, that this history never had.
    /// The refusal says up to which change the device's history and this one agree.
    /// A device that names no epoch (an older build, or its first sync) is served.
    pub fn check_epoch(&self, claimed: Option<&str>) -> Result<(), ServiceError> {
        let Some(claimed) = claimed else { return Ok(()) };
        // Every request of a device names its epoch; the lineage is read only when it is not the
        // current one.
        let shared = self.store.read(|tx| {
            let current = epoch(tx)?;
            if claimed == current.id {
                return Ok(None);
            }
            let shared = lineage(tx, &current)?.shared_seq(claimed, &current.id);
            Ok(Some((current, shared)))
        })?;
        let Some((current, shared)) = shared else { return Ok(()) };
        Err(ServiceError::conflict(
            "epoch_changed",
            "the server was restored from a backup; this computer rejoins it",
        )
        .with_detail(ErrorDetail {
            epoch_base_seq: Some(shared),
            epoch: Some(current.id),
            ..ErrorDetail::default()
        }))
    }

    /// One page of changes after `since` in the device's scope, in sequence order.
    ///
    /// `answered` is the last mutation id whose answer the device holds. When it is the last one
    /// the server applied for it, the device holds every change its pushes made, and the page
    /// leaves them out instead of sending them a second time. A device whose data went back to
    /// an older copy says an older id (or, after renumbering, asks with none) and gets them all.
    pub fn changes(
        &self,
        device: &Device,
        since: i64,
        limit: Option<usize>,
        answered: Option<i64>,
    ) -> Result<ChangesPage, ServiceError> {
        if since < 0 {
            return Err(ServiceError::invalid("invalid_query", "since cannot be negative"));
        }
        let limit = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_BATCH);
        let at = timestamp(self.now());
        self.store.write(|tx| {
            let last_applied = tx.device(device.id)?.and_then(|d| d.last_mutation_id);
            let skip = (answered.is_some() && answered == last_applied).then_some(device.id);
            let page = tx.changes(scope(&device.region), since, limit, MAX_PAGE_BYTES, skip)?;
            tx.record_pull(device.id, page.next_since, &at)?;
            let conflicts =
                if page.has_more { None } else { Some(tx.conflicts(scope(&device.region), false)?) };
            Ok(ChangesPage { epoch: Some(epoch(tx)?.id), conflicts, ..page })
        })
    }

    /// Writes a SQLite file with every row the device may see and returns the head seq it is
    /// consistent with: the device continues pulling from there.
    pub fn snapshot(&self, device: &Device, dest: &Path) -> Result<i64, ServiceError> {
        let created_at = timestamp(self.now());
        self.store.read(|tx| {
            let epoch = epoch(tx)?.id;
            Ok(snapshot::write(tx, &device.region, scope(&device.region), &created_at, &epoch, dest)?)
        })
    }

    /// Counts and device states, for administrators' devices only.
    pub fn status(&self, device: &Device) -> Result<StatusResponse, ServiceError> {
        if device.region != ALL_REGIONS {
            return Err(ServiceError::forbidden(
                "admin_only",
                "only an administrator's computer may see the status",
            ));
        }
        self.store.read(|tx| {
            Ok(StatusResponse {
                head_seq: tx.head_seq()?,
                tables: tx.table_counts()?,
                devices: device_statuses(tx)?,
            })
        })
    }

    /// Every enrolled device with its sync state (the `devices` admin command).
    pub fn devices(&self) -> Result<Vec<DeviceStatus>, ServiceError> {
        self.store.read(|tx| device_statuses(tx))
    }

    pub fn revoke(&self, device_id: Uuid) -> Result<(), ServiceError> {
        let at = timestamp(self.now());
        self.store.write(|tx| {
            tx.device(device_id)?.ok_or_else(|| {
                ServiceError::not_found("device_not_found", format!("no device {device_id}"))
            })?;
            Ok(tx.revoke_device(device_id, &at)?)
        })
    }

    pub fn conflicts(
        &self,
        device: &Device,
        include_resolved: bool,
    ) -> Result<Vec<ConflictRecord>, ServiceError> {
        self.store.read(|tx| Ok(tx.conflicts(scope(&device.region), include_resolved)?))
    }

    /// Marks a conflict reviewed. Resolving one twice keeps the first resolution.
    pub fn resolve_conflict(&self, device: &Device, id: i64) -> Result<ConflictRecord, ServiceError> {
        let at = timestamp(self.now());
        self.store.write(|tx| {
            let not_found = || ServiceError::not_found("conflict_not_found", format!("no conflict {id}"));
            let conflict = tx.conflict(id)?.ok_or_else(not_found)?;
            if !in_scope(&device.region, &conflict.region) {
                return Err(ServiceError::forbidden(
                    "region_forbidden",
                    "this conflict belongs to another region",
                ));
            }
            tx.resolve_conflict(id, &at, &device.id.to_string())?;
            tx.conflict(id)?.ok_or_else(not_found)
        })
    }

    /// Fails when the database does not answer.
    pub fn ready(&self) -> Result<(), ServiceError> {
        self.store.ping().map_err(|e| {
            tracing::error!(error = %e, "database not ready");
            ServiceError::unavailable("not_ready", "the database is not available")
        })
    }

    pub fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        self.store.backup_to(dest)
    }
}

fn device_statuses(tx: &mut impl Tx) -> Result<Vec<DeviceStatus>, ServiceError> {
    let mut out = Vec::new();
    for d in tx.devices()? {
        let lag = tx.count_changes(scope(&d.region), d.cursor)?;
        out.push(DeviceStatus {
            device_id: d.id,
            name: d.name,
            region: d.region,
            revoked: d.revoked_at.is_some(),
            last_push_at: d.last_push_at,
            last_pull_at: d.last_pull_at,
            last_mutation_id: d.last_mutation_id.unwrap_or(0),
            cursor: d.cursor,
            lag,
        });
    }
    Ok(out)
}
