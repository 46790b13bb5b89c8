//! The source tree keeps the shape the window's wiring was rebuilt for: no file in `src/`
//! over 500 lines (tests included), and no import circle among the modules of `src/app`
//! (a panel that imports the window's state while the state imports the panel's form is
//! how the old wiring tangled). Reads the sources as text; runs nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 500;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_source_file_is_over_500_lines() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > MAX_LINES).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these (tests can go to a tests.rs beside the module): {long:#?}");
}

/// A module's path from `src/` (`app::panels::prompt`) for a file, `None` for test files.
fn module_of(file: &Path) -> Option<Vec<String>> {
    let rel = file.strip_prefix(src()).ok()?.with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "tests") {
        return None;
    }
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    Some(parts)
}

/// The module paths `code` (in module `me`) names with `crate::`,
/// `super::` or `self::`, braces expanded one level.
fn references(code: &str, me: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < code.len() {
        let at_path =
            code.is_char_boundary(i) && ["crate::", "super::", "self::"].iter().any(|k| code[i..].starts_with(k));
        if !at_path || (i > 0 && (is_word(bytes[i - 1]) || bytes[i - 1] == b':')) {
            i += 1;
            continue;
        }
        let end =
            code[i..].find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).map_or(code.len(), |e| i + e);
        let path: Vec<&str> = code[i..end].split("::").filter(|s| !s.is_empty()).collect();
        let mut base: Vec<String> = Vec::new();
        let mut rest = path.as_slice();
        match rest.first() {
            Some(&"crate") => rest = &rest[1..],
            Some(&"self") => {
                base = me.to_vec();
                rest = &rest[1..];
            }
            _ => {
                base = me.to_vec();
                while rest.first() == Some(&"super") {
                    base.pop();
                    rest = &rest[1..];
                }
            }
        }
        let mut full = base.clone();
        full.extend(rest.iter().map(|s| s.to_string()));
        if code[end..].starts_with('{') {
            let close = code[end..].find('}').map_or(code.len(), |c| end + c);
            for item in code[end + 1..close].split(',') {
                let first = item.trim().split("::").next().unwrap_or("").trim();
                if !first.is_empty() && first != "self" {
                    let mut f = full.clone();
                    f.push(first.split_whitespace().next().unwrap_or(first).to_owned());
                    out.push(f);
                }
            }
        }
        out.push(full);
        i = end;
    }
    out
}

#[test]
fn the_window_modules_import_no_circle() {
    let mut files = Vec::new();
    rust_files(&src().join("app"), &mut files);
    let modules: BTreeMap<Vec<String>, PathBuf> =
        files.iter().filter_map(|f| module_of(f).map(|m| (m, f.clone()))).collect();
    let resolve =
        |path: &[String]| (1..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| modules.contains_key(p));
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (me, file) in &modules {
        let text = std::fs::read_to_string(file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let targets = edges.entry(me.clone()).or_default();
        for reference in references(code, me) {
            if let Some(t) = resolve(&reference)
                && &t != me
                && !t.starts_with(me)
            {
                targets.insert(t);
            }
        }
    }
    // a circle is a module that reaches itself
    let mut circles = Vec::new();
    for start in modules.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<Vec<String>> = edges[start].iter().cloned().collect();
        while let Some(m) = stack.pop() {
            if &m == start {
                circles.push(start.join("::"));
                break;
            }
            if seen.insert(m.clone()) {
                stack.extend(edges.get(&m).into_iter().flatten().cloned());
            }
        }
    }
    assert!(circles.is_empty(), "these modules of src/app import themselves through others: {circles:?}");
    assert!(modules.len() > 20 && edges.values().map(BTreeSet::len).sum::<usize>() > 30, "the sources were read");
}
