//! Tests over files: every example scenario, and one invalid file per error kind.

use crate::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn data(rel: &str) -> PathBuf {
    repo().join("tests/data/scenarios").join(rel)
}

fn apk() -> PathBuf {
    repo().join("tests/data/apks/app-uiautomator.apk")
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
}

#[test]
fn every_example_under_scenarios_loads() {
    let mut files = Vec::new();
    yaml_files(&repo().join("scenarios"), &mut files);
    let own: Vec<&PathBuf> = files
        .iter()
        .filter(|p| p.parent() == Some(&repo().join("scenarios")))
        .collect();
    assert!(
        own.len() >= 5,
        "expected the example scenarios, found {files:?}"
    );
    let vars = Vars::from_pairs([
        format!("APK={}", apk().display()),
        "PACKAGE=com.example.shop".to_owned(),
    ])
    .unwrap();
    for f in &files {
        // scenarios/demo/ is written by the demo helper; its APKs may be built at run time.
        let in_demo = f.components().any(|c| c.as_os_str() == "demo");
        let opts = LoadOptions {
            check_files: !in_demo,
        };
        match Scenario::load_with(f, &vars, opts) {
            Ok(s) => {
                assert!(!s.name.is_empty());
                assert!(
                    s.steps.iter().any(|st| st.step == Step::Launch),
                    "{}",
                    f.display()
                );
            }
            Err(e) => panic!("{} does not load:\n{}", f.display(), e.render_plain()),
        }
    }
}

#[test]
fn example_values_are_read_as_written() {
    let vars = Vars::from_pairs([format!("APK={}", apk().display())]).unwrap();
    let s = Scenario::load(repo().join("scenarios/first-launch-accept.yaml"), &vars).unwrap();
    assert_eq!(s.app.apk.as_deref(), Some(apk().as_path()));
    assert_eq!(s.device, DeviceSpec::Avd("prior-api34".into()));
    assert_eq!(s.profile, Some(ProfileRef::Builtin("cn-miit".into())));
    assert_eq!(s.consent.mode, ConsentMode::Auto);
    assert_eq!(s.consent.timeout, Duration::from_secs(30));
    assert!(s.consent.accept.matches("同意并继续", "", ""));
    assert!(!s.consent.accept.matches("不同意", "", ""));
    let kws: Vec<&str> = s.steps.iter().map(|st| st.step.keyword()).collect();
    assert_eq!(
        kws,
        [
            "launch",
            "wait",
            "screenshot",
            "accept_consent",
            "wait",
            "screenshot"
        ]
    );
    assert_eq!(
        s.steps[0].at,
        Pos {
            line: 18,
            column: 5
        }
    );
    assert_eq!(s.expect.max_findings, Some(0));
    assert!(
        s.source.contains("${APK}"),
        "source is kept before substitution"
    );
    assert!(s.name.ends_with("app-uiautomator.apk)"), "{}", s.name);

    // SERIAL falls back to its default.
    let s = Scenario::load(repo().join("scenarios/reject-consent.yaml"), &vars).unwrap();
    assert_eq!(s.device, DeviceSpec::Serial("emulator-5554".into()));
    let mut vars2 = vars.clone();
    vars2.set("SERIAL", "127.0.0.1:5555");
    let s = Scenario::load(repo().join("scenarios/reject-consent.yaml"), &vars2).unwrap();
    assert_eq!(s.device, DeviceSpec::Serial("127.0.0.1:5555".into()));
    assert_eq!(s.consent.mode, ConsentMode::Reject);
}

