//! Reading an APK's manifest facts (through apk-info) and its sha256.

use crate::error::DeviceError;
use crate::quote::{Component, PackageName};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// What Prior needs to know about an APK before installing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApkInfo {
    /// The file.
    pub path: PathBuf,
    /// `package`.
    pub package: String,
    /// `android:versionName`.
    pub version_name: Option<String>,
    /// `android:versionCode`.
    pub version_code: Option<String>,
    /// The launcher activity as the manifest names it (Android's own resolution rule:
    /// the first enabled activity or alias with MAIN + LAUNCHER/INFO).
    pub launcher_activity: Option<String>,
    /// `<uses-permission>` names, de-duplicated, in manifest order.
    pub permissions: Vec<String>,
    /// `<provider>` class names: content providers run **before** `Application.onCreate`, so
    /// SDKs that auto-initialise through one act before any consent screen.
    pub providers: Vec<String>,
    /// `minSdkVersion`.
    pub min_sdk: Option<String>,
    /// `targetSdkVersion`.
    pub target_sdk: u32,
    /// sha256 of the file, lowercase hex.
    pub sha256: String,
    /// File size in bytes.
    pub size: u64,
}

impl ApkInfo {
    /// Reads the manifest and hashes the file.
    pub fn read(path: &Path) -> Result<ApkInfo, DeviceError> {
        let apk_err = |why: String| DeviceError::Apk {
            path: path.to_path_buf(),
            why,
        };
        let (sha256, size) = sha256_file(path)?;
        let apk = apk_info::Apk::new(path).map_err(|e| apk_err(e.to_string()))?;
        let package = apk
            .get_package_name()
            .ok_or_else(|| apk_err("the manifest has no package name".into()))?;
        let mut permissions: Vec<String> = Vec::new();
        for p in apk.get_permissions() {
            if !permissions.iter().any(|q| q == p) {
                permissions.push(p.to_owned());
            }
        }
        let mut providers: Vec<String> = Vec::new();
        for p in apk.get_providers() {
            if let Some(name) = p.name
                && !providers.iter().any(|q| q == name)
            {
                providers.push(name.to_owned());
            }
        }
        Ok(ApkInfo {
            path: path.to_path_buf(),
            version_name: apk.get_version_name(),
            version_code: apk.get_version_code(),
            launcher_activity: apk.get_main_activity().map(str::to_owned),
            permissions,
            providers,
            min_sdk: apk.get_min_sdk_version(),
            target_sdk: apk.get_target_sdk_version(),
            package,
            sha256,
            size,
        })
    }

    /// The validated package name.
    pub fn package_name(&self) -> Result<PackageName, DeviceError> {
        PackageName::new(&self.package)
    }

    /// The launcher activity as a validated component (`pkg/cls`).
    pub fn launcher_component(&self) -> Result<Option<Component>, DeviceError> {
        match &self.launcher_activity {
            Some(a) => Ok(Some(Component::from_parts(self.package_name()?, a)?)),
            None => Ok(None),
        }
    }
}

/// sha256 (lowercase hex) and size of a file, read in 64 KiB blocks.
pub fn sha256_file(path: &Path) -> Result<(String, u64), DeviceError> {
    let file_err = |source: std::io::Error| DeviceError::File {
        context: "read",
        path: path.to_path_buf(),
        source,
    };
    let mut f = fs_err::File::open(path).map_err(file_err)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 << 10];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(file_err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), size))
}
