//! `prior emulator create`: install a catalogue image with `sdkmanager` when it is missing,
//! create the AVD with `avdmanager`, then write Prior's `config.ini` keys.
//!
//! Command lines (developer.android.com "sdkmanager", "avdmanager"; `docs/device-formats.md` §9–10):
//! - `sdkmanager --install <package> --sdk_root=<sdk>` with `y` lines on stdin when
//!   [`CreateOptions::accept_licenses`] is set (what `yes | sdkmanager --licenses` does), nothing
//!   otherwise (end of input refuses the licence prompt). `--sdk_root` is always passed: the
//!   SDK Prior located is the one it checks afterwards.
//! - `avdmanager create avd -n NAME -k <package> -d <device> [--force]` with `no` on stdin
//!   (the "Do you wish to create a custom hardware profile? \[no\]" prompt).
//!
//! Neither tool is trusted on its exit status alone: after `sdkmanager` the image directory
//! must exist, after `avdmanager` `NAME.ini` and `NAME.avd/config.ini` must (avdmanager has been
//! seen printing "Error: Package path is not valid" and exiting 0).
//!
//! The tools run with the environment of the [`Sdk`]'s [`crate::SdkEnv`] (`ANDROID_HOME`,
//! `ANDROID_AVD_HOME`, `ANDROID_EMULATOR_HOME`, `HOME`, `PATH`), plus
//! [`CreateOptions::tool_env`], each in its own process group so a timeout kills the JVM the
//! wrapper script started too (`kill -KILL -- -PGID`). Every command line is passed to `log`
//! before it runs, shell-quoted so it can be pasted.
//!
//! config.ini rewrite ([`rewrite_config`]): avdmanager writes the file from a map, one
//! `key=value` per line, and the emulator reads it as unordered pairs. Prior keeps every line and
//! the order avdmanager chose, replaces the value of a key it sets on that key's line, and
//! appends keys avdmanager did not write at the end, sorted by key.

use crate::EmulatorError;
use crate::images::Image;
use crate::sdk::{AvdInfo, Sdk, Tool};
use prior_tools::{RunError, ToolOutput, display_argv, tail_lines};
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How [`create`] behaves.
#[derive(Debug, Clone)]
pub struct CreateOptions {
    /// Replace an existing AVD of that name (`avdmanager --force`).
    pub force: bool,
    /// Answer `y` to sdkmanager's licence prompts. When false and a licence is not yet
    /// accepted, the install fails and the error says how to accept it.
    pub accept_licenses: bool,
    /// Longest `sdkmanager --install` may run (it downloads about 1 GB).
    pub sdkmanager_timeout: Duration,
    /// Longest `avdmanager create avd` may run.
    pub avdmanager_timeout: Duration,
    /// Extra environment for the tools (`JAVA_OPTS`, `HTTPS_PROXY`, …).
    pub tool_env: Vec<(OsString, OsString)>,
}

impl Default for CreateOptions {
    fn default() -> Self {
        CreateOptions {
            force: false,
            accept_licenses: true,
            sdkmanager_timeout: Duration::from_secs(30 * 60),
            avdmanager_timeout: Duration::from_secs(3 * 60),
            tool_env: Vec::new(),
        }
    }
}

/// Checks an AVD name the way avdmanager does: one or more of `a-z A-Z 0-9 . _ -`
/// (sdklib `AvdManager.RE_AVD_NAME`, used by `AvdManagerCli` for `create avd`). Prior also
/// refuses names of dots only (they would name `..ini`/`..avd` paths) and names starting
/// with `-` (avdmanager's option parser could take them for a flag).
pub fn validate_avd_name(name: &str) -> Result<(), EmulatorError> {
    let bad = |why: &str| {
        Err(EmulatorError::BadAvdName {
            name: name.to_string(),
            why: why.to_string(),
        })
    };
    if name.is_empty() {
        return bad("the name is empty");
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return bad(&format!(
            "{c:?} is not allowed; avdmanager allows a-z A-Z 0-9 . _ -"
        ));
    }
    if name.chars().all(|c| c == '.') {
        return bad("a name of dots only is not allowed");
    }
    if name.starts_with('-') {
        // avdmanager's rule allows it, but its option parser could read it as a flag.
        return bad("a name must not start with `-`");
    }
    Ok(())
}

