//! People signing in to the web dashboard, apart from the devices' tokens: a password checked
//! with Argon2id, a lockout after repeated failures, and sessions that end after a while without
//! use. The browser holds a random token; the database only its hash, as for device tokens, so a
//! copy of the database signs nobody in. Each session carries the CSRF token its forms send back.

use std::sync::LazyLock;

use argon2::password_hash::PasswordHash;
use argon2::{Argon2, PasswordVerifier};
use chrono::{DateTime, TimeDelta, Utc};
use rainstaff_core::protocol::ALL_REGIONS;

use super::users::Role;
use super::{Server, scope, timestamp};
use crate::auth;
use crate::error::ServiceError;
use crate::store::{AuditEntry, EndSessions, Scope, Store, Tx, WebSession};

/// Failed sign-ins in a row that lock a user out.
pub const LOCKOUT_AFTER: i64 = 5;
/// How long a lockout lasts.
pub const LOCKOUT_FOR: TimeDelta = TimeDelta::minutes(15);
/// A session unused this long has ended.
pub const SESSION_IDLE: TimeDelta = TimeDelta::minutes(30);
/// A session ends this long after sign-in however busy it is: a browser left signed in on an
/// office PC does not stay so for ever.
pub const SESSION_MAX: TimeDelta = TimeDelta::hours(12);
/// How often a session's last use is written: every request would be a write.
const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(1);

/// The hash of a random password nobody knows; an unknown user name is checked against it, so a
/// wrong name takes as long to refuse as a wrong password and names cannot be probed.
static NOBODY_HASH: LazyLock<String> =
    LazyLock::new(|| auth::hash_password(&auth::new_token()).unwrap_or_default());

/// The person a web request is made by, and what they may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub username: String,
    /// `ALL` for an administrator, else the manager's region.
    pub region: String,
}

impl Viewer {
    pub fn role(&self) -> Role {
        if self.region == ALL_REGIONS { Role::Admin } else { Role::Manager }
    }

    /// The regions this person sees: the same rule as a device of that region.
    pub fn scope(&self) -> Scope<'_> {
        scope(&self.region)
    }

    /// The region a page shows: a manager's own whatever they ask for; an administrator's
    /// choice, or every region.
    pub fn region_shown(&self, asked: Option<&str>) -> String {
        if self.region != ALL_REGIONS {
            return self.region.clone();
        }
        asked.and_then(rainstaff_core::regions::normalize).unwrap_or_else(|| ALL_REGIONS.to_string())
    }

    /// How the audit trail names this person.
    pub fn actor(&self) -> String {
        format!("user:{}", self.username)
    }

    pub fn require_admin(&self) -> Result<(), ServiceError> {
        match self.role() {
            Role::Admin => Ok(()),
            Role::Manager => Err(ServiceError::forbidden("admin_only", "only an administrator may do this")),
        }
    }
}

/// A signed-in session as a request sees it.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub viewer: Viewer,
    pub token_hash: String,
    pub csrf_token: String,
}

fn refused() -> ServiceError {
    ServiceError::unauthenticated(
        "sign_in_failed",
        format!(
            "wrong user name or password; after {LOCKOUT_AFTER} wrong passwords in a row a user is locked \
             for {} minutes",
            LOCKOUT_FOR.num_minutes()
        ),
    )
}

fn parse(at: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(at).ok().map(|t| t.with_timezone(&Utc))
}

fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// An audit entry of `viewer`'s (or an unknown person's) sign-in activity.
pub(super) fn audit_entry(
    at: &str,
    actor: &str,
    region: &str,
    action: &str,
    subject: &str,
    detail: String,
) -> AuditEntry {
    AuditEntry {
        id: 0,
        at: at.to_string(),
        actor: actor.to_string(),
        region: region.to_string(),
        action: action.to_string(),
        subject: subject.to_string(),
        detail,
        record_table: None,
    }
}

