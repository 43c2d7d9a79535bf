//! The deterministic simulation of shared/spec/sync.md: the real server service on its real
//! SQLite store, several real desktop stores running the real sync routine, a seeded scheduler,
//! and a transport that drops, duplicates, delays and replays requests and responses, with
//! crashes of the server and of the PCs between any two of their transactions, a server restored
//! from an older backup, a PC restored from an older file copy, changes the server refuses (of
//! every kind) that a manager resends or discards, and conflicts a manager resolves. After every
//! seed the invariants are checked.
//!
//! CI runs `SIM_SEEDS` seeds (default 2000) from `SIM_START` (default 1). A failing seed prints
//! the one-line command that replays it alone. Millions, locally:
//! `SIM_SEEDS=1000000 cargo test --release --test sync_sim`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rainstaff::db::Store;
use rainstaff::db::edits::SaveOptions;
use rainstaff::db::rows::{self, LocalRow};
use rainstaff::db::sync::{SyncError, Transport, sync_once};
use rainstaff::db::users::{Role, User};
use rainstaff_core::protocol::{
    ALL_REGIONS, ChangesPage, ConflictRecord, EnrollRequest, ErrorBody, MAX_BATCH, Mutation, Op,
    OutcomeStatus, PushRequest, PushResponse, RefusalCode, RejoinRequest, RejoinResponse, RowState, receives,
};
use rainstaff_core::schema::{
    self, DRIVERS, EMPLOYEES, LEAVES, SHIFT_TEMPLATES, TIMESHEETS, TableSpec, VEHICLE_FAULTS,
    VEHICLE_INSPECTIONS, VEHICLE_SERVICE_VISITS, VEHICLES,
};
use rainstaff_server::http::ApiError;
use rainstaff_server::store::sqlite::restore;
use rainstaff_server::{Server, ServiceError};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};
use uuid::Uuid;

const REGIONS: [&str; 2] = ["Ankara", "Izmir"];

/// How hostile the network and the machines are in one seed.
#[derive(Debug, Clone, Copy)]
struct Faults {
    drop_request: f64,
    drop_response: f64,
    duplicate: f64,
    delay: f64,
    server_crash: f64,
}

impl Faults {
    fn random(rng: &mut StdRng) -> Faults {
        let p = |rng: &mut StdRng| if rng.gen_bool(0.3) { 0.0 } else { rng.gen_range(0.0..0.25) };
        Faults {
            drop_request: p(rng),
            drop_response: p(rng),
            duplicate: p(rng),
            delay: p(rng),
            server_crash: p(rng) / 2.0,
        }
    }

    const NONE: Faults =
        Faults { drop_request: 0.0, drop_response: 0.0, duplicate: 0.0, delay: 0.0, server_crash: 0.0 };
}

struct Pc {
    path: PathBuf,
    store: Store,
    token: String,
    region: String,
    /// The highest server version this PC has seen of each row (monotonic reads), in the
    /// server's current epoch and since the PC's store was last put back from a copy.
    seen: HashMap<Uuid, i64>,
    /// The manager who works on this PC: resends, discards, resolves and saves through the
    /// store's own rules.
    manager: User,
    /// Copies of the PC's store that IT may put back later, any of them: a copy taken while a
    /// change waited, put back after a sync renumbered that change, sends it again under an id
    /// it no longer has.
    copies: Vec<PathBuf>,
    /// The server epoch the PC synced with last, and its rejoin marker.
    epoch: [Option<String>; 2],
    /// The changes made on this PC, each counted once: the outbox ids its own writes gave out.
    /// A renumbering (in a sync) or a copy put back moves the outbox's counter and makes none.
    made: i64,
    /// Whether every change made here reached the server or is still on the way: none was lost
    /// with a live file a copy was put back over.
    none_lost: bool,
}

impl Pc {
    /// The last outbox id this PC gave out.
    fn outbox_counter(&self) -> i64 {
        self.store
            .test_connection()
            .query_row(
                "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0)",
                [],
                |r| r.get(0),
            )
            .unwrap()
    }
}

struct World {
    rng: StdRng,
    faults: Faults,
    server_path: PathBuf,
    server: Server,
    pcs: Vec<Pc>,
    observer: String,
    /// Push requests held back by the network, delivered (again) later, with the token and the
    /// epoch they were sent with.
    delayed: Vec<(String, Option<String>, PushRequest)>,
    applied: AppliedOnce,
    /// A device of the first region that pushes behind any client's back (trespass), and its
    /// next mutation id.
    rogue: String,
    rogue_next: i64,
    /// Backups of the server that IT may restore.
    backups: Vec<PathBuf>,
    /// What kind of restore this seed may do: 0 none, 1 the server's, 2 a PC's.
    restores: u8,
    /// Set once a restore happened: counts that hold only for one unbroken history are skipped.
    restored: bool,
    dir: PathBuf,
    /// Every row id a PC created.
    created: HashSet<Uuid>,
    /// Rows some PC saw deleted by the server.
    /// Rows some PC saw deleted by the server, with the region they were deleted in (a row an
    /// administrator moved away is deleted in its old region and lives on in the new one).
    deleted_seen: HashSet<(Uuid, String)>,
    /// The server must restart before the next request.
    server_crashed: bool,
    trace: Vec<String>,
}

/// What the client would read from the wire: the service's error as the HTTP layer answers it.
fn api_to_sync(e: ServiceError) -> SyncError {
    let e = ApiError::from(e);
    let body = ErrorBody {
        error: e.code.to_string(),
        message: e.message,
        detail: e.detail.map(|d| *d).unwrap_or_default(),
    };
    SyncError::from_response(e.status.as_u16(), &body)
}

struct SimTransport<'a> {
    server: &'a Server,
    token: &'a str,
    rng: &'a mut StdRng,
    faults: Faults,
    delayed: &'a mut Vec<(String, Option<String>, PushRequest)>,
    applied: &'a mut AppliedOnce,
    server_crashed: &'a mut bool,
}

/// The changes the server applied afresh, by device: each change's first id and content, as the
/// server tells a change sent again (`Mutation::renumbered_from`). One met twice was applied
/// twice, as when a PC put back from a copy taken before a renumbering sent it again and the
/// server took it for new. A server restore forgets what it applied after the backup: those are
/// applied again, rightly, and so are forgotten here too.
#[derive(Default)]
struct AppliedOnce(HashMap<Uuid, HashSet<String>>);

