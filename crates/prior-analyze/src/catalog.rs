//! The personal-data catalog: which signals mean which [`DataCategory`].
//!
//! The built-in catalog is `data/catalog.toml`, embedded in the binary; a user file in the
//! same format replaces it ([`Catalog::from_file`]). `docs/catalog.md` documents the format
//! and every built-in entry with its source.

use crate::{CatalogError, Origin};
use prior_model::{DataCategory, Outcome, Signal};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The embedded default catalog.
const BUILTIN: &str = include_str!("../data/catalog.toml");

/// The placeholder replaced by the app's package (regex-escaped) in logcat patterns.
pub const PACKAGE_PLACEHOLDER: &str = "{package}";
/// The placeholder replaced by a uid capture that must equal the app's uid.
pub const UID_PLACEHOLDER: &str = "{uid}";

/// A loaded, validated catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Catalog name (`prior-builtin` for the embedded one).
    pub name: String,
    /// Catalog version (a date for the built-in one).
    pub version: String,
    /// Where its facts come from.
    pub source: String,
    /// Where it was loaded from.
    pub origin: Origin,
    /// Runtime permissions per category.
    pub permissions: Vec<PermissionGroup>,
    /// App-op names.
    pub appops: Vec<AppOpEntry>,
    /// Binder calls.
    pub binder: Vec<BinderEntry>,
    /// logcat line patterns, in matching order.
    pub logcat: Vec<LogcatEntry>,
    /// Tracker SDKs: hosts and Java packages.
    pub trackers: Vec<Tracker>,
    permission_index: BTreeMap<String, DataCategory>,
    appop_index: BTreeMap<String, usize>,
    binder_index: BTreeMap<String, Vec<usize>>,
    /// Every signal some binder entry lists in `seen_as`, with the binder methods that list it.
    seen_as_index: BTreeMap<Signal, BTreeSet<String>>,
}

/// Runtime permissions of one category.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionGroup {
    /// The category.
    pub category: DataCategory,
    /// Full permission names (`android.permission.READ_CONTACTS`).
    pub names: Vec<String>,
    /// Where this comes from.
    pub source: String,
}

/// An app-op as `dumpsys appops` prints its name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppOpEntry {
    /// Op name, e.g. `FINE_LOCATION`.
    pub op: String,
    /// The category.
    pub category: DataCategory,
    /// What an access means.
    pub what: String,
    /// Where this comes from.
    pub source: String,
}

/// A binder call as `am trace-ipc` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BinderEntry {
    /// Simple interface name and method, e.g. `ITelephony.getImeiForSlot`.
    pub method: String,
    /// Another frame the stack must contain: `class.method` exactly, or a prefix ending in `*`.
    #[serde(default)]
    pub frame: Option<String>,
    /// The category.
    pub category: DataCategory,
    /// What the call reads.
    pub what: String,
    /// The other signals of the same access, as findings write them (issue 14): the app-ops
    /// the call notes (`appop:READ_DEVICE_IDENTIFIERS`), the `api` of the logcat lines the
    /// serving process writes for it (`getSerial`, `CameraService.connect`), a permission
    /// check (`permission:…`). An actor-less signal listed here joins the attributed finding
    /// of this call instead of being an access of its own (`rules.rs`).
    #[serde(default)]
    pub seen_as: Vec<String>,
    /// Where this comes from.
    pub source: String,
}

impl BinderEntry {
    /// Whether a stack (frames as `class.method`) satisfies the entry's frame condition.
    pub fn frame_matches<'a>(&self, mut frames: impl Iterator<Item = &'a str>) -> bool {
        match self.frame.as_deref() {
            None => true,
            Some(f) => match f.strip_suffix('*') {
                Some(prefix) => frames.any(|q| q.starts_with(prefix)),
                None => frames.any(|q| q == f),
            },
        }
    }
}

/// How a logcat entry decides the category of a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategoryRule {
    /// Always this category.
    Fixed(DataCategory),
    /// The category of the permission captured as `permission` (see [`Catalog::category_of_permission`]);
    /// a permission the catalog does not list makes the line irrelevant.
    FromPermission,
}

