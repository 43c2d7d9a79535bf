//! The monthly puantaj cetveli: what each day of a person's month was (worked with its hours,
//! weekly rest, public holiday, a leave, not employed), and from those days the month's SGK
//! premium days (prim günü) and missing days (eksik gün) with their reason. Every place that shows
//! a month's grid (the desktop's workbook, `rainstaff export puantaj`, the web dashboard) reads
//! it from here, so a clerk sees one number wherever they look. docs/PAYROLL.md says the rules
//! with examples.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate};

use crate::hours::{Calendar, HolidayKind};
use crate::leave::{LeaveKind, REST_DAY, Span, monday_of, on_day};
use crate::schema::Label;

/// A full month's premium days, whatever its length (SGK counts a month as 30 days).
pub const FULL_MONTH: u32 = 30;

/// What one day of a person's month was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Before the hire date or after the leaving date.
    NotEmployed,
    /// Worked: the day's worked minutes as payroll counts them.
    Worked(u32),
    WeeklyRest,
    /// A whole public holiday not worked.
    Holiday,
    Leave(LeaveKind),
    /// Nothing recorded on a working day. It is not taken for an absence: an absence is entered.
    Blank,
}

/// One day of the grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    pub date: NaiveDate,
    pub mark: Mark,
    /// The SGK reason when the day is a missing (unpaid) day: an unpaid leave's day, or a weekly
    /// rest day lost to an unexcused absence or unpaid leave in its week (Art. 46).
    pub missing: Option<String>,
}

/// A person's month: the days and what they add up to.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonMonth {
    pub days: Vec<Day>,
    pub worked_days: u32,
    pub weekly_rest_days: u32,
    pub holiday_days: u32,
    /// Days of each kind of leave in the month, as the grid shows them.
    pub leave_days: BTreeMap<LeaveKind, u32>,
    pub premium: Premium,
}

/// The month's line of the SGK declaration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Premium {
    pub days: u32,
    pub missing: u32,
    /// The reason of the missing days; `leave::SEVERAL_REASONS` when they have several.
    pub code: Option<String>,
}

/// The person's employment, as the employee record has it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Employment {
    pub hire: Option<NaiveDate>,
    pub leaving: Option<NaiveDate>,
}

impl Employment {
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.hire.is_none_or(|h| h <= day) && self.leaving.is_none_or(|l| day <= l)
    }
}

/// The first and last day of the month `day` is in.
pub fn month_bounds(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = day.with_day(1).expect("the first of a month");
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    (first, next.expect("a month follows") - Duration::days(1))
}

/// What a day was, before the week around it is looked at.
fn mark_of(day: NaiveDate, employment: Employment, worked: u32, spans: &[Span], calendar: &Calendar) -> Mark {
    if !employment.covers(day) {
        return Mark::NotEmployed;
    }
    // A day worked is a day paid, inside a leave too (a clerk confirmed both: half a day worked,
    // then a sick report from the next day on).
    if worked > 0 {
        return Mark::Worked(worked);
    }
    let holiday = calendar.holiday_on(day).is_some_and(|h| h.kind == HolidayKind::Full);
    let rest = day.weekday() == REST_DAY;
    match on_day(spans, day) {
        // A holiday or rest day inside annual or excused leave stays one (Art. 56).
        Some(span) if span.kind.working_days_only() && holiday => Mark::Holiday,
        Some(span) if span.kind.working_days_only() && rest => Mark::WeeklyRest,
        Some(span) => Mark::Leave(span.kind),
        None if holiday => Mark::Holiday,
        None if rest => Mark::WeeklyRest,
        None => Mark::Blank,
    }
}

/// The reason a weekly rest day on `rest` is not earned: a day of its week (Monday to the rest
/// day) on unpaid leave or absent, which does not count as worked (Art. 46). The first such
/// day's reason.
fn rest_lost(rest: NaiveDate, employment: Employment, spans: &[Span]) -> Option<String> {
    let monday = monday_of(rest);
    crate::leave::days(monday, rest - Duration::days(1))
        .filter(|d| employment.covers(*d))
        .filter_map(|d| on_day(spans, d))
        .find(|s| !s.kind.earns_weekly_rest())
        .and_then(Span::missing_code)
}

