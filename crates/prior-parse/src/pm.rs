//! Replies of package-manager and related shell commands (`docs/device-formats.md` §1.4, §7, §5–8):
//! `pm list packages [-U] [-f] [-i] [--show-versioncode]`, `pm install` / `cmd package install`
//! replies, `pm uninstall`, `pm clear`, `cmd package resolve-activity --brief`, a full
//! `getprop` dump and `monkey` results.
//!
//! All parsers are total: they return what they recognised plus the lines they skipped.
//! [`parse_reply`] serves every command whose reply is `Success` or a failure line (install,
//! uninstall, clear, grant/revoke errors); the first decisive line wins.

use crate::am::text;
pub use crate::am::text::{Located, SkipLog, Skipped};
use serde::Serialize;

/// One line of `pm list packages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageEntry {
    /// 1-based line number.
    pub line_no: u64,
    /// Package name.
    pub name: String,
    /// `uid:N` (`-U`). With several users the device prints `uid:10123,1010123`; this is the first.
    pub uid: Option<u32>,
    /// APK path (`-f`: `package:/data/app/…/base.apk=com.x`).
    pub apk_path: Option<String>,
    /// `versionCode:N` (`--show-versioncode`).
    pub version_code: Option<u64>,
    /// `installer=…` (`-i`), `null` kept as printed.
    pub installer: Option<String>,
}

/// Parsed `pm list packages` output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PackageList {
    /// Packages in printed order.
    pub packages: Vec<PackageEntry>,
    /// Lines that were not `package:` lines.
    pub skipped: SkipLog,
}

impl PackageList {
    /// The entry for `name`, if listed.
    pub fn get(&self, name: &str) -> Option<&PackageEntry> {
        self.packages.iter().find(|p| p.name == name)
    }
}

/// Reply of `pm install`, `cmd package install`, `pm uninstall`, `pm clear`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum PmReply {
    /// A line starting with `Success`.
    Success {
        /// Its line.
        line_no: u64,
    },
    /// `Failure [CODE: text]`, `Failure [text]`, `Failed`, `Error: …` or an exception.
    Failure {
        /// Line of the failure.
        line_no: u64,
        /// `INSTALL_FAILED_…`, `INSTALL_PARSE_FAILED_…`, `DELETE_FAILED_…` when printed.
        code: Option<String>,
        /// The rest of the message (may be empty).
        message: String,
    },
    /// Nothing recognisable (includes empty output).
    Unrecognized,
}

impl PmReply {
    /// True for [`PmReply::Success`].
    pub fn is_success(&self) -> bool {
        matches!(self, PmReply::Success { .. })
    }
}

/// Result of `cmd package resolve-activity --brief …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ResolvedActivity {
    /// The last non-empty line, a component `pkg/cls` (class possibly `.Short`).
    Found {
        /// Its line.
        line_no: u64,
        /// The component as printed.
        component: String,
        /// Package part.
        package: String,
        /// Class part, expanded to a full class name when printed as `.Short`.
        class: String,
    },
    /// `No activity found`.
    NotFound {
        /// Its line.
        line_no: u64,
    },
    /// Nothing recognisable.
    Unrecognized,
}

/// One property of a `getprop` dump.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Prop {
    /// Line where the property starts.
    pub line_no: u64,
    /// Key (`ro.build.version.sdk`).
    pub key: String,
    /// Value; multi-line values are joined with `\n`.
    pub value: String,
}

/// Parsed full `getprop` dump.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PropDump {
    /// Properties in printed order.
    pub props: Vec<Prop>,
    /// Lines that were not part of a property.
    pub skipped: SkipLog,
}

impl PropDump {
    /// The value of `key` (last one wins).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.props
            .iter()
            .rev()
            .find(|p| p.key == key)
            .map(|p| p.value.as_str())
    }
}

/// How a `monkey` run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum MonkeyOutcome {
    /// `Events injected: N`.
    Injected {
        /// N.
        events: u64,
    },
    /// `** No activities found to run, monkey aborted.` (exit 252).
    NoActivities,
    /// `** SYS_KEYS has no physical keys but with factor X%.` (exit 251).
    SysKeysWithoutPhysicalKeys {
        /// The factor text as printed (`2.0%`).
        factor: String,
    },
    /// `// CRASH: …`, `** Monkey aborted due to error.`, `** System appears to have crashed …`.
    Aborted {
        /// The first such line.
        message: String,
    },
    /// None of the above.
    Unrecognized,
}

