//! What every screen gets to work with during a frame: the language, the person signed in, the
//! store to read, the way to send commands, today and the regions the person may write. It lives
//! beside the screens rather than in the app so that screens never import the app that holds them.

use std::cell::Cell;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::bus::Command;
use crate::db::read::ReadStore;
use crate::db::scope::Scope;
use crate::db::users::User;
use crate::i18n::Lang;

/// What every screen gets to work with during a frame.
pub struct Ctx<'a> {
    pub lang: Lang,
    pub user: &'a User,
    pub store: &'a ReadStore,
    /// Hands a command to the worker (which answers with events the app passes on).
    pub send: &'a dyn Fn(Command),
    pub today: NaiveDate,
    /// The regions the person may write on this PC (every region picker offers these).
    pub scope: &'a Scope,
    /// Where a screen asked to go this frame; the app goes there once the frame is drawn.
    pub goto: &'a Cell<Option<Goto>>,
}

/// Another screen a screen links to, without knowing the screen: the app opens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goto {
    /// A record's form on its table's record screen.
    Record { table: &'static str, id: Uuid },
    /// A new record's form on its table's screen, its parent chosen (a person's new leave).
    NewRecord { table: &'static str, parent: Uuid },
    /// The history of one vehicle (Araç kartı).
    VehicleCard(Uuid),
    /// An employee's shifts.
    Timesheets(Uuid),
    /// The changes the server refused.
    Refused,
    /// Settings, where conflicts are resolved.
    Settings,
}

impl Ctx<'_> {
    pub fn send(&self, command: Command) {
        (self.send)(command);
    }

    pub fn goto(&self, to: Goto) {
        self.goto.set(Some(to));
    }
}
