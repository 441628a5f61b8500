//! Property tests of scenario parsing on hostile text: the repository's scenario files with
//! bytes changed, lines dropped, duplicated or swapped, and arbitrary YAML-ish text. Parsing
//! never panics, and every problem it reports has a line and column inside the text
//! (`FILE:LINE:COLUMN: message`), which `prior check` prints.

#![expect(clippy::unwrap_used, reason = "tests may unwrap")]

use prior_scenario::{LoadOptions, Scenario, ScenarioError, Vars};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every scenario in `scenarios/` and `scenarios/demo/`: (path, text).
fn seeds() -> &'static [(PathBuf, String)] {
    static SEEDS: OnceLock<Vec<(PathBuf, String)>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut out = Vec::new();
        for dir in ["scenarios", "scenarios/demo"] {
            let mut paths: Vec<PathBuf> = std::fs::read_dir(repo().join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
                .collect();
            paths.sort();
            for p in paths {
                let text = std::fs::read_to_string(&p).unwrap();
                out.push((p, text));
            }
        }
        assert!(out.len() >= 8, "{} seeds", out.len());
        out
    })
}

fn vars() -> Vars {
    let mut v = Vars::new();
    for (k, val) in [
        ("APK", "app.apk"),
        ("AVD", "prior-api34"),
        ("PACKAGE", "com.example"),
        ("SERIAL", "emulator-5554"),
    ] {
        v.set(k, val);
    }
    v
}

fn parse(path: &Path, text: &str) -> Result<Scenario, ScenarioError> {
    Scenario::parse(path, text, &vars(), LoadOptions { check_files: false })
}

/// Every reported problem has a position inside `text`: 1 ≤ line ≤ lines, 1 ≤ column ≤
/// characters on that line + 1 (a problem at the end of a line points just past it).
fn check_positions(text: &str, e: &ScenarioError) -> Result<(), TestCaseError> {
    let lines: Vec<&str> = text.split('\n').collect();
    for p in e.all() {
        let rendered = p.to_string();
        let Some(pos) = p.pos() else {
            return Err(TestCaseError::fail(format!(
                "no line/column: {rendered} ({:?})",
                p.kind()
            )));
        };
        let (line, col) = (pos.line as usize, pos.column as usize);
        prop_assert!(
            (1..=lines.len()).contains(&line),
            "line {} of {}: {}",
            line,
            lines.len(),
            rendered
        );
        let width = lines[line - 1].trim_end_matches('\r').chars().count();
        prop_assert!(
            (1..=width + 1).contains(&col),
            "column {} on a line of {} characters: {}",
            col,
            width,
            rendered
        );
        prop_assert!(
            rendered.contains(&format!(":{line}:{col}: ")),
            "Display is FILE:LINE:COLUMN: {}",
            rendered
        );
    }
    Ok(())
}

/// One edit of a scenario's text.
#[derive(Debug, Clone)]
enum Edit {
    /// Replace the character at a position with one of YAML's structural characters.
    Char(usize, char),
    /// Drop a line.
    DropLine(usize),
    /// Duplicate a line (duplicate keys, repeated steps).
    DupLine(usize),
    /// Swap two lines (steps out of order, keys under the wrong parent).
    Swap(usize, usize),
    /// Change a line's indentation.
    Indent(usize, usize),
    /// Cut the text.
    Cut(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (
            any::<usize>(),
            prop::sample::select(vec![
                ':', '-', ' ', '\t', '"', '\'', '{', '}', '[', ']', '#', '&', '*', '!', '|', '>',
                '%', '@', '`', '$', '\n', 'x', '0', '同', '\u{feff}'
            ])
        )
            .prop_map(|(a, c)| Edit::Char(a, c)),
        any::<usize>().prop_map(Edit::DropLine),
        any::<usize>().prop_map(Edit::DupLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Swap(a, b)),
        (any::<usize>(), 0usize..9).prop_map(|(a, n)| Edit::Indent(a, n)),
        any::<usize>().prop_map(Edit::Cut),
    ]
}

