//! Closing a month for payroll: a manager approves a region's month, an administrator locks it
//! (and unlocks it with a reason). The state is a synced row (`schema::PERIOD_LOCKS`), so an
//! offline PC learns it at its next pull; until then the server refuses what it wrote into the
//! locked month (`rules::check`, the same rule the store applies here).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rainstaff_core::schema::{PERIOD_LOCKS, period_id};
use rainstaff_core::validate::{FieldError, Problem, check_row};
use rainstaff_report::Closed;
use rusqlite::OptionalExtension as _;
use serde_json::{Map, Value};

use super::audit::Entry;
use super::edits::SaveError;
use super::users::User;
use super::{Result, Store, StoreError, now_utc, rows};

/// Where a region's month stands, and who put it there when.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    /// `approved`, `locked` or `unlocked` (`schema::PERIOD_STATES`).
    pub state: String,
    pub by: String,
    pub at: String,
    pub reason: Option<String>,
}

impl Period {
    pub fn is_locked(&self) -> bool {
        self.state == "locked"
    }
}

/// The audit action of moving a month to `state`.
fn action(state: &str) -> &'static str {
    match state {
        "approved" => "approve",
        "locked" => "lock",
        _ => "unlock",
    }
}

impl Store {
    /// The state of `region`'s `period` (a month `YYYY-MM` or a week `YYYY-Www`); `None` while
    /// nobody approved or locked it.
    pub fn period(&self, region: &str, period: &str) -> Result<Option<Period>> {
        let Some(row) =
            rows::get(&self.conn, &PERIOD_LOCKS, period_id(region, period))?.filter(|r| !r.deleted)
        else {
            return Ok(None);
        };
        let text = |name: &str| row.fields.get(name).and_then(Value::as_str).map(str::to_string);
        Ok(Some(Period {
            state: text("state").unwrap_or_default(),
            by: text("by").unwrap_or_default(),
            at: text("at").unwrap_or_default(),
            reason: text("reason"),
        }))
    }

    /// How payroll closed `month` in each region that approved or locked it, for the workbook.
    pub fn closed_periods(&self, month: &str) -> Result<BTreeMap<String, Closed>> {
        let mut stmt = self.conn.prepare(
            "SELECT region, state, by, at FROM period_locks WHERE period = ?1 AND deleted_at IS NULL",
        )?;
        let rows = stmt.query_map([month], |r| {
            let closed = Closed { state: r.get(1)?, by: r.get(2)?, at: r.get(3)? };
            Ok((r.get::<_, String>(0)?, closed))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Moves `region`'s `period` to `state` as `user`, with its audit entry, in one transaction.
    /// Approving a locked month is refused: it would reopen the month without an unlock's reason.
    pub fn set_period(
        &mut self,
        user: &User,
        region: &str,
        period: &str,
        state: &str,
        reason: Option<&str>,
    ) -> Result<(), SaveError> {
        self.scope(user)?.check(region).map_err(|e| SaveError::Fields(vec![e]))?;
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let mut fields = Map::new();
        fields.insert("period".into(), Value::from(period));
        fields.insert("state".into(), Value::from(state));
        fields.insert("by".into(), Value::from(user.username.as_str()));
        fields.insert("at".into(), Value::from(now_utc()));
        fields.insert("reason".into(), reason.map_or(Value::Null, Value::from));
        let mut errors = PERIOD_LOCKS.check_fields(&fields, true);
        errors.extend(check_row(PERIOD_LOCKS.name, &fields));
        let id = period_id(region, period);
        let old = rows::get(&self.conn, &PERIOD_LOCKS, id)?.filter(|r| !r.deleted).map(|r| r.fields);
        let locked = old.as_ref().and_then(|f| f.get("state")).and_then(Value::as_str) == Some("locked");
        if state == "approved" && locked {
            errors.push(FieldError::new("state", Problem::PeriodLocked));
        }
        if !errors.is_empty() {
            return Err(SaveError::Fields(errors));
        }
        let entry = Entry::record(user, action(state), &PERIOD_LOCKS, id, region)
            .titled(Some(period.to_string()))
            .between(old.as_ref(), Some(&fields));
        let tx = self.conn.transaction()?;
        rows::save(&tx, &PERIOD_LOCKS, id, region, &fields)?;
        entry.write(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Refuses a change of the holiday calendar on `date` while its month is locked in a region
    /// this PC holds: the calendar is the PC's, and a holiday moves that month's pay.
    pub(super) fn check_holiday_unlocked(&self, date: NaiveDate) -> Result<()> {
        let month = date.format("%Y-%m").to_string();
        let locked: Option<String> = self
            .conn
            .query_row(
                "SELECT region FROM period_locks WHERE period = ?1 AND state = 'locked' AND deleted_at IS NULL",
                [&month],
                |r| r.get(0),
            )
            .optional()?;
        match locked {
            None => Ok(()),
            Some(region) => Err(StoreError::Refused {
                tr: format!("{month} bordro için kilitli ({region}); tatil takvimi bu ayda değişmez"),
                en: format!(
                    "{month} is locked for payroll ({region}); the holiday calendar cannot change in it"
                ),
            }),
        }
    }
}
