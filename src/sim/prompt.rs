//! Reading a Midjourney prompt the way the simulator needs: its words (for palette and
//! subject), its `--ar W:H` and its `--seed N`, and the grid size they imply.

use super::style::fnv;

/// The prompt's lower-case words, without `--param value` pairs and punctuation.
pub(super) fn words(prompt: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut tokens = prompt.split_whitespace().peekable();
    while let Some(tok) = tokens.next() {
        if tok.starts_with("--") {
            if tokens.peek().is_some_and(|next| !next.starts_with("--")) {
                tokens.next();
            }
            continue;
        }
        for w in tok.split(|c: char| !c.is_alphanumeric()) {
            if !w.is_empty() {
                out.push(w.to_lowercase());
            }
        }
    }
    out
}

/// The value after `--name` (or `--name=value`), if present.
fn param<'a>(prompt: &'a str, names: &[&str]) -> Option<&'a str> {
    let mut tokens = prompt.split_whitespace();
    while let Some(tok) = tokens.next() {
        let Some(rest) = tok.strip_prefix("--") else { continue };
        let (name, inline) = match rest.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (rest, None),
        };
        if names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            return inline.or_else(|| tokens.next());
        }
    }
    None
}

/// `--ar W:H` (or `--aspect`), else 1:1.
pub(super) fn aspect(prompt: &str) -> (u32, u32) {
    param(prompt, &["ar", "aspect"])
        .and_then(|v| {
            let (w, h) = v.split_once(':')?;
            let (w, h) = (w.trim().parse::<u32>().ok()?, h.trim().parse::<u32>().ok()?);
            (w > 0 && h > 0).then_some((w, h))
        })
        .unwrap_or((1, 1))
}

/// `--seed N` wins; else a hash of the prompt. Always within Midjourney's 0..2^32.
pub(super) fn seed(prompt: &str) -> u64 {
    param(prompt, &["seed", "sameseed"])
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|s| *s < 4_294_967_296)
        .unwrap_or_else(|| fnv(prompt.trim().as_bytes()) % 4_294_967_296)
}

/// Grid pixel size for an aspect ratio: long side `long`, both sides even (so quadrants split
/// exactly), the ratio clamped to 1:4 .. 4:1.
pub(super) fn grid_dims((aw, ah): (u32, u32), long: u32) -> (u32, u32) {
    let ratio = (f64::from(aw.max(1)) / f64::from(ah.max(1))).clamp(0.25, 4.0);
    let long = f64::from(long.max(16));
    let (w, h) = if ratio >= 1.0 { (long, long / ratio) } else { (long * ratio, long) };
    let even = |v: f64| ((v / 2.0).round() as u32).max(2) * 2;
    (even(w), even(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_read_and_skipped() {
        let p = "A Misty, mountain lake --ar 16:9 --seed 42 --v 6";
        assert_eq!(words(p), vec!["a", "misty", "mountain", "lake"]);
        assert_eq!(aspect(p), (16, 9));
        assert_eq!(seed(p), 42);
        assert_eq!(aspect("x --aspect=2:3"), (2, 3));
        assert_eq!(aspect("x --ar 0:3"), (1, 1));
        assert_eq!(seed("x --seed 99999999999"), seed("x --seed 99999999999"));
        assert!(seed("x --seed 99999999999") < 4_294_967_296);
        assert_ne!(seed("a cat"), seed("a dog"));
    }

    #[test]
    fn grid_dims_keep_the_ratio_with_even_sides() {
        assert_eq!(grid_dims((1, 1), 1024), (1024, 1024));
        assert_eq!(grid_dims((16, 9), 1024), (1024, 576));
        assert_eq!(grid_dims((2, 3), 256), (170, 256));
        assert_eq!(grid_dims((100, 1), 256), (256, 64));
    }
}
