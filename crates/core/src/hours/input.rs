//! What the engine is given: the contract, the company's policy and the shifts, and what it says
//! when any of them is unusable.

use chrono::{Datelike, NaiveDate, Weekday};

use super::BreakPolicy;
use crate::i18n::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContractKind {
    #[default]
    FullTime,
    PartTime,
}

impl ContractKind {
    pub fn code(self) -> &'static str {
        match self {
            ContractKind::FullTime => "full_time",
            ContractKind::PartTime => "part_time",
        }
    }

    pub fn from_code(code: &str) -> Option<ContractKind> {
        match code {
            "full_time" => Some(ContractKind::FullTime),
            "part_time" => Some(ContractKind::PartTime),
            _ => None,
        }
    }
}

/// An employee's contract as far as hours are concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub kind: ContractKind,
    /// Agreed normal minutes a week; under 2700 the difference up to 45 h is extra25 (L4).
    pub weekly_minutes: u32,
    pub break_policy: BreakPolicy,
    /// Weekly rest days (hafta tatili); working on one raises REST_DAY_WORKED.
    pub rest_days: Vec<Weekday>,
    /// Days whose minutes are reported as weekend minutes.
    pub weekend_days: Vec<Weekday>,
}

impl Default for Contract {
    fn default() -> Self {
        Contract {
            kind: ContractKind::FullTime,
            weekly_minutes: 2700,
            break_policy: BreakPolicy::Statutory,
            rest_days: vec![Weekday::Sun],
            weekend_days: vec![Weekday::Sat, Weekday::Sun],
        }
    }
}

/// How overtime is shown for payment (L7). Exact values are always kept as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rounding {
    #[default]
    None,
    /// Each period's ot50 and extra25 up to the next half hour.
    HalfHourUp,
}

impl Rounding {
    pub fn code(self) -> &'static str {
        match self {
            Rounding::None => "none",
            Rounding::HalfHourUp => "half_hour_up",
        }
    }

    pub fn from_code(code: &str) -> Option<Rounding> {
        match code {
            "none" => Some(Rounding::None),
            "half_hour_up" => Some(Rounding::HalfHourUp),
            _ => None,
        }
    }

    pub fn apply(self, minutes: u32) -> u32 {
        match self {
            Rounding::None => minutes,
            Rounding::HalfHourUp => minutes.div_ceil(30).saturating_mul(30),
        }
    }
}

/// Company-wide choices that the law leaves open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// 1 = plain weeks; N > 1 = averaging (denkleştirme) over blocks of N weeks.
    pub averaging_weeks: u32,
    pub rounding: Rounding,
    /// Minutes of a worked holiday (at most 450) taken out of the overtime base (L18).
    pub ubgt_offset_minutes: u32,
    /// The Monday the averaging blocks are counted from, forwards and backwards. Fixed rather than
    /// taken from the input, so that adding an earlier shift never moves a block (spec §7).
    pub averaging_anchor: NaiveDate,
}

/// The first Monday of 2026, the spec's default anchor.
pub const DEFAULT_AVERAGING_ANCHOR: NaiveDate = match NaiveDate::from_ymd_opt(2026, 1, 5) {
    Some(d) => d,
    None => unreachable!(),
};

impl Default for Policy {
    fn default() -> Self {
        Policy {
            averaging_weeks: 1,
            rounding: Rounding::None,
            ubgt_offset_minutes: 0,
            averaging_anchor: DEFAULT_AVERAGING_ANCHOR,
        }
    }
}

/// One entered shift: a date, wall-clock start and end in minutes after midnight (an end before
/// the start is on the next day) and the break typed in, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShiftInput {
    pub date: NaiveDate,
    pub start: u32,
    pub end: u32,
    pub break_minutes: Option<u32>,
}

impl ShiftInput {
    pub fn new(date: NaiveDate, start: u32, end: u32, break_minutes: Option<u32>) -> Self {
        ShiftInput { date, start, end, break_minutes }
    }
}

/// The lowercase English abbreviation used by the JSON interface (`"mon"` … `"sun"`).
pub fn weekday_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

pub fn weekday_from_code(code: &str) -> Option<Weekday> {
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun]
        .into_iter()
        .find(|d| weekday_code(*d) == code)
}

/// Unusable input, naming the field as a path (`shifts[3].end`, `contract.kind`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct InputError {
    pub field: String,
    /// Index of the offending shift, when it is one.
    pub shift: Option<usize>,
    pub problem: InputProblem,
}