/// The month of `month_day` for one person: `worked` holds the minutes payroll counts on each
/// day with work, `spans` the person's leaves (any dates).
pub fn person_month(
    month_day: NaiveDate,
    employment: Employment,
    worked: &BTreeMap<NaiveDate, u32>,
    spans: &[Span],
    calendar: &Calendar,
) -> PersonMonth {
    let (first, last) = month_bounds(month_day);
    let mut month = PersonMonth {
        days: Vec::new(),
        worked_days: 0,
        weekly_rest_days: 0,
        holiday_days: 0,
        leave_days: BTreeMap::new(),
        premium: Premium::default(),
    };
    for date in crate::leave::days(first, last) {
        let mark = mark_of(date, employment, worked.get(&date).copied().unwrap_or(0), spans, calendar);
        let missing = match mark {
            Mark::Leave(kind) => on_day(spans, date).filter(|_| !kind.paid()).and_then(Span::missing_code),
            Mark::WeeklyRest => rest_lost(date, employment, spans),
            _ => None,
        };
        match mark {
            Mark::Worked(_) => month.worked_days += 1,
            Mark::WeeklyRest => month.weekly_rest_days += 1,
            Mark::Holiday => month.holiday_days += 1,
            Mark::Leave(kind) => *month.leave_days.entry(kind).or_default() += 1,
            Mark::NotEmployed | Mark::Blank => {}
        }
        month.days.push(Day { date, mark, missing });
    }
    month.premium = premium(&month.days);
    month
}

/// The premium days of a month's days: 30 for a full month less its missing days; a month the
/// person joined or left part-way counts its employed days less the missing ones.
pub fn premium(days: &[Day]) -> Premium {
    let employed = days.iter().filter(|d| d.mark != Mark::NotEmployed).count() as u32;
    let missing = days.iter().filter(|d| d.missing.is_some()).count() as u32;
    let codes: BTreeSet<&str> = days.iter().filter_map(|d| d.missing.as_deref()).collect();
    let code = match codes.len() {
        0 => None,
        1 => codes.first().map(|c| c.to_string()),
        _ => Some(crate::leave::SEVERAL_REASONS.to_string()),
    };
    let full = employed == days.len() as u32;
    let (days, missing) = if full && missing >= employed {
        // Not one paid day: none is a premium day, whatever the month's length.
        (0, FULL_MONTH)
    } else if full {
        let missing = missing.min(FULL_MONTH);
        (FULL_MONTH - missing, missing)
    } else {
        (employed.saturating_sub(missing), missing)
    };
    Premium { days, missing, code }
}

/// Why `Letters::with` refused a letter: its name is no letter's, or the letter is blank or too long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterError {
    pub name: String,
    pub unknown: bool,
}

impl LetterError {
    fn problem(&self, lang: crate::i18n::Lang) -> String {
        match (self.unknown, lang) {
            (true, crate::i18n::Lang::Tr) => "puantaj harfi adı değil".to_string(),
            (true, crate::i18n::Lang::En) => "not a puantaj letter's name".to_string(),
            (false, crate::i18n::Lang::Tr) => format!("harf 1 ile {LETTER_CHARS} karakter arası olmalı"),
            (false, crate::i18n::Lang::En) => format!("a letter is 1 to {LETTER_CHARS} characters"),
        }
    }

    /// For a screen: the letter named by what it stands for.
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        format!("{}: {}", Letters::meaning(&self.name).get(lang), self.problem(lang))
    }
}

/// For IT, who set letters by their names (`annual=YZ`).
impl std::fmt::Display for LetterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.name, self.problem(crate::i18n::Lang::En))
    }
}

/// The letters a grid writes for its days: the office's own where its settings give them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letters(BTreeMap<String, String>);

/// The names a letter is set by (`Letters::with`), beside each leave kind's stored value.
pub const WORKED: &str = "worked";
pub const WEEKLY_REST: &str = "weekly_rest";
pub const HOLIDAY: &str = "holiday";
pub const NOT_EMPLOYED: &str = "not_employed";

/// The longest letter a setting may give: a cell must stay narrow enough for A4 landscape.
pub const LETTER_CHARS: usize = 4;

impl Default for Letters {
    fn default() -> Self {
        let mut map = BTreeMap::new();
        for (name, letter) in [(WORKED, "Ç"), (WEEKLY_REST, "HT"), (HOLIDAY, "RT"), (NOT_EMPLOYED, "-")] {
            map.insert(name.to_string(), letter.to_string());
        }
        for kind in LeaveKind::ALL {
            map.insert(kind.stored().to_string(), kind.letter().to_string());
        }
        Letters(map)
    }
}

