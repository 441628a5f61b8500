//! Where the Android SDK, its tools and the AVDs are.
//!
//! Facts, from developer.android.com ("Environment variables", "emulator command line",
//! "sdkmanager", "avdmanager") and `docs/device-formats.md` §9:
//! - the SDK root is `ANDROID_HOME`; `ANDROID_SDK_ROOT` is its deprecated older name. When both
//!   are set and differ, `ANDROID_HOME` wins and [`Sdk::warnings`] says so;
//! - `emulator` is `<sdk>/emulator/emulator`, `adb` is `<sdk>/platform-tools/adb`,
//!   `sdkmanager` and `avdmanager` are `<sdk>/cmdline-tools/latest/bin/` (or another
//!   `<sdk>/cmdline-tools/<version>/bin/`, or the legacy `<sdk>/tools/bin/`);
//! - AVDs live in `ANDROID_AVD_HOME`, else `ANDROID_EMULATOR_HOME/avd`, else
//!   `~/.android/avd`, as `NAME.ini` (with `path=…/NAME.avd`) beside `NAME.avd/config.ini`;
//! - the console auth token is `~/.emulator_console_auth_token` (the console banner names the
//!   file it reads);
//! - system images are `<sdk>/system-images/android-<API>/<tag>/<abi>/`, the package id
//!   `system-images;android-<API>;<tag>;<abi>`.
//!
//! Tools are found by `prior_tools::Locator`, Prior's one locator (the SDK first, then
//! `PATH`; its docs say why), so `prior doctor`, `prior run` and `prior-device` agree on which
//! `adb` they mean. Every lookup reports every place it looked.

use crate::EmulatorError;
use prior_tools::Locator;
pub use prior_tools::{SdkEnv, Tool, is_executable};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// An AVD found in the AVD home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvdInfo {
    /// The AVD name (`NAME.ini`).
    pub name: String,
    /// The `NAME.ini` file.
    pub ini: PathBuf,
    /// The AVD directory (`path=` of the ini, else `NAME.avd` beside it).
    pub dir: PathBuf,
    /// `target=` of the ini (e.g. `android-34`).
    pub target: Option<String>,
    /// `config.ini` of the AVD, when readable.
    pub config: BTreeMap<String, String>,
}

impl AvdInfo {
    /// `image.sysdir.1` of config.ini as a package id (`system-images;android-34;google_apis;x86_64`).
    pub fn image_package(&self) -> Option<String> {
        let sysdir = self.config.get("image.sysdir.1")?;
        let parts: Vec<&str> = sysdir
            .split(['/', '\\'])
            .filter(|s| !s.is_empty())
            .collect();
        match parts.as_slice() {
            ["system-images", api, tag, abi] => Some(format!("system-images;{api};{tag};{abi}")),
            _ => None,
        }
    }
}

/// A system image installed in the SDK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledImage {
    /// Its package id, `system-images;android-<API>;<tag>;<abi>`.
    pub package: String,
    /// Its directory.
    pub dir: PathBuf,
}

/// The located SDK.
#[derive(Debug, Clone)]
pub struct Sdk {
    locator: Locator,
}

/// Reads a `key=value` file (AVD ini, config.ini, source.properties). Lines without `=` and
/// `#` comments are skipped; keys and values are trimmed. Non-UTF-8 bytes are replaced.
pub fn read_ini(path: &Path) -> Result<BTreeMap<String, String>, EmulatorError> {
    let bytes = fs_err::read(path).map_err(|source| EmulatorError::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    })?;
    Ok(parse_ini(&String::from_utf8_lossy(&bytes)))
}

/// Parses `key=value` lines (see [`read_ini`]).
pub fn parse_ini(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            out.insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    out
}

impl Sdk {
    /// Locates the SDK from `env`. Never fails: a missing SDK shows up when a tool is asked for.
    pub fn locate(env: SdkEnv) -> Sdk {
        Sdk {
            locator: Locator::new(env),
        }
    }

