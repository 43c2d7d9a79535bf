//! What a row must satisfy beyond its field types, and how a problem is said in each language.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::i18n::Lang;
use crate::time::{parse_hhmm, span_minutes};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Problem {
    Required,
    UnknownField,
    ExpectedText,
    ExpectedInteger,
    ExpectedNumber,
    ExpectedBool,
    InvalidDate,
    InvalidTime,
    /// Not hours or hours:minutes.
    InvalidDuration,
    InvalidReference,
    EndEqualsStart,
    BreakTooLong,
    Negative,
    IdentityNo,
    Plate,
    Year,
    WeeklyMinutes,
    ContractKind,
    BreakPolicy,
    /// Longer than its field's bound in the schema, which the message names.
    TooLong {
        max: usize,
    },
    Overlap,
    Forbidden,
    /// The region is the person's, but this PC is enrolled for another one.
    PcRegion,
    KmLower,
    HasShifts,
    /// An audit entry stays as it was written.
    Permanent,
    /// The month is locked for payroll.
    PeriodLocked,
    /// Neither a month (`YYYY-MM`) nor an ISO week (`YYYY-Www`).
    InvalidPeriod,
    /// A week where only a month will do: weeks are approved, months locked.
    InvalidMonth,
    /// A state of `schema::PERIOD_STATES` is expected.
    PeriodState,
    Duplicate,
    Inactive,
    /// An inspection's checklist is not the shape `checklist::Results` reads.
    Checklist,
    /// A fault's closing date, once set, stays.
    ClosedOnce,
    /// A fault marked closed has no closing date.
    ClosedWithoutDate,
    EndBeforeStart,
    /// The vehicle already has an inspection in that ISO week.
    WeekInspected,
    /// A week-grid cell that is neither times nor a template's short code (`shift_text`).
    ShiftText,
    /// A template's short code is one to six letters or digits, in capitals.
    TemplateCode,
    /// Not one of `leave::KIND_CHOICES`.
    LeaveKind,
    /// Not one of `leave::SGK_CODES`, or missing on a leave of kind "other".
    SgkCode,
    /// An excused leave longer than the law gives it, in days (4857 Ek Madde 2).
    LegalDays {
        max: u32,
    },
    /// Longer than `leave::MAX_DAYS`.
    LeaveTooLong,
    /// Another leave of the same person covers one of these days.
    LeaveOverlap,
    /// The person worked on one of these days; the clerk may confirm both stand.
    LeaveOverShift,
    /// An approved leave, or its approval, is a manager's to write (the desktop's store holds it).
    ApprovedLeave,
    PasswordTooShort,
    WrongPassword,
    ServerUrl,
    CodeUnknown,
    CodeUsed,
    CodeExpired,
}

/// The shortest password a desktop account accepts (Problem::PasswordTooShort says this number).
pub const MIN_PASSWORD_CHARS: usize = 8;

