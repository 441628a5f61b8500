//! Building device shell commands safely.
//!
//! Every value that does not come from Prior's own source code reaches the device shell
//! through exactly one function, [`quote`], or as a validated name ([`PackageName`],
//! [`Component`], [`PermissionName`], [`PropName`]) — and names are quoted too. [`Cmd`] makes
//! this the only way to build a command: its literal pieces are `&'static str`.
//!
//! Quoting style: the whole value in single quotes, each `'` written as `'\''`. Inside single
//! quotes POSIX `sh`, Android's `mksh` and toybox `sh` treat every byte literally (no `$`, `` ` ``,
//! `\` or newline processing), so the shell receives the original string as one word. NUL
//! cannot be passed through a shell word and is refused.

use crate::DeviceError;
use std::fmt;

/// Quotes `value` as one single-quoted shell word (`'` → `'\''`). Refuses NUL.
pub fn quote(value: &str) -> Result<String, DeviceError> {
    if value.contains('\0') {
        return Err(DeviceError::Unsafe {
            what: "a value",
            value: format!("{value:?}"),
            why: "it contains a NUL byte",
        });
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    Ok(out)
}

fn refuse(what: &'static str, value: &str, why: &'static str) -> DeviceError {
    DeviceError::Unsafe {
        what,
        value: format!("{value:?}"),
        why,
    }
}

fn java_ident(seg: &str, dollar: bool) -> bool {
    let mut chars = seg.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || (dollar && c == '$'))
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || (dollar && c == '$'))
}

/// A validated Android package name: dot-separated `[A-Za-z_][A-Za-z0-9_]*` segments (at least
/// one dot), at most 255 bytes — only `[A-Za-z0-9_.]`, so it can never inject.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PackageName(String);

