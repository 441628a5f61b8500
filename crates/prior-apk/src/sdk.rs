//! The SDK catalogue: which third-party SDK a Java class, a manifest component, a log tag or a
//! network host belongs to.
//!
//! The built-in catalogue is `data/sdks.toml` (embedded); `SdkCatalog::from_file` loads a
//! complete replacement in the same format. docs/sdks.md describes the format and the rules.
//!
//! Matching rules (chosen here, documented in docs/sdks.md):
//! * **classes** — a package prefix matches the package itself and its sub-packages, on
//!   `.` boundaries (`com.umeng` matches `com.umeng.commonsdk.UMConfigure`, not
//!   `com.umengx.A`). The **longest** matching prefix wins, so an SDK bundled inside another
//!   (e.g. `com.umeng.umcrash` inside `com.umeng`) is named as the inner one.
//! * **components** — an exact class-name match on an entry's `components` first, else the
//!   class rule above.
//! * **log tags** — exact, case-sensitive.
//! * **hosts** — the host itself or any subdomain, on label boundaries, case-insensitive,
//!   longest listed host wins.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

const BUILTIN: &str = include_str!("../data/sdks.toml");

/// The categories an SDK may have.
pub const CATEGORIES: &[&str] = &[
    "ads",
    "analytics",
    "crash-reporting",
    "location",
    "payments",
    "push",
    "social",
    "attribution",
    "customer-support",
    "security",
    "other",
];

/// Errors loading a catalogue. Messages read after "failed to …".
#[derive(Debug, thiserror::Error)]
pub enum SdkCatalogError {
    /// The file could not be read.
    #[error("read the SDK catalogue: {0}")]
    Read(std::io::Error),
    /// Not valid TOML for a catalogue.
    #[error("parse SDK catalogue {origin}: {message}")]
    Parse {
        /// Where it came from.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// An entry is invalid.
    #[error("load SDK catalogue {origin}: sdk {id:?}: {message}")]
    Invalid {
        /// Where it came from.
        origin: String,
        /// The entry's id.
        id: String,
        /// What is wrong.
        message: String,
    },
}

/// One SDK.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SdkEntry {
    /// Stable identifier (`umeng-common`).
    pub id: String,
    /// Display name (`Umeng`).
    pub name: String,
    /// Who publishes it.
    pub vendor: String,
    /// One of [`CATEGORIES`].
    pub category: String,
    /// Java package prefixes of its code (no trailing dot).
    #[serde(default)]
    pub packages: Vec<String>,
    /// Manifest components it declares (content providers, services, receivers), full class
    /// names; providers here auto-initialise the SDK before `Application.onCreate`.
    #[serde(default)]
    pub components: Vec<String>,
    /// Logcat tags it writes under.
    #[serde(default)]
    pub log_tags: Vec<String>,
    /// Network hosts (a host matches itself and its subdomains).
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Classes whose **definition** in a dex file proves the SDK is embedded: its entry points
    /// (`com.google.firebase.FirebaseApp`), which no other library ships. Types under
    /// `packages` that other libraries define or merely reference do not count.
    #[serde(default)]
    pub entry_points: Vec<String>,
    /// Files of the APK (zip entry names, exact) that the SDK's own library ships: Maven
    /// marker files (`META-INF/<group>_<artifact>.version`, `play-services-location.properties`)
    /// or assets. One present proves the library was packaged.
    #[serde(default)]
    pub files: Vec<String>,
    /// `<meta-data android:name>` keys of the manifest that only the SDK's library declares
    /// (`com.google.firebase.components:…` registrars, merged from its AAR manifest).
    #[serde(default)]
    pub meta_data: Vec<String>,
    /// Where the facts come from (a vendor documentation page or a public list).
    pub source: String,
    /// A carrier library (issue 14): code many SDKs call through (Google's advertising-ID
    /// client, HTTP and JSON libraries). Attribution looks past its frames to the nearest
    /// non-carrier caller and keeps the carrier as evidence.
    #[serde(default)]
    pub carrier: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    name: String,
    version: String,
    #[serde(default)]
    sdk: Vec<SdkEntry>,
}

/// How sure a static inventory is that an SDK is embedded (docs/sdks.md, "Confidence").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    /// Only types under its packages: referenced, or defined by another library (a shared
    /// exception or options class), while its entry points, components, marker files and
    /// meta-data keys are all absent.
    ReferencedOnly,
    /// Classes under its packages are defined, and the catalogue lists no stronger signature
    /// to confirm or refute it.
    Likely,
    /// Decided by evidence that the SDK itself is there: a defined entry-point class, one of
    /// its manifest components, a marker file or asset it ships, or its meta-data key.
    Embedded,
}

