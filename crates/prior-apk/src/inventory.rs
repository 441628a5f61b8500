//! `prior inspect`: the static inventory of one APK.
//!
//! Manifest facts come from apk-info, components, launcher and `androidx.startup` initializers
//! from [`crate::manifest`] (shared with [`crate::ApkFacts`]); the signing certificates' SHA-256 digests from apk-info's
//! v1/v2/v3 signature parsing; classes from this crate's [`crate::dex`] reader run over every
//! `classes*.dex` entry (one at a time, so memory is bounded by the largest dex, not the APK).
//!
//! Choices (the brief is silent):
//! * `exported` is reported as declared **and** as Android resolves it, with the basis of the
//!   value ([`crate::manifest::ExportedBasis`]; the platform's rules are in docs/inspect.md).
//! * every enabled content provider is **auto-init**: Android creates providers before
//!   `Application.onCreate`, so whatever they start runs before any consent screen. A provider
//!   in another process (`android:process`) is still listed, with its process. An SDK whose
//!   class is an `androidx.startup` initializer is auto-init as well.
//! * SDKs are detected from the classes the dex files *define* (`class_defs`), the types they
//!   reference, manifest components and meta-data keys and the zip's file names; each hit has a
//!   confidence (embedded / likely / referenced-only, `SdkEntry::confidence`) and the evidence
//!   that decided it (docs/sdks.md, "Confidence").

use crate::dex::DexFile;
use crate::facts::{Opened, open};
use crate::permissions::is_dangerous_permission;
use crate::sdk::{Confidence, SdkCatalog, SdkEntry, SdkSignals};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The most `classes*.dex` entries read (Android's own multidex naming stops being meaningful
/// far below this).
pub const MAX_DEX_FILES: usize = 256;
/// The largest dex entry read (bytes, uncompressed): the zip reader's cap on any entry, enforced
/// while inflating. The format's own 32-bit offsets allow 4 GiB; real dex files stay far below
/// 100 MiB.
pub const MAX_DEX_BYTES: u64 = crate::MAX_ENTRY_BYTES;

/// Errors of [`Inventory::read`]. Messages read after "failed to …".
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    /// The file could not be read.
    #[error("read {path}: {source}")]
    Io {
        /// The APK.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// Not a regular, non-empty, zip-signed file within the size limit (nothing was read
    /// past its first 4 bytes).
    #[error("read APK {path}: {why}")]
    NotApk {
        /// The APK.
        path: String,
        /// What is wrong.
        why: crate::file::ApkFileError,
    },
    /// apk-info could not open it as an APK.
    #[error("read APK {path}: {why}")]
    Apk {
        /// The APK.
        path: String,
        /// What went wrong.
        why: String,
    },
}

/// The static inventory of one APK.
#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    /// The file as given.
    pub file: String,
    /// Size in bytes.
    pub size: u64,
    /// sha256 of the file, lowercase hex.
    pub sha256: String,
    /// `package`.
    pub package: String,
    /// `versionName`.
    pub version_name: Option<String>,
    /// `versionCode`.
    pub version_code: Option<String>,
    /// `minSdkVersion` as a number; `null` when absent or not a number (a preview codename).
    pub min_sdk: Option<u32>,
    /// `targetSdkVersion`; when absent, `minSdkVersion`; when both are absent, 1.
    pub target_sdk: u32,
    /// `maxSdkVersion` as a number, or `null`.
    pub max_sdk: Option<u32>,
    /// `<application android:name>`, resolved against the package.
    pub application_class: Option<String>,
    /// The activity the home screen starts (MAIN + LAUNCHER), or `null`.
    pub launcher: Option<Launcher>,
    /// `androidx.startup` initializers (`<meta-data android:value="androidx.startup">` of an
    /// enabled `androidx.startup.InitializationProvider`): they run before
    /// `Application.onCreate`.
    pub startup_initializers: Vec<String>,
    /// Signing.
    pub signing: Signing,
    /// `<uses-permission>`, de-duplicated, manifest order.
    pub permissions: Vec<PermissionFact>,
    /// Activities, services, receivers, providers.
    pub components: Vec<Component>,
    /// One entry per `classes*.dex`.
    pub dex: Vec<DexSummary>,
    /// SDKs found, sorted by id.
    pub sdks: Vec<SdkHit>,
    /// Which catalogue was used.
    pub catalogue: String,
}

/// Signing facts.
#[derive(Debug, Clone, Serialize)]
pub struct Signing {
    /// Signature schemes present (`v1`, `v2`, `v3`…).
    pub schemes: Vec<String>,
    /// Distinct signer certificates.
    pub certificates: Vec<Certificate>,
    /// Why nothing is listed, when apk-info could not read the signatures.
    pub error: Option<String>,
}

/// A signer certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Certificate {
    /// Subject DN.
    pub subject: String,
    /// SHA-256 of the DER certificate, as apk-info prints it.
    pub sha256: String,
}

/// A requested permission.
#[derive(Debug, Clone, Serialize)]
pub struct PermissionFact {
    /// Name.
    pub name: String,
    /// A runtime permission the user must grant.
    pub dangerous: bool,
}

pub use crate::manifest::{Component, ExportedBasis, Launcher};

