//! Unit tests of the command line: every command's arguments through clap's
//! `try_parse_from` (what parses, what is refused and how), the `--device` forms, and the
//! exit codes (the constants, `docs/exit-codes.md`, and the errors that carry them).

use crate::{Cli, CliError, Command, exit};
use clap::Parser;
use clap::error::ErrorKind;

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("prior").chain(args.iter().copied()))
}

fn ok(args: &[&str]) -> Command {
    match parse(args) {
        Ok(cli) => cli.command,
        Err(e) => panic!("{args:?} should parse: {e}"),
    }
}

fn refused(args: &[&str]) -> ErrorKind {
    match parse(args) {
        Ok(cli) => panic!("{args:?} should be refused, parsed as {:?}", cli.command),
        Err(e) => e.kind(),
    }
}

/// The parsed arguments as `Debug` shows them (the fields are private to each command).
fn debug(args: &[&str]) -> String {
    format!("{:?}", ok(args))
}

#[test]
fn every_command_parses_its_documented_form() {
    let cases: &[(&[&str], &str)] = &[
        (&["run", "s.yaml"], "Run"),
        (&["analyze", "B"], "Analyze"),
        (&["devices"], "Devices"),
        (&["doctor"], "Doctor"),
        (&["check", "a.yaml", "b.yaml"], "Check"),
        (&["parse", "logcat", "f.txt"], "Parse"),
        (&["ui", "dump.xml"], "Ui"),
        (&["emulator", "list"], "Emulator"),
        (&["sim"], "Sim"),
        (&["report", "B", "--format", "sarif"], "Report"),
        (&["baseline", "save", "B", "--to", "base.json"], "Baseline"),
        (&["inspect", "app.apk"], "Inspect"),
        (&["sdks", "B"], "Sdks"),
    ];
    for (args, variant) in cases {
        let d = debug(args);
        assert!(d.starts_with(&format!("{variant}(")), "{args:?} → {d}");
    }
}

