//! Migration day, beside the legacy design measured in the same run. An office's legacy company
//! file with N shifts in Ankara (and a quarter as many in İzmir) is imported on an enrolled Ankara
//! PC, which then syncs for the first time; a second Ankara PC then syncs for the first time too.
//! The legacy design moved the whole file up and down at every sync: its floor is the file's
//! bytes up and down over the same loopback, with nothing done to them. Sizes are the files on
//! disk after the runs (write-ahead logs folded in).
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
fn id_keyed_floor(legacy: &Path, dir: &Path) -> u64 {
    let path = dir.join("floor.db");
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
             FROM timesheets",
        )
        .unwrap();
    let mut rows = read.query([]).unwrap();
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
                key("employees", r.get(1).unwrap()).as_bytes(),
                i64::from(r.get::<_, String>(8).unwrap() != "Ankara"),
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

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

struct Run {
    shifts: usize,
    legacy_bytes: u64,
    legacy_floor: Duration,
    id_keyed_floor: u64,
    first_sync: Duration,
    first: SyncReport,
    second: SyncReport,
    newcomer_sync: Duration,
    newcomer: SyncReport,
    server_bytes: u64,
    desktop_bytes: u64,
}

/// An Ankara PC with its administrator, enrolled.
fn enrolled_pc(
    runtime: &tokio::runtime::Runtime,
    server: &Server,
    url: &str,
    dir: &Path,
) -> (Store, DataDir) {
    let data = DataDir::new(dir);
    let store = Store::open(&data.store()).unwrap();
    store.create_user("admin", Some("parola-12345"), Role::Admin, "ALL").unwrap();
    let code = server.create_enroll_code("Ankara").unwrap().code;
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

    let (mut store, data) = enrolled_pc(runtime, &server, &url, &dir.path().join("ankara-1"));
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

    let (mut other, other_data) = enrolled_pc(runtime, &server, &url, &dir.path().join("ankara-2"));
    let started = Instant::now();
    let newcomer = runtime.block_on(rainstaff::sync_task::run_once(&mut other, &other_data)).unwrap();
    let newcomer_sync = started.elapsed();

    runtime.block_on(running.stop()).unwrap();
    // The last connection to close folds the write-ahead log into the file.
    drop(server);
    Run {
        shifts,
        legacy_bytes: file_size(&file),
        legacy_floor,
        id_keyed_floor: id_keyed_floor(&file, dir.path()),
        first_sync,
        first,
        second,
        newcomer_sync,
        newcomer,
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
loopback). A legacy company file with N shifts in Ankara and N/4 in İzmir (500 employees) is \
imported on an enrolled Ankara PC, which then syncs for the first time; then a second Ankara PC \
syncs for the first time. Baseline, measured in the same run: the legacy design's floor, the \
file's bytes up and down over the same loopback with nothing done to them (the old program did \
this at every sync, and more). For the sizes, also the id-keyed floor: the smallest store of the \
same shifts that keeps what a synced row needs (16-byte ids, integers for the rest, a version and \
a seq on the row, indexed by id, by person and day, by region and seq; nothing else).\n\n\
| Ankara shifts | legacy file | legacy floor: file up + down | first sync of the importing PC | its bytes up / down | second PC's first sync | its bytes down | server database | importing PC's store | id-keyed floor |\n\
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for r in &runs {
        section.push_str(&format!(
            "| {} | {} | {} | **{}** ({} pushed, {} pulled) | {} / {} | **{}** ({} rows) | {} | {} | {} | {} |\n",
            r.shifts,
            mb(r.legacy_bytes),
            ms(r.legacy_floor),
            ms(r.first_sync),
            r.first.pushed,
            r.first.pulled,
            mb(r.first.bytes_sent),
            mb(r.first.bytes_received),
            ms(r.newcomer_sync),
            r.newcomer.pulled,
            mb(r.newcomer.bytes_received),
            times(r.server_bytes, r.legacy_bytes),
            times(r.desktop_bytes, r.legacy_bytes),
            times(r.id_keyed_floor, r.legacy_bytes),
        ));
    }
    let second = &runs[1].second;
    let floor = runs[1].id_keyed_floor as f64 / runs[1].legacy_bytes as f64;
    section.push_str(&format!(
        "\nThe importing PC's second sync (50 000 shifts, nothing changed): one request, {} bytes up \
and {} down, headers included.\n\n\
At 50 000 shifts the id-keyed floor is {floor:.1}× the legacy file: the legacy file is small because \
it names rows by bare integers and has no index but the row number, and a store that can merge rows \
from many PCs cannot do without ids, versions and the three look-ups. A store within 2× of the \
legacy file would have to give one of them up; the distance between our stores and the floor is \
what the layout can still win (on the server: the row numbers its rows keep beside their ids, and \
the index on region and version through which each row is its own change).\n\n\
What the figures are made of. The first sync pushes every imported row by the path an edit takes: \
on the PC each is read from the outbox and its answer written back (the row's server version), on \
the server each is checked, merged, stored and recorded for exactly-once, one transaction \
per batch of 500, and its JSON crosses the loopback both ways; about half of the processor time \
is the server's answer (a third of that the row's write, its commit's log pages a sixth), half the \
PC taking it in (the answered row read back and rewritten with its version, the outbox entry \
removed). Per row the first sync costs more as the stores grow (compare the rows above): the \
imported rows' ids are hashes of the legacy file's numbers, so the rows of a batch land on index \
pages all over the tree, and the pages a batch dirties, which each commit writes to the log and \
each checkpoint copies into the file on both sides, grow with the tree until every row dirties \
pages of its own; in a profile the commits and checkpoints are what grows. Nothing comes back in the pull: a PC is not sent the \
changes its own pushes made. The second PC, holding nothing, takes the server's snapshot file of \
its region and copies it into its store in one transaction, then pulls from the snapshot's head. The server keeps each row once, its id and references as 16 bytes and its \
timestamps, dates and times as integers, as the PC does (as text they made the server 8.4× the \
legacy file at 50 000 shifts, until 2026-12-05), and a row created whole keeps as its field versions only the number of the device \
whose change made it (its 16 bytes, until 2026-12-05); its rows keep row numbers, so that rows append and only the index on the id \
takes the imported ids in their scattered order (keyed by the id alone the file was larger and the \
push slower); each row is its own latest change, its version the change's seq and its origin \
the number of the device whose push carried it, so a pull finds what changed after its cursor \
through an index on (region, version) and only a row's departure from a region is kept apart \
(until 2026-12-05 a change log named every row again: with its index 4.1 of the 13.5 MB at \
50 000 shifts), and per PC nine bytes for each change it sent (how it was answered and \
part of its hash, so that one sent again, retried or from an older copy of the PC's data, is not \
applied twice) and the full answers of its last push's merges and refusals; the legacy file holds bare \
integers and text, with no ids, versions or history. The PC's \
store keeps each shift's id and its employee's as 16 bytes, its timestamps as integers and its dates \
and times as the day's and the minute's numbers (as text they made it 3.4× the legacy file at 50 000 \
shifts, until 2026-12-05), in the row and again in the indexes on the id, on (date, employee) for \
the screens' date ranges and on (employee, date) for each listed person's weeks, which is most of \
its size (the floor has one of those two indexes); it has no index on region, which none of its \
queries could use. The \
pages of its outbox go back to the file system once a sync drained it, and a sync that pushed an \
office packs the store again (answering gave every row a version, splitting full pages). The times vary by a fifth from run to run on \
this shared 2-core machine: compare the figures of one run.\n",
        second.bytes_sent, second.bytes_received
    ));
    perf_doc::publish("## Migration day", &section);
}
