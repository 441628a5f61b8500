//! Where the Android SDK's tools are.
//!
//! Facts, from developer.android.com ("Environment variables", "emulator command line",
//! "sdkmanager", "avdmanager", "Android Debug Bridge"):
//! - the SDK root is `ANDROID_HOME`; `ANDROID_SDK_ROOT` is its deprecated older name;
//! - `emulator` is `<sdk>/emulator/emulator`, `adb` is `<sdk>/platform-tools/adb`,
//!   `sdkmanager` and `avdmanager` are in `<sdk>/cmdline-tools/latest/bin/` (or another
//!   `<sdk>/cmdline-tools/<version>/bin/`, or the legacy `<sdk>/tools/bin/`).
//!
//! Choice (the documentation gives no search order between the SDK and `PATH`): **the SDK
//! first, then `PATH`**, for every tool. `ANDROID_HOME` names the SDK; only when it is unset is
//! the deprecated `ANDROID_SDK_ROOT` used; when both are set and differ, `ANDROID_HOME` wins and
//! [`Locator::warnings`] says so. The SDK comes first because its `adb` is the one released with
//! its `emulator`, and a user who sets `ANDROID_HOME` means that SDK; `PATH` serves machines
//! without an SDK (Debian's `adb` is `/usr/bin/adb`; some CI images put `emulator` on `PATH`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The environment tools (and, in `prior-emulator`, AVDs) are found from.
/// [`SdkEnv::from_process`] reads the real one; tests build their own so nothing depends on
/// the machine running them.
#[derive(Debug, Clone, Default)]
pub struct SdkEnv {
    /// `ANDROID_HOME`.
    pub android_home: Option<PathBuf>,
    /// `ANDROID_SDK_ROOT` (deprecated name of the same thing).
    pub android_sdk_root: Option<PathBuf>,
    /// `ANDROID_AVD_HOME`.
    pub avd_home: Option<PathBuf>,
    /// `ANDROID_EMULATOR_HOME` (default `~/.android`).
    pub emulator_home: Option<PathBuf>,
    /// The user's home directory (`HOME`, or `USERPROFILE` on Windows).
    pub home: Option<PathBuf>,
    /// `PATH`.
    pub path: Option<OsString>,
}

fn non_empty(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

impl SdkEnv {
    /// The process environment.
    pub fn from_process() -> SdkEnv {
        SdkEnv {
            android_home: non_empty("ANDROID_HOME").map(PathBuf::from),
            android_sdk_root: non_empty("ANDROID_SDK_ROOT").map(PathBuf::from),
            avd_home: non_empty("ANDROID_AVD_HOME").map(PathBuf::from),
            emulator_home: non_empty("ANDROID_EMULATOR_HOME").map(PathBuf::from),
            home: non_empty("HOME")
                .or_else(|| non_empty("USERPROFILE"))
                .map(PathBuf::from),
            path: non_empty("PATH"),
        }
    }
}

/// A tool Prior runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tool {
    /// `emulator`.
    Emulator,
    /// `sdkmanager`.
    Sdkmanager,
    /// `avdmanager`.
    Avdmanager,
    /// `adb`.
    Adb,
}

impl Tool {
    /// All tools, in the order `prior doctor` checks them.
    pub const ALL: [Tool; 4] = [
        Tool::Adb,
        Tool::Emulator,
        Tool::Sdkmanager,
        Tool::Avdmanager,
    ];

    /// The executable's name.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Emulator => "emulator",
            Tool::Sdkmanager => "sdkmanager",
            Tool::Avdmanager => "avdmanager",
            Tool::Adb => "adb",
        }
    }

    /// The tool called `name`, if Prior runs one by that name.
    pub fn from_name(name: &str) -> Option<Tool> {
        Tool::ALL.into_iter().find(|t| t.name() == name)
    }

    /// How to install it.
    pub fn install_hint(self) -> &'static str {
        match self {
            Tool::Adb => {
                "install it: `sdkmanager platform-tools`, or on Debian/Ubuntu `sudo apt-get install adb`"
            }
            Tool::Emulator => "install it: `sdkmanager emulator` (needs ANDROID_HOME set)",
            Tool::Sdkmanager | Tool::Avdmanager => {
                "install the Android command-line tools: download commandlinetools-*.zip from \
                 https://developer.android.com/studio#command-line-tools-only and unpack it as \
                 $ANDROID_HOME/cmdline-tools/latest"
            }
        }
    }
}

/// A tool was found nowhere. Its message reads after "failed to …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("find `{}`: looked in {}; {hint}", tool.name(), looked.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
pub struct ToolMissing {
    /// The tool.
    pub tool: Tool,
    /// Every place looked at, in order.
    pub looked: Vec<PathBuf>,
    /// The command or step that installs it.
    pub hint: String,
}

/// Finds tools: the one search order of Prior (see the module docs).
#[derive(Debug, Clone)]
pub struct Locator {
    env: SdkEnv,
    root: Option<PathBuf>,
    warnings: Vec<String>,
}

impl Locator {
    /// A locator for `env`. Never fails: a missing SDK shows up when a tool is asked for.
    pub fn new(env: SdkEnv) -> Locator {
        let mut warnings = Vec::new();
        let root = match (&env.android_home, &env.android_sdk_root) {
            (Some(h), Some(r)) if h != r => {
                warnings.push(format!(
                    "ANDROID_HOME={} and ANDROID_SDK_ROOT={} differ; using ANDROID_HOME",
                    h.display(),
                    r.display()
                ));
                Some(h.clone())
            }
            (Some(h), _) => Some(h.clone()),
            (None, Some(r)) => Some(r.clone()),
            (None, None) => None,
        };
        if let Some(r) = &root
            && !r.is_dir()
        {
            warnings.push(format!("the SDK root {} is not a directory", r.display()));
        }
        Locator {
            env,
            root,
            warnings,
        }
    }

