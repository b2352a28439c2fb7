//! The shape of the code, checked by reading its sources: the pure core
//! imports nothing outside itself and touches no file, thread or terminal,
//! and no two modules import each other, directly or through others.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::root;

/// Every `.rs` file under `dir`, sorted.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The lines of a file that are not test code or comments: everything
/// before its `#[cfg(test)]` module, comments dropped. Files named
/// `*_tests.rs` are test modules whole.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    if path.file_name().unwrap().to_string_lossy().ends_with("_tests.rs") {
        return Vec::new();
    }
    let text = fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") {
            break;
        }
        if t.starts_with("//") {
            continue;
        }
        let code = match t.find("//") {
            Some(j) if !t[..j].contains('"') => &t[..j],
            _ => t,
        };
        out.push((i + 1, code.to_string()));
    }
    out
}

/// The module path of a source file (`src/input/scenario.rs` → `input::scenario`).
fn module_of(src: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
        parts.pop();
    }
    parts.join("::")
}

#[test]
fn the_core_imports_nothing_outside_itself_and_does_no_io() {
    let src = root().join("src");
    let forbidden = [
        "std::fs",
        "std::io",
        "std::thread",
        "std::env",
        "std::process",
        "std::time",
        "std::sync::Mutex",
        "rayon",
        "serde",
        "println!",
        "eprintln!",
        "print!(",
        "dbg!",
        "InputError",
    ];
    let mut problems = Vec::new();
    for core in ["model", "timed"] {
        for path in sources(&src.join(core)) {
            for (n, line) in code_lines(&path) {
                let shown = path.strip_prefix(root()).unwrap().display();
                for word in forbidden {
                    if line.contains(word) {
                        problems.push(format!("{shown}:{n}: `{word}` in the pure core: {line}"));
                    }
                }
                for (i, _) in line.match_indices("crate::") {
                    let rest = &line[i + "crate::".len()..];
                    if !(rest.starts_with("model") || rest.starts_with("timed")) {
                        problems.push(format!("{shown}:{n}: the core imports from outside it: {line}"));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Module-level import graph: an edge from each module to every module whose
/// path it names (`crate::a::b::Item` names `a::b`, or `a` if `a::b` is not a
/// module). `super::` and `self::` paths resolve against the module itself.
fn import_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let files = sources(src);
    let modules: BTreeSet<String> = files.iter().map(|p| module_of(src, p)).collect();
    let resolve = |segments: &[&str]| -> Option<String> {
        (1..=segments.len())
            .rev()
            .map(|k| segments[..k].join("::"))
            .find(|m| modules.contains(m))
    };
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in &files {
        let me = module_of(src, path);
        let is_mod_file = path.file_name().is_some_and(|f| f == "mod.rs" || f == "lib.rs");
        let mut parent: Vec<&str> = me.split("::").filter(|s| !s.is_empty()).collect();
        if !is_mod_file {
            parent.pop();
        }
        let edges = graph.entry(me.clone()).or_default();
        for (_, line) in code_lines(path) {
            // A folder's mod.rs declares and re-exports its children: not an import.
            if is_mod_file && (line.starts_with("pub use ") || line.starts_with("pub(crate) use ")) {
                continue;
            }
            let mut scan = line.as_str();
            while let Some(i) = scan.find(['c', 's']) {
                let rest = &scan[i..];
                let boundary =
                    i == 0 || !scan.as_bytes()[i - 1].is_ascii_alphanumeric() && scan.as_bytes()[i - 1] != b'_';
                let (base, tail): (Vec<&str>, &str) = if boundary && rest.starts_with("crate::") {
                    (Vec::new(), &rest["crate::".len()..])
                } else if boundary && rest.starts_with("super::") {
                    (parent.clone(), &rest["super::".len()..])
                } else {
                    scan = &scan[i + 1..];
                    continue;
                };
                let segs: Vec<&str> = tail
                    .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .next()
                    .unwrap_or("")
                    .split("::")
                    .filter(|s| !s.is_empty() && s.chars().next().is_some_and(|c| c.is_lowercase()))
                    .collect();
                let mut full = base.clone();
                full.extend(segs);
                if let Some(target) = resolve(&full).filter(|t| *t != me && !t.is_empty()) {
                    edges.insert(target);
                }
                scan = &scan[i + 1..];
            }
        }
    }
    graph
}

/// The same graph between the crate's top-level modules (folders): `a::x`
/// naming `b::y` is an edge from `a` to `b`.
fn top_level(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, BTreeSet<String>> {
    let top = |m: &str| m.split("::").next().unwrap_or("").to_string();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, tos) in graph {
        let entry = out.entry(top(from)).or_default();
        for to in tos {
            if top(to) != top(from) {
                entry.insert(top(to));
            }
        }
    }
    out
}

#[test]
fn no_two_modules_import_each_other() {
    let files = import_graph(&root().join("src"));
    let folders = top_level(&files);
    let mut cycles = find_cycles(&files);
    cycles.extend(
        find_cycles(&folders)
            .into_iter()
            .map(|c| format!("between folders: {c}")),
    );
    assert!(cycles.is_empty(), "import circles:\n{}", cycles.join("\n"));
}

fn find_cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    // Depth-first search for a cycle; report each one found as a path.
    let mut cycles = Vec::new();
    let mut state: BTreeMap<&str, u8> = BTreeMap::new(); // 1 on the stack, 2 done
    fn visit<'g>(
        m: &'g str,
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<&'g str, u8>,
        stack: &mut Vec<&'g str>,
        cycles: &mut Vec<String>,
    ) {
        state.insert(m, 1);
        stack.push(m);
        for next in graph.get(m).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let from = stack.iter().position(|s| *s == next).unwrap();
                    let mut path: Vec<&str> = stack[from..].to_vec();
                    path.push(next);
                    cycles.push(path.join(" → "));
                }
                Some(_) => {}
                None => visit(next, graph, state, stack, cycles),
            }
        }
        stack.pop();
        state.insert(m, 2);
    }
    for m in graph.keys() {
        if !state.contains_key(m.as_str()) {
            visit(m, graph, &mut state, &mut Vec::new(), &mut cycles);
        }
    }
    cycles
}

#[test]
fn the_graph_sees_imports() {
    // The checks above are only as good as the graph: it must see a known edge.
    let graph = import_graph(&root().join("src"));
    assert!(
        graph["runner::sweep"].contains("model::replay"),
        "{:?}",
        graph["runner::sweep"]
    );
    assert!(graph["model::replay"].contains("model::placement"));
}
