//! The exit-code table of `docs/exit-codes.md`, end to end: for every `report, run` row a
//! bundle is built (one of the example bundles, with the row's `expect:` block written into
//! its recorded scenario and re-sealed, and a baseline that knows all or none of its
//! findings), `prior report` is run in JUnit, SARIF and text, and the exit code must be the
//! row's while JUnit and SARIF must say the same thing. Some rows are also run through
//! `prior run` on the simulated handset, and a multi-scenario run must print one JSON batch,
//! a summary table and a combined JUnit file that agree with its exit code.

use crate::util::{copy_dir, data, prior, reseal, root};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One row of the table.
#[derive(Debug, Clone)]
struct Row {
    command: String,
    violations: bool,
    incomplete: bool,
    expect: String,
    baseline: bool,
    new: bool,
    code: i32,
}

fn rows() -> Vec<Row> {
    let doc = std::fs::read_to_string(root().join("docs/exit-codes.md")).unwrap();
    let start = doc.find("<!-- exit-table: begin").expect("begin marker");
    let stop = doc.find("<!-- exit-table: end -->").expect("end marker");
    let yes = |c: &str| c == "yes";
    doc[start..stop]
        .lines()
        .filter(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            let c: Vec<String> = l
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().trim_matches('*').to_string())
                .collect();
            Row {
                command: c[0].clone(),
                violations: yes(&c[1]),
                incomplete: yes(&c[2]),
                expect: c[3].clone(),
                baseline: yes(&c[4]),
                new: yes(&c[5]),
                code: c[6].parse().unwrap(),
            }
        })
        .collect()
}

/// The example bundle for (violations, incomplete): `leaky` (fail, complete), `clean` (pass),
/// `rejected` (fail, a required source missing), `truncated` (inconclusive, cut off).
fn base(violations: bool, incomplete: bool) -> &'static str {
    match (violations, incomplete) {
        (true, false) => "leaky",
        (false, false) => "clean",
        (true, true) => "rejected",
        (false, true) => "truncated",
    }
}

/// The `expect:` block that holds (`met`) or not (`unmet`) on the base bundle.
fn expect_block(row: &Row) -> Option<&'static str> {
    let block = match (row.expect.as_str(), row.violations, row.incomplete) {
        ("none", _, _) => return None,
        ("met", true, _) => "  verdict: fail\n",
        ("unmet", true, _) => "  max_findings: 0\n",
        ("met", false, false) => "  max_findings: 0\n",
        ("unmet", false, false) => "  verdict: fail\n",
        ("met", false, true) => "  verdict: inconclusive\n",
        ("unmet", false, true) => "  verdict: pass\n",
        other => panic!("expect {other:?}"),
    };
    Some(block)
}