impl InputError {
    pub fn new(field: impl Into<String>, problem: InputProblem) -> Self {
        InputError { field: field.into(), shift: None, problem }
    }

    pub fn in_shift(index: usize, field: &str, problem: InputProblem) -> Self {
        InputError { field: format!("shifts[{index}].{field}"), shift: Some(index), problem }
    }

    /// The message in the user's language, for the timesheet screen.
    pub fn message(&self, lang: Lang) -> String {
        format!("{}: {}", self.field, self.problem.message(lang))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputProblem {
    /// The text is not JSON at all (the parser's own words).
    InvalidJson(String),
    Missing,
    UnknownField,
    ExpectedObject,
    ExpectedArray,
    ExpectedText,
    ExpectedInteger,
    /// A value outside the listed choices.
    UnknownValue {
        value: String,
        expected: &'static str,
    },
    OutOfRange {
        min: u32,
        max: u32,
    },
    InvalidDate,
    /// Outside the years 1900–2999, which no timesheet has; usually a typo.
    DateOutOfRange,
    InvalidTime,
    /// Weeks run Monday to Sunday, so an averaging block starts on a Monday.
    NotMonday,
    EndEqualsStart,
    NegativeBreak,
}

impl InputProblem {
    pub fn message(&self, lang: Lang) -> String {
        use InputProblem::*;
        match (self, lang) {
            (InvalidJson(e), Lang::En) => format!("not valid JSON ({e})"),
            (InvalidJson(e), Lang::Tr) => format!("geçerli JSON değil ({e})"),
            (Missing, Lang::En) => "is required".into(),
            (Missing, Lang::Tr) => "boş bırakılamaz".into(),
            (UnknownField, Lang::En) => "unknown field".into(),
            (UnknownField, Lang::Tr) => "bilinmeyen alan".into(),
            (ExpectedObject, Lang::En) => "must be an object".into(),
            (ExpectedObject, Lang::Tr) => "nesne olmalı".into(),
            (ExpectedArray, Lang::En) => "must be a list".into(),
            (ExpectedArray, Lang::Tr) => "liste olmalı".into(),
            (ExpectedText, Lang::En) => "must be text".into(),
            (ExpectedText, Lang::Tr) => "metin olmalı".into(),
            (ExpectedInteger, Lang::En) => "must be a whole number".into(),
            (ExpectedInteger, Lang::Tr) => "tam sayı olmalı".into(),
            (UnknownValue { value, expected }, Lang::En) => {
                format!("unknown value \"{value}\" (expected {expected})")
            }
            (UnknownValue { value, expected }, Lang::Tr) => {
                format!("bilinmeyen değer \"{value}\" (beklenen: {expected})")
            }
            (OutOfRange { min, max }, Lang::En) => format!("must be between {min} and {max}"),
            (OutOfRange { min, max }, Lang::Tr) => format!("{min} ile {max} arasında olmalı"),
            (InvalidDate, Lang::En) => "not a date (YYYY-MM-DD)".into(),
            (InvalidDate, Lang::Tr) => "geçerli bir tarih değil (YYYY-AA-GG)".into(),
            (DateOutOfRange, Lang::En) => "date outside the years 1900–2999".into(),
            (DateOutOfRange, Lang::Tr) => "tarih 1900–2999 yılları dışında".into(),
            (InvalidTime, Lang::En) => "not a time (HH:MM)".into(),
            (InvalidTime, Lang::Tr) => "geçerli bir saat değil (SS:DD)".into(),
            (NotMonday, Lang::En) => "not a Monday".into(),
            (NotMonday, Lang::Tr) => "pazartesi değil".into(),
            (EndEqualsStart, Lang::En) => "end equal to start".into(),
            (EndEqualsStart, Lang::Tr) => "bitiş başlangıçla aynı".into(),
            (NegativeBreak, Lang::En) => "negative break".into(),
            (NegativeBreak, Lang::Tr) => "mola negatif olamaz".into(),
        }
    }
}

impl std::fmt::Display for InputProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

/// Limits the engine itself relies on; the JSON reader checks the same ones with field names.
pub(crate) fn check(contract: &Contract, policy: &Policy, shifts: &[ShiftInput]) -> Result<(), InputError> {
    if !(1..=MAX_WEEKLY_MINUTES).contains(&contract.weekly_minutes) {
        let problem = InputProblem::OutOfRange { min: 1, max: MAX_WEEKLY_MINUTES };
        return Err(InputError::new("contract.weekly_minutes", problem));
    }
    if !(1..=MAX_AVERAGING_WEEKS).contains(&policy.averaging_weeks) {
        let problem = InputProblem::OutOfRange { min: 1, max: MAX_AVERAGING_WEEKS };
        return Err(InputError::new("policy.averaging_weeks", problem));
    }
    if policy.ubgt_offset_minutes > MAX_UBGT_OFFSET {
        let problem = InputProblem::OutOfRange { min: 0, max: MAX_UBGT_OFFSET };
        return Err(InputError::new("policy.ubgt_offset_minutes", problem));
    }
    if !date_in_range(policy.averaging_anchor) {
        return Err(InputError::new("policy.averaging_anchor", InputProblem::DateOutOfRange));
    }
    if policy.averaging_anchor.weekday() != Weekday::Mon {
        return Err(InputError::new("policy.averaging_anchor", InputProblem::NotMonday));
    }
    for (i, s) in shifts.iter().enumerate() {
        if !date_in_range(s.date) {
            return Err(InputError::in_shift(i, "date", InputProblem::DateOutOfRange));
        }
        if s.start >= 1440 {
            return Err(InputError::in_shift(i, "start", InputProblem::InvalidTime));
        }
        if s.end >= 1440 {
            return Err(InputError::in_shift(i, "end", InputProblem::InvalidTime));
        }
        if s.end == s.start {
            return Err(InputError::in_shift(i, "end", InputProblem::EndEqualsStart));
        }
        if s.break_minutes.is_some_and(|b| b > MAX_BREAK) {
            let problem = InputProblem::OutOfRange { min: 0, max: MAX_BREAK };
            return Err(InputError::in_shift(i, "break_minutes", problem));
        }
    }
    Ok(())
}

/// A week has 10080 minutes; a contract cannot promise more.
pub(crate) const MAX_WEEKLY_MINUTES: u32 = 10080;
/// Averaging may run up to 2 months by law, 4 by collective agreement and 6 in tourism: 26 weeks.
pub(crate) const MAX_AVERAGING_WEEKS: u32 = 26;
pub(crate) const MAX_UBGT_OFFSET: u32 = 450;
/// A break longer than a day is a typo, not a break.
pub(crate) const MAX_BREAK: u32 = 1440;

pub(crate) fn date_in_range(d: NaiveDate) -> bool {
    (1900..=2999).contains(&d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_spec() {
        let c = Contract::default();
        assert_eq!(
            (c.kind, c.weekly_minutes, c.break_policy),
            (ContractKind::FullTime, 2700, BreakPolicy::Statutory)
        );
        assert_eq!((c.rest_days, c.weekend_days), (vec![Weekday::Sun], vec![Weekday::Sat, Weekday::Sun]));
        let p = Policy::default();
        assert_eq!((p.averaging_weeks, p.rounding, p.ubgt_offset_minutes), (1, Rounding::None, 0));
        assert_eq!(p.averaging_anchor.to_string(), "2026-01-05");
        assert_eq!(p.averaging_anchor.weekday(), Weekday::Mon);
    }

    #[test]
    fn codes_round_trip() {
        for d in [Weekday::Mon, Weekday::Thu, Weekday::Sun] {
            assert_eq!(weekday_from_code(weekday_code(d)), Some(d));
        }
        assert_eq!(weekday_from_code("Sun"), None);
        assert_eq!(ContractKind::from_code(ContractKind::PartTime.code()), Some(ContractKind::PartTime));
        assert_eq!(Rounding::from_code(Rounding::HalfHourUp.code()), Some(Rounding::HalfHourUp));
        assert_eq!(Rounding::from_code("up"), None);
    }

    #[test]
    fn half_hour_up() {
        let r = Rounding::HalfHourUp;
        assert_eq!([r.apply(0), r.apply(1), r.apply(30), r.apply(31), r.apply(55)], [0, 30, 30, 60, 60]);
        assert_eq!(Rounding::None.apply(55), 55);
    }

    #[test]
    fn messages_name_the_field() {
        let e = InputError::in_shift(3, "end", InputProblem::EndEqualsStart);
        assert_eq!(e.to_string(), "shifts[3].end: end equal to start");
        assert_eq!(e.shift, Some(3));
        assert_eq!(e.message(Lang::Tr), "shifts[3].end: bitiş başlangıçla aynı");
    }
}
