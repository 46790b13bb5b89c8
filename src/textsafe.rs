//! Making text from a gateway safe to show.
//!
//! Messages, prompts, seeds, action names and ids come from third-party servers and can hold
//! terminal escape sequences (`ESC[2J`, title changes), BEL, carriage returns, C1 controls
//! or bidirectional overrides that make a line read differently than it is. Everything the
//! CLI (and the window) shows of such text goes through here: control characters become
//! visible escapes (`\x1b`, `\u{202e}`), line breaks and tabs fold into one space, and long
//! text is cut with an ellipsis. What is stored for "what the gateway answered" stays raw
//! (but bounded: [`cap_bytes`]).

use std::borrow::Cow;

/// Printed messages are cut to this many characters by default: about one terminal line
/// and a half, enough for a sentence and the gateway's own words.
pub const LINE_CHARS: usize = 300;

/// What to do with one character.
enum Class {
    Keep,
    /// A line break or tab: one space.
    Space,
    /// Shown as an escape.
    Escape,
}

fn class(c: char) -> Class {
    match c {
        '\n' | '\r' | '\t' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => Class::Space,
        // C0, DEL and C1 controls (ESC, BEL, CSI ...).
        '\0'..='\u{1F}' | '\u{7F}'..='\u{9F}' => Class::Escape,
        // Bidirectional embeddings, overrides, isolates and marks, which reorder what follows.
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => Class::Escape,
        // Byte order mark / zero-width no-break space, invisible in the middle of a line.
        '\u{FEFF}' => Class::Escape,
        _ => Class::Keep,
    }
}

/// True when `s` prints as it is on one line.
pub fn is_clean(s: &str) -> bool {
    s.chars().all(|c| matches!(class(c), Class::Keep))
}

/// `s` made safe to print on one line: controls and bidi characters shown as escapes
/// (`\x1b`, `\u{202e}`), line breaks and tabs folded into single spaces. Borrowed when
/// there is nothing to change.
pub fn one_line(s: &str) -> Cow<'_, str> {
    if is_clean(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut last_space = false;
    for c in s.chars() {
        match class(c) {
            Class::Keep => {
                out.push(c);
                last_space = c == ' ';
            }
            Class::Space => {
                if !last_space {
                    out.push(' ');
                }
                last_space = true;
            }
            Class::Escape => {
                escape_into(&mut out, c);
                last_space = false;
            }
        }
    }
    Cow::Owned(out)
}

fn escape_into(out: &mut String, c: char) {
    use std::fmt::Write;
    let n = c as u32;
    if n <= 0xFF {
        let _ = write!(out, "\\x{n:02x}");
    } else {
        let _ = write!(out, "\\u{{{n:x}}}");
    }
}

/// `s` cut to at most `max_chars` characters (the last one an ellipsis when cut).
pub fn clip(s: &str, max_chars: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max_chars) {
        None => Cow::Borrowed(s),
        Some(_) if max_chars == 0 => Cow::Borrowed(""),
        Some(_) => {
            let end = s.char_indices().nth(max_chars - 1).map(|(i, _)| i).unwrap_or(s.len());
            let mut out = String::with_capacity(end + 3);
            out.push_str(s[..end].trim_end());
            out.push('…');
            Cow::Owned(out)
        }
    }
}

/// One readable line: [`one_line`], trimmed, then [`clip`] to `max_chars`.
pub fn line(s: &str, max_chars: usize) -> String {
    let folded = one_line(s);
    clip(folded.trim(), max_chars).into_owned()
}

/// [`line`] at the default length ([`LINE_CHARS`]).
pub fn short_line(s: &str) -> String {
    line(s, LINE_CHARS)
}

/// Raw text kept to at most `max_bytes` bytes (cut on a character boundary), with a marker
/// saying how much was left out. For text stored as "what the gateway answered".
pub fn cap_bytes(s: &str, max_bytes: usize) -> Cow<'_, str> {
    if s.len() <= max_bytes {
        return Cow::Borrowed(s);
    }
    let mut end = max_bytes;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}… [{} more bytes not kept]", &s[..end], s.len() - end))
}

