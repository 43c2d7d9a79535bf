//! Migration day, beside the legacy design measured in the same run. A legacy company file with N
//! shifts in Ankara (and a quarter as many in İzmir) is imported on an enrolled Ankara PC, which
//! then syncs for the first time; an İzmir PC imports and syncs İzmir's rows, so that the server
//! holds every row of the file; then a second Ankara PC and a manager's PC (every region) sync for
//! the first time. The legacy design moved the whole file up and down at every sync: its floor is
//! the file's bytes up and down over the same loopback, with nothing done to them. Sizes are the
//! files on disk after the runs (write-ahead logs folded in), each read against the legacy file
//! and against the id-keyed floor of the rows it holds.
//!
//! `cargo bench --bench migration` (add `-- --write-docs` to update docs/PERFORMANCE.md).

#[path = "common/perf_doc.rs"]
mod perf_doc;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Datelike;
use rainstaff::db::Store;
use rainstaff::db::users::Role;
use rainstaff::paths::DataDir;
use rainstaff_core::protocol::SyncReport;
use rainstaff_server::Server;
use rainstaff_server::http::RunningServer;

const EMPLOYEES_PER_REGION: usize = 250;

/// A legacy company file: the F1 sample plus 250 employees in each of Ankara and İzmir, `shifts`
/// shifts in Ankara and a quarter as many in İzmir, a person's shifts on distinct days.
fn legacy_company(dir: &Path, shifts: usize) -> PathBuf {
    let path = dir.join("sirket.db");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy/F1_v4_s4.db");
    std::fs::copy(sample, &path).unwrap();
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    let tx = conn.transaction().unwrap();
    for (region, count) in [("Ankara", shifts), ("İzmir", shifts / 4)] {
        let mut people = Vec::new();
        for i in 0..EMPLOYEES_PER_REGION {
            tx.execute(
                "INSERT INTO employees (full_name, department, title, region) VALUES (?1, 'Üretim', 'İşçi', ?2)",
                (format!("PERSONEL {i:04} {region}"), region),
            )
            .unwrap();
            people.push(tx.last_insert_rowid());
        }
        let first = chrono::NaiveDate::from_ymd_opt(2022, 1, 3).unwrap();
        for n in 0..count {
            let day = first + chrono::Duration::days((n / EMPLOYEES_PER_REGION) as i64);
            tx.execute(
                "INSERT INTO timesheets (employee_id, work_date, start_time, end_time, break_minutes, region)
                 VALUES (?1, ?2, '08:30', '18:00', 60, ?3)",
                (people[n % EMPLOYEES_PER_REGION], day.to_string(), region),
            )
            .unwrap();
        }
    }
    tx.commit().unwrap();
    conn.execute_batch("VACUUM").unwrap();
    path
}

/// The legacy design's floor: the file's bytes up to a server and back down, over loopback.
fn legacy_floor(file: &Path) -> Duration {
    let bytes = std::fs::read(file).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let len = bytes.len();
    let echo = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        let mut received = vec![0; len];
        socket.read_exact(&mut received).unwrap();
        socket.write_all(&received).unwrap();
    });
    let started = Instant::now();
    let mut socket = TcpStream::connect(address).unwrap();
    socket.write_all(&bytes).unwrap();
    let mut back = vec![0; len];
    socket.read_exact(&mut back).unwrap();
    let took = started.elapsed();
    echo.join().unwrap();
    assert_eq!(back, bytes);
    took
}

