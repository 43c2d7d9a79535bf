//! The warnings the engine raises. They never change a number; they tell payroll to look.

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// Declared in alphabetical order of their codes, so that a sorted set of flags is also sorted
/// by code, as `total.flags` must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Flag {
    /// Year-to-date ot50 above 270 h (L6).
    AnnualOtCapExceeded,
    /// More than 11 h of work in a day (L2).
    DailyMaxExceeded,
    /// Work on a public holiday (L16).
    HolidayWorked,
    /// A night shift above 7.5 h, or more than 7.5 h of night minutes (L11, L12).
    NightMaxExceeded,
    /// No 24 h without presence in a Monday–Sunday week (L14).
    NoWeeklyRest,
    /// A part-time worker with overtime or extra time (L8).
    PartTimeExcess,
    /// Work on the contract's weekly rest day.
    RestDayWorked,
}

impl Flag {
    pub const ALL: [Flag; 7] = [
        Flag::AnnualOtCapExceeded,
        Flag::DailyMaxExceeded,
        Flag::HolidayWorked,
        Flag::NightMaxExceeded,
        Flag::NoWeeklyRest,
        Flag::PartTimeExcess,
        Flag::RestDayWorked,
    ];

    /// The code of the JSON output.
    pub fn code(self) -> &'static str {
        match self {
            Flag::AnnualOtCapExceeded => "ANNUAL_OT_CAP_EXCEEDED",
            Flag::DailyMaxExceeded => "DAILY_MAX_EXCEEDED",
            Flag::HolidayWorked => "HOLIDAY_WORKED",
            Flag::NightMaxExceeded => "NIGHT_MAX_EXCEEDED",
            Flag::NoWeeklyRest => "NO_WEEKLY_REST",
            Flag::PartTimeExcess => "PART_TIME_EXCESS",
            Flag::RestDayWorked => "REST_DAY_WORKED",
        }
    }

    pub fn from_code(code: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.code() == code)
    }

    /// A short plain-language label for a badge or a column.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Flag::AnnualOtCapExceeded, Lang::Tr) => "Yıllık 270 saat fazla çalışma sınırı aşıldı",
            (Flag::AnnualOtCapExceeded, Lang::En) => "Over the 270-hour yearly overtime limit",
            (Flag::DailyMaxExceeded, Lang::Tr) => "11 saati aştı",
            (Flag::DailyMaxExceeded, Lang::En) => "Over 11 hours",
            (Flag::HolidayWorked, Lang::Tr) => "Resmî tatilde çalıştı",
            (Flag::HolidayWorked, Lang::En) => "Worked on a public holiday",
            (Flag::NightMaxExceeded, Lang::Tr) => "Gece çalışması 7,5 saati aştı",
            (Flag::NightMaxExceeded, Lang::En) => "Night work over 7.5 hours",
            (Flag::NoWeeklyRest, Lang::Tr) => "Haftada 24 saat kesintisiz dinlenme yok",
            (Flag::NoWeeklyRest, Lang::En) => "No 24-hour rest in the week",
            (Flag::PartTimeExcess, Lang::Tr) => "Kısmi süreli çalışan fazla çalıştı",
            (Flag::PartTimeExcess, Lang::En) => "Part-time worker did extra hours",
            (Flag::RestDayWorked, Lang::Tr) => "Hafta tatilinde çalıştı",
            (Flag::RestDayWorked, Lang::En) => "Worked on the weekly rest day",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sorted_and_match_serde() {
        let codes: Vec<&str> = Flag::ALL.iter().map(|f| f.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(codes, sorted);
        for f in Flag::ALL {
            assert_eq!(serde_json::to_value(f).unwrap(), f.code());
            assert_eq!(Flag::from_code(f.code()), Some(f));
        }
        assert!(Flag::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn labels_in_both_languages() {
        assert_eq!(Flag::DailyMaxExceeded.label(Lang::Tr), "11 saati aştı");
        assert_eq!(Flag::RestDayWorked.label(Lang::En), "Worked on the weekly rest day");
        for f in Flag::ALL {
            assert_ne!(f.label(Lang::Tr), f.label(Lang::En));
        }
    }
}
