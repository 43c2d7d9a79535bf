//! A day's shifts as the office types them into one cell of the week grid: "8.30-18",
//! "830-1800", "22-6" (ends the next day), "08:30-18:00/45" with its break, a template's short
//! code ("S", "s/30" with another break), several joined by "+". What the cell means is decided
//! here, once, so the grid's red cells, its totals and the store agree.

use crate::leave::LeaveKind;
use crate::puantaj::Letters;
use crate::text::{search_key, tr_upper};
use crate::time::{format_hhmm, parse_user_time};
use crate::validate::Problem;

/// The longest short code a template takes.
pub const CODE_CHARS: usize = 6;

/// One shift of a cell, in minutes after midnight (an end before the start is on the next day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypedShift {
    pub start: u32,
    pub end: u32,
    pub break_minutes: i64,
}

impl TypedShift {
    /// As the grid writes a stored shift back into its cell: the break only when it is not the
    /// one a cell without a break gets.
    pub fn text(&self, default_break: i64) -> String {
        let times = format!("{}-{}", format_hhmm(self.start), format_hhmm(self.end));
        if self.break_minutes == default_break { times } else { format!("{times}/{}", self.break_minutes) }
    }
}

/// A template the grid knows by its short code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodedTemplate {
    pub code: String,
    pub start: u32,
    pub end: u32,
    pub break_minutes: i64,
}

/// Why a cell is not a day's shifts: the problem and the piece of the cell it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub problem: Problem,
    pub piece: String,
}

/// A short code as it is stored: trimmed, in Turkish capitals ("ş" is "Ş", "i" is "İ"); None
/// when it is not one to six letters or digits.
pub fn template_code(typed: &str) -> Option<String> {
    let code = tr_upper(typed.trim());
    let chars = code.chars().count();
    ((1..=CODE_CHARS).contains(&chars) && code.chars().all(char::is_alphanumeric)).then_some(code)
}

/// What one cell of the week grid holds: a day's shifts (none when it is empty), or a one-day
/// leave typed by its puantaj letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayEntry {
    Shifts(Vec<TypedShift>),
    Leave(LeaveKind),
}

/// The cell read as the grid reads it: a leave's letter (`Letters::kind_of`, "Yİ", "r") alone in
/// the cell, unless a template has that code (the office named it so); otherwise its shifts.
pub fn parse_day(
    cell: &str,
    templates: &[CodedTemplate],
    default_break: i64,
    letters: &Letters,
) -> Result<DayEntry, CellError> {
    let key = search_key(cell);
    let a_template = templates.iter().any(|t| !key.is_empty() && search_key(&t.code) == key);
    match letters.kind_of(cell) {
        Some(kind) if !a_template => Ok(DayEntry::Leave(kind)),
        _ => parse_cell(cell, templates, default_break).map(DayEntry::Shifts),
    }
}

/// The shifts a cell holds: none when it is empty. Times without a break take `default_break`
/// (the region's); a code takes its template's break unless "/minutes" follows it.
pub fn parse_cell(
    cell: &str,
    templates: &[CodedTemplate],
    default_break: i64,
) -> Result<Vec<TypedShift>, CellError> {
    if cell.trim().is_empty() {
        return Ok(Vec::new());
    }
    cell.split('+').map(|piece| parse_piece(piece.trim(), templates, default_break)).collect()
}