impl Problem {
    pub fn message(self, lang: Lang) -> Cow<'static, str> {
        use Problem::*;
        let fixed = match (self, lang) {
            (TooLong { max }, Lang::Tr) => return format!("çok uzun (en fazla {max} karakter)").into(),
            (TooLong { max }, Lang::En) => return format!("is too long ({max} characters at most)").into(),
            (LegalDays { max }, Lang::Tr) => {
                return format!(
                    "yasal süresi {max} gün (4857 Ek Madde 2); fazlasını yıllık ya da ücretsiz izin girin"
                )
                .into();
            }
            (LegalDays { max }, Lang::En) => {
                return format!(
                    "the law gives {max} days (4857 Ek Madde 2); enter the rest as annual or unpaid leave"
                )
                .into();
            }
            (Required, Lang::Tr) => "boş bırakılamaz",
            (Required, Lang::En) => "is required",
            (UnknownField, Lang::Tr) => "bilinmeyen alan",
            (UnknownField, Lang::En) => "is not a known field",
            (ExpectedText, Lang::Tr) => "metin olmalı",
            (ExpectedText, Lang::En) => "must be text",
            (ExpectedInteger, Lang::Tr) => "tam sayı olmalı",
            (ExpectedInteger, Lang::En) => "must be a whole number",
            (ExpectedNumber, Lang::Tr) => "sayı olmalı",
            (ExpectedNumber, Lang::En) => "must be a number",
            (ExpectedBool, Lang::Tr) => "evet/hayır olmalı",
            (ExpectedBool, Lang::En) => "must be true or false",
            (InvalidDate, Lang::Tr) => "geçerli bir tarih değil (GG.AA.YYYY)",
            (InvalidDate, Lang::En) => "is not a valid date (DD.MM.YYYY)",
            (InvalidTime, Lang::Tr) => "geçerli bir saat değil (SS:DD)",
            (InvalidTime, Lang::En) => "is not a valid time (HH:MM)",
            (InvalidDuration, Lang::Tr) => "geçerli bir süre değil (saat ya da SS:DD, ör. 45:00)",
            (InvalidDuration, Lang::En) => "is not a valid duration (hours or HH:MM, e.g. 45:00)",
            (InvalidReference, Lang::Tr) => "geçerli bir kayda işaret etmiyor",
            (InvalidReference, Lang::En) => "does not point to a valid record",
            (EndEqualsStart, Lang::Tr) => "bitiş başlangıçla aynı olamaz",
            (EndEqualsStart, Lang::En) => "end cannot equal start",
            (BreakTooLong, Lang::Tr) => "mola vardiyadan uzun olamaz",
            (BreakTooLong, Lang::En) => "break cannot be as long as the shift",
            (Negative, Lang::Tr) => "negatif olamaz",
            (Negative, Lang::En) => "cannot be negative",
            (IdentityNo, Lang::Tr) => "geçerli bir T.C. kimlik numarası değil (11 hane)",
            (IdentityNo, Lang::En) => "is not a valid Turkish identity number (11 digits)",
            (Plate, Lang::Tr) => "geçerli bir plaka değil (ör. 06 ABC 123)",
            (Plate, Lang::En) => "is not a valid plate (e.g. 06 ABC 123)",
            (Year, Lang::Tr) => "1950 ile 2100 arasında olmalı",
            (Year, Lang::En) => "must be between 1950 and 2100",
            (WeeklyMinutes, Lang::Tr) => "0:01 ile 45:00 (2700 dakika) arasında olmalı",
            (WeeklyMinutes, Lang::En) => "must be between 0:01 and 45:00 (2700 minutes)",
            (ContractKind, Lang::Tr) => "tam zamanlı ya da kısmi zamanlı olmalı",
            (ContractKind, Lang::En) => "must be full_time or part_time",
            (BreakPolicy, Lang::Tr) => "statutory, as_entered ya da fixed:N olmalı",
            (BreakPolicy, Lang::En) => "must be statutory, as_entered or fixed:N",
            (Overlap, Lang::Tr) => "başka bir vardiyayla çakışıyor",
            (Overlap, Lang::En) => "overlaps another shift",
            (Forbidden, Lang::Tr) => "bu bölgede yetkiniz yok",
            (Forbidden, Lang::En) => "is outside your region",
            (PcRegion, Lang::Tr) => "bu bilgisayar başka bir bölgeye kayıtlı; bu bölgeye kayıt yapamaz",
            (PcRegion, Lang::En) => "is not the region this computer is enrolled for",
            (KmLower, Lang::Tr) => "son kayıtlı kilometreden düşük; onaylamak için tekrar kaydedin",
            (KmLower, Lang::En) => "is lower than the last recorded km; save again to confirm",
            (HasShifts, Lang::Tr) => "vardiyası olan personel silinemez; pasif yapın",
            (HasShifts, Lang::En) => "has shifts and cannot be deleted; deactivate instead",
            (Permanent, Lang::Tr) => "kayıt defteri girdisi değiştirilemez ve silinemez",
            (Permanent, Lang::En) => "is a log entry; it cannot be changed or deleted",
            (PeriodLocked, Lang::Tr) => "bu ay bordro için kilitli; yönetici kilidi açmadan değişmez",
            (PeriodLocked, Lang::En) => {
                "falls in a month locked for payroll; an administrator must unlock it first"
            }
            (InvalidPeriod, Lang::Tr) => "geçerli bir ay (YYYY-AA) ya da hafta (YYYY-Wnn) değil",
            (InvalidPeriod, Lang::En) => "is not a month (YYYY-MM) nor a week (YYYY-Www)",
            (InvalidMonth, Lang::Tr) => "bir ay olmalı: haftalar yalnızca onaylanır, aylar kilitlenir",
            (InvalidMonth, Lang::En) => "must be a month: weeks are approved, months are locked",
            (PeriodState, Lang::Tr) => "approved, locked ya da unlocked olmalı",
            (PeriodState, Lang::En) => "must be approved, locked or unlocked",
            (Duplicate, Lang::Tr) => "zaten kayıtlı",
            (Duplicate, Lang::En) => "is already registered",
            (Inactive, Lang::Tr) => "pasif personele vardiya girilemez",
            (Inactive, Lang::En) => "is inactive; no shifts can be added",
            (Checklist, Lang::Tr) => "kontrol listesi okunamıyor",
            (Checklist, Lang::En) => "is not a readable checklist",
            (ClosedOnce, Lang::Tr) => "arıza bir kez kapanır; kapanış tarihi değiştirilemez",
            (ClosedOnce, Lang::En) => "a fault closes once; its closing date cannot change",
            (ClosedWithoutDate, Lang::Tr) => "kapalı arızanın kapanış tarihi olmalı",
            (ClosedWithoutDate, Lang::En) => "a closed fault needs its closing date",
            (EndBeforeStart, Lang::Tr) => "bitiş başlangıçtan önce olamaz",
            (EndBeforeStart, Lang::En) => "cannot be before the start",
            (WeekInspected, Lang::Tr) => "bu aracın o hafta zaten bir kontrolü var",
            (WeekInspected, Lang::En) => "this vehicle already has an inspection that week",
            (ShiftText, Lang::Tr) => {
                "vardiya değil: 8.30-18, 830-1800, 22-6, molasıyla 08:30-18:00/45, bir şablonun kısa kodu ya da tek başına bir izin harfi (Yİ, R, Üİ, D…) yazın"
            }
            (ShiftText, Lang::En) => {
                "is not a shift: type 8.30-18, 830-1800, 22-6, 08:30-18:00/45 with its break, a template's short code, or a leave letter alone (Yİ, R, Üİ, D…)"
            }
            (TemplateCode, Lang::Tr) => "1–6 büyük harf ya da rakam olmalı (ör. S, A2)",
            (TemplateCode, Lang::En) => "must be 1–6 capital letters or digits (e.g. S, A2)",
            (LeaveKind, Lang::Tr) => "bilinen bir izin türü değil",
            (LeaveKind, Lang::En) => "is not a known kind of leave",
            (SgkCode, Lang::Tr) => {
                "SGK eksik gün kodlarından biri olmalı (01, 03–13, 15–21); \"Diğer\" izinde gerekli"
            }
            (SgkCode, Lang::En) => {
                "must be one of the SGK missing-day codes (01, 03–13, 15–21); required for \"other\""
            }
            (LeaveTooLong, Lang::Tr) => {
                "bir izin en çok 3 yıl (1096 gün) olabilir; daha uzununu parçalara bölün"
            }
            (LeaveTooLong, Lang::En) => "a leave is at most 3 years (1096 days); enter a longer one in parts",
            (LeaveOverlap, Lang::Tr) => "bu günlerde kişinin başka bir izni var",
            (LeaveOverlap, Lang::En) => "another leave of this person covers these days",
            (LeaveOverShift, Lang::Tr) => {
                "kişi bu günlerde çalışmış görünüyor; ikisi de kalsın diye tekrar kaydedin"
            }
            (LeaveOverShift, Lang::En) => "the person has shifts on these days; save again to keep both",
            (ApprovedLeave, Lang::Tr) => "onaylı izni yalnız bölge müdürü ya da sistem yöneticisi değiştirir",
            (ApprovedLeave, Lang::En) => "an approved leave is changed by a manager or an administrator only",
            (PasswordTooShort, Lang::Tr) => "en az 8 karakter olmalı",
            (PasswordTooShort, Lang::En) => "must have at least 8 characters",
            (WrongPassword, Lang::Tr) => "yanlış",
            (WrongPassword, Lang::En) => "is not right",
            (ServerUrl, Lang::Tr) => "https:// ya da http:// ile başlamalı",
            (ServerUrl, Lang::En) => "must start with https:// or http://",
            (CodeUnknown, Lang::Tr) => "sunucunun verdiği bir kod değil",
            (CodeUnknown, Lang::En) => "is not a code this server issued",
            (CodeUsed, Lang::Tr) => "daha önce kullanılmış; BT'den yeni bir kod isteyin",
            (CodeUsed, Lang::En) => "was already used; ask IT for a new one",
            (CodeExpired, Lang::Tr) => "süresi dolmuş; BT'den yeni bir kod isteyin",
            (CodeExpired, Lang::En) => "has expired; ask IT for a new one",
        };
        fixed.into()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldError {
    pub field: String,
    pub problem: Problem,
    /// What the problem is about, e.g. the other shift an overlap is with.
    pub detail: Option<String>,
}

impl FieldError {
    pub fn new(field: &str, problem: Problem) -> Self {
        Self { field: field.to_string(), problem, detail: None }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The problem in `lang`, with its detail.
    pub fn message(&self, lang: Lang) -> String {
        match &self.detail {
            Some(d) => format!("{} ({d})", self.problem.message(lang)),
            None => self.problem.message(lang).into_owned(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message(Lang::En))
    }
}

/// The most errors `describe` spells out; a row with more has a cause the first ones show.
const DESCRIBED_ERRORS: usize = 10;

/// Joins errors into one line for the command line and HTTP answers, the first ten of them: a
/// mutation with thousands of unknown fields must not get an answer thousands of lines long.
pub fn describe(errors: &[FieldError]) -> String {
    let mut line =
        errors.iter().take(DESCRIBED_ERRORS).map(ToString::to_string).collect::<Vec<_>>().join("; ");
    if errors.len() > DESCRIBED_ERRORS {
        line.push_str(&format!("; and {} more", errors.len() - DESCRIBED_ERRORS));
    }
    line
}

/// A leave's own rules: a kind the law knows, days in order, an excused leave no longer than the
/// law gives, and the SGK reason an "other" leave is declared under.
fn check_leave(row: &Map<String, Value>, errors: &mut Vec<FieldError>) {
    use crate::leave::{LeaveKind, SGK_CODES};
    let text = |name: &str| row.get(name).and_then(Value::as_str).filter(|s| !s.is_empty());
    let kind = text("kind").and_then(LeaveKind::from_stored);
    if text("kind").is_some() && kind.is_none() {
        errors.push(FieldError::new("kind", Problem::LeaveKind));
    }
    let day = |name: &str| text(name).and_then(|d| crate::time::parse_iso_date(d).ok());
    if let (Some(first), Some(last)) = (day("first_day"), day("last_day")) {
        if last < first {
            errors.push(FieldError::new("last_day", Problem::EndBeforeStart));
        } else if (last - first).num_days() >= crate::leave::MAX_DAYS {
            errors.push(FieldError::new("last_day", Problem::LeaveTooLong));
        } else if let Some(max) = kind.and_then(LeaveKind::legal_days) {
            let span = crate::leave::Span { first, last, kind: kind.expect("a kind"), sgk_code: None };
            if span.days_taken(&crate::hours::Calendar::builtin_tr()) > max {
                errors.push(FieldError::new("last_day", Problem::LegalDays { max }));
            }
        }
    }
    let code = text("sgk_code");
    if code.is_some_and(|c| !SGK_CODES.iter().any(|s| s.value == c))
        || (kind == Some(LeaveKind::Other) && code.is_none())
    {
        errors.push(FieldError::new("sgk_code", Problem::SgkCode));
    }
    if row.contains_key("entered_by") {
        let blank = text("entered_by").is_none_or(|s| s.trim().is_empty());
        if blank {
            errors.push(FieldError::new("entered_by", Problem::Required));
        }
    }
}

/// The rules of a complete row (after a merge), beyond the types `TableSpec::check_fields` checks.
pub fn check_row(table: &str, row: &Map<String, Value>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let text = |name: &str| row.get(name).and_then(Value::as_str);
    let int = |name: &str| row.get(name).and_then(Value::as_i64);
    let non_blank = |name: &str, errors: &mut Vec<FieldError>| {
        if text(name).is_some_and(|s| s.trim().is_empty()) {
            errors.push(FieldError::new(name, Problem::Required));
        }
    };
    match table {
        "employees" => {
            non_blank("full_name", &mut errors);
            if text("identity_no").is_some_and(|no| !no.is_empty() && !valid_identity_no(no)) {
                errors.push(FieldError::new("identity_no", Problem::IdentityNo));
            }
            if text("contract_kind").is_some_and(|kind| kind != "full_time" && kind != "part_time") {
                errors.push(FieldError::new("contract_kind", Problem::ContractKind));
            }
            if int("weekly_minutes").is_some_and(|m| !(1..=2700).contains(&m)) {
                errors.push(FieldError::new("weekly_minutes", Problem::WeeklyMinutes));
            }
            if text("break_policy").is_some_and(|p| crate::hours::BreakPolicy::from_stored(p).is_none()) {
                errors.push(FieldError::new("break_policy", Problem::BreakPolicy));
            }
        }
        "timesheets" | "shift_templates" => {
            non_blank("name", &mut errors);
            check_shift_times(text("start_time"), text("end_time"), int("break_minutes"), &mut errors);
            if text("short_code").is_some_and(|code| {
                !code.is_empty() && crate::shift_text::template_code(code) != Some(code.to_string())
            }) {
                errors.push(FieldError::new("short_code", Problem::TemplateCode));
            }
        }
        "vehicles" => {
            if text("plate").is_some_and(|plate| normalize_plate(plate).as_deref() != Some(plate)) {
                errors.push(FieldError::new("plate", Problem::Plate));
            }
            if int("year").is_some_and(|y| !(1950..=2100).contains(&y)) {
                errors.push(FieldError::new("year", Problem::Year));
            }
            for name in ["km", "oil_change_km"] {
                if int(name).is_some_and(|v| v < 0) {
                    errors.push(FieldError::new(name, Problem::Negative));
                }
            }
            if int("oil_interval_km").is_some_and(|v| v <= 0) {
                errors.push(FieldError::new("oil_interval_km", Problem::Negative));
            }
        }
        "drivers" => non_blank("full_name", &mut errors),
        "leaves" => check_leave(row, &mut errors),
        "period_locks" => {
            let period = text("period").unwrap_or_default();
            let month = chrono::NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d").is_ok()
                && period.len() == 7;
            let week = period.len() == 8
                && chrono::NaiveDate::parse_from_str(&format!("{period}-1"), "%G-W%V-%u").is_ok();
            if !month && !week {
                errors.push(FieldError::new("period", Problem::InvalidPeriod));
            } else if week && text("state").is_some_and(|s| s != "approved") {
                errors.push(FieldError::new("period", Problem::InvalidMonth));
            }
            let state = text("state").unwrap_or_default();
            if !crate::schema::PERIOD_STATES.iter().any(|c| c.value == state) {
                errors.push(FieldError::new("state", Problem::PeriodState));
            }
            // An unlock says why: payroll was paid from the locked numbers.
            if state == "unlocked" && text("reason").is_none_or(|r| r.trim().is_empty()) {
                errors.push(FieldError::new("reason", Problem::Required));
            }
        }
        "vehicle_faults" => {
            non_blank("title", &mut errors);
            let closed = text("closed_date").is_some_and(|d| !d.is_empty());
            if text("status") == Some("Kapali") && !closed {
                errors.push(FieldError::new("closed_date", Problem::ClosedWithoutDate));
            }
        }
        "vehicle_service_visits" => {
            // ISO dates order as text.
            if let (Some(start), Some(end)) = (text("start_date"), text("end_date"))
                && !end.is_empty()
                && end < start
            {
                errors.push(FieldError::new("end_date", Problem::EndBeforeStart));
            }
            if row.get("cost").and_then(Value::as_f64).is_some_and(|c| c < 0.0) {
                errors.push(FieldError::new("cost", Problem::Negative));
            }
        }
        "vehicle_inspections" => {
            if int("km").is_some_and(|v| v < 0) {
                errors.push(FieldError::new("km", Problem::Negative));
            }
            if text("results").is_some_and(|r| !r.is_empty() && crate::checklist::Results::parse(r).is_none())
            {
                errors.push(FieldError::new("results", Problem::Checklist));
            }
        }
        _ => {}
    }
    errors
}

fn check_shift_times(
    start: Option<&str>,
    end: Option<&str>,
    break_minutes: Option<i64>,
    errors: &mut Vec<FieldError>,
) {
    if break_minutes.is_some_and(|b| b < 0) {
        errors.push(FieldError::new("break_minutes", Problem::Negative));
    }
    let (Some(Ok(start)), Some(Ok(end))) = (start.map(parse_hhmm), end.map(parse_hhmm)) else {
        return;
    };
    match span_minutes(start, end) {
        Err(p) => errors.push(FieldError::new("end_time", p)),
        Ok(span) => {
            if break_minutes.is_some_and(|b| b >= i64::from(span)) {
                errors.push(FieldError::new("break_minutes", Problem::BreakTooLong));
            }
        }
    }
}

/// The checksum rules of the T.C. kimlik numarası.
pub fn valid_identity_no(s: &str) -> bool {
    let d: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 11 || s.len() != 11 || d[0] == 0 {
        return false;
    }
    let odd = d[0] + d[2] + d[4] + d[6] + d[8];
    let even = d[1] + d[3] + d[5] + d[7];
    let d10 = (odd * 7 + 10 * 9 - even) % 10;
    let d11 = d[..10].iter().sum::<u32>() % 10;
    d[9] == d10 && d[10] == d11
}

/// Turkish plates: province 01–81, one to three letters of the plate alphabet, two to four digits
/// (1 letter: 4 digits; 2 letters: 3–4; 3 letters: 2–3). Returns the canonical `06 ABC 123`.
pub fn normalize_plate(input: &str) -> Option<String> {
    let compact: String =
        crate::text::tr_upper(input).chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    let province: String = compact.chars().take_while(char::is_ascii_digit).collect();
    let rest = &compact[province.len()..];
    let letters: String = rest.chars().take_while(char::is_ascii_uppercase).collect();
    let digits = &rest[letters.len()..];
    let province_no: u32 = province.parse().ok()?;
    let letters_ok = letters.chars().all(|c| "ABCDEFGHIJKLMNOPRSTUVYZ".contains(c));
    let digits_ok = digits.chars().all(|c| c.is_ascii_digit())
        && match letters.len() {
            1 => digits.len() == 4,
            2 => (3..=4).contains(&digits.len()),
            3 => (2..=3).contains(&digits.len()),
            _ => false,
        };
    (province.len() == 2 && (1..=81).contains(&province_no) && letters_ok && digits_ok)
        .then(|| format!("{province} {letters} {digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_message_names_the_real_minimum() {
        for lang in [Lang::Tr, Lang::En] {
            assert!(Problem::PasswordTooShort.message(lang).contains(&MIN_PASSWORD_CHARS.to_string()));
        }
    }

    #[test]
    fn a_leave_names_what_is_wrong_with_it() {
        let leave = |fields: serde_json::Value| {
            let mut row = serde_json::json!({"kind": "annual", "first_day": "2026-03-09", "last_day": "2026-03-13",
                "entered_by": "ayşe"});
            row.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
            check_row("leaves", row.as_object().unwrap())
                .into_iter()
                .map(|e| (e.field, e.problem))
                .collect::<Vec<_>>()
        };
        assert_eq!(leave(serde_json::json!({})), []);
        assert_eq!(leave(serde_json::json!({"kind": "holiday"})), [("kind".into(), Problem::LeaveKind)]);
        assert_eq!(
            leave(serde_json::json!({"last_day": "2026-03-08"})),
            [("last_day".into(), Problem::EndBeforeStart)]
        );
        assert_eq!(
            leave(serde_json::json!({"last_day": "2029-03-09"})),
            [("last_day".into(), Problem::LeaveTooLong)]
        );
        // Marriage: Monday to Thursday is four working days; Friday to Monday is three.
        assert_eq!(
            leave(serde_json::json!({"kind": "marriage", "last_day": "2026-03-12"})),
            [("last_day".into(), Problem::LegalDays { max: 3 })]
        );
        assert_eq!(
            leave(
                serde_json::json!({"kind": "marriage", "first_day": "2026-03-13", "last_day": "2026-03-16"})
            ),
            []
        );
        assert_eq!(leave(serde_json::json!({"kind": "other"})), [("sgk_code".into(), Problem::SgkCode)]);
        assert_eq!(leave(serde_json::json!({"kind": "other", "sgk_code": "05"})), []);
        assert_eq!(leave(serde_json::json!({"sgk_code": "14"})), [("sgk_code".into(), Problem::SgkCode)]);
        assert_eq!(leave(serde_json::json!({"entered_by": " "})), [("entered_by".into(), Problem::Required)]);
        assert!(Problem::LegalDays { max: 5 }.message(Lang::Tr).contains("5 gün"));
    }

    #[test]
    fn plates() {
        assert_eq!(normalize_plate("06abc123").as_deref(), Some("06 ABC 123"));
        assert_eq!(normalize_plate("34 a 1234").as_deref(), Some("34 A 1234"));
        assert_eq!(normalize_plate("35-KL-456").as_deref(), Some("35 KL 456"));
        assert_eq!(normalize_plate("99 ABC 123"), None);
        assert_eq!(normalize_plate("06 ÇŞ 123"), None);
        assert_eq!(normalize_plate("06 A 12"), None);
    }

    #[test]
    fn identity_numbers() {
        assert!(valid_identity_no("10000000146"));
        assert!(!valid_identity_no("10000000147"));
        assert!(!valid_identity_no("1234"));
    }

    #[test]
    fn a_description_spells_out_ten_errors_and_counts_the_rest() {
        let errors: Vec<_> =
            (0..25).map(|i| FieldError::new(&format!("f{i}"), Problem::UnknownField)).collect();
        let line = describe(&errors);
        assert!(line.starts_with("f0: is not a known field; f1: "), "{line}");
        assert!(line.contains("f9: ") && !line.contains("f10: "), "{line}");
        assert!(line.ends_with("; and 15 more"), "{line}");
        assert_eq!(describe(&errors[..2]), "f0: is not a known field; f1: is not a known field");
    }

    #[test]
    fn fleet_row_rules() {
        let check = |table: &str, row: serde_json::Value| check_row(table, row.as_object().unwrap());
        let closed = check("vehicle_faults", serde_json::json!({"title": "Fren", "status": "Kapali"}));
        assert_eq!(closed, vec![FieldError::new("closed_date", Problem::ClosedWithoutDate)]);
        let fault = serde_json::json!({"title": "Fren", "status": "Kapali", "closed_date": "2026-03-02"});
        assert!(check("vehicle_faults", fault).is_empty());
        let visit = serde_json::json!({"start_date": "2026-03-02", "end_date": "2026-03-01"});
        assert_eq!(
            check("vehicle_service_visits", visit),
            vec![FieldError::new("end_date", Problem::EndBeforeStart)]
        );
        let visit = serde_json::json!({"start_date": "2026-03-02", "end_date": "2026-03-02"});
        assert!(check("vehicle_service_visits", visit).is_empty());
        let inspection = serde_json::json!({"results": "[{\"item\": \"wipers\", \"ok\": true}]"});
        assert_eq!(
            check("vehicle_inspections", inspection),
            vec![FieldError::new("results", Problem::Checklist)]
        );
        let inspection = serde_json::json!({"results": "[{\"item\": \"glass\", \"ok\": true}]"});
        assert!(check("vehicle_inspections", inspection).is_empty());
    }

    #[test]
    fn shift_rules() {
        let row = serde_json::json!({"start_time": "08:00", "end_time": "08:00", "break_minutes": 0});
        let errors = check_row("timesheets", row.as_object().unwrap());
        assert_eq!(errors, vec![FieldError::new("end_time", Problem::EndEqualsStart)]);
        let row = serde_json::json!({"start_time": "22:00", "end_time": "06:00", "break_minutes": 30});
        assert!(check_row("timesheets", row.as_object().unwrap()).is_empty());
    }

    #[test]
    fn a_month_is_locked_and_a_week_only_approved() {
        let row = |period: &str, state: &str| {
            let fields = serde_json::json!({"period": period, "state": state, "by": "şef", "at": "x"});
            check_row("period_locks", fields.as_object().unwrap())
                .into_iter()
                .map(|e| e.problem)
                .collect::<Vec<_>>()
        };
        assert!(row("2026-03", "locked").is_empty());
        assert!(row("2026-W09", "approved").is_empty());
        assert_eq!(row("2026-W09", "locked"), [Problem::InvalidMonth]);
        for bad in ["2026-3", "2026-13", "2026-W54", "2026W09", "Mart"] {
            assert_eq!(row(bad, "approved"), [Problem::InvalidPeriod], "{bad}");
        }
        assert_eq!(row("2026-03", "closed"), [Problem::PeriodState]);
        assert_eq!(row("2026-03", "unlocked"), [Problem::Required], "an unlock says why");
    }
}
