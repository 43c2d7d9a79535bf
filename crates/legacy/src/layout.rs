//! The legacy tables and the names their columns had across V1–V5. This is the only place that
//! names a legacy column, and the only source of identifiers the reader puts into SQL: nothing
//! found inside a file is ever pasted into a query.

/// One legacy value, under every name it had; the first name the file has wins.
pub type Column = &'static [&'static str];

pub struct Layout {
    pub table: &'static str,
    /// Without these the table cannot be read; the error names the first spelling.
    pub required: &'static [Column],
    pub optional: &'static [Column],
}

impl Layout {
    pub fn columns(&self) -> impl Iterator<Item = Column> + '_ {
        self.required.iter().chain(self.optional).copied()
    }
}

pub const ID: Column = &["id"];
pub const REGION: Column = &["region"];
pub const NOTES: Column = &["notes"];
pub const FULL_NAME: Column = &["full_name"];
pub const IS_ACTIVE: Column = &["is_active"];
pub const KM: Column = &["km", "current_km"];
pub const VEHICLE_ID: Column = &["vehicle_id"];

pub const IDENTITY_NO: Column = &["identity_no", "tc_no"];
pub const DEPARTMENT: Column = &["department"];
pub const TITLE: Column = &["title", "position"];
pub const HIRE_DATE: Column = &["hire_date"];

pub const EMPLOYEE_ID: Column = &["employee_id"];
pub const WORK_DATE: Column = &["work_date"];
pub const START_TIME: Column = &["start_time", "clock_in"];
pub const END_TIME: Column = &["end_time", "clock_out"];
pub const BREAK_MINUTES: Column = &["break_minutes"];
pub const SPECIAL: Column = &["is_special", "is_special_day"];

pub const TEMPLATE_NAME: Column = &["name"];

pub const PLATE: Column = &["plate", "plate_number"];
pub const BRAND: Column = &["brand"];
pub const MODEL: Column = &["model"];
pub const YEAR: Column = &["year"];
pub const VEHICLE_INSPECTION_DATE: Column = &["inspection_date", "inspection_expiry"];
pub const INSURANCE_DATE: Column = &["insurance_date", "insurance_expiry"];
pub const MAINTENANCE_DATE: Column = &["maintenance_date"];
pub const OIL_CHANGE_DATE: Column = &["oil_change_date"];
pub const OIL_CHANGE_KM: Column = &["oil_change_km"];
pub const OIL_INTERVAL_KM: Column = &["oil_interval_km"];

pub const LICENSE_CLASS: Column = &["license_class", "license_type"];
pub const LICENSE_EXPIRY: Column = &["license_expiry"];
pub const PHONE: Column = &["phone"];

pub const FAULT_TITLE: Column = &["title"];
pub const DESCRIPTION: Column = &["description"];
pub const OPENED_DATE: Column = &["opened_date"];
pub const CLOSED_DATE: Column = &["closed_date"];
pub const STATUS: Column = &["status"];

pub const FAULT_ID: Column = &["fault_id"];
pub const VISIT_START: Column = &["start_date", "service_date"];
pub const END_DATE: Column = &["end_date"];
pub const VISIT_REASON: Column = &["reason", "description"];
pub const COST: Column = &["cost"];

pub const DRIVER_ID: Column = &["driver_id"];
pub const INSPECTION_DATE: Column = &["inspection_date"];

pub const INSPECTION_ID: Column = &["inspection_id"];
pub const RESULT_ITEM: Column = &["item_key", "item_name"];
pub const RESULT_NOTE: Column = &["note", "notes"];

pub const USERNAME: Column = &["username"];
pub const ROLE: Column = &["role"];

pub const SETTING_KEY: Column = &["key"];
/// The one legacy setting an import carries.
pub const COMPANY_NAME: &str = "company_name";
pub const SETTING_VALUE: Column = &["value"];

pub const TABLE_NAME: Column = &["table_name"];
pub const RECORD_ID: Column = &["record_id"];

pub const EMPLOYEES: Layout = Layout {
    table: "employees",
    required: &[ID, FULL_NAME],
    optional: &[IDENTITY_NO, DEPARTMENT, TITLE, HIRE_DATE, IS_ACTIVE, REGION],
};

pub const TIMESHEETS: Layout = Layout {
    table: "timesheets",
    required: &[ID, EMPLOYEE_ID, WORK_DATE, START_TIME, END_TIME],
    optional: &[BREAK_MINUTES, SPECIAL, NOTES, REGION],
};

pub const SHIFT_TEMPLATES: Layout = Layout {
    table: "shift_templates",
    required: &[ID, TEMPLATE_NAME, START_TIME, END_TIME],
    optional: &[BREAK_MINUTES],
};

pub const VEHICLES: Layout = Layout {
    table: "vehicles",
    required: &[ID, PLATE],
    optional: &[
        BRAND,
        MODEL,
        YEAR,
        KM,
        VEHICLE_INSPECTION_DATE,
        INSURANCE_DATE,
        MAINTENANCE_DATE,
        OIL_CHANGE_DATE,
        OIL_CHANGE_KM,
        OIL_INTERVAL_KM,
        NOTES,
        REGION,
    ],
};

pub const DRIVERS: Layout = Layout {
    table: "drivers",
    required: &[ID, FULL_NAME],
    optional: &[LICENSE_CLASS, LICENSE_EXPIRY, PHONE, NOTES, REGION],
};

pub const VEHICLE_FAULTS: Layout = Layout {
    table: "vehicle_faults",
    required: &[ID, VEHICLE_ID, FAULT_TITLE],
    optional: &[DESCRIPTION, OPENED_DATE, CLOSED_DATE, STATUS, REGION],
};

pub const VEHICLE_SERVICE_VISITS: Layout = Layout {
    table: "vehicle_service_visits",
    required: &[ID, VEHICLE_ID, VISIT_START],
    optional: &[FAULT_ID, END_DATE, VISIT_REASON, COST, NOTES, REGION],
};

pub const VEHICLE_INSPECTIONS: Layout = Layout {
    table: "vehicle_inspections",
    required: &[ID, VEHICLE_ID, INSPECTION_DATE],
    optional: &[DRIVER_ID, KM, NOTES, REGION],
};

/// Folded into `vehicle_inspections.results`; not a synced table of its own.
pub const INSPECTION_RESULTS: Layout = Layout {
    table: "vehicle_inspection_results",
    required: &[INSPECTION_ID, RESULT_ITEM],
    optional: &[ID, STATUS, RESULT_NOTE],
};

/// The password column is deliberately absent: a legacy credential is never even read.
pub const USERS: Layout =
    Layout { table: "users", required: &[USERNAME, ROLE], optional: &[ID, REGION, IS_ACTIVE] };

pub const SETTINGS: Layout =
    Layout { table: "settings", required: &[SETTING_KEY, SETTING_VALUE], optional: &[] };

pub const DELETED_RECORDS: Layout =
    Layout { table: "deleted_records", required: &[TABLE_NAME, RECORD_ID], optional: &[ID] };

/// The legacy tables that become synced tables, in the order of `schema::TABLES` (parents first).
/// Each legacy table has the name of the synced table it becomes.
pub const SYNCED: &[&Layout] = &[
    &EMPLOYEES,
    &TIMESHEETS,
    &SHIFT_TEMPLATES,
    &VEHICLES,
    &DRIVERS,
    &VEHICLE_FAULTS,
    &VEHICLE_SERVICE_VISITS,
    &VEHICLE_INSPECTIONS,
];