/// A logcat line pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogcatEntry {
    /// Stable id, e.g. `telephony-identifiers-denied`.
    pub id: String,
    /// How the category is decided.
    pub category: CategoryRule,
    /// The API to report; `{name}` is replaced by the named capture.
    pub api: String,
    /// The tag the line must have, if any.
    pub tag: Option<String>,
    /// The regex (with `{package}` / `{uid}` placeholders), matched against the message.
    pub pattern: String,
    /// Text every matching line contains, if given (otherwise derived from the pattern).
    pub literal: Option<String>,
    /// Whether a match means the data was handed over.
    pub outcome: Outcome,
    /// What a match means.
    pub what: String,
    /// Where this comes from.
    pub source: String,
}

impl LogcatEntry {
    /// Whether the pattern names the app itself (`{package}` or `{uid}`), so a matching line
    /// may come from any process. Without a placeholder only the app's own lines count.
    pub fn names_app(&self) -> bool {
        self.pattern.contains(PACKAGE_PLACEHOLDER) || self.pattern.contains(UID_PLACEHOLDER)
    }
}

/// A tracker SDK.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tracker {
    /// Display name.
    pub name: String,
    /// Hosts; a host matches itself and its subdomains.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Java package prefixes of the SDK's code (`com.umeng.`).
    #[serde(default)]
    pub code: Vec<String>,
    /// Where this comes from.
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    name: String,
    version: String,
    source: String,
    #[serde(default)]
    permissions: Vec<PermissionGroup>,
    #[serde(default)]
    appop: Vec<AppOpEntry>,
    #[serde(default)]
    binder: Vec<BinderEntry>,
    #[serde(default)]
    logcat: Vec<LogcatFileEntry>,
    #[serde(default)]
    tracker: Vec<Tracker>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogcatFileEntry {
    id: String,
    #[serde(default)]
    category: Option<DataCategory>,
    #[serde(default)]
    category_from: Option<String>,
    api: String,
    #[serde(default)]
    tag: Option<String>,
    pattern: String,
    #[serde(default)]
    literal: Option<String>,
    outcome: Outcome,
    what: String,
    source: String,
}

impl Catalog {
    /// The catalog embedded in Prior (`data/catalog.toml`).
    pub fn builtin() -> Result<Catalog, CatalogError> {
        Catalog::from_toml_str(BUILTIN, Origin::Builtin)
    }

