//! The device commands whose form depends on the device (API level, build type), chosen in one
//! place, and the pure decisions the recorder takes from their replies. Every fact has its
//! primary source in docs/device-behaviour.md.

use prior_device::{Cmd, PackageName};
use prior_model::bundle::{AppInfo, DeviceInfo};

/// The arguments of the logcat command the recorder streams: the main, system, crash and
/// events buffers, device epoch time with microseconds, uid, printable (docs/bundle.md). One flag
/// per buffer and per format: comma lists (`-b main,system`, `-v epoch,uid`) are refused by
/// logcat on API 24 (`-b`) and API 24–25 (`-v`), which exit at once; repeated flags work on
/// every level (AOSP system/core `logcat/logcat.cpp` `main()` `case 'b'`/`case 'v'`,
/// android-7.0.0_r1 … android-8.0.0_r1; docs/device-behaviour.md (c)).
pub const LOGCAT_ARGS: &str =
    "-b main -b system -b crash -b events -v epoch -v uid -v usec -v printable";

/// Clears the buffers the recorder streams (same portable form as [`LOGCAT_ARGS`]).
pub const LOGCAT_CLEAR_ARGS: &str = "-b main -b system -b crash -b events -c";

/// The first API level whose `dumpsys appops` takes `--package` (Android 9). Before it
/// `AppOpsService.dump()` answers any option with `Unknown option: …` and nothing else
/// (docs/device-behaviour.md (b); API 28 itself UNVERIFIED, so a refusal is also detected
/// from the reply).
pub const APPOPS_PACKAGE_OPTION_API: u32 = 28;

/// First API level where the recorder works as designed without a warning (Android 8.0).
pub const FULL_SUPPORT_API: u32 = 26;

/// The app-ops snapshot command: `dumpsys appops --package PKG` where the option exists,
/// else the plain dump (every package; the analyzer keeps the app's blocks). `full` forces
/// the plain dump (after a device refused the option).
pub fn appops_cmd(api_level: Option<u32>, package: &PackageName, full: bool) -> Cmd {
    let has_option = api_level.is_none_or(|api| api >= APPOPS_PACKAGE_OPTION_API);
    if has_option && !full {
        Cmd::new("dumpsys").raw("appops --package").pkg(package)
    } else {
        Cmd::new("dumpsys").raw("appops")
    }
}

/// `ro.debuggable` → `Some(true)` for `1`, `Some(false)` for `0`, `None` otherwise.
pub fn prop_debuggable(value: Option<&str>) -> Option<bool> {
    match value.map(str::trim) {
        Some("1") => Some(true),
        Some("0") => Some(false),
        _ => None,
    }
}

/// Why `am trace-ipc` cannot trace the app, or `None` when it can (or Prior cannot tell the
/// build is a release one). `am trace-ipc` traces and dumps a process only if
/// `ro.debuggable` is 1 or the app is debuggable (`ActivityManagerService`
/// `processSanityChecksLocked`/`LPr`; docs/device-behaviour.md (a)).
pub fn ipc_unavailable_reason(device: &DeviceInfo, app: &AppInfo) -> Option<String> {
    let release_build = match device.debuggable {
        Some(d) => !d,
        None => device.build_type.as_deref() == Some("user"),
    };
    if !release_build {
        return None;
    }
    let what = match device.build_type.as_deref() {
        Some(t) => format!(
            "{t} build (ro.debuggable={})",
            match device.debuggable {
                Some(true) => "1",
                Some(false) => "0",
                None => "unset",
            }
        ),
        None => "release build (ro.debuggable=0)".to_string(),
    };
    match app.debuggable {
        Some(true) => None,
        Some(false) => Some(format!(
            "{what} and the app is not debuggable: am trace-ipc traces only debuggable processes"
        )),
        None => Some(format!(
            "{what} and the app's debuggable flag could not be read (release apps are not \
             debuggable): am trace-ipc traces only debuggable processes"
        )),
    }
}

/// Warnings for the operator before recording on this device.
pub fn device_warnings(device: &DeviceInfo) -> Vec<String> {
    let mut out = Vec::new();
    let user = device.debuggable == Some(false) || device.build_type.as_deref() == Some("user");
    if user {
        out.push(format!(
            "warning: the device is a {} build (ro.debuggable={}): am trace-ipc traces only \
             debuggable apps, so a release app's binder calls cannot be recorded; use a \
             device or emulator image whose ro.build.type is userdebug for full coverage",
            device.build_type.as_deref().unwrap_or("release"),
            if device.debuggable == Some(true) {
                "1"
            } else {
                "0"
            },
        ));
    }
    if let Some(api) = device.api_level
        && api < FULL_SUPPORT_API
    {
        out.push(format!(
            "warning: the device runs API {api} (below {FULL_SUPPORT_API}, Android 8.0): logcat \
             needs one flag per buffer and format, app-ops come from the full dump with \
             relative times only, and the logcat uid column names fewer system users"
        ));
    }
    out
}