/// The smallest store of the file's shifts that keeps what a synced row needs, for the sizes to
/// be read against: each shift and its person named by a 16-byte id, region, day, times and
/// break as integers, a version and the seq of its last change on the row itself (no field
/// versions, no change log, no history), indexed as the sync and the rules must look rows up: by
/// id, by person and day (overlapping shifts), by region and seq (a pull). No store of ours can
/// be smaller than this without giving one of those up.
fn id_keyed_floor(legacy: &Path, dir: &Path, of: Floor) -> u64 {
    let path = dir.join(format!("floor-{of:?}.db"));
    let source = rusqlite::Connection::open(legacy).unwrap();
    let mut floor = rusqlite::Connection::open(&path).unwrap();
    floor
        .execute_batch(
            "CREATE TABLE shifts (id BLOB NOT NULL UNIQUE, employee BLOB NOT NULL, region INTEGER NOT NULL,
                 day INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, break INTEGER NOT NULL,
                 notes TEXT, special INTEGER NOT NULL, version INTEGER NOT NULL, seq INTEGER NOT NULL);
             CREATE INDEX shifts_person_day ON shifts (employee, day);
             CREATE INDEX shifts_region_seq ON shifts (region, seq);",
        )
        .unwrap();
    let tx = floor.transaction().unwrap();
    let mut read = source
        .prepare(
            "SELECT id, employee_id, work_date, start_time, end_time, break_minutes, notes, is_special, region
             FROM timesheets WHERE ?1 = 0 OR coalesce(region, 'Ankara') = 'Ankara'",
        )
        .unwrap();
    let mut rows = read.query([of == Floor::Ankara]).unwrap();
    let minutes = |hh_mm: String| rainstaff_core::time::parse_hhmm(&hh_mm).unwrap();
    // Ids as the import derives them; any namespace gives ids of the same size.
    let key = |table: &str, id: i64| rainstaff_core::ids::legacy_id(uuid::Uuid::NAMESPACE_OID, table, id);
    let mut seq = 0;
    while let Some(r) = rows.next().unwrap() {
        let day = chrono::NaiveDate::parse_from_str(&r.get::<_, String>(2).unwrap(), "%Y-%m-%d").unwrap();
        seq += 1;
        tx.execute(
            "INSERT INTO shifts VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10)",
            rusqlite::params![
                key("timesheets", r.get(0).unwrap()).as_bytes(),
                if of == Floor::PersonByNumber {
                    rusqlite::types::Value::Integer(r.get(1).unwrap())
                } else {
                    rusqlite::types::Value::Blob(key("employees", r.get(1).unwrap()).as_bytes().to_vec())
                },
                i64::from(r.get::<_, Option<String>>(8).unwrap().is_some_and(|region| region != "Ankara")),
                day.num_days_from_ce(),
                minutes(r.get(3).unwrap()),
                minutes(r.get(4).unwrap()),
                r.get::<_, i64>(5).unwrap(),
                r.get::<_, Option<String>>(6).unwrap(),
                r.get::<_, i64>(7).unwrap(),
                seq,
            ],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    floor.execute_batch("VACUUM").unwrap();
    file_size(&path)
}

/// Which rows an id-keyed floor holds, and how it names a shift's person.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Floor {
    /// Every row of the file, to be read against the server, which ends up holding them all.
    Company,
    /// Ankara's rows (and those the file places in no region, which an Ankara PC's import
    /// takes), to be read against the Ankara PC's store.
    Ankara,
    /// Every row, each shift's person named by the number of their row in place of their id: a
    /// server could keep references so, translating them at every read and write.
    PersonByNumber,
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

struct Run {
    shifts: usize,
    legacy_bytes: u64,
    legacy_floor: Duration,
    company_floor: u64,
    ankara_floor: u64,
    person_by_number_floor: u64,
    first_sync: Duration,
    first: SyncReport,
    second: SyncReport,
    izmir_sync: Duration,
    izmir: SyncReport,
    newcomer_sync: Duration,
    newcomer: SyncReport,
    admin_sync: Duration,
    admin: SyncReport,
    admin_bytes: u64,
    server_bytes: u64,
    desktop_bytes: u64,
}

/// A PC of `region` with its administrator, enrolled.
fn enrolled_pc(
    runtime: &tokio::runtime::Runtime,
    server: &Server,
    url: &str,
    dir: &Path,
    region: &str,
) -> (Store, DataDir) {
    let data = DataDir::new(dir);
    let store = Store::open(&data.store()).unwrap();
    store.create_user("admin", Some("parola-12345"), Role::Admin, "ALL").unwrap();
    let code = server.create_enroll_code(region).unwrap().code;
    runtime.block_on(rainstaff::sync_task::enroll_device(&store, &data, url, &code, "bench")).unwrap();
    (store, data)
}

fn run(runtime: &tokio::runtime::Runtime, shifts: usize) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let file = legacy_company(dir.path(), shifts);
    let legacy_floor = legacy_floor(&file);
    let server_db = dir.path().join("server.db");
    let server = Arc::new(Server::open(&server_db).unwrap());
    let running = runtime.block_on(RunningServer::start(server.clone(), Default::default())).unwrap();
    let url = running.url();

    let (mut store, data) = enrolled_pc(runtime, &server, &url, &dir.path().join("ankara-1"), "Ankara");
    let imported =
        rainstaff::legacy_import::import_legacy(&mut store, &data, &file, None, false, "bench").unwrap();
    assert!(imported.imported.get("timesheets").copied().unwrap_or(0) >= shifts as u64, "{imported:?}");
    let started = Instant::now();
    let first = runtime.block_on(rainstaff::sync_task::run_once(&mut store, &data)).unwrap();
    let first_sync = started.elapsed();
    let second = runtime.block_on(rainstaff::sync_task::run_once(&mut store, &data)).unwrap();
    assert_eq!((second.pending, second.refused, second.rejected), (0, 0, 0), "{second:?}");
    store.test_connection().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    let desktop_bytes = file_size(&data.store());

    // The İzmir office imports its own rows from the same file, so that the server ends up
    // holding every row of it, as the legacy server held the whole file.
    let (mut izmir_pc, izmir_data) =
        enrolled_pc(runtime, &server, &url, &dir.path().join("izmir-1"), "Izmir");
    let imported =
        rainstaff::legacy_import::import_legacy(&mut izmir_pc, &izmir_data, &file, None, false, "bench")
            .unwrap();
    assert!(imported.imported.get("timesheets").copied().unwrap_or(0) >= (shifts / 4) as u64, "{imported:?}");
    let started = Instant::now();
    let izmir = runtime.block_on(rainstaff::sync_task::run_once(&mut izmir_pc, &izmir_data)).unwrap();
    let izmir_sync = started.elapsed();
    assert_eq!((izmir.refused, izmir.rejected), (0, 0), "{izmir:?}");

    let (mut other, other_data) = enrolled_pc(runtime, &server, &url, &dir.path().join("ankara-2"), "Ankara");
    let started = Instant::now();
    let newcomer = runtime.block_on(rainstaff::sync_task::run_once(&mut other, &other_data)).unwrap();
    let newcomer_sync = started.elapsed();

    // A manager's PC, enrolled for every region, holds the whole company as a legacy PC did.
    let (mut admin_pc, admin_data) = enrolled_pc(runtime, &server, &url, &dir.path().join("admin"), "ALL");
    let started = Instant::now();
    let admin = runtime.block_on(rainstaff::sync_task::run_once(&mut admin_pc, &admin_data)).unwrap();
    let admin_sync = started.elapsed();
    admin_pc.test_connection().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    let admin_bytes = file_size(&admin_data.store());

    runtime.block_on(running.stop()).unwrap();
    // The last connection to close folds the write-ahead log into the file.
    drop(server);
    Run {
        shifts,
        legacy_bytes: file_size(&file),
        legacy_floor,
        company_floor: id_keyed_floor(&file, dir.path(), Floor::Company),
        ankara_floor: id_keyed_floor(&file, dir.path(), Floor::Ankara),
        person_by_number_floor: id_keyed_floor(&file, dir.path(), Floor::PersonByNumber),
        first_sync,
        first,
        second,
        izmir_sync,
        izmir,
        newcomer_sync,
        newcomer,
        admin_sync,
        admin,
        admin_bytes,
        server_bytes: file_size(&server_db) + file_size(&server_db.with_extension("db-wal")),
        desktop_bytes,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn times(bytes: u64, legacy: u64) -> String {
    format!("{} ({:.1}×)", mb(bytes), bytes as f64 / legacy as f64)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let runs: Vec<Run> = [10_000, 50_000, 100_000].into_iter().map(|n| run(&runtime, n)).collect();
    let mut section = String::from(
        "## Migration day\n\n\
`cargo bench --bench migration` (release; server, PCs and SQLite on one 2-core machine over \
loopback). A legacy company file with N shifts in Ankara and N/4 in İzmir (250 employees in \
each) is imported on an enrolled Ankara PC, which then syncs for the first time; then an İzmir PC \
imports İzmir's rows of the same file and syncs, so that the server holds every row of the file, \
as the legacy server held the whole file; then a second Ankara PC syncs for the first time, and \
last a manager's PC enrolled for every region. \
Baseline, measured in the same run: the legacy design's floor, the file's bytes up and down over \
the same loopback with nothing done to them (the old program did this at every sync, and more).\n\n\
| Ankara shifts | legacy floor: file up + down | first sync of the importing PC | its bytes up / down | İzmir PC's first sync | second Ankara PC's first sync | its bytes down | manager's PC's first sync |\n\
| --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for r in &runs {
        section.push_str(&format!(
            "| {} | {} | **{}** ({} pushed, {} pulled) | {} / {} | {} ({} pushed) | **{}** ({} rows) | {} | {} ({} rows) |\n",
            r.shifts,
            ms(r.legacy_floor),
            ms(r.first_sync),
            r.first.pushed,
            r.first.pulled,
            mb(r.first.bytes_sent),
            mb(r.first.bytes_received),
            ms(r.izmir_sync),
            r.izmir.pushed,
            ms(r.newcomer_sync),
            r.newcomer.pulled,
            mb(r.newcomer.bytes_received),
            ms(r.admin_sync),
            r.admin.pulled,
        ));
    }
    section.push_str(&format!(
        "\nThe importing PC's second sync (50 000 shifts, nothing changed): one request, {} bytes up \
and {} down, headers included.\n\n\
Sizes, files on disk after the run, each beside the legacy file and beside the id-keyed floor of \
the same rows: the smallest store of those shifts that keeps what a synced row needs (16-byte ids, \
integers for the rest, a version and a seq on the row, indexed by id, by person and day, by region \
and seq; no timestamps, field versions, exactly-once records or history). The server holds the \
whole file's rows, as the legacy server did, and so does the manager's PC; an Ankara PC holds \
Ankara's, where a legacy PC held the whole file.\n\n\
| Ankara shifts | legacy file | server database | manager's PC's store | id-keyed floor, every row | the same, persons by row number | importing PC's store | id-keyed floor, Ankara's rows |\n\
| --- | --- | --- | --- | --- | --- | --- | --- |\n",
        runs[1].second.bytes_sent, runs[1].second.bytes_received
    ));
    for r in &runs {
        section.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.shifts,
            mb(r.legacy_bytes),
            times(r.server_bytes, r.legacy_bytes),
            times(r.admin_bytes, r.legacy_bytes),
            times(r.company_floor, r.legacy_bytes),
            times(r.person_by_number_floor, r.legacy_bytes),
            times(r.desktop_bytes, r.legacy_bytes),
            times(r.ankara_floor, r.legacy_bytes),
        ));
    }
    let at_50k = &runs[1];
    let ratio = |a: u64, b: u64| a as f64 / b as f64;
    section.push_str(&format!(
        "\nAt 50 000 shifts the id-keyed floor of the file's rows is {:.1}× the legacy file: the legacy \
file is small because it names rows by bare integers and has no index but the row number, and a \
store that can merge rows from many PCs cannot do without ids, versions and the three look-ups. A \
server of this size within 2× of the legacy file would have to give one of them up: even with \
each shift's person named by the number of their row in place of their id (a server could keep \
references so, translating them at every read and write) the floor is {:.1}× here, before a \
server's timestamps and exactly-once records (at 10 000 shifts the file's own fixed part weighs \
more, and the floors are lower). The server is {:.2}× the \
id-keyed floor of its rows and the Ankara PC's store {:.2}× the floor of its own (it holds a \
region's share of the company; the manager's PC, holding every row of the file as the server \
does, is to be read against the floor of every row); what the server keeps beyond the floor: each row's \
creation and change times, its region by name in the row and in the index on (region, version), \
its origin and field versions, the row numbers beside the ids (rows append, so only the index on \
the id takes the imported ids in their scattered order; keyed by the id alone the file was larger \
and the push slower), and per PC nine bytes for each change it sent (how it was answered and part \
of its hash, so that one sent again, retried or from an older copy of the PC's data, is not applied \
twice) with the full answers of its last push's merges and refusals.\n\n",
        ratio(at_50k.company_floor, at_50k.legacy_bytes),
        ratio(at_50k.person_by_number_floor, at_50k.legacy_bytes),
        ratio(at_50k.server_bytes, at_50k.company_floor),
        ratio(at_50k.desktop_bytes, at_50k.ankara_floor),
    ));
    section.push_str(
        "What the figures are made of. The first sync pushes every imported row by the path an edit \
takes: on the PC each is read from the outbox and its answer written back (the row's server \
version), on the server each is checked, merged, stored and recorded for exactly-once, one \
transaction per batch of 500, and its JSON crosses the loopback both ways; about half of the \
processor time is the server's answer (a third of that the row's write, its commit's log pages a \
sixth), half the PC taking it in (the answered row read back and rewritten with its version, the \
outbox entry removed). Per row the first sync costs more as the stores grow (compare the rows \
above): the imported rows' ids are hashes of the legacy file's numbers, so the rows of a batch land \
on index pages all over the tree, and the pages a batch dirties, which each commit writes to the \
log and each checkpoint copies into the file on both sides, grow with the tree until every row \
dirties pages of its own; in a profile the commits and checkpoints are what grows. Nothing comes \
back in the pull: a PC is not sent the changes its own pushes made. The second Ankara PC, holding \
nothing, takes the server's snapshot file of its region and copies it into its store in one \
transaction, then pulls from the snapshot's head.\n\n\
The server keeps each row once, its id and references as 16 bytes and its timestamps, dates and \
times as integers (as text they made the server 8.4× the legacy file at 50 000 shifts, until \
2026-12-05), and a row created whole keeps as its field versions only the number of the device \
whose change made it (its 16 bytes, until 2026-12-05). Each row is its own latest change, its \
version the change's seq and its origin the number of the device whose push carried it, so a pull \
finds what changed after its cursor through the index on (region, version), and only a row's \
departure from a region is kept apart (until 2026-12-05 a change log named every row again: with \
its index 4.1 of the 13.5 MB at 50 000 shifts). The PC's store keeps each shift's id and its \
employee's as 16 bytes, its timestamps as integers and its dates and times as the day's and the \
minute's numbers (as text they made it 3.4× the legacy file at 50 000 shifts, until 2026-12-05), \
in the row and again in the indexes on the id and on (employee, date) for each listed person's \
weeks, which is most of its size; an index on the date alone serves the screens' date ranges (until \
2026-12-05 it held (date, employee), the person's 16 bytes again, and the store was 2.8× the legacy \
file at 50 000 shifts); it has no index on region, which none of its queries could use. The \
pages of its outbox go back to the file system once a sync drained it, and a sync that pushed an \
office packs the store again (answering gave every row a version, splitting full pages).\n\n\
Until 2026-12-05 this benchmark had no İzmir PC: the server held Ankara's rows only (the earlier \
figures quoted above were measured so) and was read against the whole file and against the floor \
of the whole file's rows, which made it look smaller than it is (3.0× the legacy file and 1.1× the \
floor at 50 000 shifts; the table above reads like with like). The times vary by a fifth from run \
to run on this shared 2-core machine: compare the figures of one run.\n",
    );
    perf_doc::publish("## Migration day", &section);
}