/// [`cap_bytes`] for an owned string, without copying when it already fits.
pub fn cap_owned(s: String, max_bytes: usize) -> String {
    if s.len() <= max_bytes { s } else { cap_bytes(&s, max_bytes).into_owned() }
}

/// JSON text (as `serde_json` writes it) with the characters it leaves raw but a terminal
/// may act on (DEL, C1 controls, bidi overrides) written as `\uXXXX` escapes instead; the
/// JSON means the same. `serde_json` already escapes C0 controls.
pub fn json_text(json: &str) -> Cow<'_, str> {
    // Fast path over bytes (a dry run prints megabytes of base64): printable ASCII and line
    // breaks need nothing; anything else is looked at character by character.
    let plain = |b: u8| matches!(b, b' '..=b'~' | b'\n' | b'\r' | b'\t');
    // whole blocks without an early exit, so the check runs on vector registers
    if json.as_bytes().chunks(256).all(|block| block.iter().fold(true, |ok, &b| ok & plain(b))) {
        return Cow::Borrowed(json);
    }
    if !json.chars().any(|c| matches!(class(c), Class::Escape)) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if matches!(class(c), Class::Escape) {
            use std::fmt::Write;
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_controls_become_visible_text() {
        let s = "ok\u{1b}[2J\u{1b}]0;pwned\u{7}done\u{9b}31m";
        let safe = one_line(s);
        assert_eq!(safe, "ok\\x1b[2J\\x1b]0;pwned\\x07done\\x9b31m");
        assert!(safe.chars().all(|c| !c.is_control()), "{safe}");
    }

    #[test]
    fn line_breaks_fold_into_single_spaces() {
        assert_eq!(one_line("a\r\nb\n\n\tc"), "a b c");
        assert_eq!(one_line("fake\rreal"), "fake real");
        assert_eq!(one_line("x\u{2028}y"), "x y");
        assert_eq!(line("  \n lead and trail \n ", 100), "lead and trail");
    }

    #[test]
    fn bidi_overrides_are_shown_not_applied() {
        assert_eq!(one_line("abc\u{202E}fdp.exe"), "abc\\u{202e}fdp.exe");
        assert_eq!(one_line("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
    }

    #[test]
    fn clean_text_is_borrowed_and_unchanged() {
        let s = "a red fox, 4k — «ünïcödé» 日本 🦊";
        assert!(is_clean(s));
        assert!(matches!(one_line(s), Cow::Borrowed(_)));
        assert!(matches!(clip(s, 100), Cow::Borrowed(_)));
    }

    #[test]
    fn clip_counts_characters_and_marks_the_cut() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abcd", 4), "abcd");
        assert_eq!(clip("日本語です", 3), "日本…");
        assert_eq!(clip("abc", 0), "");
        let long = "x".repeat(1_000_000);
        assert_eq!(line(&long, LINE_CHARS).chars().count(), LINE_CHARS);
    }

    #[test]
    fn json_text_escapes_what_serde_json_leaves_raw() {
        let v = serde_json::json!({"m": "a\u{1b}[2J\u{9b}1m\u{202e}z\u{7f}"});
        let raw = serde_json::to_string(&v).unwrap();
        let safe = json_text(&raw);
        assert!(safe.chars().all(|c| !c.is_control() && is_clean(&c.to_string())), "{safe}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&safe).unwrap(), v);
        assert!(matches!(json_text("{\"a\":1}"), Cow::Borrowed(_)));
    }

    #[test]
    fn cap_bytes_cuts_on_a_char_boundary_with_a_marker() {
        assert_eq!(cap_bytes("short", 10), "short");
        let s = "é".repeat(10); // 20 bytes
        let capped = cap_bytes(&s, 5);
        assert!(capped.starts_with("éé…"), "{capped}");
        assert!(capped.contains("16 more bytes"), "{capped}");
        assert_eq!(cap_owned("abc".into(), 3), "abc");
    }
}