/// Parsed `monkey` output (stdout and stderr, any order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonkeyReply {
    /// The outcome; failures win over an `Events injected` line.
    pub outcome: MonkeyOutcome,
    /// Line that decided the outcome.
    pub outcome_line: Option<u64>,
    /// `// Allowing start of Intent { … } in package P` — the intent text.
    pub allowed_starts: Vec<Located<String>>,
    /// `## Network stats: elapsed time=NNms …` → NN.
    pub elapsed_ms: Option<Located<u64>>,
}

/// Parses `pm list packages` output (any of `-U`, `-f`, `-i`, `--show-versioncode`).
pub fn parse_list_packages(text: &str) -> PackageList {
    let mut out = PackageList::default();
    for line in text::lines(text) {
        let t = line.text.trim();
        if t.is_empty() {
            continue;
        }
        match parse_package_line(t) {
            Some(mut entry) if !line.overlong => {
                entry.line_no = line.no;
                out.packages.push(entry);
            }
            _ => out.skipped.push(line.no, t),
        }
    }
    out
}

fn parse_package_line(t: &str) -> Option<PackageEntry> {
    let rest = t.strip_prefix("package:")?;
    let mut words = rest.split_whitespace();
    let first = words.next()?;
    // `-f` prints `path=name`; the path may itself contain `=`, the name cannot.
    let (apk_path, name) = match first.rfind('=') {
        Some(i) if first.starts_with('/') => (Some(first[..i].to_owned()), &first[i + 1..]),
        _ => (None, first),
    };
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
    {
        return None;
    }
    let mut entry = PackageEntry {
        line_no: 0,
        name: name.to_owned(),
        uid: None,
        apk_path,
        version_code: None,
        installer: None,
    };
    for w in words {
        if let Some(v) = w.strip_prefix("uid:") {
            entry.uid = v
                .split(',')
                .next()
                .and_then(text::parse_u64)
                .and_then(|n| u32::try_from(n).ok());
        } else if let Some(v) = w.strip_prefix("versionCode:") {
            entry.version_code = text::parse_u64(v);
        } else if let Some(v) = w.strip_prefix("installer=") {
            entry.installer = Some(v.to_owned());
        } else {
            // Not a field `pm list packages` prints: not a package line.
            return None;
        }
    }
    Some(entry)
}

/// Parses the reply of `pm install`/`cmd package install`/`pm uninstall`/`pm clear`
/// (also adb's `adb: failed to install x.apk: Failure […]`).
pub fn parse_reply(text: &str) -> PmReply {
    let mut lines = text::lines(text).peekable();
    while let Some(line) = lines.next() {
        let t = line.text.trim();
        if t.starts_with("Success") {
            return PmReply::Success { line_no: line.no };
        }
        if let Some(i) = t.find("Failure [") {
            let inner = &t[i + "Failure [".len()..];
            let inner = inner.strip_suffix(']').unwrap_or(inner);
            let (code, message) = split_failure(inner);
            return PmReply::Failure {
                line_no: line.no,
                code,
                message,
            };
        }
        if t.starts_with("Exception occurred while executing") {
            // The exception (`java.lang.SecurityException: …`) follows on the next line.
            let next = lines
                .peek()
                .map(|l| l.text.trim())
                .filter(|n| !n.is_empty());
            let message = next.unwrap_or(t).to_owned();
            return PmReply::Failure {
                line_no: line.no,
                code: None,
                message,
            };
        }
        if t == "Failure" || t == "Failed" || t.starts_with("Error:") || t.starts_with("java.lang.")
        {
            return PmReply::Failure {
                line_no: line.no,
                code: None,
                message: t.to_owned(),
            };
        }
    }
    PmReply::Unrecognized
}

/// `INSTALL_FAILED_X: text` → (Some(code), text); `not installed for 0` → (None, text).
fn split_failure(inner: &str) -> (Option<String>, String) {
    let (head, tail) = match inner.find(':') {
        Some(i) => (&inner[..i], inner[i + 1..].trim()),
        None => (inner, ""),
    };
    let is_code = !head.is_empty()
        && head
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && head.bytes().any(|b| b == b'_');
    if is_code {
        (Some(head.to_owned()), tail.to_owned())
    } else {
        (None, inner.trim().to_owned())
    }
}