/// A component in one comparable form: `(package, fully qualified class)`. `com.x/.Main`
/// and `com.x/com.x.Main` (how `dumpsys activity` abbreviates a class in its own package,
/// `ComponentName.flattenToShortString`) are the same; a class outside the package
/// (activity-alias targets, `com.x/com.y.Alias`) stays as printed. `None` when `s` is not
/// `package/class`.
pub fn normalize_component(s: &str) -> Option<(String, String)> {
    let (pkg, class) = s.trim().split_once('/')?;
    if pkg.is_empty() || class.is_empty() || class.contains('/') {
        return None;
    }
    let class = match class.strip_prefix('.') {
        Some(rest) => format!("{pkg}.{rest}"),
        None => class.to_string(),
    };
    Some((pkg.to_string(), class))
}

/// The component a scenario's `wait_for: {activity}` names, as `package/class`: `.Main` and
/// `com.x.Main` are in the app's package; `a/b` is taken as written.
pub fn expand_component(package: &str, activity: &str) -> String {
    if activity.contains('/') {
        activity.to_string()
    } else {
        format!("{package}/{activity}")
    }
}

/// Whether a `dumpsys activity activities` reply shows `want` (`package/class`, either form)
/// as the resumed activity (`mResumedActivity:`, `topResumedActivity=`, `ResumedActivity:`
/// lines, which print `ActivityRecord{hash u0 com.x/.Main t12}`).
pub fn resumed_matches(dumpsys: &str, want: &str) -> bool {
    let Some(want) = normalize_component(want) else {
        return false;
    };
    dumpsys.lines().any(|l| {
        (l.contains("mResumedActivity")
            || l.contains("topResumedActivity")
            || l.contains("ResumedActivity:"))
            && l.split(|c: char| c.is_whitespace() || c == '{' || c == '}')
                .filter_map(normalize_component)
                .any(|c| c == want)
    })
}