impl AppliedOnce {
    /// `server.push`, noting what it applied afresh: the ids past the device's last applied one
    /// before it, up to its last after (a push applies new ids in order, one after another).
    fn push(
        &mut self,
        server: &Server,
        token: &str,
        epoch: Option<&str>,
        request: &PushRequest,
    ) -> Result<PushResponse, ServiceError> {
        let device = server.authenticate(token)?;
        server.check_epoch(epoch)?;
        let before = device.last_mutation_id.unwrap_or(0);
        let response = server.push(&device, request.clone())?;
        let after = server.authenticate(token)?.last_mutation_id.unwrap_or(0);
        let applied = self.0.entry(device.id).or_default();
        for m in request.mutations.iter().filter(|m| m.mutation_id > before && m.mutation_id <= after) {
            let first = m.renumbered_from.unwrap_or(m.mutation_id);
            let key =
                serde_json::to_string(&Mutation { mutation_id: first, renumbered_from: None, ..m.clone() })
                    .unwrap();
            assert!(applied.insert(key), "mutation {} (first sent as {first}) applied twice", m.mutation_id);
        }
        Ok(response)
    }
}

impl SimTransport<'_> {
    fn offline() -> SyncError {
        SyncError::Offline("simulated network failure".into())
    }

    /// Runs one request through the faulty network. `call` reaches the server (maybe twice).
    fn exchange<T>(
        &mut self,
        mut call: impl FnMut(&Server) -> Result<T, ServiceError>,
    ) -> Result<T, SyncError> {
        if *self.server_crashed || self.rng.gen_bool(self.faults.drop_request) {
            return Err(Self::offline());
        }
        let first = call(self.server);
        if self.rng.gen_bool(self.faults.duplicate) {
            // The same request arrives twice; the client sees one of the answers.
            let second = call(self.server);
            if self.rng.gen_bool(0.5) {
                return second.map_err(api_to_sync);
            }
        }
        if self.rng.gen_bool(self.faults.server_crash) {
            // The server committed and died before answering.
            *self.server_crashed = true;
            return Err(Self::offline());
        }
        if self.rng.gen_bool(self.faults.drop_response) {
            return Err(Self::offline());
        }
        first.map_err(api_to_sync)
    }
}

impl Transport for SimTransport<'_> {
    async fn push(
        &mut self,
        epoch: Option<&str>,
        request: &PushRequest,
    ) -> Result<(PushResponse, u64, u64), SyncError> {
        if self.rng.gen_bool(self.faults.delay) {
            self.delayed.push((self.token.to_string(), epoch.map(str::to_string), request.clone()));
        }
        let token = self.token.to_string();
        // Out of `self` while `exchange` has it (put back before anything can fail).
        let mut applied = std::mem::take(self.applied);
        let response = self.exchange(|s| applied.push(s, &token, epoch, request));
        *self.applied = applied;
        let response = response?;
        Ok((response, 0, 0))
    }

    async fn changes(
        &mut self,
        epoch: Option<&str>,
        since: i64,
        limit: usize,
        answered: Option<i64>,
    ) -> Result<(ChangesPage, u64, u64), SyncError> {
        let token = self.token.to_string();
        let page = self.exchange(|s| {
            let device = s.authenticate(&token)?;
            s.check_epoch(epoch)?;
            s.changes(&device, since, Some(limit), answered)
        })?;
        Ok((page, 0, 0))
    }

    async fn rejoin(
        &mut self,
        epoch: &str,
        request: &RejoinRequest,
    ) -> Result<(RejoinResponse, u64, u64), SyncError> {
        let token = self.token.to_string();
        let response = self.exchange(|s| {
            let device = s.authenticate(&token)?;
            s.check_epoch(Some(epoch))?;
            s.rejoin(&device, request.clone())
        })?;
        Ok((response, 0, 0))
    }

    async fn download(&mut self) -> Result<(Vec<u8>, u64, u64), SyncError> {
        let token = self.token.to_string();
        let file = self.exchange(|s| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("snapshot.db");
            s.snapshot(&s.authenticate(&token)?, &path)?;
            Ok(std::fs::read(&path).unwrap())
        })?;
        Ok((file, 0, 0))
    }

    async fn conflicts(&mut self) -> Result<(Vec<ConflictRecord>, u64, u64), SyncError> {
        let token = self.token.to_string();
        Ok((self.exchange(|s| s.conflicts(&s.authenticate(&token)?, false))?, 0, 0))
    }

    async fn resolve_conflict(&mut self, id: i64) -> Result<(u64, u64), SyncError> {
        let token = self.token.to_string();
        self.exchange(|s| s.resolve_conflict(&s.authenticate(&token)?, id))?;
        Ok((0, 0))
    }
}

fn enroll(server: &Server, region: &str, name: &str) -> String {
    let code = server.create_enroll_code(region).unwrap().code;
    server.enroll(EnrollRequest { code, name: name.into() }).unwrap().token
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> Option<&'a T> {
    items.choose(rng)
}