/// One dex file.
#[derive(Debug, Clone, Serialize)]
pub struct DexSummary {
    /// Entry name.
    pub entry: String,
    /// Format version (`035`…), when parsed.
    pub version: Option<String>,
    /// Classes defined.
    pub classes: usize,
    /// Types referenced.
    pub types: usize,
    /// Header checksum matches.
    pub checksum_ok: bool,
    /// Why it could not be read.
    pub error: Option<String>,
}

/// An SDK found in the APK.
#[derive(Debug, Clone, Serialize)]
pub struct SdkHit {
    /// Catalogue id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Vendor.
    pub vendor: String,
    /// Category.
    pub category: String,
    /// How sure the inventory is that it is embedded (docs/sdks.md, "Confidence").
    pub confidence: Confidence,
    /// What decided the confidence, strongest first, in words.
    pub evidence: Vec<String>,
    /// Classes defined under its package prefixes.
    pub classes: usize,
    /// Types under its package prefixes referenced but defined by no dex of the APK.
    pub referenced: usize,
    /// The prefixes that matched, sorted.
    pub packages: Vec<String>,
    /// Its entry-point classes defined, sorted.
    pub entry_points: Vec<String>,
    /// Its manifest components found, sorted.
    pub components: Vec<String>,
    /// Its marker files and assets present, sorted.
    pub files: Vec<String>,
    /// Its manifest meta-data keys present, sorted.
    pub meta_data: Vec<String>,
    /// It declares an auto-init provider, or starts through an `androidx.startup` initializer:
    /// it runs before `Application.onCreate`.
    pub auto_init: bool,
    /// Its `androidx.startup` initializers (classes under its prefixes), sorted.
    pub startup_initializers: Vec<String>,
}

impl Inventory {
    /// Reads `path` and takes its inventory against `catalog`.
    pub fn read(path: &Path, catalog: &SdkCatalog) -> Result<Inventory, InventoryError> {
        let Opened {
            apk,
            package,
            sha256,
            size,
        } = open(path)?;
        let shown = path.display().to_string();

        let mut permissions: Vec<PermissionFact> = Vec::new();
        for p in apk.get_permissions() {
            if !permissions.iter().any(|q| q.name == p) {
                permissions.push(PermissionFact {
                    name: p.to_owned(),
                    dangerous: is_dangerous_permission(p),
                });
            }
        }

        let target_sdk = apk.get_target_sdk_version();
        let manifest = crate::manifest::tree(&apk)
            .map(|root| crate::manifest::read(&root, &package, target_sdk))
            .unwrap_or_default();
        let mut components = manifest.components;
        for c in &mut components {
            c.sdk = catalog.sdk_of_component(&c.name).map(|(s, _)| s.id.clone());
        }
        let (dex, mut classes) = read_dex(&apk, catalog);
        for name in apk.namelist() {
            if let Some(sdk) = catalog.sdk_of_file(name) {
                classes.signals(&sdk.id).files.push(name.to_owned());
            }
        }
        for key in apk.get_all_attribute_values("meta-data", "name") {
            if let Some(sdk) = catalog.sdk_of_meta_data(key) {
                classes.signals(&sdk.id).meta_data.push(key.to_owned());
            }
        }
        let mut sdks = sdk_hits(catalog, classes, &components);
        mark_startup_initializers(catalog, &mut sdks, &manifest.startup_initializers);

        Ok(Inventory {
            file: shown,
            size,
            sha256,
            version_name: apk.get_version_name(),
            version_code: apk.get_version_code(),
            min_sdk: crate::manifest::sdk_level(apk.get_min_sdk_version().as_deref()),
            target_sdk,
            max_sdk: crate::manifest::sdk_level(apk.get_max_sdk_version().as_deref()),
            application_class: apk
                .get_application_name()
                .filter(|n| !n.is_empty())
                .map(|n| crate::manifest::resolve_class_name(&package, &n)),
            launcher: manifest.launcher,
            startup_initializers: manifest.startup_initializers,
            signing: signing(&apk),
            package,
            permissions,
            components,
            dex,
            sdks,
            catalogue: catalog.origin.clone(),
        })
    }

    /// Enabled providers Android starts before `Application.onCreate`.
    pub fn auto_init_providers(&self) -> impl Iterator<Item = &Component> {
        self.components.iter().filter(|c| c.auto_init)
    }

