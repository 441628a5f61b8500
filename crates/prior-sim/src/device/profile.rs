//! Device profiles: what kind of handset the simulator plays (API level, build type, vendor
//! quirks, a screen that never idles). Device behaviour is data here, in two tables:
//!
//! - [`PROFILES`]: every selectable profile, one row each;
//! - [`FACTS`]: every version-dependent behaviour the shell commands consult, with the API
//!   level it arrived at and the primary source it was read from (the same facts are listed
//!   in `docs/sim-models.md`, "Device profiles").
//!
//! Commands never test an API number themselves: they ask [`DeviceProfile::has`] for a
//! [`Fact`], so adding a profile or correcting a version boundary is a one-row change.
//!
//! ```
//! use prior_sim::device::profile::{DeviceProfile, Fact};
//! let p = DeviceProfile::named("api24-user").unwrap();
//! assert!(!p.has(Fact::LogcatFormatLists));
//! assert!(!p.debuggable());
//! assert_eq!(DeviceProfile::default().name, "api33-userdebug");
//! ```

use std::fmt;

/// `ro.build.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BuildType {
    /// A release build: `ro.debuggable=0`, only debuggable apps are traced.
    User,
    /// A development build (emulator `google_apis` images): `ro.debuggable=1`.
    Userdebug,
}

impl BuildType {
    /// The `ro.build.type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            BuildType::User => "user",
            BuildType::Userdebug => "userdebug",
        }
    }
}

/// Vendor behaviour layered over AOSP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vendor {
    /// Plain AOSP / Google emulator image.
    Aosp,
    /// A Xiaomi (MIUI)-style image: vendor app-ops (`MIUIOP(10033)`) in `dumpsys appops`.
    Xiaomi,
}

/// One simulated handset kind. Copy it freely; all fields are static.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeviceProfile {
    /// The name `prior sim --profile` and [`DeviceProfile::named`] take.
    pub name: &'static str,
    /// `ro.build.version.sdk`.
    pub api: u32,
    /// `ro.build.version.release`.
    pub release: &'static str,
    /// `ro.build.id` (illustrative emulator build ids; UNVERIFIED per image).
    pub build_id: &'static str,
    /// `ro.build.type` (and with it `ro.debuggable`).
    pub build_type: BuildType,
    /// Vendor quirks.
    pub vendor: Vendor,
    /// The screen never goes idle (an endless animation): `uiautomator dump` fails with
    /// `ERROR: could not get idle state.` and writes no file.
    pub screen_never_idle: bool,
}

/// A version-dependent behaviour of a real device that the simulator models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fact {
    /// `logcat -b a,b` takes a comma-separated list of buffers. Before, the whole argument
    /// is one buffer name: `Unable to open log device 'main,system'`, exit 1.
    LogcatBufferLists,
    /// `logcat -v x,y` takes a comma-separated list of format words. Before, the whole
    /// argument is one word: `Invalid parameter epoch,uid to -v` plus the usage, exit 1.
    LogcatFormatLists,
    /// `dumpsys appops` takes options (`--package`, `--op`, …) and prints the Android 9+
    /// layout. Before, `-h` prints the help, any other `-x` prints `Unknown option: -x`, a
    /// word prints `Unknown command: X` (and nothing else); without arguments the dump is
    /// the old per-package layout (`COARSE_LOCATION: mode=0; time=+5s0ms ago`), and
    /// `appops get` prints no `Default mode:` line and `Error: No UID for P in user 0`.
    AppOpsDumpOptions,
    /// `cmd wifi status` prints whether Wi-Fi is on and the connected network (`Wifi is
    /// connected to "SSID"`). Before, `cmd wifi` has no `status`: `Unknown command: status`.
    WifiStatusCommand,
}

/// One row of [`FACTS`]: a behaviour, the first API level that has it, its source.
#[derive(Debug, Clone, Copy)]
pub struct FactRow {
    pub fact: Fact,
    /// First API level with the behaviour.
    pub since_api: u32,
    /// Where it was read (primary source).
    pub source: &'static str,
}