/// Copies the base bundle with the row's scenario text recorded in `meta.json`, re-sealed
/// when the original was sealed (as tests/data/bundles/PROVENANCE.md does).
fn bundle_for(row: &Row, dir: &Path) -> PathBuf {
    let b = dir.join("bundle");
    copy_dir(
        &data(&format!("bundles/{}", base(row.violations, row.incomplete))),
        &b,
    );
    let meta = b.join("meta.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
    let package = m["app"]["package"].as_str().unwrap().to_string();
    let mut text = format!("name: exit table row\napp: {{ package: {package} }}\n");
    if let Some(block) = expect_block(row) {
        text.push_str("expect:\n");
        text.push_str(block);
    }
    m["scenario"]["text"] = text.into();
    std::fs::write(&meta, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    if b.join("MANIFEST.sha256").exists() {
        reseal(&b);
    }
    b
}

/// A baseline that knows every finding of `bundle` (no new one), or none (all new).
fn baseline_for(row: &Row, bundle: &Path, dir: &Path) -> Option<PathBuf> {
    if !row.baseline {
        return None;
    }
    let path = dir.join("baseline.json");
    if row.new || !row.violations {
        std::fs::write(&path, "{\"baseline_format\": 1, \"findings\": []}\n").unwrap();
    } else {
        prior()
            .args(["baseline", "save"])
            .arg(bundle)
            .arg("--to")
            .arg(&path)
            .assert()
            .success();
    }
    Some(path)
}

fn report(bundles: &[&Path], format: &str, baseline: Option<&Path>) -> (i32, String) {
    let mut cmd = prior();
    cmd.arg("report").args(bundles).args(["--format", format]);
    if let Some(b) = baseline {
        cmd.arg("--baseline").arg(b);
    }
    let o = cmd.timeout(Duration::from_secs(60)).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

/// JUnit agrees with `code`: 0 → no failure and no error; 1 → a failure; 4 → no failure and
/// an error that says inconclusive or incomplete.
fn junit_agrees(xml: &str, code: i32, what: &str) {
    let failures = xml.matches("<failure ").count();
    let errors: Vec<&str> = xml.split("<error ").skip(1).collect();
    match code {
        0 => assert!(failures == 0 && errors.is_empty(), "{what}: {xml}"),
        1 => assert!(failures > 0, "{what}: {xml}"),
        4 => {
            assert_eq!(failures, 0, "{what}: {xml}");
            assert!(
                errors.iter().any(|e| {
                    let head = e.split('>').next().unwrap_or("");
                    head.contains("type=\"inconclusive\"") || head.contains("type=\"incomplete\"")
                }),
                "{what}: {xml}"
            );
        }
        other => panic!("{what}: code {other}"),
    }
}

/// SARIF agrees with `code`: results that count (error or warning, not suppressed, not
/// `unchanged`/`absent`) or an unmet-expectations notification exist exactly when it is 1;
/// the invocation's `judgement` says the same; a 0 run executed successfully and is not blind.
fn sarif_agrees(sarif: &str, code: i32, what: &str) {
    let v: serde_json::Value = serde_json::from_str(sarif).unwrap();
    for run in v["runs"].as_array().unwrap() {
        let counting = run["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| {
                matches!(r["level"].as_str(), Some("error" | "warning"))
                    && r["suppressions"].is_null()
                    && !matches!(r["baselineState"].as_str(), Some("unchanged" | "absent"))
            })
            .count();
        let inv = &run["invocations"][0];
        let unmet = inv["toolExecutionNotifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["descriptor"]["id"] == "prior/expectations-not-met");
        let fails = counting > 0 || unmet;
        assert_eq!(fails, code == 1, "{what}: {run}");
        assert_eq!(inv["properties"]["judgement"]["fails"], code == 1, "{what}");
        if code == 0 {
            assert_eq!(inv["executionSuccessful"], true, "{what}");
            assert!(
                inv["properties"]["blindSources"]
                    .as_array()
                    .unwrap()
                    .is_empty(),
                "{what}"
            );
        }
        if code == 4 {
            assert_eq!(inv["properties"]["judgement"]["incomplete"], true, "{what}");
        }
    }
}

#[test]
fn every_report_row_exits_as_documented_and_junit_and_sarif_agree() {
    let rows: Vec<Row> = rows()
        .into_iter()
        .filter(|r| r.command == "report, run")
        .collect();
    assert_eq!(rows.len(), 30);
    let tmp = tempfile::tempdir().unwrap();
    for (i, row) in rows.iter().enumerate() {
        let dir = tmp.path().join(format!("row{i}"));
        let b = bundle_for(row, &dir);
        let baseline = baseline_for(row, &b, &dir);
        let what = format!("row {i}: {row:?}");
        let (code, xml) = report(&[&b], "junit", baseline.as_deref());
        assert_eq!(code, row.code, "{what}");
        junit_agrees(&xml, code, &what);
        let (code, sarif) = report(&[&b], "sarif", baseline.as_deref());
        assert_eq!(code, row.code, "{what}");
        sarif_agrees(&sarif, code, &what);
        let (code, text) = report(&[&b], "text", baseline.as_deref());
        assert_eq!(code, row.code, "{what}");
        match row.expect.as_str() {
            "met" => assert!(text.contains("\nexpectations: met"), "{what}: {text}"),
            "unmet" => assert!(text.contains("\nexpectations: NOT met: "), "{what}: {text}"),
            _ => assert!(!text.contains("expectations:"), "{what}: {text}"),
        }
        if row.baseline && row.violations {
            let mark = if row.new {
                "=> NEW since the baseline: counts"
            } else {
                "=> does not count: unchanged since the baseline"
            };
            assert!(text.contains(mark), "{what}: {text}");
        }
    }
}

#[test]
fn analyze_rows_give_the_verdict_alone() {
    for row in rows().into_iter().filter(|r| r.command == "analyze") {
        let b = data(&format!("bundles/{}", base(row.violations, row.incomplete)));
        let o = prior()
            .arg("analyze")
            .arg(&b)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(row.code), "{row:?}");
    }
}

/// The case: a baseline that knows every violation of LEAKY must not hide that
/// TRUNCATED is incomplete — 4, in every format, as `prior run` gives.
#[test]
fn a_baseline_never_hides_an_incomplete_bundle_of_a_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let leaky = data("bundles/leaky");
    let cut = data("bundles/truncated");
    let base = tmp.path().join("base.json");
    prior()
        .args(["baseline", "save"])
        .arg(&leaky)
        .arg("--to")
        .arg(&base)
        .assert()
        .success();
    for format in ["junit", "sarif", "json", "text", "html"] {
        let (code, doc) = report(&[&leaky, &cut], format, Some(&base));
        assert_eq!(code, 4, "{format}");
        match format {
            "junit" => junit_agrees(&doc, 4, "batch"),
            "json" => {
                let v: serde_json::Value = serde_json::from_str(&doc).unwrap();
                let codes: Vec<&serde_json::Value> = v["judged"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|j| &j["exit_code"])
                    .collect();
                assert_eq!(codes, [0, 4], "{}", v["judged"]);
                assert_eq!(v["judged"][1]["reason"], "incomplete session");
            }
            "sarif" => {
                let v: serde_json::Value = serde_json::from_str(&doc).unwrap();
                assert_eq!(
                    v["runs"][1]["invocations"][0]["properties"]["judgement"]["incomplete"],
                    true
                );
                assert_eq!(
                    v["runs"][0]["invocations"][0]["properties"]["judgement"]["fails"],
                    false
                );
            }
            _ => {}
        }
        // Without the truncated bundle, the known violations alone exit 0.
        let (code, _) = report(&[&leaky], format, Some(&base));
        assert_eq!(code, 0, "{format}");
    }
    // Without a baseline the violations win (1 over 4).
    let (code, xml) = report(&[&leaky, &cut], "junit", None);
    assert_eq!(code, 1);
    junit_agrees(&xml, 1, "batch without baseline");
}

/// A copy of a demo scenario whose paths point into the repository, with `expect:` replaced.
fn demo_scenario(dir: &Path, name: &str, expect: Option<&str>) -> PathBuf {
    let demo = root().join("scenarios/demo");
    let mut text = std::fs::read_to_string(demo.join(name)).unwrap();
    if let Some(at) = text.find("\nexpect:") {
        text.truncate(at + 1);
    }
    if let Some(block) = expect {
        text.push_str("expect:\n");
        text.push_str(block);
    }
    let text = text
        .replace("apk: apps/", &format!("apk: {}/apps/", demo.display()))
        .replace(
            "models: models",
            &format!("models: {}/models", demo.display()),
        );
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn run(scenarios: &[&Path], out: &Path, extra: &[&str]) -> (i32, String, String) {
    let o = prior()
        .arg("run")
        .args(scenarios)
        .arg("--out")
        .arg(out)
        .args(extra)
        .timeout(Duration::from_secs(180))
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Rows of the table through `prior run` on the simulated handset: a violating app whose
/// `verdict: fail` holds (0), the same with `max_findings: 0` (1), and with a baseline that
/// knows none of its findings although the expectation holds (1); each run's own JUnit and
/// SARIF agree with its code.
#[test]
fn run_rows_on_the_simulated_handset_agree_with_their_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty.json");
    std::fs::write(&empty, "{\"baseline_format\": 1, \"findings\": []}\n").unwrap();
    let cases: [(&str, Option<&str>, bool, i32); 3] = [
        ("met", Some("  verdict: fail\n"), false, 0),
        ("unmet", Some("  max_findings: 0\n"), false, 1),
        ("met+new", Some("  verdict: fail\n"), true, 1),
    ];
    for (name, expect, with_baseline, want) in cases {
        let row = rows()
            .into_iter()
            .find(|r| {
                r.command == "report, run"
                    && r.violations
                    && !r.incomplete
                    && r.expect == name.trim_end_matches("+new")
                    && r.baseline == with_baseline
                    && r.new == with_baseline
            })
            .unwrap();
        assert_eq!(row.code, want, "{name}: the table says {row:?}");
        let dir = tmp.path().join(name);
        let scenario = demo_scenario(&dir, "leaky-shop.yaml", expect);
        let mut extra = vec!["--report", "junit,sarif", "--out-report"];
        let reports = dir.join("reports");
        extra.push(reports.to_str().unwrap());
        if with_baseline {
            extra.extend(["--baseline", empty.to_str().unwrap()]);
        }
        let (code, stdout, stderr) = run(&[&scenario], &dir.join("runs"), &extra);
        assert_eq!(code, want, "{name}: {stderr}");
        let file = |ext: &str| {
            let p = std::fs::read_dir(&reports)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.to_string_lossy().ends_with(ext))
                .unwrap_or_else(|| panic!("no {ext} in {}", reports.display()));
            std::fs::read_to_string(p).unwrap()
        };
        let combined = std::fs::read_to_string(reports.join("prior-run.junit.xml")).unwrap();
        junit_agrees(&combined, code, name);
        assert!(
            stderr.contains("(all 1 scenario of this run)"),
            "{name}: {stderr}"
        );
        let own = std::fs::read_dir(&reports)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                let n = p.to_string_lossy();
                n.ends_with(".junit.xml") && !n.ends_with("prior-run.junit.xml")
            })
            .unwrap();
        junit_agrees(&std::fs::read_to_string(own).unwrap(), code, name);
        sarif_agrees(&file(".sarif"), code, name);
        let line = if want == 0 {
            "\nexpectations: met, so its violations do not fail the run (expected verdict fail; got verdict fail, "
        } else if with_baseline {
            "=> NEW since the baseline: counts"
        } else {
            "\nexpectations: NOT met: "
        };
        assert!(stdout.contains(line), "{name}: {stdout}");
    }
}

