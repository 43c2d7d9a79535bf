//! Server users: the people who will sign in to the server (the coming web dashboard), apart from
//! the computers' device tokens. An administrator sees every region, a manager one; the role is
//! the stored region (`ALL` or a region's code), as for devices. Names are compared the way the
//! legacy import compares accounts (`rainstaff_core::text::search_key`): "AYŞE", "ayşe" and
//! "Ayse" are one user, so nobody gets a second account that only differs in how it was typed.

use std::fmt;

use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::quote::is_printable;
use rainstaff_core::regions::{self, MAX_REGION_CHARS};
use rainstaff_core::text::search_key;

use super::{Server, timestamp};
use crate::auth;
use crate::error::{ServiceError, quoted};
use crate::store::{EndSessions, NewUser, Store, Tx, User};

/// The longest user name.
pub const MAX_USERNAME_CHARS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Every region.
    Admin,
    /// One region.
    Manager,
}

impl Role {
    pub fn of(user: &User) -> Self {
        if user.region == ALL_REGIONS { Self::Admin } else { Self::Manager }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Manager => "manager",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, so a column width given to `{:<7}` applies.
        f.pad(self.as_str())
    }
}

/// The user name as stored: trimmed, 1 to `MAX_USERNAME_CHARS` characters that print as they are.
pub(super) fn check_username(username: &str) -> Result<&str, ServiceError> {
    let username = username.trim();
    let problem = if username.is_empty() {
        "the user name is empty".to_string()
    } else if username.chars().count() > MAX_USERNAME_CHARS {
        format!("the user name has more than {MAX_USERNAME_CHARS} characters")
    } else if !is_printable(username) {
        "the user name has a control or invisible formatting character".to_string()
    } else {
        return Ok(username);
    };
    Err(ServiceError::invalid("invalid_username", problem))
}

/// The region stored for a new user of `role`: `ALL` for an administrator, the region's code
/// (checked and spelled as an enrollment code's) for a manager.
fn region_for(role: Role, region: Option<&str>) -> Result<String, ServiceError> {
    let normalized = region.map(|r| (r, regions::normalize(r)));
    match (role, normalized) {
        (Role::Admin, None) => Ok(ALL_REGIONS.to_string()),
        (Role::Admin, Some((_, Some(code)))) if code == ALL_REGIONS => Ok(code),
        (Role::Admin, Some((typed, _))) => Err(ServiceError::invalid(
            "invalid_region",
            format!(
                "region {}: an administrator has every region; give no region (or ALL), or make \
                 the user a manager",
                quoted(typed)
            ),
        )),
        (Role::Manager, None) => Err(ServiceError::invalid(
            "region_required",
            "region: a manager needs the region whose data they manage",
        )),
        (Role::Manager, Some((typed, None))) => Err(ServiceError::invalid(
            "invalid_region",
            format!(
                "region {}: a region's name is required (at most {MAX_REGION_CHARS} characters)",
                quoted(typed)
            ),
        )),
        (Role::Manager, Some((_, Some(code)))) if code == ALL_REGIONS => Err(ServiceError::invalid(
            "invalid_region",
            "region ALL: every region is an administrator's; give a manager one region",
        )),
        (Role::Manager, Some((_, Some(code)))) => Ok(code),
    }
}

/// The user `username` names, compared as names are (see the module).
pub(super) fn find<'u>(users: &'u [User], username: &str) -> Option<&'u User> {
    let key = search_key(username.trim());
    users.iter().find(|u| search_key(&u.username) == key)
}

fn not_found(username: &str) -> ServiceError {
    ServiceError::not_found("user_not_found", format!("no user named {}", quoted(username.trim())))
}

fn hash(password: &str) -> Result<String, ServiceError> {
    auth::check_password(password)?;
    auth::hash_password(password).map_err(|e| ServiceError::internal(&e))
}

