//! The answers a device's pushes got, kept for good in nine bytes a mutation
//! (`Tx::record_answers`). A full record (`AppliedMutation`) is kept only of an answer that says
//! more than these bytes and the row (a merge's conflicts, a refusal's reason), and only until
//! the device holds it, which keeps the database small and most pushes to one write a change
//! less. A retried push is answered from here too, and so is a PC whose data folder was put
//! back from an older copy, which sends again changes the server applied long ago. Met with
//! nothing kept of them, they
//! would look like new changes under reused ids: the PC would renumber them and they would be
//! applied a second time, over the PC's own later edits, with no conflict to show. What is kept
//! here tells such a change (the same first eight bytes of its hash) from a new one under a
//! reused id, and how it was answered.

use rainstaff_core::protocol::{Mutation, Outcome, OutcomeStatus, RefusalCode, RowState, in_scope};
use rainstaff_core::schema;

use crate::auth::sha256_hex;
use crate::error::StoreError;
use crate::store::{Device, Tx};

/// Bytes a mutation: how it was answered, then the first eight bytes of its hash.
const WIDTH: usize = 9;
const APPLIED: u8 = 0;
const MERGED: u8 = 1;
/// A refusal is this plus its code (`RefusalCode::ALL`).
const REJECTED: u8 = 2;

/// What is kept of the answer to one mutation, `hash` its hash as `push` takes it (sha256, hex).
/// A push keeps those of its new mutations, consecutive ids, as one run.
pub(super) fn kept(hash: &str, outcome: &Outcome) -> [u8; WIDTH] {
    let mut bytes = [0; WIDTH];
    bytes[0] = match outcome.status {
        OutcomeStatus::Applied => APPLIED,
        OutcomeStatus::Merged => MERGED,
        OutcomeStatus::Rejected => REJECTED + outcome.code.unwrap_or(RefusalCode::Other) as u8,
    };
    bytes[1..].copy_from_slice(&digest(hash));
    bytes
}

/// The first eight bytes of `hash` (sha256, hex): what is kept of it.
pub(super) fn digest(hash: &str) -> [u8; 8] {
    u64::from_str_radix(&hash[..16], 16).unwrap_or_default().to_be_bytes()
}

/// What is kept of the answer to one of a device's mutations.
pub(super) enum Remembered {
    /// The id was never applied, or its answer is kept in full (`Tx::applied_mutation`).
    Nothing,
    /// Applied once with this content: its answer, carrying the row as it stands now.
    Same(Box<Outcome>),
    /// Applied once with other content.
    Other,
}

/// What is kept of the answer to the device's mutation `m`, `hash` its hash.
pub(super) fn remembered(
    tx: &mut impl Tx,
    device: &Device,
    m: &Mutation,
    hash: &str,
) -> Result<Remembered, StoreError> {
    let Some(kept) = kept_at(tx, device, m.mutation_id)? else {
        return Ok(Remembered::Nothing);
    };
    if kept[1..] != digest(hash) {
        return Ok(Remembered::Other);
    }
    Ok(Remembered::Same(answer_again(tx, device, m, kept[0])?))
}

/// What tells a change sent again from a new one under a reused id: its hash (sha256, hex). Part
/// of it is kept for good, so these bytes must stay what they are for a change that means the
/// same: a new field of `Mutation` has to be left out of its JSON when it has its default, and a
/// renamed one hashed under its old name, or changes a PC sends again from an older copy of its
/// data would be taken for new ones and applied twice.
pub(super) fn hash(m: &Mutation) -> Result<String, StoreError> {
    Ok(sha256_hex(&serde_json::to_vec(m)?))
}

/// The id `m` was first sent under and the digest of its hash as it was sent then: what
/// `Tx::record_renumbered` keeps of a renumbered change. A device keeps that first id in
/// `renumbered_from` however often it renumbers the change, so each copy of its data, whichever
/// id it holds the change under, names the same.
pub(super) fn first_sent(m: &Mutation) -> Result<(i64, [u8; 8]), StoreError> {
    let first = m.renumbered_from.unwrap_or(m.mutation_id);
    let as_first = Mutation { mutation_id: first, renumbered_from: None, ..m.clone() };
    Ok((first, digest(&hash(&as_first)?)))
}