fn parse_piece(
    piece: &str,
    templates: &[CodedTemplate],
    default_break: i64,
) -> Result<TypedShift, CellError> {
    let error = |problem| CellError { problem, piece: piece.to_string() };
    let (shift, break_text) = match piece.split_once('/') {
        Some((shift, brk)) => (shift.trim(), Some(brk.trim())),
        None => (piece, None),
    };
    let typed_break = break_text
        .map(|b| match b.parse::<i64>() {
            Ok(m) if m >= 0 && b.bytes().all(|c| c.is_ascii_digit()) => Ok(m),
            _ => Err(error(Problem::ExpectedInteger)),
        })
        .transpose()?;
    // An en dash is what a word processor makes of "-"; both read alike.
    if let Some((start, end)) = shift.split_once(['-', '–']) {
        let time = |t: &str| parse_user_time(t).map_err(|_| error(Problem::InvalidTime));
        let (start, end) = (time(start)?, time(end)?);
        if start == end {
            return Err(error(Problem::EndEqualsStart));
        }
        return Ok(TypedShift { start, end, break_minutes: typed_break.unwrap_or(default_break) });
    }
    let key = search_key(shift);
    let template = templates.iter().find(|t| !key.is_empty() && search_key(&t.code) == key);
    match template {
        Some(t) => Ok(TypedShift {
            start: t.start,
            end: t.end,
            break_minutes: typed_break.unwrap_or(t.break_minutes),
        }),
        None => Err(error(Problem::ShiftText)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn templates() -> Vec<CodedTemplate> {
        vec![
            CodedTemplate { code: "S".into(), start: 8 * 60 + 30, end: 17 * 60 + 30, break_minutes: 60 },
            CodedTemplate { code: "Gİ".into(), start: 22 * 60, end: 6 * 60, break_minutes: 30 },
        ]
    }

    fn one(cell: &str) -> Result<TypedShift, CellError> {
        parse_cell(cell, &templates(), 60).map(|s| {
            assert_eq!(s.len(), 1, "{cell}");
            s[0]
        })
    }

    #[test]
    fn times_as_the_office_types_them() {
        let day = TypedShift { start: 8 * 60 + 30, end: 18 * 60, break_minutes: 60 };
        for cell in ["8.30-18", "830-1800", "08:30-18:00", "8,30 - 18.00", "0830–1800"] {
            assert_eq!(one(cell), Ok(day), "{cell}");
        }
        assert_eq!(one("22-6"), Ok(TypedShift { start: 22 * 60, end: 6 * 60, break_minutes: 60 }));
        assert_eq!(one("08:30-18:00/45").map(|s| s.break_minutes), Ok(45));
        assert_eq!(one("8-12/0").map(|s| s.break_minutes), Ok(0));
    }

    #[test]
    fn a_short_code_is_its_template_in_any_case_and_with_or_without_turkish_letters() {
        let night = TypedShift { start: 22 * 60, end: 6 * 60, break_minutes: 30 };
        for cell in ["Gİ", "gi", "GI", " gı "] {
            assert_eq!(one(cell), Ok(night), "{cell}");
        }
        assert_eq!(one("s/15").map(|s| s.break_minutes), Ok(15));
    }

    #[test]
    fn several_shifts_of_a_day_are_joined_by_a_plus_and_empty_is_none() {
        let cell = parse_cell("8-12 + 13-17/0", &templates(), 60).unwrap();
        assert_eq!(cell.len(), 2);
        assert_eq!((cell[1].start, cell[1].break_minutes), (13 * 60, 0));
        assert_eq!(parse_cell("  ", &templates(), 60), Ok(Vec::new()));
    }

    #[test]
    fn what_is_not_a_shift_says_what_and_where() {
        let problem = |cell: &str| parse_cell(cell, &templates(), 60).map_err(|e| (e.problem, e.piece));
        assert_eq!(problem("X"), Err((Problem::ShiftText, "X".into())));
        assert_eq!(problem("8-12 + 25-26"), Err((Problem::InvalidTime, "25-26".into())));
        assert_eq!(problem("8.5-12"), Err((Problem::InvalidTime, "8.5-12".into())));
        assert_eq!(problem("8-8"), Err((Problem::EndEqualsStart, "8-8".into())));
        assert_eq!(problem("8-12/x"), Err((Problem::ExpectedInteger, "8-12/x".into())));
        assert_eq!(problem("8-12 +"), Err((Problem::ShiftText, "".into())));
    }

    #[test]
    fn a_leave_letter_alone_is_a_leave_unless_a_template_has_that_code() {
        let letters = Letters::default();
        let day = |cell: &str, templates: &[CodedTemplate]| parse_day(cell, templates, 60, &letters);
        assert_eq!(day(" yi ", &templates()), Ok(DayEntry::Leave(LeaveKind::Annual)));
        assert_eq!(day("R", &templates()), Ok(DayEntry::Leave(LeaveKind::Sick)));
        let r_shift = CodedTemplate { code: "R".into(), start: 600, end: 900, break_minutes: 0 };
        assert_eq!(
            day("r", &[r_shift]),
            Ok(DayEntry::Shifts(vec![TypedShift { start: 600, end: 900, break_minutes: 0 }]))
        );
        assert_eq!(day("", &templates()), Ok(DayEntry::Shifts(Vec::new())));
        assert_eq!(day("8-12+R", &templates()).map_err(|e| e.problem), Err(Problem::ShiftText));
    }

    #[test]
    fn a_stored_shift_is_written_back_as_a_cell_that_reads_the_same() {
        for shift in [
            TypedShift { start: 510, end: 1080, break_minutes: 60 },
            TypedShift { start: 1320, end: 360, break_minutes: 45 },
        ] {
            assert_eq!(parse_cell(&shift.text(60), &[], 60), Ok(vec![shift]));
        }
    }

    #[test]
    fn a_code_is_stored_in_turkish_capitals() {
        assert_eq!(template_code(" gi "), Some("Gİ".into()));
        assert_eq!(template_code("ş1"), Some("Ş1".into()));
        assert_eq!(template_code("A B"), None);
        assert_eq!(template_code("ABCDEFG"), None);
        assert_eq!(template_code(""), None);
    }
}