/// Parses `cmd package resolve-activity --brief` (or `--components`) output.
pub fn parse_resolve_activity(text: &str) -> ResolvedActivity {
    let mut last: Option<(u64, &str)> = None;
    for line in text::lines(text) {
        let t = line.text.trim();
        if t == "No activity found" {
            return ResolvedActivity::NotFound { line_no: line.no };
        }
        if !t.is_empty() {
            last = Some((line.no, t));
        }
    }
    let Some((line_no, t)) = last else {
        return ResolvedActivity::Unrecognized;
    };
    let Some((package, class)) = t.split_once('/') else {
        return ResolvedActivity::Unrecognized;
    };
    let valid = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'$'))
    };
    if !valid(package) || !valid(class) || package.starts_with('.') {
        return ResolvedActivity::Unrecognized;
    }
    let full = if class.starts_with('.') {
        format!("{package}{class}")
    } else {
        class.to_owned()
    };
    ResolvedActivity::Found {
        line_no,
        component: t.to_owned(),
        package: package.to_owned(),
        class: full,
    }
}

/// Longest run of continuation lines a multi-line property value may have.
const MAX_PROP_LINES: usize = 256;

/// Parses a full `getprop` dump (`[key]: [value]` lines; values may span lines).
pub fn parse_getprop(text: &str) -> PropDump {
    let mut out = PropDump::default();
    // An open multi-line value: (prop, continuation lines so far).
    let mut open: Option<(Prop, usize)> = None;
    for line in text::lines(text) {
        let t = line.text;
        if let Some((mut prop, n)) = open.take() {
            let starts_new = parse_prop_start(t).is_some_and(|(_, _, closed)| closed);
            if !starts_new && n < MAX_PROP_LINES && !line.overlong {
                prop.value.push('\n');
                if let Some(v) = t.strip_suffix(']') {
                    prop.value.push_str(v);
                    out.props.push(prop);
                } else {
                    prop.value.push_str(t);
                    open = Some((prop, n + 1));
                }
                continue;
            }
            // Unterminated value: report where it began and fall through to this line.
            out.skipped
                .push(prop.line_no, &format!("[{}]: [ (unterminated)", prop.key));
        }
        if line.overlong {
            out.skipped.push(line.no, t);
            continue;
        }
        match parse_prop_start(t) {
            Some((key, value, closed)) => {
                let prop = Prop {
                    line_no: line.no,
                    key: key.to_owned(),
                    value: value.to_owned(),
                };
                if closed {
                    out.props.push(prop);
                } else {
                    open = Some((prop, 0));
                }
            }
            None if t.trim().is_empty() => {}
            None => out.skipped.push(line.no, t),
        }
    }
    if let Some((prop, _)) = open {
        out.skipped
            .push(prop.line_no, &format!("[{}]: [ (unterminated)", prop.key));
    }
    out
}

/// `[key]: [value]` → (key, value, true); `[key]: [value…` (no closing `]`) → (key, value, false).
fn parse_prop_start(t: &str) -> Option<(&str, &str, bool)> {
    let rest = t.strip_prefix('[')?;
    let end = rest.find("]: [")?;
    let key = &rest[..end];
    if key.is_empty() || key.contains(['[', ']', ' ']) {
        return None;
    }
    let value = &rest[end + 4..];
    Some(match value.strip_suffix(']') {
        Some(v) => (key, v, true),
        None => (key, value, false),
    })
}

