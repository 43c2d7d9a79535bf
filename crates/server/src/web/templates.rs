//! The pages' templates, compiled into the binary (the dashboard works on a LAN with nothing
//! beside the server). Every value is HTML-escaped by the engine: the templates end in `.html`,
//! which turns minijinja's escaping on, and nothing is marked safe.

use std::sync::LazyLock;

use chrono::DateTime;
use minijinja::{Environment, Error, ErrorKind, State, Value};
use rainstaff_core::i18n::Lang;
use rainstaff_core::regions::display_name;
use rainstaff_core::time::{format_date, format_duration, parse_iso_date, turkey};

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("filter.html", include_str!("../../templates/filter.html")),
    ("regions.html", include_str!("../../templates/regions.html")),
    ("figures.html", include_str!("../../templates/figures.html")),
    ("dashboard.html", include_str!("../../templates/dashboard.html")),
    ("devices.html", include_str!("../../templates/devices.html")),
    ("conflicts.html", include_str!("../../templates/conflicts.html")),
    ("employees.html", include_str!("../../templates/employees.html")),
    ("employee.html", include_str!("../../templates/employee.html")),
    ("vehicles.html", include_str!("../../templates/vehicles.html")),
    ("vehicle.html", include_str!("../../templates/vehicle.html")),
    ("reports.html", include_str!("../../templates/reports.html")),
    ("puantaj.html", include_str!("../../templates/puantaj.html")),
    ("audit.html", include_str!("../../templates/audit.html")),
];

/// The templates, compiled once on first use.
pub static PAGES: LazyLock<Environment<'static>> = LazyLock::new(environment);

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        env.add_template(name, source).expect("the templates compile (tests render each)");
    }
    env.add_function("t", translate);
    env.add_filter("date", date);
    env.add_filter("when", when);
    env.add_filter("hours", hours);
    env.add_filter("region", region);
    env
}

/// `t("Türkçe", "English")`: the text in the page's language (`lang` in the context).
fn translate(state: &State, tr: &str, en: &str) -> String {
    let lang = state.lookup("lang").and_then(|l| l.as_str().and_then(Lang::from_code)).unwrap_or_default();
    lang.pick(tr, en).to_string()
}

/// An ISO date as DD.MM.YYYY; anything else as it is.
fn date(value: &str) -> String {
    parse_iso_date(value).map_or_else(|_| value.to_string(), format_date)
}

/// A stored UTC timestamp as DD.MM.YYYY HH:MM in Turkish time, the office's clock; none as "—".
fn when(value: Value) -> String {
    let Some(text) = value.as_str() else { return "—".to_string() };
    DateTime::parse_from_rfc3339(text).map_or_else(
        |_| text.to_string(),
        |t| t.with_timezone(&turkey()).format("%d.%m.%Y %H:%M").to_string(),
    )
}

/// Minutes as h:mm.
fn hours(value: Value) -> Result<String, Error> {
    let minutes = i64::try_from(value)
        .map_err(|_| Error::new(ErrorKind::InvalidOperation, "hours: not a whole number of minutes"))?;
    Ok(format_duration(minutes))
}

/// A region's code as people read it (İzmir for Izmir).
fn region(value: &str) -> String {
    display_name(value).to_string()
}
