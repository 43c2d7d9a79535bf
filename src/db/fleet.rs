//! The fleet's rows as `rainstaff_core::alerts` reads them: one query per table, in a region.

use rainstaff_core::alerts::{Fleet, Record};
use rainstaff_core::schema::{
    DRIVERS, TableSpec, VEHICLE_FAULTS, VEHICLE_INSPECTIONS, VEHICLE_SERVICE_VISITS, VEHICLES,
};

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