    /// The text form `prior inspect` prints.
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut o = String::new();
        let _ = writeln!(o, "{}", self.file);
        let _ = writeln!(o, "  package        {}", self.package);
        let _ = writeln!(
            o,
            "  version        {} (code {})",
            self.version_name.as_deref().unwrap_or("-"),
            self.version_code.as_deref().unwrap_or("-")
        );
        let level = |v: Option<u32>| v.map_or_else(|| "-".to_owned(), |n| n.to_string());
        let _ = writeln!(
            o,
            "  sdk            min {} / target {} / max {}",
            level(self.min_sdk),
            self.target_sdk,
            level(self.max_sdk)
        );
        if let Some(a) = &self.application_class {
            let _ = writeln!(o, "  application    {a}");
        }
        match &self.launcher {
            Some(l) => {
                let _ = writeln!(
                    o,
                    "  launcher       {}{}",
                    l.name,
                    match &l.target_activity {
                        Some(t) => format!(" (activity-alias of {t})"),
                        None => String::new(),
                    }
                );
            }
            None => {
                let _ = writeln!(
                    o,
                    "  launcher       none (no enabled MAIN/LAUNCHER activity)"
                );
            }
        }
        let _ = writeln!(
            o,
            "  size           {} bytes, sha256 {}",
            self.size, self.sha256
        );
        let _ = writeln!(
            o,
            "  signing        {}",
            if self.signing.schemes.is_empty() {
                "none found".to_owned()
            } else {
                self.signing.schemes.join(", ")
            }
        );
        for c in &self.signing.certificates {
            let _ = writeln!(o, "    certificate  sha256 {}  {}", c.sha256, c.subject);
        }
        if let Some(e) = &self.signing.error {
            let _ = writeln!(o, "    (signatures unreadable: {e})");
        }
        let dangerous = self.permissions.iter().filter(|p| p.dangerous).count();
        let _ = writeln!(
            o,
            "\nPermissions ({}, {dangerous} dangerous):",
            self.permissions.len()
        );
        for p in &self.permissions {
            let _ = writeln!(o, "  {} {}", if p.dangerous { "!" } else { " " }, p.name);
        }
        let _ = writeln!(o, "\nComponents ({}):", self.components.len());
        for c in &self.components {
            let mut notes = Vec::new();
            if c.name != c.name_declared {
                notes.push(format!("declared as {}", c.name_declared));
            }
            if let Some(t) = &c.target_activity {
                notes.push(format!("target {t}"));
            }
            match (c.exported, c.exported_basis) {
                (true, ExportedBasis::Declared) => notes.push("exported".into()),
                (false, ExportedBasis::Declared) => {}
                (true, b) => notes.push(format!("exported ({})", b.describe())),
                (false, b) => notes.push(format!("not exported ({})", b.describe())),
            }
            if c.exported_required_missing {
                notes.push(
                    "android:exported missing: targetSdk ≥ 31 with an intent filter, Android 12+ refuses to install"
                        .into(),
                );
            }
            if !c.enabled {
                notes.push("disabled".into());
            }
            if c.auto_init {
                notes.push("AUTO-INIT before Application.onCreate".into());
            }
            if let Some(p) = &c.process {
                notes.push(format!("process {p}"));
            }
            if let Some(s) = &c.sdk {
                notes.push(format!("sdk {s}"));
            }
            let _ = writeln!(
                o,
                "  {:<14} {}{}",
                c.kind,
                c.name,
                if notes.is_empty() {
                    String::new()
                } else {
                    format!("  [{}]", notes.join(", "))
                }
            );
        }
        if !self.startup_initializers.is_empty() {
            let _ = writeln!(
                o,
                "\nandroidx.startup initializers ({}, AUTO-INIT before Application.onCreate):",
                self.startup_initializers.len()
            );
            for i in &self.startup_initializers {
                let _ = writeln!(o, "  {i}");
            }
        }
        let _ = writeln!(o, "\nDex files ({}):", self.dex.len());
        for d in &self.dex {
            match &d.error {
                Some(e) => {
                    let _ = writeln!(o, "  {}: unreadable: {e}", d.entry);
                }
                None => {
                    let _ = writeln!(
                        o,
                        "  {}: version {}, {} classes, {} types{}",
                        d.entry,
                        d.version.as_deref().unwrap_or("?"),
                        d.classes,
                        d.types,
                        if d.checksum_ok {
                            ""
                        } else {
                            ", CHECKSUM MISMATCH"
                        }
                    );
                }
            }
        }
        let _ = writeln!(
            o,
            "\nSDKs ({}, catalogue {}):",
            self.sdks.len(),
            self.catalogue
        );
        for s in &self.sdks {
            let _ = writeln!(
                o,
                "  {:<40} {:<16} {:<15} {} classes{}{}",
                s.name,
                s.category,
                s.confidence.as_str(),
                s.classes,
                if s.components.is_empty() {
                    String::new()
                } else {
                    format!(", components {}", s.components.join(" "))
                },
                if s.auto_init { ", AUTO-INIT" } else { "" }
            );
            if !s.startup_initializers.is_empty() {
                let _ = writeln!(
                    o,
                    "  {:<40} via androidx.startup: {}",
                    "",
                    s.startup_initializers.join(" ")
                );
            }
            let _ = writeln!(o, "      evidence: {}", s.evidence.join("; "));
        }
        // APK strings are the app author's: an escape sequence in a component name must not
        // reach the terminal (`prior_model::text`).
        terminal_safe(&o)
    }
}

fn terminal_safe(text: &str) -> String {
    prior_model::text::escape_controls(text).into_owned()
}

fn signing(apk: &apk_info::Apk) -> Signing {
    use apk_info::Signature as S;
    let mut schemes = Vec::new();
    let mut certificates: Vec<Certificate> = Vec::new();
    match apk.get_signatures() {
        Ok(sigs) => {
            for s in &sigs {
                let certs = match s {
                    S::V1(c) | S::V2(c) | S::V3(c) | S::V31(c) | S::V32(c) => c.as_slice(),
                    _ => &[],
                };
                if matches!(s, S::V1(_) | S::V2(_) | S::V3(_) | S::V31(_) | S::V32(_)) {
                    schemes.push(s.name());
                }
                for c in certs {
                    let cert = Certificate {
                        subject: c.subject.clone(),
                        sha256: c.sha256_fingerprint.to_ascii_lowercase().replace(':', ""),
                    };
                    if !certificates.contains(&cert) {
                        certificates.push(cert);
                    }
                }
            }
            Signing {
                schemes,
                certificates,
                error: None,
            }
        }
        Err(e) => Signing {
            schemes,
            certificates,
            error: Some(e.to_string()),
        },
    }
}

