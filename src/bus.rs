//! The vocabulary the actors speak: the commands screens send to the worker, the events that come
//! back, the sync thread's status and requests. It sits below the worker, the sync thread and the
//! screens so that each imports it and none imports another. Failures name their `Topic`, an
//! enum, so a screen that shows a failure in place matches on a variant the compiler checks.

use std::path::PathBuf;

use chrono::{DateTime, Local};
use rainstaff_core::protocol::SyncReport;
use rainstaff_core::schema::TableSpec;
use rainstaff_core::validate::FieldError;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::db::edits::SaveOptions;
use crate::db::sync::SyncError;
use crate::db::users::{Role, User};
use crate::message::Message;

/// Wakes the UI when an event is waiting (a repaint); does nothing without a UI.
#[derive(Clone, Default)]
pub struct Notifier(Option<egui::Context>);

impl Notifier {
    pub fn new(ctx: egui::Context) -> Self {
        Notifier(Some(ctx))
    }

    pub fn wake(&self) {
        if let Some(ctx) = &self.0 {
            ctx.request_repaint();
        }
    }
}

/// What a screen asks of the worker. The worker runs it as the person signed in (its session,
/// set by the result of SignIn or CreateFirstAdmin), after `policy::allowed` says they may.
pub enum Command {
    CreateFirstAdmin {
        username: String,
        password: String,
    },
    SignIn {
        username: String,
        password: String,
    },
    /// Ends the session: the worker runs nothing more until somebody signs in.
    SignOut,
    Save {
        table: &'static TableSpec,
        id: Option<Uuid>,
        region: String,
        fields: Map<String, Value>,
        options: SaveOptions,
    },
    Delete {
        table: &'static TableSpec,
        id: Uuid,
    },
    /// Brings back a record this session deleted (`Store::undo_delete`).
    UndoDelete {
        table: &'static TableSpec,
        id: Uuid,
    },
    /// One row of the week grid: `employee`'s changed days in `region`, all or none
    /// (`Store::save_week_row`). Answers with WeekRowSaved.
    SaveWeekRow {
        region: String,
        employee: Uuid,
        days: Vec<crate::db::week::DayCell>,
    },
    /// An administrator moves a record to another region (see `Store::move_record`).
    MoveRegion {
        table: &'static TableSpec,
        id: Uuid,
        region: String,
    },
    CreateUser {
        username: String,
        password: String,
        role: Role,
        region: String,
    },
    SetPassword {
        id: Uuid,
        password: String,
    },
    SetUserActive {
        id: Uuid,
        active: bool,
    },
    /// An administrator gives an account another role and region.
    SetUserRole {
        id: Uuid,
        role: Role,
        region: String,
    },
    ChangeOwnPassword {
        old: String,
        new: String,
    },
    SetSetting {
        key: String,
        value: String,
    },
    /// Seeds the signed-in person's region with the usual shift templates, once.
    SeedTemplates,
    /// Copies last week's shifts into the week of `week_start`; with `preview`, only says how
    /// many would be copied and skipped (`Event::WeekPreview`).
    CopyLastWeek {
        region: String,
        employee: Option<Uuid>,
        week_start: chrono::NaiveDate,
        preview: bool,
    },
    BackupNow,
    Restore {
        path: PathBuf,
    },
    SyncNow,
    Enroll {
        server: String,
        code: String,
        name: String,
    },
    ResolveConflict {
        id: i64,
        keep_server_value: bool,
    },
    /// Puts a refused change back among those waiting, with its record as it is now.
    ResendRefused {
        id: i64,
    },
    /// Drops a refused change; its record takes the server's version again.
    DiscardRefused {
        id: i64,
    },
    /// A legacy file: `region` is the one the dialog names (None: this PC's region decides).
    ImportLegacy {
        path: PathBuf,
        region: Option<String>,
        dry_run: bool,
    },
    /// The office's spreadsheet of `kind` into `region`; with `dry_run` only what it would do.
    /// Answers with SheetImported, its report's messages in `lang`.
    ImportSheet {
        kind: crate::sheet_import::Kind,
        path: PathBuf,
        region: String,
        dry_run: bool,
        lang: crate::i18n::Lang,
    },
    /// Computes and writes a month report; answers with ReportProgress (0 to 1) while it runs,
    /// then ReportDone or Failed.
    ExportReport {
        request: crate::report::ReportRequest,
    },
    /// Computes a month's figures for the month-end view; answers with MonthEnd or Failed.
    MonthEnd {
        selection: rainstaff_report::Selection,
    },
    /// Writes a vehicle's card or weekly report; answers with ReportDone or Failed. `region` is
    /// the vehicle's, which the policy checks and the worker holds the vehicle to.
    ExportVehicle {
        request: crate::report::VehicleExport,
        region: String,
    },
    /// Approves, locks or unlocks a region's month for payroll, or approves a week
    /// (`schema::PERIOD_STATES`); an unlock says why.
    SetPeriod {
        region: String,
        period: String,
        state: &'static str,
        reason: Option<String>,
    },
    AddHoliday {
        day: rainstaff_core::hours::HolidayDay,
    },
    RemoveHoliday {
        date: chrono::NaiveDate,
    },
    /// Writes the user guide into the data folder; answers with HelpReady and its URL.
    WriteHelp,
}

