//! One module per screen, plus the pieces they share.

pub mod employees;
pub mod form;
pub mod holidays;
pub mod hours_panel;
pub mod import;
pub mod login;
pub mod move_region;
pub mod record;
pub mod refused;
pub mod reports;
pub mod settings;
pub mod sync_indicator;
pub mod timesheets;
pub mod users;
pub mod vehicles;
