//! The top-level modules of `onshi-sim` form no import circle.
//!
//! The test reads every `sim/src/**/*.rs` as text, takes each reference to another top-level
//! module (`crate::x`, `$crate::x`, `use crate::{x::…, y::…}`, `super::x` where `super` is the
//! crate root, names the crate root re-exports), counts a submodule as its top-level module
//! (`world/events.rs` is `world`) and looks for a cycle in the resulting graph. Comments are
//! left out: a doc link is not an import.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The code of `text`: `//` and `/* */` comments left out, string, raw string and character
/// literals emptied, so that neither adds a reference.
fn strip_comments(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let find = |from: usize, pattern: &[char]| {
        (from..chars.len())
            .find(|&j| chars[j..].starts_with(pattern))
            .unwrap_or(chars.len())
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = if i == 0 { ' ' } else { chars[i - 1] };
        if c == '/' && at(i + 1) == '/' {
            i = find(i, &['\n']);
        } else if c == '/' && at(i + 1) == '*' {
            i = find(i + 2, &['*', '/']) + 2;
        } else if c == 'r' && !is_ident_char(prev) && matches!(at(i + 1), '#' | '"') {
            // A raw string r"…" or r#"…"#.
            let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            if at(i + 1 + hashes) != '"' {
                out.push(c);
                i += 1;
                continue;
            }
            let mut close = vec!['"'];
            close.extend(std::iter::repeat_n('#', hashes));
            i = find(i + 2 + hashes, &close) + close.len();
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && (at(i + 1) == '\\' || at(i + 2) == '\'') {
            // A character literal ('x', '\n', '\u{…}'); a lifetime ('a) is code.
            i = find(i + 2, &['\'']) + 1;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The identifier at the start of `s`.
fn ident(s: &str) -> &str {
    let end = s.find(|c: char| !is_ident_char(c)).unwrap_or(s.len());
    &s[..end]
}

/// The names a `{ … }` group starting right after `{` brings in at its top level.
fn group_heads(s: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0usize;
    let mut expect_head = true;
    for (i, c) in s.char_indices() {
        match c {
            '{' => {
                depth += 1;
                expect_head = false;
            }
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => expect_head = true,
            c if expect_head && depth == 0 && is_ident_char(c) => {
                heads.push(ident(&s[i..]).to_string());
                expect_head = false;
            }
            _ => {}
        }
    }
    heads
}

/// The names that follow `prefix` (`crate::` or a root-resolving `super::`) in `code`.
fn heads_after(code: &str, prefix: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut from = 0;
    while let Some(i) = code[from..].find(prefix) {
        let at = from + i;
        let before = code[..at].chars().next_back();
        let boundary = before.is_none_or(|c| !is_ident_char(c) || c == '$');
        let rest = &code[at + prefix.len()..];
        if boundary {
            match rest.strip_prefix('{') {
                Some(group) => heads.extend(group_heads(group)),
                None => heads.push(ident(rest).to_string()),
            }
        }
        from = at + prefix.len();
    }
    heads
}

/// The top-level module a file belongs to and how many modules deep it sits (`world.rs` and
/// `world/mod.rs` are 1 deep, `world/events.rs` 2, `card/apdu/mod.rs` 2).
fn module_of(file: &Path, root: &Path) -> Option<(String, usize)> {
    let rel = file.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let top = parts.first()?.trim_end_matches(".rs").to_string();
    if top == "lib" {
        return None;
    }
    let last = parts.last()?;
    let depth = if last == "mod.rs" {
        parts.len() - 1
    } else {
        parts.len()
    };
    Some((top, depth))
}

/// lib.rs: the top-level modules and the names the root re-exports (name → module).
fn root_items(lib: &str) -> (BTreeSet<String>, BTreeMap<String, String>) {
    let mut modules = BTreeSet::new();
    let mut reexports = BTreeMap::new();
    for line in lib.lines() {
        let line = line.trim();
        if let Some(m) = line
            .strip_prefix("pub mod ")
            .or_else(|| line.strip_prefix("mod "))
        {
            modules.insert(ident(m).to_string());
        }
        if let Some(u) = line.strip_prefix("pub use ") {
            let module = ident(u).to_string();
            if let Some(group) = u.find("::{").map(|i| &u[i + 3..]) {
                for name in group_heads(group) {
                    reexports.insert(name, module.clone());
                }
            }
        }
    }
    (modules, reexports)
}

fn graph() -> Graph {
    let root = src();
    let lib = strip_comments(&fs::read_to_string(root.join("lib.rs")).expect("lib.rs"));
    let (modules, reexports) = root_items(&lib);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut graph: Graph = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for file in files {
        let Some((module, depth)) = module_of(&file, &root) else {
            continue;
        };
        let code = strip_comments(&fs::read_to_string(&file).expect("source file"));
        // `super::` repeated up to the crate root names a top-level item.
        let to_root = format!("{}{}", "super::".repeat(depth.saturating_sub(1)), "super::");
        let mut heads = heads_after(&code, "crate::");
        if depth >= 1 {
            heads.extend(
                heads_after(&code, &to_root)
                    .into_iter()
                    .filter(|h| h != "super"),
            );
        }
        for head in heads {
            let target = if modules.contains(&head) {
                head
            } else if let Some(m) = reexports.get(&head) {
                m.clone()
            } else {
                continue;
            };
            if target != module {
                graph.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    graph
}

/// A cycle in `graph`, as the modules along it (first = last), if there is one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &Graph,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        marks.insert(node.to_string(), Mark::Open);
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match marks.get(next.as_str()).copied().unwrap_or(Mark::New) {
                Mark::Open => {
                    let start = path.iter().position(|p| p == next).unwrap_or(0);
                    let mut cycle = path[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Mark::New => {
                    if let Some(c) = visit(next, graph, marks, path) {
                        return Some(c);
                    }
                }
                Mark::Done => {}
            }
        }
        path.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in graph.keys() {
        if marks.get(node.as_str()).copied().unwrap_or(Mark::New) == Mark::New
            && let Some(c) = visit(node, graph, &mut marks, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

fn describe(graph: &Graph) -> String {
    graph
        .iter()
        .map(|(m, deps)| {
            let deps: Vec<&str> = deps.iter().map(String::as_str).collect();
            format!("  {m} -> {}", deps.join(", "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn top_level_modules_form_no_import_circle() {
    let graph = graph();
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "import circle among sim modules: {}\nthe whole graph:\n{}",
            cycle.join(" -> "),
            describe(&graph)
        );
    }
}

#[test]
fn the_graph_sees_the_imports_it_must() {
    let graph = graph();
    let deps = |m: &str| graph.get(m).cloned().unwrap_or_default();
    // Known edges that hold in any layering: the world is built from the actors, and the
    // registry hands out handles from `ids`.
    assert!(deps("world").contains("registry"), "{}", describe(&graph));
    assert!(deps("registry").contains("ids"), "{}", describe(&graph));
    // Leaf modules import no other sim module.
    for leaf in ["clock", "rng"] {
        assert!(deps(leaf).is_empty(), "{leaf}: {:?}", deps(leaf));
    }
}

#[test]
fn the_parser_reads_use_forms() {
    let code = strip_comments(
        "use crate::{a::X, b::{Y, Z}};\n// use crate::c::Q;\nlet s = \"crate::d\"; $crate::e::f!(); crate::g::h();\nlet r = r#\"crate::i \" //\"#; let q = '\"'; let l: &'a crate::j::K = crate::k::L;",
    );
    let heads = heads_after(&code, "crate::");
    assert_eq!(heads, ["a", "b", "e", "g", "j", "k"]);
    assert_eq!(group_heads("x, y::{p, q}, z }"), ["x", "y", "z"]);
    let cycle = find_cycle(&Graph::from([
        ("a".into(), BTreeSet::from(["b".into()])),
        ("b".into(), BTreeSet::from(["c".into()])),
        ("c".into(), BTreeSet::from(["a".into()])),
    ]));
    assert_eq!(
        cycle.as_deref(),
        Some(&["a", "b", "c", "a"].map(String::from)[..])
    );
}
