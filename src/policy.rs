//! Who may send which command: the one rule the worker applies to every command before it runs,
//! whatever screen (or test, or stray sender) sent it. The screens hide what a person may not do;
//! that is manners, this is the rule. Administrators manage accounts, holidays, restores and
//! settings; managers also resolve conflicts, settle refused changes, import their region's
//! legacy data and see its month end; everybody signed in enters data where `db::scope` lets them.

use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::roles::{Denied, Role};
use rainstaff_core::validate::{FieldError, Problem};

use crate::bus::Command;
use crate::db::scope::Scope;
use crate::db::users::User;

/// Whether `user` (None: nobody signed in) may have `command` run on this PC, whose scope for
/// that user is `scope`.
pub fn allowed(user: Option<&User>, scope: &Scope, command: &Command) -> Result<(), Denied> {
    use Command::*;
    let Some(user) = user else {
        return match command {
            CreateFirstAdmin { .. } | SignIn { .. } | SignOut | WriteHelp => Ok(()),
            _ => Err(Denied::NotSignedIn),
        };
    };
    let needs = |role: Role| if user.role.at_least(role) { Ok(()) } else { Err(Denied::NeedsRole(role)) };
    match command {
        CreateFirstAdmin { .. } | SignIn { .. } | SignOut | WriteHelp => Ok(()),
        // The store checks a deleted row's own region, which only it can read.
        Delete { .. }
        | UndoDelete { .. }
        | ChangeOwnPassword { .. }
        | SeedTemplates
        | CopyLastWeek { .. }
        | BackupNow
        | SyncNow => Ok(()),
        Save { table, region, .. } => scope.check_in(table, region).map_err(Denied::Region),
        SaveWeekRow { region, .. } => scope.check(region).map_err(Denied::Region),
        MoveRegion { region, .. } => scope.check_move(region).map_err(Denied::Region),
        CreateUser { .. }
        | SetPassword { .. }
        | SetUserActive { .. }
        | SetUserRole { .. }
        | Restore { .. }
        | AddHoliday { .. }
        | RemoveHoliday { .. } => needs(Role::Admin),
        // The language is each person's choice; other settings are the PC's.
        SetSetting { key, .. } if key == "language" => Ok(()),
        SetSetting { .. } => needs(Role::Admin),
        // Enrolling again moves the PC to another server or region.
        Enroll { .. } if scope.enrolled() => needs(Role::Admin),
        Enroll { .. } => Ok(()),
        ResolveConflict { .. } | ResendRefused { .. } | DiscardRefused { .. } => needs(Role::Manager),
        ImportLegacy { region, .. } => {
            needs(Role::Manager)?;
            match region.as_deref() {
                Some(ALL_REGIONS) => needs(Role::Admin),
                Some(named) => reaches(user, named),
                // The PC's region decides: an enrolled PC's must be the person's.
                None if scope.enrolled() => reaches(user, scope.pc()),
                None => Ok(()),
            }
        }
        ImportSheet { region, .. } => {
            needs(Role::Manager)?;
            scope.check(region).map_err(Denied::Region)
        }
        ExportReport { request } => reaches(user, &request.selection.region),
        ExportVehicle { region, .. } => reaches(user, region),
        // A manager approves their region's month; only an administrator locks or unlocks one.
        SetPeriod { region, state, .. } => {
            needs(if *state == "approved" { Role::Manager } else { Role::Admin })?;
            scope.check(region).map_err(Denied::Region)
        }
        // Everybody's pay in a region at a glance: for those who close the month.
        MonthEnd { selection } => {
            needs(Role::Manager)?;
            reaches(user, &selection.region)
        }
    }
}

fn reaches(user: &User, region: &str) -> Result<(), Denied> {
    match user.can_access(region) {
        true => Ok(()),
        false => Err(Denied::Region(FieldError::new("region", Problem::Forbidden))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, region: &str) -> User {
        User {
            id: uuid::Uuid::nil(),
            username: "u".into(),
            role,
            region: region.into(),
            active: true,
            needs_password: false,
        }
    }

    #[test]
    fn roles_and_regions_decide() {
        let known: Vec<String> = ["Ankara", "Izmir"].map(String::from).to_vec();
        let admin = user(Role::Admin, ALL_REGIONS);
        let manager = user(Role::Manager, "Izmir");
        let staff = user(Role::Staff, "Izmir");
        let check = |u: Option<&User>, pc: Option<&str>, c: &Command| {
            let scope = u.map(|u| Scope::new(pc, u, &known)).unwrap_or_default();
            allowed(u, &scope, c)
        };
        let holiday = Command::RemoveHoliday { date: chrono::NaiveDate::MIN };
        assert_eq!(check(None, None, &holiday), Err(Denied::NotSignedIn));
        assert_eq!(check(Some(&manager), None, &holiday), Err(Denied::NeedsRole(Role::Admin)));
        assert_eq!(check(Some(&admin), None, &holiday), Ok(()));
        assert_eq!(check(None, None, &Command::WriteHelp), Ok(()));

        let resend = Command::ResendRefused { id: 1 };
        assert_eq!(check(Some(&staff), None, &resend), Err(Denied::NeedsRole(Role::Manager)));
        assert_eq!(check(Some(&manager), None, &resend), Ok(()));

        let import = |region: Option<&str>| Command::ImportLegacy {
            path: "x.db".into(),
            region: region.map(String::from),
            dry_run: true,
        };
        assert_eq!(check(Some(&manager), None, &import(Some("Izmir"))), Ok(()));
        assert!(matches!(check(Some(&manager), None, &import(Some("Ankara"))), Err(Denied::Region(_))));
        assert!(matches!(check(Some(&manager), Some("Ankara"), &import(None)), Err(Denied::Region(_))));
        assert_eq!(
            check(Some(&manager), None, &import(Some(ALL_REGIONS))),
            Err(Denied::NeedsRole(Role::Admin))
        );
        assert_eq!(check(Some(&admin), Some(ALL_REGIONS), &import(None)), Ok(()));

        let enroll = Command::Enroll { server: "http://s".into(), code: "c".into(), name: "pc".into() };
        assert_eq!(check(Some(&staff), None, &enroll), Ok(()));
        assert_eq!(check(Some(&staff), Some("Izmir"), &enroll), Err(Denied::NeedsRole(Role::Admin)));

        let language = Command::SetSetting { key: "language".into(), value: "en".into() };
        let interval = Command::SetSetting { key: "sync_interval_minutes".into(), value: "1".into() };
        assert_eq!(check(Some(&staff), None, &language), Ok(()));
        assert_eq!(check(Some(&staff), None, &interval), Err(Denied::NeedsRole(Role::Admin)));
    }
}