/// Creates the AVD `name` from `image`: installs the system image if missing, runs avdmanager,
/// writes the image's config keys. Returns the created AVD as [`Sdk::avd`] reads it.
pub fn create(
    sdk: &Sdk,
    name: &str,
    image: &Image,
    opts: &CreateOptions,
    log: &mut dyn FnMut(&str),
) -> Result<AvdInfo, EmulatorError> {
    validate_avd_name(name)?;
    let ini = sdk.avd_home().join(format!("{name}.ini"));
    if !opts.force && ini.exists() {
        return Err(EmulatorError::AvdExists {
            name: name.to_string(),
            ini,
        });
    }
    let root = sdk
        .root()
        .ok_or_else(|| EmulatorError::NoSdkRoot {
            action: format!("create AVD `{name}` from {}", image.package),
        })?
        .to_path_buf();

    if sdk.image_dir(&image.package).is_none() {
        let tool = sdk.tool(Tool::Sdkmanager)?;
        log(&format!("installing system image {}", image.package));
        if opts.accept_licenses {
            log("accepting the SDK licences it needs (as `yes | sdkmanager --licenses` would)");
        }
        let args = vec![
            "--install".to_string(),
            image.package.clone(),
            format!("--sdk_root={}", root.display()),
        ];
        let stdin = if opts.accept_licenses {
            "y\n".repeat(64)
        } else {
            String::new()
        };
        let run = run_tool(
            sdk,
            Tool::Sdkmanager,
            &tool,
            &args,
            stdin.as_bytes(),
            opts.sdkmanager_timeout,
            &opts.tool_env,
            log,
        )?;
        if !run.success {
            let mut status = run.status.clone();
            if !opts.accept_licenses {
                status.push_str(
                    " (licences were not accepted: run `yes | sdkmanager --licenses`, or let Prior accept them)",
                );
            }
            return Err(run.failed(status));
        }
        if sdk.image_dir(&image.package).is_none() {
            let dir = image_path(&root, &image.package);
            return Err(run.failed(format!("exited 0 but {} does not exist", dir.display())));
        }
    } else {
        log(&format!("system image {} is installed", image.package));
    }

    let tool = sdk.tool(Tool::Avdmanager)?;
    let mut args: Vec<String> = [
        "create",
        "avd",
        "-n",
        name,
        "-k",
        &image.package,
        "-d",
        &image.device,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if opts.force {
        args.push("--force".into());
    }
    let run = run_tool(
        sdk,
        Tool::Avdmanager,
        &tool,
        &args,
        b"no\n",
        opts.avdmanager_timeout,
        &opts.tool_env,
        log,
    )?;
    if !run.success {
        let status = run.status.clone();
        return Err(run.failed(status));
    }
    let Some(avd) = sdk.avd(name)? else {
        return Err(run.failed(format!("exited 0 but {} does not exist", ini.display())));
    };
    let config = avd.dir.join("config.ini");
    if !config.is_file() {
        return Err(run.failed(format!("exited 0 but {} does not exist", config.display())));
    }
    log(&format!(
        "writing {} keys to {}",
        image.config.len(),
        config.display()
    ));
    apply_config(&config, &image.config)?;
    sdk.avd(name)?.ok_or_else(|| EmulatorError::Io {
        action: "read",
        path: ini,
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "the AVD vanished"),
    })
}

fn image_path(root: &Path, package: &str) -> PathBuf {
    package
        .split(';')
        .fold(root.to_path_buf(), |p, part| p.join(part))
}

