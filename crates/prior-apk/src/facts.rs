//! What `prior run` needs to know about an APK before installing it: the manifest facts (no
//! DEX reading, no SDK catalogue) and the file's sha256. [`crate::Inventory`] reads the same
//! facts through the same code ([`open`]) and adds components, signing and DEX classes.

use crate::file::{OpenError, open_apk_file};
use crate::inventory::InventoryError;
use sha2::{Digest, Sha256};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// An APK's manifest facts and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApkFacts {
    /// The file.
    pub path: PathBuf,
    /// `package`.
    pub package: String,
    /// `android:versionName`.
    pub version_name: Option<String>,
    /// `android:versionCode`.
    pub version_code: Option<String>,
    /// The launcher activity, resolved against the package: the first enabled activity or
    /// activity-alias with a MAIN + LAUNCHER intent filter ([`crate::manifest::read`], the same
    /// function `prior inspect` uses). For an alias this is the alias (what `am start -n`
    /// starts); [`ApkFacts::launcher`] also names its target.
    pub launcher_activity: Option<String>,
    /// The launcher with its kind and, for an alias, its resolved target activity.
    pub launcher: Option<crate::manifest::Launcher>,
    /// `<uses-permission>` names, de-duplicated, in manifest order.
    pub permissions: Vec<String>,
    /// `<provider>` class names, resolved: content providers run **before** `Application.onCreate`.
    pub providers: Vec<String>,
    /// `minSdkVersion` as a number (`None`: absent, a codename or a reference).
    pub min_sdk: Option<u32>,
    /// `targetSdkVersion`; absent → `minSdkVersion`; both absent → 1 (apk-info's rule).
    pub target_sdk: u32,
    /// `maxSdkVersion` as a number.
    pub max_sdk: Option<u32>,
    /// `<application android:debuggable>`: `Some(true)`/`Some(false)` when the manifest sets it
    /// to a literal boolean, `None` when it is absent (Android's default is false) or not a
    /// literal (a resource reference).
    pub debuggable: Option<bool>,
    /// sha256 of the file, lowercase hex.
    pub sha256: String,
    /// File size in bytes.
    pub size: u64,
}

/// An APK opened by apk-info, with its package name, hash and size.
pub(crate) struct Opened {
    pub apk: apk_info::Apk,
    pub package: String,
    pub sha256: String,
    pub size: u64,
}

/// Checks `path` ([`open_apk_file`]: type, size, zip signature), hashes it and opens it as an
/// APK that names its package. Every entry apk-info inflates is capped at
/// [`crate::MAX_ENTRY_BYTES`] inside the zip reader; a manifest over the cap is named here.
pub(crate) fn open(path: &Path) -> Result<Opened, InventoryError> {
    let shown = path.display().to_string();
    let (mut file, _) = open_apk_file(path).map_err(|e| match e {
        OpenError::Io(source) => InventoryError::Io {
            path: shown.clone(),
            source,
        },
        OpenError::Invalid(why) => InventoryError::NotApk {
            path: shown.clone(),
            why,
        },
    })?;
    let io = |source| InventoryError::Io {
        path: shown.clone(),
        source,
    };
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let (sha256, size) = sha256_reader(&mut file).map_err(io)?;
    let apk = apk_info::Apk::new(path).map_err(|e| InventoryError::Apk {
        path: shown.clone(),
        why: explain_open_error(file, &e),
    })?;
    if !matches!(
        apk.get_inner_zip(),
        Err(apk_info::APKError::InvalidInput(_))
    ) {
        return Err(InventoryError::Apk {
            path: shown,
            why: "an app container (xapk, apkm or apks), not a single installable APK".into(),
        });
    }
    let package = apk.get_package_name().ok_or_else(|| InventoryError::Apk {
        path: shown.clone(),
        why: "the manifest has no package name".into(),
    })?;
    if let Some(problem) = prior_model::package::package_name_problem(&package) {
        return Err(InventoryError::Apk {
            path: shown,
            why: format!("the manifest's package cannot be installed: {problem}"),
        });
    }
    Ok(Opened {
        apk,
        package,
        sha256,
        size,
    })
}

/// apk-info's error, or a clearer one when the reason is an entry that inflates past
/// [`crate::MAX_ENTRY_BYTES`] (apk-info then only says it found no usable manifest). Reads the
/// manifest once more, under the same cap.
fn explain_open_error(file: std::fs::File, e: &apk_info::APKError) -> String {
    let generic = e.to_string();
    let Ok(zip) = apk_info::ZipEntry::from_reader(file) else {
        return generic;
    };
    const MANIFEST: &str = "AndroidManifest.xml";
    match (zip.read(MANIFEST), zip.entry_info(MANIFEST)) {
        (Err(apk_info::ZipError::FileTooLarge), Some(info)) => entry_too_large(MANIFEST, &info),
        _ => generic,
    }
}

/// The message for an entry the zip reader refused as too large: declared over the cap, or
/// inflating past it whatever it declares.
pub(crate) fn entry_too_large(name: &str, info: &apk_info::EntryInfo) -> String {
    let cap = crate::MAX_ENTRY_BYTES;
    let (c, u) = (info.compressed_size, info.uncompressed_size);
    if u > cap || c > cap {
        format!(
            "{name} is over Prior's {cap}-byte limit for one zip entry (the zip headers declare \
             {c} compressed, {u} uncompressed)"
        )
    } else {
        format!(
            "{name} inflates to more than {cap} bytes (the zip headers declare {c} compressed, \
             {u} uncompressed): a zip bomb or a corrupt APK; Prior stops inflating any entry at \
             that limit"
        )
    }
}

