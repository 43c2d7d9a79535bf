//! The JSON interface of `rainstaff hours`. Read by hand rather than with derived `Deserialize`, so
//! that every refusal names the field path and the shift index the way payroll staff can act on.

use serde_json::{Map, Value};

use super::BreakPolicy;
use super::calendar::Calendar;
use super::engine::compute;
use super::input::{
    Contract, ContractKind, InputError, InputProblem, MAX_AVERAGING_WEEKS, MAX_BREAK, MAX_UBGT_OFFSET,
    MAX_WEEKLY_MINUTES, Policy, Rounding, ShiftInput, weekday_from_code,
};
use super::report::Report;
use crate::time::{parse_hhmm, parse_iso_date};

/// Reads the input JSON, computes, and returns the output JSON of the spec.
pub fn run_json(input: &str) -> Result<Value, InputError> {
    Ok(Request::from_json(input)?.run()?.to_json())
}

/// A parsed `rainstaff hours` input, for callers that want the typed [`Report`] (for instance to
/// explain a day) rather than its JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub contract: Contract,
    pub policy: Policy,
    pub calendar: Calendar,
    pub ytd_ot50: u32,
    pub shifts: Vec<ShiftInput>,
}

impl Request {
    pub fn from_json(input: &str) -> Result<Request, InputError> {
        let value: Value = serde_json::from_str(input)
            .map_err(|e| InputError::new("input", InputProblem::InvalidJson(e.to_string())))?;
        let root = Place::root();
        let top = root.object(&value)?;
        root.only(top, &["contract", "policy", "calendar", "ytd_ot50_minutes", "shifts"])?;
        let contract = match present(top, "contract") {
            Some(v) => read_contract(v)?,
            None => Contract::default(),
        };
        let policy = match present(top, "policy") {
            Some(v) => read_policy(v)?,
            None => Policy::default(),
        };
        let calendar = match present(top, "calendar") {
            Some(v) => {
                let name = root.text(v, "calendar")?;
                Calendar::by_name(name).ok_or_else(|| root.err("calendar", unknown(name, "\"TR\"")))?
            }
            None => Calendar::builtin_tr(),
        };
        let ytd_ot50 = match present(top, "ytd_ot50_minutes") {
            Some(v) => root.uint(v, "ytd_ot50_minutes", 0, u32::MAX)?,
            None => 0,
        };
        let shifts = present(top, "shifts").ok_or_else(|| root.err("shifts", InputProblem::Missing))?;
        let shifts = shifts.as_array().ok_or_else(|| root.err("shifts", InputProblem::ExpectedArray))?;
        let shifts = shifts.iter().enumerate().map(|(i, v)| read_shift(i, v)).collect::<Result<_, _>>()?;
        Ok(Request { contract, policy, calendar, ytd_ot50, shifts })
    }

    pub fn run(&self) -> Result<Report, InputError> {
        compute(&self.contract, &self.policy, &self.calendar, self.ytd_ot50, &self.shifts)
    }
}

/// A field that is there and not null: null means "the default", like an absent field.
fn present<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.get(name).filter(|v| !v.is_null())
}

fn unknown(value: &str, expected: &'static str) -> InputProblem {
    InputProblem::UnknownValue { value: value.to_string(), expected }
}

/// Where in the input we are, to name fields in errors.
struct Place {
    prefix: String,
    shift: Option<usize>,
}

impl Place {
    fn root() -> Place {
        Place { prefix: String::new(), shift: None }
    }

    fn under(name: &str) -> Place {
        Place { prefix: format!("{name}."), shift: None }
    }

    fn shift(index: usize) -> Place {
        Place { prefix: format!("shifts[{index}]."), shift: Some(index) }
    }

    fn err(&self, name: &str, problem: InputProblem) -> InputError {
        InputError { field: format!("{}{name}", self.prefix), shift: self.shift, problem }
    }

    /// The object itself; its own name is the prefix without the dot.
    fn object<'a>(&self, v: &'a Value) -> Result<&'a Map<String, Value>, InputError> {
        v.as_object().ok_or_else(|| {
            let name = self.prefix.trim_end_matches('.');
            InputError {
                field: if name.is_empty() { "input".into() } else { name.into() },
                shift: self.shift,
                problem: InputProblem::ExpectedObject,
            }
        })
    }

    fn only(&self, map: &Map<String, Value>, known: &[&str]) -> Result<(), InputError> {
        match map.keys().find(|k| !known.contains(&k.as_str())) {
            Some(k) => Err(self.err(k, InputProblem::UnknownField)),
            None => Ok(()),
        }
    }

    fn text<'a>(&self, v: &'a Value, name: &str) -> Result<&'a str, InputError> {
        v.as_str().ok_or_else(|| self.err(name, InputProblem::ExpectedText))
    }

    fn uint(&self, v: &Value, name: &str, min: u32, max: u32) -> Result<u32, InputError> {
        let out_of_range = || self.err(name, InputProblem::OutOfRange { min, max });
        if v.as_i64().is_some_and(|n| n < 0) {
            return Err(out_of_range());
        }
        let n = v.as_u64().ok_or_else(|| self.err(name, InputProblem::ExpectedInteger))?;
        u32::try_from(n).ok().filter(|n| (min..=max).contains(n)).ok_or_else(out_of_range)
    }

    fn weekdays(&self, v: &Value, name: &str) -> Result<Vec<chrono::Weekday>, InputError> {
        let list = v.as_array().ok_or_else(|| self.err(name, InputProblem::ExpectedArray))?;
        list.iter()
            .enumerate()
            .map(|(i, d)| {
                let item = format!("{name}[{i}]");
                let code = self.text(d, &item)?;
                weekday_from_code(code)
                    .ok_or_else(|| self.err(&item, unknown(code, "mon, tue, wed, thu, fri, sat or sun")))
            })
            .collect()
    }
}