impl World {
    fn new(seed: u64, dir: &Path) -> World {
        let mut rng = StdRng::seed_from_u64(seed);
        let faults = Faults::random(&mut rng);
        let server_path = dir.join("server.db");
        let server = Server::open(&server_path).unwrap();
        let observer = enroll(&server, ALL_REGIONS, "observer");
        let rogue = enroll(&server, REGIONS[0], "rogue");
        let restores = match rng.gen_range(0..10) {
            0..6 => 0,
            6..8 => 1,
            _ => 2,
        };
        // An administrator's PC and two to five office PCs.
        let count = rng.gen_range(3..=6);
        let mut pcs = Vec::new();
        for i in 0..count {
            // The first PC is the administrator's; the rest split over the two regions.
            let region = if i == 0 { ALL_REGIONS } else { REGIONS[i % 2] };
            let path = dir.join(format!("pc{i}.db"));
            let token = enroll(&server, region, &format!("pc{i}"));
            let store = Store::open(&path).unwrap();
            store.set_sync_state(rainstaff::db::sync::REGION_KEY, region).unwrap();
            let role = if i == 0 { Role::Admin } else { Role::Manager };
            let manager = User {
                id: Uuid::from_u128(i as u128 + 1),
                username: format!("müdür{i}"),
                role,
                region: region.into(),
                active: true,
                needs_password: false,
            };
            store.act_as(Some(&manager.username)).unwrap();
            pcs.push(Pc {
                store,
                path,
                token,
                region: region.into(),
                seen: HashMap::new(),
                manager,
                copies: Vec::new(),
                epoch: [None, None],
                made: 0,
                none_lost: true,
            });
        }
        World {
            rng,
            faults,
            server_path,
            server,
            pcs,
            observer,
            delayed: Vec::new(),
            applied: AppliedOnce::default(),
            rogue,
            rogue_next: 1,
            backups: Vec::new(),
            restores,
            restored: false,
            dir: dir.to_path_buf(),
            created: HashSet::new(),
            deleted_seen: HashSet::new(),
            server_crashed: false,
            trace: Vec::new(),
        }
    }

    fn restart_server(&mut self) {
        self.trace.push("server restarts".into());
        // Dropping the old service closes its database first, as a killed process would.
        let fresh = Server::open(&self.server_path).unwrap();
        self.server = fresh;
        self.server_crashed = false;
    }

    fn live(&self, pc: usize, table: &TableSpec) -> Vec<LocalRow> {
        rows::select(self.pcs[pc].store.test_connection(), table, "1", &[]).unwrap()
    }