    /// The SDK root, if `ANDROID_HOME`/`ANDROID_SDK_ROOT` names one.
    pub fn root(&self) -> Option<&Path> {
        self.locator.root()
    }

    /// The environment this SDK was located from.
    pub fn env(&self) -> &SdkEnv {
        self.locator.env()
    }

    /// Prior's tool locator for this environment.
    pub fn locator(&self) -> &Locator {
        &self.locator
    }

    /// Things worth telling the user about the environment (conflicting variables…).
    pub fn warnings(&self) -> &[String] {
        self.locator.warnings()
    }

    /// Places a tool is looked for, in order (SDK locations, then `PATH`).
    pub fn candidates(&self, tool: Tool) -> Vec<PathBuf> {
        self.locator.candidates(tool)
    }

    /// The first existing, executable candidate for `tool`.
    pub fn tool(&self, tool: Tool) -> Result<PathBuf, EmulatorError> {
        self.locator.find(tool).map_err(EmulatorError::from)
    }

    /// `ANDROID_EMULATOR_HOME`, else `~/.android`.
    pub fn emulator_home(&self) -> PathBuf {
        self.env().emulator_home.clone().unwrap_or_else(|| {
            self.env()
                .home
                .clone()
                .unwrap_or_else(|| PathBuf::from("."))
                .join(".android")
        })
    }

    /// `ANDROID_AVD_HOME`, else `<emulator home>/avd`.
    pub fn avd_home(&self) -> PathBuf {
        self.env()
            .avd_home
            .clone()
            .unwrap_or_else(|| self.emulator_home().join("avd"))
    }

    /// The console auth token file, `~/.emulator_console_auth_token`.
    pub fn console_token_file(&self) -> PathBuf {
        self.env()
            .home
            .clone()
            .unwrap_or_else(|| PathBuf::from("."))
            .join(".emulator_console_auth_token")
    }

    /// The AVD named `name`, if its `NAME.ini` exists.
    pub fn avd(&self, name: &str) -> Result<Option<AvdInfo>, EmulatorError> {
        let ini = self.avd_home().join(format!("{name}.ini"));
        if !ini.is_file() {
            return Ok(None);
        }
        let kv = read_ini(&ini)?;
        let dir = kv
            .get("path")
            .map(PathBuf::from)
            .filter(|p| p.is_dir())
            .unwrap_or_else(|| self.avd_home().join(format!("{name}.avd")));
        let config_path = dir.join("config.ini");
        let config = if config_path.is_file() {
            read_ini(&config_path)?
        } else {
            BTreeMap::new()
        };
        Ok(Some(AvdInfo {
            name: name.to_string(),
            ini,
            dir,
            target: kv.get("target").cloned(),
            config,
        }))
    }

