//! What a person may do: staff enter data in their region, managers also resolve conflicts and
//! export, administrators work in every region and manage accounts.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Staff,
    Manager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Staff, Role::Manager, Role::Admin];

    pub fn code(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl Role {
    /// True when this role may do what `needed` may: staff < manager < administrator.
    pub fn at_least(self, needed: Role) -> bool {
        let rank = |r: Role| Role::ALL.iter().position(|x| *x == r);
        rank(self) >= rank(needed)
    }
}

/// Why a person may not do something: the desktop's worker and the server's person-facing
/// handlers say it with the same words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// Nobody is signed in.
    NotSignedIn,
    /// The act is for this role and the ones above it.
    NeedsRole(Role),
    /// The act names a region out of the person's (or the PC's) reach; the field error says which.
    Region(crate::validate::FieldError),
}

impl Denied {
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::Lang::{En, Tr};
        match (self, lang) {
            (Denied::NotSignedIn, Tr) => "Önce oturum açın".into(),
            (Denied::NotSignedIn, En) => "Sign in first".into(),
            (Denied::NeedsRole(Role::Admin), Tr) => "Bunu yalnızca sistem yöneticisi yapabilir".into(),
            (Denied::NeedsRole(Role::Admin), En) => "Only an administrator may do this".into(),
            (Denied::NeedsRole(_), Tr) => "Bunu yalnızca yönetici ya da sistem yöneticisi yapabilir".into(),
            (Denied::NeedsRole(_), En) => "Only a manager or an administrator may do this".into(),
            (Denied::Region(e), _) => e.message(lang),
        }
    }
}
