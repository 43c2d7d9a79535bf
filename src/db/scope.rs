//! Which regions the person signed in may give records on this PC. The server takes a change only
//! in the region the PC was enrolled for (every region for an all-regions PC); the person works
//! only in their own region (every region for an administrator). What both allow is what every
//! region picker offers and what the store writes, so the PC never queues a change the server
//! will refuse. A PC not yet enrolled has no server to refuse it: the person's region decides.

use rainstaff_core::protocol::{ALL_REGIONS, in_scope};
use rainstaff_core::regions;
use rainstaff_core::schema::TableSpec;
use rainstaff_core::validate::{FieldError, Problem};

use super::sync::REGION_KEY;
use super::users::{Role, User};
use super::{Result, Store};

/// The PC's enrollment and the person's account, with the regions both allow.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    /// The region the PC is enrolled for: a code, or ALL when enrolled for all or not enrolled.
    pc: String,
    enrolled: bool,
    user: String,
    admin: bool,
    regions: Vec<String>,
}

impl Scope {
    /// `pc` is the enrolled region (None: not enrolled); `known` are the regions people can pick.
    pub fn new(pc: Option<&str>, user: &User, known: &[String]) -> Scope {
        let mut scope = Scope {
            pc: pc.unwrap_or(ALL_REGIONS).to_string(),
            enrolled: pc.is_some(),
            user: user.region.clone(),
            admin: user.role == Role::Admin,
            regions: Vec::new(),
        };
        let candidates = known.iter().chain([&scope.pc, &scope.user]);
        let mut regions: Vec<String> = candidates.filter(|r| scope.allows(r)).cloned().collect();
        regions
            .sort_by(|a, b| rainstaff_core::text::tr_cmp(regions::display_name(a), regions::display_name(b)));
        regions.dedup();
        scope.regions = regions;
        scope
    }

    /// The rule: a record may be in `region` when both the PC and the person reach it.
    pub fn allows(&self, region: &str) -> bool {
        region != ALL_REGIONS
            && regions::normalize(region).as_deref() == Some(region)
            && in_scope(&self.pc, region)
            && in_scope(&self.user, region)
    }

    /// Why `region` cannot be written here, said about the region field.
    pub fn check(&self, region: &str) -> std::result::Result<(), FieldError> {
        if self.allows(region) {
            Ok(())
        } else if in_scope(&self.user, region) && region != ALL_REGIONS {
            Err(FieldError::new("region", Problem::PcRegion))
        } else {
            Err(FieldError::new("region", Problem::Forbidden))
        }
    }

    /// True when the PC is enrolled with a server (whose region then binds it).
    pub fn enrolled(&self) -> bool {
        self.enrolled
    }

    /// The region the PC is enrolled for; ALL when enrolled for all or not enrolled.
    pub fn pc(&self) -> &str {
        &self.pc
    }

    /// What region pickers offer, in the order people read them.
    pub fn regions(&self) -> &[String] {
        &self.regions
    }

    /// The region a new record starts in: the only one there is, else the legacy default, else
    /// the first. Where nothing may be written it is the person's own, so that saving says why.
    pub fn default_region(&self) -> String {
        match self.regions.as_slice() {
            [] => self.user.clone(),
            [only] => only.clone(),
            all => all.iter().find(|r| *r == regions::LEGACY_DEFAULT).unwrap_or(&all[0]).clone(),
        }
    }

    /// True when the PC reaches more than one region, so that filtering by region means something.
    pub fn has_choice(&self) -> bool {
        self.regions.len() > 1
    }

    /// Moving a record between regions is an administrator's act on a PC that may write both.
    pub fn may_move(&self) -> bool {
        self.admin && self.pc == ALL_REGIONS
    }

    /// `allows` for a record of `table`: a table the company shares (`TableSpec::company_wide`)
    /// also takes every region at once, from an administrator on an all-regions PC, as the
    /// server takes it.
    pub fn allows_in(&self, table: &TableSpec, region: &str) -> bool {
        self.allows(region) || (region == ALL_REGIONS && table.company_wide() && self.may_move())
    }

    /// `check` for a record of `table` (see `allows_in`).
    pub fn check_in(&self, table: &TableSpec, region: &str) -> std::result::Result<(), FieldError> {
        if self.allows_in(table, region) { Ok(()) } else { self.check(region) }
    }