impl Confidence {
    /// The word used in text and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::ReferencedOnly => "referenced-only",
            Confidence::Likely => "likely",
            Confidence::Embedded => "embedded",
        }
    }
}

/// What an APK shows of one SDK, before it is judged ([`SdkEntry::confidence`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SdkSignals {
    /// Classes defined (`class_defs`) under its packages.
    pub defined: usize,
    /// Types under its packages referenced but defined by no dex of the APK.
    pub referenced: usize,
    /// Its entry points that are defined.
    pub entry_points: Vec<String>,
    /// Its manifest components declared.
    pub components: Vec<String>,
    /// Its files present in the zip.
    pub files: Vec<String>,
    /// Its meta-data keys in the manifest.
    pub meta_data: Vec<String>,
}

impl SdkEntry {
    /// Whether the catalogue lists any signature stronger than a package prefix.
    pub fn has_strong_signature(&self) -> bool {
        !(self.entry_points.is_empty()
            && self.components.is_empty()
            && self.files.is_empty()
            && self.meta_data.is_empty())
    }

    /// The confidence `signals` give (docs/sdks.md, "Confidence"): embedded on any strong
    /// signal; else likely when classes are defined and the entry lists no entry point whose
    /// absence refutes it (an absent component, marker file or meta-data key does not: apps
    /// remove providers with `tools:node="remove"` and strip `META-INF` markers when packaging);
    /// else referenced only (`None` when nothing matched).
    pub fn confidence(&self, signals: &SdkSignals) -> Option<Confidence> {
        if !(signals.entry_points.is_empty()
            && signals.components.is_empty()
            && signals.files.is_empty()
            && signals.meta_data.is_empty())
        {
            return Some(Confidence::Embedded);
        }
        if signals.defined > 0 && self.entry_points.is_empty() {
            return Some(Confidence::Likely);
        }
        (signals.defined + signals.referenced > 0).then_some(Confidence::ReferencedOnly)
    }
}

/// What matched an SDK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// A package prefix.
    Package,
    /// A listed component.
    Component,
    /// A log tag.
    LogTag,
    /// A host.
    Host,
}

/// The SDK catalogue with its lookup indices.
#[derive(Debug, Clone)]
pub struct SdkCatalog {
    /// Catalogue name.
    pub name: String,
    /// Catalogue version.
    pub version: String,
    /// Where it was loaded from (`built-in` or a path).
    pub origin: String,
    /// Entries, sorted by id.
    pub sdks: Vec<SdkEntry>,
    by_package: HashMap<String, usize>,
    by_component: HashMap<String, usize>,
    by_tag: HashMap<String, usize>,
    by_host: HashMap<String, usize>,
    by_file: HashMap<String, usize>,
    by_meta_data: HashMap<String, usize>,
    /// The longest package prefix (bytes): [`SdkCatalog::sdk_of_class`] looks no further into a
    /// name, so a hostile 4 KiB class name of single-letter packages costs a few lookups, not
    /// thousands of hashes of ever longer prefixes.
    max_package_len: usize,
}

impl SdkCatalog {
    /// The embedded catalogue.
    pub fn builtin() -> Result<SdkCatalog, SdkCatalogError> {
        SdkCatalog::from_toml(BUILTIN, "built-in")
    }

    /// A complete catalogue from a file.
    pub fn from_file(path: &Path) -> Result<SdkCatalog, SdkCatalogError> {
        let text = fs_err::read_to_string(path).map_err(SdkCatalogError::Read)?;
        SdkCatalog::from_toml(&text, &path.display().to_string())
    }

