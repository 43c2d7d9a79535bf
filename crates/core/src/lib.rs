//! The pure core of Rainstaff: what a timesheet row is, what makes it valid, how its minutes count
//! under Labour Law 4857, and how two offices' edits of it merge. No GUI, no HTTP, no database:
//! both the desktop app and the server build on this crate.

pub mod alerts;
pub mod audit;
pub mod checklist;
pub mod hours;
pub mod i18n;
pub mod ids;
pub mod leave;
pub mod merge;
pub mod model;
pub mod payroll;
pub mod protocol;
pub mod puantaj;
pub mod quote;
pub mod regions;
pub mod roles;
pub mod rules;
pub mod schema;
pub mod shift_text;
pub mod sql_value;
pub mod text;
pub mod time;
pub mod validate;
