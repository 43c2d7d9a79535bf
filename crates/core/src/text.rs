//! Turkish text: case folding, search keys and collation.
//!
//! Rust's `to_lowercase` maps `I` to `i` and `İ` to `i̇` (with a combining dot), which is wrong for
//! Turkish names: `IŞIK` must fold to `ışık`, and `İSTANBUL` to `istanbul`.

use std::cmp::Ordering;

/// Lower case the Turkish way: `I` → `ı`, `İ` → `i`.
pub fn tr_lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'I' => out.push('ı'),
            'İ' => out.push('i'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Upper case the Turkish way: `i` → `İ`, `ı` → `I`.
pub fn tr_upper(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'i' => out.push('İ'),
            'ı' => out.push('I'),
            c => out.extend(c.to_uppercase()),
        }
    }
    out
}

/// A key for forgiving search: Turkish lower case with the diacritics and the dotless i folded away,
/// so that "istanbul" finds "İSTANBUL", "ısık" and "isik" find "IŞIK".
pub fn search_key(s: &str) -> String {
    tr_lower(s)
        .chars()
        .map(|c| match c {
            'ı' => 'i',
            'ş' => 's',
            'ğ' => 'g',
            'ç' => 'c',
            'ö' => 'o',
            'ü' => 'u',
            'â' => 'a',
            'î' => 'i',
            'û' => 'u',
            c => c,
        })
        .collect()
}

/// True when every word of `query` occurs in `text` (compared by [`search_key`]).
pub fn matches_search(text: &str, query: &str) -> bool {
    let hay = search_key(text);
    search_key(query).split_whitespace().all(|w| hay.contains(w))
}

/// Position of a letter in the Turkish alphabet; letters outside it sort after, by code point.
fn letter_weight(c: char) -> u32 {
    const ALPHABET: &str = "abcçdefgğhıijklmnoöprsştuüvyz";
    match ALPHABET.chars().position(|a| a == c) {
        Some(p) => 0x100 + p as u32 * 2,
        None if c.is_ascii_digit() => c as u32,
        None if c == 'q' => 0x100 + 26 * 2 + 1, // after p, as Turkish dictionaries do
        None if c == 'w' => 0x100 + 50 + 1,
        None if c == 'x' => 0x100 + 50 + 3,
        None => 0x1_0000 + c as u32,
    }
}

/// Compare two strings in Turkish alphabetical order, ignoring case.
pub fn tr_cmp(a: &str, b: &str) -> Ordering {
    let ka = tr_lower(a);
    let kb = tr_lower(b);
    ka.chars().map(letter_weight).cmp(kb.chars().map(letter_weight)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_dotted_and_dotless_i() {
        assert_eq!(tr_lower("IŞIK"), "ışık");
        assert_eq!(tr_lower("İSTANBUL"), "istanbul");
        assert_eq!(tr_upper("ışık izmir"), "IŞIK İZMİR");
    }

    #[test]
    fn search_is_forgiving() {
        assert!(matches_search("İSTANBUL", "istanbul"));
        assert!(matches_search("IŞIK", "ısık"));
        assert!(matches_search("AYŞE IŞIK", "ayşe ışık"));
        assert!(matches_search("Istanbul", "İstanbul"));
        assert!(!matches_search("ANKARA", "izmir"));
    }

    #[test]
    fn sorts_in_turkish_order() {
        let mut v = vec!["Zeki", "Çınar", "Ilgaz", "İpek", "Can", "Şule", "Sema", "Ömer", "Oya"];
        v.sort_by(|a, b| tr_cmp(a, b));
        assert_eq!(v, ["Can", "Çınar", "Ilgaz", "İpek", "Oya", "Ömer", "Sema", "Şule", "Zeki"]);
    }
}