    /// Every AVD in the AVD home, by name. Unreadable ones are skipped.
    pub fn avds(&self) -> Vec<AvdInfo> {
        let Ok(rd) = fs_err::read_dir(self.avd_home()) else {
            return Vec::new();
        };
        let mut names: Vec<String> = rd
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_suffix(".ini").map(str::to_string)
            })
            .collect();
        names.sort();
        names
            .iter()
            .filter_map(|n| self.avd(n).ok().flatten())
            .collect()
    }

    /// The directory of an installed system image package id, if it is installed.
    pub fn image_dir(&self, package: &str) -> Option<PathBuf> {
        let root = self.root()?;
        let parts: Vec<&str> = package.split(';').collect();
        let ["system-images", api, tag, abi] = parts.as_slice() else {
            return None;
        };
        if [api, tag, abi]
            .iter()
            .any(|p| p.is_empty() || p.contains(['/', '\\']) || **p == "..")
        {
            return None;
        }
        let dir = root.join("system-images").join(api).join(tag).join(abi);
        // An image directory holds its `source.properties` (or at least `system.img`).
        (dir.join("source.properties").is_file() || dir.join("system.img").is_file()).then_some(dir)
    }

    /// Every installed system image.
    pub fn installed_images(&self) -> Vec<InstalledImage> {
        let Some(root) = self.root() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for api in sorted_dirs(&root.join("system-images")) {
            for tag in sorted_dirs(&api) {
                for abi in sorted_dirs(&tag) {
                    let name = |p: &Path| {
                        p.file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    };
                    let package =
                        format!("system-images;{};{};{}", name(&api), name(&tag), name(&abi));
                    if self.image_dir(&package).is_some() {
                        out.push(InstalledImage {
                            package,
                            dir: abi.clone(),
                        });
                    }
                }
            }
        }
        out
    }
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs_err::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_come_from_prior_tools_locator() {
        let sdk = Sdk::locate(SdkEnv {
            android_home: Some("/a".into()),
            android_sdk_root: Some("/b".into()),
            ..SdkEnv::default()
        });
        assert_eq!(sdk.root(), Some(Path::new("/a")));
        assert!(sdk.warnings()[0].contains("differ"));
        let err = sdk.tool(Tool::Emulator).unwrap_err().to_string();
        assert!(
            err.starts_with("find `emulator`: looked in /a/emulator/emulator"),
            "{err}"
        );
    }

    #[test]
    fn avd_home_precedence() {
        let base = SdkEnv {
            home: Some("/h".into()),
            ..SdkEnv::default()
        };
        assert_eq!(
            Sdk::locate(base.clone()).avd_home(),
            PathBuf::from("/h/.android/avd")
        );
        let with_emu = SdkEnv {
            emulator_home: Some("/e".into()),
            ..base.clone()
        };
        assert_eq!(
            Sdk::locate(with_emu.clone()).avd_home(),
            PathBuf::from("/e/avd")
        );
        let with_avd = SdkEnv {
            avd_home: Some("/v".into()),
            ..with_emu
        };
        assert_eq!(Sdk::locate(with_avd).avd_home(), PathBuf::from("/v"));
        assert_eq!(
            Sdk::locate(base).console_token_file(),
            PathBuf::from("/h/.emulator_console_auth_token")
        );
    }

    #[test]
    fn lists_avds_and_images() {
        let t = tempfile::tempdir().unwrap();
        let avd_home = t.path().join("avd");
        std::fs::create_dir_all(avd_home.join("p34.avd")).unwrap();
        std::fs::write(
            avd_home.join("p34.ini"),
            format!(
                "avd.ini.encoding=UTF-8\npath={}\npath.rel=avd/p34.avd\ntarget=android-34\n",
                avd_home.join("p34.avd").display()
            ),
        )
        .unwrap();
        std::fs::write(
            avd_home.join("p34.avd/config.ini"),
            "image.sysdir.1=system-images/android-34/google_apis/x86_64/\nhw.ramSize=2048\n",
        )
        .unwrap();
        let img = t
            .path()
            .join("sdk/system-images/android-34/google_apis/x86_64");
        std::fs::create_dir_all(&img).unwrap();
        std::fs::write(img.join("source.properties"), "Pkg.Revision=14\n").unwrap();
        std::fs::create_dir_all(t.path().join("sdk/system-images/android-30/default/x86")).unwrap();
        let sdk = Sdk::locate(SdkEnv {
            android_home: Some(t.path().join("sdk")),
            avd_home: Some(avd_home),
            ..SdkEnv::default()
        });
        let avds = sdk.avds();
        assert_eq!(avds.len(), 1);
        assert_eq!(avds[0].target.as_deref(), Some("android-34"));
        assert_eq!(
            avds[0].image_package().as_deref(),
            Some("system-images;android-34;google_apis;x86_64")
        );
        let images = sdk.installed_images();
        assert_eq!(images.len(), 1, "{images:?}");
        assert_eq!(
            images[0].package,
            "system-images;android-34;google_apis;x86_64"
        );
        assert!(sdk.image_dir("system-images;android-34;../..;x").is_none());
        assert!(sdk.avd("missing").unwrap().is_none());
    }
}