#[test]
fn every_key_is_read() {
    let s = Scenario::load(data("ok/every-key.yaml"), &Vars::new()).unwrap();
    assert_eq!(
        s.description.as_deref(),
        Some("Exercises every key of the format.\n")
    );
    assert_eq!(s.app.package.as_deref(), Some("com.example.app"));
    assert_eq!(s.app.activity.as_deref(), Some("com.example.app/.Main"));
    match &s.device {
        DeviceSpec::Simulated(o) => {
            assert_eq!(o.seed, Some(42));
            assert_eq!(o.models.as_deref(), Some(data("ok/.").as_path()));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.profile, Some(ProfileRef::Builtin("gdpr".into())));
    assert_eq!(s.consent.mode, ConsentMode::Manual);
    assert_eq!(s.consent.timeout, Duration::from_secs(90));
    // All three keys must match the same node.
    assert!(
        s.consent
            .screen
            .matches("隐私", "Privacy", "com.x:id/dialog")
    );
    assert!(
        !s.consent
            .screen
            .matches("隐私", "Privacy", "com.x:id/other")
    );
    assert!(s.consent.accept.matches("", "", "com.x:id/agree"));
    assert!(s.consent.reject.matches("", "Disagree", ""));
    assert!(
        !s.consent.reject.matches("Disagree", "", ""),
        "desc must not look at text"
    );
    let steps: Vec<&Step> = s.steps.iter().map(|st| &st.step).collect();
    assert_eq!(steps[0], &Step::Wait(Duration::from_millis(500)));
    assert_eq!(steps[1], &Step::Screenshot("before-launch".into()));
    match steps[5] {
        Step::Tap { target, timeout } => {
            // `yes` stays the text `yes` (not the boolean `true`).
            assert_eq!(target.text.as_ref().map(Pattern::as_str), Some("yes"));
            assert_eq!(*timeout, Duration::from_secs(3));
        }
        other => panic!("{other:?}"),
    }
    match steps[7] {
        Step::WaitFor {
            target: WaitTarget::Activity(a),
            timeout,
        } => {
            assert_eq!(a, ".Main");
            assert_eq!(*timeout, Duration::from_secs(10));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.expect.max_findings, Some(3));
    assert_eq!(s.expect.verdict, Some(prior_model::Verdict::Inconclusive));
    assert_eq!(s.expect.allow.len(), 2);
    assert_eq!(
        s.expect.allow[0].expires,
        Some(Date {
            year: 2099,
            month: 12,
            day: 31
        })
    );
    assert_eq!(
        s.expect.allow[0].category,
        Some(prior_model::DataCategory::DeviceIdentifiers)
    );
    assert_eq!(s.expect.allow[1].reason, "${NOT_A_VAR} literal");
    assert!(s.warnings.is_empty());
}

#[test]
fn minimal_scenario_gets_defaults() {
    let s = Scenario::load(data("ok/minimal.yaml"), &Vars::new()).unwrap();
    assert_eq!(s.device, DeviceSpec::Any);
    assert_eq!(s.profile, None);
    assert_eq!(s.consent.mode, ConsentMode::Auto);
    assert_eq!(s.consent.timeout, Duration::from_secs(30));
    let steps: Vec<Step> = s.steps.iter().map(|st| st.step.clone()).collect();
    assert_eq!(
        steps,
        [
            Step::Launch,
            Step::AcceptConsent,
            Step::Wait(Duration::from_secs(10))
        ]
    );
    assert!(s.consent.reject.matches("Reject all", "", ""));

    let text = "name: R\napp: { package: com.example.shop }\nconsent: { mode: reject }\n";
    let s = Scenario::parse(
        Path::new("r.yaml"),
        text,
        &Vars::new(),
        LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(s.steps[1].step, Step::RejectConsent);
}

/// Loads an invalid fixture and checks its first error.
fn expect_error(
    file: &str,
    vars: &Vars,
    kind: ErrorKind,
    line: u32,
    column: u32,
    message: &str,
    fix: &str,
) -> ScenarioError {
    let path = data(&format!("errors/{file}"));
    let e = match Scenario::load(&path, vars) {
        Ok(s) => panic!("{file} loaded: {s:?}"),
        Err(e) => e,
    };
    assert_eq!(e.kind(), kind, "{file}: {}", e.render_plain());
    assert_eq!(
        (e.line(), e.column()),
        (line, column),
        "{file}: {}",
        e.render_plain()
    );
    assert!(
        e.message().contains(message),
        "{file}: message {:?} lacks {message:?}",
        e.message()
    );
    assert!(
        e.fix().is_some_and(|f| f.contains(fix)),
        "{file}: fix {:?} lacks {fix:?}",
        e.fix()
    );
    // Display names the file, line and column.
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!("{}:{line}:{column}: ", path.display())),
        "{shown}"
    );
    e
}

#[test]
fn error_syntax() {
    expect_error(
        "syntax.yaml",
        &Vars::new(),
        ErrorKind::Syntax,
        3,
        6,
        "did not find expected ',' or '}'",
        "is not closed",
    );
}

#[test]
fn error_duplicate_key() {
    expect_error(
        "duplicate-key.yaml",
        &Vars::new(),
        ErrorKind::DuplicateKey,
        3,
        1,
        "duplicate mapping key: name",
        "once per mapping",
    );
}

#[test]
fn error_unknown_key() {
    expect_error(
        "unknown-key.yaml",
        &Vars::new(),
        ErrorKind::UnknownKey,
        5,
        3,
        "unknown key `tiemout` in consent",
        "did you mean `timeout`?",
    );
}

#[test]
fn error_missing_key() {
    expect_error(
        "missing-key.yaml",
        &Vars::new(),
        ErrorKind::MissingKey,
        1,
        1,
        "missing key `app`",
        "app: { apk:",
    );
    expect_error(
        "empty.yaml",
        &Vars::new(),
        ErrorKind::MissingKey,
        1,
        1,
        "the file is empty",
        "`name:` and `app:`",
    );
}

#[test]
fn error_wrong_type() {
    expect_error(
        "wrong-type.yaml",
        &Vars::new(),
        ErrorKind::WrongType,
        2,
        6,
        "app must be a mapping, found a single value",
        "app: { apk:",
    );
}

#[test]
fn error_invalid_value() {
    expect_error(
        "invalid-mode.yaml",
        &Vars::new(),
        ErrorKind::InvalidValue,
        4,
        9,
        "unknown consent mode `automatic`",
        "auto (Prior accepts)",
    );
    expect_error(
        "bad-package.yaml",
        &Vars::new(),
        ErrorKind::InvalidValue,
        2,
        17,
        "is not a package name",
        "com.example.shop",
    );
    expect_error(
        "bad-screenshot.yaml",
        &Vars::new(),
        ErrorKind::InvalidValue,
        5,
        17,
        "`../../etc/passwd` is not a screenshot name",
        "no `..`",
    );
    expect_error(
        "unknown-step.yaml",
        &Vars::new(),
        ErrorKind::InvalidValue,
        4,
        5,
        "unknown step `launchApp`",
        "in Prior write `launch`",
    );
    let e = expect_error(
        "bad-allow.yaml",
        &Vars::new(),
        ErrorKind::InvalidValue,
        5,
        19,
        "unknown data category `locaton`",
        "did you mean `location`?",
    );
    let second = &e.others()[0];
    assert_eq!((second.line(), second.column()), (6, 57));
    assert_eq!(second.message(), "`2027-02-30` is not a date");
}

#[test]
fn error_duration() {
    expect_error(
        "bad-duration.yaml",
        &Vars::new(),
        ErrorKind::Duration,
        5,
        11,
        "`10` has no unit",
        "`10s`",
    );
}

#[test]
fn error_regex() {
    expect_error(
        "bad-regex.yaml",
        &Vars::new(),
        ErrorKind::Regex,
        4,
        19,
        "invalid regex for consent.accept.text: unclosed group",
        "Rust regex syntax",
    );
}

#[test]
fn error_undefined_variable() {
    expect_error(
        "undefined-var.yaml",
        &Vars::new(),
        ErrorKind::UndefinedVariable,
        2,
        19,
        "undefined variable `APK`",
        "-e APK=VALUE",
    );
    // Defined: the same file loads past the variable (and then fails on the missing file).
    let vars = Vars::from_pairs(["APK=nope.apk"]).unwrap();
    expect_error(
        "undefined-var.yaml",
        &vars,
        ErrorKind::FileNotFound,
        2,
        13,
        "APK file `apps/nope.apk` not found",
        "relative to the scenario file",
    );
}

#[test]
fn error_variable_syntax() {
    expect_error(
        "var-syntax.yaml",
        &Vars::new(),
        ErrorKind::VariableSyntax,
        2,
        18,
        "`${` without a closing `}`",
        "$${",
    );
}

#[test]
fn error_file_not_found() {
    let e = expect_error(
        "apk-not-found.yaml",
        &Vars::new(),
        ErrorKind::FileNotFound,
        2,
        13,
        "APK file `apps/missing.apk` not found",
        "relative to the scenario file",
    );
    assert!(
        e.message().contains("errors/apps/missing.apk"),
        "{}",
        e.message()
    );
    // Without file checks it loads.
    let s = Scenario::load_with(
        data("errors/apk-not-found.yaml"),
        &Vars::new(),
        LoadOptions { check_files: false },
    )
    .unwrap();
    assert_eq!(s.app.apk, Some(data("errors/apps/missing.apk")));
}

#[test]
fn error_steps() {
    expect_error(
        "no-launch.yaml",
        &Vars::new(),
        ErrorKind::Steps,
        4,
        3,
        "never `launch`",
        "add `- launch`",
    );
    expect_error(
        "step-before-launch.yaml",
        &Vars::new(),
        ErrorKind::Steps,
        5,
        5,
        "`tap` comes before `launch`",
        "move `- launch` above",
    );
}

#[test]
fn error_consent_mode() {
    expect_error(
        "accept-in-reject.yaml",
        &Vars::new(),
        ErrorKind::ConsentMode,
        6,
        5,
        "`accept_consent` is not allowed in `reject` mode",
        "reject_consent",
    );
}

#[test]
fn error_io() {
    let e = Scenario::load(data("errors/does-not-exist.yaml"), &Vars::new()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert_eq!(e.pos(), None);
    assert!(
        e.to_string()
            .contains("does-not-exist.yaml: cannot read the file"),
        "{e}"
    );
}

#[test]
fn all_problems_of_a_file_are_reported_in_order() {
    let e = expect_error(
        "several.yaml",
        &Vars::new(),
        ErrorKind::InvalidValue,
        3,
        9,
        "exactly one of serial, avd, simulated",
        "device: { serial:",
    );
    let rest: Vec<(ErrorKind, u32, u32)> = e
        .others()
        .iter()
        .map(|x| (x.kind(), x.line(), x.column()))
        .collect();
    assert_eq!(
        rest,
        [(ErrorKind::Duration, 5, 12), (ErrorKind::Duration, 8, 11)]
    );
    let plain = e.render_plain();
    assert_eq!(plain.matches("help: ").count(), 3, "{plain}");
}

#[test]
fn diagnostic_labels_the_offending_text() {
    use miette::Diagnostic;
    let e = expect_error(
        "unknown-key.yaml",
        &Vars::new(),
        ErrorKind::UnknownKey,
        5,
        3,
        "tiemout",
        "timeout",
    );
    let labels: Vec<miette::LabeledSpan> = e.labels().expect("labels").collect();
    assert_eq!(labels.len(), 1);
    let src = std::fs::read_to_string(data("errors/unknown-key.yaml")).unwrap();
    let span = labels[0].inner();
    assert_eq!(&src[span.offset()..span.offset() + span.len()], "tiemout");
    assert!(e.source_code().is_some());
    assert!(Diagnostic::help(&e).is_some_and(|h| h.to_string().contains("timeout")));

    // A multi-byte line: the span is in bytes, the column in characters.
    let e = expect_error(
        "bad-regex.yaml",
        &Vars::new(),
        ErrorKind::Regex,
        4,
        19,
        "unclosed",
        "regex",
    );
    let span = e
        .labels()
        .expect("labels")
        .next()
        .expect("one label")
        .inner()
        .to_owned();
    let src = std::fs::read_to_string(data("errors/bad-regex.yaml")).unwrap();
    assert_eq!(
        &src[span.offset()..span.offset() + span.len()],
        "\"^(同意$\""
    );
    let several = expect_error(
        "several.yaml",
        &Vars::new(),
        ErrorKind::InvalidValue,
        3,
        9,
        "",
        "",
    );
    assert_eq!(several.related().expect("related").count(), 2);
}

fn parse(text: &str, vars: &Vars) -> Result<Scenario, ScenarioError> {
    Scenario::parse(
        Path::new("inline.yaml"),
        text,
        vars,
        LoadOptions { check_files: false },
    )
}

#[test]
fn variables_cannot_change_structure() {
    // A value that looks like YAML stays one value.
    let vars = Vars::from_pairs(["N=x\", steps: [reboot], y: \"", "T=^OK$\" }\n  - back"]).unwrap();
    let s = parse("name: \"${N}\"\napp: { package: com.example.shop }\nsteps:\n  - launch\n  - tap: { text: \"${T}\" }\n", &vars).unwrap();
    assert_eq!(s.name, "x\", steps: [reboot], y: \"");
    assert_eq!(s.steps[1].step.keyword(), "tap");
    assert_eq!(s.steps.len(), 2);
    // …and it is validated like a literal value.
    let vars = Vars::from_pairs(["P=com.x; reboot"]).unwrap();
    let e = parse("name: n\napp: { package: \"${P}\" }\n", &vars).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    assert_eq!((e.line(), e.column()), (2, 17));
}

#[test]
fn names_spanning_lines_are_rejected() {
    let e = parse(
        "name: \"a\\nb\"\napp: { package: com.example.shop }\n",
        &Vars::new(),
    )
    .unwrap_err();
    assert_eq!(e.message(), "name must be one line");
}

#[test]
fn warnings_for_no_consent_step_and_expired_allow() {
    let s = parse(
        "name: n\napp: { package: com.example.shop }\nsteps: [launch]\nexpect:\n  allow:\n    - { rule: r, reason: old, expires: 2001-01-01 }\n",
        &Vars::new(),
    )
    .unwrap();
    let msgs: Vec<(&str, u32)> = s
        .warnings
        .iter()
        .map(|w| (w.message.as_str(), w.at.line))
        .collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs[0].0.contains("never answered"));
    assert!(msgs[1].0.contains("expired on 2001-01-01"));
    assert_eq!(msgs[1].1, 6);
}

#[test]
fn more_step_rules() {
    let v = Vars::new();
    let e = parse("name: n\napp: { package: a.b }\nsteps:\n  - launch\n  - accept_consent\n  - accept_consent\n", &v).unwrap_err();
    assert_eq!((e.kind(), e.line()), (ErrorKind::Steps, 6));
    assert!(
        e.message()
            .contains("second consent step (the first is at line 5)")
    );
    let e = parse(
        "name: n\napp: { package: a.b }\nsteps:\n  - launch\n  - reject_consent\n",
        &v,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConsentMode);
    let e = parse(
        "name: n\napp: { package: a.b }\nsteps:\n  - launch\n  - launch\n",
        &v,
    )
    .unwrap_err();
    assert!(e.message().contains("more than once"));
    let e = parse("name: n\napp: { package: a.b }\nsteps:\n  - wait 10s\n", &v).unwrap_err();
    assert_eq!(e.fix(), Some("put a colon after the keyword: `wait: 10s`"));
    let e = parse(
        "name: n\napp: { package: a.b }\nsteps:\n  - launch\n  - wait\n",
        &v,
    )
    .unwrap_err();
    assert_eq!(e.message(), "step `wait` needs a value");
    let e = parse(
        "name: n\napp: { package: a.b }\nsteps:\n  - launch: now\n",
        &v,
    )
    .unwrap_err();
    assert_eq!(e.message(), "step `launch` takes no value");
    let e = parse(
        "name: n\napp: { package: a.b }\nsteps:\n  - launch\n  - tap: { text: OK }\n    wait: 1s\n",
        &v,
    )
    .unwrap_err();
    assert!(
        e.message().contains("more than one step"),
        "{}",
        e.message()
    );
    assert_eq!((e.line(), e.column()), (6, 5));
    let e = parse(
        "name: n\napp: { package: a.b }\nsteps:\n  - launch\n  - tap: { timeout: 1s }\n",
        &v,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MissingKey);
    let e = parse("name: n\napp: { package: a.b }\nsteps:\n  - launch\n  - wait_for: { activity: .A, text: x }\n", &v).unwrap_err();
    assert!(e.message().contains("not both"));
    let e = parse(
        "name: n\napp: { package: a.b }\nsteps:\n  - launch\n  - screenshot: a\n  - screenshot: a\n",
        &v,
    );
    // Duplicate screenshot names would overwrite each other.
    assert!(e.is_err(), "duplicate screenshot names must be rejected");
}

#[test]
fn device_and_profile_forms() {
    let v = Vars::new();
    let dev = |d: &str| {
        parse(
            &format!("name: n\napp: {{ package: a.b }}\ndevice: {d}\n"),
            &v,
        )
    };
    assert_eq!(
        dev("simulated").unwrap().device,
        DeviceSpec::Simulated(SimulatedOptions::default())
    );
    assert_eq!(
        dev("{ simulated: }").unwrap().device,
        DeviceSpec::Simulated(SimulatedOptions::default())
    );
    assert_eq!(dev("any").unwrap().device, DeviceSpec::Any);
    let e = dev("emulator-5554").unwrap_err();
    assert_eq!(
        e.fix(),
        Some("for an adb serial write `device: { serial: emulator-5554 }`")
    );
    assert_eq!(
        dev("{ serial: \"a b\" }").unwrap_err().kind(),
        ErrorKind::InvalidValue
    );
    assert_eq!(
        dev("{ avd: \"x/y\" }").unwrap_err().kind(),
        ErrorKind::InvalidValue
    );
    assert_eq!(
        dev("{ simulated: { seed: -1 } }").unwrap_err().kind(),
        ErrorKind::InvalidValue
    );
    assert_eq!(dev("{ usb: x }").unwrap_err().kind(), ErrorKind::UnknownKey);

    let prof = |p: &str| {
        parse(
            &format!("name: n\napp: {{ package: a.b }}\nprofile: {p}\n"),
            &v,
        )
    };
    assert_eq!(
        prof("gdpr").unwrap().profile,
        Some(ProfileRef::Builtin("gdpr".into()))
    );
    assert_eq!(
        prof("profiles/my.toml").unwrap().profile,
        Some(ProfileRef::File(PathBuf::from("profiles/my.toml")))
    );
    let e = prof("cn-mitt").unwrap_err();
    assert!(
        e.fix()
            .is_some_and(|f| f.starts_with("did you mean `cn-miit`?"))
    );
}

#[test]
fn expect_is_recorded_typed_with_patterns_as_written() {
    // Judging moved to the analyzer (prior-analyze stages/expect.rs); this is what it reads.
    let s = parse(
        "name: n\napp: { package: a.b }\nexpect:\n  max_findings: 0\n  verdict: fail\n  allow:\n    - { rule: pre-consent-access, category: location, reason: ok, expires: 2030-06-30 }\n    - { api: \"^IClipboard\\\\.\", reason: ok }\n",
        &Vars::new(),
    )
    .unwrap();
    let r = s.expect.record();
    assert_eq!(r.max_findings, Some(0));
    assert_eq!(r.verdict, Some(prior_model::Verdict::Fail));
    assert_eq!(r.allow.len(), 2);
    assert_eq!(r.allow[0].rule.as_deref(), Some("pre-consent-access"));
    assert_eq!(
        r.allow[0].category,
        Some(prior_model::DataCategory::Location)
    );
    assert_eq!(
        r.allow[0].expires.map(|d| d.to_string()).as_deref(),
        Some("2030-06-30")
    );
    assert_eq!(r.allow[1].api.as_deref(), Some("^IClipboard\\."));
}

#[test]
fn dates() {
    assert_eq!(
        Date::parse("2024-02-29"),
        Some(Date {
            year: 2024,
            month: 2,
            day: 29
        })
    );
    assert_eq!(Date::parse("2023-02-29"), None);
    assert_eq!(Date::parse("2023-13-01"), None);
    assert_eq!(Date::parse("2023-1-01"), None);
    assert_eq!(
        Date::from_unix_seconds(0),
        Date {
            year: 1970,
            month: 1,
            day: 1
        }
    );
    assert_eq!(
        Date::from_unix_seconds(951_782_400),
        Date {
            year: 2000,
            month: 2,
            day: 29
        }
    );
    assert_eq!(
        Date::from_unix_seconds(1_798_761_599),
        Date {
            year: 2026,
            month: 12,
            day: 31
        }
    );
}

#[test]
fn check_reports_every_file() {
    let files = [
        data("ok/minimal.yaml"),
        data("errors/syntax.yaml"),
        data("errors/no-launch.yaml"),
    ];
    let results = check(&files, &Vars::new());
    let ok: Vec<bool> = results.iter().map(|r| r.result.is_ok()).collect();
    assert_eq!(ok, [true, false, false]);
    assert_eq!(results[2].path, files[2].as_path());
}

#[test]
fn docs_list_the_default_wording() {
    let doc = std::fs::read_to_string(repo().join("docs/scenarios.md")).unwrap();
    for lang in wording::LANGUAGES {
        let row = format!(
            "| {} | {} | {} | {} | {} |",
            lang.lang,
            lang.screen.join(", "),
            lang.accept.join(", "),
            lang.reject.join(", "),
            lang.tick.join(", ")
        );
        assert!(
            doc.contains(&row),
            "docs/scenarios.md is out of date; expected row:\n{row}"
        );
    }
}

#[test]
fn hostile_input_does_not_panic() {
    let v = Vars::new();
    for text in [
        "",
        "\0",
        "[",
        "{",
        "- - - -",
        "name: [",
        "? [a]\n: b",
        "name: !!binary aGVsbG8=\napp: {package: a.b}",
        "a: &x [*x]",
        "name: n\napp: { package: a.b }\nsteps: [ { tap: { text: \"(((((((((\" } } ]",
        &"[".repeat(10_000),
        &format!("name: {}", "x".repeat(2 << 20)),
        "name: n\napp: { package: a.b }\nsteps:\n  - tap: { text: \"a{1000}{1000}{1000}\" }\n",
    ] {
        let _ = parse(text, &v);
    }
}

#[test]
fn manual_consent_waits_five_minutes_unless_the_scenario_says_otherwise() {
    let base = "name: n\napp: { package: com.example.shop }\n";
    let timeout = |consent: &str| {
        parse(&format!("{base}{consent}"), &Vars::new())
            .unwrap()
            .consent
            .timeout
    };
    assert_eq!(
        timeout("consent: { mode: manual }\n"),
        Duration::from_secs(300)
    );
    assert_eq!(
        timeout("consent: { mode: manual, timeout: 20s }\n"),
        Duration::from_secs(20)
    );
    assert_eq!(
        timeout("consent: { mode: auto }\n"),
        Duration::from_secs(30)
    );
    assert_eq!(
        timeout("consent: { mode: reject }\n"),
        Duration::from_secs(30)
    );
}

#[test]
fn honey_is_absent_by_default_and_takes_only_a_boolean() {
    let parse = |extra: &str| {
        Scenario::parse(
            Path::new("h.yaml"),
            &format!("name: H\napp: {{ package: com.example.shop }}\n{extra}"),
            &Vars::new(),
            LoadOptions::default(),
        )
    };
    assert_eq!(parse("").unwrap().honey, None);
    assert_eq!(parse("honey: false\n").unwrap().honey, Some(false));
    assert_eq!(parse("honey: true\n").unwrap().honey, Some(true));
    let e = parse("honey: maybe\n").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidValue);
    assert!(
        e.message().contains("honey must be true or false"),
        "{}",
        e.message()
    );
}
