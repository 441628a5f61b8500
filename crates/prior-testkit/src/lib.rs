//! Test support, used only as a dev-dependency: the one policy for tests that need a system
//! tool (Debian's `adb`, `tcpdump`, `dexdump`, `chromium`, `xmllint`, Python's `jsonschema`).
//!
//! * Outside `scripts/test` a test whose tool is missing **skips**: it prints
//!   `skipped: needs TOOL (apt-get install -y PACKAGE)` on stderr and returns early.
//! * With `PRIOR_REQUIRE_TOOLS=1` (set by `scripts/test`, which installs the tools, and so by
//!   `.ci/run`) a missing tool **fails** the test.
//!
//! `docs/testing.md` documents the policy; `scripts/test` holds the one list of packages.
//!
//! ```text
//! #[test]
//! fn decodes_with_tcpdump() {
//!     prior_testkit::require_tool!("tcpdump");
//!     // … tcpdump is on PATH here
//! }
//! ```

/// Hand-built (hostile) zip archives and DEFLATE bombs.
pub mod zip;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The environment variable that turns a skip into a failure (`scripts/test` sets it to `1`).
pub const REQUIRE_ENV: &str = "PRIOR_REQUIRE_TOOLS";

/// Tools the tests use, with the Debian package that provides each. `scripts/test` installs
/// exactly these packages; a test asking for a tool not listed here is a bug in the test.
pub const TOOLS: &[(&str, &str)] = &[
    ("aapt", "aapt"),
    ("adb", "adb"),
    ("apksigner", "apksigner"),
    ("chromium", "chromium"),
    ("dexdump", "dexdump"),
    ("java", "default-jre-headless"),
    ("smali", "libsmali-java"),
    ("zipalign", "zipalign"),
    ("python3", "python3"),
    ("tcpdump", "tcpdump"),
    ("xmllint", "libxml2-utils"),
];

/// Files the tests read from Debian packages, with the package (checked like a tool).
pub const FILES: &[(&str, &str)] = &[(
    "/usr/share/android-framework-res/framework-res.apk",
    "android-framework-res",
)];

/// `true` when `path` (a file from [`FILES`]) exists; otherwise skips or fails like
/// [`require_tool`].
pub fn require_file(path: &str) -> bool {
    let Some((_, pkg)) = FILES.iter().find(|(f, _)| *f == path) else {
        panic!("prior-testkit: `{path}` is not in FILES; add it there and to scripts/test")
    };
    apply(decide(
        Path::new(path).exists(),
        tools_required(),
        path,
        pkg,
    ))
}

/// Python modules the tests use, with their Debian package (for Debian's `/usr/bin/python3`).
pub const PYTHON_MODULES: &[(&str, &str)] = &[("jsonschema", "python3-jsonschema")];

/// The Debian package of a tool in [`TOOLS`]. Panics on a tool not in the table: the table
/// and `scripts/test` must learn about every tool a test runs.
pub fn package_of(tool: &str) -> &'static str {
    match TOOLS.iter().find(|(t, _)| *t == tool) {
        Some((_, pkg)) => pkg,
        None => panic!(
            "prior-testkit: `{tool}` is not in TOOLS; add it there and to scripts/test's package list"
        ),
    }
}

/// Whether `PRIOR_REQUIRE_TOOLS` asks for missing tools to fail the test (any value but
/// empty or `0`).
pub fn tools_required() -> bool {
    std::env::var_os(REQUIRE_ENV).is_some_and(|v| is_set(&v))
}

fn is_set(v: &OsStr) -> bool {
    !v.is_empty() && v != "0"
}

/// An executable file named `name` in one of the directories of `path` (a `PATH` value).
pub fn find_in(path: &OsStr, name: &str) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

/// `name` on this process's `PATH`.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    find_in(&std::env::var_os("PATH").unwrap_or_default(), name)
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}

/// What a test does about a tool: run, skip (with the line to print), or fail (with the
/// panic message). Pure, so the policy itself is tested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The tool is there.
    Run,
    /// Missing, not required: print this and return.
    Skip(String),
    /// Missing and required: panic with this.
    Fail(String),
}

