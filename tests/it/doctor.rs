//! `prior doctor` end to end: a machine with nothing installed, one with the stand-in SDK
//! tools (`tests/data/emulator/`), and the JSON output.
//!
//! The adb server of the "installed" case is a `prior sim --smart-socket`: it answers
//! `host:version` and `host:devices-l` exactly like an adb server (the only requests doctor
//! makes), starts in milliseconds, leaves no daemon behind, and lists one deterministic device
//! (the SIMULATED handset, which doctor must not count as a real device). A private Debian adb
//! server with the simulator connected would add an `adb connect` wait and nothing doctor looks
//! at. The `adb` *client* is Debian's real one (its `adb version` is run).

use crate::util::{data, prior};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A port nothing listens on (bound, then released).
fn unused_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `prior sim` with its adb-server smart socket on a free port; killed on drop (also used by
/// `cli.rs`'s `prior devices` tests).
pub struct SmartSim {
    child: Child,
    /// The smart socket's port (what ANDROID_ADB_SERVER_PORT names).
    pub port: u16,
}

impl SmartSim {
    pub fn start() -> SmartSim {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("prior"))
            .args([
                "sim",
                "--listen",
                "127.0.0.1:0",
                "--smart-socket",
                "127.0.0.1:0",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn prior sim");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut port = None;
        for line in lines.by_ref().take(5) {
            let line = line.expect("readable");
            // "  or without adb: ADB_SERVER_SOCKET=tcp:127.0.0.1:PORT (serial …)"
            if let Some(rest) = line.split("ADB_SERVER_SOCKET=tcp:").nth(1) {
                let addr = rest.split(' ').next().expect("an address");
                port = addr.rsplit(':').next().and_then(|p| p.parse().ok());
                break;
            }
        }
        std::thread::spawn(move || for _ in lines {});
        let port = port.expect("prior sim printed its smart socket");
        SmartSim { child, port }
    }
}

impl Drop for SmartSim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A program on the test's own PATH (`adb`, `python3`), or a clear failure.
fn which(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("`{name}` is not installed: install it (apt-get install adb python3) or run scripts/test")
        })
}