    /// What the region picker of a record of `table` offers: `regions`, and first every region at
    /// once where `allows_in` takes it.
    pub fn regions_in(&self, table: &TableSpec) -> Vec<String> {
        let all = self.allows_in(table, ALL_REGIONS).then(|| ALL_REGIONS.to_string());
        all.into_iter().chain(self.regions.iter().cloned()).collect()
    }

    /// Why a move cannot be made here, said about the region field.
    pub fn check_move(&self, to: &str) -> std::result::Result<(), FieldError> {
        if !self.admin {
            Err(FieldError::new("region", Problem::Forbidden))
        } else if self.pc != ALL_REGIONS {
            Err(FieldError::new("region", Problem::PcRegion))
        } else {
            self.check(to)
        }
    }
}

impl Store {
    /// The region this PC is enrolled for, if it is enrolled.
    pub fn pc_region(&self) -> Result<Option<String>> {
        self.sync_state(REGION_KEY)
    }

    /// What `user` may write on this PC.
    pub fn scope(&self, user: &User) -> Result<Scope> {
        Ok(Scope::new(self.pc_region()?.as_deref(), user, &self.regions()?))
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
    fn both_the_pc_and_the_person_must_reach_a_region() {
        let known: Vec<String> = ["Ankara", "Izmir", "Bursa"].map(String::from).to_vec();
        let admin = user(Role::Admin, ALL_REGIONS);
        let izmir = user(Role::Manager, "Izmir");
        let regions = |pc: Option<&str>, u: &User| Scope::new(pc, u, &known).regions().to_vec();

        // An İzmir PC offers İzmir only, to an administrator too, and starts new records there.
        assert_eq!(regions(Some("Izmir"), &admin), ["Izmir"]);
        assert_eq!(Scope::new(Some("Izmir"), &admin, &known).default_region(), "Izmir");
        assert!(!Scope::new(Some("Izmir"), &admin, &known).may_move());
        // All-regions PCs, enrolled or not yet, offer an administrator every region.
        for pc in [Some(ALL_REGIONS), None] {
            let scope = Scope::new(pc, &admin, &known);
            assert_eq!(scope.regions(), ["Ankara", "Bursa", "Izmir"]);
            assert_eq!(scope.default_region(), regions::LEGACY_DEFAULT);
            assert!(scope.may_move() && scope.has_choice());
            // The person's own region decides on a PC not enrolled.
            assert_eq!(regions(pc, &izmir), ["Izmir"]);
        }
        // An İzmir manager at an Ankara PC can write nothing; saving says the PC is the reason.
        let scope = Scope::new(Some("Ankara"), &izmir, &known);
        assert!(scope.regions().is_empty());
        assert_eq!(scope.default_region(), "Izmir");
        assert_eq!(scope.check("Izmir").unwrap_err().problem, Problem::PcRegion);
        assert_eq!(scope.check("Ankara").unwrap_err().problem, Problem::Forbidden);
        // A PC enrolled for a region nobody listed yet still offers it.
        assert_eq!(regions(Some("Trabzon"), &admin), ["Trabzon"]);
        assert!(!Scope::new(None, &admin, &known).allows(ALL_REGIONS));
        // Shift templates may be the whole company's, written on an administrator's all-regions PC.
        use rainstaff_core::schema::{EMPLOYEES, SHIFT_TEMPLATES};
        let scope = Scope::new(Some(ALL_REGIONS), &admin, &known);
        assert_eq!(scope.regions_in(&SHIFT_TEMPLATES), ["ALL", "Ankara", "Bursa", "Izmir"]);
        assert_eq!(scope.regions_in(&EMPLOYEES), ["Ankara", "Bursa", "Izmir"]);
        assert!(!Scope::new(Some("Izmir"), &admin, &known).allows_in(&SHIFT_TEMPLATES, ALL_REGIONS));
        assert!(!Scope::new(None, &izmir, &known).allows_in(&SHIFT_TEMPLATES, ALL_REGIONS));
        assert!(!Scope::new(None, &admin, &known).allows("izmir"), "codes only, as the server takes them");
    }
}
