//! Legacy accounts. Their passwords were plaintext (V2), unsalted sha256 (V3/V4) or bcrypt (V5);
//! none of them is a credential worth keeping, so the password column is never read and every
//! imported account must set a new password before it can sign in.

use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::text::search_key;
use serde::Serialize;

pub use rainstaff_core::roles::Role;

/// The new role of a legacy one (V2–V4 "user"/"admin", V5 "SUPER_ADMIN" and the like), or
/// None when the word means nothing known. An administrator of one region is that region's
/// manager: an `admin` here sees every region. A legacy "user" was an office's login for data
/// entry, so it becomes staff; an administrator promotes whoever should manage.
pub fn role_from_legacy(role: &str, region: &str) -> Option<Role> {
    let key = search_key(role.trim()).replace([' ', '-'], "_");
    let admin = key.contains("admin") || key == "yonetici";
    if admin {
        return Some(if region == ALL_REGIONS { Role::Admin } else { Role::Manager });
    }
    if key.contains("manager") || key == "mudur" || key == "supervisor" {
        return Some(Role::Manager);
    }
    ["user", "staff", "employee", "viewer", "readonly", "operator", "personel", "kullanici"]
        .contains(&key.as_str())
        .then_some(Role::Staff)
}

/// An account to create without a password. There is deliberately no credential field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegacyUser {
    /// As the legacy file spelled it; targets match existing accounts by their own sign-in key.
    pub username: String,
    pub role: Role,
    /// A region code, or `ALL` for administrators.
    pub region: String,
    pub active: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles() {
        assert_eq!(role_from_legacy("user", "Ankara"), Some(Role::Staff));
        assert_eq!(role_from_legacy("admin", "ALL"), Some(Role::Admin));
        assert_eq!(role_from_legacy("SUPER_ADMIN", "ALL"), Some(Role::Admin));
        assert_eq!(role_from_legacy("ADMIN", "Bursa"), Some(Role::Manager));
        assert_eq!(role_from_legacy("REGION_MANAGER", "Izmir"), Some(Role::Manager));
        assert_eq!(role_from_legacy("Müdür", "Izmir"), Some(Role::Manager));
        assert_eq!(role_from_legacy("guest", "Izmir"), None);
    }
}
