//! `dumpsys package <pkg>`: the facts Prior needs about an installed package — today whether
//! it is debuggable (docs/device-behaviour.md (d)).
//!
//! The package's block starts with `  Package [<pkg>] (<hash>):` inside the `Packages:`
//! section. Its flags are printed by `Settings.printFlags()` as `[ NAME NAME … ]` (a space
//! after `[` and after every name, `[ ]` when none is set), names from `Settings.FLAG_DUMP_SPEC`
//! (`DEBUGGABLE` = `ApplicationInfo.FLAG_DEBUGGABLE`). The line keyed `pkgFlags=` is the
//! package setting's flags (every release); older releases also print `flags=` (the parsed
//! package's), newer ones `privateFlags=`/`privatePkgFlags=`, which never carry
//! `DEBUGGABLE`. Sources: AOSP `com/android/server/pm/Settings.java` (`dumpPackageLPr`,
//! `printFlags`, `FLAG_DUMP_SPEC`), API 25, 30 and 33.
//!
//! Tolerant of variants: indentation is ignored, brackets with or without inner spaces, a
//! `flags=` line is used only when no `pkgFlags=` line exists, and only the first block of
//! the package counts (a `Hidden system packages:` section can repeat it).

use crate::am::text;
pub use crate::am::text::Located;
use serde::Serialize;

/// What `dumpsys package <pkg>` says about one package.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PackageDump {
    /// Line of `Package [<pkg>] (…):`; `None` when the package is not in the dump.
    pub block_line: Option<u64>,
    /// Names in `pkgFlags=[ … ]`, with the line.
    pub pkg_flags: Option<Located<Vec<String>>>,
    /// Names in `flags=[ … ]` (older releases), with the line.
    pub flags: Option<Located<Vec<String>>>,
}

impl PackageDump {
    /// Whether the package is debuggable: `DEBUGGABLE` in `pkgFlags` (or, without that line,
    /// in `flags`); `None` when neither line was found.
    pub fn debuggable(&self) -> Option<bool> {
        self.pkg_flags
            .as_ref()
            .or(self.flags.as_ref())
            .map(|f| f.value.iter().any(|n| n == "DEBUGGABLE"))
    }
}

/// Parses `dumpsys package <pkg>` output for `package` (invalid UTF-8 replaced). Never fails.
pub fn parse_package_dump_bytes(bytes: &[u8], package: &str) -> PackageDump {
    parse_package_dump(&text::decode(bytes), package)
}

/// Parses `dumpsys package <pkg>` output for `package`. Never fails.
pub fn parse_package_dump(text: &str, package: &str) -> PackageDump {
    let mut out = PackageDump::default();
    let mut inside = false;
    for line in text::lines(text) {
        if line.overlong {
            continue;
        }
        let t = line.text.trim();
        if let Some(rest) = t.strip_prefix("Package [") {
            if out.block_line.is_some() {
                // The next package (or a repeat of this one in another section): done.
                break;
            }
            let name = rest.split(']').next().unwrap_or_default();
            inside = name == package;
            if inside {
                out.block_line = Some(line.no);
            }
            continue;
        }
        if !inside {
            continue;
        }
        // A section header at column 0 (`Queries:`, `Dexopt state:`…) ends the block.
        if !line.text.starts_with(' ') && !line.text.starts_with('\t') && !t.is_empty() {
            break;
        }
        let Some((key, value)) = t.split_once('=') else {
            continue;
        };
        let slot = match key {
            "pkgFlags" => &mut out.pkg_flags,
            "flags" => &mut out.flags,
            _ => continue,
        };
        if slot.is_none()
            && let Some(names) = flag_names(value)
        {
            *slot = Some(Located::new(line.no, names));
        }
    }
    out
}

/// `[ DEBUGGABLE HAS_CODE ]` → names; `None` when not a bracketed list.
fn flag_names(value: &str) -> Option<Vec<String>> {
    let inner = value.trim().strip_prefix('[')?.strip_suffix(']')?;
    Some(
        inner
            .split_whitespace()
            .filter(|n| {
                n.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            })
            .map(str::to_owned)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = concat!(
        "Activity Resolver Table:\n",
        "  Non-Data Actions:\n",
        "      android.intent.action.MAIN:\n",
        "        1b2c3d com.x/.Main filter 4e5f\n",
        "\n",
        "Packages:\n",
        "  Package [com.other] (aaaa):\n",
        "    userId=10100\n",
        "    pkgFlags=[ DEBUGGABLE HAS_CODE ]\n",
        "  Package [com.x] (1b2c3d):\n",
        "    userId=10123\n",
        "    pkg=Package{1b2c3d com.x}\n",
        "    flags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ]\n",
        "    privateFlags=[ PRIVATE_FLAG_ACTIVITIES_RESIZE_MODE_RESIZEABLE ]\n",
        "    pkgFlags=[ DEBUGGABLE HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]\n",
        "    privatePkgFlags=[ ]\n",
        "\n",
        "Queries:\n",
        "  system apps queryable: false\n",
    );

    #[test]
    fn debuggable_from_pkg_flags_of_the_right_block() {
        let d = parse_package_dump(DUMP, "com.x");
        assert_eq!(d.block_line, Some(10));
        assert_eq!(d.debuggable(), Some(true));
        assert_eq!(d.pkg_flags.as_ref().map(|l| l.line_no), Some(15));
        assert_eq!(
            d.flags.map(|l| l.value),
            Some(vec![
                "HAS_CODE".to_owned(),
                "ALLOW_CLEAR_USER_DATA".to_owned()
            ])
        );
    }

    #[test]
    fn release_app_and_empty_flags() {
        let text =
            "Packages:\n  Package [com.y] (1):\n    pkgFlags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ]\n";
        assert_eq!(parse_package_dump(text, "com.y").debuggable(), Some(false));
        let text = "Packages:\n  Package [com.y] (1):\n    pkgFlags=[ ]\n";
        assert_eq!(parse_package_dump(text, "com.y").debuggable(), Some(false));
        let text = "Packages:\n  Package [com.y] (1):\n    pkgFlags=[DEBUGGABLE]\n";
        assert_eq!(parse_package_dump(text, "com.y").debuggable(), Some(true));
    }

    #[test]
    fn old_release_with_flags_only_and_unknown_package() {
        let text = "Packages:\n  Package [com.y] (1):\n    flags=[ DEBUGGABLE HAS_CODE ]\n";
        assert_eq!(parse_package_dump(text, "com.y").debuggable(), Some(true));
        let d = parse_package_dump(DUMP, "com.absent");
        assert_eq!(d.block_line, None);
        assert_eq!(d.debuggable(), None);
        assert_eq!(parse_package_dump("", "com.y").debuggable(), None);
    }

    #[test]
    fn hidden_system_packages_repeat_is_ignored() {
        let text = concat!(
            "Packages:\n  Package [com.y] (1):\n    pkgFlags=[ SYSTEM HAS_CODE ]\n\n",
            "Hidden system packages:\n  Package [com.y] (2):\n    pkgFlags=[ SYSTEM DEBUGGABLE ]\n"
        );
        assert_eq!(parse_package_dump(text, "com.y").debuggable(), Some(false));
    }
}
