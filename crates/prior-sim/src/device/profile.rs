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
//! assert!(!p.has(Fact::LogcatCommaLists));
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

/// A version- or build-dependent behaviour of a real device that the simulator models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fact {
    /// `logcat -b a,b` and `-v x,y` accept comma-separated lists; before, the whole list is
    /// taken as one name and rejected.
    LogcatCommaLists,
    /// `logcat -v epoch` and `-v uid` exist.
    LogcatEpochUid,
    /// `dumpsys appops` takes options (`--package`, `--op`, …) and prints the Android 9+
    /// layout (`Uid u0a123:` blocks, `Access: [top-s] …`); before, any `-x` argument prints
    /// `Unknown option: -x` plus the help, and the dump is the old per-package layout
    /// (`time=+5s ago`).
    AppOpsDumpOptions,
    /// `dumpsys appops` prints `Access: [state-flags] date (rel)` lines (Android 10+)
    /// instead of the Android 9 `Access: top = date (rel)` form.
    AppOpsAccessKeys,
    /// `dumpsys appops` groups accesses in attribution-tag blocks (`null=[ … ]`, 11+).
    AppOpsAttributionTags,
    /// `am trace-ipc` exists (ActivityManagerShellCommand `trace-ipc`).
    TraceIpc,
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
        fact: Fact::LogcatCommaLists,
        since_api: 26,
        source: "system/core logcat/logcat.cpp, commit b45a175cd (2017-02-28, Android 8.0): \
                 -b and -v split their argument on commas; android-7.x takes one name per flag",
    },
    FactRow {
        fact: Fact::LogcatEpochUid,
        since_api: 24,
        source: "system/core liblog/logprint.c android-7.0.0_r1: FORMAT_MODIFIER_EPOCH, \
                 FORMAT_MODIFIER_UID",
    },
    FactRow {
        fact: Fact::AppOpsDumpOptions,
        since_api: 28,
        source: "frameworks/base services/core/java/com/android/server/AppOpsService.java \
                 dump(): android-8.1 accepts only -h/-a and prints `Unknown option: ` for any \
                 other `-x`; android-9 adds --op/--package/--mode and the uid-state layout",
    },
    FactRow {
        fact: Fact::AppOpsAccessKeys,
        since_api: 29,
        source: "AppOpsService.java dumpTimesLocked (android-10): `Access: [state-flags]`",
    },
    FactRow {
        fact: Fact::AppOpsAttributionTags,
        since_api: 30,
        source: "AppOpsService.java dumpStatesLocked (android-11): attribution tag blocks",
    },
    FactRow {
        fact: Fact::TraceIpc,
        since_api: 24,
        source: "frameworks/base ActivityManagerShellCommand.java runTraceIpc (android-7.0)",
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
        assert!(!at("api24-user").has(Fact::LogcatCommaLists));
        assert!(at("api26-user").has(Fact::LogcatCommaLists));
        assert!(at("api24-user").has(Fact::LogcatEpochUid));
        assert!(!at("api26-user").has(Fact::AppOpsDumpOptions));
        assert!(at("api28-user").has(Fact::AppOpsDumpOptions));
        assert!(!at("api28-user").has(Fact::AppOpsAccessKeys));
        assert!(at("api30-user").has(Fact::AppOpsAttributionTags));
        assert!(!at("api34-user").debuggable());
        assert!(at("api34-userdebug").debuggable());
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
