//! Leave and absence as Turkish payroll reads them: each kind with whether the employer pays the
//! day and the SGK missing-day reason (eksik gün nedeni, 2020/20 circular) an unpaid day is
//! declared under, and annual leave by Labour Law 4857: the entitlement by seniority and age
//! (Art. 53), counted in working days, public holidays and the weekly rest day not counted
//! (Art. 56). The month's codes and premium days built from these are `puantaj`'s.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::hours::{Calendar, HolidayKind};
use crate::schema::{Choice, Label};

/// The longest leave one row holds, in days: longer than any the law gives (maternity and its
/// unpaid months), short enough that the rules may look at every month it reaches.
pub const MAX_DAYS: i64 = 1096;

/// The day of the week a person rests by default (L14): a leave day is not taken on it.
pub const REST_DAY: Weekday = Weekday::Sun;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LeaveKind {
    /// Yıllık ücretli izin (Art. 53–60).
    Annual,
    /// İstirahat raporu: SGK pays the allowance, the employer does not pay the day.
    Sick,
    /// Ücretsiz izin.
    Unpaid,
    /// Mazeret izni for one's marriage (4857 Ek Madde 2): three paid days.
    Marriage,
    /// Mazeret izni for the death of a parent, spouse, sibling or child: three paid days.
    Bereavement,
    /// Mazeret izni for the birth of one's child (babalık izni): five paid days.
    Paternity,
    /// Doğum izni (Art. 74), 16 weeks on SGK's allowance: the employer does not pay the day.
    Maternity,
    /// Ücretsiz doğum izni, the up to six months after maternity leave (Art. 74).
    MaternityUnpaid,
    /// Devamsızlık: an unexcused absence.
    Absent,
    /// Any other unpaid absence, declared under the reason the clerk picks (`Leave::sgk_code`).
    Other,
}

/// The SGK missing-day reasons (eksik gün nedenleri) a month's declaration may give.
pub const SGK_CODES: &[Choice] = &[
    choice("01", "İstirahat", "Sick report"),
    choice("03", "Disiplin cezası", "Disciplinary penalty"),
    choice("04", "Gözaltına alınma", "Custody"),
    choice("05", "Tutukluluk", "Detention"),
    choice("06", "Kısmi istihdam", "Part-time employment"),
    choice("07", "Puantaj kayıtları", "Timesheet records"),
    choice("08", "Grev", "Strike"),
    choice("09", "Lokavt", "Lockout"),
    choice("10", "Genel hayatı etkileyen olaylar", "Events affecting public life"),
    choice("11", "Doğal afet", "Natural disaster"),
    choice("12", "Birden fazla", "More than one reason"),
    choice("13", "Diğer", "Other"),
    choice("15", "Devamsızlık", "Absence"),
    choice("16", "Fesih tarihinde çalışmamış", "Not working on the termination date"),
    choice("17", "Ev hizmetlerinde 30 günden az çalışma", "Domestic work under 30 days"),
    choice("18", "Kısa çalışma ödeneği", "Short-time work allowance"),
    choice("19", "Ücretsiz doğum izni", "Unpaid maternity leave"),
    choice("20", "Ücretsiz yol izni", "Unpaid travel leave"),
    choice("21", "Diğer ücretsiz izin", "Other unpaid leave"),
];

/// The reason of a month whose missing days have several (`SGK_CODES`).
pub const SEVERAL_REASONS: &str = "12";

const fn choice(value: &'static str, tr: &'static str, en: &'static str) -> Choice {
    Choice { value, label: Label { tr, en } }
}

/// The kinds as a leave's `kind` field stores and offers them, annual leave first (a new leave's).
pub const KIND_CHOICES: &[Choice] = &[
    choice("annual", "Yıllık izin", "Annual leave"),
    choice("sick", "Rapor (istirahat)", "Sick report"),
    choice("unpaid", "Ücretsiz izin", "Unpaid leave"),
    choice("marriage", "Evlilik izni", "Marriage leave"),
    choice("bereavement", "Ölüm izni", "Bereavement leave"),
    choice("paternity", "Babalık izni", "Paternity leave"),
    choice("maternity", "Doğum izni", "Maternity leave"),
    choice("maternity_unpaid", "Ücretsiz doğum izni", "Unpaid maternity leave"),
    choice("absent", "Devamsızlık", "Absence"),
    choice("other", "Diğer (SGK kodu ile)", "Other (with its SGK code)"),
];

