//! Android package names: the one check every crate uses (APK manifests, scenarios, the
//! simulated handset's models).
//!
//! The rule is the platform's own, `validateName(name, requireSeparator = true,
//! requireFilename = true)` in AOSP `PackageParser` (Android 7–10) and
//! `FrameworkParsingPackageUtils` (Android 11+): ASCII letters anywhere, digits and `_` only
//! after a letter of the same segment, `.` between segments, at least one `.`. A name that
//! fails it cannot be installed (`INSTALL_PARSE_FAILED_BAD_PACKAGE_NAME`). Empty segments
//! (`a..b`) pass the platform's loop and therefore pass here too. The length limit is the file
//! name limit, 255 bytes (`FileUtils.isValidExtFilename`); newer releases also refuse names
//! over 223 characters (`MAX_FILE_NAME_SIZE`; from which release is UNVERIFIED), which Prior
//! leaves to the device's `pm install` answer.

/// Longest package name accepted (a file name on the device).
pub const MAX_PACKAGE_NAME_LEN: usize = 255;

/// Why `name` is not an installable package name, in the platform's words where it has them;
/// `None` when it is one.
pub fn package_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("the package name is empty".to_string());
    }
    if name.len() > MAX_PACKAGE_NAME_LEN {
        return Some(format!(
            "the package name is longer than {MAX_PACKAGE_NAME_LEN} bytes"
        ));
    }
    let (mut has_sep, mut front) = (false, true);
    for c in name.chars() {
        if c.is_ascii_alphabetic() {
            front = false;
        } else if !front && (c.is_ascii_digit() || c == '_') {
        } else if c == '.' {
            has_sep = true;
            front = true;
        } else {
            return Some(format!("bad character {:?} in the package name", c));
        }
    }
    (!has_sep).then(|| "the package name must have at least one '.' separator".to_string())
}

/// Whether `name` is an installable package name ([`package_name_problem`] finds nothing).
pub fn is_package_name(name: &str) -> bool {
    package_name_problem(name).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_platform_rule() {
        for ok in [
            "com.example.shop",
            "a.b_2",
            "com.x1",
            "A.B",
            "com..x",
            "a.",
            ".a",
        ] {
            assert!(is_package_name(ok), "{ok}");
        }
        for bad in [
            "",
            "shop",
            "com.1x",
            "com._x",
            "1com.x",
            "com.x; reboot",
            "com.x y",
            "com.ü.x",
            "com/x.y",
            "com.x\u{1b}[2J",
        ] {
            assert!(!is_package_name(bad), "{bad:?}");
        }
        assert!(!is_package_name(&format!("a.{}", "b".repeat(300))));
        assert_eq!(
            package_name_problem("shop").as_deref(),
            Some("the package name must have at least one '.' separator")
        );
    }
}
