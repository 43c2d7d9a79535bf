//! The calendar month a report covers, as `YYYY-MM` on the command line and as a name on paper.

use chrono::{Datelike, NaiveDate};

use rainstaff_core::i18n::Lang;

const NAMES_TR: [&str; 12] = [
    "Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım",
    "Aralık",
];
const NAMES_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A month of a year the hour engine accepts (1900–2999).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    first: NaiveDate,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        if !(1900..=2999).contains(&year) {
            return None;
        }
        NaiveDate::from_ymd_opt(year, month, 1).map(|first| Month { first })
    }

    /// `YYYY-MM`, as the command line takes it.
    pub fn parse(text: &str) -> Option<Month> {
        let (year, month) = text.trim().split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        Month::new(year.parse().ok()?, month.parse().ok()?)
    }

    pub fn of(date: NaiveDate) -> Month {
        Month { first: date.with_day(1).unwrap_or(date) }
    }

    pub fn year(self) -> i32 {
        self.first.year()
    }

    /// 1 = January.
    pub fn number(self) -> u32 {
        self.first.month()
    }

    pub fn first(self) -> NaiveDate {
        self.first
    }

    pub fn last(self) -> NaiveDate {
        self.next().first.pred_opt().unwrap_or(self.first)
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        Month::of(date) == self
    }

    pub fn previous(self) -> Month {
        Month::of(self.first.pred_opt().unwrap_or(self.first))
    }

    pub fn next(self) -> Month {
        match self.number() {
            12 => Month::new(self.year() + 1, 1),
            m => Month::new(self.year(), m + 1),
        }
        .unwrap_or(self)
    }

    /// The month's name alone ("Ocak", "January").
    pub fn month_name(number: u32, lang: Lang) -> &'static str {
        let names = match lang {
            Lang::Tr => &NAMES_TR,
            Lang::En => &NAMES_EN,
        };
        names[(number.clamp(1, 12) - 1) as usize]
    }

    /// "Ocak 2026", "January 2026".
    pub fn name(self, lang: Lang) -> String {
        format!("{} {}", Month::month_name(self.number(), lang), self.year())
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.number())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_real_months() {
        let m = Month::parse("2026-01").unwrap();
        assert_eq!((m.first().to_string(), m.last().to_string()), ("2026-01-01".into(), "2026-01-31".into()));
        assert_eq!(m.to_string(), "2026-01");
        assert_eq!(Month::parse("2024-02").unwrap().last().to_string(), "2024-02-29");
        for bad in ["2026-13", "2026-00", "2026-1", "26-01", "2026/01", "", "3000-01"] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn steps_over_the_year_and_names_itself() {
        let m = Month::new(2026, 12).unwrap();
        assert_eq!(m.next().to_string(), "2027-01");
        assert_eq!(m.next().previous(), m);
        assert_eq!(Month::new(2026, 2).unwrap().name(Lang::Tr), "Şubat 2026");
        assert_eq!(Month::new(2026, 8).unwrap().name(Lang::En), "August 2026");
        assert!(m.contains(m.last()) && !m.contains(m.next().first()));
    }
}