/// The last non-empty line of `uiautomator dump`'s stderr (e.g. `ERROR: could not get idle
/// state.`), cut to 200 characters.
pub fn ui_error_line(stderr: &str) -> Option<String> {
    stderr
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .map(|l| l.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(build_type: Option<&str>, debuggable: Option<bool>, api: Option<u32>) -> DeviceInfo {
        DeviceInfo {
            serial: "s".into(),
            model: None,
            api_level: api,
            fingerprint: None,
            abi: None,
            locale: None,
            timezone: None,
            utc_offset_s: 0,
            clock_offset_us: None,
            emulator: false,
            simulated: true,
            build_type: build_type.map(str::to_string),
            debuggable,
        }
    }

    fn app(debuggable: Option<bool>) -> AppInfo {
        AppInfo {
            package: "com.x".into(),
            version_name: None,
            version_code: None,
            launcher_activity: None,
            apk_sha256: None,
            apk_file: None,
            uid: None,
            debuggable,
        }
    }

    #[test]
    fn logcat_uses_one_flag_per_buffer_and_format() {
        assert!(!LOGCAT_ARGS.contains(','), "{LOGCAT_ARGS}");
        assert!(!LOGCAT_CLEAR_ARGS.contains(','));
        assert_eq!(LOGCAT_ARGS.matches("-b ").count(), 4);
        assert_eq!(LOGCAT_ARGS.matches("-v ").count(), 4);
    }

    #[test]
    fn appops_command_by_api_level() {
        let p = PackageName::new("com.x").unwrap();
        assert_eq!(
            appops_cmd(Some(33), &p, false).as_str(),
            "dumpsys appops --package 'com.x'"
        );
        assert_eq!(
            appops_cmd(Some(28), &p, false).as_str(),
            "dumpsys appops --package 'com.x'"
        );
        assert_eq!(appops_cmd(Some(27), &p, false).as_str(), "dumpsys appops");
        assert_eq!(appops_cmd(Some(24), &p, false).as_str(), "dumpsys appops");
        assert_eq!(appops_cmd(Some(33), &p, true).as_str(), "dumpsys appops");
        assert_eq!(
            appops_cmd(None, &p, false).as_str(),
            "dumpsys appops --package 'com.x'"
        );
    }

    #[test]
    fn ipc_is_unavailable_only_for_a_release_app_on_a_release_build() {
        let user = dev(Some("user"), Some(false), Some(33));
        assert_eq!(
            ipc_unavailable_reason(&user, &app(Some(false))).as_deref(),
            Some(
                "user build (ro.debuggable=0) and the app is not debuggable: am trace-ipc \
                 traces only debuggable processes"
            )
        );
        assert_eq!(ipc_unavailable_reason(&user, &app(Some(true))), None);
        assert!(
            ipc_unavailable_reason(&user, &app(None))
                .unwrap()
                .contains("could not be read")
        );
        let userdebug = dev(Some("userdebug"), Some(true), Some(33));
        assert_eq!(ipc_unavailable_reason(&userdebug, &app(Some(false))), None);
        // ro.debuggable decides; the build type is only a fallback.
        let odd = dev(Some("user"), Some(true), Some(33));
        assert_eq!(ipc_unavailable_reason(&odd, &app(Some(false))), None);
        let unknown = dev(None, None, None);
        assert_eq!(ipc_unavailable_reason(&unknown, &app(Some(false))), None);
        assert_eq!(prop_debuggable(Some("1")), Some(true));
        assert_eq!(prop_debuggable(Some("0\n")), Some(false));
        assert_eq!(prop_debuggable(Some("")), None);
        assert_eq!(prop_debuggable(None), None);
    }

    #[test]
    fn warnings_for_user_builds_and_old_levels() {
        assert!(device_warnings(&dev(Some("userdebug"), Some(true), Some(33))).is_empty());
        let w = device_warnings(&dev(Some("user"), Some(false), Some(24)));
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("user build") && w[0].contains("am trace-ipc"));
        assert!(w[1].contains("API 24"));
        assert_eq!(
            device_warnings(&dev(Some("userdebug"), Some(true), Some(25))).len(),
            1
        );
        assert!(device_warnings(&dev(Some("userdebug"), Some(true), Some(26))).is_empty());
    }

    #[test]
    fn components_compare_in_both_forms() {
        assert_eq!(
            normalize_component("com.x/.Main"),
            Some(("com.x".into(), "com.x.Main".into()))
        );
        assert_eq!(
            normalize_component("com.x/.Main"),
            normalize_component("com.x/com.x.Main")
        );
        assert_eq!(
            normalize_component("com.x/.ui.SplashActivity"),
            normalize_component("com.x/com.x.ui.SplashActivity")
        );
        // An alias-like class outside the package stays as printed.
        assert_eq!(
            normalize_component("com.x/com.y.LauncherAlias"),
            Some(("com.x".into(), "com.y.LauncherAlias".into()))
        );
        assert_ne!(
            normalize_component("com.x/.Main"),
            normalize_component("com.y/.Main")
        );
        assert_eq!(normalize_component("nothing"), None);
        assert_eq!(normalize_component("/x"), None);
        assert_eq!(expand_component("com.x", ".Main"), "com.x/.Main");
        assert_eq!(expand_component("com.x", "com.x.Main"), "com.x/com.x.Main");
        assert_eq!(expand_component("com.x", "com.y/.A"), "com.y/.A");
    }

    #[test]
    fn resumed_activity_matches_the_short_and_the_long_form() {
        let dump = "  Display #0 (activities from top to bottom):\n\
                    \x20   mResumedActivity: ActivityRecord{5f1c2d3 u0 com.x/.ui.Main t42}\n\
                    \x20 ResumedActivity: ActivityRecord{5f1c2d3 u0 com.x/.ui.Main t42}\n";
        assert!(resumed_matches(dump, "com.x/com.x.ui.Main"));
        assert!(resumed_matches(dump, "com.x/.ui.Main"));
        assert!(!resumed_matches(dump, "com.x/.Main"));
        assert!(!resumed_matches(dump, "com.x/com.x.ui.Main2"));
        let top = "  topResumedActivity=ActivityRecord{abc u0 com.x/com.y.Alias t3}\n";
        assert!(resumed_matches(top, "com.x/com.y.Alias"));
        assert!(!resumed_matches(top, "com.x/.Alias"));
        // Only resumed-activity lines count.
        let other = "  * Hist #0: ActivityRecord{abc u0 com.x/.ui.Main t42}\n";
        assert!(!resumed_matches(other, "com.x/.ui.Main"));
    }

    #[test]
    fn ui_errors_are_read_from_stderr() {
        assert_eq!(
            ui_error_line("ERROR: could not get idle state.\n").as_deref(),
            Some("ERROR: could not get idle state.")
        );
        assert_eq!(ui_error_line("  \n"), None);
    }
}
