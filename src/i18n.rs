//! The UI speaks Turkish (the default) and English. Strings stay beside the code that shows them,
//! as pairs, so a screen reads top to bottom in both languages.

pub use rainstaff_core::i18n::{Lang, field_label, weekday};

/// The screens' short form of [`Lang::pick`], for the literal pairs they are full of.
pub trait Pick {
    /// The Turkish or the English text.
    fn t(self, tr: &'static str, en: &'static str) -> &'static str;
}

/// A region as people write it ("İzmir"), and "Tüm bölgeler" for ALL.
pub fn region_name(lang: Lang, code: &str) -> &str {
    match code {
        rainstaff_core::protocol::ALL_REGIONS => lang.t("Tüm bölgeler", "All regions"),
        code => rainstaff_core::regions::display_name(code),
    }
}

impl Pick for Lang {
    fn t(self, tr: &'static str, en: &'static str) -> &'static str {
        self.pick(tr, en)
    }
}
