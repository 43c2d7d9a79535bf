//! What crosses the wire between a desktop and the server. Both sides serialize these same types,
//! so a field renamed here is renamed everywhere at once.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::ids::IdNamespaces;

/// Sent by every client on every request; the server answers 426 to versions it cannot serve.
pub const PROTOCOL_HEADER: &str = "x-rainstaff-protocol";
/// 2 added `Mutation::imported`, 3 `Mutation::renumbered_from`. A server serves every version
/// from `MIN_PROTOCOL_VERSION` up to
/// its own (an older client's mutations simply lack the new field); a client newer than the
/// server is told the server must be updated, instead of having a batch refused as malformed.
pub const PROTOCOL_VERSION: u32 = 3;
/// The oldest client protocol this build of the server still serves.
pub const MIN_PROTOCOL_VERSION: u32 = 1;
/// The pseudo-region of administrators' devices and users: they see every region.
pub const ALL_REGIONS: &str = "ALL";
/// The most mutations one push may carry and the most changes one pull page returns.
pub const MAX_BATCH: usize = 500;
/// Sent by a device with its push and pull: the epoch of the server it last synced with. A server
/// restored from a backup has a new epoch and answers `epoch_changed`, so the device rejoins
/// instead of pushing against a history the server no longer has.
pub const EPOCH_HEADER: &str = "x-rainstaff-epoch";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Upsert,
    Delete,
}

/// One row change as a device recorded it in its outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mutation {
    /// Increases by one with every change this device makes; the server applies each once.
    pub mutation_id: i64,
    pub table: String,
    pub row_id: Uuid,
    pub region: String,
    pub op: Op,
    /// Only the fields this change set (all of them for a new row).
    #[serde(default)]
    pub fields: Map<String, Value>,
    /// The server version of the row the edit started from; 0 for a row the server never had.
    pub base_version: i64,
    /// The row came from this PC's import of a legacy file. The server imports its own legacy
    /// files without the rules that need other rows (an old file may hold the past shifts of
    /// someone since gone, overlaps, or a person in two offices' files), and a PC's import gets
    /// the same exemption, but only to create the row: an edit of it is judged like any other.
    /// Any enrolled device could set this; it is trusted that far because it may create rows of
    /// its regions anyway, and scope, field and reference checks still apply. Since protocol 2.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub imported: bool,
    /// The id this change was first sent under, when the device renumbered it since (its store
    /// had gone back to an older copy, `ErrorDetail`). A copy of the device's data from before the
    /// renumbering still holds the change under that id; the server remembers which change it
    /// was, so that it is not applied a second time. Since protocol 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renumbered_from: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub mutations: Vec<Mutation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutcomeStatus {
    /// Applied as sent: nobody else had changed the row since the device saw it.
    Applied,
    /// Applied beside other changes the server already had; `conflicts` lists any field that both
    /// sides changed (this change, arriving later, won; the other value is kept in the conflict).
    Merged,
    /// Not applied; `reason` says why and `row` is the server's row as it stands.
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub mutation_id: i64,
    pub status: OutcomeStatus,
    /// Why a change was rejected, as a stable code (`RefusalCode`); clients word it themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<RefusalCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<RowState>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<FieldConflict>,
}

/// Why the server refused one change. The rest of its batch is applied all the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    /// The record belongs to a region this computer may not write, or it would move a record
    /// between regions without an administrator's computer.
    RegionForbidden,
    /// The id is taken by a record of another region (nothing of it is revealed).
    IdTaken,
    /// The region is not a region code.
    InvalidRegion,
    /// There is no such synced table on this server.
    UnknownTable,
    /// Fields missing, unknown, of the wrong type or out of their limits.
    InvalidFields,
    /// The record was deleted on the server; an edit cannot bring it back.
    Deleted,
    /// A data rule refused it (a reference to a missing record, an overlap, ...).
    Rule,
    /// It falls in a month locked for payroll (`schema::PERIOD_LOCKS`).
    PeriodLocked,
    /// Any code a newer server sends that this build does not know.
    #[serde(other)]
    Other,
}