/// `classes.dex`, `classes2.dex`, … in Android's load order.
fn dex_entries(apk: &apk_info::Apk) -> Vec<String> {
    let mut v: Vec<(u32, String)> = apk
        .namelist()
        .filter_map(|n| dex_index(n).map(|k| (k, n.to_owned())))
        .collect();
    v.sort();
    v.dedup();
    v.into_iter().map(|(_, n)| n).take(MAX_DEX_FILES).collect()
}

/// The multidex index of `classes.dex` (1), `classesN.dex` (N ≥ 2); `None` for anything else.
fn dex_index(name: &str) -> Option<u32> {
    let mid = name.strip_prefix("classes")?.strip_suffix(".dex")?;
    if mid.is_empty() {
        return Some(1);
    }
    if mid.starts_with('0') {
        return None;
    }
    mid.parse::<u32>().ok().filter(|&k| k >= 2)
}

/// What the APK shows per SDK id, gathered over every dex, the zip's names and the manifest.
#[derive(Debug, Default)]
struct Gathered {
    /// Per SDK id: its signals (components are added from the manifest by [`sdk_hits`]).
    by_sdk: BTreeMap<String, SdkSignals>,
    /// Per SDK id: the prefixes that matched.
    prefixes: BTreeMap<String, BTreeSet<String>>,
    /// Catalogued class names defined by some dex.
    defined: BTreeSet<String>,
    /// Catalogued class names referenced by some dex (defined or not), with their SDK id.
    referenced: BTreeMap<String, String>,
}

impl Gathered {
    fn signals(&mut self, id: &str) -> &mut SdkSignals {
        self.by_sdk.entry(id.to_owned()).or_default()
    }
}

/// Reads every dex; returns summaries and what the classes show per SDK.
fn read_dex(apk: &apk_info::Apk, catalog: &SdkCatalog) -> (Vec<DexSummary>, Gathered) {
    let mut summaries = Vec::new();
    let mut g = Gathered::default();
    for entry in dex_entries(apk) {
        let mut summary = DexSummary {
            entry: entry.clone(),
            version: None,
            classes: 0,
            types: 0,
            checksum_ok: false,
            error: None,
        };
        match apk.read(&entry) {
            Err(apk_info::ZipError::FileTooLarge) => {
                summary.error = Some(
                    match apk.get_base_zip().ok().and_then(|z| z.entry_info(&entry)) {
                        Some(info) => crate::facts::entry_too_large(&entry, &info),
                        None => format!("inflates to more than {MAX_DEX_BYTES} bytes"),
                    },
                );
            }
            Err(e) => summary.error = Some(e.to_string()),
            Ok((data, _)) if data.len() as u64 > MAX_DEX_BYTES => {
                summary.error = Some(format!(
                    "{} bytes, over the {MAX_DEX_BYTES}-byte limit",
                    data.len()
                ));
            }
            Ok((data, _)) => match DexFile::parse(&data) {
                Err(e) => summary.error = Some(e.to_string()),
                Ok(dex) => {
                    summary.version = Some(dex.version.clone());
                    summary.classes = dex.class_defs.len();
                    summary.types = dex.types.len();
                    summary.checksum_ok = dex.checksum_ok;
                    for class in dex.defined_classes() {
                        if let Some((sdk, prefix)) = catalog.sdk_of_class(&class) {
                            g.prefixes
                                .entry(sdk.id.clone())
                                .or_default()
                                .insert(prefix.to_owned());
                            if g.defined.contains(&class) {
                                // The same class in two dex files: the first one loads.
                                continue;
                            }
                            let s = g.signals(&sdk.id);
                            s.defined += 1;
                            if sdk.entry_points.contains(&class) {
                                s.entry_points.push(class.clone());
                            }
                            g.defined.insert(class);
                        }
                    }
                    for class in dex.referenced_classes() {
                        if g.referenced.contains_key(&class) {
                            continue;
                        }
                        if let Some((sdk, _)) = catalog.sdk_of_class(&class) {
                            g.referenced.insert(class, sdk.id.clone());
                        }
                    }
                }
            },
        }
        summaries.push(summary);
    }
    // Referenced types no dex defines: what the app's code calls without carrying.
    let Gathered {
        by_sdk,
        referenced,
        defined,
        ..
    } = &mut g;
    for (class, id) in referenced.iter() {
        if !defined.contains(class) {
            by_sdk.entry(id.clone()).or_default().referenced += 1;
        }
    }
    (summaries, g)
}

/// Marks the SDK of each `androidx.startup` initializer class as auto-init (adding it when no
/// other signal found it, e.g. a manifest-only APK), with the initializer as evidence.
fn mark_startup_initializers(
    catalog: &SdkCatalog,
    hits: &mut Vec<SdkHit>,
    initializers: &[String],
) {
    for init in initializers {
        let Some((sdk, _)) = catalog.sdk_of_class(init) else {
            continue;
        };
        let at = match hits.iter().position(|h| h.id == sdk.id) {
            Some(i) => i,
            None => {
                hits.push(empty_hit(sdk));
                hits.sort_by(|a, b| a.id.cmp(&b.id));
                match hits.iter().position(|h| h.id == sdk.id) {
                    Some(i) => i,
                    None => continue,
                }
            }
        };
        let h = &mut hits[at];
        h.auto_init = true;
        if !h.startup_initializers.contains(init) {
            h.startup_initializers.push(init.clone());
            h.startup_initializers.sort();
            h.evidence.push(format!(
                "androidx.startup initializer {init} in the manifest"
            ));
        }
    }
}