/// The version-dependent behaviours the simulator models, with their sources.
pub const FACTS: &[FactRow] = &[
    FactRow {
        fact: Fact::LogcatBufferLists,
        since_api: 25,
        source: "system/core logcat/logcat.cpp: android-7.0.0_r1 `case 'b'` appends optarg as \
                 one device and reports `Unable to open log device '%s'`; android-7.1.1_r1 \
                 splits optarg with strtok(\",:; \\t\\n\\r\\f\")",
    },
    FactRow {
        fact: Fact::LogcatFormatLists,
        since_api: 26,
        source: "system/core commit b45a175cd (2017-02-28, first tag android-8.0.0_r1) \
                 \"liblogcat: -v and ${ANDROID_PRINTF_LOG} support comma separated list\"; \
                 android-7.x: logcat_panic(true, \"Invalid parameter %s to -v\\n\")",
    },
    FactRow {
        fact: Fact::AppOpsDumpOptions,
        since_api: 28,
        source: "frameworks/base services/core/java/com/android/server/AppOpsService.java \
                 dump() and Shell of an Android 8.0 tree (SiXROM-OREO/frameworks_base \
                 7164d91c): only -h/-a, `Unknown option: `/`Unknown command: ` then return; \
                 --package arrives with the Android 9 dump (docs/device-behaviour.md)",
    },
    FactRow {
        fact: Fact::WifiStatusCommand,
        since_api: 30,
        source: "UNVERIFIED: packages/modules/Wifi WifiShellCommand `status` as seen on Android \
                 11+ emulator images; the first API level was not read in the source \
                 (docs/interception.md, Honey data)",
    },
];

const fn p(
    name: &'static str,
    api: u32,
    release: &'static str,
    build_id: &'static str,
    build_type: BuildType,
) -> DeviceProfile {
    DeviceProfile {
        name,
        api,
        release,
        build_id,
        build_type,
        vendor: Vendor::Aosp,
        screen_never_idle: false,
    }
}

use BuildType::{User, Userdebug};

/// Every selectable profile. Release numbers per API level: developer.android.com
/// "API levels" table (`<uses-sdk>` guide).
pub const PROFILES: &[DeviceProfile] = &[
    p("api24-user", 24, "7.0", "NYC", User),
    p("api24-userdebug", 24, "7.0", "NYC", Userdebug),
    p("api26-user", 26, "8.0.0", "OSR1.170901.008", User),
    p("api26-userdebug", 26, "8.0.0", "OSR1.170901.008", Userdebug),
    p("api28-user", 28, "9", "PSR1.180720.075", User),
    p("api28-userdebug", 28, "9", "PSR1.180720.075", Userdebug),
    p("api30-user", 30, "11", "RSR1.201013.001", User),
    p("api30-userdebug", 30, "11", "RSR1.201013.001", Userdebug),
    p("api33-user", 33, "13", "TE1A.220922.034", User),
    p("api33-userdebug", 33, "13", "TE1A.220922.034", Userdebug),
    p("api34-user", 34, "14", "UE1A.230829.036", User),
    p("api34-userdebug", 34, "14", "UE1A.230829.036", Userdebug),
    DeviceProfile {
        vendor: Vendor::Xiaomi,
        ..p("xiaomi-api30-user", 30, "11", "RKQ1.200826.002", User)
    },
    DeviceProfile {
        screen_never_idle: true,
        ..p("api33-never-idle", 33, "13", "TE1A.220922.034", Userdebug)
    },
];

/// The profile name `prior sim` and `device: simulated` use when none is given.
pub const DEFAULT_PROFILE: &str = "api33-userdebug";

/// A profile name that is not in [`PROFILES`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("use device profile `{name}`: unknown; known profiles: {known}")]
pub struct UnknownProfile {
    pub name: String,
    pub known: String,
}

