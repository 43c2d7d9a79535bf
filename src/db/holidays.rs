//! Holidays an administrator adds to the built-in TR calendar: company days, and next year's
//! religious holidays once they are announced.

use chrono::NaiveDate;
use rainstaff_core::hours::{Calendar, HolidayDay, HolidayKind};
use rainstaff_core::validate::{FieldError, Problem};
use rusqlite::params;

use super::{Result, Store, StoreError};

impl Store {
    pub fn added_holidays(&self) -> Result<Vec<HolidayDay>> {
        let mut stmt = self.conn.prepare("SELECT date, half_day, name FROM holidays ORDER BY date")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?, r.get::<_, String>(2)?)))?;
        let mut days = Vec::new();
        for row in rows {
            let (date, half, name) = row?;
            if let Ok(date) = NaiveDate::parse_from_str(&date, "%Y-%m-%d") {
                days.push(HolidayDay::new(
                    date,
                    if half { HolidayKind::Half } else { HolidayKind::Full },
                    &name,
                ));
            }
        }
        Ok(days)
    }

    /// The calendar every computation uses: the built-in one with the added days.
    pub fn calendar(&self) -> Result<Calendar> {
        Ok(Calendar::builtin_tr().with_days(self.added_holidays()?))
    }

    pub fn add_holiday(&self, day: &HolidayDay) -> Result<()> {
        if day.name.trim().is_empty() {
            return Err(StoreError::Field(FieldError::new("name", Problem::Required)));
        }
        self.check_holiday_unlocked(day.date)?;
        self.conn.execute(
            "INSERT INTO holidays (date, half_day, name) VALUES (?1, ?2, ?3)
             ON CONFLICT (date) DO UPDATE SET half_day = excluded.half_day, name = excluded.name",
            params![day.date.to_string(), day.kind == HolidayKind::Half, day.name.trim()],
        )?;
        Ok(())
    }

    pub fn remove_holiday(&self, date: NaiveDate) -> Result<()> {
        self.check_holiday_unlocked(date)?;
        self.conn.execute("DELETE FROM holidays WHERE date = ?1", [date.to_string()])?;
        Ok(())
    }
}