impl LeaveKind {
    pub const ALL: [LeaveKind; 10] = [
        LeaveKind::Annual,
        LeaveKind::Sick,
        LeaveKind::Unpaid,
        LeaveKind::Marriage,
        LeaveKind::Bereavement,
        LeaveKind::Paternity,
        LeaveKind::Maternity,
        LeaveKind::MaternityUnpaid,
        LeaveKind::Absent,
        LeaveKind::Other,
    ];

    fn choice(self) -> &'static Choice {
        let index = LeaveKind::ALL.iter().position(|k| *k == self).expect("every kind is in ALL");
        &KIND_CHOICES[index]
    }

    pub fn stored(self) -> &'static str {
        self.choice().value
    }

    pub fn from_stored(value: &str) -> Option<LeaveKind> {
        LeaveKind::ALL.into_iter().find(|k| k.stored() == value)
    }

    pub fn label(self) -> Label {
        self.choice().label
    }

    /// Whether the employer pays the day: a paid day is a premium day; an unpaid one is an SGK
    /// missing day.
    pub fn paid(self) -> bool {
        matches!(
            self,
            LeaveKind::Annual | LeaveKind::Marriage | LeaveKind::Bereavement | LeaveKind::Paternity
        )
    }

    /// The missing-day reason of an unpaid kind; `Other` takes the leave's own.
    pub fn sgk_code(self) -> Option<&'static str> {
        match self {
            LeaveKind::Sick | LeaveKind::Maternity => Some("01"),
            LeaveKind::Unpaid => Some("21"),
            LeaveKind::MaternityUnpaid => Some("19"),
            LeaveKind::Absent => Some("15"),
            _ => None,
        }
    }

    /// The days the law gives an excused leave (4857 Ek Madde 2).
    pub fn legal_days(self) -> Option<u32> {
        match self {
            LeaveKind::Marriage | LeaveKind::Bereavement => Some(3),
            LeaveKind::Paternity => Some(5),
            _ => None,
        }
    }

    /// Whether the leave is counted in working days, the weekly rest day and public holidays
    /// inside it staying what they are (Art. 56 for annual leave; the excused leaves are counted
    /// the same way). Unpaid kinds run on calendar days: SGK counts each such day as missing.
    pub fn working_days_only(self) -> bool {
        self.paid()
    }

    /// Whether a day of this kind counts as worked for the weekly rest day's pay (Art. 46, L14):
    /// paid leave and a sick report do; unpaid leave and an absence do not.
    pub fn earns_weekly_rest(self) -> bool {
        self.paid() || matches!(self, LeaveKind::Sick | LeaveKind::Maternity)
    }

    /// The puantaj letter the office reads the day by, unless its settings give another.
    pub fn letter(self) -> &'static str {
        match self {
            LeaveKind::Annual => "Yİ",
            LeaveKind::Sick => "R",
            LeaveKind::Unpaid => "Üİ",
            LeaveKind::Marriage | LeaveKind::Bereavement | LeaveKind::Paternity => "Mİ",
            LeaveKind::Maternity => "Dİ",
            LeaveKind::MaternityUnpaid => "ÜD",
            LeaveKind::Absent => "D",
            LeaveKind::Other => "Eİ",
        }
    }
}

/// A leave as stored (`schema::LEAVES`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Leave {
    pub employee_id: String,
    /// `YYYY-MM-DD`, both days included.
    pub first_day: String,
    pub last_day: String,
    pub kind: String,
    /// The missing-day reason of an `Other` leave.
    #[serde(default)]
    pub sgk_code: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    pub entered_by: String,
    #[serde(default)]
    pub approved_by: Option<String>,
}

/// A leave read for counting: its days and kind, and its SGK reason when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub kind: LeaveKind,
    pub sgk_code: Option<String>,
}

impl Span {
    /// The span of a stored leave; None when its fields do not make one (validation's to say).
    pub fn of(leave: &Leave) -> Option<Span> {
        let first = crate::time::parse_iso_date(&leave.first_day).ok()?;
        let last = crate::time::parse_iso_date(&leave.last_day).ok()?;
        let kind = LeaveKind::from_stored(&leave.kind)?;
        Some(Span { first, last, kind, sgk_code: leave.sgk_code.clone() })
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.first <= day && day <= self.last
    }