impl Letters {
    /// Every name a letter can be set by, in the order a settings screen lists them.
    pub fn names() -> Vec<&'static str> {
        let mut names = vec![WORKED, WEEKLY_REST, HOLIDAY, NOT_EMPLOYED];
        names.extend(LeaveKind::ALL.iter().map(|k| k.stored()));
        names
    }

    /// The defaults with `overrides` (name → letter) put over them. An unknown name, or a letter
    /// blank or longer than `LETTER_CHARS`, is refused with the name.
    pub fn with(overrides: &BTreeMap<String, String>) -> Result<Letters, LetterError> {
        let mut letters = Letters::default();
        for (name, letter) in overrides {
            let error = |unknown| LetterError { name: name.clone(), unknown };
            if !letters.0.contains_key(name) {
                return Err(error(true));
            }
            let letter = letter.trim();
            if letter.is_empty() || letter.chars().count() > LETTER_CHARS {
                return Err(error(false));
            }
            letters.0.insert(name.clone(), letter.to_string());
        }
        Ok(letters)
    }

    /// The letters that differ from the defaults (name → letter): what a setting stores.
    pub fn own(&self) -> BTreeMap<String, String> {
        let defaults = Letters::default();
        self.0
            .iter()
            .filter(|(name, letter)| defaults.get(name) != *letter)
            .map(|(n, l)| (n.clone(), l.clone()))
            .collect()
    }

    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }

    /// What the letter of `name` (one of `names`) stands for, as a legend and a settings
    /// screen say it.
    pub fn meaning(name: &str) -> Label {
        let label = |tr, en| Label { tr, en };
        match name {
            WORKED => {
                label("Çalışılan gün, o gün çalışılan saat ile", "Worked, with the hours worked that day")
            }
            WEEKLY_REST => label("Hafta tatili", "Weekly rest day"),
            HOLIDAY => label("Resmî tatil", "Public holiday"),
            NOT_EMPLOYED => {
                label("İşe girişten önce ya da işten çıkıştan sonra", "Before the hire date or after leaving")
            }
            other => LeaveKind::from_stored(other).map_or(label("", ""), LeaveKind::label),
        }
    }

    /// The cell of a day: `Ç 7,5` for a worked day (its hours), the letter of any other, nothing
    /// for a blank one.
    pub fn cell(&self, mark: Mark) -> String {
        match mark {
            Mark::Worked(minutes) => format!("{} {}", self.get(WORKED), hours_text(minutes)),
            Mark::WeeklyRest => self.get(WEEKLY_REST).to_string(),
            Mark::Holiday => self.get(HOLIDAY).to_string(),
            Mark::NotEmployed => self.get(NOT_EMPLOYED).to_string(),
            Mark::Leave(kind) => self.get(kind.stored()).to_string(),
            Mark::Blank => String::new(),
        }
    }

    /// The leave kind a typed letter names (`yi`, `Yİ`), as the week grid reads a cell; several
    /// kinds may share a letter (the three excused leaves are all `Mİ`), and the first is taken.
    pub fn kind_of(&self, typed: &str) -> Option<LeaveKind> {
        let typed = crate::text::tr_upper(typed.trim());
        LeaveKind::ALL.into_iter().find(|k| crate::text::tr_upper(self.get(k.stored())) == typed)
    }
}

