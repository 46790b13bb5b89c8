//! Midjourney prompt syntax, read without any drawing: where the text ends and the
//! `--name value` parameters begin. The prompt box, the job list and the job view colour
//! these spans; the parameter helpers edit them.
//!
//! A parameter starts at a `--` (or the `—` that text fields on some systems make of it)
//! standing at the start of the prompt or after white space and followed by a letter. Its
//! value is everything up to the next parameter, trimmed: `--no cars, trees` is one value.

use std::ops::Range;

/// What a span of the prompt is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    /// The prompt's own words (and image URLs before them).
    Text,
    /// A parameter's name with its dashes: `--ar`.
    Name,
    /// A parameter's value: `3:2`.
    Value,
    /// White space between the pieces above.
    Space,
}

/// A piece of the prompt, as a byte range into it. The spans of a prompt cover it exactly
/// once, in order, so drawing them one after the other draws the prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub kind: SpanKind,
    pub range: Range<usize>,
}

/// One parameter as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param<'a> {
    /// Lower-case name without its dashes: `ar`.
    pub name: String,
    /// The value, trimmed; empty for a bare flag like `--tile`.
    pub value: &'a str,
    /// Bytes from the dashes to the end of the value (trailing white space excluded).
    pub range: Range<usize>,
}

/// Where a parameter starts at byte `i`, the length of its dash prefix.
fn dash_prefix(s: &str, i: usize) -> Option<usize> {
    let rest = &s[i..];
    let len = if rest.starts_with("--") {
        2
    } else if rest.starts_with('—') || rest.starts_with('–') {
        // An em or en dash a text field made of "--".
        rest.chars().next().map_or(0, char::len_utf8)
    } else {
        return None;
    };
    let at_word_start = s[..i].chars().next_back().is_none_or(char::is_whitespace);
    let letter_follows = rest[len..].chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    (at_word_start && letter_follows).then_some(len)
}

/// The byte offsets where parameters start, in order.
fn param_starts(s: &str) -> Vec<(usize, usize)> {
    s.char_indices().filter_map(|(i, _)| dash_prefix(s, i).map(|len| (i, len))).collect()
}

/// The parameters of a prompt, in the order written.
pub fn params(s: &str) -> Vec<Param<'_>> {
    let starts = param_starts(s);
    let mut out = Vec::with_capacity(starts.len());
    for (n, &(start, dashes)) in starts.iter().enumerate() {
        let end = starts.get(n + 1).map_or(s.len(), |&(next, _)| next);
        let body = &s[start + dashes..end];
        let name_len = body.find(char::is_whitespace).unwrap_or(body.len());
        let name = body[..name_len].to_ascii_lowercase();
        let value = body[name_len..].trim();
        let trimmed_end = start + dashes + body.trim_end().len();
        out.push(Param { name, value, range: start..trimmed_end });
    }
    out
}

/// Where the parameters begin (the length of the text part, trailing spaces included).
pub fn text_end(s: &str) -> usize {
    param_starts(s).first().map_or(s.len(), |&(i, _)| i)
}

/// Splits a prompt into spans for colouring. Never fails; any string is a prompt.
pub fn tokenize(s: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut push = |kind: SpanKind, range: Range<usize>| {
        if range.is_empty() {
            return;
        }
        // White space merges into the text part; elsewhere it is its own span.
        match spans.last_mut() {
            Some(Span { kind: last, range: r }) if *last == kind && r.end == range.start => r.end = range.end,
            _ => spans.push(Span { kind, range }),
        }
    };
    let split_words = |range: Range<usize>, word_kind: SpanKind, push: &mut dyn FnMut(SpanKind, Range<usize>)| {
        let mut start = range.start;
        let mut in_space = None;
        for (off, c) in s[range.clone()].char_indices() {
            let i = range.start + off;
            let space = c.is_whitespace();
            if in_space != Some(space) {
                if let Some(was_space) = in_space {
                    push(if was_space { SpanKind::Space } else { word_kind }, start..i);
                }
                start = i;
                in_space = Some(space);
            }
        }
        if let Some(was_space) = in_space {
            push(if was_space { SpanKind::Space } else { word_kind }, start..range.end);
        }
    };
    let starts = param_starts(s);
    let first = starts.first().map_or(s.len(), |&(i, _)| i);
    push(SpanKind::Text, 0..first);
    for (n, &(start, dashes)) in starts.iter().enumerate() {
        let end = starts.get(n + 1).map_or(s.len(), |&(next, _)| next);
        let body = &s[start + dashes..end];
        let name_end = start + dashes + body.find(char::is_whitespace).unwrap_or(body.len());
        push(SpanKind::Name, start..name_end);
        split_words(name_end..end, SpanKind::Value, &mut push);
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<(SpanKind, &str)> {
        tokenize(s).into_iter().map(|sp| (sp.kind, &s[sp.range])).collect()
    }

    #[test]
    fn text_then_parameters_with_values() {
        use SpanKind::*;
        assert_eq!(
            kinds("a red fox --ar 3:2 --s 250"),
            vec![
                (Text, "a red fox "),
                (Name, "--ar"),
                (Space, " "),
                (Value, "3:2"),
                (Space, " "),
                (Name, "--s"),
                (Space, " "),
                (Value, "250")
            ]
        );
    }

    #[test]
    fn spans_cover_every_byte_once_in_order() {
        for s in ["", "   ", "a  b", "fox --ar 3:2  --tile", "--v 7", "x —ar 1:1 ü --no a, b ", "a -- b", "é--ar"] {
            let spans = tokenize(s);
            let mut at = 0;
            for sp in &spans {
                assert_eq!(sp.range.start, at, "{s:?}: {spans:?}");
                assert!(!sp.range.is_empty());
                at = sp.range.end;
            }
            assert_eq!(at, s.len(), "{s:?}");
        }
    }

    #[test]
    fn dashes_inside_words_or_before_non_letters_are_text() {
        assert!(params("a well--known place").is_empty());
        assert!(params("a -- b").is_empty());
        assert!(params("minus --5").is_empty());
        assert_eq!(kinds("a well--known place"), vec![(SpanKind::Text, "a well--known place")]);
    }

    #[test]
    fn parameters_read_with_their_values_and_ranges() {
        let s = "cabin --AR 16:9 --no cars, trees  --tile";
        let p = params(s);
        assert_eq!(p.len(), 3);
        assert_eq!((p[0].name.as_str(), p[0].value), ("ar", "16:9"));
        assert_eq!(&s[p[0].range.clone()], "--AR 16:9");
        assert_eq!((p[1].name.as_str(), p[1].value), ("no", "cars, trees"));
        assert_eq!(&s[p[1].range.clone()], "--no cars, trees");
        assert_eq!((p[2].name.as_str(), p[2].value), ("tile", ""));
        assert_eq!(text_end(s), "cabin ".len());
    }

    #[test]
    fn an_em_dash_counts_as_two_dashes() {
        let p = params("fox —ar 2:3");
        assert_eq!((p[0].name.as_str(), p[0].value), ("ar", "2:3"));
        assert_eq!(kinds("fox —ar 2:3")[1], (SpanKind::Name, "—ar"));
    }
}