/// Parses `monkey` output.
pub fn parse_monkey(text: &str) -> MonkeyReply {
    let mut reply = MonkeyReply {
        outcome: MonkeyOutcome::Unrecognized,
        outcome_line: None,
        allowed_starts: Vec::new(),
        elapsed_ms: None,
    };
    let mut failure: Option<(u64, MonkeyOutcome)> = None;
    let mut injected: Option<(u64, u64)> = None;
    for line in text::lines(text) {
        let t = line.text.trim();
        if failure.is_none() {
            if t.contains("** No activities found to run, monkey aborted.") {
                failure = Some((line.no, MonkeyOutcome::NoActivities));
            } else if let Some(i) = t.find("** SYS_KEYS has no physical keys but with factor ") {
                let rest = &t[i + "** SYS_KEYS has no physical keys but with factor ".len()..];
                let factor = rest
                    .split(['\\', ' '])
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches('.');
                failure = Some((
                    line.no,
                    MonkeyOutcome::SysKeysWithoutPhysicalKeys {
                        factor: factor.to_owned(),
                    },
                ));
            } else if t.starts_with("// CRASH:")
                || t.starts_with("** Monkey aborted")
                || t.starts_with("** System appears to have crashed")
                || t.starts_with("** Error:")
            {
                failure = Some((
                    line.no,
                    MonkeyOutcome::Aborted {
                        message: t.to_owned(),
                    },
                ));
            }
        }
        if let Some(v) = t.strip_prefix("Events injected:") {
            if let Some(n) = text::parse_u64(v.trim()) {
                injected = Some((line.no, n));
            }
        } else if let Some(v) = t.strip_prefix("## Network stats: elapsed time=") {
            let digits = v.split("ms").next().unwrap_or_default();
            reply.elapsed_ms = text::parse_u64(digits).map(|n| Located::new(line.no, n));
        } else if let Some(v) = t.strip_prefix("// Allowing start of ") {
            let intent = v.rsplit_once(" in package ").map_or(v, |(i, _)| i);
            reply
                .allowed_starts
                .push(Located::new(line.no, intent.to_owned()));
        }
    }
    if let Some((no, outcome)) = failure {
        reply.outcome = outcome;
        reply.outcome_line = Some(no);
    } else if let Some((no, events)) = injected {
        reply.outcome = MonkeyOutcome::Injected { events };
        reply.outcome_line = Some(no);
    }
    reply
}

/// What `pm uninstall PACKAGE` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum UninstallReply {
    /// `Success`.
    Removed {
        /// Its line.
        line_no: u64,
    },
    /// The package was not installed: `Failure [not installed for N]` (current releases),
    /// `Failure [DELETE_FAILED_INTERNAL_ERROR]` (older releases) or `Unknown package`.
    NotInstalled {
        /// Its line.
        line_no: u64,
    },
    /// Any other failure (see [`PmReply::Failure`]).
    Failure {
        /// Line of the failure.
        line_no: u64,
        /// `DELETE_FAILED_…` when printed.
        code: Option<String>,
        /// The rest of the message.
        message: String,
    },
    /// Nothing recognisable (includes empty output).
    Unrecognized,
}

/// Parses the reply of `pm uninstall` ([`parse_reply`], then which failures mean "was not
/// installed").
pub fn parse_uninstall_reply(text: &str) -> UninstallReply {
    match parse_reply(text) {
        PmReply::Success { line_no } => UninstallReply::Removed { line_no },
        PmReply::Failure {
            line_no,
            code,
            message,
        } => {
            let not_installed = match code.as_deref() {
                Some("DELETE_FAILED_INTERNAL_ERROR") => true,
                Some(_) => false,
                None => message.starts_with("not installed") || message.contains("Unknown package"),
            };
            if not_installed {
                UninstallReply::NotInstalled { line_no }
            } else {
                UninstallReply::Failure {
                    line_no,
                    code,
                    message,
                }
            }
        }
        PmReply::Unrecognized => text::lines(text)
            .find(|l| l.text.contains("Unknown package"))
            .map_or(UninstallReply::Unrecognized, |l| {
                UninstallReply::NotInstalled { line_no: l.no }
            }),
    }
}

/// Parses `pm path PACKAGE`: the paths of its `package:PATH` lines (none when it is not
/// installed).
pub fn parse_pm_path(text: &str) -> Vec<String> {
    text::lines(text)
        .filter_map(|l| l.text.trim().strip_prefix("package:").map(str::to_owned))
        .filter(|p| !p.is_empty())
        .collect()
}