    /// Parses and validates catalogue text.
    pub fn from_toml(text: &str, origin: &str) -> Result<SdkCatalog, SdkCatalogError> {
        let file: CatalogFile = toml::from_str(text).map_err(|e| SdkCatalogError::Parse {
            origin: origin.to_owned(),
            message: e.to_string(),
        })?;
        let mut sdks = file.sdk;
        sdks.sort_by(|a, b| a.id.cmp(&b.id));
        let mut cat = SdkCatalog {
            name: file.name,
            version: file.version,
            origin: origin.to_owned(),
            sdks: Vec::new(),
            by_package: HashMap::new(),
            by_component: HashMap::new(),
            by_tag: HashMap::new(),
            by_host: HashMap::new(),
            by_file: HashMap::new(),
            by_meta_data: HashMap::new(),
            max_package_len: 0,
        };
        for s in sdks.iter_mut() {
            let id = s.id.clone();
            let invalid = |message: String| SdkCatalogError::Invalid {
                origin: origin.to_owned(),
                id: id.clone(),
                message,
            };
            if s.id.is_empty() || s.name.is_empty() || s.vendor.is_empty() {
                return Err(invalid("id, name and vendor must not be empty".into()));
            }
            if !CATEGORIES.contains(&s.category.as_str()) {
                return Err(invalid(format!(
                    "category {:?} is not one of {}",
                    s.category,
                    CATEGORIES.join(", ")
                )));
            }
            if s.source.trim().is_empty() {
                return Err(invalid("has no source".into()));
            }
            if s.packages.is_empty() && s.hosts.is_empty() && s.components.is_empty() {
                return Err(invalid(
                    "names no package, component or host to recognise it by".into(),
                ));
            }
            for p in &mut s.packages {
                let trimmed = p.trim_end_matches('.').to_owned();
                if trimmed.is_empty()
                    || !trimmed
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '$')
                {
                    return Err(invalid(format!(
                        "package prefix {p:?} is not a Java package"
                    )));
                }
                *p = trimmed;
            }
            for e in &s.entry_points {
                let covered = s.packages.iter().any(|p| {
                    e.strip_prefix(p.as_str())
                        .is_some_and(|r| r.starts_with('.'))
                });
                if !covered || !is_java_name(e) {
                    return Err(invalid(format!(
                        "entry point {e:?} is not a class under one of its packages"
                    )));
                }
            }
            for f in &s.files {
                if f.is_empty() || f.starts_with('/') || f.contains("..") || f.contains('\\') {
                    return Err(invalid(format!("file {f:?} is not a path inside an APK")));
                }
            }
            for m in &s.meta_data {
                if m.trim().is_empty() {
                    return Err(invalid("has an empty meta_data key".into()));
                }
            }
            for h in &mut s.hosts {
                let lower = h.trim_end_matches('.').to_ascii_lowercase();
                if lower.is_empty()
                    || !lower
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
                {
                    return Err(invalid(format!("host {h:?} is not a DNS name")));
                }
                *h = lower;
            }
        }
        for (i, s) in sdks.iter().enumerate() {
            let invalid = |message: String| SdkCatalogError::Invalid {
                origin: origin.to_owned(),
                id: s.id.clone(),
                message,
            };
            if sdks[..i].iter().any(|o| o.id == s.id) {
                return Err(invalid("duplicate id".into()));
            }
            for (map, keys, what) in [
                (&mut cat.by_package, &s.packages, "package prefix"),
                (&mut cat.by_component, &s.components, "component"),
                (&mut cat.by_tag, &s.log_tags, "log tag"),
                (&mut cat.by_host, &s.hosts, "host"),
                (&mut cat.by_file, &s.files, "file"),
                (&mut cat.by_meta_data, &s.meta_data, "meta-data key"),
            ] {
                for k in keys {
                    if let Some(&other) = map.get(k)
                        && other != i
                    {
                        let other = sdks.get(other).map(|o| o.id.as_str()).unwrap_or("?");
                        return Err(invalid(format!(
                            "{what} {k:?} is also listed by sdk {other:?}"
                        )));
                    }
                    map.insert(k.clone(), i);
                }
            }
        }
        cat.max_package_len = sdks
            .iter()
            .flat_map(|s| s.packages.iter().map(String::len))
            .max()
            .unwrap_or(0);
        cat.sdks = sdks;
        Ok(cat)
    }

    /// The SDK whose package prefix is the longest one covering `class` (a Java class name,
    /// `com.umeng.commonsdk.UMConfigure`, inner classes `A$B` included).
    pub fn sdk_of_class(&self, class: &str) -> Option<(&SdkEntry, &str)> {
        let mut end = class.len();
        if end > self.max_package_len {
            // No prefix is longer: start at the last `.` that could end one (`.` is ASCII, so
            // its index is a character boundary).
            end = class
                .as_bytes()
                .get(..=self.max_package_len)?
                .iter()
                .rposition(|&b| b == b'.')?;
        }
        loop {
            let candidate = &class[..end];
            if let Some(&i) = self.by_package.get(candidate) {
                let s = self.sdks.get(i)?;
                let p = s.packages.iter().find(|p| p.as_str() == candidate)?;
                return Some((s, p.as_str()));
            }
            end = candidate.rfind('.')?;
        }
    }

    /// The SDK a manifest component belongs to: a listed component, else by its class name.
    pub fn sdk_of_component(&self, class: &str) -> Option<(&SdkEntry, MatchKind)> {
        if let Some(&i) = self.by_component.get(class) {
            return self.sdks.get(i).map(|s| (s, MatchKind::Component));
        }
        self.sdk_of_class(class)
            .map(|(s, _)| (s, MatchKind::Package))
    }

    /// The SDK shipping the APK file `name` (a zip entry name, exact).
    pub fn sdk_of_file(&self, name: &str) -> Option<&SdkEntry> {
        self.by_file.get(name).and_then(|&i| self.sdks.get(i))
    }

    /// The SDK declaring the manifest `<meta-data android:name>` `key` (exact).
    pub fn sdk_of_meta_data(&self, key: &str) -> Option<&SdkEntry> {
        self.by_meta_data.get(key).and_then(|&i| self.sdks.get(i))
    }

    /// The SDK writing under log tag `tag` (exact).
    pub fn sdk_of_log_tag(&self, tag: &str) -> Option<&SdkEntry> {
        self.by_tag.get(tag).and_then(|&i| self.sdks.get(i))
    }

    /// The SDK owning `host` (itself or a parent domain listed), with the listed host.
    pub fn sdk_of_host(&self, host: &str) -> Option<(&SdkEntry, &str)> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let mut rest = host.as_str();
        loop {
            if let Some(&i) = self.by_host.get(rest) {
                let s = self.sdks.get(i)?;
                let h = s.hosts.iter().find(|h| h.as_str() == rest)?;
                return Some((s, h.as_str()));
            }
            let dot = rest.find('.')?;
            rest = &rest[dot + 1..];
        }
    }

    /// The catalogue as a Markdown table (docs/sdks.md's generated section).
    pub fn to_markdown(&self) -> String {
        let cell = |v: &[String]| {
            if v.is_empty() {
                String::new()
            } else {
                v.iter()
                    .map(|x| format!("`{}`", x.replace('|', "\\|")))
                    .collect::<Vec<_>>()
                    .join(" ")
            }
        };
        let mut o = format!(
            "{} SDKs (catalogue `{}` version {}).\n\n| SDK | vendor | category | packages | components | entry points, files, meta-data | log tags | hosts | source |\n|---|---|---|---|---|---|---|---|---|\n",
            self.sdks.len(),
            self.name,
            self.version
        );
        for s in &self.sdks {
            o.push_str(&format!(
                "| {} (`{}`){} | {} | {} | {} | {} | {} | {} | {} | {} |
",
                s.name.replace('|', "\\|"),
                s.id,
                if s.carrier { " — carrier" } else { "" },
                s.vendor.replace('|', "\\|"),
                s.category,
                cell(&s.packages),
                cell(&s.components),
                cell(&[&s.entry_points[..], &s.files[..], &s.meta_data[..]].concat()),
                cell(&s.log_tags),
                cell(&s.hosts),
                source_markdown(&s.source)
            ));
        }
        o
    }

    /// An entry by id.
    pub fn get(&self, id: &str) -> Option<&SdkEntry> {
        self.sdks
            .binary_search_by(|s| s.id.as_str().cmp(id))
            .ok()
            .and_then(|i| self.sdks.get(i))
    }
}

