//! A device rejoining a server restored from a backup: it sends back every row it holds in a
//! version the backup did not have, and the server keeps whichever copy is newer. Rows are
//! states, not edits, so sending one twice changes nothing the second time: a rejoin needs no
//! mutation ids, and a device that crashed half way simply starts it again.
//!
//! Which copy is newer: the server's row if it changed since the restore (an edit made in the new
//! epoch is later in time than anything lost); otherwise the device's, unless another device
//! already rejoined with a copy from later in the lost history (its old version is higher). A
//! deletion always comes back: as in every merge, a deleted record stays deleted.

use rainstaff_core::protocol::{
    MAX_BATCH, Mutation, Op, Outcome, OutcomeStatus, RejoinRequest, RejoinResponse, RejoinRow, receives,
};
use rainstaff_core::schema;

use super::{Server, epoch, timestamp};
use crate::error::ServiceError;
use crate::store::{Device, Rejoined, Store, Tx};

impl<S: Store> Server<S> {
    pub fn rejoin(&self, device: &Device, request: RejoinRequest) -> Result<RejoinResponse, ServiceError> {
        if request.rows.len() > MAX_BATCH {
            return Err(ServiceError::invalid(
                "batch_too_large",
                format!("a rejoin carries at most {MAX_BATCH} rows; got {}", request.rows.len()),
            ));
        }
        let now = timestamp(self.now());
        self.store.write(|tx| {
            let current = tx.device(device.id)?.filter(|d| d.revoked_at.is_none()).ok_or_else(|| {
                ServiceError::unauthenticated("token_revoked", "this computer's access was revoked")
            })?;
            let base_seq = epoch(tx)?.base_seq;
            let mut outcomes = Vec::with_capacity(request.rows.len());
            for (i, row) in request.rows.iter().enumerate() {
                outcomes.push(rejoin_row(tx, &current, i as i64, row, base_seq, &now)?);
            }
            Ok(RejoinResponse { outcomes })
        })
    }
}

fn rejoin_row(
    tx: &mut impl Tx,
    device: &Device,
    index: i64,
    row: &RejoinRow,
    base_seq: i64,
    now: &str,
) -> Result<Outcome, ServiceError> {
    // The same checks and the same merge as a push, based on the backup's last version; the rules
    // that need other rows judged these rows before the restore (`Rules::AlreadyJudged`).
    let m = Mutation {
        mutation_id: index,
        table: row.table.clone(),
        row_id: row.row_id,
        region: row.region.clone(),
        op: if row.deleted { Op::Delete } else { Op::Upsert },
        fields: if row.deleted { Default::default() } else { row.fields.clone() },
        base_version: base_seq,
        imported: false,
        renumbered_from: None,
    };
    if let Some(table) = schema::table(&row.table)
        && let Some(current) = tx.row(table, row.row_id)?
    {
        let newer_here = if row.deleted {
            // A deletion is final, as in every merge: only one the server has is as good.
            current.state.deleted_at.is_some()
        } else {
            match tx.rejoined(table.name, row.row_id)? {
                Some(r) if r.seq == current.state.version => r.old_version >= row.old_version,
                _ => current.state.version > base_seq || row.old_version <= base_seq,
            }
        };
        // A company-wide row a regional device holds is the server's to say: that device only reads
        // it, and an all-regions device brings back what the backup lacks.
        let read_only = !super::in_scope(&device.region, &current.state.region);
        if (newer_here || read_only) && receives(&device.region, table.name, &current.state.region) {
            return Ok(Outcome {
                mutation_id: index,
                status: OutcomeStatus::Applied,
                code: None,
                reason: None,
                row: Some(current.state),
                conflicts: Vec::new(),
            });
        }
    }
    let outcome = super::push::apply(tx, device, &m, now, super::push::Rules::AlreadyJudged)?;
    if let (Some(table), Some(state)) = (schema::table(&row.table), &outcome.row)
        && outcome.status != OutcomeStatus::Rejected
    {
        tx.set_rejoined(
            table.name,
            row.row_id,
            Rejoined { old_version: row.old_version, seq: state.version },
        )?;
    }
    Ok(outcome)
}