impl DeviceProfile {
    /// The profile called `name`.
    pub fn named(name: &str) -> Option<DeviceProfile> {
        PROFILES.iter().find(|p| p.name == name).copied()
    }

    /// The profile called `name`, or an error listing the known names.
    pub fn parse(name: &str) -> Result<DeviceProfile, UnknownProfile> {
        DeviceProfile::named(name).ok_or_else(|| UnknownProfile {
            name: name.to_owned(),
            known: DeviceProfile::names().join(", "),
        })
    }

    /// Every profile name, in table order.
    pub fn names() -> Vec<&'static str> {
        PROFILES.iter().map(|p| p.name).collect()
    }

    /// Whether this device has a version-dependent behaviour (see [`FACTS`]).
    pub fn has(&self, fact: Fact) -> bool {
        FACTS
            .iter()
            .find(|r| r.fact == fact)
            .is_some_and(|r| self.api >= r.since_api)
    }

    /// `ro.debuggable` (`Build.IS_DEBUGGABLE`): set on userdebug builds.
    pub fn debuggable(&self) -> bool {
        self.build_type == BuildType::Userdebug
    }

    /// `ro.build.tags`: release builds are signed with release keys.
    pub fn build_tags(&self) -> &'static str {
        match self.build_type {
            BuildType::User => "release-keys",
            BuildType::Userdebug => "dev-keys",
        }
    }
}

impl Default for DeviceProfile {
    fn default() -> Self {
        // DEFAULT_PROFILE is a row of PROFILES (checked by a test).
        DeviceProfile::named(DEFAULT_PROFILE).unwrap_or(PROFILES[9])
    }
}

impl fmt::Display for DeviceProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (Android {}, API {}, {})",
            self.name,
            self.release,
            self.api,
            self.build_type.as_str()
        )
    }
}

impl std::str::FromStr for DeviceProfile {
    type Err = UnknownProfile;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DeviceProfile::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_api33_userdebug_and_every_name_is_unique() {
        let d = DeviceProfile::default();
        assert_eq!(
            (d.name, d.api, d.build_type),
            ("api33-userdebug", 33, Userdebug)
        );
        let mut names = DeviceProfile::names();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), PROFILES.len());
        for api in [24, 26, 28, 30, 33, 34] {
            for bt in ["user", "userdebug"] {
                let p = DeviceProfile::named(&format!("api{api}-{bt}")).unwrap();
                assert_eq!((p.api, p.build_type.as_str()), (api, bt));
            }
        }
    }

    #[test]
    fn facts_follow_the_api_level() {
        let at = |n: &str| DeviceProfile::named(n).unwrap();
        assert!(!at("api24-user").has(Fact::LogcatBufferLists));
        assert!(!at("api24-user").has(Fact::LogcatFormatLists));
        assert!(at("api26-user").has(Fact::LogcatBufferLists));
        assert!(at("api26-user").has(Fact::LogcatFormatLists));
        assert!(!at("api26-user").has(Fact::AppOpsDumpOptions));
        assert!(at("api28-user").has(Fact::AppOpsDumpOptions));
        assert!(!at("api34-user").debuggable());
        assert!(at("api34-userdebug").debuggable());
        // every fact has a row
        for f in [
            Fact::LogcatBufferLists,
            Fact::LogcatFormatLists,
            Fact::AppOpsDumpOptions,
            Fact::WifiStatusCommand,
        ] {
            assert_eq!(FACTS.iter().filter(|r| r.fact == f).count(), 1);
        }
    }

    #[test]
    fn an_unknown_name_lists_the_known_ones() {
        let e = DeviceProfile::parse("api99").unwrap_err();
        assert!(e.to_string().contains("api24-user, api24-userdebug"), "{e}");
        assert_eq!(
            "xiaomi-api30-user".parse::<DeviceProfile>().unwrap().vendor,
            Vendor::Xiaomi
        );
    }
}
