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

/// The short name of `d`'s weekday, as lists and reports print it beside a date.
pub fn weekday(lang: Lang, d: chrono::NaiveDate) -> &'static str {
    use chrono::Datelike;
    const TR: [&str; 7] = ["Pzt", "Sal", "Çar", "Per", "Cum", "Cmt", "Paz"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let i = d.weekday().num_days_from_monday() as usize;
    match lang {
        Lang::Tr => TR[i],
        Lang::En => EN[i],
    }
}