fn read_contract(v: &Value) -> Result<Contract, InputError> {
    let at = Place::under("contract");
    let map = at.object(v)?;
    at.only(map, &["kind", "weekly_minutes", "break_policy", "rest_days", "weekend_days"])?;
    let mut c = Contract::default();
    if let Some(v) = present(map, "kind") {
        let code = at.text(v, "kind")?;
        c.kind = ContractKind::from_code(code)
            .ok_or_else(|| at.err("kind", unknown(code, "\"full_time\" or \"part_time\"")))?;
    }
    if let Some(v) = present(map, "weekly_minutes") {
        c.weekly_minutes = at.uint(v, "weekly_minutes", 1, MAX_WEEKLY_MINUTES)?;
    }
    if let Some(v) = present(map, "break_policy") {
        c.break_policy = read_break_policy(&at, v)?;
    }
    if let Some(v) = present(map, "rest_days") {
        c.rest_days = at.weekdays(v, "rest_days")?;
    }
    if let Some(v) = present(map, "weekend_days") {
        c.weekend_days = at.weekdays(v, "weekend_days")?;
    }
    Ok(c)
}

/// `"statutory"`, `"as_entered"`, `{"fixed": N}`, and the stored form `"fixed:N"` so that a value
/// copied from the database works too.
fn read_break_policy(at: &Place, v: &Value) -> Result<BreakPolicy, InputError> {
    const EXPECTED: &str = "\"statutory\", \"as_entered\" or {\"fixed\": N}";
    match v {
        Value::String(s) => BreakPolicy::from_stored(s)
            .filter(|p| !matches!(p, BreakPolicy::Fixed(n) if *n > MAX_BREAK))
            .ok_or_else(|| at.err("break_policy", unknown(s, EXPECTED))),
        Value::Object(map) => {
            let inner = Place::under("contract.break_policy");
            inner.only(map, &["fixed"])?;
            let n =
                map.get("fixed").ok_or_else(|| at.err("break_policy", unknown(&v.to_string(), EXPECTED)))?;
            Ok(BreakPolicy::Fixed(inner.uint(n, "fixed", 0, MAX_BREAK)?))
        }
        _ => Err(at.err("break_policy", unknown(&v.to_string(), EXPECTED))),
    }
}

fn read_policy(v: &Value) -> Result<Policy, InputError> {
    let at = Place::under("policy");
    let map = at.object(v)?;
    at.only(map, &["averaging_weeks", "averaging_anchor", "rounding", "ubgt_offset_minutes"])?;
    let mut p = Policy::default();
    if let Some(v) = present(map, "averaging_weeks") {
        p.averaging_weeks = at.uint(v, "averaging_weeks", 1, MAX_AVERAGING_WEEKS)?;
    }
    if let Some(v) = present(map, "rounding") {
        let code = at.text(v, "rounding")?;
        p.rounding = Rounding::from_code(code)
            .ok_or_else(|| at.err("rounding", unknown(code, "\"none\" or \"half_hour_up\"")))?;
    }
    if let Some(v) = present(map, "ubgt_offset_minutes") {
        p.ubgt_offset_minutes = at.uint(v, "ubgt_offset_minutes", 0, MAX_UBGT_OFFSET)?;
    }
    if let Some(v) = present(map, "averaging_anchor") {
        let text = at.text(v, "averaging_anchor")?;
        p.averaging_anchor =
            parse_iso_date(text).map_err(|_| at.err("averaging_anchor", InputProblem::InvalidDate))?;
    }
    Ok(p)
}

fn read_shift(index: usize, v: &Value) -> Result<ShiftInput, InputError> {
    let at = Place::shift(index);
    let map = at.object(v)?;
    at.only(map, &["date", "start", "end", "break_minutes"])?;
    let field = |name: &str| present(map, name).ok_or_else(|| at.err(name, InputProblem::Missing));
    let date = parse_iso_date(at.text(field("date")?, "date")?)
        .map_err(|_| at.err("date", InputProblem::InvalidDate))?;
    let time = |name: &str| {
        parse_hhmm(at.text(field(name)?, name)?).map_err(|_| at.err(name, InputProblem::InvalidTime))
    };
    let (start, end) = (time("start")?, time("end")?);
    let break_minutes = match present(map, "break_minutes") {
        Some(v) if v.as_i64().is_some_and(|n| n < 0) => {
            return Err(at.err("break_minutes", InputProblem::NegativeBreak));
        }
        Some(v) => Some(at.uint(v, "break_minutes", 0, MAX_BREAK)?),
        None => None,
    };
    Ok(ShiftInput { date, start, end, break_minutes })
}