impl<S: Store> Server<S> {
    /// Adds a user; the name must differ from every other user's (see the module).
    pub fn add_user(
        &self,
        username: &str,
        role: Role,
        region: Option<&str>,
        password: &str,
    ) -> Result<User, ServiceError> {
        let username = check_username(username)?;
        let region = region_for(role, region)?;
        // Hashed before the transaction: Argon2 takes a while, and writers wait on it.
        let password_hash = hash(password)?;
        let user = NewUser {
            username: username.to_string(),
            password_hash,
            region,
            created_at: timestamp(self.now()),
        };
        self.store.write(|tx| {
            if let Some(taken) = find(&tx.users()?, username) {
                return Err(ServiceError::conflict(
                    "username_taken",
                    format!(
                        "the user name {} is taken by user {}",
                        quoted(username),
                        quoted(&taken.username)
                    ),
                ));
            }
            tx.insert_user(&user)?;
            find(&tx.users()?, username).cloned().ok_or_else(|| not_found(username))
        })
    }

    /// Every user, in the order they were added.
    pub fn users(&self) -> Result<Vec<User>, ServiceError> {
        self.store.read(|tx| Ok(tx.users()?))
    }

    /// Gives a user a new password; a disabled user stays disabled.
    pub fn set_user_password(&self, username: &str, password: &str) -> Result<User, ServiceError> {
        let password_hash = hash(password)?;
        self.store.write(|tx| {
            let user = find(&tx.users()?, username).cloned().ok_or_else(|| not_found(username))?;
            tx.set_password_hash(&user.username, &password_hash)?;
            // Whoever signed in with the old password is signed out.
            tx.end_sessions(EndSessions::OfUser(&user.username))?;
            Ok(user)
        })
    }

    /// Disables a user, who keeps their name (nobody else can take it). Disabling one who is
    /// disabled already changes nothing. The last active administrator is refused: nobody could
    /// administer the server then.
    pub fn disable_user(&self, username: &str) -> Result<User, ServiceError> {
        let at = timestamp(self.now());
        self.store.write(|tx| {
            let users = tx.users()?;
            let user = find(&users, username).ok_or_else(|| not_found(username))?;
            let active_admins =
                users.iter().filter(|u| Role::of(u) == Role::Admin && u.disabled_at.is_none()).count();
            if user.disabled_at.is_none() && Role::of(user) == Role::Admin && active_admins <= 1 {
                return Err(ServiceError::conflict(
                    "last_administrator",
                    format!(
                        "{} is the last active administrator; add another administrator before \
                         disabling this one, or nobody could administer the server",
                        quoted(&user.username)
                    ),
                ));
            }
            tx.disable_user(&user.username, &at)?;
            tx.end_sessions(EndSessions::OfUser(&user.username))?;
            find(&tx.users()?, username).cloned().ok_or_else(|| not_found(username))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_gets_its_region() {
        assert_eq!(region_for(Role::Admin, None).unwrap(), "ALL");
        assert_eq!(region_for(Role::Admin, Some("all")).unwrap(), "ALL");
        assert_eq!(region_for(Role::Admin, Some("Izmir")).unwrap_err().code, "invalid_region");
        assert_eq!(region_for(Role::Manager, Some(" İZMİR ")).unwrap(), "Izmir");
        assert_eq!(region_for(Role::Manager, None).unwrap_err().code, "region_required");
        assert_eq!(region_for(Role::Manager, Some("ALL")).unwrap_err().code, "invalid_region");
        assert_eq!(region_for(Role::Manager, Some("\u{1b}[2J")).unwrap_err().code, "invalid_region");
    }

    #[test]
    fn user_names_are_trimmed_printable_and_bounded() {
        assert_eq!(check_username("  ayşe ").unwrap(), "ayşe");
        assert!(check_username("   ").is_err());
        assert!(check_username("a\u{7}b").is_err());
        assert!(check_username(&"a".repeat(MAX_USERNAME_CHARS + 1)).is_err());
    }

    #[test]
    fn names_differing_only_in_case_or_turkish_letters_are_one_user() {
        let user = |name: &str| User {
            username: name.to_string(),
            region: ALL_REGIONS.to_string(),
            created_at: String::new(),
            disabled_at: None,
        };
        let users = [user("admin"), user("Ayşe Işık")];
        assert_eq!(find(&users, " AYŞE IŞIK ").unwrap().username, "Ayşe Işık");
        assert_eq!(find(&users, "ayse isik").unwrap().username, "Ayşe Işık");
        assert!(find(&users, "ayşe").is_none());
    }
}