/// The real python3 interpreter (not a pyenv shell shim, which needs more than our PATH).
fn python3() -> PathBuf {
    let out = Command::new(which("python3"))
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3 runs");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

fn copy_exe(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().expect("a parent")).expect("mkdir");
    std::fs::copy(from, to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

/// `prior doctor` in an environment made only of `vars` (nothing inherited), run in `dir`.
fn doctor(dir: &Path, vars: &[(&str, String)], args: &[&str]) -> std::process::Output {
    let mut cmd = prior();
    cmd.env_clear().current_dir(dir).arg("doctor").args(args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().expect("prior doctor runs")
}

/// Snapshot filters: the temp dir, ports, free-space lines (machine-dependent), adb's version.
fn settings(tmp: &Path, ports: &[u16]) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("snapshots");
    s.set_prepend_module_to_snapshot(false);
    let tmp = tmp.canonicalize().expect("canonical temp dir");
    s.add_filter(&regex_escape(&tmp.display().to_string()), "[TMP]");
    for p in ports {
        s.add_filter(&format!(r"\b{p}\b"), "[PORT]");
    }
    s.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]");
    // Column padding after a filtered name depends on the real name's length.
    s.add_filter(r"(\[TMP\]\S*|127\.0\.0\.1:\[PORT\])  +", "$1 ");
    s.add_filter(
        r"(?m)^  (ok|warn)\s+(free space \([^)]*\))\s.*\n(        note: free some space.*\n)?",
        "  [DISK] $2 [FREE]\n",
    );
    s.add_filter(
        r"Android Debug Bridge version \S+",
        "Android Debug Bridge version [V]",
    );
    s.add_filter(r"api34-google-(x86_64|arm64)", "api34-google-[ABI]");
    s
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if r"\.+*?()|[]{}^$#&-~".contains(c) {
                format!("\\{c}")
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn text(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

#[cfg(target_os = "linux")]
#[test]
fn nothing_installed_lists_every_problem_with_its_fix() {
    let t = tempfile::tempdir().expect("tempdir");
    let root = t.path().canonicalize().expect("canonical");
    let empty = root.join("empty-path");
    std::fs::create_dir_all(&empty).expect("mkdir");
    std::fs::create_dir_all(root.join("home")).expect("mkdir");
    let port = unused_port();
    let out = doctor(
        &root,
        &[
            ("PATH", empty.display().to_string()),
            ("HOME", root.join("home").display().to_string()),
            ("ANDROID_ADB_SERVER_PORT", port.to_string()),
            (
                "PRIOR_DOCTOR_KVM",
                root.join("no-kvm").display().to_string(),
            ),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let stdout = text(&out);
    assert!(!stdout.contains('\u{1b}'));
    settings(&root, &[port]).bind(|| insta::assert_snapshot!("doctor_nothing_installed", stdout));
}

/// A temp SDK with the stand-in tools, one AVD with its image, a usable KVM stand-in.
struct Installed {
    _t: tempfile::TempDir,
    root: PathBuf,
    vars: Vec<(&'static str, String)>,
}

fn installed(server_port: u16) -> Installed {
    let t = tempfile::tempdir().expect("tempdir");
    let root = t.path().canonicalize().expect("canonical");
    let sdk = root.join("sdk");
    copy_exe(&data("emulator/emulator"), &sdk.join("emulator/emulator"));
    for tool in ["sdkmanager", "avdmanager"] {
        copy_exe(
            &data(&format!("emulator/{tool}")),
            &sdk.join("cmdline-tools/latest/bin").join(tool),
        );
    }
    let img = sdk.join("system-images/android-34/google_apis/x86_64");
    std::fs::create_dir_all(&img).expect("mkdir");
    std::fs::write(
        img.join("source.properties"),
        "Pkg.Desc=Google APIs Intel x86_64 Atom System Image\nPkg.Revision=14\n\
         AndroidVersion.ApiLevel=34\nSystemImage.Abi=x86_64\nSystemImage.TagId=google_apis\n",
    )
    .expect("write");
    // The AVD files as avdmanager writes them (`docs/device-formats.md` §9–10).
    let home = root.join("home");
    let avd_home = home.join(".android/avd");
    let avd_dir = avd_home.join("p34.avd");
    std::fs::create_dir_all(&avd_dir).expect("mkdir");
    std::fs::write(
        avd_home.join("p34.ini"),
        format!(
            "avd.ini.encoding=UTF-8\npath={}\npath.rel=avd/p34.avd\ntarget=android-34\n",
            avd_dir.display()
        ),
    )
    .expect("write");
    std::fs::write(
        avd_dir.join("config.ini"),
        "AvdId=p34\nabi.type=x86_64\nhw.cpu.arch=x86_64\n\
         image.sysdir.1=system-images/android-34/google_apis/x86_64/\ntag.id=google_apis\n",
    )
    .expect("write");
    let kvm = root.join("kvm");
    std::fs::write(&kvm, "").expect("write");
    // PATH: the real adb client and python3 (the stand-ins' interpreter), nothing else.
    let bin = root.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    std::os::unix::fs::symlink(which("adb"), bin.join("adb")).expect("symlink");
    std::os::unix::fs::symlink(python3(), bin.join("python3")).expect("symlink");
    let vars = vec![
        ("PATH", bin.display().to_string()),
        ("HOME", home.display().to_string()),
        ("ANDROID_HOME", sdk.display().to_string()),
        ("ANDROID_ADB_SERVER_PORT", server_port.to_string()),
        ("PRIOR_DOCTOR_KVM", kvm.display().to_string()),
    ];
    Installed { _t: t, root, vars }
}

#[cfg(target_os = "linux")]
#[test]
fn stand_in_tools_an_avd_and_kvm_make_the_machine_ready() {
    let sim = SmartSim::start();
    let env = installed(sim.port);
    let out = doctor(&env.root, &env.vars, &[]);
    let stdout = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("SIMULATED"), "{stdout}");
    settings(&env.root, &[sim.port]).bind(|| insta::assert_snapshot!("doctor_stand_ins", stdout));
}

#[cfg(target_os = "linux")]
#[test]
fn json_output_for_ci() {
    let sim = SmartSim::start();
    let env = installed(sim.port);
    let out = doctor(&env.root, &env.vars, &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(v["ready"], true);
    assert_eq!(v["exit_code"], 0);
    assert_eq!(v["facts"]["avds"], serde_json::json!(["p34"]));
    assert_eq!(v["facts"]["emulator"], true);
    assert_eq!(v["facts"]["acceleration"], true);
    // The simulated handset is listed but not counted.
    assert_eq!(v["facts"]["devices_online"], serde_json::json!([]));
    let checks = v["checks"].as_array().expect("checks");
    let status_of = |name: &str| {
        checks
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["status"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(status_of("emulator").as_deref(), Some("ok"));
    assert_eq!(status_of("sdkmanager").as_deref(), Some("ok"));
    assert_eq!(status_of("avdmanager").as_deref(), Some("ok"));
    assert_eq!(status_of("p34").as_deref(), Some("ok"));
    assert!(v["ran"].as_array().expect("ran").iter().any(|r| {
        r.as_str()
            .is_some_and(|r| r.ends_with("emulator/emulator -version"))
    }));

    // Now break it: no KVM, the AVD gone → not ready, exit 3, every FAIL has a fix.
    let mut vars = env.vars.clone();
    vars.retain(|(k, _)| *k != "PRIOR_DOCTOR_KVM");
    vars.push((
        "PRIOR_DOCTOR_KVM",
        env.root.join("gone").display().to_string(),
    ));
    std::fs::remove_file(env.root.join("home/.android/avd/p34.ini")).expect("rm");
    let out = doctor(&env.root, &vars, &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(v["ready"], false);
    assert_eq!(v["exit_code"], 3);
    let checks = v["checks"].as_array().expect("checks");
    let fails: Vec<&serde_json::Value> = checks.iter().filter(|c| c["status"] == "fail").collect();
    assert_eq!(fails.len(), 2, "{fails:#?}");
    for c in fails {
        assert!(!c["fix"].as_array().expect("fix").is_empty(), "{c}");
    }
    let verdict = v["verdict"].as_str().expect("verdict");
    assert!(
        verdict.contains("an AVD") && verdict.contains("hardware acceleration"),
        "{verdict}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn environment_text_is_printed_escaped() {
    let t = tempfile::tempdir().expect("tempdir");
    let root = t.path().canonicalize().expect("canonical");
    let out = doctor(
        &root,
        &[
            ("PATH", root.display().to_string()),
            ("HOME", root.display().to_string()),
            (
                "ANDROID_HOME",
                "/nonexistent/\u{1b}[2J\u{1b}]0;owned\u{7}".to_string(),
            ),
            ("ANDROID_ADB_SERVER_PORT", unused_port().to_string()),
            ("PRIOR_DOCTOR_KVM", root.join("kvm").display().to_string()),
        ],
        &[],
    );
    let stdout = text(&out);
    assert!(
        !stdout.chars().any(|c| c.is_control() && c != '\n'),
        "{stdout:?}"
    );
    assert!(
        stdout.contains(r"/nonexistent/\u{1b}[2J\u{1b}]0;owned\u{7}"),
        "{stdout}"
    );
}

/// Every `prior …` command line in `docs/ci.md`'s code blocks names a real subcommand, and each
/// of its options appears in that subcommand's `--help`.
#[test]
fn ci_doc_uses_only_real_prior_flags() {
    let doc = std::fs::read_to_string(crate::util::root().join("docs/ci.md")).expect("docs/ci.md");
    let mut in_code = false;
    let mut checked = 0;
    for line in doc.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if !in_code {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("prior ") {
            let before = rest[..at].chars().last();
            let cmdline = &rest[at + "prior ".len()..];
            rest = cmdline;
            if before.is_some_and(|c| c != ' ' && c != '(') {
                continue;
            }
            // The command line ends at a shell operator.
            let end = ["||", "&&", "|", ">", ";", ")"]
                .iter()
                .filter_map(|op| cmdline.find(op))
                .min()
                .unwrap_or(cmdline.len());
            let words: Vec<&str> = cmdline[..end].split_whitespace().collect();
            assert_real_prior_command(&words, line);
            checked += 1;
        }
    }
    assert!(
        checked >= 4,
        "only {checked} prior command lines found in docs/ci.md"
    );
}

/// `words` (after `prior`) name a real (sub)command and use only options its `--help` lists.
/// Clap prints the deepest subcommand's help for `prior A B POSITIONAL --help`.
fn assert_real_prior_command(words: &[&str], context: &str) {
    let leading: Vec<&str> = words
        .iter()
        .copied()
        .take_while(|w| !w.starts_with('-'))
        .collect();
    let help = prior()
        .args(&leading)
        .arg("--help")
        .output()
        .expect("prior --help");
    assert!(
        help.status.success() && !leading.is_empty(),
        "`prior {}` is not a command: {context}",
        leading.join(" ")
    );
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    for w in words.iter().filter(|w| w.starts_with('-')) {
        let flag = w.split('=').next().unwrap_or(w);
        assert!(
            help.contains(&format!("{flag} ")) || help.contains(&format!("{flag},")),
            "`prior {}` has no option {flag}: {context}",
            leading.join(" ")
        );
    }
}

/// The `prior …` commands doctor suggests as fixes exist, with those options.
#[cfg(target_os = "linux")]
#[test]
fn suggested_prior_commands_are_real() {
    let t = tempfile::tempdir().expect("tempdir");
    let root = t.path().canonicalize().expect("canonical");
    let out = doctor(
        &root,
        &[
            ("PATH", root.display().to_string()),
            ("HOME", root.display().to_string()),
            ("ANDROID_ADB_SERVER_PORT", unused_port().to_string()),
        ],
        &["--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut checked = 0;
    for check in v["checks"].as_array().expect("checks") {
        for fix in check["fix"].as_array().expect("fix") {
            let fix = fix.as_str().expect("a string");
            if let Some(rest) = fix.strip_prefix("prior ") {
                let words: Vec<&str> = rest.split_whitespace().collect();
                assert_real_prior_command(&words, fix);
                checked += 1;
            }
        }
    }
    assert!(checked >= 1, "doctor suggested no prior command: {v}");
}
