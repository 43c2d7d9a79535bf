//! Worksheet names Excel accepts: at most 31 characters, none of `[ ] : * ? / \`, not starting or
//! ending with an apostrophe, and unique ignoring case. People's names are kept as they are
//! otherwise, Turkish letters included.

use std::collections::HashSet;

use rainstaff_core::text::tr_lower;

/// Excel counts a sheet name's length in UTF-16 units.
const MAX_UNITS: usize = 31;
const FORBIDDEN: [char; 7] = ['[', ']', ':', '*', '?', '/', '\\'];

/// Hands out names, each unique among those handed out before.
#[derive(Debug, Default)]
pub struct SheetNames {
    taken: HashSet<String>,
}

impl SheetNames {
    /// A safe, unused name for `wanted`; `fallback` when nothing of `wanted` is left.
    pub fn unique(&mut self, wanted: &str, fallback: &str) -> String {
        let mut base = clean(wanted);
        if base.is_empty() {
            base = clean(fallback);
        }
        let mut candidate = truncate(&base, MAX_UNITS);
        let mut n = 2;
        while self.is_taken(&candidate) {
            let suffix = format!(" ({n})");
            candidate = format!("{}{suffix}", truncate(&base, MAX_UNITS - suffix.len()));
            n += 1;
        }
        self.taken.insert(candidate.to_lowercase());
        self.taken.insert(tr_lower(&candidate));
        candidate
    }

    /// Excel compares names without case; which folding it uses for I and İ is not documented,
    /// so a name counts as taken under either the plain or the Turkish folding.
    fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(&name.to_lowercase())
            || self.taken.contains(&tr_lower(name))
            || name.eq_ignore_ascii_case("history")
    }
}

fn clean(name: &str) -> String {
    let replaced: String =
        name.chars().map(|c| if FORBIDDEN.contains(&c) || c.is_control() { ' ' } else { c }).collect();
    let words: Vec<&str> = replaced.split_whitespace().collect();
    words.join(" ").trim_matches('\'').trim().to_string()
}

fn truncate(name: &str, units: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in name.chars() {
        used += c.len_utf16();
        if used > units {
            break;
        }
        out.push(c);
    }
    // Cutting may leave a trailing space or apostrophe, which Excel refuses at the end.
    out.trim_end().trim_end_matches('\'').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_go_and_turkish_letters_stay() {
        let mut names = SheetNames::default();
        assert_eq!(names.unique("ÇAĞLA: [ÖZ]*TÜRK?/\\", "x"), "ÇAĞLA ÖZ TÜRK");
        assert_eq!(names.unique("'quoted'", "x"), "quoted");
        assert_eq!(names.unique(" :*? ", "Personel"), "Personel");
        assert_eq!(names.unique("History", "x"), "History (2)");
    }

    #[test]
    fn long_names_stay_unique_after_truncation() {
        let mut names = SheetNames::default();
        let long = "ŞEYMA GÜLİZAR İNCEOĞLU KARAPINARLIOĞLU";
        let a = names.unique(long, "x");
        let b = names.unique(&format!("{long} İKİNCİ"), "x");
        let c = names.unique(long, "x");
        assert_eq!(a, "ŞEYMA GÜLİZAR İNCEOĞLU KARAPINA");
        assert_eq!(b, "ŞEYMA GÜLİZAR İNCEOĞLU KARA (2)");
        assert_eq!(c, "ŞEYMA GÜLİZAR İNCEOĞLU KARA (3)");
        for n in [&a, &b, &c] {
            assert!(n.encode_utf16().count() <= 31, "{n}");
        }
    }

    #[test]
    fn case_differences_are_duplicates() {
        let mut names = SheetNames::default();
        assert_eq!(names.unique("IŞIK", "x"), "IŞIK");
        assert_eq!(names.unique("ışık", "x"), "ışık (2)");
        assert_eq!(names.unique("Özet", "x"), "Özet");
        assert_eq!(names.unique("ÖZET", "x"), "ÖZET (2)");
    }
}
