//! The UI speaks Turkish (the default) and English. Strings stay beside the code that shows them,
//! as pairs, so a screen reads top to bottom in both languages.

pub use rainstaff_core::i18n::{Lang, field_label};

pub trait Pick {
    /// The Turkish or the English text.
    fn t(self, tr: &'static str, en: &'static str) -> &'static str;
}

impl Pick for Lang {
    fn t(self, tr: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Tr => tr,
            Lang::En => en,
        }
    }
}
