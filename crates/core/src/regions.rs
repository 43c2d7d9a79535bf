//! Regions (offices). A region's code is the ASCII name the legacy files used ("Istanbul"); people
//! see its Turkish name ("İstanbul").

/// The offices the product ships knowing; administrators may add others.
pub const KNOWN: &[(&str, &str)] = &[
    ("Ankara", "Ankara"),
    ("Istanbul", "İstanbul"),
    ("Izmir", "İzmir"),
    ("Bursa", "Bursa"),
    ("Antalya", "Antalya"),
    ("Konya", "Konya"),
    ("Adana", "Adana"),
];

/// The region the legacy app assumed when a file had none.
pub const LEGACY_DEFAULT: &str = "Ankara";

pub fn display_name(code: &str) -> &str {
    KNOWN.iter().find(|(c, _)| *c == code).map_or(code, |(_, name)| name)
}

/// The longest region name: a province or district name with room to spare.
pub const MAX_REGION_CHARS: usize = 40;

/// The code for what somebody typed: "İSTANBUL", "istanbul" and "Istanbul" are one region. A
/// region is a name of at most `MAX_REGION_CHARS` that prints as it is: a control character or a
/// megabyte of text from a request is no region.
pub fn normalize(input: &str) -> Option<String> {
    let key = crate::text::search_key(input.trim());
    if key.is_empty() || key.chars().count() > MAX_REGION_CHARS || !crate::quote::is_printable(&key) {
        return None;
    }
    if key == "all" {
        return Some(crate::protocol::ALL_REGIONS.to_string());
    }
    let known = KNOWN.iter().find(|(code, _)| crate::text::search_key(code) == key);
    Some(known.map_or_else(
        || {
            let mut chars = key.chars();
            chars.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(chars).collect()
        },
        |(code, _)| code.to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_typed_names() {
        assert_eq!(normalize("İSTANBUL").as_deref(), Some("Istanbul"));
        assert_eq!(normalize(" izmir ").as_deref(), Some("Izmir"));
        assert_eq!(normalize("all").as_deref(), Some("ALL"));
        assert_eq!(normalize("trabzon").as_deref(), Some("Trabzon"));
        assert_eq!(normalize(""), None);
        assert_eq!(normalize("Kahramanmaraş").as_deref(), Some("Kahramanmaras"));
        assert_eq!(normalize("\u{1b}[2Jankara"), None);
        assert_eq!(normalize(&"a".repeat(MAX_REGION_CHARS + 1)), None);
        assert_eq!(display_name("Izmir"), "İzmir");
    }
}
