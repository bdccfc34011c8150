//! The layers of `src/` point one way: a module may use its own layer and those
//! below it, never one above. Reads the sources; a new back-arrow fails this test.

use std::path::{Path, PathBuf};

/// From the bottom up. Modules of one layer may use each other.
const LAYERS: &[&[&str]] = &[
    // Pure rules, no I/O.
    &["domain"],
    // Settings, the threads blocking work runs on, password hashing, page addresses.
    &["config", "blocking", "passwords", "urls"],
    // Queries (and the macro that picks the backend).
    &["db", "on_backend"],
    // Verification and the pipelines beside it (usage counting, rate limits and
    // credits), and the use cases that tell it what changed.
    &["verification", "usage", "limits"],
    &["services"],
    // What requests are answered with: state, HTTP plumbing, sign-in, pages.
    &["state", "http", "auth", "views"],
    &["routes"],
    &["startup"],
    &["cli", "main", "lib"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level module a file of `src/` belongs to.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    Path::new(first)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// Every `crate::name` a source text uses (`use crate::{a, b::c}` included),
/// comments aside, with its line number.
fn uses(source: &str) -> Vec<(usize, String)> {
    let code: String = source
        .lines()
        .map(|line| {
            if line.trim_start().starts_with("//") {
                ""
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |text: &str| -> String {
        text.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let line = code[..at].matches('\n').count() + 1;
        let rest = &code[at + "crate::".len()..];
        let names = match rest.strip_prefix('{') {
            // The first name of each top-level item in the braces.
            Some(group) => {
                let (mut depth, mut items, mut item) = (0, Vec::new(), String::new());
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => items.push(std::mem::take(&mut item)),
                        _ if depth == 0 => item.push(c),
                        _ => {}
                    }
                }
                items.push(item);
                items.iter().map(|i| ident(i)).collect()
            }
            None => vec![ident(rest)],
        };
        found.extend(
            names
                .into_iter()
                .filter(|n| !n.is_empty() && n != "self")
                .map(|n| (line, n)),
        );
    }
    found
}

/// The back-arrows of one file of `module`, as messages.
fn back_arrows(module: &str, file: &str, source: &str) -> Vec<String> {
    let Some(own) = layer_of(module) else {
        return vec![format!("{file}: module `{module}` has no layer; add it")];
    };
    uses(source)
        .into_iter()
        .filter_map(|(line, used)| match layer_of(&used) {
            Some(layer) if layer <= own => None,
            Some(_) => Some(format!(
                "{file}:{line}: `{module}` uses `crate::{used}`, a layer above it"
            )),
            None => Some(format!(
                "{file}:{line}: `crate::{used}` has no layer; add it"
            )),
        })
        .collect()
}

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

#[test]
fn no_module_uses_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 50, "the sources were found");
    let problems: Vec<String> = files
        .iter()
        .flat_map(|file| {
            let source = std::fs::read_to_string(file).unwrap();
            let name = file.strip_prefix(&src).unwrap().display().to_string();
            back_arrows(&module_of(&src, file), &name, &source)
        })
        .collect();
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// A file a person reads in one sitting; the generated schema aside.
const MAX_LINES: usize = 400;

#[test]
fn no_source_file_is_longer_than_a_person_reads() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let long: Vec<String> = files
        .iter()
        .filter(|file| !file.ends_with("db/schema.rs"))
        .filter_map(|file| {
            let lines = std::fs::read_to_string(file).unwrap().lines().count();
            (lines > MAX_LINES).then(|| format!("{} has {lines} lines", file.display()))
        })
        .collect();
    assert!(long.is_empty(), "split by concern:\n{}", long.join("\n"));
}

#[test]
fn a_back_arrow_is_found() {
    let source = "use crate::domain::tokens;\n// crate::routes in a comment\nuse crate::routes::see_other;\n";
    assert_eq!(
        back_arrows("db", "db/x.rs", source),
        vec!["db/x.rs:3: `db` uses `crate::routes`, a layer above it".to_owned()]
    );
    assert!(back_arrows("routes", "routes/x.rs", source).is_empty());
    assert_eq!(
        back_arrows("db", "db/x.rs", "let x = crate::newcomer::f();").len(),
        1,
        "a module without a layer is named"
    );
    let grouped = "use crate::{\n    domain::tokens,\n    views::{Layout, Section},\n};\n";
    assert_eq!(
        back_arrows("db", "db/y.rs", grouped),
        vec!["db/y.rs:1: `db` uses `crate::views`, a layer above it".to_owned()]
    );
    let src = Path::new("/s/src");
    assert_eq!(module_of(src, Path::new("/s/src/db/tokens.rs")), "db");
    assert_eq!(module_of(src, Path::new("/s/src/startup.rs")), "startup");
}