/// Sets `keys` in the config.ini at `path` (see [`rewrite_config`]); the file is replaced
/// atomically (written beside it, then renamed).
pub fn apply_config(path: &Path, keys: &BTreeMap<String, String>) -> Result<(), EmulatorError> {
    let bytes = fs_err::read(path).map_err(|source| EmulatorError::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let new = rewrite_config(&text, keys);
    let tmp = path.with_extension("ini.prior-tmp");
    fs_err::write(&tmp, new).map_err(|source| EmulatorError::Io {
        action: "write",
        path: tmp.clone(),
        source,
    })?;
    fs_err::rename(&tmp, path).map_err(|source| EmulatorError::Io {
        action: "replace",
        path: path.to_path_buf(),
        source,
    })
}

/// Returns `text` (a config.ini) with `keys` set: a key already present has its value replaced
/// on its line (every occurrence, so a duplicated key cannot keep an old value); missing keys
/// are appended, sorted. Every other line, comments and the line order are kept; the result
/// ends with a newline. Line endings of replaced lines follow the file (`\r\n` kept).
pub fn rewrite_config(text: &str, keys: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len() + 64 * keys.len());
    let mut seen = std::collections::BTreeSet::new();
    for line in text.split_inclusive('\n') {
        let (body, ending) = match line.strip_suffix("\r\n") {
            Some(b) => (b, "\r\n"),
            None => match line.strip_suffix('\n') {
                Some(b) => (b, "\n"),
                None => (line, "\n"),
            },
        };
        let key = body
            .split_once('=')
            .map(|(k, _)| k.trim())
            .filter(|_| !body.trim_start().starts_with('#'));
        match key.and_then(|k| keys.get_key_value(k)) {
            Some((k, v)) => {
                seen.insert(k.as_str());
                out.push_str(k);
                out.push('=');
                out.push_str(v);
                out.push_str(ending);
            }
            None => {
                out.push_str(body);
                out.push_str(ending);
            }
        }
    }
    for (k, v) in keys {
        if !seen.contains(k.as_str()) {
            out.push_str(k);
            out.push('=');
            out.push_str(v);
            out.push('\n');
        }
    }
    out
}

/// What a tool run produced.
struct Run {
    tool: &'static str,
    argv: String,
    success: bool,
    status: String,
    tail: String,
}

impl Run {
    fn failed(self, status: String) -> EmulatorError {
        EmulatorError::ToolFailed {
            tool: self.tool,
            argv: self.argv,
            status,
            output_tail: self.tail,
        }
    }
}

/// The last 12 non-blank lines of stderr, else of stdout.
fn output_tail(out: &ToolOutput) -> String {
    let tail = |bytes: &[u8]| tail_lines(&String::from_utf8_lossy(bytes), 12).join("\n");
    match tail(&out.stderr) {
        t if t.is_empty() => tail(&out.stdout),
        t => t,
    }
}