/// The policy: `what` is the tool (or `python3 module X`), `pkg` its Debian package.
pub fn decide(found: bool, required: bool, what: &str, pkg: &str) -> Decision {
    if found {
        return Decision::Run;
    }
    let needs = format!("needs {what} (apt-get install -y {pkg})");
    if required {
        Decision::Fail(format!(
            "{needs}: {REQUIRE_ENV} is set (scripts/test installs every tool the tests use), \
             so a missing tool is a failure, not a skip"
        ))
    } else {
        Decision::Skip(format!("skipped: {needs}"))
    }
}

fn apply(d: Decision) -> bool {
    match d {
        Decision::Run => true,
        Decision::Skip(msg) => {
            eprintln!("{msg}");
            false
        }
        Decision::Fail(msg) => panic!("{msg}"),
    }
}

/// `true` when `tool` (a name from [`TOOLS`]) is on `PATH`. Otherwise prints the skip line
/// and returns `false`, or panics when [`tools_required`]. Prefer [`require_tool!`], which
/// returns from the test.
pub fn require_tool(tool: &str) -> bool {
    let pkg = package_of(tool);
    apply(decide(
        find_on_path(tool).is_some(),
        tools_required(),
        tool,
        pkg,
    ))
}

/// The Python interpreter the tests run: Debian's `/usr/bin/python3`, where `apt-get install
/// python3-…` puts modules (a `python3` earlier on `PATH`, e.g. pyenv's, would not see them),
/// else `python3` from `PATH`.
pub fn python3() -> PathBuf {
    let debian = Path::new("/usr/bin/python3");
    if debian.exists() {
        debian.to_path_buf()
    } else {
        find_on_path("python3").unwrap_or_else(|| PathBuf::from("python3"))
    }
}

/// `true` when [`python3`] can import `module` (a name from [`PYTHON_MODULES`]); otherwise
/// skips or fails like [`require_tool`].
pub fn require_python_module(module: &str) -> bool {
    let Some((_, pkg)) = PYTHON_MODULES.iter().find(|(m, _)| *m == module) else {
        panic!(
            "prior-testkit: python module `{module}` is not in PYTHON_MODULES; add it there and to scripts/test"
        )
    };
    let found = Command::new(python3())
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    apply(decide(
        found,
        tools_required(),
        &format!("python3 module {module}"),
        pkg,
    ))
}

/// Returns from the calling test (after printing `skipped: needs …`) when a tool is missing,
/// or fails it when `PRIOR_REQUIRE_TOOLS` is set. Several tools: `require_tool!("a", "b")`.
#[macro_export]
macro_rules! require_tool {
    ($($tool:expr),+ $(,)?) => {
        $(
            if !$crate::require_tool($tool) {
                return;
            }
        )+
    };
}

/// [`require_tool!`] for a Python module imported by [`python3`].
#[macro_export]
macro_rules! require_python_module {
    ($module:expr) => {
        if !$crate::require_python_module($module) {
            return;
        }
    };
}

/// The mitmproxy `mitmdump` the interception tests run (issue 18): `$PRIOR_MITMDUMP` (set by
/// `scripts/test`, which makes a virtual environment with the pinned mitmproxy from PyPI), else
/// `mitmdump` on `PATH`. Missing: skips, or fails when [`tools_required`] (like a tool) or
/// under CI (`CI` set).
pub fn mitmdump() -> Option<PathBuf> {
    let found = match std::env::var_os("PRIOR_MITMDUMP").filter(|v| !v.is_empty()) {
        Some(p) => Some(PathBuf::from(p)).filter(|p| is_executable(p)),
        None => find_on_path("mitmdump"),
    };
    let d = match &found {
        Some(_) => Decision::Run,
        None if tools_required() || ci() => Decision::Fail(format!(
            "needs mitmdump (PRIOR_MITMDUMP or PATH; scripts/test makes a venv with the pinned \
             mitmproxy): {REQUIRE_ENV} or CI is set, so a missing tool is a failure, not a skip"
        )),
        None => Decision::Skip(
            "skipped: needs mitmdump (run scripts/test, which installs the pinned mitmproxy in a \
             venv and sets PRIOR_MITMDUMP)"
                .into(),
        ),
    };
    if apply(d) { found } else { None }
}