impl<S: Store> Server<S> {
    /// Signs a person in; returns the token for their browser and the session. Every refusal is
    /// the same error in the same time, whether the name was unknown, the password wrong, the
    /// account disabled or locked out: the answer tells nobody which names exist. `ending` is the
    /// session the browser had before, which a new sign-in replaces.
    pub fn sign_in(
        &self,
        username: &str,
        password: &str,
        ending: Option<&str>,
    ) -> Result<(String, SignedIn), ServiceError> {
        let now = self.now();
        let at = timestamp(now);
        let login = self.store.read(|tx| {
            let users = tx.users()?;
            let Some(user) = super::users::find(&users, username) else { return Ok(None) };
            Ok(tx.login(&user.username)?)
        })?;
        // Argon2 runs outside any transaction (writers would wait on it), and for every attempt:
        // an unknown or locked name takes as long as a known one.
        let password_ok = verify(password, login.as_ref().map_or(&*NOBODY_HASH, |l| &l.password_hash));
        let Some(login) = login else { return Err(refused()) };
        let name = login.user.username;
        let token = auth::new_token();
        let session = WebSession {
            token_hash: auth::token_hash(&token),
            username: name.clone(),
            csrf_token: auth::new_token(),
            created_at: at.clone(),
            last_seen_at: at.clone(),
        };
        let idle_cutoff = timestamp(now - SESSION_IDLE);
        let ending = ending.map(auth::token_hash);
        let signed_in = self.store.write(|tx| {
            // Read again in the write: attempts made at once are judged one after another, so
            // none of them slips past a lockout another one set.
            let Some(current) = tx.login(&name)? else { return Ok(None) };
            let region = current.user.region.clone();
            let actor = format!("user:{name}");
            let locked = current.locked_until.as_deref().and_then(parse).is_some_and(|until| until > now);
            if locked {
                let entry = audit_entry(&at, &actor, &region, "sign_in_failed", &name, "locked out".into());
                tx.append_audit(&entry)?;
                return Ok(None);
            }
            if !password_ok || current.user.disabled_at.is_some() {
                let failed = current.failed_logins + 1;
                let lock = (failed >= LOCKOUT_AFTER).then(|| timestamp(now + LOCKOUT_FOR));
                tx.set_login_failures(&name, if lock.is_some() { 0 } else { failed }, lock.as_deref())?;
                let (action, detail) = match &lock {
                    Some(until) => ("locked_out", format!("{failed} failed sign-ins; locked until {until}")),
                    None => ("sign_in_failed", format!("{failed} failed in a row")),
                };
                tx.append_audit(&audit_entry(&at, &actor, &region, action, &name, detail))?;
                return Ok(None);
            }
            tx.set_login_failures(&name, 0, None)?;
            if let Some(ending) = &ending {
                tx.end_sessions(EndSessions::One(ending))?;
            }
            // Sessions nobody came back to go now: the table holds only live ones.
            tx.end_sessions(EndSessions::IdleSince(&idle_cutoff))?;
            tx.insert_session(&session)?;
            tx.append_audit(&audit_entry(&at, &actor, &region, "sign_in", &name, String::new()))?;
            Ok(Some(Viewer { username: name.clone(), region }))
        })?;
        let viewer = signed_in.ok_or_else(refused)?;
        Ok((token, SignedIn { viewer, token_hash: session.token_hash, csrf_token: session.csrf_token }))
    }

    /// The session a browser's token belongs to, if it is still open and its user still active;
    /// notes that it was used.
    pub fn session(&self, token: &str) -> Result<SignedIn, ServiceError> {
        let now = self.now();
        let token_hash = auth::token_hash(token);
        let expired = || ServiceError::unauthenticated("session_expired", "please sign in again");
        let found = self.store.read(|tx| {
            let Some(session) = tx.session(&token_hash)? else { return Ok(None) };
            let user = tx.login(&session.username)?.map(|l| l.user);
            Ok(Some((session, user)))
        })?;
        let Some((session, user)) = found else { return Err(expired()) };
        let last_seen = parse(&session.last_seen_at);
        let created = parse(&session.created_at);
        let open = last_seen.is_some_and(|t| now - t < SESSION_IDLE)
            && created.is_some_and(|t| now - t < SESSION_MAX);
        let Some(user) = user.filter(|u| open && u.disabled_at.is_none()) else {
            self.store.write(|tx| Ok(tx.end_sessions(EndSessions::One(&token_hash))?))?;
            return Err(expired());
        };
        if last_seen.is_some_and(|t| now - t >= TOUCH_EVERY) {
            let at = timestamp(now);
            self.store.write(|tx| Ok(tx.touch_session(&token_hash, &at)?))?;
        }
        Ok(SignedIn {
            viewer: Viewer { username: user.username, region: user.region },
            token_hash,
            csrf_token: session.csrf_token,
        })
    }

    pub fn sign_out(&self, session: &SignedIn) -> Result<(), ServiceError> {
        let at = timestamp(self.now());
        let viewer = &session.viewer;
        self.store.write(|tx| {
            tx.end_sessions(EndSessions::One(&session.token_hash))?;
            let entry = audit_entry(
                &at,
                &viewer.actor(),
                &viewer.region,
                "sign_out",
                &viewer.username,
                String::new(),
            );
            Ok(tx.append_audit(&entry)?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stand_in_hash_is_argon2id_and_matches_nothing() {
        let hash = PasswordHash::new(&NOBODY_HASH).unwrap();
        assert_eq!(hash.algorithm.as_str(), "argon2id");
        assert!(!verify("", &NOBODY_HASH));
        assert!(!verify("password", &NOBODY_HASH));
    }
}