#[allow(clippy::too_many_arguments)]
fn run_tool(
    sdk: &Sdk,
    tool: Tool,
    program: &Path,
    args: &[String],
    stdin: &[u8],
    timeout: Duration,
    extra_env: &[(OsString, OsString)],
    log: &mut dyn FnMut(&str),
) -> Result<Run, EmulatorError> {
    let argv = display_argv(program, args);
    log(&format!("$ {argv}"));
    // The tool sees the SDK Prior located, not whatever this process inherited.
    let env = sdk.env();
    let mut vars: Vec<(OsString, Option<OsString>)> = [
        "ANDROID_HOME",
        "ANDROID_SDK_ROOT",
        "ANDROID_AVD_HOME",
        "ANDROID_EMULATOR_HOME",
    ]
    .into_iter()
    .map(|var| (var.into(), None))
    .collect();
    let mut set = |var: &str, value: Option<&OsStr>| {
        if let Some(v) = value {
            vars.push((var.into(), Some(v.to_os_string())));
        }
    };
    let root = sdk.root().map(Path::as_os_str);
    set("ANDROID_HOME", root);
    set(
        "ANDROID_SDK_ROOT",
        root.filter(|_| env.android_sdk_root.is_some()),
    );
    set(
        "ANDROID_AVD_HOME",
        env.avd_home.as_deref().map(Path::as_os_str),
    );
    set(
        "ANDROID_EMULATOR_HOME",
        env.emulator_home.as_deref().map(Path::as_os_str),
    );
    set("HOME", env.home.as_deref().map(Path::as_os_str));
    set("PATH", env.path.as_deref());
    vars.extend(extra_env.iter().map(|(k, v)| (k.clone(), Some(v.clone()))));
    let out = prior_tools::run_tool(program, args, &vars, Some(stdin), timeout, usize::MAX)
        .map_err(
            |(RunError::Spawn(source) | RunError::Wait(source))| EmulatorError::Spawn {
                argv: argv.clone(),
                source,
            },
        )?;
    let (success, status) = match out.status {
        None => (
            false,
            format!("timed out after {} s and was killed", timeout.as_secs_f64()),
        ),
        Some(s) if s.success() => (true, "exited with status 0".to_string()),
        Some(s) => (
            false,
            match s.code() {
                Some(c) => format!("exited with status {c}"),
                None => format!("was killed ({s})"),
            },
        ),
    };
    Ok(Run {
        tool: tool.name(),
        tail: output_tail(&out),
        argv,
        success,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SdkEnv;
    use crate::images::Catalogue;
    use std::time::Instant;

    fn data_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/emulator")
    }

    /// A temp SDK with the stand-in tools in `cmdline-tools/latest/bin/`, a temp HOME and AVD
    /// home, and the real PATH (the stand-ins are `#!/usr/bin/env python3` scripts).
    struct Fixture {
        dir: tempfile::TempDir,
        sdk: Sdk,
    }

    /// `None` (the test skips, or fails under `PRIOR_REQUIRE_TOOLS`) without python3.
    fn fixture() -> Option<Fixture> {
        if !prior_testkit::require_tool("python3") {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("sdk/cmdline-tools/latest/bin");
        std::fs::create_dir_all(&bin).unwrap();
        for tool in ["sdkmanager", "avdmanager"] {
            std::fs::copy(data_dir().join(tool), bin.join(tool)).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(bin.join(tool), std::fs::Permissions::from_mode(0o755))
                    .unwrap();
            }
        }
        let sdk = Sdk::locate(SdkEnv {
            android_home: Some(dir.path().join("sdk")),
            avd_home: Some(dir.path().join("avd")),
            home: Some(dir.path().join("home")),
            path: std::env::var_os("PATH"),
            ..SdkEnv::default()
        });
        Some(Fixture { dir, sdk })
    }

    impl Fixture {
        fn opts(&self, fail: &str) -> CreateOptions {
            let mut tool_env = vec![(
                OsString::from("STANDIN_LOG"),
                self.dir.path().join("calls.jsonl").into_os_string(),
            )];
            if !fail.is_empty() {
                tool_env.push(("STANDIN_FAIL".into(), fail.into()));
            }
            CreateOptions {
                tool_env,
                ..CreateOptions::default()
            }
        }

        /// Each tool run, as (tool, argv, stdin read).
        fn calls(&self) -> Vec<(String, Vec<String>, String)> {
            let text =
                std::fs::read_to_string(self.dir.path().join("calls.jsonl")).unwrap_or_default();
            text.lines()
                .map(|l| {
                    let v: serde_json::Value = serde_json::from_str(l).unwrap();
                    (
                        v["tool"].as_str().unwrap().to_string(),
                        v["argv"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|a| a.as_str().unwrap().to_string())
                            .collect(),
                        v["stdin"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        }
    }

    fn image() -> Image {
        Catalogue::builtin()
            .unwrap()
            .lookup("api34-google-x86_64")
            .unwrap()
            .clone()
    }

    fn run(
        f: &Fixture,
        name: &str,
        opts: &CreateOptions,
    ) -> (Result<AvdInfo, EmulatorError>, Vec<String>) {
        let mut lines = Vec::new();
        let r = create(&f.sdk, name, &image(), opts, &mut |l| {
            lines.push(l.to_string())
        });
        (r, lines)
    }

    #[test]
    fn installs_the_image_creates_the_avd_and_applies_the_config() {
        let Some(f) = fixture() else { return };
        let img = image();
        assert!(f.sdk.image_dir(&img.package).is_none());
        let (r, log) = run(&f, "prior34", &f.opts(""));
        let avd = r.unwrap();
        // The image was installed where the SDK says, and the licence accepted.
        assert!(f.sdk.image_dir(&img.package).is_some());
        assert!(
            f.dir
                .path()
                .join("sdk/licenses/android-sdk-license")
                .is_file()
        );
        // The exact command lines.
        let calls = f.calls();
        let sdk_root = format!("--sdk_root={}", f.dir.path().join("sdk").display());
        assert_eq!(calls[0].0, "sdkmanager");
        assert_eq!(
            calls[0].1,
            vec!["--install", img.package.as_str(), &sdk_root]
        );
        assert_eq!(calls[1].0, "avdmanager");
        assert_eq!(
            calls[1].1,
            vec![
                "create",
                "avd",
                "-n",
                "prior34",
                "-k",
                &img.package,
                "-d",
                "pixel_6"
            ]
        );
        assert_eq!(calls[1].2, "no\n");
        assert!(
            log.iter().any(|l| l.starts_with("$ ")
                && l.contains(
                    "sdkmanager --install 'system-images;android-34;google_apis;x86_64'"
                )),
            "{log:?}"
        );
        // The AVD, in the AVD home of the SdkEnv, with Prior's keys.
        assert_eq!(avd.ini, f.dir.path().join("avd/prior34.ini"));
        assert_eq!(avd.target.as_deref(), Some("android-34"));
        for (k, v) in &img.config {
            assert_eq!(avd.config.get(k), Some(v), "{k}");
        }
        assert_eq!(avd.image_package().as_deref(), Some(img.package.as_str()));
        // avdmanager's own lines survive, in their order; a replaced key stays on its line.
        let text = std::fs::read_to_string(avd.dir.join("config.ini")).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "AvdId=prior34");
        let ram = lines
            .iter()
            .position(|l| l.starts_with("hw.ramSize="))
            .unwrap();
        let sysdir = lines
            .iter()
            .position(|l| l.starts_with("image.sysdir.1="))
            .unwrap();
        assert!(ram < sysdir, "hw.ramSize stayed before image.sysdir.1");
        assert_eq!(lines[ram], "hw.ramSize=2048");
        assert_eq!(*lines.last().unwrap(), "hw.gpu.mode=swiftshader_indirect");
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.starts_with("hw.keyboard="))
                .count(),
            1
        );
    }

    #[test]
    fn an_existing_avd_is_refused_unless_forced_and_the_image_is_not_reinstalled() {
        let Some(f) = fixture() else { return };
        run(&f, "p", &f.opts("")).0.unwrap();
        let e = run(&f, "p", &f.opts("")).0.unwrap_err();
        assert!(matches!(e, EmulatorError::AvdExists { .. }), "{e}");
        assert!(e.to_string().contains("--force"), "{e}");
        assert_eq!(f.calls().len(), 2, "nothing ran for the refused create");
        let mut opts = f.opts("");
        opts.force = true;
        let (r, log) = run(&f, "p", &opts);
        r.unwrap();
        let calls = f.calls();
        assert_eq!(calls.len(), 3, "no second sdkmanager run: {calls:?}");
        assert_eq!(calls[2].0, "avdmanager");
        assert_eq!(calls[2].1.last().map(String::as_str), Some("--force"));
        assert!(log.iter().any(|l| l.contains("is installed")), "{log:?}");
    }

    #[test]
    fn bad_names_are_refused_before_any_tool_runs() {
        for name in ["", "bad name", "a/b", "../x", "é", "a;b", "..", "x\n", "-f"] {
            let e = validate_avd_name(name).unwrap_err();
            assert!(matches!(e, EmulatorError::BadAvdName { .. }), "{name:?}");
        }
        for name in ["p34", "Pixel_6.API-34", "a"] {
            validate_avd_name(name).unwrap();
        }
        let Some(f) = fixture() else { return };
        let e = run(&f, "bad name", &f.opts("")).0.unwrap_err();
        assert!(e.to_string().contains("a-z A-Z 0-9 . _ -"), "{e}");
        assert!(f.calls().is_empty());
    }

    #[test]
    fn sdkmanager_failures_name_the_tool_status_and_output() {
        let Some(f) = fixture() else { return };
        let e = run(&f, "p", &f.opts("sdkmanager-network")).0.unwrap_err();
        let EmulatorError::ToolFailed {
            tool,
            status,
            output_tail,
            argv,
        } = &e
        else {
            panic!("{e}")
        };
        assert_eq!(*tool, "sdkmanager");
        assert_eq!(status, "exited with status 1");
        assert!(
            output_tail.contains("IO exception while downloading manifest"),
            "{e}"
        );
        assert!(argv.contains("--install"), "{e}");
        assert!(f.sdk.avd("p").unwrap().is_none());

        // Exit 0 without installing: caught by the check afterwards.
        let e = run(&f, "p", &f.opts("sdkmanager-noop")).0.unwrap_err();
        assert!(
            e.to_string().contains("exited 0 but") && e.to_string().contains("system-images"),
            "{e}"
        );
    }

    #[test]
    fn a_refused_licence_fails_with_a_hint() {
        let Some(f) = fixture() else { return };
        let mut opts = f.opts("");
        opts.accept_licenses = false;
        let e = run(&f, "p", &opts).0.unwrap_err().to_string();
        assert!(e.contains("exited with status 1"), "{e}");
        assert!(e.contains("yes | sdkmanager --licenses"), "{e}");
        assert!(e.contains("license is not accepted"), "{e}");
        assert!(
            !f.dir
                .path()
                .join("sdk/licenses/android-sdk-license")
                .exists()
        );
    }

    #[test]
    fn avdmanager_failures_are_reported_and_verified() {
        let Some(f) = fixture() else { return };
        let e = run(&f, "p", &f.opts("avdmanager-crash")).0.unwrap_err();
        let msg = e.to_string();
        assert!(
            matches!(
                e,
                EmulatorError::ToolFailed {
                    tool: "avdmanager",
                    ..
                }
            ),
            "{msg}"
        );
        assert!(msg.contains("NoClassDefFoundError"), "{msg}");
        // The image is installed by now; avdmanager "succeeds" without writing anything.
        let e = run(&f, "p", &f.opts("avdmanager-exit0"))
            .0
            .unwrap_err()
            .to_string();
        assert!(e.contains("exited 0 but") && e.contains("p.ini"), "{e}");
        assert!(
            e.contains("Package path is not valid"),
            "stdout tail when stderr is empty: {e}"
        );
    }

    #[test]
    fn a_hung_tool_is_killed_at_its_timeout() {
        let Some(f) = fixture() else { return };
        let mut opts = f.opts("sdkmanager-hang");
        opts.sdkmanager_timeout = Duration::from_millis(500);
        let t = Instant::now();
        let e = run(&f, "p", &opts).0.unwrap_err().to_string();
        assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
        assert!(e.contains("timed out after 0.5 s"), "{e}");
    }

    #[test]
    fn missing_tools_and_sdk_are_clear_errors() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("sdk")).unwrap();
        let sdk = Sdk::locate(SdkEnv {
            android_home: Some(t.path().join("sdk")),
            avd_home: Some(t.path().join("avd")),
            path: Some(t.path().join("empty-bin").into_os_string()),
            ..SdkEnv::default()
        });
        let e = create(&sdk, "p", &image(), &CreateOptions::default(), &mut |_| {}).unwrap_err();
        assert!(
            matches!(
                e,
                EmulatorError::ToolMissing {
                    tool: "sdkmanager",
                    ..
                }
            ),
            "{e}"
        );
        let no_root = Sdk::locate(SdkEnv {
            avd_home: Some(t.path().join("avd")),
            ..SdkEnv::default()
        });
        let e = create(
            &no_root,
            "p",
            &image(),
            &CreateOptions::default(),
            &mut |_| {},
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("ANDROID_HOME"), "{e}");
    }

    #[test]
    fn rewrite_keeps_lines_and_order() {
        let keys: BTreeMap<String, String> = [("b", "2"), ("z", "26"), ("a", "1")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let text = "c=3\r\n# a=comment\nb = old\nweird line\nb=dup\na=x";
        assert_eq!(
            rewrite_config(text, &keys),
            "c=3\r\n# a=comment\nb=2\nweird line\nb=2\na=1\nz=26\n"
        );
        assert_eq!(rewrite_config("", &keys), "a=1\nb=2\nz=26\n");
    }
}
