//! The worker's policy, proven where it matters: commands sent straight on the worker's channel,
//! past every screen that would have hidden the button, against a real store. What a person may
//! not do is refused with a worded reason and leaves the store as it was.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rainstaff::bus::{Command, Event, Notifier, Topic};
use rainstaff::db::Store;
use rainstaff::db::users::Role;
use rainstaff::i18n::Lang;
use rainstaff::message::Message;
use rainstaff::paths::DataDir;
use rainstaff::worker::Worker;
use rainstaff_core::hours::{HolidayDay, HolidayKind};
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::roles::Denied;
use rainstaff_core::schema::{EMPLOYEES, LEAVES};
use rainstaff_core::validate::Problem;
use serde_json::json;

/// Sends `command` and returns what the worker answered (the sync thread's status left out).
fn ask(worker: &Worker, command: Command) -> Vec<Event> {
    worker.send(command);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !worker.is_idle() {
        assert!(Instant::now() < deadline, "the worker did not answer in time");
        std::thread::sleep(Duration::from_millis(5));
    }
    worker.events.try_iter().filter(|e| !matches!(e, Event::Sync(_))).collect()
}

fn denied(events: &[Event]) -> Option<(Topic, Denied)> {
    events.iter().find_map(|e| match e {
        Event::Failed { topic, message: Message::Denied(d) } => Some((*topic, d.clone())),
        _ => None,
    })
}

fn sign_in(worker: &Worker, username: &str) {
    let events = ask(worker, Command::SignIn { username: username.into(), password: "parola-uzun-1".into() });
    assert!(matches!(events.as_slice(), [Event::SignedIn(u)] if u.username == username), "{events:?}");
}

#[test]
fn only_an_administrator_manages_accounts_holidays_restores_and_imports() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path());
    let (manager, staff) = {
        let store = Store::open(&data.store()).unwrap();
        store.create_user("yonetici", Some("parola-uzun-1"), Role::Admin, ALL_REGIONS).unwrap();
        let manager = store.create_user("mudur", Some("parola-uzun-1"), Role::Manager, "Izmir").unwrap();
        let staff = store.create_user("memur", Some("parola-uzun-1"), Role::Staff, "Izmir").unwrap();
        store.backup_now().unwrap();
        (manager, staff)
    };
    let backup = Store::open(&data.store()).unwrap().backups().unwrap().remove(0);
    let worker = Worker::start(data.clone(), Notifier::default()).unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let holiday = || HolidayDay::new(day, HolidayKind::Full, "Şirket günü");

    // Nobody signed in: nothing but signing in runs.
    let events = ask(
        &worker,
        Command::Save {
            table: &EMPLOYEES,
            id: None,
            region: "Izmir".into(),
            fields: json!({"full_name": "AYŞE"}).as_object().unwrap().clone(),
            options: Default::default(),
        },
    );
    assert_eq!(denied(&events), Some((Topic::Records, Denied::NotSignedIn)), "{events:?}");

    sign_in(&worker, "mudur");
    let admin_only = [
        (
            Command::CreateUser {
                username: "yeni".into(),
                password: "parola-uzun-1".into(),
                role: Role::Admin,
                region: ALL_REGIONS.into(),
            },
            Topic::Users,
        ),
        (Command::SetPassword { id: staff.id, password: "baska-parola-1".into() }, Topic::Users),
        (Command::SetUserActive { id: staff.id, active: false }, Topic::Users),
        (Command::Restore { path: backup.clone() }, Topic::Restore),
        (Command::AddHoliday { day: holiday() }, Topic::Holidays),
        (Command::RemoveHoliday { date: day }, Topic::Holidays),
        (Command::SetSetting { key: "sync_interval_minutes".into(), value: "1".into() }, Topic::Settings),
        (
            Command::ImportLegacy {
                path: "puantaj.db".into(),
                region: Some(ALL_REGIONS.into()),
                dry_run: false,
            },
            Topic::Import,
        ),
    ];
    for (command, topic) in admin_only {
        let events = ask(&worker, command);
        assert_eq!(denied(&events), Some((topic, Denied::NeedsRole(Role::Admin))), "{events:?}");
        assert!(!events.iter().any(|e| matches!(e, Event::DataChanged)), "{events:?}");
    }
    // Said in words, in either language.
    let message = Message::Denied(Denied::NeedsRole(Role::Admin));
    assert_eq!(message.text(Lang::Tr), "Bunu yalnızca sistem yöneticisi yapabilir");
    assert_eq!(message.text(Lang::En), "Only an administrator may do this");
    // A manager's own region is theirs; another is not.
    let events = ask(
        &worker,
        Command::ImportLegacy { path: "puantaj.db".into(), region: Some("Ankara".into()), dry_run: true },
    );
    assert!(matches!(denied(&events), Some((Topic::Import, Denied::Region(_)))), "{events:?}");

    // Staff do not settle refused changes.
    assert!(ask(&worker, Command::SignOut).is_empty());
    sign_in(&worker, "memur");
    let events = ask(&worker, Command::ResendRefused { id: 1 });
    assert_eq!(denied(&events), Some((Topic::Refused, Denied::NeedsRole(Role::Manager))), "{events:?}");
    // Signing out ends the session for the worker too.
    ask(&worker, Command::SignOut);
    let events = ask(&worker, Command::BackupNow);
    assert_eq!(denied(&events), Some((Topic::Backup, Denied::NotSignedIn)), "{events:?}");

    // Nothing of the above reached the store.
    let store = Store::open(&data.store()).unwrap();
    assert_eq!(store.users().unwrap().len(), 3);
    assert!(
        store.verify_login("memur", "parola-uzun-1").unwrap().is_ok(),
        "password and activity as they were"
    );
    assert!(store.added_holidays().unwrap().is_empty());
    assert!(store.user(manager.id).unwrap().unwrap().active);
    assert_eq!(store.setting("sync_interval_minutes").unwrap(), None);

    // The administrator's own commands go through.
    sign_in(&worker, "yonetici");
    let events = ask(&worker, Command::AddHoliday { day: holiday() });
    assert!(events.iter().any(|e| matches!(e, Event::DataChanged)), "{events:?}");
    assert_eq!(store.added_holidays().unwrap().len(), 1);
}

