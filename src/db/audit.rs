//! The office's audit trail: who did what, on which PC, when, to which record, with the fields
//! before and after. A record's entry is written in the transaction of its change, so there is
//! never a change without its entry or an entry of a change that did not happen; the entries are
//! rows of the synced `audit_entries` table, so the server holds every office's trail too.

use chrono::{NaiveDate, TimeZone as _};
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::schema::{AUDIT_ENTRIES, NAME_CHARS, RESULTS_CHARS, TableSpec};
use rainstaff_core::text::search_key;
use rusqlite::{Connection, OptionalExtension as _, params};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::users::User;
use super::{Result, Store, now_utc, rows};

/// The name this PC goes by in the audit trail and, by default, when it is enrolled.
pub fn computer_name() -> String {
    std::env::var("COMPUTERNAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok().map(|s| s.trim().to_string()))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "rainstaff-pc".into())
}

/// One entry before it is written.
#[derive(Debug, Clone)]
pub struct Entry {
    pub username: String,
    /// The region whose managers read the entry: the record's, or for what concerns no record
    /// the person's (the PC's, for a person of every region; ALL when the PC too is).
    pub region: String,
    /// A code of `schema::AUDIT_ACTIONS`.
    pub action: &'static str,
    pub table: Option<&'static TableSpec>,
    pub record_id: Option<Uuid>,
    /// The record as the office knows it (`Store::title_of`), or what an event concerns (a file).
    pub record: Option<String>,
    /// `{"field": [before, after]}` of the fields that changed.
    pub changes: Option<Map<String, Value>>,
}

impl Entry {
    /// What `user` did to the record `id` of `table` in `region`.
    pub fn record(
        user: &User,
        action: &'static str,
        table: &'static TableSpec,
        id: Uuid,
        region: &str,
    ) -> Entry {
        Entry {
            username: user.username.clone(),
            region: region.to_string(),
            action,
            table: Some(table),
            record_id: Some(id),
            record: None,
            changes: None,
        }
    }

    /// What `username` did that changes no record (a sign-in, an import, a backup): `subject` is
    /// what it concerns, as people read it.
    pub fn event(username: &str, region: &str, action: &'static str, subject: Option<String>) -> Entry {
        Entry {
            username: username.to_string(),
            region: region.to_string(),
            action,
            table: None,
            record_id: None,
            record: subject,
            changes: None,
        }
    }

    /// The record as the office knows it.
    pub fn titled(self, title: Option<String>) -> Entry {
        Entry { record: title, ..self }
    }

    /// The fields that differ between `before`, the live row before (None for a new one), and
    /// `after`, the complete row after (None for a delete).
    pub fn between(self, before: Option<&Map<String, Value>>, after: Option<&Map<String, Value>>) -> Entry {
        let empty = Map::new();
        let (old, new) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
        let names = self.table.map(|t| t.column_names().collect::<Vec<_>>()).unwrap_or_default();
        let changes: Map<String, Value> = names
            .into_iter()
            .filter(|&name| old.get(name) != new.get(name))
            .map(|name| {
                let side = |row: &Map<String, Value>| row.get(name).cloned().unwrap_or(Value::Null);
                (name.to_string(), Value::Array(vec![side(old), side(new)]))
            })
            .collect();
        Entry { changes: Some(changes).filter(|c| !c.is_empty()), ..self }
    }

    /// Writes the entry inside the caller's transaction, and so into the outbox.
    pub fn write(&self, conn: &Connection) -> Result<()> {
        let text = |s: &str, max| Value::String(cut(s, max));
        let mut fields = Map::new();
        fields.insert("at".into(), Value::String(now_utc()));
        fields.insert("username".into(), text(&self.username, NAME_CHARS));
        fields.insert("device".into(), text(&computer_name(), NAME_CHARS));
        fields.insert("action".into(), Value::String(self.action.to_string()));
        fields.insert("table_name".into(), self.table.map_or(Value::Null, |t| Value::String(t.name.into())));
        fields.insert(
            "record_id".into(),
            self.record_id.map_or(Value::Null, |id| Value::String(id.to_string())),
        );
        fields.insert("record".into(), self.record.as_deref().map_or(Value::Null, |r| text(r, NAME_CHARS)));
        fields.insert("changes".into(), self.changes.as_ref().map_or(Value::Null, changes_text));
        rows::save(conn, &AUDIT_ENTRIES, rainstaff_core::ids::new_id(), &self.region, &fields)?;
        Ok(())
    }
}

/// The first `max` characters of `s`: what a field's bound lets the entry keep.
fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// The changes as JSON text within the field's bound: a value too long to keep whole (a long
/// note, an inspection's checklist) is cut, and the entry still says which fields changed.
fn changes_text(changes: &Map<String, Value>) -> Value {
    let whole = Value::Object(changes.clone()).to_string();
    if whole.chars().count() <= RESULTS_CHARS {
        return Value::String(whole);
    }
    let per_field = RESULTS_CHARS / (changes.len() * 2 + 1) / 2;
    let cut = |v: &Value| match v {
        Value::String(s) => Value::String(cut(s, per_field)),
        other => other.clone(),
    };
    let short: Map<String, Value> = changes
        .iter()
        .map(|(name, sides)| {
            let sides = sides.as_array().map(|s| s.iter().map(cut).collect()).unwrap_or_default();
            (name.clone(), Value::Array(sides))
        })
        .collect();
    Value::String(Value::Object(short).to_string())
}

impl Store {
    /// The region an entry about no record goes to for `user` (see `Entry::region`).
    pub fn audit_region(&self, user_region: &str) -> Result<String> {
        if user_region != ALL_REGIONS {
            return Ok(user_region.to_string());
        }
        Ok(self.pc_region()?.unwrap_or_else(|| ALL_REGIONS.to_string()))
    }

    /// The region a sign-in attempt with the name `typed` concerns: the account's, when the name is
    /// one (so its managers see who tried it), else this PC's.
    pub fn sign_in_region(&self, typed: &str) -> Result<String> {
        let account: Option<String> = self
            .conn
            .query_row("SELECT region FROM users WHERE username_key = ?1", [search_key(typed.trim())], |r| {
                r.get(0)
            })
            .optional()?;
        self.audit_region(account.as_deref().unwrap_or(ALL_REGIONS))
    }

    /// Logs an event that changes no record (a sign-in, an export, a backup) in its own
    /// transaction: `subject` is what it concerns, as people read it.
    pub fn log_event(
        &mut self,
        username: &str,
        user_region: &str,
        action: &'static str,
        subject: Option<String>,
    ) -> Result<()> {
        let entry = Entry::event(username, &self.audit_region(user_region)?, action, subject);
        let tx = self.conn.transaction()?;
        entry.write(&tx)?;
        tx.commit()?;
        Ok(())
    }
}

/// Which entries the log screen and `rainstaff audit` read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Only this region's entries; None: every region's (an administrator's view).
    pub region: Option<String>,
    /// Entries whose user name contains this (Turkish-aware, like every search).
    pub username: Option<String>,
    /// A code of `schema::AUDIT_ACTIONS`.
    pub action: Option<String>,
    /// Local days, both included.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Entries whose record contains this.
    pub record: Option<String>,
    /// At most this many, newest first; None: all of them.
    pub limit: Option<usize>,
}