fn apply(text: &str, e: &Edit) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    let n = lines.len();
    match e {
        Edit::Char(at, c) => {
            let chars: Vec<char> = text.chars().collect();
            let at = at % chars.len();
            let mut out: String = chars[..at].iter().collect();
            out.push(*c);
            out.extend(&chars[at + 1..]);
            return out;
        }
        Edit::DropLine(i) => {
            lines.remove(i % n);
        }
        Edit::DupLine(i) => {
            let l = lines[i % n].clone();
            lines.insert(i % n, l);
        }
        Edit::Swap(a, b) => lines.swap(a % n, b % n),
        Edit::Indent(i, k) => {
            let l = &mut lines[i % n];
            *l = format!("{}{}", " ".repeat(*k), l.trim_start());
        }
        Edit::Cut(at) => {
            let chars: Vec<char> = text.chars().collect();
            return chars[..at % chars.len()].iter().collect();
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Edited scenario files: no panic; every problem has a place in the file.
    #[test]
    fn edited_scenarios_never_panic_and_errors_carry_positions(
        seed in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let (path, text) = &seeds()[seed.index(seeds().len())];
        let mut t = text.clone();
        for e in &edits {
            if !t.is_empty() {
                t = apply(&t, e);
            }
        }
        if let Err(e) = parse(path, &t) {
            check_positions(&t, &e)?;
        }
    }

    /// Arbitrary short YAML-ish text: no panic; problems carry positions.
    #[test]
    fn arbitrary_text_never_panics_and_errors_carry_positions(
        t in "([a-z_]{1,8}|[:\\-\\[\\]{}#&*!|>'\" \t\n]|\\$\\{[A-Z]{0,3}\\}?|[0-9]{1,3}(ms|s|m)?){0,40}"
    ) {
        let path = repo().join("scenarios/fuzz.yaml");
        if let Err(e) = parse(&path, &t) {
            check_positions(&t, &e)?;
        }
    }

    /// Any string at all (including control characters and invalid YAML): no panic.
    #[test]
    fn any_string_never_panics(t in any::<String>()) {
        let path = repo().join("scenarios/fuzz.yaml");
        let _ = parse(&path, &t);
    }
}

/// The seeds themselves are valid, so the edits above are what makes them fail.
#[test]
fn every_seed_parses() {
    for (path, text) in seeds() {
        if let Err(e) = parse(path, text) {
            panic!("{}", e.render_plain());
        }
    }
}

/// The properties above can fail: fixed edits give errors at known places.
#[test]
fn fixed_edits_give_errors_at_their_place() {
    let (path, text) = seeds()
        .iter()
        .find(|(p, _)| p.ends_with("demo/leaky-shop.yaml"))
        .unwrap();
    let name_line = text.lines().position(|l| l.starts_with("name:")).unwrap();
    // A duplicated `name:` line: the second one is the problem.
    let e = parse(path, &apply(text, &Edit::DupLine(name_line))).unwrap_err();
    assert_eq!(e.line() as usize, name_line + 2, "{}", e.render_plain());
    assert_eq!(e.column(), 1, "{}", e.render_plain());
    check_positions(&apply(text, &Edit::DupLine(name_line)), &e).unwrap();
    // An unclosed flow mapping: a syntax error with a place.
    let t = text.replacen(
        "{ apk: apps/leaky-shop.apk }",
        "{ apk: apps/leaky-shop.apk",
        1,
    );
    let e = parse(path, &t).unwrap_err();
    assert!(e.line() > 0, "{}", e.render_plain());
    check_positions(&t, &e).unwrap();
    // A position outside the text is caught by the checker itself (that error is on line 2
    // or later; this text has one line).
    let e = parse(path, &apply(text, &Edit::DupLine(name_line))).unwrap_err();
    assert!(check_positions("one line", &e).is_err());
}
