//! The office's own spreadsheets in: employees and shifts from an `.xlsx` or a `.csv` (its
//! delimiter and BOM sniffed, Turkish Excel's `;` included), headers recognised in Turkish with
//! or without Turkish letters and in English. Employees are matched by T.C. number, else by
//! name folded as every search folds it; two people of one name are an error, never a guess.
//! The store saves every good row in one transaction (`Store::import_sheet`); a bad row is
//! reported with the file's own row number and left out, and the same file again adds nothing.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, bail};
use calamine::{Data, Reader};
use rainstaff_core::i18n::Lang;
use rainstaff_core::model::{Employee, Record};
use rainstaff_core::schema::{EMPLOYEES, TIMESHEETS};
use rainstaff_core::text::search_key;
use rainstaff_core::time::{format_hhmm, parse_user_date, parse_user_time};
use serde_json::{Map, Value};

use crate::db::Store;
use crate::db::edits::{SheetError, SheetOutcome, SheetRow};
use crate::db::queries::{DEFAULT_BREAK_MINUTES, ShiftFilter};
use crate::db::users::User;

/// What a spreadsheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Employees,
    Timesheets,
}

/// The headers each field is known by, folded (`header_key`).
const HEADERS: &[(&str, &[&str])] = &[
    (
        "full_name",
        &[
            "ad soyad",
            "adi soyadi",
            "ad soyadi",
            "calisan",
            "personel",
            "isim",
            "name",
            "full name",
            "employee",
        ],
    ),
    ("identity_no", &["tc", "tc kimlik no", "tc no", "kimlik no", "tckn", "identity no"]),
    ("department", &["departman", "bolum", "department"]),
    ("title", &["unvan", "gorev", "title"]),
    ("hire_date", &["ise giris", "ise giris tarihi", "hire date"]),
    ("work_date", &["tarih", "gun", "date"]),
    ("start_time", &["giris", "giris saati", "baslangic", "start", "in"]),
    ("end_time", &["cikis", "cikis saati", "bitis", "end", "out"]),
    ("break_minutes", &["mola", "mola dk", "mola dakika", "break", "break min"]),
    ("note", &["not", "aciklama", "note"]),
];

/// A header as compared: folded, dots dropped ("T.C." is "tc"), other punctuation a space,
/// spaces single.
fn header_key(text: &str) -> String {
    let folded: String = search_key(text)
        .chars()
        .filter(|&c| c != '.')
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The file's rows as text, the header first.
pub fn read_rows(path: &Path) -> anyhow::Result<Vec<Vec<String>>> {
    let is_xlsx = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if is_xlsx {
        let mut book = calamine::open_workbook_auto(path).with_context(|| path.display().to_string())?;
        let Some(Ok(range)) = book.worksheet_range_at(0) else {
            bail!("{}: the workbook has no sheet", path.display())
        };
        return Ok(range.rows().map(|row| row.iter().map(cell_text).collect()).collect());
    }
    let bytes = std::fs::read(path).with_context(|| path.display().to_string())?;
    let text = String::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes).to_vec())
        .with_context(|| format!("{}: not UTF-8 text", path.display()))?;
    let first = text.lines().next().unwrap_or_default();
    let delimiter =
        [b';', b'\t', b','].into_iter().max_by_key(|d| first.matches(*d as char).count()).unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        rows.push(record.with_context(|| path.display().to_string())?.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

/// A cell as the office would type it: a date cell as DD.MM.YYYY, a time cell as HH:MM.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::DateTime(d) if d.as_f64() < 1.0 => format_hhmm((d.as_f64() * 1440.0).round() as u32),
        // Excel counts days from 30.12.1899.
        Data::DateTime(d) => chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|epoch| epoch.checked_add_days(chrono::Days::new(d.as_f64().floor() as u64)))
            .map(|day| day.format("%d.%m.%Y").to_string())
            .unwrap_or_default(),
        Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// Imports `path` as `kind` into `region` for `user`, in one transaction (none with `dry_run`).
