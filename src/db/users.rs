//! Local accounts: who may sign in on this PC, with which role and region. Passwords are stored
//! as Argon2id hashes; an imported legacy account has none and cannot sign in until an
//! administrator sets one.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::text::search_key;
use rainstaff_core::validate::{FieldError, MIN_PASSWORD_CHARS, Problem};
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use super::{Result, Store, StoreError, now_utc};

pub use rainstaff_core::roles::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub role: Role,
    /// A region code, or ALL for administrators.
    pub region: String,
    pub active: bool,
    pub needs_password: bool,
}

impl User {
    /// True when this user may see and edit rows of `region`.
    pub fn can_access(&self, region: &str) -> bool {
        rainstaff_core::protocol::in_scope(&self.region, region)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("wrong username or password")]
    WrongCredentials,
    #[error("this account has no password yet: an administrator must set one")]
    NeedsPassword,
    #[error("this account is disabled")]
    Disabled,
    /// Too many wrong passwords for the name: no password is tried until `until` (UTC, RFC 3339);
    /// `started` when this attempt set the lock.
    #[error("too many failed sign-ins; try again after {until}")]
    Locked { until: String, started: bool },
}

/// Failed sign-ins of one name within [`LOCK_WINDOW_MINUTES`] that lock it.
pub const LOCK_AFTER: i64 = 5;
/// How long failures count, and how long a lock lasts.
pub const LOCK_WINDOW_MINUTES: i64 = 5;

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Invalid(format!("password: {e}")))
}

/// Checks a new password; the message names the field.
pub fn check_new_password(password: &str) -> Result<(), FieldError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(FieldError::new("password", Problem::PasswordTooShort));
    }
    Ok(())
}

fn user_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let id: String = r.get(0)?;
    let role: String = r.get(2)?;
    Ok(User {
        id: Uuid::parse_str(&id).unwrap_or_default(),
        username: r.get(1)?,
        role: Role::from_code(&role).unwrap_or(Role::Staff),
        region: r.get(3)?,
        active: r.get(4)?,
        needs_password: r.get::<_, Option<String>>(5)?.is_none(),
    })
}

const USER_COLUMNS: &str = "id, username, role, region, active, password_hash";