impl PropDump {
    /// Every property as a map (a key printed twice keeps its last value, like [`PropDump::get`]).
    pub fn to_map(&self) -> std::collections::BTreeMap<String, String> {
        self.props
            .iter()
            .map(|p| (p.key.clone(), p.value.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MONKEY_SYSKEYS: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/am/monkey-syskeys-failure-1.txt"
    ));

    #[test]
    fn list_packages_variants() {
        let text = "package:com.android.settings uid:1000\npackage:com.leaky.shop uid:10123\r\npackage:/data/app/~~AbC==/com.x-1==/base.apk=com.x versionCode:42 installer=null\npackage:com.multi uid:10200,1010200\n\nWARNING: linker: something\npackage:bad name\n";
        let l = parse_list_packages(text);
        let names: Vec<&str> = l.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "com.android.settings",
                "com.leaky.shop",
                "com.x",
                "com.multi"
            ]
        );
        assert_eq!(
            l.get("com.leaky.shop").map(|p| (p.line_no, p.uid)),
            Some((2, Some(10123)))
        );
        let x = l.get("com.x").unwrap();
        assert_eq!(
            x.apk_path.as_deref(),
            Some("/data/app/~~AbC==/com.x-1==/base.apk")
        );
        assert_eq!(
            (x.version_code, x.installer.as_deref(), x.uid),
            (Some(42), Some("null"), None)
        );
        assert_eq!(l.get("com.multi").unwrap().uid, Some(10200));
        assert_eq!(
            l.skipped
                .lines
                .iter()
                .map(|s| s.line_no)
                .collect::<Vec<_>>(),
            vec![6, 7]
        );
    }

    #[test]
    fn install_and_uninstall_replies() {
        assert_eq!(parse_reply("Success\n"), PmReply::Success { line_no: 1 });
        assert_eq!(
            parse_reply("Performing Streamed Install\r\nSuccess\r\n"),
            PmReply::Success { line_no: 2 }
        );
        assert_eq!(
            parse_reply(
                "Failure [INSTALL_FAILED_UPDATE_INCOMPATIBLE: Package com.x signatures do not match previously installed version; ignoring!]\n"
            ),
            PmReply::Failure {
                line_no: 1,
                code: Some("INSTALL_FAILED_UPDATE_INCOMPATIBLE".to_owned()),
                message:
                    "Package com.x signatures do not match previously installed version; ignoring!"
                        .to_owned(),
            }
        );
        assert_eq!(
            parse_reply(
                "adb: failed to install x.apk: Failure [INSTALL_PARSE_FAILED_NO_CERTIFICATES: Failed collecting certificates for /data/app/vmdl.tmp/base.apk]"
            ),
            PmReply::Failure {
                line_no: 1,
                code: Some("INSTALL_PARSE_FAILED_NO_CERTIFICATES".to_owned()),
                message: "Failed collecting certificates for /data/app/vmdl.tmp/base.apk"
                    .to_owned(),
            }
        );
        assert_eq!(
            parse_reply("Failure [DELETE_FAILED_INTERNAL_ERROR]"),
            PmReply::Failure {
                line_no: 1,
                code: Some("DELETE_FAILED_INTERNAL_ERROR".to_owned()),
                message: String::new()
            }
        );
        assert_eq!(
            parse_reply("Failure [not installed for 0]"),
            PmReply::Failure {
                line_no: 1,
                code: None,
                message: "not installed for 0".to_owned()
            }
        );
        assert_eq!(
            parse_reply("Failed\n"),
            PmReply::Failure {
                line_no: 1,
                code: None,
                message: "Failed".to_owned()
            }
        );
        assert!(parse_reply("Success").is_success());
        assert_eq!(parse_reply(""), PmReply::Unrecognized);
        assert_eq!(parse_reply("something else"), PmReply::Unrecognized);
    }

    #[test]
    fn exception_replies_carry_the_exception() {
        let text = "Exception occurred while executing 'grant':\njava.lang.SecurityException: Package com.x has not requested permission android.permission.CAMERA\n\tat com.android.server.pm.X.y(X.java:1)\n";
        assert_eq!(
            parse_reply(text),
            PmReply::Failure {
                line_no: 1,
                code: None,
                message: "java.lang.SecurityException: Package com.x has not requested permission android.permission.CAMERA".to_owned(),
            }
        );
        assert!(matches!(
            parse_reply("Exception occurred while executing 'clear':"),
            PmReply::Failure {
                line_no: 1,
                code: None,
                ..
            }
        ));
    }

    #[test]
    fn resolve_activity() {
        let brief = "priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=true\ncom.leaky.shop/.MainActivity\n";
        assert_eq!(
            parse_resolve_activity(brief),
            ResolvedActivity::Found {
                line_no: 2,
                component: "com.leaky.shop/.MainActivity".to_owned(),
                package: "com.leaky.shop".to_owned(),
                class: "com.leaky.shop.MainActivity".to_owned(),
            }
        );
        match parse_resolve_activity("com.a/com.b.Main\r\n") {
            ResolvedActivity::Found { class, .. } => assert_eq!(class, "com.b.Main"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_resolve_activity("No activity found\n"),
            ResolvedActivity::NotFound { line_no: 1 }
        );
        assert_eq!(parse_resolve_activity(""), ResolvedActivity::Unrecognized);
        assert_eq!(
            parse_resolve_activity("priority=0 preferredOrder=0\n"),
            ResolvedActivity::Unrecognized
        );
        assert_eq!(
            parse_resolve_activity("a/b c"),
            ResolvedActivity::Unrecognized
        );
    }

    #[test]
    fn getprop_dump() {
        let text = "[dalvik.vm.heapsize]: [512m]\n[persist.sys.timezone]: [Asia/Shanghai]\n[ro.build.fingerprint]: [google/sdk_gphone64_x86_64/emu64xa:14/UE1A.230829.036/10927338:userdebug/dev-keys]\n[ro.multi]: [line one\nline two]\n[sys.boot_completed]: [1]\n[empty]: []\nnot a prop\n[ro.broken]: [no end\n[ro.after]: [ok]\n";
        let p = parse_getprop(text);
        assert_eq!(p.get("persist.sys.timezone"), Some("Asia/Shanghai"));
        assert_eq!(p.get("ro.multi"), Some("line one\nline two"));
        assert_eq!(p.get("sys.boot_completed"), Some("1"));
        assert_eq!(p.get("empty"), Some(""));
        assert_eq!(p.get("ro.after"), Some("ok"));
        assert_eq!(p.get("ro.broken"), None);
        assert_eq!(
            p.props
                .iter()
                .find(|x| x.key == "sys.boot_completed")
                .map(|x| x.line_no),
            Some(6)
        );
        assert_eq!(
            p.skipped
                .lines
                .iter()
                .map(|s| s.line_no)
                .collect::<Vec<_>>(),
            vec![8, 9]
        );
        assert_eq!(p.get("missing"), None);
    }

    #[test]
    fn getprop_unterminated_value_is_bounded() {
        let mut text = String::from("[a]: [start\n");
        for _ in 0..1000 {
            text.push_str("more\n");
        }
        let p = parse_getprop(&text);
        assert!(p.props.is_empty());
        // The value is abandoned after MAX_PROP_LINES continuation lines; the rest is skipped.
        assert_eq!(p.skipped.lines[0].line_no, 1);
        assert_eq!(p.skipped.total, 1 + 1000 - MAX_PROP_LINES as u64);
    }

    #[test]
    fn monkey_syskeys_sample() {
        let m = parse_monkey(MONKEY_SYSKEYS);
        assert_eq!(
            m.outcome,
            MonkeyOutcome::SysKeysWithoutPhysicalKeys {
                factor: "2.0%".to_owned()
            }
        );
        assert_eq!(m.outcome_line, Some(1));
    }

    #[test]
    fn monkey_outcomes() {
        let ok = "  bash arg: -p\n:Monkey: seed=123 count=1\n:AllowPackage: com.leaky.shop\n:IncludeCategory: android.intent.category.LAUNCHER\n// Event percentages:\n//   0: 15.0%\n:Switch: #Intent;action=android.intent.action.MAIN;end\n    // Allowing start of Intent { act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] cmp=com.leaky.shop/.MainActivity } in package com.leaky.shop\nEvents injected: 1\n:Sending rotation degree=0, persist=false\n## Network stats: elapsed time=45ms (0ms mobile, 0ms wifi, 45ms not connected)\n// Monkey finished\n";
        let m = parse_monkey(ok);
        assert_eq!(m.outcome, MonkeyOutcome::Injected { events: 1 });
        assert_eq!(m.outcome_line, Some(9));
        assert_eq!(m.elapsed_ms, Some(Located::new(11, 45)));
        assert_eq!(m.allowed_starts.len(), 1);
        assert!(
            m.allowed_starts[0]
                .value
                .ends_with("cmp=com.leaky.shop/.MainActivity }")
        );
        let none = parse_monkey("  bash arg: -p\n** No activities found to run, monkey aborted.\n");
        assert_eq!(
            (none.outcome, none.outcome_line),
            (MonkeyOutcome::NoActivities, Some(2))
        );
        let crash = parse_monkey(
            "// CRASH: com.x (pid 123)\n** Monkey aborted due to error.\nEvents injected: 3\n",
        );
        assert_eq!(
            crash.outcome,
            MonkeyOutcome::Aborted {
                message: "// CRASH: com.x (pid 123)".to_owned()
            }
        );
        assert_eq!(parse_monkey("").outcome, MonkeyOutcome::Unrecognized);
    }

    proptest! {
        #[test]
        fn random_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
            let text = text::decode(&bytes);
            let _ = parse_list_packages(&text);
            let _ = parse_reply(&text);
            let _ = parse_resolve_activity(&text);
            let p = parse_getprop(&text);
            prop_assert!(p.props.iter().all(|x| x.line_no >= 1));
            let _ = parse_monkey(&text);
        }

        #[test]
        fn structured_lines_never_panic(lines in proptest::collection::vec("(package:|\\[|Failure \\[|Events injected: |\\*\\* SYS_KEYS has no physical keys but with factor )?[\\[\\]:= a-z0-9./_A-Z]{0,24}", 0..20)) {
            let text = lines.join("\n");
            let _ = parse_list_packages(&text);
            let _ = parse_reply(&text);
            let _ = parse_resolve_activity(&text);
            let _ = parse_getprop(&text);
            let _ = parse_monkey(&text);
        }

        #[test]
        fn mutated_monkey_sample_never_panics(edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 0..16)) {
            let bytes = text::mutate(MONKEY_SYSKEYS.as_bytes(), &edits);
            let _ = parse_monkey(&text::decode(&bytes));
        }
    }
}