    /// The SGK reason an unpaid day of this leave is declared under.
    pub fn missing_code(&self) -> Option<String> {
        if self.kind.paid() {
            return None;
        }
        self.kind.sgk_code().map(str::to_string).or_else(|| self.sgk_code.clone())
    }

    /// The days this leave takes: its working days (`LeaveKind::working_days_only`) or its
    /// calendar days.
    pub fn days_taken(&self, calendar: &Calendar) -> u32 {
        days(self.first, self.last)
            .filter(|d| !self.kind.working_days_only() || is_working_day(*d, calendar))
            .count() as u32
    }
}

/// The dates from `first` to `last`, both included.
pub fn days(first: NaiveDate, last: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    first.iter_days().take_while(move |d| *d <= last)
}

/// A day a leave counted in working days takes: neither the weekly rest day nor a whole public
/// holiday. A half holiday (an arife) is taken whole: the morning is a working morning.
pub fn is_working_day(day: NaiveDate, calendar: &Calendar) -> bool {
    day.weekday() != REST_DAY && calendar.holiday_on(day).is_none_or(|h| h.kind != HolidayKind::Full)
}

/// The annual leave one year of service earns (Art. 53): 14 days after one to five years, 20
/// after more than five and less than fifteen, 26 from fifteen; at least 20 for a worker of 18 or
/// younger or of 50 or older.
pub fn entitlement(years_of_service: u32, age: Option<u32>) -> u32 {
    let by_service = match years_of_service {
        0 => return 0,
        1..=5 => 14,
        6..=14 => 20,
        _ => 26,
    };
    match age {
        Some(age) if age <= 18 || age >= 50 => by_service.max(20),
        _ => by_service,
    }
}

/// The same day `years` years after `day` (28 February for a 29 February that is not there).
fn years_after(day: NaiveDate, years: i32) -> NaiveDate {
    let year = day.year() + years;
    day.with_year(year).unwrap_or_else(|| NaiveDate::from_ymd_opt(year, 2, 28).expect("28 February"))
}

/// Whole years from `from` to `on`.
pub fn whole_years(from: NaiveDate, on: NaiveDate) -> u32 {
    let mut years = (on.year() - from.year()).max(0);
    if years > 0 && years_after(from, years) > on {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

/// One leave year's entitlement: earned on the anniversary of the hire date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Earned {
    pub on: NaiveDate,
    pub years_of_service: u32,
    pub days: u32,
}

/// The entitlements earned from `hire` up to `on`, one per anniversary, each by the worker's
/// seniority and age on that day.
pub fn earned(hire: NaiveDate, birth: Option<NaiveDate>, on: NaiveDate) -> Vec<Earned> {
    (1..=whole_years(hire, on))
        .map(|years| {
            let day = years_after(hire, years as i32);
            let age = birth.map(|b| whole_years(b, day));
            Earned { on: day, years_of_service: years, days: entitlement(years, age) }
        })
        .collect()
}

/// Where a person's annual leave stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Balance {
    /// Every entitlement earned so far.
    pub earned: u32,
    /// The annual leave days taken up to the day (days planned later are in `planned`).
    pub taken: u32,
    /// Annual leave days entered for after the day.
    pub planned: u32,
    /// Earned − taken − planned; below zero when more was given than earned.
    pub remaining: i64,
    /// What the earlier leave years left unused, carried into the current one (leave is taken
    /// from the oldest year first).
    pub carried_over: u32,
    /// The current leave year's entitlement (the last anniversary's).
    pub this_year: u32,
    /// The next anniversary, when the next entitlement is earned.
    pub next_on: Option<NaiveDate>,
}

/// The annual leave balance on `on` of a person hired on `hire`, from their leaves of every kind
/// (only annual leave counts).
pub fn balance(
    hire: NaiveDate,
    birth: Option<NaiveDate>,
    leaves: &[Span],
    calendar: &Calendar,
    on: NaiveDate,
) -> Balance {
    let years = earned(hire, birth, on);
    let earned_days: u32 = years.iter().map(|e| e.days).sum();
    let this_year = years.last().map_or(0, |e| e.days);
    let annual = leaves.iter().filter(|s| s.kind == LeaveKind::Annual);
    let (mut taken, mut planned) = (0, 0);
    for span in annual {
        for day in days(span.first, span.last).filter(|d| is_working_day(*d, calendar)) {
            if day <= on { taken += 1 } else { planned += 1 }
        }
    }
    let before_this_year = earned_days - this_year;
    Balance {
        earned: earned_days,
        taken,
        planned,
        remaining: i64::from(earned_days) - i64::from(taken) - i64::from(planned),
        carried_over: before_this_year.saturating_sub(taken),
        this_year,
        next_on: Some(years_after(hire, whole_years(hire, on) as i32 + 1)),
    }
}