impl Store {
    pub fn has_users(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM users WHERE password_hash IS NOT NULL)",
            [],
            |r| r.get(0),
        )?)
    }

    /// Creates an account. `password` None makes an account that must be given one first.
    pub fn create_user(
        &self,
        username: &str,
        password: Option<&str>,
        role: Role,
        region: &str,
    ) -> Result<User> {
        let username = username.trim();
        if username.is_empty() {
            return Err(StoreError::Field(FieldError::new("username", Problem::Required)));
        }
        check_role_region(role, region)?;
        let hash = match password {
            Some(p) => {
                check_new_password(p).map_err(StoreError::Field)?;
                Some(hash_password(p)?)
            }
            None => None,
        };
        let id = Uuid::now_v7();
        let inserted = self.conn.execute(
            "INSERT INTO users (id, username, username_key, password_hash, role, region, active, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7) ON CONFLICT (username_key) DO NOTHING",
            params![id.to_string(), username, search_key(username), hash, role.code(), region, now_utc()],
        )?;
        if inserted == 0 {
            return Err(StoreError::Field(
                FieldError::new("username", Problem::Duplicate).with_detail(username),
            ));
        }
        self.user(id)?.ok_or_else(|| StoreError::Invalid("user vanished".into()))
    }

    /// The first administrator, on a store nobody can sign in to yet. An imported legacy account
    /// of the same name (which has no password) becomes that administrator instead of blocking
    /// the name.
    pub fn create_first_admin(&self, username: &str, password: &str) -> Result<User> {
        if self.has_users()? {
            return Err(StoreError::Invalid("an administrator already exists".into()));
        }
        check_new_password(password).map_err(StoreError::Field)?;
        let claimed: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM users WHERE username_key = ?1 AND password_hash IS NULL",
                [search_key(username.trim())],
                |r| r.get(0),
            )
            .optional()?;
        let Some(id) = claimed else {
            return self.create_user(username, Some(password), Role::Admin, ALL_REGIONS);
        };
        self.conn.execute(
            "UPDATE users SET password_hash = ?2, role = 'admin', region = ?3, active = 1 WHERE id = ?1",
            params![id, hash_password(password)?, ALL_REGIONS],
        )?;
        self.user(Uuid::parse_str(&id).unwrap_or_default())?
            .ok_or_else(|| StoreError::Invalid("user vanished".into()))
    }

    pub fn user(&self, id: Uuid) -> Result<Option<User>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"),
                [id.to_string()],
                user_from,
            )
            .optional()?)
    }

    pub fn users(&self) -> Result<Vec<User>> {
        let mut stmt =
            self.conn.prepare(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY username_key"))?;
        Ok(stmt.query_map([], user_from)?.collect::<rusqlite::Result<_>>()?)
    }

    /// Checks a sign-in. Usernames match the way search does: "ADMIN", "admin" and "admın" are one name.
    pub fn verify_login(&self, username: &str, password: &str) -> Result<Result<User, AuthError>> {
        let found: Option<(User, Option<String>)> = self
            .conn
            .query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE username_key = ?1"),
                [search_key(username.trim())],
                |r| Ok((user_from(r)?, r.get(5)?)),
            )
            .optional()?;
        let Some((user, hash)) = found else {
            return Ok(Err(AuthError::WrongCredentials));
        };
        let Some(hash) = hash else {
            return Ok(Err(AuthError::NeedsPassword));
        };
        let ok = PasswordHash::new(&hash)
            .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok());
        Ok(match (ok, user.active) {
            (false, _) => Err(AuthError::WrongCredentials),
            (true, false) => Err(AuthError::Disabled),
            (true, true) => Ok(user),
        })
    }

    /// A sign-in at the desktop: `verify_login`, unless the name typed failed [`LOCK_AFTER`] times
    /// within [`LOCK_WINDOW_MINUTES`], which locks it for as long, the right password too. Counted
    /// in the store in the check's transaction, so neither a restart nor two windows reset it.
    pub fn sign_in(&self, username: &str, password: &str) -> Result<Result<User, AuthError>> {
        let now = chrono::Utc::now();
        let stamp = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let key = search_key(username.trim());
        // Immediate: the count is read to be written, and the sync thread may be writing; a
        // deferred transaction would fail to upgrade instead of waiting its turn.
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, rusqlite::TransactionBehavior::Immediate)?;
        let row: Option<(i64, String, Option<String>)> = tx
            .query_row(
                "SELECT failures, first_at, locked_until FROM sign_in_failures WHERE name_key = ?1",
                [&key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((_, _, Some(until))) = &row
            && *until > stamp(now)
        {
            return Ok(Err(AuthError::Locked { until: until.clone(), started: false }));
        }
        let verdict = self.verify_login(username, password)?;
        match &verdict {
            Ok(_) => {
                tx.execute("DELETE FROM sign_in_failures WHERE name_key = ?1", [&key])?;
            }
            Err(AuthError::WrongCredentials) => {
                let window = chrono::Duration::minutes(LOCK_WINDOW_MINUTES);
                let since = stamp(now - window);
                let (failures, first_at) = match row {
                    Some((n, first, _)) if first > since => (n + 1, first),
                    _ => (1, stamp(now)),
                };
                let until = (failures >= LOCK_AFTER).then(|| stamp(now + window));
                tx.execute(
                    "INSERT INTO sign_in_failures (name_key, failures, first_at, locked_until)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (name_key) DO UPDATE SET failures = excluded.failures,
                         first_at = excluded.first_at, locked_until = excluded.locked_until",
                    params![key, failures, first_at, until],
                )?;
                tx.commit()?;
                return Ok(match until {
                    Some(until) => Err(AuthError::Locked { until, started: true }),
                    None => verdict,
                });
            }
            Err(_) => {}
        }
        tx.commit()?;
        Ok(verdict)
    }

    pub fn set_password(&self, id: Uuid, password: &str) -> Result<()> {
        check_new_password(password).map_err(StoreError::Field)?;
        let hash = hash_password(password)?;
        self.conn
            .execute("UPDATE users SET password_hash = ?2 WHERE id = ?1", params![id.to_string(), hash])?;
        Ok(())
    }

    /// Disables or enables the account `id` on `by`'s word. Nobody disables themself, and the
    /// last active administrator stays: without one, nobody could manage the accounts again.
    pub fn set_user_active(&self, by: &User, id: Uuid, active: bool) -> Result<()> {
        if !active {
            self.check_not_last_admin(by, id)?;
        }
        self.conn.execute("UPDATE users SET active = ?2 WHERE id = ?1", params![id.to_string(), active])?;
        Ok(())
    }

    /// Gives the account `id` another role and region, checked as `create_user` checks them; an
    /// administrator stays one while they are the last active one or are `by`.
    pub fn set_user_role(&self, by: &User, id: Uuid, role: Role, region: &str) -> Result<()> {
        check_role_region(role, region)?;
        if role != Role::Admin {
            self.check_not_last_admin(by, id)?;
        }
        self.conn.execute(
            "UPDATE users SET role = ?2, region = ?3 WHERE id = ?1",
            params![id.to_string(), role.code(), region],
        )?;
        Ok(())
    }

    /// Refuses to take `id` away from the administrators: it is `by` themself, or the last
    /// active administrator.
    fn check_not_last_admin(&self, by: &User, id: Uuid) -> Result<()> {
        let Some(account) = self.user(id)? else { return Ok(()) };
        if account.role != Role::Admin {
            return Ok(());
        }
        if account.id == by.id {
            return Err(StoreError::Refused {
                tr: "Kendi yönetici hesabınızı kapatamaz ya da yetkisini düşüremezsiniz".into(),
                en: "You cannot disable or demote your own administrator account".into(),
            });
        }
        let admins: i64 = self.conn.query_row(
            "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1 AND id <> ?1",
            [id.to_string()],
            |r| r.get(0),
        )?;
        if admins == 0 {
            return Err(StoreError::Refused {
                tr: format!(
                    "«{}» son etkin sistem yöneticisi; önce başka bir yönetici ekleyin",
                    account.username
                ),
                en: format!("«{}» is the last active administrator; add another one first", account.username),
            });
        }
        Ok(())
    }
}