/// The answer to a change the device renumbered and had applied under another id, sent again
/// under the id it was first sent as, or under one it was renumbered to on the way: a copy of the
/// device's data from before the last renumbering came back (`Tx::record_renumbered`). None
/// when `m` is no such change.
pub(super) fn renamed(
    tx: &mut impl Tx,
    device: &Device,
    m: &Mutation,
) -> Result<Option<Box<Outcome>>, StoreError> {
    let (first, kept) = first_sent(m)?;
    let Some(new_id) = tx.renumbered(device.id, first, &kept)? else {
        return Ok(None);
    };
    match kept_at(tx, device, new_id)? {
        Some(kept) => Ok(Some(answer_again(tx, device, m, kept[0])?)),
        None => Ok(None),
    }
}

/// The kept bytes of the answer to the device's mutation `id`, if a run holds them.
fn kept_at(tx: &mut impl Tx, device: &Device, id: i64) -> Result<Option<[u8; WIDTH]>, StoreError> {
    let Some((first_id, run)) = tx.answers_holding(device.id, id)? else {
        return Ok(None);
    };
    Ok(usize::try_from(id - first_id)
        .ok()
        .and_then(|i| run.get(i * WIDTH..(i + 1) * WIDTH))
        .and_then(|bytes| bytes.try_into().ok()))
}

/// `m` answered again as the byte kept of its first answer says.
fn answer_again(
    tx: &mut impl Tx,
    device: &Device,
    m: &Mutation,
    kept: u8,
) -> Result<Box<Outcome>, StoreError> {
    let (status, code) = answer(kept);
    Ok(Box::new(Outcome {
        mutation_id: m.mutation_id,
        status,
        code,
        reason: code.map(|_| "refused when it was first sent".to_string()),
        row: row_now(tx, device, m)?,
        conflicts: Vec::new(),
    }))
}

/// The row `m` changed as it stands now, if the device may see it: what an answer given again
/// carries. The row the first answer carried is not kept, and the PC may have been answered
/// newer versions since; this one is at least as new.
pub(super) fn row_now(
    tx: &mut impl Tx,
    device: &Device,
    m: &Mutation,
) -> Result<Option<RowState>, StoreError> {
    let row = match schema::table(&m.table) {
        Some(table) => tx.row(table, m.row_id)?.map(|r| r.state),
        None => None,
    };
    Ok(row.filter(|r| in_scope(&device.region, &r.region)))
}

fn answer(kept: u8) -> (OutcomeStatus, Option<RefusalCode>) {
    match kept {
        APPLIED => (OutcomeStatus::Applied, None),
        MERGED => (OutcomeStatus::Merged, None),
        c => {
            let code = RefusalCode::ALL.get(usize::from(c - REJECTED)).copied();
            (OutcomeStatus::Rejected, Some(code.unwrap_or(RefusalCode::Other)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(status: OutcomeStatus, code: Option<RefusalCode>) -> Outcome {
        Outcome { mutation_id: 1, status, code, reason: None, row: None, conflicts: Vec::new() }
    }

    #[test]
    fn every_answer_fits_its_byte_and_comes_back() {
        let hash = "00ff10ee20dd30cc".repeat(4);
        let mut answers = vec![outcome(OutcomeStatus::Applied, None), outcome(OutcomeStatus::Merged, None)];
        answers.extend(RefusalCode::ALL.map(|c| outcome(OutcomeStatus::Rejected, Some(c))));
        for o in &answers {
            let bytes = kept(&hash, o);
            assert_eq!(bytes[1..], [0x00, 0xff, 0x10, 0xee, 0x20, 0xdd, 0x30, 0xcc]);
            assert_eq!(answer(bytes[0]), (o.status, o.code));
        }
    }
}
