//! What needs doing in a region's fleet on a given day, computed from its rows alone, so the
//! overview, `rainstaff alerts` and any later dashboard say the same thing: oil changes,
//! inspection, insurance and maintenance dates, driving licences, open faults, vehicles in the
//! workshop and weekly inspections that got worse. The thresholds are the legacy program's.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::checklist::{Results, Trend, trends};
use crate::i18n::Lang;
use crate::time::parse_iso_date;

/// The oil interval of a vehicle that has none on file.
pub const DEFAULT_OIL_INTERVAL_KM: i64 = 14_000;
/// An oil change this close is announced.
pub const OIL_SOON_KM: i64 = 2_000;
/// A date this close is announced.
pub const SOON_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    OilDue,
    OilSoon,
    InspectionExpired,
    InspectionSoon,
    InsuranceExpired,
    InsuranceSoon,
    MaintenanceExpired,
    MaintenanceSoon,
    LicenseExpired,
    LicenseSoon,
    OpenFault,
    InService,
    InspectionWorsened,
    InspectionRepeated,
}

/// One live row of a fleet table.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: Uuid,
    pub fields: Map<String, Value>,
}

impl Record {
    fn text(&self, name: &str) -> Option<&str> {
        self.fields.get(name).and_then(Value::as_str).filter(|s| !s.is_empty())
    }
    fn int(&self, name: &str) -> Option<i64> {
        self.fields.get(name).and_then(Value::as_i64)
    }
    fn date(&self, name: &str) -> Option<NaiveDate> {
        self.text(name).and_then(|d| parse_iso_date(d).ok())
    }
    fn refers_to(&self, name: &str) -> Option<Uuid> {
        self.text(name).and_then(|id| Uuid::parse_str(id).ok())
    }
}

/// The live rows of the fleet tables a person may see.
#[derive(Debug, Clone, Default)]
pub struct Fleet {
    pub vehicles: Vec<Record>,
    pub drivers: Vec<Record>,
    pub faults: Vec<Record>,
    pub visits: Vec<Record>,
    pub inspections: Vec<Record>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    /// Days until the date (negative: since it passed); for a fault or a workshop visit, days
    /// since it opened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
    /// Km left to the oil change (zero or negative: overdue by that much).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub km: Option<i64>,
    /// The fault's title, the visit's reason, or the checklist item's key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The record the alert is about, which a screen opens.
    #[serde(skip)]
    pub table: &'static str,
    #[serde(skip)]
    pub id: Uuid,
}

impl Alert {
    fn new(kind: Kind, table: &'static str, id: Uuid) -> Self {
        Alert { kind, plate: None, driver: None, days: None, km: None, detail: None, table, id }
    }