fn sdk_hits(catalog: &SdkCatalog, mut g: Gathered, components: &[Component]) -> Vec<SdkHit> {
    let mut auto_init: BTreeSet<String> = BTreeSet::new();
    for c in components {
        let Some((sdk, _)) = catalog.sdk_of_component(&c.name) else {
            continue;
        };
        // A component counts as the SDK's own only when the catalogue lists it; one that merely
        // lies under its package (an app's subclass, a same-named package) is named, not proof.
        let listed = sdk.components.contains(&c.name);
        let s = g.signals(&sdk.id);
        if listed && !s.components.contains(&c.name) {
            s.components.push(c.name.clone());
        }
        if c.auto_init {
            auto_init.insert(sdk.id.clone());
        }
    }
    let mut hits = Vec::new();
    for (id, mut signals) in g.by_sdk {
        let Some(sdk) = catalog.get(&id) else {
            continue;
        };
        for v in [
            &mut signals.entry_points,
            &mut signals.components,
            &mut signals.files,
            &mut signals.meta_data,
        ] {
            v.sort();
            v.dedup();
        }
        let packages: Vec<String> = g
            .prefixes
            .remove(&id)
            .map(|p| p.into_iter().collect())
            .unwrap_or_default();
        let any_component = components.iter().any(|c| {
            catalog
                .sdk_of_component(&c.name)
                .is_some_and(|(s, _)| s.id == id)
        });
        let confidence = match sdk.confidence(&signals) {
            Some(c) => c,
            // Only a component under its package that the catalogue does not list.
            None if any_component => Confidence::Likely,
            None => continue,
        };
        let mut h = empty_hit(sdk);
        h.confidence = confidence;
        h.evidence = evidence(sdk, &signals, &packages, any_component);
        h.classes = signals.defined;
        h.referenced = signals.referenced;
        h.packages = packages;
        h.entry_points = signals.entry_points;
        h.components = components
            .iter()
            .filter(|c| {
                catalog
                    .sdk_of_component(&c.name)
                    .is_some_and(|(s, _)| s.id == id)
            })
            .map(|c| c.name.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        h.files = signals.files;
        h.meta_data = signals.meta_data;
        h.auto_init = auto_init.contains(&id);
        hits.push(h);
    }
    hits
}

/// The evidence of one SDK in words, strongest first.
fn evidence(
    sdk: &SdkEntry,
    s: &SdkSignals,
    packages: &[String],
    any_component: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    for e in &s.entry_points {
        out.push(format!("entry point {e} defined"));
    }
    for c in &s.components {
        out.push(format!("component {c} declared"));
    }
    for f in &s.files {
        out.push(format!("file {f}"));
    }
    for m in &s.meta_data {
        out.push(format!("meta-data {m}"));
    }
    if s.defined > 0 {
        out.push(format!(
            "{} class{} defined under {}",
            s.defined,
            if s.defined == 1 { "" } else { "es" },
            packages.join(", ")
        ));
    }
    if s.referenced > 0 {
        out.push(format!(
            "{} type{} under its packages referenced, defined by no dex",
            s.referenced,
            if s.referenced == 1 { "" } else { "s" }
        ));
    }
    if any_component && s.components.is_empty() {
        out.push("a manifest component under its packages".to_owned());
    }
    if s.entry_points.is_empty()
        && s.components.is_empty()
        && s.files.is_empty()
        && s.meta_data.is_empty()
    {
        let mut wanted: Vec<&str> = Vec::new();
        wanted.extend(sdk.entry_points.iter().map(String::as_str));
        wanted.extend(sdk.components.iter().map(String::as_str));
        wanted.extend(sdk.files.iter().map(String::as_str));
        wanted.extend(sdk.meta_data.iter().map(String::as_str));
        if !sdk.entry_points.is_empty() {
            out.push(format!(
                "none of its entry points, components, files or meta-data keys is present ({})",
                wanted.join(", ")
            ));
        } else if sdk.has_strong_signature() {
            out.push(format!(
                "its listed components, files or meta-data keys are absent ({}), which an app may \
                 remove; the catalogue lists no entry point to refute it",
                wanted.join(", ")
            ));
        } else if s.defined > 0 {
            out.push(
                "the catalogue lists no entry point, component, file or meta-data key to confirm it"
                    .to_owned(),
            );
        }
    }
    out
}

fn empty_hit(sdk: &SdkEntry) -> SdkHit {
    SdkHit {
        id: sdk.id.clone(),
        name: sdk.name.clone(),
        vendor: sdk.vendor.clone(),
        category: sdk.category.clone(),
        confidence: Confidence::ReferencedOnly,
        evidence: Vec::new(),
        classes: 0,
        referenced: 0,
        packages: Vec::new(),
        entry_points: Vec::new(),
        components: Vec::new(),
        files: Vec::new(),
        meta_data: Vec::new(),
        auto_init: false,
        startup_initializers: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::PathBuf;
    use std::process::Command;

    fn fixture() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/apks/app-uiautomator.apk")
    }

    /// The class descriptors `dexdump` (Debian's package `dexdump`) lists for a dex file.
    fn dexdump_classes(dex: &Path) -> Vec<String> {
        let out = Command::new("dexdump")
            .arg(dex)
            .output()
            .expect("run dexdump");
        assert!(out.status.success(), "dexdump failed: {:?}", out.status);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                l.trim_start()
                    .strip_prefix("Class descriptor  : '")?
                    .strip_suffix('\'')
                    .map(str::to_owned)
            })
            .collect()
    }

    #[test]
    fn real_apk_classes_and_sdks_match_dexdump() {
        prior_testkit::require_tool!("dexdump");
        let cat = SdkCatalog::builtin().unwrap();
        let inv = Inventory::read(&fixture(), &cat).unwrap();
        assert_eq!(inv.package, "com.github.uiautomator");
        assert_eq!(inv.dex.len(), 1);
        let apk = apk_info::Apk::new(fixture()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut all_ours = BTreeSet::new();
        let mut all_theirs = BTreeSet::new();
        for d in &inv.dex {
            assert!(d.error.is_none(), "{d:?}");
            let (data, _) = apk.read(&d.entry).unwrap();
            let path = dir.path().join(&d.entry);
            std::fs::write(&path, &data).unwrap();
            let theirs = dexdump_classes(&path);
            let dex = DexFile::parse(&data).unwrap();
            assert!(dex.checksum_ok);
            let ours: Vec<String> = dex
                .class_defs
                .iter()
                .map(|&i| dex.types[i as usize].clone())
                .collect();
            // Same classes, same order (dexdump walks class_defs in table order).
            assert_eq!(ours.len(), theirs.len());
            assert_eq!(ours, theirs);
            assert_eq!(d.classes, theirs.len());
            all_ours.extend(dex.defined_classes());
            all_theirs.extend(
                theirs
                    .iter()
                    .filter_map(|t| crate::dex::descriptor_to_java(t)),
            );
        }
        assert!(all_theirs.len() > 1000, "{} classes", all_theirs.len());
        assert_eq!(all_ours, all_theirs);
        // The SDK list from dexdump's classes equals the inventory's (class-based hits).
        let mut from_dexdump: BTreeMap<String, usize> = BTreeMap::new();
        for c in &all_theirs {
            if let Some((s, _)) = cat.sdk_of_class(c) {
                *from_dexdump.entry(s.id.clone()).or_default() += 1;
            }
        }
        let from_inventory: BTreeMap<String, usize> = inv
            .sdks
            .iter()
            .filter(|s| s.classes > 0)
            .map(|s| (s.id.clone(), s.classes))
            .collect();
        assert_eq!(from_inventory, from_dexdump);

        // The built-in catalogue knows none of this app's libraries, so check the same path with
        // a catalogue that does, nested prefixes included (okhttp3.internal.http2 inside okhttp3).
        let custom = SdkCatalog::from_toml(
            r#"
name = "t"
version = "1"
[[sdk]]
id = "okhttp"
name = "OkHttp"
vendor = "Square"
category = "other"
packages = ["okhttp3"]
source = "test"
[[sdk]]
id = "okhttp-http2"
name = "OkHttp HTTP/2"
vendor = "Square"
category = "other"
packages = ["okhttp3.internal.http2"]
source = "test"
[[sdk]]
id = "nanohttpd"
name = "NanoHTTPD"
vendor = "NanoHTTPD"
category = "other"
packages = ["fi.iki.elonen"]
source = "test"
[[sdk]]
id = "androidx-core"
name = "AndroidX Core"
vendor = "Google"
category = "other"
packages = ["androidx.core"]
source = "test"
"#,
            "test",
        )
        .unwrap();
        let inv = Inventory::read(&fixture(), &custom).unwrap();
        let mut from_dexdump: BTreeMap<String, usize> = BTreeMap::new();
        for c in &all_theirs {
            if let Some((s, _)) = custom.sdk_of_class(c) {
                *from_dexdump.entry(s.id.clone()).or_default() += 1;
            }
        }
        let from_inventory: BTreeMap<String, usize> =
            inv.sdks.iter().map(|s| (s.id.clone(), s.classes)).collect();
        assert_eq!(from_inventory.len(), 4, "{from_inventory:?}");
        assert_eq!(from_inventory, from_dexdump);
        let http2 = all_theirs
            .iter()
            .filter(|c| c.starts_with("okhttp3.internal.http2."))
            .count();
        assert_eq!(from_inventory["okhttp-http2"], http2);
    }

    /// Issue 16, item 4, on the real Appium Settings APK (tests/data/apks/SOURCES.md): Play
    /// services' base and basement libraries define three Firebase exception classes and twelve
    /// Google Sign-In option/account types, yet neither SDK is embedded (no FirebaseApp, no
    /// GoogleSignIn/GoogleSignInClient, no SignInHubActivity, no play-services-auth marker);
    /// Play services location is (LocationServices defined, play-services-location.properties).
    #[test]
    fn appium_settings_sdk_confidence_matches_its_evidence() {
        let apk = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/data/apks/appium-settings.apk");
        let inv = Inventory::read(&apk, &SdkCatalog::builtin().unwrap()).unwrap();
        assert_eq!(inv.package, "io.appium.settings");
        let hit = |id: &str| {
            inv.sdks
                .iter()
                .find(|h| h.id == id)
                .unwrap_or_else(|| panic!("{id} not listed: {:?}", inv.sdks))
        };
        let firebase = hit("firebase-core");
        assert_eq!(firebase.confidence, Confidence::ReferencedOnly);
        assert_eq!(firebase.classes, 3);
        assert!(firebase.entry_points.is_empty() && firebase.components.is_empty());
        assert!(
            firebase
                .evidence
                .iter()
                .any(|e| e.contains("none of its entry points")
                    && e.contains("com.google.firebase.FirebaseApp")),
            "{:?}",
            firebase.evidence
        );
        let signin = hit("google-signin");
        assert_eq!(signin.confidence, Confidence::ReferencedOnly);
        assert_eq!(signin.classes, 12);
        let location = hit("google-location");
        assert_eq!(location.confidence, Confidence::Embedded);
        assert_eq!(location.classes, 99);
        assert_eq!(location.files, ["play-services-location.properties"]);
        assert_eq!(
            location.entry_points,
            [
                "com.google.android.gms.location.FusedLocationProviderClient",
                "com.google.android.gms.location.LocationServices"
            ]
        );
        // Text and JSON both carry the confidence and the evidence.
        let text = inv.to_text();
        let line = text
            .lines()
            .position(|l| l.contains("Firebase (core") && l.contains("referenced-only"))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(
            text.lines()
                .nth(line + 1)
                .is_some_and(|l| l.trim_start().starts_with("evidence: 3 classes defined")),
            "{text}"
        );
        let json = serde_json::to_value(&inv).unwrap();
        let loc = json["sdks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "google-location")
            .unwrap();
        assert_eq!(loc["confidence"], "embedded");
        assert_eq!(
            loc["evidence"][0],
            "entry point com.google.android.gms.location.FusedLocationProviderClient defined"
        );
    }

    /// A meta-data key decides "embedded" on its own: the Appium Settings manifest carries
    /// `com.google.android.gms.version` (merged from play-services-basement); a catalogue entry
    /// naming it and a package the APK has no class under is embedded by that key alone.
    #[test]
    fn manifest_meta_data_key_is_evidence() {
        let apk = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/data/apks/appium-settings.apk");
        let cat = SdkCatalog::from_toml(
            r#"
name = "t"
version = "1"
[[sdk]]
id = "gms-basement"
name = "Play services basement"
vendor = "Google"
category = "other"
packages = ["com.example.nothing.here"]
meta_data = ["com.google.android.gms.version"]
source = "test"
[[sdk]]
id = "absent"
name = "Absent"
vendor = "V"
category = "other"
packages = ["com.example.absent"]
meta_data = ["com.example.absent.KEY"]
files = ["assets/absent.bin"]
source = "test"
"#,
            "test",
        )
        .unwrap();
        let inv = Inventory::read(&apk, &cat).unwrap();
        let ids: Vec<(&str, Confidence)> = inv
            .sdks
            .iter()
            .map(|h| (h.id.as_str(), h.confidence))
            .collect();
        assert_eq!(ids, [("gms-basement", Confidence::Embedded)]);
        assert_eq!(inv.sdks[0].meta_data, ["com.google.android.gms.version"]);
        assert_eq!(
            inv.sdks[0].evidence,
            ["meta-data com.google.android.gms.version"]
        );
        assert_eq!(inv.sdks[0].classes, 0);
    }

    #[test]
    fn real_apk_manifest_facts() {
        let cat = SdkCatalog::builtin().unwrap();
        let inv = Inventory::read(&fixture(), &cat).unwrap();
        assert_eq!(
            inv.sha256,
            "6f85594700ad96de89d012b3767049c2c6988510b68b31b439dd2a6dd93a30c9"
        );
        assert!(!inv.signing.certificates.is_empty(), "{:?}", inv.signing);
        assert!(
            inv.signing
                .certificates
                .iter()
                .all(|c| c.sha256.len() == 64)
        );
        assert!(
            inv.permissions
                .iter()
                .any(|p| p.name == "android.permission.INTERNET" && !p.dangerous)
        );
        assert!(!inv.components.is_empty());
        // Every provider enabled is auto-init; no non-provider is.
        for c in &inv.components {
            assert_eq!(c.auto_init, c.kind == "provider" && c.enabled, "{c:?}");
        }
        let text = inv.to_text();
        assert!(text.contains("com.github.uiautomator"));
        let json = serde_json::to_value(&inv).unwrap();
        assert_eq!(json["package"], "com.github.uiautomator");
    }

    fn component(kind: &'static str, name: &str) -> Component {
        Component {
            kind,
            name: name.to_owned(),
            name_declared: name.to_owned(),
            exported_declared: None,
            exported: false,
            exported_basis: ExportedBasis::DefaultNoIntentFilter,
            exported_required_missing: false,
            intent_filter: false,
            target_activity: None,
            enabled: true,
            process: None,
            authorities: None,
            auto_init: kind == "provider",
            sdk: None,
        }
    }

    #[test]
    fn sdks_from_dex_classes_and_manifest_components() {
        let cat = SdkCatalog::builtin().unwrap();
        let mut counts = Gathered::default();
        counts.signals("tencent-beacon").defined = 40;
        counts
            .prefixes
            .entry("tencent-beacon".into())
            .or_default()
            .insert("com.tencent.beacon".into());
        let comps = [
            component(
                "provider",
                "com.google.firebase.provider.FirebaseInitProvider",
            ),
            component("service", "cn.jpush.android.service.PushService"),
            component("activity", "com.example.MainActivity"),
        ];
        let hits = sdk_hits(&cat, counts, &comps);
        let ids: Vec<(&str, usize, bool)> = hits
            .iter()
            .map(|h| (h.id.as_str(), h.classes, h.auto_init))
            .collect();
        assert_eq!(
            ids,
            [
                ("firebase-core", 0, true),
                ("jpush", 0, false),
                ("tencent-beacon", 40, false)
            ]
        );
        assert_eq!(hits[1].components, ["cn.jpush.android.service.PushService"]);
        // Listed components decide "embedded"; classes alone, with no stronger signature in the
        // catalogue to check, are "likely".
        let conf: Vec<Confidence> = hits.iter().map(|h| h.confidence).collect();
        assert_eq!(
            conf,
            [
                Confidence::Embedded,
                Confidence::Embedded,
                Confidence::Likely
            ]
        );
    }

    #[test]
    fn dex_entries_follow_android_multidex_names() {
        // classes.dex, classes2.dex … only; `classes1.dex` and `classesX.dex` are not loaded.
        let names = [
            "classes2.dex",
            "classes.dex",
            "classes10.dex",
            "classes1.dex",
            "classesX.dex",
            "a/classes3.dex",
        ];
        let mut v: Vec<(u32, &str)> = names
            .iter()
            .filter_map(|n| dex_index(n).map(|k| (k, *n)))
            .collect();
        v.sort();
        assert_eq!(
            v,
            [
                (1, "classes.dex"),
                (2, "classes2.dex"),
                (10, "classes10.dex")
            ]
        );
    }

    use prior_testkit::zip::crc32;

    /// A minimal STORED zip (PKWARE APPNOTE 4.3: local headers, central directory, EOCD).
    fn zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data) in entries {
            let off = out.len() as u32;
            let (crc, n) = (crc32(data), data.len() as u32);
            let mut h = Vec::new();
            h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
            h.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&n.to_le_bytes());
            h.extend_from_slice(&n.to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(&h);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);
            central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend_from_slice(&crc.to_le_bytes());
            central.extend_from_slice(&n.to_le_bytes());
            central.extend_from_slice(&n.to_le_bytes());
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0u8; 12]);
            central.extend_from_slice(&off.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let cd_off = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        out.extend_from_slice(&[0u8; 4]);
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_off.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    #[test]
    fn corrupt_and_truncated_dex_entries_are_reported_not_fatal() {
        let apk = apk_info::Apk::new(fixture()).unwrap();
        let mut entries: Vec<(String, Vec<u8>)> = apk
            .namelist()
            .filter(|n| !n.starts_with("META-INF/"))
            .map(|n| (n.to_owned(), apk.read(n).unwrap().0))
            .collect();
        let good = entries
            .iter()
            .find(|(n, _)| n == "classes.dex")
            .unwrap()
            .1
            .clone();
        entries.push(("classes2.dex".into(), good[..good.len() / 3].to_vec()));
        entries.push(("classes3.dex".into(), b"dex\n035\0 too short".to_vec()));
        let mut bad_magic = good.clone();
        bad_magic[..4].copy_from_slice(b"zip\n");
        entries.push(("classes4.dex".into(), bad_magic));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mixed.apk");
        std::fs::write(&path, zip(&entries)).unwrap();
        let inv = Inventory::read(&path, &SdkCatalog::builtin().unwrap()).unwrap();
        let got: Vec<(&str, usize, Option<&str>)> = inv
            .dex
            .iter()
            .map(|d| (d.entry.as_str(), d.classes, d.error.as_deref()))
            .collect();
        assert_eq!(got[0], ("classes.dex", 1714, None));
        assert!(
            got[1]
                .2
                .is_some_and(|e| e.contains("overrun") || e.contains("string")),
            "{got:?}"
        );
        assert!(
            got[2].2.is_some_and(|e| e.contains("112-byte header")),
            "{got:?}"
        );
        assert!(got[3].2.is_some_and(|e| e.contains("bad magic")), "{got:?}");
        assert!(inv.signing.certificates.is_empty());
        assert!(inv.to_text().contains("classes2.dex: unreadable: "));
    }

    #[test]
    fn text_output_escapes_terminal_controls() {
        assert_eq!(
            terminal_safe("a\u{1b}[31mb\nc\r\u{202e}"),
            "a\\u{1b}[31mb\nc\\u{d}\\u{202e}"
        );
    }

    #[test]
    fn not_an_apk_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.apk");
        std::fs::write(&p, b"not a zip at all").unwrap();
        let e = Inventory::read(&p, &SdkCatalog::builtin().unwrap()).unwrap_err();
        assert!(e.to_string().starts_with("read APK"), "{e}");
        let e = Inventory::read(
            &dir.path().join("missing.apk"),
            &SdkCatalog::builtin().unwrap(),
        )
        .unwrap_err();
        assert!(matches!(e, InventoryError::Io { .. }), "{e}");
    }
}