/// The leave of `spans` covering `day`, if one does (the first entered, when two were let through).
pub fn on_day(spans: &[Span], day: NaiveDate) -> Option<&Span> {
    spans.iter().find(|s| s.contains(day))
}

/// The Monday of `day`'s week.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_entitlement_follows_article_53() {
        assert_eq!(entitlement(0, None), 0);
        assert_eq!([1, 5, 6, 14, 15, 30].map(|y| entitlement(y, Some(30))), [14, 14, 20, 20, 26, 26]);
        assert_eq!(entitlement(1, Some(18)), 20);
        assert_eq!(entitlement(1, Some(19)), 14);
        assert_eq!(entitlement(3, Some(50)), 20);
        assert_eq!(entitlement(20, Some(55)), 26);
    }

    #[test]
    fn a_year_is_earned_on_each_anniversary_by_the_age_of_that_day() {
        let years = earned(d(2019, 3, 15), Some(d(1975, 6, 1)), d(2026, 3, 15));
        assert_eq!(years.len(), 7);
        assert_eq!(years[0], Earned { on: d(2020, 3, 15), years_of_service: 1, days: 14 });
        // 50 on 1 June 2025: the anniversary of March 2026 gives at least 20.
        assert_eq!(years[5].days, 20);
        assert_eq!(years[6], Earned { on: d(2026, 3, 15), years_of_service: 7, days: 20 });
        assert!(earned(d(2026, 3, 16), None, d(2027, 3, 15)).is_empty());
        assert_eq!(earned(d(2024, 2, 29), None, d(2025, 2, 28)).len(), 1);
    }

    #[test]
    fn sundays_and_whole_holidays_inside_annual_leave_are_not_taken() {
        let calendar = Calendar::builtin_tr();
        // Monday 27 April to Sunday 10 May 2026: 1 May (Friday) is a holiday, two Sundays.
        let leave =
            Span { first: d(2026, 4, 27), last: d(2026, 5, 10), kind: LeaveKind::Annual, sgk_code: None };
        assert_eq!(leave.days_taken(&calendar), 11);
        let sick = Span { kind: LeaveKind::Sick, ..leave.clone() };
        assert_eq!(sick.days_taken(&calendar), 14);
        assert_eq!(sick.missing_code().as_deref(), Some("01"));
        let other = Span { kind: LeaveKind::Other, sgk_code: Some("05".into()), ..leave.clone() };
        assert_eq!(other.missing_code().as_deref(), Some("05"));
        assert_eq!(leave.missing_code(), None);
    }

    #[test]
    fn the_balance_carries_what_earlier_years_left() {
        let calendar = Calendar::builtin_tr();
        let hire = d(2023, 1, 9);
        let week = |first: NaiveDate| Span {
            first,
            last: first + Duration::days(6),
            kind: LeaveKind::Annual,
            sgk_code: None,
        };
        // Two anniversaries by 1 March 2025: 14 + 14; one week taken (6 days, Sunday not).
        let b = balance(hire, None, &[week(d(2024, 7, 1)), week(d(2025, 9, 1))], &calendar, d(2025, 3, 1));
        assert_eq!((b.earned, b.taken, b.planned, b.remaining), (28, 6, 6, 16));
        assert_eq!((b.this_year, b.carried_over), (14, 8));
        assert_eq!(b.next_on, Some(d(2026, 1, 9)));
    }

    #[test]
    fn every_kind_has_its_choice_and_a_letter() {
        for kind in LeaveKind::ALL {
            assert_eq!(LeaveKind::from_stored(kind.stored()), Some(kind));
            assert!(!kind.letter().is_empty());
            assert!(kind.paid() || kind.sgk_code().is_some() || kind == LeaveKind::Other, "{kind:?}");
        }
        for code in LeaveKind::ALL.iter().filter_map(|k| k.sgk_code()) {
            assert!(SGK_CODES.iter().any(|c| c.value == code));
        }
    }
}
