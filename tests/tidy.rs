//! The layer rules, enforced (as rust-analyzer's tidy test does): reads every `.rs` file of
//! `src/` as text and fails when a module names a part of the crate its layer may not use,
//! or when a file lacks the `//!` paragraph that says what it is for.
//!
//! The rules are stated once, in ARCHITECTURE.md's `layers` block; this test reads them
//! there, so the document and the check cannot disagree.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[test]
fn every_module_imports_only_the_layers_architecture_md_allows() {
    let rules = layer_rules();
    let mut violations = Vec::new();
    for file in rust_files(&Path::new(ROOT).join("src")) {
        let module = module_of(&file);
        let Some(allowed) = rules.get(&module) else {
            violations.push(format!(
                "{}: module `{module}` is not in ARCHITECTURE.md's layers block",
                relative(&file)
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("a source file is readable");
        for (line_number, used) in crate_paths(&text) {
            let permitted = allowed.contains("*") || allowed.contains(&used) || used == module;
            if !permitted && rules.contains_key(&used) {
                violations.push(format!(
                    "{}:{line_number}: `{module}` may not use `{used}` (allowed: {})",
                    relative(&file),
                    allowed.iter().cloned().collect::<Vec<_>>().join(", ")
                ));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "layer violations:\n{}",
        violations.join("\n")
    );
}

#[test]
fn every_source_file_starts_with_a_paragraph_saying_what_it_is_for() {
    let undocumented: Vec<String> = rust_files(&Path::new(ROOT).join("src"))
        .into_iter()
        .filter(|file| {
            let text = std::fs::read_to_string(file).expect("a source file is readable");
            !text.trim_start().starts_with("//!")
        })
        .map(|file| relative(&file))
        .collect();
    assert!(
        undocumented.is_empty(),
        "files without a leading `//!` paragraph:\n{}",
        undocumented.join("\n")
    );
}

#[test]
fn the_checker_finds_a_forbidden_import() {
    let rules = layer_rules();
    let uses: Vec<(usize, String)> =
        crate_paths("//! http\nuse crate::store::Store;\n// crate::search in a comment\n");

    assert_eq!(uses, [(2, "store".to_owned())]);
    assert!(!rules["http"].contains("store"), "http must not use store");
    assert!(
        rules["domain"].is_empty(),
        "domain uses nothing of the crate"
    );
}

/// Module → modules it may use, from the fenced `layers` block of ARCHITECTURE.md.
fn layer_rules() -> BTreeMap<String, BTreeSet<String>> {
    let architecture = std::fs::read_to_string(Path::new(ROOT).join("ARCHITECTURE.md"))
        .expect("ARCHITECTURE.md is readable");
    let block = architecture
        .split("```layers\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("ARCHITECTURE.md has a ```layers block");
    block
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (module, allowed) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("a layers line is `module: allowed...`: {line:?}"));
            let allowed = allowed
                .split([' ', ','])
                .filter(|name| !name.is_empty())
                .map(str::to_owned)
                .collect();
            (module.trim().to_owned(), allowed)
        })
        .collect()
}

/// The crate-level modules a file names (`crate::x`, or `nhs_leadership_graph::x` from the
/// binary), with their line numbers; comments are skipped.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        for prefix in ["crate::", "nhs_leadership_graph::"] {
            for (position, _) in code.match_indices(prefix) {
                let before = code[..position].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = &code[position + prefix.len()..];
                let names: Vec<&str> = match rest.strip_prefix('{') {
                    Some(group) => group
                        .split('}')
                        .next()
                        .unwrap_or("")
                        .split(',')
                        .map(|item| item.trim().split("::").next().unwrap_or(""))
                        .collect(),
                    None => vec![rest
                        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .next()
                        .unwrap_or("")],
                };
                found.extend(
                    names
                        .into_iter()
                        .filter(|name| !name.is_empty())
                        .map(|name| (index + 1, name.to_owned())),
                );
            }
        }
    }
    found
}

/// `src/http/graphql.rs` → `http`; `src/config.rs` → `config`.
fn module_of(file: &Path) -> String {
    let relative = file
        .strip_prefix(Path::new(ROOT).join("src"))
        .expect("a file under src/");
    let first = relative
        .components()
        .next()
        .expect("a path has a first component");
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_owned()
}

fn rust_files(directory: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(directory).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn relative(file: &Path) -> String {
    file.strip_prefix(ROOT)
        .unwrap_or(file)
        .display()
        .to_string()
}