/// Hours with a Turkish decimal comma and at most two decimals: `8`, `7,5`, `7,25`.
pub fn hours_text(minutes: u32) -> String {
    let hundredths = (u64::from(minutes) * 100 + 30) / 60;
    let (whole, frac) = (hundredths / 100, hundredths % 100);
    match frac {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole},{}", f / 10),
        f => format!("{whole},{f:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn span(first: NaiveDate, last: NaiveDate, kind: LeaveKind) -> Span {
        Span { first, last, kind, sgk_code: None }
    }

    /// Monday to Friday 9 hours each in a month of 2026, but on the days of `leaves`.
    fn weekdays_but(month: u32, leaves: &[Span]) -> BTreeMap<NaiveDate, u32> {
        let (first, last) = month_bounds(d(2026, month, 1));
        crate::leave::days(first, last)
            .filter(|d| d.weekday().num_days_from_monday() < 5 && on_day(leaves, *d).is_none())
            .map(|d| (d, 540))
            .collect()
    }

    fn weekdays(month: u32) -> BTreeMap<NaiveDate, u32> {
        weekdays_but(month, &[])
    }

    #[test]
    fn a_full_month_worked_is_thirty_premium_days() {
        let m =
            person_month(d(2026, 3, 1), Employment::default(), &weekdays(3), &[], &Calendar::builtin_tr());
        assert_eq!(m.premium, Premium { days: 30, missing: 0, code: None });
        // Ramazan Bayramı is 20–22 March: Saturday and Sunday are holidays, Friday was worked.
        assert_eq!((m.worked_days, m.weekly_rest_days, m.holiday_days), (22, 4, 2));
        let letters = Letters::default();
        assert_eq!(letters.cell(m.days[1].mark), "Ç 9");
        assert_eq!(letters.cell(m.days[0].mark), "HT");
        assert_eq!(letters.cell(m.days[6].mark), "");
    }

    #[test]
    fn an_absence_costs_its_day_and_the_weeks_rest_day() {
        let absent = [span(d(2026, 3, 11), d(2026, 3, 11), LeaveKind::Absent)];
        let m = person_month(
            d(2026, 3, 1),
            Employment::default(),
            &weekdays_but(3, &absent),
            &absent,
            &Calendar::builtin_tr(),
        );
        assert_eq!(m.premium, Premium { days: 28, missing: 2, code: Some("15".into()) });
        assert_eq!(m.days[14].missing.as_deref(), Some("15"));
    }

    #[test]
    fn a_sick_report_keeps_the_rest_day_and_two_reasons_are_code_12() {
        let leaves = [
            span(d(2026, 3, 10), d(2026, 3, 12), LeaveKind::Sick),
            span(d(2026, 3, 27), d(2026, 3, 27), LeaveKind::Unpaid),
        ];
        let m = person_month(
            d(2026, 3, 1),
            Employment::default(),
            &weekdays_but(3, &leaves),
            &leaves,
            &Calendar::builtin_tr(),
        );
        // Three report days; the unpaid Friday and its Sunday.
        assert_eq!(m.premium, Premium { days: 25, missing: 5, code: Some("12".into()) });
        assert_eq!(m.leave_days[&LeaveKind::Sick], 3);
    }

    #[test]
    fn annual_leave_keeps_holidays_and_rest_days_as_they_are_and_costs_no_premium_day() {
        let leave = [span(d(2026, 4, 27), d(2026, 5, 10), LeaveKind::Annual)];
        let m = person_month(
            d(2026, 5, 1),
            Employment::default(),
            &weekdays_but(5, &leave),
            &leave,
            &Calendar::builtin_tr(),
        );
        assert_eq!(m.days[0].mark, Mark::Holiday);
        assert_eq!(m.days[2].mark, Mark::WeeklyRest);
        assert_eq!(m.days[3].mark, Mark::Leave(LeaveKind::Annual));
        // 19 May is a holiday.
        assert_eq!(m.leave_days[&LeaveKind::Annual], 7);
        assert_eq!(m.premium.days, 30);
    }

    #[test]
    fn a_part_month_counts_from_the_hire_date() {
        let employment = Employment { hire: Some(d(2026, 3, 16)), leaving: None };
        let m = person_month(d(2026, 3, 1), employment, &weekdays(3), &[], &Calendar::builtin_tr());
        assert_eq!(m.premium, Premium { days: 16, missing: 0, code: None });
        assert_eq!(Letters::default().cell(m.days[0].mark), "-");
        let left = Employment { hire: None, leaving: Some(d(2026, 2, 10)) };
        let feb = person_month(d(2026, 2, 1), left, &weekdays(2), &[], &Calendar::builtin_tr());
        assert_eq!(feb.premium.days, 10);
    }

    #[test]
    fn a_whole_month_unpaid_is_no_premium_day_even_in_february() {
        let leave = [span(d(2026, 1, 20), d(2026, 3, 5), LeaveKind::Unpaid)];
        let m = person_month(
            d(2026, 2, 1),
            Employment::default(),
            &BTreeMap::new(),
            &leave,
            &Calendar::builtin_tr(),
        );
        assert_eq!(m.premium, Premium { days: 0, missing: 30, code: Some("21".into()) });
    }

    #[test]
    fn letters_are_the_offices_and_a_cell_reads_back_to_its_kind() {
        let custom = Letters::with(&BTreeMap::from([("annual".to_string(), "Yİz".to_string())])).unwrap();
        assert_eq!(custom.cell(Mark::Leave(LeaveKind::Annual)), "Yİz");
        assert_eq!(custom.kind_of("yiz"), Some(LeaveKind::Annual));
        assert_eq!(Letters::default().kind_of(" r "), Some(LeaveKind::Sick));
        assert_eq!(Letters::default().kind_of("mi"), Some(LeaveKind::Marriage));
        assert!(Letters::with(&BTreeMap::from([("annual".to_string(), "".to_string())])).is_err());
        assert!(Letters::with(&BTreeMap::from([("lunch".to_string(), "L".to_string())])).is_err());
        assert_eq!([480, 450, 435, 1].map(hours_text), ["8", "7,5", "7,25", "0,02"]);
    }
}