    fn new_id(&mut self) -> Uuid {
        let id = uuid::Builder::from_random_bytes(self.rng.r#gen()).into_uuid();
        self.created.insert(id);
        id
    }

    fn region_for(&mut self, pc: usize) -> String {
        let region = self.pcs[pc].region.clone();
        if region == ALL_REGIONS { pick(&mut self.rng, &REGIONS).unwrap().to_string() } else { region }
    }

    /// One local change, in one transaction with its outbox entry, as the screens make them.
    fn local_edit(&mut self, pc: usize) {
        let employees = self.live(pc, &EMPLOYEES);
        let shifts = self.live(pc, &TIMESHEETS);
        let choice = self.rng.gen_range(0..10);
        let words = ["Şef", "Usta", "Müdür", "Çırak", "İşçi", "Ölçümcü"];
        let (table, id, region, fields, delete): (&TableSpec, Uuid, String, Value, bool) = match choice {
            0 => {
                let region = self.region_for(pc);
                let id = self.new_id();
                let n = self.rng.gen_range(0..1000);
                (
                    &EMPLOYEES,
                    id,
                    region,
                    json!({"full_name": format!("PERSONEL {n}"), "active": true,
                    "contract_kind": "full_time", "weekly_minutes": 2700, "break_policy": "statutory"}),
                    false,
                )
            }
            1 | 2 if !employees.is_empty() => {
                let e = pick(&mut self.rng, &employees).unwrap().clone();
                let field = *pick(&mut self.rng, &["title", "department", "full_name"]).unwrap();
                let value = pick(&mut self.rng, &words).unwrap().to_string();
                let mut f = Map::new();
                f.insert(field.into(), Value::String(value));
                (&EMPLOYEES, e.id, e.region, Value::Object(f), false)
            }
            3 if !employees.is_empty() => {
                let e = pick(&mut self.rng, &employees).unwrap().clone();
                let id = self.new_id();
                let day = self.rng.gen_range(1..28);
                let start = *pick(&mut self.rng, &["08:00", "09:30", "22:00"]).unwrap();
                (
                    &TIMESHEETS,
                    id,
                    e.region,
                    json!({"employee_id": e.id.to_string(), "work_date": format!("2026-02-{day:02}"),
                    "start_time": start, "end_time": "17:00", "break_minutes": 30, "special_day": false, "note": null}),
                    false,
                )
            }
            4 if !shifts.is_empty() => {
                let s = pick(&mut self.rng, &shifts).unwrap().clone();
                let note = pick(&mut self.rng, &words).unwrap().to_string();
                let brk = self.rng.gen_range(0..4) * 15;
                (&TIMESHEETS, s.id, s.region, json!({"note": note, "break_minutes": brk}), false)
            }
            5 if !shifts.is_empty() || !employees.is_empty() => {
                let r = if shifts.is_empty() || self.rng.gen_bool(0.3) && !employees.is_empty() {
                    (&EMPLOYEES, pick(&mut self.rng, &employees).unwrap().clone())
                } else {
                    (&TIMESHEETS, pick(&mut self.rng, &shifts).unwrap().clone())
                };
                (r.0, r.1.id, r.1.region, json!({}), true)
            }
            6 => return self.save_through_rules(pc, &employees, &shifts),
            7 => return self.fleet_edit(pc),
            8 => return self.refused_kind(pc),
            9 => return self.undo_delete(pc),
            _ => return,
        };
        self.trace.push(format!(
            "pc{pc} {} {} {id} {fields}",
            if delete { "deletes" } else { "writes" },
            table.name
        ));
        let store = &mut self.pcs[pc].store;
        let tx = store.test_connection().unchecked_transaction().unwrap();
        if delete {
            rows::delete(&tx, table, id).unwrap();
        } else {
            rows::save(&tx, table, id, &region, fields.as_object().unwrap()).unwrap();
        }
        tx.commit().unwrap();
    }

    /// A change written the way a screen writes it: through the store's own validation and the
    /// rules that need other rows (an overlapping shift is refused locally, as on screen).
    fn save_through_rules(&mut self, pc: usize, employees: &[LocalRow], shifts: &[LocalRow]) {
        let user = self.pcs[pc].manager.clone();
        let (table, id, region, fields) = if !employees.is_empty() && self.rng.gen_bool(0.6) {
            let e = pick(&mut self.rng, employees).unwrap().clone();
            let day = self.rng.gen_range(1..28);
            let start = *pick(&mut self.rng, &["07:00", "13:00", "20:00"]).unwrap();
            let fields = json!({"employee_id": e.id.to_string(), "work_date": format!("2026-03-{day:02}"),
                "start_time": start, "end_time": "23:00", "break_minutes": 60, "special_day": false});
            (&TIMESHEETS, None, e.region, fields)
        } else if let Some(s) = pick(&mut self.rng, shifts).cloned() {
            let brk = self.rng.gen_range(0..5) * 15;
            (&TIMESHEETS, Some(s.id), s.region, json!({"break_minutes": brk}))
        } else {
            return;
        };
        let fields = fields.as_object().unwrap().clone();
        let result =
            self.pcs[pc].store.save_record(&user, table, id, &region, fields, SaveOptions::default());
        if let Ok(saved) = &result {
            self.created.insert(*saved);
        }
        self.trace.push(format!("pc{pc} saves a {} through the rules: {}", table.name, result.is_ok()));
    }

    /// A manager undoes a delete, as the records screens offer: a delete still waiting is turned
    /// back in its outbox entry; one a push took brings the record back under a new id.
    fn undo_delete(&mut self, pc: usize) {
        let deleted: Vec<(&'static TableSpec, Uuid)> = [&EMPLOYEES, &TIMESHEETS]
            .into_iter()
            .flat_map(|table| {
                let conn = self.pcs[pc].store.test_connection();
                let sql = format!("SELECT id FROM {} WHERE deleted_at IS NOT NULL", table.name);
                let mut stmt = conn.prepare(&sql).unwrap();
                let ids: Vec<Uuid> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
                ids.into_iter().map(move |id| (table, id))
            })
            .collect();
        let Some(&(table, id)) = pick(&mut self.rng, &deleted) else { return };
        let user = self.pcs[pc].manager.clone();
        let result = self.pcs[pc].store.undo_delete(&user, table, id);
        if let Ok(now) = &result {
            self.created.insert(*now);
        }
        self.trace.push(format!("pc{pc} undoes the delete of {} {id}: {result:?}", table.name));
    }

    /// A row of one of the fleet tables, so that every synced table travels.
    fn fleet_edit(&mut self, pc: usize) {
        let vehicles = self.live(pc, &VEHICLES);
        let drivers = self.live(pc, &DRIVERS);
        let faults = self.live(pc, &VEHICLE_FAULTS);
        let employees = self.live(pc, &EMPLOYEES);
        let id = self.new_id();
        let n = self.rng.gen_range(10..99);
        let vehicle = pick(&mut self.rng, &vehicles).cloned();
        let (table, region, fields): (&TableSpec, String, Value) = match (self.rng.gen_range(0..7), vehicle) {
            (0, _) => {
                let plate = rainstaff_core::validate::normalize_plate(&format!("06 ABC {n}")).unwrap();
                (
                    &VEHICLES,
                    self.region_for(pc),
                    json!({"plate": plate, "km": n * 1000, "oil_interval_km": 14000}),
                )
            }
            (1, _) => (
                &DRIVERS,
                self.region_for(pc),
                json!({"full_name": format!("SÜRÜCÜ {n}"), "license_class": "B"}),
            ),
            // The administrator's PC makes its templates for the whole company (drawing a region
            // all the same, so that every seed's other draws stay as they were).
            (2, _) => (
                &SHIFT_TEMPLATES,
                match self.region_for(pc) {
                    _ if self.pcs[pc].region == ALL_REGIONS => ALL_REGIONS.to_string(),
                    region => region,
                },
                json!({"name": format!("Vardiya {n}"), "start_time": "08:00", "end_time": "17:00", "break_minutes": 60}),
            ),
            (3, Some(v)) => (
                &VEHICLE_FAULTS,
                v.region,
                json!({"vehicle_id": v.id.to_string(), "title": "Fren sesi", "status": "open", "opened_date": "2026-02-03"}),
            ),
            (4, Some(v)) => {
                let fault = faults
                    .iter()
                    .find(|f| f.region == v.region && f.fields["vehicle_id"] == json!(v.id.to_string()));
                (
                    &VEHICLE_SERVICE_VISITS,
                    v.region,
                    json!({"vehicle_id": v.id.to_string(), "fault_id": fault.map(|f| f.id.to_string()),
                        "start_date": "2026-02-04", "cost": 1250.5, "reason": "Bakım"}),
                )
            }
            (5, Some(v)) => {
                let driver = drivers.iter().find(|d| d.region == v.region);
                (
                    &VEHICLE_INSPECTIONS,
                    v.region,
                    json!({"vehicle_id": v.id.to_string(), "driver_id": driver.map(|d| d.id.to_string()),
                        "inspection_date": format!("2026-02-{:02}", n % 28 + 1), "km": n * 1000, "results": r#"[{"item": "glass", "ok": true}]"#}),
                )
            }
            // A leave of a person this PC holds, on days another PC may give the person too: the
            // server refuses the second of two overlapping leaves, whichever PC sent it.
            (6, _) => {
                let Some(person) = pick(&mut self.rng, &employees).cloned() else { return };
                let first = n % 20 + 1;
                (
                    &LEAVES,
                    person.region,
                    json!({"employee_id": person.id.to_string(), "kind": "annual", "entered_by": "sim",
                        "first_day": format!("2026-02-{first:02}"), "last_day": format!("2026-02-{:02}", first + n % 3)}),
                )
            }
            _ => return,
        };
        self.trace.push(format!("pc{pc} writes {} {id} {fields}", table.name));
        let store = &mut self.pcs[pc].store;
        let tx = store.test_connection().unchecked_transaction().unwrap();
        rows::save(&tx, table, id, &region, fields.as_object().unwrap()).unwrap();
        tx.commit().unwrap();
    }

    /// A change the server must refuse, of one of the kinds it refuses per mutation, made behind
    /// the screens' back on a PC: another region's record, an id another region owns, fields
    /// out of their rules. It must be parked, and the rest of the PC's changes must flow.
    fn refused_kind(&mut self, pc: usize) {
        let region = self.pcs[pc].region.clone();
        if region == ALL_REGIONS || self.server_crashed {
            return;
        }
        let other = REGIONS.iter().find(|r| **r != region).unwrap().to_string();
        let employee = json!({"full_name": "REDDEDİLECEK", "active": true, "contract_kind": "full_time",
            "weekly_minutes": 2700, "break_policy": "statutory"});
        let (id, row_region, fields, kind) = match self.rng.gen_range(0..3) {
            0 => (self.new_id(), other, employee, "another region's record"),
            1 => {
                let taken = self
                    .server_rows()
                    .into_values()
                    .find(|r| r.table == "employees" && r.region != region && r.deleted_at.is_none());
                let Some(taken) = taken else { return };
                (taken.id, region.clone(), employee, "an id another region owns")
            }
            _ => {
                let mut bad = employee;
                bad["weekly_minutes"] = json!("çok");
                (self.new_id(), region.clone(), bad, "fields out of their rules")
            }
        };
        if rows::get(self.pcs[pc].store.test_connection(), &EMPLOYEES, id).unwrap().is_some() {
            return;
        }
        self.trace.push(format!("pc{pc} writes {kind}: employee {id}"));
        let store = &mut self.pcs[pc].store;
        let tx = store.test_connection().unchecked_transaction().unwrap();
        rows::save(&tx, &EMPLOYEES, id, &row_region, fields.as_object().unwrap()).unwrap();
        tx.commit().unwrap();
    }

    /// A manager works through the refused changes and conflicts of a PC.
    fn manage(&mut self, pc: usize) {
        let user = self.pcs[pc].manager.clone();
        let refused = self.pcs[pc].store.refused_changes(&user.region).unwrap();
        if let Some(change) = pick(&mut self.rng, &refused).cloned() {
            let resend = self.rng.gen_bool(0.3);
            self.trace.push(format!(
                "pc{pc} manager {} refused change of {} ({:?})",
                if resend { "resends" } else { "discards" },
                change.row_id,
                change.code
            ));
            let store = &mut self.pcs[pc].store;
            if resend {
                store.resend_refused(&user, change.id)
            } else {
                store.discard_refused(&user, change.id)
            }
            .unwrap();
        }
        let conflicts = self.pcs[pc].store.conflicts(&user.region).unwrap();
        if let Some(c) = pick(&mut self.rng, &conflicts).cloned() {
            let keep_server_value = self.rng.gen_bool(0.5);
            self.trace.push(format!(
                "pc{pc} manager resolves conflict {} keeping server value: {keep_server_value}",
                c.id
            ));
            // The record may have been deleted meanwhile: then there is nothing to resolve.
            let _ = self.pcs[pc].store.resolve_conflict(&user, c.id, keep_server_value);
        }
        // Payroll closes or reopens March, the month of the sim's shifts, while other PCs
        // edit it offline: their changes meet the lock on the server and are parked.
        if self.rng.gen_bool(0.3) {
            let region = self.region_for(pc);
            let state = *pick(&mut self.rng, &["approved", "locked", "locked", "unlocked"]).unwrap();
            let reason = (state == "unlocked").then_some("düzeltme");
            let result = self.pcs[pc].store.set_period(&user, &region, "2026-03", state, reason);
            if result.is_ok() {
                self.created.insert(schema::period_id(&region, "2026-03"));
            }
            self.trace.push(format!("pc{pc} sets 2026-03 of {region} {state}: {}", result.is_ok()));
        }
    }

    /// IT takes an online backup of the server.
    fn server_backup(&mut self) {
        if self.restores != 1 || self.server_crashed {
            return;
        }
        let path = self.dir.join(format!("server-backup-{}.db", self.backups.len()));
        self.server.backup_to(&path).unwrap();
        self.trace.push(format!("server backed up to {}", path.display()));
        self.backups.push(path);
    }

    /// IT restores the server from one of its backups, as docs/IT.md says: server stopped,
    /// `restore`, started again. Requests already on their way carry the old epoch.
    fn server_restore(&mut self) {
        let Some(backup) = pick(&mut self.rng, &self.backups).cloned() else { return };
        self.trace.push(format!("server restored from {}", backup.display()));
        self.applied = AppliedOnce::default();
        // Stopping the server closes its database.
        let idle = self.dir.join("idle-server.db");
        self.server = Server::open(&idle).unwrap();
        let restored =
            restore::restore(&self.server_path, &backup, &format!("{}", self.backups.len())).unwrap();
        self.trace.push(format!("  new epoch from seq {}", restored.base_seq));
        self.server = Server::open(&self.server_path).unwrap();
        self.server_crashed = false;
        self.restored = true;
    }

    /// IT copies a PC's data file aside (the PC keeps working).
    fn pc_copy(&mut self, pc: usize) {
        if self.restores != 2 {
            return;
        }
        let path = self.dir.join(format!("pc{pc}-copy-{}.db", self.pcs[pc].copies.len()));
        self.pcs[pc].store.backup_to(&path).unwrap();
        self.trace.push(format!("pc{pc} copied aside to {}", path.display()));
        self.pcs[pc].copies.push(path);
    }

    /// An older copy of a PC's data takes the live one's place: put in place by IT with the app
    /// closed, the PC's change numbers go back to the copy's; restored in the app, the PC keeps
    /// its numbering, and the numbers of what it made since the copy are missing from what it
    /// sends.
    fn pc_restore(&mut self, pc: usize) {
        let Some(copy) = pick(&mut self.rng, &self.pcs[pc].copies).cloned() else { return };
        // Sometimes the live file synced first: then every change made on it reached the server
        // and the count of changes applied must come out exact.
        let synced = self.rng.gen_bool(0.5) && self.sync(pc, Faults::NONE).is_ok();
        let waiting: i64 = (self.pcs[pc].store.test_connection())
            .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))
            .unwrap();
        self.pcs[pc].none_lost &= synced && waiting == 0;
        if self.rng.gen_bool(0.5) {
            self.trace.push(format!("pc{pc} restored from {} in the app", copy.display()));
            self.pcs[pc].store.restore_from(&copy).unwrap();
            self.pcs[pc].seen.clear();
            self.restored = true;
            return;
        }
        self.trace.push(format!("pc{pc} restored from {}", copy.display()));
        let path = self.pcs[pc].path.clone();
        self.pcs[pc].store = Store::open(&self.dir.join("idle-pc.db")).unwrap();
        for side in ["-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(side);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
        std::fs::copy(&copy, &path).unwrap();
        let store = Store::open(&path).unwrap();
        store.act_as(Some(&self.pcs[pc].manager.username)).unwrap();
        self.pcs[pc].store = store;
        self.pcs[pc].seen.clear();
        self.restored = true;
    }

    /// The audit entries a PC's own writes added (src/db/audit.rs) are rows it created too; until
    /// a sync acknowledges them they are the only entries there the server has not seen.
    fn note_audit_entries(&mut self, pc: usize) {
        let ids: Vec<Uuid> = {
            let conn = self.pcs[pc].store.test_connection();
            let mut stmt = conn.prepare("SELECT id FROM audit_entries WHERE server_version = 0").unwrap();
            stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
        };
        self.created.extend(ids);
    }

    fn sync(&mut self, pc: usize, faults: Faults) -> Result<(), SyncError> {
        self.note_audit_entries(pc);
        if self.server_crashed {
            self.restart_server();
        }
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let Pc { store, token, .. } = &mut self.pcs[pc];
        let mut transport = SimTransport {
            server: &self.server,
            token,
            rng: &mut self.rng,
            faults,
            delayed: &mut self.delayed,
            applied: &mut self.applied,
            server_crashed: &mut self.server_crashed,
        };
        let result = runtime.block_on(sync_once(store, &mut transport));
        self.trace.push(format!("pc{pc} syncs: {result:?}"));
        // A rejoin (finished, or under way when the run failed) takes the restored server's
        // versions, which count anew from the backup's head: versions compare within one epoch.
        let rejoining = ["epoch", "rejoin"].map(|key| self.pcs[pc].store.sync_state(key).unwrap());
        if rejoining != self.pcs[pc].epoch {
            self.pcs[pc].seen.clear();
            self.pcs[pc].epoch = rejoining;
        }
        self.check_monotonic(pc);
        result.map(|_| ())
    }

    /// A held-back push arrives late: its answer goes nowhere, and it must change nothing twice.
    fn deliver_delayed(&mut self) {
        if self.delayed.is_empty() || self.server_crashed {
            return;
        }
        let i = self.rng.gen_range(0..self.delayed.len());
        let (token, epoch, request) = self.delayed.swap_remove(i);
        let outcome = self.applied.push(&self.server, &token, epoch.as_deref(), &request);
        self.trace.push(format!("late push delivered: {:?}", outcome.map(|r| r.outcomes.len())));
    }

    fn crash_pc(&mut self, pc: usize) {
        self.trace.push(format!("pc{pc} crashes"));
        let path = self.pcs[pc].path.clone();
        // Whatever was not committed is gone; the file is reopened as after a restart.
        self.pcs[pc].store = Store::open(&path).unwrap();
    }

    /// A device writes another region's data behind any client's back: the server refuses that
    /// mutation alone, says why, reveals nothing of the other region and writes nothing.
    fn trespass(&mut self) {
        if self.server_crashed {
            return;
        }
        let device = self.server.authenticate(&self.rogue).unwrap();
        let before = self.head();
        let next = self.rogue_next;
        let other_region = REGIONS[1];
        let taken = self.server_rows().into_values().find(|r| r.region == other_region);
        let employee = json!({"full_name": "İZİNSİZ", "active": true, "contract_kind": "full_time",
            "weekly_minutes": 2700, "break_policy": "statutory"});
        let mut mutations = vec![Mutation {
            mutation_id: next,
            table: "employees".into(),
            row_id: Uuid::from_u128(7),
            region: other_region.to_string(),
            op: Op::Upsert,
            fields: employee.as_object().unwrap().clone(),
            base_version: 0,
            imported: false,
            renumbered_from: None,
        }];
        let mut expected = vec![RefusalCode::RegionForbidden];
        if let Some(taken) = taken {
            mutations.push(Mutation {
                mutation_id: next + 1,
                table: taken.table.clone(),
                row_id: taken.id,
                region: REGIONS[0].to_string(),
                op: Op::Delete,
                fields: Map::new(),
                base_version: 0,
                imported: false,
                renumbered_from: None,
            });
            expected.push(RefusalCode::IdTaken);
        }
        self.rogue_next += mutations.len() as i64;
        let response = self.server.push(&device, PushRequest { mutations }).unwrap();
        for (outcome, code) in response.outcomes.iter().zip(&expected) {
            assert_eq!(outcome.status, OutcomeStatus::Rejected, "{outcome:?}");
            assert_eq!(outcome.code, Some(*code), "{outcome:?}");
            assert!(outcome.row.is_none(), "a refusal revealed another region's row: {outcome:?}");
        }
        assert_eq!(self.head(), before, "a refused push wrote something");
    }

    fn head(&self) -> i64 {
        let token = self.observer.clone();
        let mut since = 0;
        loop {
            let page = self
                .server
                .changes(&self.server.authenticate(&token).unwrap(), since, Some(MAX_BATCH), None)
                .unwrap();
            since = page.next_since;
            if !page.has_more {
                return since;
            }
        }
    }

    fn check_monotonic(&mut self, pc: usize) {
        let mut all = Vec::new();
        for table in schema::TABLES {
            let mut stmt = self.pcs[pc]
                .store
                .test_connection()
                .prepare(&format!(
                    "SELECT id, server_version, deleted_at IS NOT NULL, region FROM {}",
                    table.name
                ))
                .unwrap();
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, Uuid>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, bool>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                })
                .unwrap();
            all.extend(rows.map(Result::unwrap));
        }
        for (id, version, deleted, region) in all {
            let seen = self.pcs[pc].seen.entry(id).or_insert(0);
            assert!(version >= *seen, "pc{pc} went back from version {seen} to {version} of {id}");
            *seen = version;
            // A deletion the server has acknowledged (nothing of it waits on this PC).
            let waiting: i64 = self.pcs[pc]
                .store
                .test_connection()
                .query_row(
                    "SELECT (SELECT count(*) FROM outbox WHERE row_id = ?1)
                          + (SELECT count(*) FROM refused_changes WHERE row_id = ?1)",
                    [id],
                    |r| r.get(0),
                )
                .unwrap();
            if deleted && version > 0 && waiting == 0 {
                self.deleted_seen.insert((id, region));
            }
        }
    }

    /// The server's rows as the latest state of each id in its change log.
    fn server_rows(&self) -> BTreeMap<Uuid, RowState> {
        self.server_rows_in(ALL_REGIONS)
    }

    /// The rows a device of `region` converges to: the latest state of each id among the changes
    /// of its scope, the company-wide rows included. A row an administrator moved away is its
    /// departure, a deleted row of the region, where the row's latest state lives in another.
    fn server_rows_in(&self, region: &str) -> BTreeMap<Uuid, RowState> {
        let device = self.server.authenticate(&self.observer).unwrap();
        let mut rows = BTreeMap::new();
        let mut since = 0;
        loop {
            let page = self.server.changes(&device, since, Some(MAX_BATCH), None).unwrap();
            for change in page.changes.into_iter().filter(|c| receives(region, &c.row.table, &c.row.region)) {
                rows.insert(change.row.id, change.row);
            }
            since = page.next_since;
            if !page.has_more {
                return rows;
            }
        }
    }

    fn run(&mut self, steps: usize) {
        for _ in 0..steps {
            let pc = self.rng.gen_range(0..self.pcs.len());
            let step = self.rng.gen_range(0..100);
            let counter = self.pcs[pc].outbox_counter();
            match step {
                0..42 => self.local_edit(pc),
                42..70 => {
                    let _ = self.sync(pc, self.faults);
                }
                70..76 => self.crash_pc(pc),
                76..79 => self.restart_server(),
                79..86 => self.deliver_delayed(),
                86..90 => self.manage(pc),
                // Where a seed restores no server, the PCs' copies are put back more often.
                90..93 if self.restores == 2 => self.pc_restore(pc),
                90..92 => self.server_backup(),
                92..93 => self.server_restore(),
                93..95 => self.pc_copy(pc),
                95..96 => self.pc_restore(pc),
                _ => self.trespass(),
            }
            // Only the office's own writes make changes; a sync may renumber them, a copy put
            // back takes the counter back.
            if matches!(step, 0..42 | 86..90) {
                self.pcs[pc].made += self.pcs[pc].outbox_counter() - counter;
            }
        }
    }

    /// The network heals; every PC syncs until nothing is left to push or pull.
    fn quiesce(&mut self) {
        if self.server_crashed {
            self.restart_server();
        }
        for round in 0.. {
            assert!(round < 10, "the PCs do not converge");
            for pc in 0..self.pcs.len() {
                self.sync(pc, Faults::NONE)
                    .unwrap_or_else(|e| panic!("pc{pc} cannot sync on a healthy network: {e}"));
            }
            let quiet = (0..self.pcs.len()).all(|pc| self.pcs[pc].store.pending_count().unwrap() == 0);
            if quiet && round > 0 {
                break;
            }
        }
        // Managers decide on every refused change left: resent ones may be refused again, so
        // in the end they discard; a discard brings the server's version back.
        for pc in 0..self.pcs.len() {
            // An administrator: a regional manager does not see what was refused of other regions.
            let user = User { region: ALL_REGIONS.into(), role: Role::Admin, ..self.pcs[pc].manager.clone() };
            let counter = self.pcs[pc].outbox_counter();
            for change in self.pcs[pc].store.refused_changes(&user.region).unwrap() {
                self.trace.push(format!("pc{pc} manager discards refused change of {}", change.row_id));
                self.pcs[pc].store.discard_refused(&user, change.id).unwrap();
            }
            self.pcs[pc].made += self.pcs[pc].outbox_counter() - counter;
        }
        // One more round pulls what the last pushes of the others wrote.
        for pc in 0..self.pcs.len() {
            self.sync(pc, Faults::NONE).unwrap();
        }
    }

    fn check_invariants(&mut self) {
        let server = self.server_rows();
        let db = rusqlite::Connection::open(&self.server_path).unwrap();
        let count = |sql: &str, arg: &str| -> i64 { db.query_row(sql, [arg], |r| r.get(0)).unwrap() };
        let mut mutations = 0;
        for (i, pc) in self.pcs.iter().enumerate() {
            // 2. No lost writes: the outbox is empty and the server holds an outcome for every
            //    change this PC ever made.
            assert_eq!(pc.store.pending_count().unwrap(), 0, "pc{i} still has changes waiting");
            let made = pc.outbox_counter();
            assert_eq!(pc.store.refused_count().unwrap(), 0, "pc{i} still has refused changes");
            let device = self.server.authenticate(&pc.token).unwrap();
            // 3. Across a PC put back from a copy, none dropped unsent: each change made is applied
            //    at least once (changes made after the copy and lost with the live file were made
            //    but never sent). One applied twice is caught as it happens (`AppliedOnce`); more
            //    may be applied than made, as a waiting entry the copy held and the PC rewrote (a
            //    delete undone) is a new change under its old number.
            if self.restores != 1 && pc.none_lost {
                let applied = device.last_mutation_id.unwrap_or(0);
                assert!(applied >= pc.made, "pc{i}: {applied} changes applied, {} made", pc.made);
            }
            // A restore breaks the one history these counts need; convergence below still holds.
            if !self.restored {
                let answered = device.last_mutation_id.unwrap_or(0);
                assert_eq!(answered, made, "pc{i}: the server answered {answered} of {made} changes");
                assert_eq!(pc.made, made, "pc{i}: the changes made were not all counted");
                // Records of answers the PC holds are forgotten: only its last push's remain.
                let kept = count(
                    "SELECT count(*) FROM applied_mutations WHERE device_id = ?1",
                    &device.id.to_string(),
                );
                assert!(kept <= rainstaff_core::protocol::MAX_BATCH as i64, "pc{i} keeps {kept} records");
            }
            mutations += made;

            let mut local = BTreeMap::new();
            for table in schema::TABLES {
                for row in rows::select(pc.store.test_connection(), table, "1 OR deleted_at IS NOT NULL", &[])
                    .unwrap_or_default()
                {
                    local.insert(row.id, (table.name, row));
                }
                let mut stmt = pc
                    .store
                    .test_connection()
                    .prepare(&format!("SELECT id FROM {} WHERE deleted_at IS NOT NULL", table.name))
                    .unwrap();
                for id in stmt.query_map([], |r| r.get::<_, Uuid>(0)).unwrap() {
                    let id = id.unwrap();
                    let row = rows::get(pc.store.test_connection(), table, id).unwrap().unwrap();
                    local.insert(id, (table.name, row));
                }
            }
            // 6. Region scope: nothing of another region came from the server, and nothing of
            //    another region is alive here (a refused one that was discarded stays a local
            //    tombstone).
            if pc.region != ALL_REGIONS {
                for (table, row) in local.values().filter(|(_, r)| r.server_version > 0 || !r.deleted) {
                    assert!(
                        receives(&pc.region, table, &row.region),
                        "pc{i} holds another region's row {}",
                        row.id
                    );
                }
            }
            // A row the server never acknowledged was rejected, and says so on the record.
            for (_, row) in local.values().filter(|(_, r)| r.server_version == 0) {
                assert!(
                    row.sync_error.is_some() || row.deleted,
                    "pc{i}: row {} was never sent nor rejected",
                    row.id
                );
            }
            // 1. Convergence: what the PC has acknowledged equals the server's rows in scope.
            let mine: BTreeMap<Uuid, String> = local
                .iter()
                .filter(|(_, (_, r))| r.server_version > 0)
                .map(|(id, (table, r))| {
                    (*id, canonical(table, &r.region, r.deleted, r.server_version, &r.fields))
                })
                .collect();
            let theirs: BTreeMap<Uuid, String> = self
                .server_rows_in(&pc.region)
                .iter()
                .map(|(id, r)| {
                    (*id, canonical(&r.table, &r.region, r.deleted_at.is_some(), r.version, &r.fields))
                })
                .collect();
            if mine != theirs {
                let diff: Vec<_> = theirs.iter().filter(|(k, v)| mine.get(*k) != Some(*v)).take(3).collect();
                let extra: Vec<_> = mine.iter().filter(|(k, _)| !theirs.contains_key(*k)).take(3).collect();
                panic!(
                    "pc{i} did not converge: server has {diff:?}, pc has {:?}; pc only: {extra:?}",
                    diff.iter().map(|(k, _)| mine.get(*k)).collect::<Vec<_>>()
                );
            }
        }
        // 3. Exactly once: no row the PCs did not create, no more changes than were made.
        // The server holds each row's latest change in its table, and apart the changes its
        // tables do not hold: a row leaving a region. An inspection the server takes may raise
        // its vehicle's km, a change of the server's right after it (the sim writes inspections
        // behind the desktop's save, so the server does the raising).
        let logged = schema::TABLES
            .iter()
            .map(|t| count(&format!("SELECT count(*) FROM \"{}\" WHERE ?1 = ?1", t.name), ""))
            .sum::<i64>()
            + count("SELECT count(*) FROM departures WHERE ?1 = ?1", "");
        let raised = count(
            "SELECT count(*) FROM vehicles v JOIN vehicle_inspections i ON i.version = v.version - 1 \
             AND i.vehicle_id = v.id WHERE ?1 = ?1",
            "",
        );
        if !self.restored {
            assert!(logged <= mutations + raised, "{logged} logged changes from {mutations} mutations");
        }
        for id in server.keys() {
            assert!(self.created.contains(id), "the server has a row nobody created: {id}");
        }
        // 7. Tombstones: what was seen deleted stays deleted.
        let mut regions: HashMap<&str, BTreeMap<Uuid, RowState>> = HashMap::new();
        for (id, region) in &self.deleted_seen {
            let there = regions.entry(region).or_insert_with(|| self.server_rows_in(region));
            assert!(there[id].deleted_at.is_some(), "{id} came back in {region} after it was deleted there");
        }
    }
}

/// With SIM_TRACE, a failing seed prints what happened before it failed.
impl Drop for World {
    fn drop(&mut self) {
        if std::thread::panicking() && std::env::var_os("SIM_TRACE").is_some() {
            eprintln!("{}", self.trace.join("\n"));
        }
    }
}

fn canonical(table: &str, region: &str, deleted: bool, version: i64, fields: &Map<String, Value>) -> String {
    let fields: BTreeMap<&String, &Value> = fields.iter().filter(|(_, v)| !deleted || !v.is_null()).collect();
    let fields = if deleted { BTreeMap::new() } else { fields };
    format!("{table}|{region}|{deleted}|{version}|{}", serde_json::to_string(&fields).unwrap())
}

fn run_seed(seed: u64) -> Result<(), String> {
    let base = if Path::new("/dev/shm").is_dir() { Some(Path::new("/dev/shm")) } else { None };
    let dir = match base {
        Some(b) => tempfile::tempdir_in(b).unwrap(),
        None => tempfile::tempdir().unwrap(),
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut world = World::new(seed, dir.path());
        let steps = world.rng.gen_range(20..80);
        world.run(steps);
        world.quiesce();
        world.check_invariants();
        if std::env::var_os("SIM_TRACE").is_some() {
            eprintln!("{}", world.trace.join("\n"));
        }
    }));
    outcome.map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

