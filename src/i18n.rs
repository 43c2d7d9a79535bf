//! The UI speaks Turkish (the default) and English. Strings stay beside the code that shows them,
//! as pairs, so a screen reads top to bottom in both languages.

pub use rainstaff_core::i18n::{Lang, field_label, weekday};

/// The screens' short form of [`Lang::pick`], for the literal pairs they are full of.
pub trait Pick {
    /// The Turkish or the English text.
    fn t(self, tr: &'static str, en: &'static str) -> &'static str;
}

impl Pick for Lang {
    fn t(self, tr: &'static str, en: &'static str) -> &'static str {
        self.pick(tr, en)
    }
}