/// One entry as read back.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Logged {
    pub at: String,
    pub username: String,
    pub device: String,
    pub region: String,
    pub action: String,
    pub table_name: Option<String>,
    pub record_id: Option<String>,
    pub record: Option<String>,
    pub changes: Option<String>,
}

/// The stored timestamp of local midnight at the start of `day`.
fn local_midnight(day: NaiveDate) -> String {
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    let local = chrono::Local.from_local_datetime(&midnight).earliest();
    let utc = local.map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&chrono::Utc));
    utc.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Store {
    /// The entries `filter` asks for, newest first.
    pub fn audit_entries(&self, filter: &Filter) -> Result<Vec<Logged>> {
        let key = |s: &Option<String>| s.as_deref().map(search_key).filter(|k| !k.is_empty());
        let from = filter.from.map(local_midnight);
        let until = filter.to.map(|d| local_midnight(d + chrono::Days::new(1)));
        let limit = filter.limit.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let mut stmt = self.conn.prepare(
            "SELECT at, username, device, region, action, table_name, record_id, record, changes
             FROM audit_entries
             WHERE (?1 IS NULL OR region = ?1)
               AND (?2 IS NULL OR instr(tr_search(username), ?2) > 0)
               AND (?3 IS NULL OR action = ?3)
               AND (?4 IS NULL OR at >= ?4)
               AND (?5 IS NULL OR at < ?5)
               AND (?6 IS NULL OR instr(tr_search(record), ?6) > 0)
             ORDER BY at DESC, id DESC
             LIMIT ?7",
        )?;
        let rows = stmt.query_map(
            params![
                filter.region,
                key(&filter.username),
                filter.action,
                from,
                until,
                key(&filter.record),
                limit
            ],
            |r| {
                Ok(Logged {
                    at: r.get(0)?,
                    username: r.get(1)?,
                    device: r.get(2)?,
                    region: r.get(3)?,
                    action: r.get(4)?,
                    table_name: r.get(5)?,
                    record_id: r.get(6)?,
                    record: r.get(7)?,
                    changes: r.get(8)?,
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