fn is_java_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '$')
}

/// A `source` as Markdown: each `http(s)://` word becomes an autolink (trailing `;`, `,` or `)`
/// stay outside it), the rest stays text; `|` is escaped for the table.
fn source_markdown(source: &str) -> String {
    source
        .split(' ')
        .map(|word| {
            let url = word.trim_end_matches([';', ',', ')']);
            if url.starts_with("https://") || url.starts_with("http://") {
                format!("<{url}>{}", &word[url.len()..])
            } else {
                word.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_loads_with_at_least_150_sourced_entries() {
        let c = SdkCatalog::builtin().unwrap();
        assert!(c.sdks.len() >= 150, "{} entries", c.sdks.len());
        assert!(c.sdks.iter().all(|s| s.source.starts_with("https://")));
        for cat in [
            "ads",
            "analytics",
            "push",
            "crash-reporting",
            "payments",
            "location",
            "social",
        ] {
            assert!(c.sdks.iter().any(|s| s.category == cat), "no {cat} SDK");
        }
    }

    /// Every built-in entry says whether it was checked against the Exodus Privacy tracker
    /// list (docs/sdks.md, "Verification"), and an entry that was names the tracker's page.
    #[test]
    fn builtin_sources_say_how_they_were_checked() {
        let c = SdkCatalog::builtin().unwrap();
        for s in &c.sdks {
            let checked = s.source.contains("Exodus Privacy tracker #")
                || s.source.contains("Exodus Privacy trackers #")
                || s.source.contains("covered by Exodus Privacy tracker #");
            let unverified = s.source.contains("not in the Exodus Privacy tracker list");
            assert!(checked != unverified, "{}: {}", s.id, s.source);
            if checked {
                assert!(
                    s.source
                        .starts_with("https://reports.exodus-privacy.eu.org/en/trackers/"),
                    "{}: {}",
                    s.id,
                    s.source
                );
            }
        }
    }

    #[test]
    fn sources_render_their_urls_as_links() {
        assert_eq!(
            source_markdown(
                "https://a.example/1/ — tracker #1 (A), checked; vendor: https://b.example/x|y"
            ),
            "<https://a.example/1/> — tracker #1 (A), checked; vendor: <https://b.example/x\\|y>"
        );
        assert_eq!(
            source_markdown("https://a.example/;"),
            "<https://a.example/>;"
        );
        assert_eq!(source_markdown("plain text"), "plain text");
    }

    #[test]
    fn classes_match_on_package_boundaries_longest_first() {
        let c = SdkCatalog::builtin().unwrap();
        let (s, p) = c.sdk_of_class("com.umeng.commonsdk.UMConfigure$1").unwrap();
        assert_eq!((s.name.as_str(), p), ("Umeng", "com.umeng"));
        assert!(c.sdk_of_class("com.umengx.A").is_none());
        assert!(c.sdk_of_class("com.example.App").is_none());
        // Nested: Umeng's crash SDK lives under com.umeng but is its own entry.
        let (inner, _) = c.sdk_of_class("com.umeng.umcrash.UMCrash").unwrap();
        assert_eq!(inner.id, "umeng-apm");
    }

    /// Issue 16, item 7: a class name longer than every prefix is looked up from the longest
    /// prefix length down, with the same answers as a full walk.
    #[test]
    fn long_class_names_match_like_short_ones() {
        let c = SdkCatalog::builtin().unwrap();
        let deep = format!("com.umeng.commonsdk.{}X", "a.".repeat(2000));
        assert_eq!(c.sdk_of_class(&deep).unwrap().0.id, "umeng-common");
        let longest = c
            .sdks
            .iter()
            .flat_map(|s| s.packages.iter())
            .max_by_key(|p| p.len())
            .unwrap();
        let (s, p) = c.sdk_of_class(&format!("{longest}.Z")).unwrap();
        assert_eq!(p, longest.as_str(), "{}", s.id);
        assert_eq!(c.sdk_of_class(longest).unwrap().1, longest.as_str());
        assert!(c.sdk_of_class(&"a.".repeat(3000)).is_none());
        assert!(c.sdk_of_class(&"é".repeat(300)).is_none());
    }

    #[test]
    fn hosts_tags_and_components() {
        let c = SdkCatalog::builtin().unwrap();
        assert_eq!(c.sdk_of_host("ULOGS.umeng.com.").unwrap().0.name, "Umeng");
        assert!(c.sdk_of_host("notumeng.com").is_none());
        assert_eq!(
            c.sdk_of_component("com.google.firebase.provider.FirebaseInitProvider")
                .map(|(s, k)| (s.id.as_str(), k)),
            Some(("firebase-core", MatchKind::Component))
        );
        assert!(c.sdk_of_log_tag("Bugly").is_some());
    }

    /// docs/sdks.md's generated table is the built-in catalogue's; `PRIOR_UPDATE_DOCS=1`
    /// rewrites it.
    #[test]
    fn docs_table_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/sdks.md");
        let doc = std::fs::read_to_string(&path).unwrap();
        let begin = "<!-- BEGIN GENERATED: PRIOR_UPDATE_DOCS=1 cargo test -p prior-apk -->\n";
        let end = "<!-- END GENERATED -->";
        let (head, rest) = doc.split_once(begin).unwrap();
        let (_, tail) = rest.split_once(end).unwrap();
        let table = SdkCatalog::builtin().unwrap().to_markdown();
        let want = format!("{head}{begin}{table}{end}{tail}");
        if std::env::var_os("PRIOR_UPDATE_DOCS").is_some() {
            std::fs::write(&path, &want).unwrap();
        } else {
            assert!(
                doc == want,
                "docs/sdks.md is out of date: run PRIOR_UPDATE_DOCS=1 cargo test -p prior-apk"
            );
        }
    }

    /// Exodus's code signatures that are a Java name (`com.umeng.analytics.`): the rest (`.sizmek.`,
    /// `.LigatusManager`) are regexes that match anywhere in a name and are not carried over.
    fn exodus_prefixes(sig: &str) -> Vec<String> {
        sig.split('|')
            .map(|p| p.trim().trim_end_matches('.'))
            .filter(|p| {
                p.contains('.')
                    && p.split('.').all(|part| {
                        !part.is_empty()
                            && part
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
                    })
            })
            .map(str::to_owned)
            .collect()
    }

    /// Exodus's network signatures that are a DNS name once `\.` is a dot (`.*\.estimote\.com`
    /// and `fidzup` are not).
    fn exodus_hosts(sig: &str) -> Vec<String> {
        sig.split('|')
            .map(|p| {
                p.trim()
                    .replace("\\.", ".")
                    .trim_start_matches('^')
                    .trim_end_matches('$')
                    .trim_start_matches('.')
                    .to_ascii_lowercase()
            })
            .filter(|h| {
                h.contains('.')
                    && h.split('.').all(|l| {
                        !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    })
            })
            .collect()
    }

    /// Exodus trackers deliberately not carried over although a signature is a name (docs/sdks.md,
    /// "Exodus coverage"): number and why.
    const EXODUS_NOT_ADOPTED: &[(&str, &str)] = &[(
        "71",
        "Google Ads: its only signature is google.com, the domain of every Google service",
    )];

    /// What the catalogue covers of the Exodus tracker list copied in
    /// `tests/data/sdks/exodus-trackers.tsv` (docs/sdks.md, "Exodus coverage").
    struct ExodusCoverage {
        trackers: usize,
        with_signature: usize,
        recognised: usize,
        named: usize,
        unmatchable: Vec<String>,
        not_adopted: Vec<String>,
    }

    fn exodus_coverage(c: &SdkCatalog) -> ExodusCoverage {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/data/sdks/exodus-trackers.tsv");
        let text = std::fs::read_to_string(path).unwrap();
        let mut cov = ExodusCoverage {
            trackers: 0,
            with_signature: 0,
            recognised: 0,
            named: 0,
            unmatchable: Vec::new(),
            not_adopted: Vec::new(),
        };
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 4, "{line}");
            cov.trackers += 1;
            let (id, name, code, net) = (f[0], f[1], f[2], f[3]);
            if code.is_empty() && net.is_empty() {
                continue;
            }
            cov.with_signature += 1;
            let prefixes = exodus_prefixes(code);
            let hosts = exodus_hosts(net);
            if prefixes.is_empty() && hosts.is_empty() {
                cov.unmatchable.push(format!("#{id} {name}"));
                continue;
            }
            // Recognised: a class under one of its prefixes, or one of its hosts, is named by an
            // entry of the catalogue (its own, or one it was folded into).
            if prefixes.iter().any(|p| c.sdk_of_class(p).is_some())
                || hosts.iter().any(|h| c.sdk_of_host(h).is_some())
            {
                cov.recognised += 1;
            } else {
                assert!(
                    EXODUS_NOT_ADOPTED.iter().any(|(n, _)| *n == id),
                    "Exodus tracker #{id} {name} is not recognised"
                );
                cov.not_adopted.push(format!("#{id} {name}"));
                continue;
            }
            let tag = format!("#{id} (");
            if c.sdks.iter().any(|s| s.source.contains(&tag)) {
                cov.named += 1;
            }
        }
        cov
    }

    /// Issue 16, item 5: the catalogue recognises every Exodus tracker whose signature is a
    /// name, and docs/sdks.md says how many (`PRIOR_UPDATE_DOCS=1` rewrites the sentence).
    #[test]
    fn exodus_coverage_is_complete_and_documented() {
        let c = SdkCatalog::builtin().unwrap();
        let cov = exodus_coverage(&c);
        assert_eq!(cov.trackers, 432);
        assert_eq!(
            cov.recognised + cov.unmatchable.len() + cov.not_adopted.len(),
            cov.with_signature
        );
        assert_eq!(cov.not_adopted.len(), EXODUS_NOT_ADOPTED.len());
        assert_eq!(
            cov.named, cov.recognised,
            "a recognised tracker is named by no source"
        );
        let text = format!(
            "Of the {} Exodus trackers in `tests/data/sdks/exodus-trackers.tsv`, {} have a code or \
             network signature; the catalogue recognises **{}** of them (a class under one of their \
             prefixes or one of their hosts is named by an entry, each tracker named in an entry's \
             `source`: {}); {} only have regexes that are not a name ({}) and cannot be matched; \
             {} not adopted: {}.\n",
            cov.trackers,
            cov.with_signature,
            cov.recognised,
            cov.named,
            cov.unmatchable.len(),
            cov.unmatchable.join(", "),
            cov.not_adopted.len(),
            EXODUS_NOT_ADOPTED
                .iter()
                .map(|(n, why)| format!("#{n} {why}"))
                .collect::<Vec<_>>()
                .join("; ")
        );
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/sdks.md");
        let doc = std::fs::read_to_string(&path).unwrap();
        let begin =
            "<!-- BEGIN GENERATED COVERAGE: PRIOR_UPDATE_DOCS=1 cargo test -p prior-apk -->\n";
        let end = "<!-- END GENERATED COVERAGE -->";
        let (head, rest) = doc.split_once(begin).unwrap();
        let (_, tail) = rest.split_once(end).unwrap();
        let want = format!("{head}{begin}{text}{end}{tail}");
        if std::env::var_os("PRIOR_UPDATE_DOCS").is_some() {
            std::fs::write(&path, &want).unwrap();
        } else {
            assert!(
                doc == want,
                "docs/sdks.md's Exodus coverage is out of date: run PRIOR_UPDATE_DOCS=1 cargo test -p prior-apk"
            );
        }
    }

    #[test]
    fn exodus_signatures_convert_to_names_only() {
        assert_eq!(
            exodus_prefixes("com.databerries.|com.geolocstation.|.sizmek.|.LigatusManager"),
            ["com.databerries", "com.geolocstation"]
        );
        assert_eq!(
            exodus_hosts("databerries\\.com|fidzup|.*\\.estimote\\.com|\\.google\\.com"),
            ["databerries.com", "google.com"]
        );
    }

    /// Every entry has a source; no package prefix or host is listed twice unless one of the
    /// two entries is a carrier (the loader refuses any duplicate today; this keeps the rule if
    /// it is relaxed for carriers).
    #[test]
    fn entries_are_sourced_and_prefixes_unique() {
        let c = SdkCatalog::builtin().unwrap();
        let mut seen: HashMap<(&str, &str), &SdkEntry> = HashMap::new();
        for s in &c.sdks {
            assert!(!s.source.trim().is_empty(), "{} has no source", s.id);
            let keys = (s.packages.iter().map(|p| ("package", p.as_str())))
                .chain(s.hosts.iter().map(|h| ("host", h.as_str())));
            for (kind, k) in keys {
                if let Some(o) = seen.insert((kind, k), s) {
                    assert!(
                        o.carrier || s.carrier,
                        "{kind} {k} is listed by {} and {}",
                        o.id,
                        s.id
                    );
                }
            }
        }
    }

    /// An entry point counts only when the class resolves to its own entry (the inventory looks
    /// it up under the SDK the longest prefix names), so one that a nested entry's longer prefix
    /// takes could never be found; and enough of the common SDKs have one (issue 16, item 5).
    #[test]
    fn entry_points_resolve_to_their_own_entry() {
        let c = SdkCatalog::builtin().unwrap();
        let mut with = 0;
        for s in &c.sdks {
            for e in &s.entry_points {
                let (owner, _) = c.sdk_of_class(e).unwrap();
                assert_eq!(owner.id, s.id, "entry point {e}");
            }
            with += usize::from(!s.entry_points.is_empty());
        }
        assert!(with >= 40, "{with} entries with entry points");
        for id in [
            "umeng-common",
            "jpush",
            "getui",
            "tencent-gdt",
            "pangle",
            "appsflyer",
        ] {
            assert!(!c.get(id).unwrap().entry_points.is_empty(), "{id}");
        }
    }

    /// The confidence rules of docs/sdks.md, "Confidence".
    #[test]
    fn confidence_follows_the_evidence() {
        let c = SdkCatalog::builtin().unwrap();
        let firebase = c.get("firebase-core").unwrap();
        // An entry with no signature beyond its package prefix.
        let umeng = c.get("tencent-beacon").unwrap();
        assert!(firebase.has_strong_signature() && !umeng.has_strong_signature());
        // Listed components (or files, meta-data) that are absent do not refute classes: only
        // absent entry points do.
        let meizu = c.get("meizu-push").unwrap();
        assert!(meizu.entry_points.is_empty() && !meizu.components.is_empty());
        let classes = SdkSignals {
            defined: 3,
            ..SdkSignals::default()
        };
        // Classes alone: refuted where the catalogue names entry points, else likely.
        assert_eq!(
            firebase.confidence(&classes),
            Some(Confidence::ReferencedOnly)
        );
        assert_eq!(umeng.confidence(&classes), Some(Confidence::Likely));
        assert_eq!(meizu.confidence(&classes), Some(Confidence::Likely));
        // Umeng names its entry point (UMConfigure): classes under com.umeng without it are
        // referenced only, with it embedded.
        let umeng_common = c.get("umeng-common").unwrap();
        assert_eq!(
            umeng_common.confidence(&classes),
            Some(Confidence::ReferencedOnly)
        );
        let with_entry = SdkSignals {
            defined: 3,
            entry_points: vec!["com.umeng.commonsdk.UMConfigure".into()],
            ..SdkSignals::default()
        };
        assert_eq!(
            umeng_common.confidence(&with_entry),
            Some(Confidence::Embedded)
        );
        // Types referenced but defined nowhere: referenced only, whatever the entry.
        let refs = SdkSignals {
            referenced: 5,
            ..SdkSignals::default()
        };
        assert_eq!(umeng.confidence(&refs), Some(Confidence::ReferencedOnly));
        assert_eq!(umeng.confidence(&SdkSignals::default()), None);
        // Any strong signal decides embedded, even with no class at all.
        for s in [
            SdkSignals {
                entry_points: vec!["com.google.firebase.FirebaseApp".into()],
                ..SdkSignals::default()
            },
            SdkSignals {
                components: vec!["x".into()],
                ..SdkSignals::default()
            },
            SdkSignals {
                files: vec!["x".into()],
                ..SdkSignals::default()
            },
            SdkSignals {
                meta_data: vec!["x".into()],
                ..SdkSignals::default()
            },
        ] {
            assert_eq!(firebase.confidence(&s), Some(Confidence::Embedded), "{s:?}");
        }
        assert_eq!(Confidence::ReferencedOnly.as_str(), "referenced-only");
        assert_eq!(
            serde_json::to_value(Confidence::ReferencedOnly).unwrap(),
            "referenced-only"
        );
    }

    #[test]
    fn invalid_entries_are_rejected() {
        let base = "name = \"t\"\nversion = \"1\"\n";
        for (body, want) in [
            (
                "[[sdk]]\nid=\"a\"\nname=\"A\"\nvendor=\"V\"\ncategory=\"nope\"\npackages=[\"a\"]\nsource=\"x\"\n",
                "category",
            ),
            (
                "[[sdk]]\nid=\"a\"\nname=\"A\"\nvendor=\"V\"\ncategory=\"ads\"\npackages=[\"a\"]\nsource=\"\"\n",
                "source",
            ),
            (
                "[[sdk]]\nid=\"a\"\nname=\"A\"\nvendor=\"V\"\ncategory=\"ads\"\nhosts=[\"bad host\"]\nsource=\"x\"\n",
                "DNS",
            ),
            (
                "[[sdk]]\nid=\"a\"\nname=\"A\"\nvendor=\"V\"\ncategory=\"ads\"\nsource=\"x\"\n",
                "names no",
            ),
            (
                "[[sdk]]\nid=\"a\"\nname=\"A\"\nvendor=\"V\"\ncategory=\"ads\"\npackages=[\"a.b\"]\nentry_points=[\"a.bc.X\"]\nsource=\"x\"\n",
                "entry point",
            ),
            (
                "[[sdk]]\nid=\"a\"\nname=\"A\"\nvendor=\"V\"\ncategory=\"ads\"\npackages=[\"a\"]\nfiles=[\"../x\"]\nsource=\"x\"\n",
                "not a path",
            ),
            (
                "[[sdk]]\nid=\"a\"\nname=\"A\"\nvendor=\"V\"\ncategory=\"ads\"\npackages=[\"p\"]\nsource=\"x\"\n[[sdk]]\nid=\"b\"\nname=\"B\"\nvendor=\"V\"\ncategory=\"ads\"\npackages=[\"p\"]\nsource=\"x\"\n",
                "also listed",
            ),
        ] {
            let e = SdkCatalog::from_toml(&format!("{base}{body}"), "t").unwrap_err();
            assert!(e.to_string().contains(want), "{e}");
        }
        assert!(matches!(
            SdkCatalog::from_toml("not toml [", "t"),
            Err(SdkCatalogError::Parse { .. })
        ));
    }
}