    /// What the alert says, as an office reads it.
    pub fn message(&self, lang: Lang) -> String {
        let days = self.days.unwrap_or_default();
        let km = self.km.unwrap_or_default();
        let detail = match (self.kind, self.detail.as_deref()) {
            (Kind::InspectionWorsened | Kind::InspectionRepeated, Some(key)) => {
                crate::checklist::Item::from_key(key)
                    .map_or(key.to_string(), |i| i.label().get(lang).to_string())
            }
            (_, detail) => detail.unwrap_or_default().to_string(),
        };
        let dated = |tr: &str, en: &str| match (days < 0, lang) {
            (true, Lang::Tr) => format!("{tr} {} gün geçti", -days),
            (true, Lang::En) => format!("{en} {} days overdue", -days),
            (false, Lang::Tr) => format!("{tr} için {days} gün kaldı"),
            (false, Lang::En) => format!("{en} due in {days} days"),
        };
        match (self.kind, lang) {
            (Kind::OilDue, Lang::Tr) if km == 0 => "Yağ değişimi zamanı geldi".into(),
            (Kind::OilDue, Lang::En) if km == 0 => "Oil change due now".into(),
            (Kind::OilDue, Lang::Tr) => format!("Yağ değişimi {} km geçti", -km),
            (Kind::OilDue, Lang::En) => format!("Oil change {} km overdue", -km),
            (Kind::OilSoon, Lang::Tr) => format!("Yağ değişimine {km} km kaldı"),
            (Kind::OilSoon, Lang::En) => format!("Oil change in {km} km"),
            (Kind::InspectionExpired | Kind::InspectionSoon, _) => dated("Muayene", "Inspection"),
            (Kind::InsuranceExpired | Kind::InsuranceSoon, _) => dated("Sigorta", "Insurance"),
            (Kind::MaintenanceExpired | Kind::MaintenanceSoon, _) => dated("Bakım", "Maintenance"),
            (Kind::LicenseExpired | Kind::LicenseSoon, _) => dated("Ehliyet", "Driving licence"),
            (Kind::OpenFault, Lang::Tr) => format!("Açık arıza: {detail}"),
            (Kind::OpenFault, Lang::En) => format!("Open fault: {detail}"),
            (Kind::InService, Lang::Tr) => format!("Serviste ({days} gündür): {detail}"),
            (Kind::InService, Lang::En) => format!("In the workshop ({days} days): {detail}"),
            (Kind::InspectionWorsened, Lang::Tr) => format!("Haftalık kontrolde bozuldu: {detail}"),
            (Kind::InspectionWorsened, Lang::En) => format!("Worse at the weekly inspection: {detail}"),
            (Kind::InspectionRepeated, Lang::Tr) => format!("İki kontroldür olumsuz: {detail}"),
            (Kind::InspectionRepeated, Lang::En) => format!("Not OK two inspections running: {detail}"),
        }
    }

    /// Whom or what the alert is about: the plate, or the driver.
    pub fn subject(&self) -> &str {
        self.plate.as_deref().or(self.driver.as_deref()).unwrap_or_default()
    }
}

/// The alerts of `fleet` on `today`, vehicles' first by plate, then drivers', each in the order
/// of `Kind`.
pub fn alerts(fleet: &Fleet, today: NaiveDate) -> Vec<Alert> {
    let plates: HashMap<Uuid, &str> =
        fleet.vehicles.iter().filter_map(|v| Some((v.id, v.text("plate")?))).collect();
    let mut out = Vec::new();
    let on_vehicle = |kind: Kind, table: &'static str, row: &Record, plate: &str| Alert {
        plate: Some(plate.to_string()),
        ..Alert::new(kind, table, row.id)
    };
    for vehicle in &fleet.vehicles {
        let Some(plate) = vehicle.text("plate") else { continue };
        if let (Some(km), Some(changed_at)) = (vehicle.int("km"), vehicle.int("oil_change_km")) {
            let interval =
                vehicle.int("oil_interval_km").filter(|i| *i > 0).unwrap_or(DEFAULT_OIL_INTERVAL_KM);
            let left = changed_at + interval - km;
            let kind = match left {
                ..=0 => Some(Kind::OilDue),
                1..=OIL_SOON_KM => Some(Kind::OilSoon),
                _ => None,
            };
            if let Some(kind) = kind {
                out.push(Alert { km: Some(left), ..on_vehicle(kind, "vehicles", vehicle, plate) });
            }
        }
        for (field, expired, soon) in [
            ("inspection_date", Kind::InspectionExpired, Kind::InspectionSoon),
            ("insurance_date", Kind::InsuranceExpired, Kind::InsuranceSoon),
            ("maintenance_date", Kind::MaintenanceExpired, Kind::MaintenanceSoon),
        ] {
            if let Some((kind, days)) = dated(vehicle.date(field), today, expired, soon) {
                out.push(Alert { days: Some(days), ..on_vehicle(kind, "vehicles", vehicle, plate) });
            }
        }
    }
    for fault in &fleet.faults {
        let open = fault.text("status") != Some("Kapali") && fault.text("closed_date").is_none();
        if let (true, Some(plate)) = (open, fault.refers_to("vehicle_id").and_then(|v| plates.get(&v))) {
            out.push(Alert {
                days: fault.date("opened_date").map(|d| (today - d).num_days()),
                detail: fault.text("title").map(str::to_string),
                ..on_vehicle(Kind::OpenFault, "vehicle_faults", fault, plate)
            });
        }
    }
    for visit in &fleet.visits {
        let started = visit.date("start_date").filter(|d| *d <= today);
        let in_service = visit.text("end_date").is_none() && started.is_some();
        if let (true, Some(plate)) = (in_service, visit.refers_to("vehicle_id").and_then(|v| plates.get(&v)))
        {
            out.push(Alert {
                days: started.map(|d| (today - d).num_days()),
                detail: visit.text("reason").map(str::to_string),
                ..on_vehicle(Kind::InService, "vehicle_service_visits", visit, plate)
            });
        }
    }
    for (vehicle, [latest, before]) in last_two_inspections(fleet, today) {
        let Some(plate) = plates.get(&vehicle) else { continue };
        for (item, trend) in trends(&Results::of_row(&before.fields), &Results::of_row(&latest.fields)) {
            let kind = match trend {
                Trend::Worsened => Kind::InspectionWorsened,
                Trend::Repeated => Kind::InspectionRepeated,
                Trend::Mended => continue,
            };
            let key = serde_json::to_value(item).ok().and_then(|v| v.as_str().map(str::to_string));
            out.push(Alert { detail: key, ..on_vehicle(kind, "vehicle_inspections", latest, plate) });
        }
    }
    for driver in &fleet.drivers {
        if let Some((kind, days)) =
            dated(driver.date("license_expiry"), today, Kind::LicenseExpired, Kind::LicenseSoon)
        {
            out.push(Alert {
                driver: driver.text("full_name").map(str::to_string),
                days: Some(days),
                ..Alert::new(kind, "drivers", driver.id)
            });
        }
    }
    out.sort_by(|a, b| {
        (a.plate.is_none(), a.subject(), a.kind).cmp(&(b.plate.is_none(), b.subject(), b.kind))
    });
    out
}