    /// Reads a catalog file that replaces the built-in one.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Catalog, CatalogError> {
        let path = path.as_ref();
        let text = fs_err::read_to_string(path).map_err(CatalogError::Read)?;
        Catalog::from_toml_str(&text, Origin::File(path.display().to_string()))
    }

    /// Parses and validates catalog text.
    pub fn from_toml_str(text: &str, origin: Origin) -> Result<Catalog, CatalogError> {
        let file: CatalogFile = toml::from_str(text).map_err(|e| CatalogError::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        let invalid = |entry: String, message: String| CatalogError::Invalid {
            origin: origin.to_string(),
            entry,
            message,
        };

        let mut permission_index = BTreeMap::new();
        for g in &file.permissions {
            for n in &g.names {
                if let Some(prev) = permission_index.insert(n.clone(), g.category)
                    && prev != g.category
                {
                    return Err(invalid(
                        format!("permission {n}"),
                        format!("listed under both {prev} and {}", g.category),
                    ));
                }
            }
        }

        let mut appop_index = BTreeMap::new();
        for (i, a) in file.appop.iter().enumerate() {
            if a.op.is_empty()
                || !a
                    .op
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err(invalid(
                    format!("appop {:?}", a.op),
                    "op names are UPPER_SNAKE_CASE".into(),
                ));
            }
            if appop_index.insert(a.op.clone(), i).is_some() {
                return Err(invalid(format!("appop {}", a.op), "listed twice".into()));
            }
        }

        let mut binder_index: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut seen = BTreeSet::new();
        for (i, b) in file.binder.iter().enumerate() {
            let ok = b
                .method
                .split_once('.')
                .is_some_and(|(iface, m)| !iface.is_empty() && !m.is_empty());
            if !ok {
                return Err(invalid(
                    format!("binder {:?}", b.method),
                    "expected `Interface.method`".into(),
                ));
            }
            if !seen.insert((b.method.clone(), b.frame.clone())) {
                return Err(invalid(
                    format!("binder {}", b.method),
                    "listed twice with the same frame".into(),
                ));
            }
            binder_index.entry(b.method.clone()).or_default().push(i);
        }

        let mut seen_as_index: BTreeMap<Signal, BTreeSet<String>> = BTreeMap::new();
        for b in &file.binder {
            for s in &b.seen_as {
                let sig = Signal::parse(s);
                let bad = match &sig {
                    _ if sig.name().is_empty() => Some("an empty signal".to_string()),
                    Signal::Host(_) | Signal::Transmission(_) => Some(format!(
                        "{s:?}: a network contact is not evidence of an access"
                    )),
                    Signal::AppOp(op) if !appop_index.contains_key(op) => {
                        Some(format!("{s:?}: no [[appop]] entry for {op}"))
                    }
                    Signal::Permission(p) if !permission_index.contains_key(p) => {
                        Some(format!("{s:?}: no [[permissions]] entry lists {p}"))
                    }
                    _ => None,
                };
                if let Some(m) = bad {
                    return Err(invalid(
                        format!("binder {}", b.method),
                        format!("seen_as {m}"),
                    ));
                }
                seen_as_index
                    .entry(sig)
                    .or_default()
                    .insert(b.method.clone());
            }
        }

        let mut logcat = Vec::with_capacity(file.logcat.len());
        let mut ids = BTreeSet::new();
        for e in file.logcat {
            let entry = format!("logcat {}", e.id);
            if !ids.insert(e.id.clone()) {
                return Err(invalid(entry, "id used twice".into()));
            }
            let category = match (e.category, e.category_from.as_deref()) {
                (Some(c), None) => CategoryRule::Fixed(c),
                (None, Some("permission")) => CategoryRule::FromPermission,
                (None, Some(other)) => {
                    return Err(invalid(
                        entry,
                        format!("category_from must be \"permission\", not {other:?}"),
                    ));
                }
                _ => {
                    return Err(invalid(
                        entry,
                        "give exactly one of `category` and `category_from`".into(),
                    ));
                }
            };
            let entry_value = LogcatEntry {
                id: e.id,
                category,
                api: e.api,
                tag: e.tag,
                pattern: e.pattern,
                literal: e.literal.filter(|l| !l.is_empty()),
                outcome: e.outcome,
                what: e.what,
                source: e.source,
            };
            // Compile once with sample values to report bad patterns at load time.
            check_logcat_entry(&entry_value).map_err(|m| invalid(entry, m))?;
            logcat.push(entry_value);
        }

        for t in &file.tracker {
            for h in &t.hosts {
                let valid = !h.is_empty()
                    && !h.starts_with('.')
                    && h.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-'
                    });
                if !valid {
                    return Err(invalid(
                        format!("tracker {}", t.name),
                        format!("bad host {h:?} (lowercase DNS name)"),
                    ));
                }
            }
            if t.code.iter().any(|c| c.is_empty()) {
                return Err(invalid(
                    format!("tracker {}", t.name),
                    "empty code prefix".into(),
                ));
            }
        }

        Ok(Catalog {
            name: file.name,
            version: file.version,
            source: file.source,
            origin,
            permissions: file.permissions,
            appops: file.appop,
            binder: file.binder,
            logcat,
            trackers: file.tracker,
            permission_index,
            appop_index,
            binder_index,
            seen_as_index,
        })
    }

    /// The category of a runtime permission (`android.permission.READ_CONTACTS`).
    pub fn category_of_permission(&self, permission: &str) -> Option<DataCategory> {
        self.permission_index.get(permission).copied()
    }

    /// The entry for an app-op name.
    pub fn appop(&self, op: &str) -> Option<&AppOpEntry> {
        self.appop_index.get(op).map(|&i| &self.appops[i])
    }

    /// The entries for a binder `Interface.method` (several when they differ by frame).
    pub fn binder_entries(&self, method: &str) -> impl Iterator<Item = &BinderEntry> {
        self.binder_index
            .get(method)
            .into_iter()
            .flatten()
            .map(|&i| &self.binder[i])
    }

    /// Whether the catalog makes `other` evidence of the same access as the binder call `call`
    /// (`call`'s entry lists it in `seen_as`).
    pub fn same_access(&self, call: &Signal, other: &Signal) -> bool {
        matches!(call, Signal::Api(m) if self.seen_as_index.get(other).is_some_and(|ms| ms.contains(m)))
    }

    /// Whether some binder entry lists `signal` in `seen_as`: the catalog knows which calls
    /// it is evidence of, so it joins only those.
    pub fn is_seen_as(&self, signal: &Signal) -> bool {
        self.seen_as_index.contains_key(signal)
    }

    /// The tracker whose code prefixes cover a Java class name.
    pub fn tracker_of_class(&self, class: &str) -> Option<&Tracker> {
        self.trackers
            .iter()
            .find(|t| t.code.iter().any(|p| class.starts_with(p.as_str())))
    }

    /// The tracker a host belongs to (the host itself or a subdomain of a listed host).
    pub fn tracker_of_host(&self, host: &str) -> Option<&Tracker> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.trackers.iter().find(|t| {
            t.hosts.iter().any(|h| {
                host == *h
                    || (host.len() > h.len()
                        && host.ends_with(h.as_str())
                        && host.as_bytes()[host.len() - h.len() - 1] == b'.')
            })
        })
    }

    /// Every entry as Markdown tables (the generated part of `docs/catalog.md`).
    pub fn to_markdown(&self) -> String {
        let mut o = String::new();
        let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
        let code = |s: &str| format!("`{}`", s.replace('|', "\\|"));
        let cat = |c: &CategoryRule| match c {
            CategoryRule::Fixed(c) => c.as_str().to_string(),
            CategoryRule::FromPermission => "from the permission".to_string(),
        };
        o.push_str(&format!(
            "Catalog `{}` version {}. Source: {}.\n\n",
            self.name,
            self.version,
            cell(&self.source)
        ));
        o.push_str(
            "### Runtime permissions\n\n| category | permissions | source |\n|---|---|---|\n",
        );
        for g in &self.permissions {
            let names: Vec<String> = g
                .names
                .iter()
                .map(|n| code(n.trim_start_matches("android.permission.")))
                .collect();
            o.push_str(&format!(
                "| {} | {} | {} |\n",
                g.category,
                names.join(", "),
                cell(&g.source)
            ));
        }
        o.push_str("\n(Names are `android.permission.` + the name shown.)\n\n");
        o.push_str("### App-ops\n\n| op | category | what | source |\n|---|---|---|---|\n");
        for a in &self.appops {
            o.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                code(&a.op),
                a.category,
                cell(&a.what),
                cell(&a.source)
            ));
        }
        o.push_str("\n### Binder calls (`am trace-ipc`)\n\n| call | other frame required | category | same access also seen as | what | source |\n|---|---|---|---|---|---|\n");
        for b in &self.binder {
            let frame = b.frame.as_deref().map(code).unwrap_or_default();
            let seen_as: Vec<String> = b.seen_as.iter().map(|s| code(s)).collect();
            o.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                code(&b.method),
                frame,
                b.category,
                seen_as.join(", "),
                cell(&b.what),
                cell(&b.source)
            ));
        }
        o.push_str("\n### logcat patterns (in matching order)\n\n| id | category | tag | pattern | outcome | api | what | source |\n|---|---|---|---|---|---|---|---|\n");
        for l in &self.logcat {
            let outcome = match l.outcome {
                Outcome::Granted => "granted",
                Outcome::Denied => "denied",
                Outcome::Unknown => "unknown",
            };
            o.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
                l.id,
                cat(&l.category),
                l.tag.as_deref().map(code).unwrap_or_default(),
                code(&l.pattern),
                outcome,
                code(&l.api),
                cell(&l.what),
                cell(&l.source)
            ));
        }
        o.push_str("\n### Trackers\n\n| tracker | hosts | code | source |\n|---|---|---|---|\n");
        for t in &self.trackers {
            let hosts: Vec<String> = t.hosts.iter().map(|h| code(h)).collect();
            let codes: Vec<String> = t.code.iter().map(|c| code(c)).collect();
            o.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                cell(&t.name),
                hosts.join(", "),
                codes.join(", "),
                cell(&t.source)
            ));
        }
        o
    }

    /// How many signals the catalog watches for a category: (app-ops, binder calls, logcat
    /// patterns with a fixed category).
    pub fn signal_counts(&self, category: DataCategory) -> (usize, usize, usize) {
        let ops = self
            .appops
            .iter()
            .filter(|a| a.category == category)
            .count();
        let binder = self
            .binder
            .iter()
            .filter(|b| b.category == category)
            .count();
        let logcat = self
            .logcat
            .iter()
            .filter(|l| match l.category {
                CategoryRule::Fixed(c) => c == category,
                CategoryRule::FromPermission => {
                    self.permission_index.values().any(|c| *c == category)
                }
            })
            .count();
        (ops, binder, logcat)
    }
}