impl RefusalCode {
    /// Every code, each at its own discriminant (`ALL[code as usize] == code`), so a code
    /// fits in a byte where a server keeps answers compactly.
    pub const ALL: [RefusalCode; 9] = [
        RefusalCode::RegionForbidden,
        RefusalCode::IdTaken,
        RefusalCode::InvalidRegion,
        RefusalCode::UnknownTable,
        RefusalCode::InvalidFields,
        RefusalCode::Deleted,
        RefusalCode::Rule,
        RefusalCode::PeriodLocked,
        RefusalCode::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RefusalCode::RegionForbidden => "region_forbidden",
            RefusalCode::IdTaken => "id_taken",
            RefusalCode::InvalidRegion => "invalid_region",
            RefusalCode::UnknownTable => "unknown_table",
            RefusalCode::InvalidFields => "invalid_fields",
            RefusalCode::Deleted => "deleted",
            RefusalCode::Rule => "rule",
            RefusalCode::PeriodLocked => "period_locked",
            RefusalCode::Other => "other",
        }
    }

    pub fn parse(code: &str) -> RefusalCode {
        serde_json::from_value(Value::String(code.to_string())).unwrap_or(RefusalCode::Other)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushResponse {
    pub outcomes: Vec<Outcome>,
    /// The server's epoch (absent from servers older than epochs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
}

/// A row as the server holds it: the canonical state every device converges to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowState {
    pub table: String,
    pub id: Uuid,
    pub region: String,
    /// The change-log sequence number of the row's latest change.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    #[serde(default)]
    pub deleted_at: Option<String>,
    pub fields: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldConflict {
    pub field: String,
    /// The value the server had, which the later change replaced.
    pub server_value: Value,
    /// The value of the later change, now in the row.
    pub device_value: Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Change {
    pub seq: i64,
    pub row: RowState,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChangesPage {
    pub changes: Vec<Change>,
    /// The cursor to ask from next time: the last seq in this page (past the device's own
    /// changes left out at the end), or `since` when there is nothing after it.
    pub next_since: i64,
    pub has_more: bool,
    /// The server's epoch (absent from servers older than epochs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
    /// On the last page: the open conflicts of the device's scope, so that a sync with nothing
    /// to send or receive is one request (absent from older servers: ask `/sync/conflicts`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<Vec<ConflictRecord>>,
}

/// A row a device holds that a restored server may have lost: its state as the device has it and
/// the version it had in the server's previous epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejoinRow {
    pub table: String,
    pub row_id: Uuid,
    pub region: String,
    pub deleted: bool,
    #[serde(default)]
    pub fields: Map<String, Value>,
    /// The row's version before the restore; the higher of two devices' copies wins.
    pub old_version: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejoinRequest {
    pub rows: Vec<RejoinRow>,
}

/// One answer per row, in order; `mutation_id` is the row's index in the request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RejoinResponse {
    pub outcomes: Vec<Outcome>,
}

/// A conflict the server recorded, as managers review it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictRecord {
    pub id: i64,
    pub table: String,
    pub row_id: Uuid,
    pub region: String,
    pub field: String,
    pub server_value: Value,
    pub device_value: Value,
    pub created_at: String,
    #[serde(default)]
    pub resolved_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrollResponse {
    pub device_id: Uuid,
    pub token: String,
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
    /// The id namespaces of the regions this device may import legacy rows into: its own region's,
    /// or, for an administrator's device, those of every region the server knows. Empty from a
    /// server older than id namespaces.
    #[serde(default)]
    pub id_namespaces: IdNamespaces,
}

/// `POST /sync/id-namespaces`: the namespaces of regions a device needs and lacks, such as a region
/// an administrator's device meets in a legacy file after it was enrolled.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdNamespacesRequest {
    pub regions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdNamespacesResponse {
    pub id_namespaces: IdNamespaces,
}

/// Every 4xx/5xx body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
    #[serde(flatten)]
    pub detail: ErrorDetail,
}

/// What a device needs to recover by itself from the refusals it can mend: a restored server
/// (`epoch_changed`) and a restored PC reusing mutation ids (`mutation_replayed`) or skipping
/// some (`mutation_gap`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// The server's current epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
    /// The last change the device's epoch and the server's share: versions up to it are the
    /// same in both (the backup's head when the server was restored once since the device
    /// synced; lower when the device comes from another branch of restores).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch_base_seq: Option<i64>,
    /// The device's last mutation id the server has applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_mutation_id: Option<i64>,
    /// Where the device's renumbering starts: the first mutation id of the request that the
    /// server cannot take under its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replayed_mutation_id: Option<i64>,
    /// Every id of the request at or below `last_mutation_id` that the server knows with other
    /// content: the device gives those, and every id after `last_mutation_id`, new ids, and
    /// keeps the rest, which the server answers as it did. Empty from a server that names only
    /// the first; the device then renumbers everything from `replayed_mutation_id` on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replayed_mutation_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableCount {
    pub table: String,
    pub region: String,
    pub rows: i64,
    pub deleted: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceStatus {
    pub device_id: Uuid,
    pub name: String,
    pub region: String,
    pub revoked: bool,
    pub last_push_at: Option<String>,
    pub last_pull_at: Option<String>,
    pub last_mutation_id: i64,
    pub cursor: i64,
    /// Changes in the device's scope it has not pulled yet.
    pub lag: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusResponse {
    pub head_seq: i64,
    pub tables: Vec<TableCount>,
    pub devices: Vec<DeviceStatus>,
}

/// What one sync run did, as `rainstaff sync` prints it and the toolbar's tooltip shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncReport {
    pub pushed: u64,
    pub pulled: u64,
    pub conflicts: u64,
    /// Changes the server refused in this run.
    pub rejected: u64,
    /// Refused changes parked on this PC after the run, waiting for a manager.
    #[serde(default)]
    pub refused: u64,
    /// Changes still waiting to be sent after the run.
    #[serde(default)]
    pub pending: u64,
    /// The server was restored from a backup and this PC rejoined it in this run.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rejoined: bool,
    /// This PC held nothing and took the server's snapshot file instead of pulling every change.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_snapshot: bool,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub duration_ms: u64,
}

/// True when a device of `device_region` may read or write a row of `row_region`.
pub fn in_scope(device_region: &str, row_region: &str) -> bool {
    device_region == ALL_REGIONS || device_region == row_region
}

/// True when a device of `device_region` receives a row of `table` in `row_region`: the rows in
/// its scope, and every region's company-wide rows (`TableSpec::company_wide`), which only an
/// all-regions device writes.
pub fn receives(device_region: &str, table: &str, row_region: &str) -> bool {
    in_scope(device_region, row_region)
        || (row_region == ALL_REGIONS && crate::schema::table(table).is_some_and(|t| t.company_wide()))
}