/// Several scenarios: `--format json` prints ONE batch document, `--report junit` writes one
/// combined file beside the bundles (said on stderr), and the text run ends with a summary
/// table; the exit code is the worst, and the combined JUnit agrees with it.
#[test]
fn a_multi_scenario_run_prints_one_batch_a_summary_and_a_combined_junit() {
    let tmp = tempfile::tempdir().unwrap();
    let crashy = demo_scenario(&tmp.path().join("s"), "crashy.yaml", None);
    let game = demo_scenario(
        &tmp.path().join("s"),
        "no-consent-game.yaml",
        Some("  verdict: fail\n"),
    );
    let missing = tmp.path().join("s/missing.yaml");
    let out = tmp.path().join("runs");

    let (code, stdout, stderr) = run(
        &[&crashy, &game],
        &out,
        &["--format", "json", "--report", "junit"],
    );
    assert_eq!(
        code, 4,
        "crashy is incomplete, the game's findings are expected: {stderr}"
    );
    let v: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("one JSON document ({e}):\n{stdout}"));
    assert_eq!(v["batch_format"], 1);
    assert_eq!(v["summary"]["runs"], 2);
    assert_eq!(v["reports"].as_array().unwrap().len(), 2);
    assert!(v.get("errors").is_none(), "{v}");
    let reasons: Vec<&serde_json::Value> = v["judged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| &j["reason"])
        .collect();
    assert_eq!(reasons, ["incomplete session", "expectations met"], "{v}");
    let combined = out.join("prior-run.junit.xml");
    assert!(
        stderr.contains(&format!(
            "report: {} (all 2 scenarios of this run)",
            combined.display()
        )),
        "{stderr}"
    );
    let xml = std::fs::read_to_string(&combined).unwrap();
    assert_eq!(xml.matches("<testsuite ").count(), 2, "{xml}");
    junit_agrees(&xml, 4, "combined");

    // Text, with a scenario that does not load: the table lists all three, exit 2.
    let (code, stdout, stderr) = run(&[&crashy, &missing, &game], &out, &["--report", "junit"]);
    assert_eq!(code, 2, "{stderr}");
    let table = stdout
        .split("\nSummary of 3 scenarios:\n")
        .nth(1)
        .unwrap_or_else(|| panic!("a summary table:\n{stdout}"));
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0]
            .split_whitespace()
            .eq(["scenario", "verdict", "exit", "reason", "bundle"]),
        "{table}"
    );
    assert!(
        lines[1].contains("crashy.yaml") && lines[1].contains("INCONCLUSIVE  4"),
        "{table}"
    );
    assert!(
        lines[2].contains("missing.yaml") && lines[2].contains("input error"),
        "{table}"
    );
    assert!(
        lines[3].contains("no-consent-game.yaml")
            && lines[3].contains("FAIL")
            && lines[3].contains("expectations met"),
        "{table}"
    );
    assert!(lines[4].starts_with("exit code 2"), "{table}");
    let xml = std::fs::read_to_string(&combined).unwrap();
    assert_eq!(xml.matches("<testsuite ").count(), 3, "{xml}");
    let error = xml
        .split("<testsuite name=\"scenario ")
        .nth(1)
        .and_then(|suite| suite.split("<error message=\"").nth(1))
        .and_then(|e| e.split('"').next())
        .unwrap_or_else(|| panic!("a run error: {xml}"));
    assert!(
        error.contains("missing.yaml: cannot read the file") && !error.contains('\u{2502}'),
        "one plain line, not the terminal drawing: {error}"
    );
    assert!(xml.contains("type=\"input\""), "{xml}");
}

