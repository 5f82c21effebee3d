//! The library's top-level modules depend on each other without cycles:
//! every `crate::module` path in production code (test modules and files
//! excluded) is an edge, and the graph must have no cycle. A cycle is how
//! the core's layers start to fight change (issue 16); this test names it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every production `.rs` file under `src/` (not `src/bin`, not tests).
fn production_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "tests" && name != "bin" {
                production_files(&path, found);
            }
        } else if name.ends_with(".rs") && name != "tests.rs" {
            found.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/ingest/route/rep.rs` → `ingest`).
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("under src");
    let first = relative.components().next().expect("a component");
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_string()
}

/// The modules named by `crate::NAME` in the file's code before its
/// `#[cfg(test)]` unit-test module.
fn references(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    code.match_indices("crate::")
        .map(|(at, _)| {
            code[at + 7..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    production_files(&src, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let from = module_of(&src, &file);
        let text = std::fs::read_to_string(&file).expect("read a source file");
        for to in references(&text) {
            if to != from && !["lib", "main"].contains(&from.as_str()) {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    edges
}

/// A path from `from` back to `to`, if there is one.
fn path_between(
    edges: &BTreeMap<String, BTreeSet<String>>,
    from: &str,
    to: &str,
    seen: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    for next in edges.get(from).into_iter().flatten() {
        if next == to {
            return Some(vec![from.to_string(), next.clone()]);
        }
        if seen.insert(next.clone()) {
            if let Some(mut rest) = path_between(edges, next, to, seen) {
                rest.insert(0, from.to_string());
                return Some(rest);
            }
        }
    }
    None
}

#[test]
fn no_top_level_module_depends_on_itself_through_others() {
    let edges = graph();
    assert!(
        edges.get("ingest").is_some_and(|e| e.contains("commands")),
        "the scan reads the sources (ingest uses commands): {edges:?}"
    );
    for module in edges.keys() {
        let cycle = path_between(&edges, module, module, &mut BTreeSet::new());
        assert!(
            cycle.is_none(),
            "import cycle: {}",
            cycle.unwrap().join(" -> ")
        );
    }
}

#[test]
fn the_pure_core_imports_no_adapter() {
    let edges = graph();
    let adapters = [
        "store", "imap", "smtp", "daemon", "app", "sending", "clock", "dns_auth",
    ];
    for core in ["domain", "commands", "ingest", "digest"] {
        let used: Vec<&String> = edges
            .get(core)
            .into_iter()
            .flatten()
            .filter(|to| adapters.contains(&to.as_str()))
            .collect();
        assert!(used.is_empty(), "{core} uses {used:?}");
    }
}
