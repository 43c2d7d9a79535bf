//! Public holidays (UBGT) as data. The built-in Turkish calendar lives in `data/holidays_tr.json`
//! so that next year's religious dates are an edit of a data file, or an administrator's entry at
//! run time, rather than a code change.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::time::{parse_hhmm, parse_iso_date};

const TR_DATA: &str = include_str!("../../data/holidays_tr.json");

/// How much of a date is a holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HolidayKind {
    /// The whole date.
    Full,
    /// From the calendar's half-day hour (13:00 in Türkiye) to midnight: arife days, 28 October.
    Half,
}

impl HolidayKind {
    /// What one worked holiday date of this kind earns in extra days' pay (L16).
    pub fn units(self) -> f64 {
        match self {
            HolidayKind::Full => 1.0,
            HolidayKind::Half => 0.5,
        }
    }
}

/// One holiday date with its name, as shown on an administrator's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayDay {
    pub date: NaiveDate,
    pub kind: HolidayKind,
    pub name: String,
}

impl HolidayDay {
    pub fn new(date: NaiveDate, kind: HolidayKind, name: &str) -> Self {
        Self { date, kind, name: name.to_string() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct FixedDay {
    month: u32,
    day: u32,
    kind: HolidayKind,
    name: String,
}

/// A holiday calendar: holidays fixed by law that recur every year, plus dated days (religious
/// holidays, company days) known for particular years.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    name: String,
    half_day_from: u32,
    fixed: Vec<FixedDay>,
    dated: BTreeMap<NaiveDate, Vec<(HolidayKind, String)>>,
    /// Years whose dated holidays are known, with whether they are still an estimate.
    years: BTreeMap<i32, bool>,
}

#[derive(Deserialize)]
struct FileData {
    calendar: String,
    half_day_from: String,
    fixed: Vec<FileFixed>,
    years: Vec<FileYear>,
}

#[derive(Deserialize)]
struct FileFixed {
    month: u32,
    day: u32,
    kind: HolidayKind,
    name: String,
}

#[derive(Deserialize)]
struct FileYear {
    year: i32,
    provisional: bool,
    days: Vec<FileDay>,
}

#[derive(Deserialize)]
struct FileDay {
    date: String,
    kind: HolidayKind,
    name: String,
}

impl Calendar {
    /// The Turkish calendar shipped with the program (2025–2027, 2027 provisional).
    pub fn builtin_tr() -> Calendar {
        static TR: OnceLock<Calendar> = OnceLock::new();
        TR.get_or_init(|| {
            // The file is compiled in and a unit test parses it, so failing here means a broken build.
            Calendar::from_json(TR_DATA).expect("built-in data/holidays_tr.json is valid")
        })
        .clone()
    }

    /// A calendar by the name the JSON interface uses (`"TR"`).
    pub fn by_name(name: &str) -> Option<Calendar> {
        (name == "TR").then(Calendar::builtin_tr)
    }

    /// No holidays at all (half days would start at 13:00).
    pub fn empty(name: &str) -> Calendar {
        Calendar {
            name: name.to_string(),
            half_day_from: 13 * 60,
            fixed: Vec::new(),
            dated: BTreeMap::new(),
            years: BTreeMap::new(),
        }
    }

    /// Reads a calendar in the format of `data/holidays_tr.json`.
    pub fn from_json(text: &str) -> Result<Calendar, String> {
        let data: FileData = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut calendar = Calendar::empty(&data.calendar);
        calendar.half_day_from =
            parse_hhmm(&data.half_day_from).map_err(|_| "half_day_from is not HH:MM".to_string())?;
        for f in data.fixed {
            if NaiveDate::from_ymd_opt(2024, f.month, f.day).is_none() {
                return Err(format!("fixed holiday {}/{} is not a date", f.day, f.month));
            }
            calendar.fixed.push(FixedDay { month: f.month, day: f.day, kind: f.kind, name: f.name });
        }
        for y in data.years {
            calendar.years.insert(y.year, y.provisional);
            for d in y.days {
                let date = parse_iso_date(&d.date).map_err(|_| format!("{} is not a date", d.date))?;
                if date.year() != y.year {
                    return Err(format!("{} is listed under {}", d.date, y.year));
                }
                calendar.add_day(HolidayDay { date, kind: d.kind, name: d.name });
            }
        }
        Ok(calendar)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Minute of the day at which a half holiday starts.
    pub fn half_day_from(&self) -> u32 {
        self.half_day_from
    }

    /// This calendar with extra days (company days, next year's religious dates).
    pub fn with_days(mut self, days: impl IntoIterator<Item = HolidayDay>) -> Calendar {
        for day in days {
            self.add_day(day);
        }
        self
    }

    /// Adds a day. A date that already is a holiday stays one holiday: the whole date when either
    /// says so, with both names.
    pub fn add_day(&mut self, day: HolidayDay) {
        self.dated.entry(day.date).or_default().push((day.kind, day.name));
    }

    /// Removes the dated days on `date` (a recurring legal holiday cannot be removed). Returns
    /// whether there was one.
    pub fn remove_day(&mut self, date: NaiveDate) -> bool {
        self.dated.remove(&date).is_some()
    }

    /// Replaces the dated days of `year`, for instance when the official calendar replaces an
    /// estimate, and records whether the new dates are still provisional.
    pub fn set_year(&mut self, year: i32, provisional: bool, days: Vec<HolidayDay>) {
        self.dated.retain(|date, _| date.year() != year);
        self.years.insert(year, provisional);
        for day in days.into_iter().filter(|d| d.date.year() == year) {
            self.add_day(day);
        }
    }

    /// Years whose dated (religious) holidays are known, in order.
    pub fn years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    /// Whether the dates of `year` are an estimate. A year the calendar knows nothing about counts
    /// as provisional: its religious holidays are missing.
    pub fn is_provisional(&self, year: i32) -> bool {
        self.years.get(&year).copied().unwrap_or(true)
    }

    /// The holiday on `date`, if any, with the names of everything that falls on it.
    pub fn holiday_on(&self, date: NaiveDate) -> Option<HolidayDay> {
        let mut kind = None;
        let mut names: Vec<&str> = Vec::new();
        let fixed = self.fixed.iter().filter(|f| f.month == date.month() && f.day == date.day());
        let dated = self.dated.get(&date).into_iter().flatten();
        for (k, name) in fixed.map(|f| (f.kind, f.name.as_str())).chain(dated.map(|(k, n)| (*k, n.as_str())))
        {
            kind = Some(merge_kind(kind, k));
            if !names.contains(&name) {
                names.push(name);
            }
        }
        kind.map(|kind| HolidayDay { date, kind, name: names.join(" / ") })
    }

    /// Every holiday of `year` in date order.
    pub fn days_in(&self, year: i32) -> Vec<HolidayDay> {
        let fixed = self.fixed.iter().filter_map(|f| NaiveDate::from_ymd_opt(year, f.month, f.day));
        let dated = self.dated.keys().copied().filter(|d| d.year() == year);
        let mut dates: Vec<NaiveDate> = fixed.chain(dated).collect();
        dates.sort();
        dates.dedup();
        dates.into_iter().filter_map(|d| self.holiday_on(d)).collect()
    }

    /// The kind of holiday on a date without building its name: the engine asks this for every
    /// date a shift touches.
    pub(crate) fn kind_on(&self, date: NaiveDate) -> Option<HolidayKind> {
        let fixed =
            self.fixed.iter().filter(|f| f.month == date.month() && f.day == date.day()).map(|f| f.kind);
        let dated = self.dated.get(&date).into_iter().flatten().map(|(k, _)| *k);
        fixed.chain(dated).fold(None, |acc, k| Some(merge_kind(acc, k)))
    }

    /// Minute of the day from which `date` is a holiday, if it is one.
    pub(crate) fn window_start(&self, date: NaiveDate) -> Option<(u32, HolidayKind)> {
        self.kind_on(date).map(|kind| match kind {
            HolidayKind::Full => (0, kind),
            HolidayKind::Half => (self.half_day_from, kind),
        })
    }
}

/// A date that is a holiday twice over is one holiday, whole when either part is.
fn merge_kind(acc: Option<HolidayKind>, k: HolidayKind) -> HolidayKind {
    match (acc, k) {
        (Some(HolidayKind::Full), _) | (_, HolidayKind::Full) => HolidayKind::Full,
        _ => HolidayKind::Half,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_iso_date(s).unwrap()
    }

    #[test]
    fn builtin_years_and_provisional_2027() {
        let tr = Calendar::builtin_tr();
        assert_eq!(tr.name(), "TR");
        assert_eq!(tr.years(), vec![2025, 2026, 2027]);
        assert!(!tr.is_provisional(2025));
        assert!(!tr.is_provisional(2026));
        assert!(tr.is_provisional(2027));
        assert!(tr.is_provisional(2028));
        assert_eq!(tr.half_day_from(), 780);
    }

    #[test]
    fn fixed_and_movable_days() {
        let tr = Calendar::builtin_tr();
        let republic = tr.holiday_on(d("2026-10-29")).unwrap();
        assert_eq!((republic.kind, republic.name.as_str()), (HolidayKind::Full, "Cumhuriyet Bayramı"));
        assert_eq!(tr.holiday_on(d("2026-10-28")).unwrap().kind, HolidayKind::Half);
        assert_eq!(tr.holiday_on(d("2026-03-19")).unwrap().kind, HolidayKind::Half);
        assert_eq!(tr.holiday_on(d("2026-03-20")).unwrap().name, "Ramazan Bayramı 1. gün");
        assert_eq!(tr.holiday_on(d("2025-06-09")).unwrap().kind, HolidayKind::Full);
        assert_eq!(tr.holiday_on(d("2026-03-02")), None);
        assert_eq!(tr.window_start(d("2027-05-15")), Some((780, HolidayKind::Half)));
        assert_eq!(tr.window_start(d("2026-01-01")), Some((0, HolidayKind::Full)));
        // A fixed holiday recurs in years without movable data.
        assert_eq!(tr.kind_on(d("2030-08-30")), Some(HolidayKind::Full));
    }

    #[test]
    fn a_date_that_is_two_holidays_is_one() {
        let tr = Calendar::builtin_tr();
        let may19 = tr.holiday_on(d("2027-05-19")).unwrap();
        assert_eq!(may19.kind, HolidayKind::Full);
        assert!(may19.name.contains("Gençlik ve Spor Bayramı") && may19.name.contains("Kurban"));
        // 8 fixed dates + 9 religious ones, 19 May counted once.
        assert_eq!(tr.days_in(2027).len(), 16);
        assert_eq!(tr.days_in(2026).len(), 17);
        assert_eq!(tr.days_in(2026)[0].name, "Yılbaşı");
    }

    #[test]
    fn administrators_extend_the_calendar() {
        let mut tr = Calendar::builtin_tr().with_days([HolidayDay::new(
            d("2026-12-31"),
            HolidayKind::Half,
            "Şirket yılsonu",
        )]);
        assert_eq!(tr.kind_on(d("2026-12-31")), Some(HolidayKind::Half));
        // A half day added on top of a full one leaves the date whole.
        tr.add_day(HolidayDay::new(d("2026-03-20"), HolidayKind::Half, "Şirket"));
        assert_eq!(tr.kind_on(d("2026-03-20")), Some(HolidayKind::Full));
        assert!(tr.remove_day(d("2026-12-31")));
        assert!(!tr.remove_day(d("2026-12-31")));
        assert!(tr.remove_day(d("2026-03-20")));
        assert_eq!(tr.kind_on(d("2026-03-20")), None);
        tr.set_year(
            2027,
            false,
            vec![HolidayDay::new(d("2027-03-10"), HolidayKind::Full, "Ramazan Bayramı 1. gün")],
        );
        assert!(!tr.is_provisional(2027));
        assert_eq!(tr.kind_on(d("2027-03-09")), None);
        assert_eq!(tr.kind_on(d("2027-03-10")), Some(HolidayKind::Full));
        tr.set_year(2028, true, Vec::new());
        assert_eq!(tr.years(), vec![2025, 2026, 2027, 2028]);
        assert_eq!(Calendar::by_name("XX"), None);
        assert_eq!(Calendar::empty("none").kind_on(d("2026-01-01")), None);
    }

    #[test]
    fn bad_data_is_refused() {
        assert!(Calendar::from_json("{}").is_err());
        let wrong_year = r#"{"calendar":"X","half_day_from":"13:00","fixed":[],
            "years":[{"year":2025,"provisional":false,"days":[{"date":"2026-01-02","kind":"full","name":"x"}]}]}"#;
        assert!(Calendar::from_json(wrong_year).unwrap_err().contains("listed under 2025"));
    }
}
