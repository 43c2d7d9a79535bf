//! One module per screen, plus the pieces they share.

pub mod employees;
pub mod form;
pub mod import;
pub mod login;
pub mod settings;
pub mod sync_indicator;
pub mod timesheets;
pub mod users;
pub mod vehicles;