impl Command {
    /// The topic a refusal or failure of this command is shown under.
    pub fn topic(&self) -> Topic {
        use Command::*;
        match self {
            CreateFirstAdmin { .. } | SignIn { .. } | SignOut => Topic::SignIn,
            Save { .. } | SaveWeekRow { .. } | Delete { .. } | UndoDelete { .. } | MoveRegion { .. } => {
                Topic::Records
            }
            CreateUser { .. } | SetPassword { .. } | SetUserActive { .. } | SetUserRole { .. } => {
                Topic::Users
            }
            ChangeOwnPassword { .. } => Topic::Password,
            SetSetting { .. } => Topic::Settings,
            SeedTemplates => Topic::Templates,
            CopyLastWeek { .. } => Topic::CopyWeek,
            BackupNow => Topic::Backup,
            Restore { .. } => Topic::Restore,
            SyncNow => Topic::Sync,
            Enroll { .. } => Topic::Enroll,
            ResolveConflict { .. } => Topic::Conflicts,
            ResendRefused { .. } | DiscardRefused { .. } => Topic::Refused,
            ImportLegacy { .. } => Topic::Import,
            ImportSheet { .. } => Topic::Sheet,
            ExportReport { .. } | ExportVehicle { .. } => Topic::Report,
            MonthEnd { .. } | SetPeriod { .. } => Topic::MonthEnd,
            AddHoliday { .. } | RemoveHoliday { .. } => Topic::Holidays,
            WriteHelp => Topic::Help,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Event {
    SignedIn(User),
    AuthFailed(Message),
    Saved {
        table: &'static str,
        id: Uuid,
    },
    /// A record was deleted; `title` is how the office knows it (for the undo offer).
    Deleted {
        table: &'static str,
        id: Uuid,
        title: String,
    },
    /// The delete of record `id` was undone (the record may have a new id now: the store says
    /// when, the undo list only needs to drop the delete).
    Restored {
        id: Uuid,
    },
    Invalid {
        table: &'static str,
        errors: Vec<FieldError>,
    },
    Failed {
        topic: Topic,
        message: Message,
    },
    Info(Message),
    /// The store failed the worker's check at start: the worker stopped, and nothing was written.
    Damaged(Box<crate::db::health::Damage>),
    DataChanged,
    Sync(SyncStatus),
    Enrolled {
        region: String,
    },
    ImportPreview(rainstaff_legacy::ImportReport),
    Imported(rainstaff_legacy::ImportReport),
    ReportProgress(f32),
    ReportDone(PathBuf),
    MonthEnd(rainstaff_report::MonthReport),
    /// What importing a spreadsheet did (or, with `dry_run`, would do).
    SheetImported {
        dry_run: bool,
        outcome: crate::db::edits::SheetOutcome,
    },
    /// A week-grid row saved (how many shifts were written or deleted), or its refusals by day.
    WeekRowSaved {
        employee: Uuid,
        result: Result<usize, Vec<crate::db::week::DayError>>,
    },
    /// What copying last week would do: (copied, skipped).
    WeekPreview {
        copied: usize,
        skipped: usize,
    },
    HelpReady(String),
}

/// What a failure was about, so the screen concerned can show it beside its own controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    SignIn,
    /// Saving, deleting or moving a record.
    Records,
    Users,
    Password,
    Settings,
    Templates,
    CopyWeek,
    Backup,
    Restore,
    Help,
    Sync,
    Enroll,
    Holidays,
    Import,
    /// Importing the office's spreadsheet.
    Sheet,
    Conflicts,
    Refused,
    Report,
    MonthEnd,
}

/// What the toolbar indicator knows about sync.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncPhase {
    NotSetUp,
    Idle,
    Syncing,
    Offline { retry_at: DateTime<Local> },
    Failed(SyncError),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SyncStatus {
    pub phase: SyncPhase,
    pub last_success: Option<DateTime<Local>>,
    pub last_report: Option<SyncReport>,
}

pub enum SyncRequest {
    Run,
    Enroll { server: String, code: String, name: String },
}
