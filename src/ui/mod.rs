//! One module per screen, plus the pieces they share: `ctx` (what a screen gets each frame),
//! `form`, `calendar`, `keys` and `widgets`. Screens import these and never one another or the app.

pub mod calendar;
pub mod ctx;
pub mod damaged;
pub mod employee_leaves;
pub mod employees;
pub mod form;
pub mod holidays;
pub mod hours_panel;
pub mod import;
pub mod keys;
pub mod log;
pub mod login;
pub mod month_end;
pub mod move_region;
pub mod overview;
pub mod record;
pub mod refused;
pub mod reports;
pub mod settings;
pub mod sheet;
pub mod sync_indicator;
pub mod timesheets;
pub mod undo;
pub mod users;
pub mod vehicle_card;
pub mod week_grid;
pub mod widgets;
