//! Which histories a database descends from. Every restore (or `new-epoch`) starts an epoch that
//! branches off the backup's epoch at the backup's head, so the epochs form a tree. A device that
//! last synced in another epoch shares with the server exactly the changes up to where the two
//! branches part: the server tells it that point, and the device sends back every row it holds in
//! a later version and pulls again from there.
//!
//! A device's epoch need not be an ancestor of the server's: with two restores from different
//! backups a device may come from a sibling branch (restored from backup 1, backup 2 taken,
//! restored from backup 1 again, a device syncs, restored from backup 2). The backup's head is
//! then too high a point for it: its versions above the parting point are another history's.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// The settings key the lineage is kept under, as JSON.
pub const SETTING: &str = "epoch_lineage";

/// One epoch: the epoch it branched off, and that one's head where it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub id: String,
    /// None for the database's first epoch, or one whose origin was not recorded.
    pub parent: Option<String>,
    pub base_seq: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lineage {
    links: Vec<Link>,
}

impl Lineage {
    /// The lineage kept in a database, with its current epoch in it: databases from before the
    /// lineage was kept know only their current epoch, as a root.
    pub fn stored(json: Option<&str>, current: &str, current_base: i64) -> Lineage {
        // An unreadable lineage only makes devices from older epochs send back everything.
        let links = json.and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default();
        let mut lineage = Lineage { links };
        lineage.add(Link { id: current.to_string(), parent: None, base_seq: current_base });
        lineage
    }

    /// Records an epoch, unless it is known already.
    pub fn add(&mut self, link: Link) {
        if !self.links.iter().any(|l| l.id == link.id) {
            self.links.push(link);
        }
    }

    /// Takes in the epochs another copy of the database knew of: the database a restore replaces
    /// knows the branches started after the backup was taken.
    pub fn merge(&mut self, other: Lineage) {
        for link in other.links {
            self.add(link);
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.links).expect("links serialise")
    }

    /// The last change seq epochs `a` and `b` have in common; 0 when they share no known
    /// ancestor (the device then sends back everything and pulls from the start).
    pub fn shared_seq(&self, a: &str, b: &str) -> i64 {
        let path_a = self.path(a);
        let path_b = self.path(b);
        for (j, (id, _)) in path_b.iter().enumerate() {
            if let Some(i) = path_a.iter().position(|(other, _)| other == id) {
                let parted = path_a[..i].iter().chain(&path_b[..j]).map(|(_, base)| *base).min();
                return parted.unwrap_or(i64::MAX);
            }
        }
        0
    }

    /// `id` and its ancestors, nearest first, each with the seq it branched off its parent at.
    fn path<'a>(&'a self, id: &'a str) -> Vec<(&'a str, i64)> {
        let by_id: HashMap<&str, &Link> = self.links.iter().map(|l| (l.id.as_str(), l)).collect();
        let mut path = vec![];
        let mut next = Some(id);
        while let Some(id) = next {
            // A cycle (a hand-edited setting) ends the walk rather than looping.
            if path.iter().any(|(seen, _)| *seen == id) {
                break;
            }
            let link = by_id.get(id);
            path.push((id, link.map_or(0, |l| l.base_seq)));
            next = link.and_then(|l| l.parent.as_deref());
        }
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(id: &str, parent: Option<&str>, base_seq: i64) -> Link {
        Link { id: id.into(), parent: parent.map(Into::into), base_seq }
    }

    /// E0 ─(10)→ E1 ─(25)→ E3, and E0 ─(10)→ E2: E1 and E2 were both restored from the backup
    /// taken at 10; E3 from a backup taken in E1 at 25.
    fn tree() -> Lineage {
        let mut l = Lineage::stored(None, "E0", 0);
        l.add(link("E1", Some("E0"), 10));
        l.add(link("E2", Some("E0"), 10));
        l.add(link("E3", Some("E1"), 25));
        l
    }

    #[test]
    fn a_parent_shares_up_to_the_backup_it_was_taken_from() {
        assert_eq!(tree().shared_seq("E0", "E1"), 10);
        assert_eq!(tree().shared_seq("E1", "E3"), 25);
        assert_eq!(tree().shared_seq("E0", "E3"), 10);
    }

    #[test]
    fn a_sibling_shares_only_up_to_where_the_branches_part() {
        assert_eq!(tree().shared_seq("E2", "E3"), 10);
        assert_eq!(tree().shared_seq("E3", "E2"), 10);
    }

    #[test]
    fn an_unknown_epoch_shares_nothing() {
        assert_eq!(tree().shared_seq("lost", "E3"), 0);
    }

    #[test]
    fn a_restore_knows_the_branches_of_the_backup_and_of_the_database_it_replaces() {
        // The backup was taken in E1 at 30, before E2 and E3 existed; the replaced database
        // (in E3) knew them all.
        let mut backup = Lineage::stored(None, "E0", 0);
        backup.add(link("E1", Some("E0"), 10));
        let mut restored = Lineage::stored(Some(&backup.to_json()), "E1", 10);
        restored.merge(Lineage::stored(Some(&tree().to_json()), "E3", 25));
        restored.add(link("E4", Some("E1"), 30));
        assert_eq!(restored.shared_seq("E2", "E4"), 10);
        assert_eq!(restored.shared_seq("E3", "E4"), 25);
        assert_eq!(Lineage::stored(Some("not json"), "E9", 7).shared_seq("E0", "E9"), 0);
    }
}
