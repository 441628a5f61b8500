//! Hostile bundles, APKs and scenarios (issue 12): each defect as a regression test.

/// Item 5: control characters and bidirectional overrides from a bundle or a scenario never
/// reach the terminal raw; their escaped form is shown instead.
mod escape {
    use crate::util::{data, prior, root};
    use std::path::{Path, PathBuf};

    /// ESC, BEL, a lone CR, a C1 CSI and a right-to-left override.
    const HOSTILE: &str = "x\u{1b}[31mred\u{7}\r\u{9b}2J\u{202e}gnp";

    /// Fails when `bytes` (a whole stdout or stderr) holds a raw ESC, BEL, lone CR, DEL, C1
    /// control or bidirectional formatting character.
    fn assert_clean(what: &str, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        let raw: Vec<String> = text
            .char_indices()
            .filter(|&(i, c)| {
                let lone_cr = c == '\r' && !text[i + 1..].starts_with('\n');
                (c.is_control() && c != '\n' && c != '\t' && c != '\r')
                    || lone_cr
                    || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}')
                    || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            })
            .map(|(i, c)| format!("U+{:04X} at byte {i}", c as u32))
            .collect();
        assert!(
            raw.is_empty(),
            "{what} holds raw {raw:?}:\n{}",
            text.escape_debug()
        );
    }

    /// A miette diagnostic's text with its wrapping undone: each line's margin (`×`, `│`,
    /// spaces) dropped and the lines joined without a separator.
    fn unwrapped(err: &str) -> String {
        err.lines()
            .map(|l| l.trim_start_matches([' ', '×', '│']))
            .collect()
    }

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let (p, t) = (e.path(), to.join(e.file_name()));
            if p.is_dir() {
                copy_dir(&p, &t);
            } else {
                std::fs::copy(&p, &t).unwrap();
            }
        }
    }

    /// The leaky example bundle in `dir`, with `edit` applied to its `meta.json`.
    fn bundle_with_meta(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
        let b = dir.join("bundle");
        copy_dir(&data("bundles/leaky"), &b);
        let meta = b.join("meta.json");
        let mut m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
        edit(&mut m);
        std::fs::write(&meta, serde_json::to_string_pretty(&m).unwrap()).unwrap();
        b
    }

    fn output(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
        let out = cmd.output().expect("prior runs");
        assert_clean("stdout", &out.stdout);
        assert_clean("stderr", &out.stderr);
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    #[test]
    fn a_status_state_quoted_in_the_meta_json_error_is_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let b = bundle_with_meta(dir.path(), |m| m["status"]["state"] = HOSTILE.into());
        let (code, _, err) = output(prior().arg("analyze").arg(&b));
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("unknown variant"), "{err}");
        assert!(
            unwrapped(&err).contains(r"x\u{1b}[31mred\u{7}\u{d}\u{9b}2J\u{202e}gnp"),
            "{err}"
        );
    }

    #[test]
    fn a_harness_record_type_quoted_in_the_harness_error_is_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let b = dir.path().join("bundle");
        copy_dir(&data("bundles/leaky"), &b);
        let harness = b.join("harness.jsonl");
        let text = std::fs::read_to_string(&harness).unwrap();
        let hostile = serde_json::to_string(HOSTILE).unwrap();
        let edited = text.replacen(
            r#""type":"appops_snapshot""#,
            &format!(r#""type":{hostile}"#),
            1,
        );
        assert_ne!(edited, text, "the fixture has an appops_snapshot record");
        std::fs::write(&harness, edited).unwrap();
        let (code, _, err) = output(prior().arg("analyze").arg(&b));
        assert_ne!(code, 0, "{err}");
        assert!(
            unwrapped(&err).contains(r"x\u{1b}[31mred\u{7}\u{d}\u{9b}2J\u{202e}gnp"),
            "{err}"
        );
    }

    #[test]
    fn a_file_name_not_listed_in_the_manifest_is_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let b = dir.path().join("bundle");
        copy_dir(&data("bundles/leaky"), &b);
        std::fs::write(
            b.join("raw/ipc").join("e\u{1b}]0;owned\u{7}\u{202e}txt"),
            "x",
        )
        .unwrap();
        let (code, out, err) = output(prior().arg("analyze").arg(&b));
        assert_ne!(code, 0, "{out}{err}");
        let all = format!("{out}{err}");
        assert!(all.contains("not listed"), "{all}");
        assert!(
            all.contains(r"raw/ipc/e\u{1b}]0;owned\u{7}\u{202e}txt"),
            "{all}"
        );
    }

    /// With `--format json` the escape is JSON's own: the output parses and the string
    /// decodes to the bundle's value, yet no raw control character is written.
    #[test]
    fn json_on_stdout_stays_valid_and_keeps_the_value() {
        let dir = tempfile::tempdir().unwrap();
        let b = bundle_with_meta(dir.path(), |m| m["scenario"]["name"] = HOSTILE.into());
        let (_, out, err) = output(
            prior()
                .args(["analyze", "--allow-modified", "--format", "json"])
                .arg(&b),
        );
        let r: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| {
            panic!("stdout is JSON ({e}): {err}");
        });
        let shown = out.contains(r"\u202e") && out.contains(r"\u009b");
        assert!(shown, "escaped in JSON notation: {out}");
        fn holds(v: &serde_json::Value, s: &str) -> bool {
            match v {
                serde_json::Value::String(x) => x == s,
                serde_json::Value::Array(a) => a.iter().any(|v| holds(v, s)),
                serde_json::Value::Object(o) => o.values().any(|v| holds(v, s)),
                _ => false,
            }
        }
        assert!(
            holds(&r, HOSTILE),
            "the decoded value is the bundle's: {out}"
        );
    }

    /// A scenario for the polite-news demo app on the in-process simulated handset, named
    /// `name` (YAML double-quoted escapes: `\e`, `\a`, `\u202e`).
    fn polite_scenario(dir: &Path, name: &str) -> PathBuf {
        let apk = root().join("scenarios/demo/apps/polite-news.apk");
        let models = root().join("scenarios/demo/models");
        let text = format!(
            "name: \"{name}\"\n\
             app: {{ apk: {apk:?} }}\n\
             device: {{ simulated: {{ models: {models:?} }} }}\n\
             profile: gdpr\n\
             consent:\n  mode: auto\n  timeout: 15s\n  screen: {{ text: \"(?i)privacy\" }}\n  accept: {{ text: \"^Accept$\" }}\n\
             steps:\n  - launch\n  - accept_consent\n"
        );
        let path = dir.join("hostile.yaml");
        std::fs::write(&path, text).unwrap();
        path
    }

    const YAML_NAME: &str = r"Polite \e[2J\e]0;owned\a\r\u202e";
    const SHOWN_NAME: &str = r"Polite \u{1b}[2J\u{1b}]0;owned\u{7}\u{d}\u{202e}";

    #[test]
    fn a_scenario_name_is_escaped_by_prior_check() {
        let dir = tempfile::tempdir().unwrap();
        let s = polite_scenario(dir.path(), YAML_NAME);
        let (code, out, err) = output(prior().arg("check").arg(&s));
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains(&format!("({SHOWN_NAME})")), "{out}");
    }

    #[test]
    fn a_scenario_name_is_escaped_in_the_run_header_and_the_report() {
        let dir = tempfile::tempdir().unwrap();
        let s = polite_scenario(dir.path(), YAML_NAME);
        let (code, out, err) = output(
            prior()
                .arg("run")
                .arg(&s)
                .arg("--out")
                .arg(dir.path().join("out")),
        );
        assert_eq!(code, 0, "{out}{err}");
        assert!(err.starts_with(SHOWN_NAME), "the header: {err}");
        let in_report = format!("scenario \"{SHOWN_NAME}\"");
        assert!(out.contains(&in_report), "the report: {out}");
    }

    /// The source snippet of a scenario diagnostic is escaped, and its label still underlines
    /// the offending key after the escapes lengthened the line.
    #[test]
    fn a_diagnostic_source_snippet_is_escaped_and_its_label_still_points_at_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.yaml");
        std::fs::write(
            &path,
            "name: x\napp: { apk: app.apk }\ndevice: any\nsteps:\n  - launch\n  \
             - tap: { text: \"\u{202e}\u{2066}abc\", bogus: 1 }\n",
        )
        .unwrap();
        let (code, _, err) = output(prior().arg("check").arg(&path));
        assert_ne!(code, 0, "{err}");
        let shown = r#"- tap: { text: "\u{202e}\u{2066}abc", bogus: 1 }"#;
        let line = err
            .lines()
            .find(|l| l.contains(shown))
            .unwrap_or_else(|| panic!("the escaped source line: {err}"));
        let key_col = line.find("bogus").unwrap();
        // The label's underline (the line after) starts under `bogus`.
        let lines: Vec<&str> = err.lines().collect();
        let at = lines.iter().position(|l| *l == line).unwrap();
        let underline = lines[at + 1];
        let start = underline
            .char_indices()
            .find(|&(_, c)| c == '─' || c == '┬' || c == '^')
            .map(|(i, _)| underline[..i].chars().count());
        assert_eq!(
            start,
            Some(line[..key_col].chars().count()),
            "label under `bogus`:\n{line}\n{underline}"
        );

        // A raw ESC the YAML parser stops at is shown escaped in message and snippet, the
        // label on the escape.
        std::fs::write(
            &path,
            "name: x\napp: { apk: app.apk }\ndevice: any\nsteps:\n  - launch\n  \
             - tap: { text: \"\u{202e}\u{1b}[2J\u{7}\" }\n",
        )
        .unwrap();
        let (code, _, err) = output(prior().arg("check").arg(&path));
        assert_ne!(code, 0, "{err}");
        assert!(err.contains(r"unexpected character: `\u{1b}'"), "{err}");
        let lines: Vec<&str> = err.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.contains(r#"- tap: { text: "\u{202e}\u{1b}[2J\u{7}" }"#))
            .unwrap_or_else(|| panic!("the escaped source line: {err}"));
        let escape_col = lines[at]
            .find(r"\u{1b}")
            .map(|i| lines[at][..i].chars().count());
        let marker_col = lines[at + 1]
            .char_indices()
            .find(|&(_, c)| matches!(c, '─' | '┬' | '▲'))
            .map(|(i, _)| lines[at + 1][..i].chars().count());
        assert_eq!(marker_col, escape_col, "{err}");
    }

    /// A bidi override in a hostile value's path is escaped in an I/O error too.
    #[test]
    fn a_missing_scenario_path_with_controls_is_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no\u{1b}[31mfile\u{202e}.yaml");
        let (code, _, err) = output(prior().arg("check").arg(&path));
        assert_ne!(code, 0, "{err}");
        assert!(err.contains(r"no\u{1b}[31mfile\u{202e}.yaml"), "{err}");
    }
}
