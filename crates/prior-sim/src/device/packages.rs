//! Installing, updating and removing packages. The APK's real manifest is read with
//! `apk-info` (package, version, label, activities, launcher activity, permissions,
//! signatures).

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use super::apis;
use super::clock::DeviceUs;
use super::world::{Package, World};

/// What the simulator needs from an APK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApkFacts {
    pub package: String,
    pub version_code: i64,
    pub version_name: String,
    pub label: Option<String>,
    pub main_activity: Option<String>,
    pub activities: Vec<String>,
    pub permissions: Vec<String>,
    pub target_sdk: u32,
    pub signed: bool,
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn qualify(pkg: &str, name: &str) -> String {
    if let Some(rest) = name.strip_prefix('.') {
        format!("{pkg}.{rest}")
    } else if !name.contains('.') {
        format!("{pkg}.{name}")
    } else {
        name.to_owned()
    }
}

/// Why an APK could not be read; its text is the reason of the `Failure [...]` line.
#[derive(Debug, thiserror::Error)]
pub enum ApkError {
    #[error("not a zip archive")]
    NotZip,
    #[error("cannot stage the apk: {0}")]
    Stage(#[source] std::io::Error),
    #[error("{0}")]
    Manifest(String),
    #[error("no package name in AndroidManifest.xml")]
    NoPackage,
    #[error("invalid package name {0}")]
    InvalidPackage(String),
}

/// Reads an APK's manifest.
pub fn parse_apk(bytes: &[u8]) -> Result<ApkFacts, ApkError> {
    if bytes.len() < 22 || &bytes[..2] != b"PK" {
        return Err(ApkError::NotZip);
    }
    // apk-info reads from a path: write a private temporary file.
    let n = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("prior-sim-{}-{n}.apk", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        f.write_all(bytes)
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&path);
        return Err(ApkError::Stage(e));
    }
    let parsed = apk_info::Apk::new(&path);
    let _ = std::fs::remove_file(&path);
    let apk = parsed.map_err(|e| ApkError::Manifest(e.to_string()))?;
    let package = apk.get_package_name().ok_or(ApkError::NoPackage)?;
    if !super::model::valid_package(&package) {
        return Err(ApkError::InvalidPackage(package));
    }
    let version_code = apk
        .get_version_code()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let version_name = apk.get_version_name().unwrap_or_default();
    let label = apk
        .get_application_label()
        .filter(|l| !l.is_empty() && !l.starts_with('@'));
    let main_activity = apk.get_main_activity().map(|a| qualify(&package, a));
    let mut activities: Vec<String> = apk
        .get_activities()
        .filter_map(|a| a.name)
        .map(|a| qualify(&package, a))
        .collect();
    if let Some(m) = &main_activity
        && !activities.contains(m)
    {
        activities.push(m.clone());
    }
    let mut seen = BTreeSet::new();
    let permissions: Vec<String> = apk
        .get_permissions()
        .chain(apk.get_permissions_sdk23())
        .filter(|p| seen.insert((*p).to_owned()))
        .map(str::to_owned)
        .collect();
    let signed = apk.get_signatures().map(|s| !s.is_empty()).unwrap_or(false);
    Ok(ApkFacts {
        package,
        version_code,
        version_name,
        label,
        main_activity,
        activities,
        permissions,
        target_sdk: apk.get_target_sdk_version(),
        signed,
    })
}

/// Install flags understood by `pm install` / streamed install.
#[derive(Debug, Clone, Copy, Default)]
pub struct InstallFlags {
    pub grant_all: bool,
    pub allow_downgrade: bool,
}

impl InstallFlags {
    /// Parses install arguments (`-r -g -d -t …`); unknown flags are ignored.
    pub fn parse(args: &[String]) -> InstallFlags {
        let mut f = InstallFlags::default();
        for a in args {
            match a.as_str() {
                "-g" => f.grant_all = true,
                "-d" => f.allow_downgrade = true,
                _ => {}
            }
        }
        f
    }
}

fn b64ish(seed: u64) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut s = String::new();
    let mut x = seed;
    for _ in 0..22 {
        s.push(A[(x % 64) as usize] as char);
        x = x.rotate_right(6) ^ 0x9E37_79B9_7F4A_7C15;
    }
    s
}