#[test]
fn staff_enter_a_leave_and_only_a_manager_writes_an_approved_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path());
    {
        let store = Store::open(&data.store()).unwrap();
        store.create_user("mudur", Some("parola-uzun-1"), Role::Manager, "Izmir").unwrap();
        store.create_user("memur", Some("parola-uzun-1"), Role::Staff, "Izmir").unwrap();
    }
    let worker = Worker::start(data.clone(), Notifier::default()).unwrap();
    sign_in(&worker, "memur");
    let events = ask(
        &worker,
        Command::Save {
            table: &EMPLOYEES,
            id: None,
            region: "Izmir".into(),
            fields: rainstaff_core::model::fields_of(&rainstaff_core::model::Employee {
                full_name: "AYŞE".into(),
                ..Default::default()
            }),
            options: Default::default(),
        },
    );
    let employee = events
        .iter()
        .find_map(|e| match e {
            Event::Saved { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap_or_else(|| panic!("the employee was saved: {events:?}"));
    let leave = |month: u32, approved_by: Option<&str>| {
        Command::Save {
        table: &LEAVES,
        id: None,
        region: "Izmir".into(),
        fields: json!({"employee_id": employee.to_string(), "kind": "annual", "first_day": format!("2026-{month:02}-01"),
            "last_day": format!("2026-{month:02}-05"), "entered_by": "memur", "approved_by": approved_by})
        .as_object()
        .unwrap()
        .clone(),
        options: Default::default(),
    }
    };
    let refused = |events: &[Event]| {
        events.iter().any(|e| {
            matches!(e, Event::Invalid { table: "leaves", errors }
                if errors.iter().any(|x| x.field == "approved_by" && x.problem == Problem::ApprovedLeave))
        })
    };
    let saved = |events: &[Event]| {
        events.iter().find_map(|e| match e {
            Event::Saved { table: "leaves", id } => Some(*id),
            _ => None,
        })
    };
    let events = ask(&worker, leave(6, Some("memur")));
    assert!(refused(&events), "staff do not approve: {events:?}");
    let events = ask(&worker, leave(6, None));
    assert!(saved(&events).is_some(), "staff enter a leave: {events:?}");

    ask(&worker, Command::SignOut);
    sign_in(&worker, "mudur");
    let events = ask(&worker, leave(7, Some("mudur")));
    let approved = saved(&events).unwrap_or_else(|| panic!("a manager approves: {events:?}"));

    // What a manager approved, staff neither change nor delete.
    ask(&worker, Command::SignOut);
    sign_in(&worker, "memur");
    let note = Command::Save {
        table: &LEAVES,
        id: Some(approved),
        region: "Izmir".into(),
        fields: json!({"note": "değişti"}).as_object().unwrap().clone(),
        options: Default::default(),
    };
    assert!(refused(&ask(&worker, note)));
    assert!(refused(&ask(&worker, Command::Delete { table: &LEAVES, id: approved })));
    let store = Store::open(&data.store()).unwrap();
    let row = store.records(&LEAVES, "Izmir").unwrap().into_iter().find(|r| r.id == approved).unwrap();
    assert_eq!(
        (row.fields["approved_by"].as_str(), row.fields.get("note")),
        (Some("mudur"), Some(&json!(null)))
    );
}