impl PackageName {
    /// Validates a package name.
    pub fn new(name: &str) -> Result<PackageName, DeviceError> {
        let ok = name.len() <= 255
            && name.contains('.')
            && name.split('.').all(|seg| java_ident(seg, false));
        if ok {
            Ok(PackageName(name.to_owned()))
        } else {
            Err(refuse(
                "a package name",
                name,
                "package names are dot-separated letters, digits and `_` (e.g. com.example.app)",
            ))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PackageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A validated component `package/class` (class may start with `.`; `$` allowed for inner
/// classes), e.g. `com.example/.MainActivity`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Component {
    package: PackageName,
    class: String,
}

impl Component {
    /// Validates `pkg/cls`.
    pub fn new(component: &str) -> Result<Component, DeviceError> {
        let bad = || {
            refuse(
                "a component",
                component,
                "components are `package/.Class` or `package/full.Class` (letters, digits, `_`, `$`, `.`)",
            )
        };
        let (pkg, cls) = component.split_once('/').ok_or_else(bad)?;
        let package = PackageName::new(pkg).map_err(|_| bad())?;
        Component::from_parts(package, cls).map_err(|_| bad())
    }

    /// Joins a package and an activity written as `.Main`, `Main`... relative, or fully
    /// qualified (`com.x.Main`).
    pub fn from_parts(package: PackageName, class: &str) -> Result<Component, DeviceError> {
        let body = class.strip_prefix('.').unwrap_or(class);
        let ok =
            !body.is_empty() && class.len() <= 512 && body.split('.').all(|s| java_ident(s, true));
        if ok {
            Ok(Component {
                package,
                class: class.to_owned(),
            })
        } else {
            Err(refuse(
                "an activity class",
                class,
                "class names are letters, digits, `_`, `$` and `.`",
            ))
        }
    }

    /// The package.
    pub fn package(&self) -> &PackageName {
        &self.package
    }

    /// The class as written (`.Main` or `com.x.Main`).
    pub fn class(&self) -> &str {
        &self.class
    }

    /// The fully qualified class name (`.Main` → `com.x.Main`).
    pub fn full_class(&self) -> String {
        if self.class.starts_with('.') {
            format!("{}{}", self.package, self.class)
        } else {
            self.class.clone()
        }
    }

    /// `pkg/cls` as `am start -n` takes it.
    pub fn flatten(&self) -> String {
        format!("{}/{}", self.package, self.class)
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.package, self.class)
    }
}

/// A validated permission name, `[A-Za-z0-9_.]+` (e.g. `android.permission.CAMERA`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PermissionName(String);

impl PermissionName {
    /// Validates a permission name.
    pub fn new(name: &str) -> Result<PermissionName, DeviceError> {
        if !name.is_empty()
            && name.len() <= 255
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            Ok(PermissionName(name.to_owned()))
        } else {
            Err(refuse(
                "a permission name",
                name,
                "permission names are letters, digits, `_` and `.`",
            ))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A validated system property name, `[A-Za-z0-9_.:@-]+`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PropName(String);

impl PropName {
    /// Validates a property name.
    pub fn new(name: &str) -> Result<PropName, DeviceError> {
        if !name.is_empty()
            && name.len() <= 255
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.:@-".contains(c))
        {
            Ok(PropName(name.to_owned()))
        } else {
            Err(refuse(
                "a property name",
                name,
                "property names are letters, digits and `_ . : @ -`",
            ))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A device shell command line, built only from literals and quoted or validated values.
///
/// ```
/// use prior_device::{Cmd, PackageName};
/// let pkg = PackageName::new("com.example.app").unwrap();
/// let cmd = Cmd::new("log").raw("-t prior").arg("tap at 'consent'").unwrap()
///     .and(Cmd::new("am").raw("force-stop").pkg(&pkg));
/// assert_eq!(cmd.as_str(), r"log -t prior 'tap at '\''consent'\''' && am force-stop 'com.example.app'");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmd(String);

impl Cmd {
    /// Starts a command with a program name from Prior's source code.
    pub fn new(program: &'static str) -> Cmd {
        Cmd(program.to_owned())
    }

    /// Appends literal text from Prior's source code (flags, fixed arguments, operators).
    pub fn raw(mut self, literal: &'static str) -> Cmd {
        self.0.push(' ');
        self.0.push_str(literal);
        self
    }

    /// Appends one argument, single-quoted by [`quote`].
    pub fn arg(mut self, value: &str) -> Result<Cmd, DeviceError> {
        self.0.push(' ');
        self.0.push_str(&quote(value)?);
        Ok(self)
    }

    /// Appends an integer.
    pub fn int(mut self, value: i64) -> Cmd {
        self.0.push(' ');
        self.0.push_str(&value.to_string());
        self
    }

    /// Appends a validated package name (quoted as well).
    pub fn pkg(mut self, package: &PackageName) -> Cmd {
        self.0.push_str(" '");
        self.0.push_str(package.as_str());
        self.0.push('\'');
        self
    }

    /// Appends a validated component (quoted as well; `$` in inner classes stays literal).
    pub fn component(mut self, component: &Component) -> Cmd {
        self.0.push_str(" '");
        self.0.push_str(&component.flatten());
        self.0.push('\'');
        self
    }

    /// Appends a validated permission name (quoted as well).
    pub fn permission(mut self, permission: &PermissionName) -> Cmd {
        self.0.push_str(" '");
        self.0.push_str(permission.as_str());
        self.0.push('\'');
        self
    }

    /// Appends a validated property name (quoted as well).
    pub fn prop(mut self, prop: &PropName) -> Cmd {
        self.0.push_str(" '");
        self.0.push_str(prop.as_str());
        self.0.push('\'');
        self
    }

    /// `self; next` — run `next` after `self` whatever its status.
    pub fn then(mut self, next: Cmd) -> Cmd {
        self.0.push_str("; ");
        self.0.push_str(&next.0);
        self
    }

    /// `self && next` — run `next` only if `self` succeeded.
    pub fn and(mut self, next: Cmd) -> Cmd {
        self.0.push_str(" && ");
        self.0.push_str(&next.0);
        self
    }

    /// The command line.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::process::Command;

    /// Strings an app or a scenario could supply to break out of quoting.
    pub(crate) const HOSTILE: &[&str] = &[
        "'; reboot; '",
        "$(reboot)",
        "`reboot`",
        "a'b\"c",
        "\\'",
        "'\\''",
        "line1\nline2; reboot",
        "$HOME ${PATH} $$ $? $!",
        "* ? [a-z] ~root",
        "-n",
        "--",
        "",
        " leading and trailing ",
        "tab\there",
        "a\\",
        "'",
        "''",
        "\"$(id)\"",
        "; | & < > ( ) { } !",
        "同意并继续 ✓",
        "\r\n\x1b[2J",
        "%s%n%x",
    ];

    fn sh_printf(arg: &str) -> Vec<u8> {
        let out = Command::new("/bin/sh")
            .arg("-c")
            .arg(format!("printf %s {arg}"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "sh failed for {arg}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    #[test]
    fn quoted_values_reach_the_shell_unchanged() {
        for h in HOSTILE {
            let q = quote(h).unwrap();
            assert_eq!(sh_printf(&q), h.as_bytes(), "quote({h:?}) = {q}");
        }
    }

    #[test]
    fn quoted_values_stay_one_argument() {
        for h in HOSTILE {
            let cmd = Cmd::new("set")
                .raw("--")
                .arg(h)
                .unwrap()
                .then(Cmd::new("echo").raw("$#"));
            let out = Command::new("/bin/sh")
                .arg("-c")
                .arg(cmd.as_str())
                .output()
                .unwrap();
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                "1\n",
                "{h:?} split into several words"
            );
        }
    }

    #[test]
    fn nul_is_refused() {
        assert!(matches!(quote("a\0b"), Err(DeviceError::Unsafe { .. })));
        assert!(Cmd::new("echo").arg("\0").is_err());
    }

    #[test]
    fn names_are_validated() {
        assert!(PackageName::new("com.example.app").is_ok());
        assert!(PackageName::new("a.b_c.D9").is_ok());
        for bad in [
            "com",
            "com..x",
            ".com.x",
            "com.x.",
            "com.1x",
            "com.x; reboot",
            "com.x'",
            "com.x$(id)",
            "com.x\n",
            "",
            "com.x y",
        ] {
            assert!(PackageName::new(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Component::new("com.x/.Main").unwrap().full_class(),
            "com.x.Main"
        );
        assert_eq!(
            Component::new("com.x/com.y.Main$Inner")
                .unwrap()
                .full_class(),
            "com.y.Main$Inner"
        );
        for bad in [
            "com.x",
            "com.x/",
            "com.x/.",
            "com.x/.Main;id",
            "com.x/.Ma in",
            "x/.Main",
            "com.x/.Main/2",
        ] {
            assert!(Component::new(bad).is_err(), "{bad:?}");
        }
        assert!(PermissionName::new("android.permission.CAMERA").is_ok());
        assert!(PermissionName::new("android.permission.CAMERA;id").is_err());
        assert!(PropName::new("ro.build.version.sdk").is_ok());
        assert!(PropName::new("persist.sys.locale").is_ok());
        assert!(PropName::new("ro.x $(id)").is_err());
    }

    #[test]
    fn validated_names_in_commands_survive_the_shell() {
        // `$` in an inner-class name must stay literal.
        let c = Component::new("com.x/.Main$Inner").unwrap();
        let out = Command::new("/bin/sh")
            .arg("-c")
            .arg(Cmd::new("printf").raw("%s").component(&c).as_str())
            .output()
            .unwrap();
        assert_eq!(out.stdout, b"com.x/.Main$Inner");
    }
}