/// Replies `prior-device` reads (moved here from its own parsers, with their cases).
#[cfg(test)]
mod device_replies {
    use super::*;

    #[test]
    fn getprop_as_a_map() {
        let p = parse_getprop(
            "[ro.build.version.sdk]: [34]\n[ro.product.model]: [sdk_gphone64]\n[empty]: []\ngarbage\n[x]: [a]: [b]\r\n[x2]: [1]\n[x2]: [2]\n",
        )
        .to_map();
        assert_eq!(
            p.get("ro.build.version.sdk").map(String::as_str),
            Some("34")
        );
        assert_eq!(p.get("empty").map(String::as_str), Some(""));
        assert_eq!(p.get("x").map(String::as_str), Some("a]: [b"));
        assert_eq!(p.get("x2").map(String::as_str), Some("2"));
        assert_eq!(p.len(), 5);
    }

    #[test]
    fn install_replies() {
        assert!(parse_reply("\tpkg: /data/local/tmp/x.apk\nSuccess\n").is_success());
        assert_eq!(
            parse_reply("Failure [INSTALL_FAILED_TEST_ONLY: installPackageLI]\n"),
            PmReply::Failure {
                line_no: 1,
                code: Some("INSTALL_FAILED_TEST_ONLY".into()),
                message: "installPackageLI".into()
            }
        );
        assert_eq!(
            parse_reply("java.lang.IllegalArgumentException: Unknown package: x\n"),
            PmReply::Failure {
                line_no: 1,
                code: None,
                message: "java.lang.IllegalArgumentException: Unknown package: x".into()
            }
        );
    }

    #[test]
    fn uninstall_replies() {
        assert_eq!(
            parse_uninstall_reply("Success"),
            UninstallReply::Removed { line_no: 1 }
        );
        for not_installed in [
            "Failure [not installed for 0]",
            "Failure [DELETE_FAILED_INTERNAL_ERROR]",
            "Unknown package: com.x",
            "Error: Unknown package: com.x",
        ] {
            assert_eq!(
                parse_uninstall_reply(not_installed),
                UninstallReply::NotInstalled { line_no: 1 },
                "{not_installed}"
            );
        }
        assert_eq!(
            parse_uninstall_reply("Failure [DELETE_FAILED_DEVICE_POLICY_MANAGER]"),
            UninstallReply::Failure {
                line_no: 1,
                code: Some("DELETE_FAILED_DEVICE_POLICY_MANAGER".into()),
                message: String::new()
            }
        );
        assert_eq!(parse_uninstall_reply(""), UninstallReply::Unrecognized);
        assert_eq!(
            parse_pm_path("package:/data/app/~~x==/com.x-1/base.apk\r\n"),
            vec!["/data/app/~~x==/com.x-1/base.apk".to_owned()]
        );
        assert!(parse_pm_path("").is_empty());
    }
}
