//! What every screen gets to work with during a frame: the language, the person signed in, the
//! store to read, the way to send commands, today and the regions the person may write. It lives
//! beside the screens rather than in the app so that screens never import the app that holds them.

use chrono::NaiveDate;

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
}

impl Ctx<'_> {
    pub fn send(&self, command: Command) {
        (self.send)(command);
    }
}