/// Each vehicle's latest inspection up to `today` and the one before it.
pub fn last_two_inspections(fleet: &Fleet, today: NaiveDate) -> Vec<(Uuid, [&Record; 2])> {
    let mut by_vehicle: HashMap<Uuid, Vec<(NaiveDate, &Record)>> = HashMap::new();
    for inspection in &fleet.inspections {
        if let (Some(vehicle), Some(date)) =
            (inspection.refers_to("vehicle_id"), inspection.date("inspection_date"))
            && date <= today
        {
            by_vehicle.entry(vehicle).or_default().push((date, inspection));
        }
    }
    let mut pairs: Vec<_> = by_vehicle
        .into_iter()
        .filter_map(|(vehicle, mut dated)| {
            dated.sort_by_key(|(date, _)| std::cmp::Reverse(*date));
            match dated[..] {
                [(_, latest), (_, before), ..] => Some((vehicle, [latest, before])),
                _ => None,
            }
        })
        .collect();
    pairs.sort_by_key(|(vehicle, _)| *vehicle);
    pairs
}

/// An expired or soon kind with the days left, for a date within `SOON_DAYS` or past.
fn dated(date: Option<NaiveDate>, today: NaiveDate, expired: Kind, soon: Kind) -> Option<(Kind, i64)> {
    let days = (date? - today).num_days();
    match days {
        ..0 => Some((expired, days)),
        0..=SOON_DAYS => Some((soon, days)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record(fields: Value) -> Record {
        Record { id: Uuid::new_v4(), fields: fields.as_object().unwrap().clone() }
    }

    fn day(s: &str) -> NaiveDate {
        parse_iso_date(s).unwrap()
    }

    /// An alert as the tests compare it: kind, days, km, detail.
    type Said = (Kind, Option<i64>, Option<i64>, Option<String>);

    fn kinds(alerts: &[Alert]) -> Vec<Said> {
        alerts.iter().map(|a| (a.kind, a.days, a.km, a.detail.clone())).collect()
    }

    fn said(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn oil_dates_and_licences_on_their_thresholds() {
        let van = |km: i64, interval: Option<i64>| {
            record(
                json!({"plate": "06 ABC 123", "km": km, "oil_change_km": 10_000, "oil_interval_km": interval}),
            )
        };
        let today = day("2026-03-02");
        let of = |v: Record| kinds(&alerts(&Fleet { vehicles: vec![v], ..Fleet::default() }, today));
        assert_eq!(of(van(24_000, None)), [(Kind::OilDue, None, Some(0), None)]);
        assert_eq!(of(van(22_000, None)), [(Kind::OilSoon, None, Some(2_000), None)]);
        assert_eq!(of(van(21_999, None)), []);
        assert_eq!(of(van(21_000, Some(10_000))), [(Kind::OilDue, None, Some(-1_000), None)]);
        let overdue = alerts(&Fleet { vehicles: vec![van(21_000, Some(10_000))], ..Fleet::default() }, today);
        assert_eq!(overdue[0].message(Lang::Tr), "Yağ değişimi 1000 km geçti");

        let dates = record(json!({"plate": "06 ABC 123", "inspection_date": "2026-03-01",
            "insurance_date": "2026-04-01", "maintenance_date": "2026-04-02"}));
        assert_eq!(
            of(dates),
            [(Kind::InspectionExpired, Some(-1), None, None), (Kind::InsuranceSoon, Some(30), None, None)]
        );
        let drivers = vec![
            record(json!({"full_name": "HÜSNÜ", "license_expiry": "2026-03-02"})),
            record(json!({"full_name": "ALİ", "license_expiry": "2026-02-01"})),
        ];
        let found = alerts(&Fleet { drivers, ..Fleet::default() }, today);
        assert_eq!(
            kinds(&found),
            [(Kind::LicenseExpired, Some(-29), None, None), (Kind::LicenseSoon, Some(0), None, None)]
        );
        assert_eq!(found[0].driver.as_deref(), Some("ALİ"));
        assert_eq!(found[0].message(Lang::Tr), "Ehliyet 29 gün geçti");
        assert_eq!(found[1].message(Lang::En), "Driving licence due in 0 days");
    }

    #[test]
    fn open_faults_workshop_visits_and_inspections_that_got_worse() {
        let van = record(json!({"plate": "06 ABC 123"}));
        let id = van.id.to_string();
        let results = |glass: bool, lights: bool| {
            json!(format!(r#"[{{"item":"glass","ok":{glass}}},{{"item":"lights","ok":{lights}}}]"#))
        };
        let fleet = Fleet {
            faults: vec![
                record(
                    json!({"vehicle_id": id, "title": "Fren", "status": "Acik", "opened_date": "2026-02-20"}),
                ),
                record(
                    json!({"vehicle_id": id, "title": "Far", "status": "Kapali", "closed_date": "2026-02-21"}),
                ),
            ],
            visits: vec![
                record(json!({"vehicle_id": id, "start_date": "2026-02-28", "reason": "Fren"})),
                record(json!({"vehicle_id": id, "start_date": "2026-02-01", "end_date": "2026-02-02"})),
            ],
            inspections: vec![
                record(
                    json!({"vehicle_id": id, "inspection_date": "2026-02-16", "results": results(false, false)}),
                ),
                record(
                    json!({"vehicle_id": id, "inspection_date": "2026-02-23", "results": results(true, false)}),
                ),
                record(
                    json!({"vehicle_id": id, "inspection_date": "2026-03-02", "results": results(false, false)}),
                ),
            ],
            vehicles: vec![van],
            drivers: vec![],
        };
        let found = alerts(&fleet, day("2026-03-02"));
        assert_eq!(
            kinds(&found),
            [
                (Kind::OpenFault, Some(10), None, said("Fren")),
                (Kind::InService, Some(2), None, said("Fren")),
                (Kind::InspectionWorsened, None, None, said("glass")),
                (Kind::InspectionRepeated, None, None, said("lights")),
            ]
        );
        assert_eq!(found[2].message(Lang::Tr), "Haftalık kontrolde bozuldu: Camlar");
        assert_eq!((found[2].table, found[2].id), ("vehicle_inspections", fleet.inspections[2].id));
        let json = serde_json::to_value(&found[0]).unwrap();
        assert_eq!(json, json!({"kind": "open_fault", "plate": "06 ABC 123", "days": 10, "detail": "Fren"}));
    }
}