/// `allow` entries: the covered findings are marked in the text output with the entry's
/// reason; with allow entries alone, a violation they do not cover still fails the run (1),
/// and covering every one gives 0.
#[test]
fn allow_entries_are_marked_in_text_and_alone_accept_only_what_they_name() {
    let tmp = tempfile::tempdir().unwrap();
    let row = Row {
        command: "report, run".into(),
        violations: true,
        incomplete: false,
        expect: "none".into(),
        baseline: false,
        new: false,
        code: 1,
    };
    for (allow, code) in [
        (
            "  allow:\n    - rule: pre-consent-access\n      category: location\n      reason: \"Store locator JIRA-1\"\n",
            1,
        ),
        (
            "  allow:\n    - rule: pre-consent-access\n      reason: \"Store locator JIRA-1\"\n      expires: 2099-12-31\n",
            0,
        ),
    ] {
        let dir = tmp.path().join(format!("allow{code}"));
        let b = bundle_for(&row, &dir);
        let meta = b.join("meta.json");
        let mut m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
        let text = format!(
            "{}expect:\n{allow}",
            m["scenario"]["text"].as_str().unwrap()
        );
        m["scenario"]["text"] = text.into();
        std::fs::write(&meta, serde_json::to_string_pretty(&m).unwrap()).unwrap();
        reseal(&b);
        let (got, text) = report(&[&b], "text", None);
        assert_eq!(got, code, "{text}");
        assert!(
            text.contains("=> does not count: allowed by the scenario")
                && text.contains("(Store locator JIRA-1)"),
            "{text}"
        );
        let (got, xml) = report(&[&b], "junit", None);
        assert_eq!(got, code);
        junit_agrees(&xml, code, "allow");
        if code == 1 {
            assert!(
                text.contains("expectations: NOT met: ")
                    && text.contains(
                        "not covered by an allow entry (allow entries alone expect none)"
                    ),
                "{text}"
            );
        }
    }
}

/// A bundle's recorded `expect:` judges `prior report`'s exit code (as `prior run` did), and
/// `--ignore-expect` takes that judgement away from the bundle's author (docs/security.md).
#[test]
fn ignore_expect_makes_every_violation_of_a_bundle_count() {
    let dir = tempfile::tempdir().unwrap();
    let row = Row {
        command: "report".into(),
        violations: true,
        incomplete: false,
        expect: "met".into(),
        baseline: false,
        new: false,
        code: 0,
    };
    let b = bundle_for(&row, dir.path());
    let (code, _) = report(&[&b], "junit", None);
    assert_eq!(code, 0, "the recorded expect: verdict: fail is met");
    let o = prior()
        .arg("report")
        .arg(&b)
        .args(["--format", "junit", "--ignore-expect"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    junit_agrees(&String::from_utf8_lossy(&o.stdout), 1, "--ignore-expect");
}