impl World {
    /// Installs (or updates) an APK. Returns `Success` or `Failure [...]`.
    pub fn install(&mut self, t: DeviceUs, bytes: &[u8], flags: InstallFlags) -> String {
        let session = 1_000_000_000 + (self.rng.next_u64() % 1_000_000_000);
        let tmp = format!("/data/app/vmdl{session}.tmp/base.apk");
        let facts = match parse_apk(bytes) {
            Ok(f) => f,
            Err(e) => {
                return format!(
                    "Failure [INSTALL_PARSE_FAILED_NOT_APK: Failed to parse {tmp}: {e}]"
                );
            }
        };
        if !facts.signed {
            return format!(
                "Failure [INSTALL_PARSE_FAILED_NO_CERTIFICATES: Failed to collect certificates from {tmp}: Attempt to get length of null array]"
            );
        }
        let old = self.packages.get(&facts.package).cloned();
        if let Some(o) = &old {
            if o.system {
                return format!(
                    "Failure [INSTALL_FAILED_UPDATE_INCOMPATIBLE: Package {} signatures do not match previously installed version; ignoring!]",
                    facts.package
                );
            }
            if facts.version_code < o.version_code && !flags.allow_downgrade {
                return format!(
                    "Failure [INSTALL_FAILED_VERSION_DOWNGRADE: Downgrade detected: Update version code {} is older than current {}]",
                    facts.version_code, o.version_code
                );
            }
            self.kill_app(t, &facts.package, "installPackageLI", 0);
            let _ = self.fs.remove_system(&o.path, false);
        }
        let uid = match &old {
            Some(o) => o.uid,
            None => self.next_app_uid_bump(),
        };
        let dir_a = format!("/data/app/~~{}==", b64ish(self.rng.next_u64()));
        let dir_b = format!(
            "{dir_a}/{}-{}==",
            facts.package,
            b64ish(self.rng.next_u64())
        );
        let path = format!("{dir_b}/base.apk");
        let _ = self.fs.mkdir(&dir_b, true, t / 1_000_000, false);
        if self
            .fs
            .write_system(&path, bytes.to_vec(), 0o644, t / 1_000_000)
            .is_err()
        {
            return "Failure [INSTALL_FAILED_INSUFFICIENT_STORAGE]".into();
        }
        let mut granted: BTreeSet<String> =
            old.as_ref().map(|o| o.granted.clone()).unwrap_or_default();
        granted.retain(|g| facts.permissions.contains(g));
        if flags.grant_all {
            for p in &facts.permissions {
                if apis::is_runtime(p) {
                    granted.insert(p.clone());
                }
            }
        }
        let label = facts.label.clone().unwrap_or_else(|| facts.package.clone());
        self.packages.insert(
            facts.package.clone(),
            Package {
                name: facts.package.clone(),
                uid,
                version_code: facts.version_code,
                version_name: facts.version_name.clone(),
                label,
                main_activity: facts.main_activity.clone(),
                activities: facts.activities.clone(),
                requested: facts.permissions.clone(),
                granted,
                path,
                system: false,
                target_sdk: facts.target_sdk,
                flags: old.map(|o| o.flags).unwrap_or_default(),
            },
        );
        "Success".into()
    }

    fn next_app_uid_bump(&mut self) -> i32 {
        let used: BTreeSet<i32> = self.packages.values().map(|p| p.uid).collect();
        let mut u = self.next_app_uid;
        while used.contains(&u) {
            u += 1;
        }
        self.next_app_uid = u + 1;
        u
    }

    /// `pm uninstall`: `Success` or `Failure [not installed for 0]`.
    pub fn uninstall(&mut self, t: DeviceUs, pkg: &str, caller_pid: i32) -> String {
        match self.packages.get(pkg) {
            Some(p) if !p.system => {
                let (path, uid) = (p.path.clone(), p.uid);
                self.kill_app(t, pkg, "uninstall pkg", caller_pid);
                self.packages.remove(pkg);
                let _ = self.fs.remove_system(&path, false);
                self.appops.remove_uid(uid);
                "Success".into()
            }
            Some(_) => "Failure [DELETE_FAILED_INTERNAL_ERROR]".into(),
            None => "Failure [not installed for 0]".into(),
        }
    }

    /// `pm clear`: `Success` or `Failed`.
    pub fn clear_data(&mut self, t: DeviceUs, pkg: &str, caller_pid: i32) -> String {
        if self.packages.get(pkg).is_none_or(|p| p.system) {
            return "Failed".into();
        }
        self.kill_app(t, pkg, "clear data", caller_pid);
        if let Some(p) = self.packages.get_mut(pkg) {
            p.flags.clear();
            p.granted.clear();
        }
        "Success".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualify_resolves_relative_class_names() {
        assert_eq!(qualify("com.x", ".Main"), "com.x.Main");
        assert_eq!(qualify("com.x", "Main"), "com.x.Main");
        assert_eq!(qualify("com.x", "org.y.Main"), "org.y.Main");
    }

    #[test]
    fn garbage_is_not_an_apk() {
        assert!(parse_apk(b"hello").is_err());
        let mut fake = b"PK\x03\x04".to_vec();
        fake.extend_from_slice(&[0u8; 40]);
        assert!(parse_apk(&fake).is_err());
    }
}