/// `CI` is set (GitHub Actions, GitLab and most CI systems set `CI=true`): the interception
/// tests are then required even without [`REQUIRE_ENV`] (issue 18).
fn ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| is_set(&v) && v != "false")
}

/// [`mitmdump`], returning from the test when it is missing: `let m = require_mitmdump!();`.
#[macro_export]
macro_rules! require_mitmdump {
    () => {
        match $crate::mitmdump() {
            Some(p) => p,
            None => return,
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_present_tool_runs_whatever_the_setting() {
        assert_eq!(decide(true, false, "adb", "adb"), Decision::Run);
        assert_eq!(decide(true, true, "adb", "adb"), Decision::Run);
    }

    #[test]
    fn a_missing_tool_skips_with_the_package_or_fails_when_required() {
        assert_eq!(
            decide(false, false, "xmllint", "libxml2-utils"),
            Decision::Skip("skipped: needs xmllint (apt-get install -y libxml2-utils)".into())
        );
        let Decision::Fail(msg) = decide(false, true, "xmllint", "libxml2-utils") else {
            panic!("required tools fail")
        };
        assert!(
            msg.starts_with(
                "needs xmllint (apt-get install -y libxml2-utils): PRIOR_REQUIRE_TOOLS is set"
            ),
            "{msg}"
        );
    }

    #[test]
    fn only_a_non_empty_non_zero_value_requires_tools() {
        assert!(is_set(OsStr::new("1")));
        assert!(is_set(OsStr::new("yes")));
        assert!(!is_set(OsStr::new("")));
        assert!(!is_set(OsStr::new("0")));
    }

    #[test]
    fn packages_follow_debian_names() {
        assert_eq!(package_of("xmllint"), "libxml2-utils");
        assert_eq!(package_of("adb"), "adb");
        let r = std::panic::catch_unwind(|| package_of("rg"));
        assert!(r.is_err(), "unknown tools are a bug in the test");
    }

    #[test]
    fn path_lookup_finds_only_executable_files() {
        let dir = tempdir();
        let exe = dir.join("tool-x");
        let plain = dir.join("tool-y");
        std::fs::write(&exe, "#!/bin/sh\n").unwrap();
        std::fs::write(&plain, "data").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
            std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let path = std::env::join_paths([Path::new("/nonexistent"), dir.as_path()]).unwrap();
        assert_eq!(find_in(&path, "tool-x"), Some(exe));
        #[cfg(unix)]
        assert_eq!(find_in(&path, "tool-y"), None);
        assert_eq!(find_in(&path, "tool-z"), None);
        assert_eq!(find_in(OsStr::new(""), "tool-x"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// scripts/test installs exactly the packages of TOOLS and PYTHON_MODULES (the one list;
    /// the tables mirror it so a skipped test can name its package).
    #[test]
    fn scripts_test_installs_exactly_the_packages_of_the_tables() {
        let script = include_str!("../../../scripts/test");
        let list = script
            .split_once("for pair in ")
            .and_then(|(_, rest)| rest.split_once("; do"))
            .map(|(list, _)| list.replace("\\\n", " "))
            .expect("scripts/test has `for pair in TOOL:PACKAGE…; do`");
        let mut in_script: Vec<&str> = list.split_whitespace().collect();
        in_script.sort_unstable();
        let mut in_table: Vec<String> = TOOLS.iter().map(|(t, p)| format!("{t}:{p}")).collect();
        in_table.sort_unstable();
        assert_eq!(in_script, in_table);
        for (file, pkg) in FILES {
            assert!(
                script.contains(&format!("[ -e {file} ] || need+=({pkg})")),
                "scripts/test does not install {pkg} for {file}"
            );
        }
        for (module, pkg) in PYTHON_MODULES {
            assert!(
                script.contains(&format!("import {module}\""))
                    && script.contains(&format!("need+=({pkg})")),
                "scripts/test does not install {pkg} for {module}"
            );
        }
    }

    /// A fresh directory under the system temp dir (no tempfile dependency here).
    fn tempdir() -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "prior-testkit-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