/// An administrator works in every region, everybody else in one.
fn check_role_region(role: Role, region: &str) -> Result<()> {
    if role == Role::Admin && region != ALL_REGIONS {
        return Err(StoreError::Invalid("region: an administrator works in ALL regions".into()));
    }
    if role != Role::Admin && region == ALL_REGIONS {
        return Err(StoreError::Invalid("region: only administrators work in ALL regions".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_with_turkish_usernames() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        assert!(!store.has_users().unwrap());
        store.create_user("IŞIK", Some("gizli-parola"), Role::Manager, "Izmir").unwrap();
        assert!(store.has_users().unwrap());
        assert_eq!(store.verify_login("ışık", "gizli-parola").unwrap().unwrap().role, Role::Manager);
        assert_eq!(store.verify_login("ışık", "yanlış-parola").unwrap(), Err(AuthError::WrongCredentials));
        assert!(store.create_user("ışık", Some("baska-parola"), Role::Staff, "Izmir").is_err());
        let imported = store.create_user("eski", None, Role::Staff, "Ankara").unwrap();
        assert!(
            store.create_first_admin("başka", "parola-uzun-1").is_err(),
            "an administrator exists already"
        );
        assert_eq!(store.verify_login("eski", "").unwrap(), Err(AuthError::NeedsPassword));
        store.set_password(imported.id, "yeni-parola-1").unwrap();
        assert!(store.verify_login("eski", "yeni-parola-1").unwrap().is_ok());
        assert!(store.create_user("kisa", Some("123"), Role::Staff, "Ankara").is_err());
    }

    #[test]
    fn the_first_administrator_takes_over_an_imported_account_of_that_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        let imported = store.create_user("admin", None, Role::Staff, "Ankara").unwrap();
        let admin = store.create_first_admin("ADMIN", "yeni-parola-1").unwrap();
        assert_eq!((admin.id, admin.role, admin.region.as_str()), (imported.id, Role::Admin, "ALL"));
        assert_eq!(store.verify_login("admin", "yeni-parola-1").unwrap().unwrap().id, imported.id);
    }
}
