//! The puantaj letters the server's workbooks and month pages write: the defaults, or an
//! office's own that IT sets with `rainstaff-server puantaj-letters` (the desktop keeps its own in
//! Settings; the two are set alike, name = letter).

use std::collections::BTreeMap;

use rainstaff_core::puantaj::Letters;

use super::Server;
use super::figures::PUANTAJ_LETTERS_SETTING;
use crate::error::ServiceError;
use crate::store::{Store, Tx};

impl<S: Store> Server<S> {
    /// Puts `set` (name → letter) over the stored letters, or over the defaults when `reset`;
    /// returns the letters now in force. A name that is no letter's, or a letter blank or too
    /// long, changes nothing and is named.
    pub fn set_puantaj_letters(
        &self,
        set: &BTreeMap<String, String>,
        reset: bool,
    ) -> Result<Letters, ServiceError> {
        self.store.write(|tx| {
            let mut own: BTreeMap<String, String> = match reset {
                true => BTreeMap::new(),
                false => serde_json::from_str(&tx.setting(PUANTAJ_LETTERS_SETTING)?.unwrap_or_default())
                    .unwrap_or_default(),
            };
            own.extend(set.clone());
            let letters =
                Letters::with(&own).map_err(|e| ServiceError::invalid("invalid_letter", e.to_string()))?;
            let own = letters.own();
            let value = (!own.is_empty()).then(|| serde_json::to_string(&own).expect("a map of strings"));
            tx.set_setting(PUANTAJ_LETTERS_SETTING, value.as_deref())?;
            Ok(letters)
        })
    }
}
