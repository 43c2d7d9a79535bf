//! Text that came from outside (a request, a PC's name, a file) made safe to show: on a terminal,
//! in a log line, in an error message. A value echoed raw could carry escape sequences that
//! rewrite an administrator's terminal, or be megabytes long and turn a refusal into a flood.

use std::borrow::Cow;

/// `s` with every control character, and every Unicode formatting character that reorders or
/// hides what follows (bidirectional overrides, zero-width marks), written as a `\u{..}` escape.
pub fn printable(s: &str) -> Cow<'_, str> {
    if is_printable(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_printable(&mut out, c);
    }
    Cow::Owned(out)
}

/// True when `printable` would leave `s` as it is.
pub fn is_printable(s: &str) -> bool {
    !s.chars().any(needs_escape)
}

/// At most `max` characters of `s`, printable, with `…` when it was cut: enough to recognise a
/// value in an error message without echoing all of it.
pub fn excerpt(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    for c in chars.by_ref().take(max) {
        push_printable(&mut out, c);
    }
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

fn push_printable(out: &mut String, c: char) {
    if needs_escape(c) {
        out.extend(c.escape_unicode());
    } else {
        out.push(c);
    }
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_a_terminal_would_obey() {
        assert_eq!(printable("Kadıköy PC"), "Kadıköy PC");
        assert!(matches!(printable("Kadıköy PC"), Cow::Borrowed(_)));
        assert_eq!(printable("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(printable("x\ny\r\u{7}\u{9b}"), "x\\u{a}y\\u{d}\\u{7}\\u{9b}");
        assert_eq!(printable("abc\u{202E}fdp.exe"), "abc\\u{202e}fdp.exe");
    }

    #[test]
    fn excerpts_are_short_and_say_when_they_were_cut() {
        assert_eq!(excerpt("Ankara", 10), "Ankara");
        assert_eq!(excerpt("ŞŞŞŞŞŞ", 3), "ŞŞŞ…");
        assert_eq!(excerpt(&"x".repeat(1_000_000), 40).chars().count(), 41);
        assert_eq!(excerpt("\u{1b}[31mred", 4), "\\u{1b}[31…");
    }
}