#[test]
fn every_seed_keeps_every_invariant() {
    let env =
        |name: &str, default: u64| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let (start, seeds) = match std::env::var("SIM_SEED").ok().and_then(|v| v.parse().ok()) {
        Some(seed) => (seed, 1),
        None => (env("SIM_START", 1), env("SIM_SEEDS", 2000)),
    };
    let mut failures = Vec::new();
    for seed in start..start + seeds {
        if let Err(message) = run_seed(seed) {
            failures.push(format!(
                "seed {seed}: {message}\n  reproduce: SIM_SEED={seed} cargo test --test sync_sim"
            ));
            if failures.len() >= 5 {
                break;
            }
        }
    }
    assert!(failures.is_empty(), "{} failing seeds:\n{}", failures.len(), failures.join("\n"));
    println!("{seeds} seeds passed, 0 failed");
}

/// Seeds beyond CI's range that once failed: a rejoin interrupted by a second restore (6526, 7134,
/// 9738, 15210), a PC from another branch of restores (9602), and a row an administrator's rejoin
/// moved out of the region of the PC that held it (15211: the check had not known moves).
#[test]
fn seeds_that_once_failed_keep_every_invariant() {
    let failures: Vec<String> = [6526, 7134, 9602, 9738, 15210, 15211]
        .into_iter()
        .filter_map(|seed| run_seed(seed).err().map(|message| format!("seed {seed}: {message}")))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
