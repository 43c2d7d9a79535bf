//! The fleet's rows as `rainstaff_core::alerts` reads them (one query per table, in a region), and
//! one vehicle's card.

use rainstaff_core::alerts::{Fleet, Record};
use rainstaff_core::schema::{
    DRIVERS, TableSpec, VEHICLE_FAULTS, VEHICLE_INSPECTIONS, VEHICLE_SERVICE_VISITS, VEHICLES,
};

use std::collections::HashMap;

use serde_json::Value;
use uuid::Uuid;

use super::rows::{self, LocalRow};
use super::{Result, Store};

impl Store {
    /// The live fleet rows of `region` (ALL: every region).
    pub fn fleet(&self, region: &str) -> Result<Fleet> {
        let of = |table: &TableSpec| -> Result<Vec<Record>> {
            Ok(self
                .records(table, region)?
                .into_iter()
                .map(|r| Record { id: r.id, fields: r.fields })
                .collect())
        };
        Ok(Fleet {
            vehicles: of(&VEHICLES)?,
            drivers: of(&DRIVERS)?,
            faults: of(&VEHICLE_FAULTS)?,
            visits: of(&VEHICLE_SERVICE_VISITS)?,
            inspections: of(&VEHICLE_INSPECTIONS)?,
        })
    }
}

/// One vehicle's whole history, for its card on screen and in a workbook.
#[derive(Debug, Clone)]
pub struct VehicleCard {
    pub vehicle: LocalRow,
    /// Newest first, as each list of the card reads.
    pub inspections: Vec<LocalRow>,
    pub faults: Vec<LocalRow>,
    pub visits: Vec<LocalRow>,
    /// The names of the drivers the inspections name, by id.
    pub drivers: HashMap<String, String>,
}

impl VehicleCard {
    /// What its workshop visits cost in all.
    pub fn total_cost(&self) -> f64 {
        // A fold from 0.0: an empty f64 sum is -0.0, which a workbook would show as "-0".
        self.visits
            .iter()
            .filter_map(|v| v.fields.get("cost").and_then(Value::as_f64))
            .fold(0.0, |a, b| a + b)
    }

    pub fn plate(&self) -> &str {
        self.vehicle.fields.get("plate").and_then(Value::as_str).unwrap_or_default()
    }
}

impl Store {
    /// The live vehicle of a plate (in its canonical form), in any region.
    pub fn vehicle_by_plate(&self, plate: &str) -> Result<Option<LocalRow>> {
        Ok(rows::select(&self.conn, &VEHICLES, "plate = ?1", &[&plate])?.into_iter().next())
    }

    /// The card of a live vehicle; `None` when there is no such vehicle.
    pub fn vehicle_card(&self, id: Uuid) -> Result<Option<VehicleCard>> {
        let Some(vehicle) = rows::get(&self.conn, &VEHICLES, id)?.filter(|r| !r.deleted) else {
            return Ok(None);
        };
        let of = |table: &TableSpec, date: &str| -> Result<Vec<LocalRow>> {
            let mut list = rows::select(&self.conn, table, "vehicle_id = ?1", &[&id])?;
            let key =
                |r: &LocalRow| r.fields.get(date).and_then(Value::as_str).unwrap_or_default().to_string();
            list.sort_by_key(|r| std::cmp::Reverse(key(r)));
            Ok(list)
        };
        let inspections = of(&VEHICLE_INSPECTIONS, "inspection_date")?;
        let mut drivers = HashMap::new();
        for driver in inspections.iter().filter_map(|r| r.fields.get("driver_id").and_then(Value::as_str)) {
            if let Ok(driver_id) = Uuid::parse_str(driver)
                && let Some(row) = rows::get(&self.conn, &DRIVERS, driver_id)?
            {
                let name = row.fields.get("full_name").and_then(Value::as_str).unwrap_or_default();
                drivers.insert(driver.to_string(), name.to_string());
            }
        }
        Ok(Some(VehicleCard {
            vehicle,
            inspections,
            faults: of(&VEHICLE_FAULTS, "opened_date")?,
            visits: of(&VEHICLE_SERVICE_VISITS, "start_date")?,
            drivers,
        }))
    }
}
