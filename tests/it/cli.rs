//! Basic CLI behaviour: help, consistent flags, exit codes, `parse`, `ui`, `check`.

use crate::util::{data, prior};
use predicates::prelude::*;

#[test]
fn help_lists_the_commands() {
    let out = prior()
        .arg("--help")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    for cmd in ["check", "parse", "ui"] {
        assert!(text.contains(cmd), "{cmd} missing from --help:\n{text}");
    }
}

#[test]
fn a_usage_error_exits_2() {
    prior().arg("no-such-command").assert().code(2);
    prior().args(["parse", "nonsense", "x"]).assert().code(2);
}

#[test]
fn a_missing_file_is_an_input_error_naming_it() {
    prior()
        .args(["parse", "ipc", "/nonexistent/dump.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/dump.txt"));
}

#[test]
fn parse_ipc_prints_one_json_object_per_trace() {
    let out = prior()
        .args(["parse", "ipc"])
        .arg(data("ipc/ipc-trace-aosp-fixture-1.txt"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let traces: Vec<_> = lines.iter().filter(|v| v["record"] == "trace").collect();
    assert_eq!(traces.len(), 2);
    assert_eq!(traces[0]["count"], 2);
    assert_eq!(traces[1]["count"], 18);
    assert_eq!(
        traces[1]["call"]["short_name"],
        "IApplicationThread.scheduleBindService"
    );
    assert_eq!(traces[0]["process"], "system");
}

#[test]
fn parse_logcat_decodes_process_starts() {
    let out = prior()
        .args(["parse", "logcat"])
        .arg(data("logcat/logcat-events-launch-1.txt"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    let first: serde_json::Value =
        serde_json::from_str(text.lines().next().expect("a line")).expect("JSON");
    assert_eq!(first["am_event"]["kind"], "proc_start");
    assert_eq!(first["am_event"]["pid"], 13252);
    assert_eq!(first["am_event"]["uid"], 10104);
    assert_eq!(
        text.lines().count(),
        23,
        "one record per line of the 23-line sample"
    );
}

#[test]
fn parse_output_survives_a_closed_pipe() {
    // `prior parse … | head -1`: stdout closes early; the command must not report an error.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("prior"))
        .args(["parse", "logcat"])
        .arg(data("logcat/logcat-events-launch-1.txt"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn prior");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.code() == Some(0),
        "exit {:?}, stderr {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn ui_finds_the_chinese_accept_button_in_a_clickable_parent() {
    let out = prior()
        .arg("ui")
        .arg(data("cli/consent-zh.xml"))
        .args(["--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    assert_eq!(v["consent_screen"], true);
    assert_eq!(v["accept"]["text"], "同意");
    assert_eq!(v["accept"]["resource_id"], "com.leaky.shop:id/btn_agree");
    assert_eq!(
        v["accept"]["bounds"],
        serde_json::json!([564, 1400, 984, 1544])
    );
    assert_eq!(v["accept"]["center"], serde_json::json!([774, 1472]));
    assert_eq!(v["reject"]["text"], "不同意");
    assert_eq!(v["reject"]["center"], serde_json::json!([306, 1472]));
}

#[test]
fn ui_on_a_dump_without_consent_says_so() {
    prior()
        .args(["ui", "--format", "text"])
        .arg(data("ui/uiautomator-dump-talos-1.xml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("consent screen: no"));
}

#[test]
fn parse_net_prints_hosts_and_keeps_what_precedes_a_truncation() {
    // A real tcpdump capture of loopback (tests/data/net/PROVENANCE.md).
    let pcap = std::fs::read(data("net/loopback.pcap")).unwrap();
    let out = prior()
        .args(["parse", "net", "-"])
        .write_stdin(pcap.clone())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let hosts: Vec<(&str, &str)> = lines
        .iter()
        .filter(|v| v["record"] == "net")
        .map(|v| (v["kind"].as_str().unwrap(), v["host"].as_str().unwrap()))
        .collect();
    assert!(hosts.contains(&("tls-sni", "sni.example.net")), "{hosts:?}");
    assert!(
        hosts.contains(&("http-host", "www.example.org")),
        "{hosts:?}"
    );
    // Cut inside the last packet: everything before it is printed, then exit 2 with the offset.
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.pcap");
    std::fs::write(&cut, &pcap[..pcap.len() - 10]).unwrap();
    let out = prior()
        .args(["parse", "net"])
        .arg(&cut)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cut.pcap"))
        .stderr(predicate::str::contains("truncated"))
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("sni.example.net"), "{text}");
}

/// `prior --help` (and `-h`) opens with what Prior is for, before the usage line.
#[test]
fn help_opens_with_what_prior_is_for() {
    for flag in ["--help", "-h"] {
        let out = prior()
            .arg(flag)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8_lossy(&out);
        let first = text
            .split("\n\n")
            .next()
            .unwrap_or_default()
            .replace('\n', " ");
        assert!(
            first.starts_with("Prior checks whether an Android app touches personal data before the user accepts its privacy-consent screen."),
            "{flag}: {text}"
        );
        assert!(
            first.contains("reports every access that came first"),
            "{first}"
        );
        let usage = text.find("Usage:").expect("a usage line");
        assert!(
            usage > first.len(),
            "the purpose comes before the usage line"
        );
    }
}

/// Every command's help, with the flags each shows.
fn all_help() -> Vec<(String, String)> {
    let top = prior().arg("--help").output().expect("help");
    let top = String::from_utf8_lossy(&top.stdout).into_owned();
    let mut cmds: Vec<Vec<String>> = top
        .split("Commands:")
        .nth(1)
        .expect("a command list")
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .lines()
        // "  name  description"; wrapped descriptions continue further right
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(|c| vec![c.to_string()])
        .collect();
    assert!(cmds.len() >= 14, "{cmds:?}");
    for sub in ["create", "boot", "reset", "kill", "list", "images"] {
        cmds.push(vec!["emulator".into(), sub.into()]);
    }
    cmds.push(vec!["baseline".into(), "save".into()]);
    cmds.into_iter()
        .map(|c| {
            let out = prior().args(&c).arg("--help").output().expect("help");
            assert_eq!(out.status.code(), Some(0), "{c:?}");
            (
                c.join(" "),
                String::from_utf8_lossy(&out.stdout).into_owned(),
            )
        })
        .collect()
}

/// One spelling of each flag across commands: output formats are `--format` (no visible
/// `--json`), catalogs are `--catalog` / `--sdk-catalog` (no visible `catalogue` flag).
#[test]
fn flags_are_spelled_one_way_across_commands() {
    let mut formats = 0;
    for (cmd, help) in all_help() {
        // option lines: "  -o, --out <FILE>  …" or "      --format <FORMAT>  …"
        let flags: Vec<&str> = help
            .lines()
            .map(str::trim_start)
            .map(|l| match l.split_once(", ") {
                Some((short, rest)) if short.len() == 2 && short.starts_with('-') => rest,
                _ => l,
            })
            .filter(|l| l.starts_with("--"))
            .filter_map(|l| l.split([' ', '=']).next())
            .collect();
        assert!(
            !flags.contains(&"--json"),
            "`prior {cmd}` shows --json:\n{help}"
        );
        assert!(
            !flags.iter().any(|f| f.contains("catalogue")),
            "`prior {cmd}` spells a flag `catalogue`:\n{help}"
        );
        if flags.contains(&"--format") {
            formats += 1;
            assert!(
                help.contains("[default: text]") || help.contains("[default: html]"),
                "`prior {cmd} --format` defaults to text (html for `report`):\n{help}"
            );
        }
    }
    assert!(
        formats >= 8,
        "--format on run, analyze, report, devices, doctor, inspect, sdks, ui, selftest"
    );
}

/// `prior ui` prints text by default, like the other commands; `--format json` for scripts.
#[test]
fn ui_defaults_to_text_like_the_other_commands() {
    let out = prior()
        .arg("ui")
        .arg(data("cli/consent-zh.xml"))
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.starts_with("consent screen: yes\n"), "{text}");
    assert!(text.contains("accept: \"同意\" at (774, 1472)"), "{text}");
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
}

/// `--sdk-catalog` is the flag; `--sdk-catalogue` (the old spelling) still works, hidden.
#[test]
fn sdk_catalog_flag_and_its_hidden_old_spelling() {
    let dir = tempfile::tempdir().expect("tmp");
    let cat = dir.path().join("sdks.toml");
    std::fs::write(
        &cat,
        "name = \"t\"\nversion = \"1\"\n[[sdk]]\nid = \"nanohttpd\"\nname = \"NanoHTTPD\"\n\
         vendor = \"NanoHTTPD\"\ncategory = \"other\"\npackages = [\"fi.iki.elonen\"]\nsource = \"test\"\n",
    )
    .expect("write");
    for cmd in ["inspect", "sdks"] {
        for spelling in ["--sdk-catalog", "--sdk-catalogue"] {
            let out = prior()
                .arg(cmd)
                .arg(data("apks/app-uiautomator.apk"))
                .arg(spelling)
                .arg(&cat)
                .args(["--format", "json"])
                .assert()
                .success();
            let v: serde_json::Value =
                serde_json::from_slice(&out.get_output().stdout).expect("JSON");
            assert_eq!(v["sdks"][0]["name"], "NanoHTTPD", "{cmd} {spelling}");
        }
    }
}

/// `prior devices --format json` lists the devices as JSON; the old `--json` still works (with
/// a deprecation warning on stderr); the default is the table.
#[test]
fn devices_takes_format_json_and_the_deprecated_json_flag() {
    let sim = crate::doctor::SmartSim::start();
    let run = |args: &[&str]| {
        prior()
            .arg("devices")
            .args(args)
            .env("ANDROID_ADB_SERVER_PORT", sim.port.to_string())
            .env_remove("ADB_SERVER_SOCKET")
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .expect("prior devices")
    };
    let json = run(&["--format", "json"]);
    assert_eq!(json.status.code(), Some(0), "{json:?}");
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(v[0]["kind"], "simulated", "{v}");
    assert!(
        json.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let old = run(&["--json"]);
    assert_eq!(old.status.code(), Some(0));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&old.stdout).expect("JSON"),
        v
    );
    assert!(String::from_utf8_lossy(&old.stderr).contains("deprecated; use `--format json`"));
    let text = run(&[]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.starts_with("SERIAL "), "{text}");
    assert!(text.contains("simulated"), "{text}");
    // both spellings at once is a usage error
    assert_eq!(run(&["--json", "--format", "text"]).status.code(), Some(2));
}

/// The packages `scripts/test` installs, from its one list (`tool:package` pairs and the
/// `need+=(package)` lines).
fn scripts_test_packages() -> std::collections::BTreeSet<String> {
    let script = std::fs::read_to_string(crate::util::root().join("scripts/test")).unwrap();
    let mut pkgs = std::collections::BTreeSet::new();
    let pairs = script
        .split("for pair in")
        .nth(1)
        .and_then(|s| s.split("; do").next())
        .expect("scripts/test's `for pair in …; do` list");
    for pair in pairs.split_whitespace().filter(|w| *w != "\\") {
        pkgs.insert(pair.split_once(':').expect("tool:package").1.to_string());
    }
    for line in script.lines() {
        if let Some(rest) = line.split("need+=(").nth(1) {
            let pkg = rest.split(')').next().unwrap_or_default();
            if !pkg.starts_with('"') {
                pkgs.insert(pkg.to_string());
            }
        }
    }
    pkgs
}

/// The README's first command exits 1 on purpose and says so next to it; its list of the
/// packages `scripts/test` installs is that script's list, and it mentions ripgrep only as the
/// benchmark's tool that `scripts/test` does not install.
#[test]
fn readme_first_command_and_package_list_tell_the_truth() {
    let root = crate::util::root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let block = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("a first sh block");
    let first = block.lines().next().expect("a first command");
    assert!(first.starts_with("cargo run --release -- run scenarios/demo/leaky-shop.yaml"));
    assert!(first.contains("exits 1 on purpose"), "{first}");
    let after = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|s| s.split("```\n").nth(1))
        .unwrap();
    let para = after
        .trim_start()
        .split("\n\n")
        .next()
        .unwrap()
        .replace('\n', " ");
    assert!(
        para.starts_with("The first command exits 1 on purpose")
            && para.contains("before consent")
            && para.contains("docs/exit-codes.md"),
        "{para}"
    );
    // …and it does exit 1
    let out = tempfile::tempdir().expect("tmp");
    let args: Vec<&str> = first
        .split('#')
        .next()
        .unwrap()
        .split_whitespace()
        .skip(4)
        .collect();
    assert_eq!(args, ["run", "scenarios/demo/leaky-shop.yaml"]);
    prior()
        .current_dir(&root)
        .args(&args)
        .arg("--out")
        .arg(out.path())
        .timeout(std::time::Duration::from_secs(120))
        .assert()
        .code(1);

    // the package list
    let list = readme
        .split("`scripts/test` installs the Debian packages the tests use when they are missing (")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .expect("README lists the packages scripts/test installs");
    let prose = ["and", "for", "building", "the", "canary", "APK"];
    let listed: std::collections::BTreeSet<String> = list
        .split([',', ' ', '\n'])
        .filter(|w| !w.is_empty() && !prose.contains(w))
        .map(str::to_string)
        .collect();
    assert_eq!(listed, scripts_test_packages(), "README vs scripts/test");
    let installs_rg = scripts_test_packages().contains("ripgrep");
    for (i, line) in readme.lines().enumerate() {
        if line.contains("ripgrep") && !installs_rg {
            assert!(
                line.contains("does not install it") || line.contains("apt-get install ripgrep"),
                "README line {}: says something about ripgrep that scripts/test does not do: {line}",
                i + 1
            );
        }
    }
}