pub fn import(
    store: &mut Store,
    user: &User,
    kind: Kind,
    path: &Path,
    region: &str,
    dry_run: bool,
    lang: Lang,
) -> anyhow::Result<SheetOutcome> {
    let mut rows = read_rows(path)?.into_iter();
    let header = rows.next().unwrap_or_default();
    let columns: HashMap<&str, usize> = header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let key = header_key(h);
            HEADERS.iter().find(|(_, known)| known.contains(&key.as_str())).map(|(field, _)| (*field, i))
        })
        .collect();
    let (table, needed): (_, &[&str]) = match kind {
        Kind::Employees => (&EMPLOYEES, &["full_name"]),
        Kind::Timesheets => (&TIMESHEETS, &["work_date", "start_time", "end_time"]),
    };
    for field in needed {
        if !columns.contains_key(field) {
            bail!(
                "{}: no column for {} in the header row",
                path.display(),
                rainstaff_core::i18n::field_label(lang, field)
            );
        }
    }
    if kind == Kind::Timesheets && !columns.contains_key("full_name") && !columns.contains_key("identity_no")
    {
        bail!("{}: no column naming the employee (Ad Soyad or T.C. Kimlik No)", path.display());
    }
    let employees = store.employees(region)?;
    let break_default = store.default_break(region).unwrap_or(DEFAULT_BREAK_MINUTES);
    let mut sheet = Vec::new();
    let mut errors = Vec::new();
    for (i, cells) in rows.enumerate() {
        let row = i + 2;
        let cell = |field: &str| {
            columns.get(field).and_then(|&c| cells.get(c)).map(|s| s.trim()).unwrap_or_default()
        };
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut bad =
            |field: &str, message: String| errors.push(SheetError { row, field: field.into(), message });
        let person = find(&employees, cell("identity_no"), cell("full_name"));
        let mut fields = Map::new();
        match kind {
            Kind::Employees => {
                for name in ["full_name", "identity_no", "department", "title"] {
                    put_text(&mut fields, name, cell(name));
                }
                let hire = cell("hire_date");
                if !hire.is_empty() {
                    match parse_user_date(hire) {
                        Ok(d) => drop(fields.insert("hire_date".into(), Value::from(d.to_string()))),
                        Err(p) => bad("hire_date", p.message(lang).into()),
                    }
                }
                let id = match person {
                    Ok(found) => found.map(|e| e.id),
                    Err(message) => {
                        bad("full_name", message);
                        continue;
                    }
                };
                if id.is_none() {
                    for (name, value) in [
                        ("active", Value::Bool(true)),
                        ("contract_kind", Value::from("full_time")),
                        ("weekly_minutes", Value::from(2700)),
                        ("break_policy", Value::from("statutory")),
                    ] {
                        fields.insert(name.into(), value);
                    }
                }
                sheet.push(SheetRow { row, id, fields });
            }
            Kind::Timesheets => {
                let employee = match person {
                    Ok(Some(e)) => e,
                    Ok(None) => {
                        bad("employee_id", "no such employee in this region".into());
                        continue;
                    }
                    Err(message) => {
                        bad("employee_id", message);
                        continue;
                    }
                };
                let date = parse_user_date(cell("work_date"));
                let start = parse_user_time(cell("start_time"));
                let end = parse_user_time(cell("end_time"));
                let brk = match cell("break_minutes") {
                    "" => Ok(break_default),
                    typed => typed.parse::<i64>().map_err(|_| "not a whole number of minutes".to_string()),
                };
                let (Ok(date), Ok(start), Ok(end), Ok(brk)) = (date, start, end, brk.clone()) else {
                    for (field, problem) in [
                        ("work_date", date.err().map(|p| p.message(lang).to_string())),
                        ("start_time", start.err().map(|p| p.message(lang).to_string())),
                        ("end_time", end.err().map(|p| p.message(lang).to_string())),
                        ("break_minutes", brk.err()),
                    ] {
                        if let Some(problem) = problem {
                            bad(field, problem);
                        }
                    }
                    continue;
                };
                let (start, end) = (format_hhmm(start), format_hhmm(end));
                let filter = ShiftFilter {
                    employee: Some(employee.id),
                    from: Some(date),
                    to: Some(date),
                    region: region.into(),
                };
                let same = store
                    .shifts(&filter)?
                    .into_iter()
                    .find(|s| s.data.start_time == start && s.data.end_time == end);
                fields.insert("employee_id".into(), Value::from(employee.id.to_string()));
                fields.insert("work_date".into(), Value::from(date.to_string()));
                fields.insert("start_time".into(), Value::from(start));
                fields.insert("end_time".into(), Value::from(end));
                fields.insert("break_minutes".into(), Value::from(brk));
                fields.insert("special_day".into(), Value::Bool(false));
                put_text(&mut fields, "note", cell("note"));
                sheet.push(SheetRow { row, id: same.map(|s| s.id), fields });
            }
        }
    }
    let mut outcome = store.import_sheet(user, table, region, sheet, dry_run, lang)?;
    outcome.errors.extend(errors);
    outcome.errors.sort_by_key(|e| e.row);
    Ok(outcome)
}

/// Sets a text field the row fills; an empty cell sets nothing.
fn put_text(fields: &mut Map<String, Value>, name: &str, value: &str) {
    if !value.is_empty() {
        fields.insert(name.to_string(), Value::from(value));
    }
}

/// The one employee a row names: by T.C. number when it has one, else by name; None when nobody
/// is, an error when two people are.
fn find<'e>(
    employees: &'e [Record<Employee>],
    identity_no: &str,
    name: &str,
) -> Result<Option<&'e Record<Employee>>, String> {
    if !identity_no.is_empty()
        && let Some(e) = employees.iter().find(|e| e.data.identity_no.as_deref() == Some(identity_no))
    {
        return Ok(Some(e));
    }
    let key = search_key(name);
    let mut named = employees.iter().filter(|e| !key.is_empty() && search_key(&e.data.full_name) == key);
    match (named.next(), named.next()) {
        (Some(_), Some(_)) => Err(format!("two employees are named {name}; give the T.C. number")),
        (one, _) => Ok(one),
    }
}