#[test]
fn run_arguments() {
    let d = debug(&[
        "run",
        "a.yaml",
        "b.yaml",
        "--out",
        "runs",
        "--format",
        "json",
        "-e",
        "APK=x.apk",
        "--env",
        "SERIAL=emulator-5554",
        "--report",
        "html,junit,sarif",
        "--keep-emulator",
    ]);
    assert!(d.contains(r#"scenarios: ["a.yaml", "b.yaml"]"#), "{d}");
    assert!(d.contains(r#"out: "runs""#), "{d}");
    assert!(d.contains("format: Json"), "{d}");
    assert!(
        d.contains(r#"vars: ["APK=x.apk", "SERIAL=emulator-5554"]"#),
        "{d}"
    );
    assert!(d.contains("report: [Html, Junit, Sarif]"), "{d}");
    assert!(d.contains("keep_emulator: true"), "{d}");
    // Defaults, as the README says.
    let d = debug(&["run", "a.yaml"]);
    assert!(d.contains(r#"out: "prior-runs""#), "{d}");
    assert!(d.contains("format: Text"), "{d}");
    assert!(d.contains("device: None"), "{d}");
    // No scenario, a format that does not exist, a report format that does not exist.
    assert_eq!(refused(&["run"]), ErrorKind::MissingRequiredArgument);
    assert_eq!(
        refused(&["run", "a.yaml", "--format", "xml"]),
        ErrorKind::InvalidValue
    );
    assert_eq!(
        refused(&["run", "a.yaml", "--report", "html,pdf"]),
        ErrorKind::InvalidValue
    );
    assert_eq!(
        refused(&["run", "a.yaml", "--no-such-flag"]),
        ErrorKind::UnknownArgument
    );
}

/// `--device` takes an adb serial, `simulated`, or `avd:NAME`; it needs a value.
#[test]
fn device_flag_forms() {
    for (value, shown) in [
        ("emulator-5554", r#"device: Some("emulator-5554")"#),
        ("127.0.0.1:5655", r#"device: Some("127.0.0.1:5655")"#),
        ("simulated", r#"device: Some("simulated")"#),
        ("avd:prior-api34", r#"device: Some("avd:prior-api34")"#),
    ] {
        let d = debug(&["run", "s.yaml", "--device", value]);
        assert!(d.contains(shown), "--device {value}: {d}");
        let d = debug(&["run", "s.yaml", &format!("--device={value}")]);
        assert!(d.contains(shown), "--device={value}: {d}");
    }
    assert_eq!(
        refused(&["run", "s.yaml", "--device"]),
        ErrorKind::InvalidValue
    );
}

#[test]
fn analyze_report_and_baseline_arguments() {
    let d = debug(&[
        "analyze",
        "B",
        "--profile",
        "gdpr",
        "--format",
        "json",
        "-o",
        "r.json",
        "--allow-modified",
    ]);
    for want in [
        r#"bundle: "B""#,
        r#"profile: Some("gdpr")"#,
        "format: Json",
        r#"output: Some("r.json")"#,
        "allow_modified: true",
    ] {
        assert!(d.contains(want), "{want}: {d}");
    }
    assert_eq!(refused(&["analyze"]), ErrorKind::MissingRequiredArgument);
    assert_eq!(
        refused(&["analyze", "B", "--format", "html"]),
        ErrorKind::InvalidValue,
        "analyze prints text or json; html is `prior report`"
    );
    for f in ["html", "junit", "sarif", "json", "text"] {
        ok(&["report", "B", "--format", f]);
    }
    assert_eq!(
        refused(&["report", "B", "--format", "pdf"]),
        ErrorKind::InvalidValue
    );
    assert_eq!(refused(&["report"]), ErrorKind::MissingRequiredArgument);
    let d = debug(&["report", "B1", "B2", "--baseline", "base.json"]);
    assert!(d.contains(r#"bundles: ["B1", "B2"]"#), "{d}");
    assert!(d.contains(r#"baseline: Some("base.json")"#), "{d}");
    // `baseline save` needs bundles and --to.
    assert_eq!(
        refused(&["baseline", "save", "B"]),
        ErrorKind::MissingRequiredArgument
    );
    assert_eq!(
        refused(&["baseline", "save", "--to", "x.json"]),
        ErrorKind::MissingRequiredArgument
    );
    assert_eq!(
        refused(&["baseline"]),
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
}

#[test]
fn parse_ui_inspect_sdks_check_arguments() {
    for kind in ["logcat", "appops", "ipc", "ui", "am-start", "net"] {
        let d = debug(&["parse", kind, "f"]);
        assert!(d.contains(r#"file: "f""#), "{kind}: {d}");
    }
    assert_eq!(refused(&["parse", "dmesg", "f"]), ErrorKind::InvalidValue);
    assert_eq!(
        refused(&["parse", "logcat"]),
        ErrorKind::MissingRequiredArgument
    );
    let d = debug(&["ui", "d.xml", "--scenario", "s.yaml"]);
    assert!(d.contains(r#"scenario: Some("s.yaml")"#), "{d}");
    assert!(d.contains("format: Text"), "ui prints text by default: {d}");
    let d = debug(&["ui", "d.xml", "--format", "json"]);
    assert!(d.contains("format: Json"), "{d}");
    let d = debug(&["inspect", "a.apk", "--format", "json"]);
    assert!(
        d.contains(r#"apk: "a.apk""#) && d.contains("format: Json"),
        "{d}"
    );
    let d = debug(&["sdks", "B", "--apk", "a.apk"]);
    assert!(d.contains(r#"apk: Some("a.apk")"#), "{d}");
    for spelling in ["--sdk-catalog", "--sdk-catalogue"] {
        for cmd in ["sdks", "inspect"] {
            let d = debug(&[cmd, "a.apk", spelling, "c.toml"]);
            assert!(
                d.contains(r#"sdk_catalogue: Some("c.toml")"#),
                "{cmd} {spelling}: {d}"
            );
        }
    }
    let d = debug(&["devices"]);
    assert!(d.contains("format: Text, json: false"), "{d}");
    let d = debug(&["devices", "--format", "json"]);
    assert!(d.contains("format: Json, json: false"), "{d}");
    let d = debug(&["devices", "--json"]);
    assert!(
        d.contains("json: true"),
        "the deprecated spelling still parses: {d}"
    );
    assert_eq!(
        refused(&["devices", "--json", "--format", "json"]),
        ErrorKind::ArgumentConflict
    );
    let d = debug(&["check", "a.yaml", "-e", "APK=x"]);
    assert!(d.contains(r#"vars: ["APK=x"]"#), "{d}");
    assert_eq!(refused(&["check"]), ErrorKind::MissingRequiredArgument);
}

#[test]
fn emulator_and_sim_arguments() {
    for sub in [
        &[
            "emulator",
            "create",
            "p34",
            "--image",
            "api34-google-x86_64",
        ][..],
        &["emulator", "boot", "p34"],
        &["emulator", "reset", "p34"],
        &["emulator", "kill", "p34", "--timeout", "5"],
        &["emulator", "list"],
        &["emulator", "images", "--images", "cat.toml"],
    ] {
        ok(sub);
    }
    assert_eq!(
        refused(&["emulator", "boot"]),
        ErrorKind::MissingRequiredArgument
    );
    assert_eq!(
        refused(&["emulator", "kill", "p34", "--timeout", "soon"]),
        ErrorKind::ValueValidation
    );
    assert_eq!(
        refused(&["emulator", "explode"]),
        ErrorKind::InvalidSubcommand
    );
    let d = debug(&["sim"]);
    assert!(d.contains("listen: 127.0.0.1:5655"), "{d}");
    let d = debug(&[
        "sim",
        "--listen",
        "127.0.0.1:0",
        "--model",
        "m1",
        "--model",
        "m2",
        "--boot-delay",
        "2.5",
    ]);
    assert!(d.contains(r#"models: ["m1", "m2"]"#), "{d}");
    assert!(d.contains("boot_delay: 2.5"), "{d}");
    for bad in ["-1", "86401", "NaN", "inf", "soon"] {
        assert_eq!(
            refused(&["sim", &format!("--boot-delay={bad}")]),
            ErrorKind::ValueValidation,
            "--boot-delay {bad}"
        );
    }
    assert_eq!(
        refused(&["sim", "--listen", "localhost"]),
        ErrorKind::ValueValidation
    );
}

/// `main` maps clap's outcome to an exit code by `use_stderr()`: help and version exit 0,
/// every usage error exits 2.
#[test]
fn help_and_version_exit_zero_usage_errors_exit_two() {
    let code = |e: &clap::Error| {
        if e.use_stderr() {
            exit::INPUT
        } else {
            exit::OK
        }
    };
    for args in [&["--help"][..], &["run", "--help"], &["help", "report"]] {
        let e = parse(args).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::DisplayHelp, "{args:?}");
        assert_eq!(code(&e), 0, "{args:?}");
    }
    let e = parse(&["--version"]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DisplayVersion);
    assert_eq!(code(&e), 0);
    assert!(e.to_string().contains(env!("CARGO_PKG_VERSION")), "{e}");
    for args in [&[][..], &["frobnicate"], &["run"], &["analyze", "B", "--x"]] {
        let e = parse(args).unwrap_err();
        assert_eq!(code(&e), exit::INPUT, "{args:?}: {:?}", e.kind());
    }
}

/// The constants are the table in `docs/exit-codes.md`, code for code.
#[test]
fn exit_codes_match_the_documented_table() {
    let doc = include_str!("../../../docs/exit-codes.md");
    let mut table: Vec<(u8, String)> = doc
        .lines()
        .filter_map(|l| {
            let mut cells = l.trim().strip_prefix('|')?.split('|');
            let code = cells.next()?.trim().parse::<u8>().ok()?;
            Some((code, cells.next()?.trim().to_lowercase()))
        })
        .collect();
    table.sort();
    let codes: Vec<u8> = table.iter().map(|(c, _)| *c).collect();
    assert_eq!(codes, [0, 1, 2, 3, 4]);
    let meaning = |c: u8| table[usize::from(c)].1.clone();
    assert_eq!(exit::OK, 0);
    assert!(meaning(exit::OK).starts_with("no violation"));
    assert_eq!(exit::VIOLATIONS, 1);
    assert!(meaning(exit::VIOLATIONS).starts_with("violations found"));
    assert_eq!(exit::INPUT, 2);
    assert!(meaning(exit::INPUT).starts_with("usage or input error"));
    assert_eq!(exit::DEVICE, 3);
    assert!(meaning(exit::DEVICE).starts_with("device or environment error"));
    assert_eq!(exit::INCOMPLETE, 4);
    assert!(meaning(exit::INCOMPLETE).contains("incomplete"));
}

/// Every error carries the exit code of its kind; only a broken pipe is flagged quiet.
#[test]
fn errors_carry_their_exit_codes() {
    let e = CliError::input_msg("bad scenario");
    assert_eq!(
        (exit::code_of(&e.outcome()), e.broken_pipe),
        (exit::INPUT, false)
    );
    assert_eq!(e.report.to_string(), "bad scenario");
    let e = CliError::device_msg("no adb server");
    assert_eq!(
        (exit::code_of(&e.outcome()), e.broken_pipe),
        (exit::DEVICE, false)
    );
    assert_eq!(e.report.to_string(), "no adb server");
    let e = CliError::io(std::io::Error::new(
        std::io::ErrorKind::BrokenPipe,
        "pipe closed",
    ));
    assert!(e.broken_pipe);
    let e = CliError::io(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        "no such file",
    ));
    assert_eq!(
        (exit::code_of(&e.outcome()), e.broken_pipe),
        (exit::INPUT, false)
    );
    assert!(e.report.to_string().contains("no such file"));
}