/// `"true"`/`"false"` → a bool; anything else (absent, a resource reference) → `None`.
pub(crate) fn parse_bool(v: Option<&str>) -> Option<bool> {
    match v? {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

impl ApkFacts {
    /// Reads the manifest and hashes the file.
    pub fn read(path: &Path) -> Result<ApkFacts, InventoryError> {
        let Opened {
            apk,
            package,
            sha256,
            size,
        } = open(path)?;
        let mut permissions: Vec<String> = Vec::new();
        for p in apk.get_permissions() {
            if !permissions.iter().any(|q| q == p) {
                permissions.push(p.to_owned());
            }
        }
        let target_sdk = apk.get_target_sdk_version();
        let manifest = crate::manifest::tree(&apk)
            .map(|root| crate::manifest::read(&root, &package, target_sdk))
            .unwrap_or_default();
        Ok(ApkFacts {
            path: path.to_path_buf(),
            version_name: apk.get_version_name(),
            version_code: apk.get_version_code(),
            launcher_activity: manifest.launcher.as_ref().map(|l| l.name.clone()),
            launcher: manifest.launcher,
            permissions,
            providers: manifest
                .components
                .iter()
                .filter(|c| c.kind == "provider")
                .fold(Vec::new(), |mut v: Vec<String>, c| {
                    if !v.contains(&c.name) {
                        v.push(c.name.clone());
                    }
                    v
                }),
            min_sdk: crate::manifest::sdk_level(apk.get_min_sdk_version().as_deref()),
            target_sdk,
            max_sdk: crate::manifest::sdk_level(apk.get_max_sdk_version().as_deref()),
            debuggable: parse_bool(apk.get_application_debuggable().as_deref()),
            package,
            sha256,
            size,
        })
    }
}

/// sha256 (lowercase hex) and size of a file, read in 1 MiB blocks. Prior's one hash of input
/// files (APKs); the session bundle hashes its own files with `prior_model::sha256_file`,
/// which is part of the bundle's format (`MANIFEST.sha256`).
pub fn sha256_file(path: &Path) -> std::io::Result<(String, u64)> {
    sha256_reader(&mut fs_err::File::open(path)?)
}

/// sha256 (lowercase hex) and length of everything `r` yields, read in 1 MiB blocks.
fn sha256_reader(r: &mut impl Read) -> std::io::Result<(String, u64)> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = match r.read(&mut buf) {
            Ok(k) => k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((hex::encode(h.finalize()), n))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn facts_of_a_real_apk() {
        // Expected values checked independently with Debian's `aapt dump badging` and
        // `aapt dump xmltree … AndroidManifest.xml` (android:debuggable=0xffffffff).
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/apks/app-uiautomator.apk");
        let info = ApkFacts::read(&path).unwrap();
        assert_eq!(info.package, "com.github.uiautomator");
        assert_eq!(info.version_name.as_deref(), Some("2.4.0"));
        assert_eq!(info.version_code.as_deref(), Some("2004001"));
        assert_eq!(
            info.launcher_activity.as_deref(),
            Some("com.github.uiautomator.MainActivity")
        );
        assert_eq!(info.min_sdk, Some(19));
        assert_eq!(info.max_sdk, None);
        assert_eq!(info.target_sdk, 32);
        assert_eq!(info.debuggable, Some(true));
        assert_eq!(info.permissions.len(), 12);
        assert_eq!(
            info.permissions[0],
            "android.permission.ACCESS_MOCK_LOCATION"
        );
        assert!(
            info.permissions
                .iter()
                .any(|p| p == "android.permission.GET_ACCOUNTS")
        );
        assert_eq!(
            info.sha256,
            "6f85594700ad96de89d012b3767049c2c6988510b68b31b439dd2a6dd93a30c9"
        );
        assert_eq!(info.size, 1_873_729);
        // Not an APK: a clear error, no panic.
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.apk");
        std::fs::write(&junk, b"definitely not a zip").unwrap();
        assert!(matches!(
            ApkFacts::read(&junk),
            Err(InventoryError::NotApk {
                why: crate::ApkFileError::NotZip,
                ..
            })
        ));
        assert!(matches!(
            ApkFacts::read(&dir.path().join("missing.apk")),
            Err(InventoryError::Io { .. })
        ));
    }

    #[test]
    fn debuggable_is_a_literal_boolean_or_unknown() {
        assert_eq!(parse_bool(Some("true")), Some(true));
        assert_eq!(parse_bool(Some("false")), Some(false));
        assert_eq!(parse_bool(Some("@bool/debug")), None);
        assert_eq!(parse_bool(None), None);
    }

    #[test]
    fn run_and_inspect_share_the_launcher_and_resolved_providers() {
        // manifest-rules.apk (tests/data/apks/SOURCES.md): a disabled MAIN/LAUNCHER activity,
        // then a launcher activity-alias; relative provider names.
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/apks/manifest-rules.apk");
        let facts = ApkFacts::read(&path).unwrap();
        let inv = crate::Inventory::read(&path, &crate::SdkCatalog::builtin().unwrap()).unwrap();
        assert_eq!(
            facts.launcher_activity.as_deref(),
            Some("org.prior.fixture.rules.Launcher")
        );
        assert_eq!(facts.launcher, inv.launcher);
        assert_eq!(
            facts
                .launcher
                .as_ref()
                .and_then(|l| l.target_activity.as_deref()),
            Some("org.prior.fixture.rules.ui.SplashActivity")
        );
        assert_eq!(
            facts.providers,
            [
                "org.prior.fixture.rules.data.LegacyProvider",
                "androidx.startup.InitializationProvider"
            ]
        );
        assert_eq!(
            (facts.min_sdk, facts.target_sdk, facts.max_sdk),
            (Some(14), 16, Some(34))
        );
    }
}