/// Validates a catalog entry at load time, with a sample package.
fn check_logcat_entry(e: &LogcatEntry) -> Result<(), String> {
    let lp = crate::logscan::compile(
        &crate::logscan::substitute(&e.pattern, "com.example.app"),
        e.literal.as_deref(),
    )?;
    let names: Vec<&str> = lp.regex.capture_names().flatten().collect();
    for n in crate::logscan::template_names(&e.api) {
        if !names.contains(&n) {
            return Err(format!(
                "api uses {{{n}}} but the pattern has no capture group named {n:?}"
            ));
        }
    }
    if e.category == CategoryRule::FromPermission && !names.contains(&"permission") {
        return Err(
            "category_from = \"permission\" needs a capture group named \"permission\"".into(),
        );
    }
    if let Some(t) = &e.tag
        && t.is_empty()
    {
        return Err("tag is empty".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalog_loads_and_covers_every_category() {
        let c = Catalog::builtin().unwrap();
        assert_eq!(c.name, "prior-builtin");
        for cat in DataCategory::ALL {
            let (ops, binder, logcat) = c.signal_counts(cat);
            assert!(ops + binder + logcat > 0, "{cat} has no signal");
            // The clipboard needs no runtime permission (docs/personal-data.md §6).
            if cat != DataCategory::Clipboard {
                assert!(
                    c.permissions.iter().any(|g| g.category == cat),
                    "{cat} has no permission"
                );
            }
        }
        assert_eq!(
            c.appop("READ_DEVICE_IDENTIFIERS").unwrap().category,
            DataCategory::DeviceIdentifiers
        );
        assert_eq!(c.binder_entries("ITelephony.getImeiForSlot").count(), 1);
        assert_eq!(
            c.category_of_permission("android.permission.READ_CONTACTS"),
            Some(DataCategory::Contacts)
        );
        assert!(c.appop("NOT_AN_OP").is_none());
    }

    #[test]
    fn seen_as_links_signals_to_their_calls_and_is_checked() {
        let c = Catalog::builtin().unwrap();
        let serial = Signal::parse("IDeviceIdentifiersPolicyService.getSerialForPackage");
        assert!(c.same_access(&serial, &Signal::parse("getSerial")));
        assert!(c.same_access(&serial, &Signal::parse("appop:READ_DEVICE_IDENTIFIERS")));
        // ANDROID_ID is read with no app-op (docs/personal-data.md §1).
        let id = Signal::parse("ContentProviderProxy.call");
        assert!(!c.same_access(&id, &Signal::parse("appop:READ_DEVICE_IDENTIFIERS")));
        assert!(c.same_access(
            &Signal::parse("ICameraService.connectDevice"),
            &Signal::parse("CameraService.connect")
        ));
        assert!(c.is_seen_as(&Signal::parse("appop:GET_USAGE_STATS")));
        assert!(!c.is_seen_as(&Signal::parse("appop:GET_ACCOUNTS")));
        // Every app-op, permission and logcat api named in seen_as is one the catalog knows.
        let apis: BTreeSet<&str> = c.logcat.iter().map(|l| l.api.as_str()).collect();
        for b in &c.binder {
            for s in &b.seen_as {
                let known = match Signal::parse(s) {
                    Signal::AppOp(op) => c.appop(&op).is_some_and(|a| a.category == b.category),
                    Signal::Permission(p) => c.category_of_permission(&p) == Some(b.category),
                    // A logcat entry writes it, literally or through `{method}`.
                    _ => apis.contains(s.as_str()) || apis.contains("{method}"),
                };
                assert!(known, "{}: seen_as {s}", b.method);
            }
        }
        let bad = |seen: &str| {
            let text = format!(
                "name = \"t\"\nversion = \"1\"\nsource = \"s\"\n[[appop]]\nop = \"CAMERA\"\n\
                 category = \"camera\"\nwhat = \"w\"\nsource = \"s\"\n[[binder]]\n\
                 method = \"I.m\"\ncategory = \"camera\"\nseen_as = [{seen}]\nwhat = \"w\"\n\
                 source = \"s\"\n"
            );
            Catalog::from_toml_str(&text, Origin::Builtin).map(|_| ())
        };
        assert!(bad("\"appop:CAMERA\", \"CameraService.connect\"").is_ok());
        for wrong in [
            "\"appop:NOPE\"",
            "\"host:x.com\"",
            "\"permission:android.permission.X\"",
            "\"\"",
        ] {
            let e = bad(wrong).unwrap_err().to_string();
            assert!(e.contains("seen_as"), "{wrong}: {e}");
        }
    }

    #[test]
    fn trackers_match_hosts_on_label_boundaries_and_code_prefixes() {
        let c = Catalog::builtin().unwrap();
        assert_eq!(c.tracker_of_host("alog.umeng.com").unwrap().name, "Umeng");
        assert_eq!(c.tracker_of_host("UMENG.COM.").unwrap().name, "Umeng");
        assert!(c.tracker_of_host("notumeng.com").is_none());
        assert_eq!(
            c.tracker_of_class("com.umeng.commonsdk.UMConfigure")
                .unwrap()
                .name,
            "Umeng"
        );
        assert!(c.tracker_of_class("com.example.App").is_none());
    }

    #[test]
    fn frame_conditions_are_exact_or_prefix() {
        let c = Catalog::builtin().unwrap();
        let call: Vec<_> = c.binder_entries("ContentProviderProxy.call").collect();
        assert_eq!(call.len(), 1);
        assert!(
            call[0]
                .frame_matches(["android.provider.Settings$Secure.getStringForUser"].into_iter())
        );
        assert!(
            !call[0]
                .frame_matches(["android.provider.Settings$Global.getStringForUser"].into_iter())
        );
        let ad = c
            .binder_entries("IActivityManager.bindIsolatedService")
            .next()
            .unwrap();
        assert!(ad.frame_matches(
            ["com.google.android.gms.ads.identifier.AdvertisingIdClient.zza"].into_iter()
        ));
    }

    fn minimal(extra: &str) -> String {
        format!("name = \"t\"\nversion = \"1\"\nsource = \"test\"\n{extra}")
    }

    #[test]
    fn bad_files_are_rejected_with_the_entry_named() {
        let cases = [
            (
                "[[appop]]\nop = \"fine\"\ncategory = \"location\"\nwhat = \"\"\nsource = \"\"\n",
                "appop \"fine\"",
            ),
            (
                "[[binder]]\nmethod = \"nodot\"\ncategory = \"location\"\nwhat = \"\"\nsource = \"\"\n",
                "Interface.method",
            ),
            (
                "[[logcat]]\nid = \"x\"\napi = \"a\"\npattern = \"(unclosed\"\noutcome = \"denied\"\ncategory = \"location\"\nwhat = \"\"\nsource = \"\"\n",
                "logcat x",
            ),
            (
                "[[logcat]]\nid = \"x\"\napi = \"a\"\npattern = \"abc\"\noutcome = \"denied\"\nwhat = \"\"\nsource = \"\"\n",
                "exactly one of",
            ),
            (
                "[[logcat]]\nid = \"x\"\napi = \"{nope}\"\npattern = \"abcdef\"\noutcome = \"denied\"\ncategory = \"sms\"\nwhat = \"\"\nsource = \"\"\n",
                "nope",
            ),
            (
                "[[logcat]]\nid = \"x\"\napi = \"a\"\npattern = \"[a-z]+\"\noutcome = \"denied\"\ncategory = \"sms\"\nwhat = \"\"\nsource = \"\"\n",
                "literal",
            ),
            (
                "[[tracker]]\nname = \"T\"\nhosts = [\"Bad Host\"]\nsource = \"\"\n",
                "bad host",
            ),
            ("unknown_key = 1\n", "unknown"),
        ];
        for (extra, want) in cases {
            let e = Catalog::from_toml_str(&minimal(extra), Origin::File("t.toml".into()))
                .unwrap_err()
                .to_string();
            assert!(e.contains(want), "{extra}: {e}");
            assert!(e.contains("t.toml"), "{e}");
        }
    }

    #[test]
    fn a_declared_literal_makes_a_pattern_without_one_acceptable() {
        let text = minimal(
            "[[logcat]]\nid = \"x\"\napi = \"a\"\npattern = \"(?:alpha|beta)\"\nliteral = \"a\"\noutcome = \"denied\"\ncategory = \"sms\"\nwhat = \"\"\nsource = \"\"\n",
        );
        let c = Catalog::from_toml_str(&text, Origin::Builtin).unwrap();
        assert_eq!(c.logcat[0].literal.as_deref(), Some("a"));
    }
}