    /// A locator for the process environment.
    pub fn from_process() -> Locator {
        Locator::new(SdkEnv::from_process())
    }

    /// The SDK root, if `ANDROID_HOME`/`ANDROID_SDK_ROOT` names one.
    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// The environment this locator searches.
    pub fn env(&self) -> &SdkEnv {
        &self.env
    }

    /// Things worth telling the user about the environment (conflicting variables…).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Places a tool is looked for, in order (SDK locations, then `PATH`).
    pub fn candidates(&self, tool: Tool) -> Vec<PathBuf> {
        let name = tool.name();
        let mut out = Vec::new();
        if let Some(root) = &self.root {
            match tool {
                Tool::Emulator => out.push(root.join("emulator").join(name)),
                Tool::Adb => out.push(root.join("platform-tools").join(name)),
                Tool::Sdkmanager | Tool::Avdmanager => {
                    out.push(root.join("cmdline-tools/latest/bin").join(name));
                    let mut versions: Vec<PathBuf> = fs_err::read_dir(root.join("cmdline-tools"))
                        .map(|rd| {
                            rd.filter_map(Result::ok)
                                .map(|e| e.path())
                                .filter(|p| p.file_name().is_some_and(|n| n != "latest"))
                                .collect()
                        })
                        .unwrap_or_default();
                    versions.sort();
                    versions.reverse();
                    out.extend(versions.into_iter().map(|v| v.join("bin").join(name)));
                    out.push(root.join("tools/bin").join(name));
                }
            }
        }
        if let Some(path) = &self.env.path {
            out.extend(std::env::split_paths(path).map(|d| d.join(name)));
        }
        out
    }

    /// The first existing, executable candidate for `tool`.
    pub fn find(&self, tool: Tool) -> Result<PathBuf, ToolMissing> {
        let looked = self.candidates(tool);
        if let Some(found) = looked.iter().find(|p| is_executable(p)) {
            tracing::debug!(tool = tool.name(), path = %found.display(), "found tool");
            return Ok(found.clone());
        }
        let mut hint = tool.install_hint().to_string();
        if self.root.is_none() && tool != Tool::Adb {
            hint.push_str("; ANDROID_HOME is not set");
        }
        Err(ToolMissing {
            tool,
            looked: if looked.is_empty() {
                vec![PathBuf::from("(ANDROID_HOME unset, PATH empty)")]
            } else {
                looked
            },
            hint,
        })
    }
}

/// Whether `path` is a file this user may execute.
pub fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exe(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "#!/bin/sh\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }

    #[test]
    fn finds_tools_in_the_sdk_then_on_path() {
        let t = tempfile::tempdir().unwrap();
        let sdk_root = t.path().join("sdk");
        exe(&sdk_root.join("emulator/emulator"));
        exe(&sdk_root.join("cmdline-tools/11.0/bin/sdkmanager"));
        exe(&t.path().join("bin/adb"));
        let loc = Locator::new(SdkEnv {
            android_sdk_root: Some(sdk_root.clone()),
            path: Some(t.path().join("bin").into_os_string()),
            ..SdkEnv::default()
        });
        assert_eq!(
            loc.find(Tool::Emulator).unwrap(),
            sdk_root.join("emulator/emulator")
        );
        assert_eq!(
            loc.find(Tool::Sdkmanager).unwrap(),
            sdk_root.join("cmdline-tools/11.0/bin/sdkmanager")
        );
        assert_eq!(loc.find(Tool::Adb).unwrap(), t.path().join("bin/adb"));
        let err = loc.find(Tool::Avdmanager).unwrap_err();
        assert_eq!(err.tool, Tool::Avdmanager);
        let text = err.to_string();
        assert!(
            text.contains("cmdline-tools/latest/bin/avdmanager"),
            "{text}"
        );
        assert!(text.contains("commandlinetools"), "{text}");
    }

    #[test]
    fn the_sdk_adb_wins_over_the_one_on_path() {
        // The order `prior doctor` and `prior run` share: an SDK adb shadows /usr/bin/adb.
        let t = tempfile::tempdir().unwrap();
        exe(&t.path().join("sdk/platform-tools/adb"));
        exe(&t.path().join("bin/adb"));
        let loc = Locator::new(SdkEnv {
            android_home: Some(t.path().join("sdk")),
            path: Some(t.path().join("bin").into_os_string()),
            ..SdkEnv::default()
        });
        assert_eq!(
            loc.find(Tool::Adb).unwrap(),
            t.path().join("sdk/platform-tools/adb")
        );
        assert_eq!(
            loc.candidates(Tool::Adb),
            vec![
                t.path().join("sdk/platform-tools/adb"),
                t.path().join("bin/adb")
            ]
        );
    }

    #[test]
    fn a_file_without_the_execute_bit_is_not_a_tool() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("sdk/emulator")).unwrap();
        std::fs::write(t.path().join("sdk/emulator/emulator"), "").unwrap();
        let loc = Locator::new(SdkEnv {
            android_home: Some(t.path().join("sdk")),
            ..SdkEnv::default()
        });
        assert!(loc.find(Tool::Emulator).is_err());
    }

    #[test]
    fn android_home_wins_over_sdk_root_with_a_warning() {
        let loc = Locator::new(SdkEnv {
            android_home: Some("/a".into()),
            android_sdk_root: Some("/b".into()),
            ..SdkEnv::default()
        });
        assert_eq!(loc.root(), Some(Path::new("/a")));
        assert!(loc.warnings()[0].contains("differ"));
        assert_eq!(Tool::from_name("adb"), Some(Tool::Adb));
        assert_eq!(Tool::from_name("sh"), None);
    }
}
