//! Rule profiles: which rules run and how severe their findings are.
//!
//! Built-in profiles (`cn-miit`, `gdpr`) are `data/profiles/*.toml`, embedded in the binary;
//! a user file in the same format replaces them ([`Profile::from_file`]). `docs/catalog.md`
//! documents the rules and the choices of each built-in profile.

use crate::{Origin, ProfileError};
use prior_model::{DataCategory, Severity, Source};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// Largest profile file read.
pub const MAX_PROFILE_BYTES: u64 = 1 << 20;

const BUILTIN: [(&str, &str); 2] = [
    ("cn-miit", include_str!("../data/profiles/cn-miit.toml")),
    ("gdpr", include_str!("../data/profiles/gdpr.toml")),
];

/// A severity as a profile writes it: a [`Severity`], or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The rule (or category) does not fire.
    Off,
    /// Reported, not a violation.
    Info,
    /// A violation of lower weight.
    Low,
    /// A violation.
    Medium,
    /// A serious violation.
    High,
}

impl Level {
    /// The finding severity, `None` for `off`.
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Off => None,
            Level::Info => Some(Severity::Info),
            Level::Low => Some(Severity::Low),
            Level::Medium => Some(Severity::Medium),
            Level::High => Some(Severity::High),
        }
    }
}

/// The rules a profile can configure. Each has a stable id used in findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleId {
    /// Personal data accessed (or attempted, when `count_denied`) before consent.
    PreConsentAccess,
    /// Personal data accessed inside the consent tap window.
    AtConsentAccess,
    /// Personal data accessed after the user rejected consent.
    AccessAfterReject,
    /// A runtime-permission dialog shown before consent.
    PermissionPromptBeforeConsent,
    /// No consent screen appeared at all.
    NoConsentScreen,
    /// A tracker host contacted before consent (network events).
    TrackerContactBeforeConsent,
    /// A tracker host contacted after the user rejected consent (network events).
    TrackerContactAfterReject,
    /// A honey value found in an intercepted request sent before consent (issue 18,
    /// `crate::transmission`).
    TransmissionBeforeConsent,
}

impl RuleId {
    /// Every rule, in report order.
    pub const ALL: [RuleId; 8] = [
        RuleId::NoConsentScreen,
        RuleId::PermissionPromptBeforeConsent,
        RuleId::PreConsentAccess,
        RuleId::TrackerContactBeforeConsent,
        RuleId::AtConsentAccess,
        RuleId::AccessAfterReject,
        RuleId::TrackerContactAfterReject,
        RuleId::TransmissionBeforeConsent,
    ];

    /// The stable id, e.g. `pre-consent-access`.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::PreConsentAccess => "pre-consent-access",
            RuleId::AtConsentAccess => "at-consent-access",
            RuleId::AccessAfterReject => "access-after-reject",
            RuleId::PermissionPromptBeforeConsent => "permission-prompt-before-consent",
            RuleId::NoConsentScreen => "no-consent-screen",
            RuleId::TrackerContactBeforeConsent => "tracker-contact-before-consent",
            RuleId::TrackerContactAfterReject => "tracker-contact-after-reject",
            RuleId::TransmissionBeforeConsent => "transmission-before-consent",
        }
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one rule is configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// Severity of its findings (`off` disables the rule).
    pub severity: Level,
    /// Whether attempts the system refused (app-op `Reject:`, `SecurityException`) count.
    #[serde(default = "yes")]
    pub count_denied: bool,
    /// Severity used when every event of a finding was refused; the rule's severity otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denied_severity: Option<Level>,
    /// Per-category severities that replace `severity` (data-access rules only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub categories: BTreeMap<DataCategory, Level>,
}

fn yes() -> bool {
    true
}

impl RuleConfig {
    /// The severity for a category (its override, else the rule's), `None` when off.
    pub fn severity_for(
        &self,
        category: Option<DataCategory>,
        all_denied: bool,
    ) -> Option<Severity> {
        let base = category
            .and_then(|c| self.categories.get(&c).copied())
            .unwrap_or(self.severity);
        base.severity()?;
        match (all_denied, self.denied_severity) {
            (true, Some(d)) => d.severity(),
            _ => base.severity(),
        }
    }
}

/// The rules of a profile; a rule left out of a file is off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// `pre-consent-access`.
    #[serde(
        rename = "pre-consent-access",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pre_consent_access: Option<RuleConfig>,
    /// `at-consent-access`.
    #[serde(
        rename = "at-consent-access",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub at_consent_access: Option<RuleConfig>,
    /// `access-after-reject`.
    #[serde(
        rename = "access-after-reject",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub access_after_reject: Option<RuleConfig>,
    /// `permission-prompt-before-consent`.
    #[serde(
        rename = "permission-prompt-before-consent",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub permission_prompt_before_consent: Option<RuleConfig>,
    /// `no-consent-screen`.
    #[serde(
        rename = "no-consent-screen",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub no_consent_screen: Option<RuleConfig>,
    /// `tracker-contact-before-consent`.
    #[serde(
        rename = "tracker-contact-before-consent",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub tracker_contact_before_consent: Option<RuleConfig>,
    /// `tracker-contact-after-reject`.
    #[serde(
        rename = "tracker-contact-after-reject",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub tracker_contact_after_reject: Option<RuleConfig>,
    /// `transmission-before-consent`.
    #[serde(
        rename = "transmission-before-consent",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub transmission_before_consent: Option<RuleConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    name: String,
    title: String,
    #[serde(default)]
    basis: Vec<String>,
    #[serde(default)]
    description: String,
    #[serde(default = "default_required_sources")]
    required_sources: Vec<Source>,
    #[serde(default)]
    rules: Rules,
}

/// The sources a profile requires when its file does not say: every collector that can see a
/// personal-data access or the consent screen on any device (the network capture is optional).
pub const DEFAULT_REQUIRED_SOURCES: [Source; 4] =
    [Source::Logcat, Source::Appops, Source::Ipc, Source::Ui];

fn default_required_sources() -> Vec<Source> {
    DEFAULT_REQUIRED_SOURCES.to_vec()
}

/// A loaded rule profile.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Short name (`cn-miit`).
    pub name: String,
    /// One-line title.
    pub title: String,
    /// The regulations or standards it follows.
    pub basis: Vec<String>,
    /// What it checks, in prose.
    pub description: String,
    /// Where it was loaded from.
    pub origin: Origin,
    /// sha256 of its TOML text, lowercase hex: identifies exactly which rules were applied.
    pub sha256: String,
    /// The sources that must be analysed for a verdict of `pass` (`required_sources`; default
    /// [`DEFAULT_REQUIRED_SOURCES`]). A required source that is unavailable, failed or partial
    /// makes a session without violations `inconclusive`.
    pub required_sources: Vec<Source>,
    /// The rules.
    pub rules: Rules,
}

impl Profile {
    /// Names of the built-in profiles.
    pub fn builtin_names() -> impl Iterator<Item = &'static str> {
        BUILTIN.iter().map(|(n, _)| *n)
    }

    /// A built-in profile by name (`cn-miit`, `gdpr`).
    pub fn builtin(name: &str) -> Result<Profile, ProfileError> {
        let (_, text) =
            BUILTIN
                .iter()
                .find(|(n, _)| *n == name)
                .ok_or_else(|| ProfileError::Unknown {
                    name: name.to_string(),
                    known: Profile::builtin_names().collect::<Vec<_>>().join(", "),
                })?;
        Profile::from_toml_str(text, Origin::Builtin)
    }

    /// Reads a profile file (named by the operator: `--profile FILE` or a scenario's
    /// `profile:`; never by a bundle). At most [`MAX_PROFILE_BYTES`] are read.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Profile, ProfileError> {
        use std::io::Read;
        let path = path.as_ref();
        let f = fs_err::File::open(path).map_err(ProfileError::Read)?;
        let meta = f.metadata().map_err(ProfileError::Read)?;
        if !meta.is_file() {
            return Err(ProfileError::Read(std::io::Error::other(format!(
                "{}: not a regular file",
                path.display()
            ))));
        }
        let mut bytes = Vec::new();
        f.take(MAX_PROFILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(ProfileError::Read)?;
        if bytes.len() as u64 > MAX_PROFILE_BYTES {
            return Err(ProfileError::Read(std::io::Error::other(format!(
                "{}: larger than {MAX_PROFILE_BYTES} bytes",
                path.display()
            ))));
        }
        let text = String::from_utf8(bytes).map_err(|_| {
            ProfileError::Read(std::io::Error::other(format!(
                "{}: not UTF-8 text",
                path.display()
            )))
        })?;
        Profile::from_toml_str(&text, Origin::File(path.display().to_string()))
    }

    /// The profile a bundle's `meta.json` names: a built-in name only. A bundle never makes
    /// Prior open a file, so anything else — a path, an unknown name — is an error that
    /// quotes nothing from the bundle or any file ([`ProfileError::NotBuiltinInBundle`]).
    pub fn named_in_bundle(name: &str) -> Result<Profile, ProfileError> {
        if Profile::builtin_names().any(|n| n == name) {
            return Profile::builtin(name);
        }
        Err(ProfileError::NotBuiltinInBundle {
            looks_like_path: name.contains(['/', '\\', '.']) || name.starts_with('~'),
            known: Profile::builtin_names().collect::<Vec<_>>().join(", "),
        })
    }

    /// A built-in name, or else a file path (what `--profile cn-miit|gdpr|FILE` accepts on
    /// the command line; never call it with a name read from a bundle — see
    /// [`Profile::named_in_bundle`]).
    pub fn resolve(name_or_path: &str) -> Result<Profile, ProfileError> {
        if Profile::builtin_names().any(|n| n == name_or_path) {
            Profile::builtin(name_or_path)
        } else if Path::new(name_or_path).is_file() {
            Profile::from_file(name_or_path)
        } else {
            Err(ProfileError::Unknown {
                name: name_or_path.to_string(),
                known: Profile::builtin_names().collect::<Vec<_>>().join(", "),
            })
        }
    }

    /// Parses profile text.
    pub fn from_toml_str(text: &str, origin: Origin) -> Result<Profile, ProfileError> {
        let f: ProfileFile = toml::from_str(text).map_err(|e| ProfileError::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        if f.name.trim().is_empty() {
            return Err(ProfileError::Parse {
                origin: origin.to_string(),
                message: "`name` is empty".into(),
            });
        }
        if let Some(s) = f
            .required_sources
            .iter()
            .find(|s| matches!(s, Source::Harness | Source::Hook))
        {
            return Err(ProfileError::Parse {
                origin: origin.to_string(),
                message: format!(
                    "`required_sources` names `{}`: only logcat, appops, ipc, ui and net are collectors a session can lack",
                    s.as_str()
                ),
            });
        }
        let mut required_sources = f.required_sources;
        required_sources.sort();
        required_sources.dedup();
        Ok(Profile {
            name: f.name,
            title: f.title,
            basis: f.basis,
            description: f.description,
            origin,
            sha256: prior_model::bundle::sha256_bytes(text.as_bytes()),
            required_sources,
            rules: f.rules,
        })
    }

    /// Whether the profile requires `source` to be analysed for a pass.
    pub fn requires(&self, source: Source) -> bool {
        self.required_sources.contains(&source)
    }

    /// The configuration of a rule, `None` when the profile leaves it out or sets it `off`.
    pub fn rule(&self, id: RuleId) -> Option<&RuleConfig> {
        let r = match id {
            RuleId::PreConsentAccess => &self.rules.pre_consent_access,
            RuleId::AtConsentAccess => &self.rules.at_consent_access,
            RuleId::AccessAfterReject => &self.rules.access_after_reject,
            RuleId::PermissionPromptBeforeConsent => &self.rules.permission_prompt_before_consent,
            RuleId::NoConsentScreen => &self.rules.no_consent_screen,
            RuleId::TrackerContactBeforeConsent => &self.rules.tracker_contact_before_consent,
            RuleId::TrackerContactAfterReject => &self.rules.tracker_contact_after_reject,
            RuleId::TransmissionBeforeConsent => &self.rules.transmission_before_consent,
        };
        r.as_ref().filter(|c| c.severity != Level::Off)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profiles_load_and_enable_every_rule() {
        for name in Profile::builtin_names() {
            let p = Profile::builtin(name).unwrap();
            assert_eq!(p.name, name);
            assert!(!p.basis.is_empty());
            for id in RuleId::ALL {
                assert!(p.rule(id).is_some(), "{name} leaves {id} off");
            }
        }
    }

    #[test]
    fn severities_follow_category_overrides_and_denied_severity() {
        let gdpr = Profile::builtin("gdpr").unwrap();
        let pre = gdpr.rule(RuleId::PreConsentAccess).unwrap();
        assert_eq!(
            pre.severity_for(Some(DataCategory::DeviceIdentifiers), false),
            Some(Severity::High)
        );
        assert_eq!(
            pre.severity_for(Some(DataCategory::InstalledApps), false),
            Some(Severity::Medium)
        );
        assert_eq!(
            pre.severity_for(Some(DataCategory::DeviceIdentifiers), true),
            Some(Severity::Medium)
        );
        let miit = Profile::builtin("cn-miit").unwrap();
        let pre = miit.rule(RuleId::PreConsentAccess).unwrap();
        assert_eq!(
            pre.severity_for(Some(DataCategory::DeviceIdentifiers), true),
            Some(Severity::High)
        );
        assert_eq!(
            pre.severity_for(Some(DataCategory::Sensors), false),
            Some(Severity::Medium)
        );
        assert_eq!(
            gdpr.rule(RuleId::PermissionPromptBeforeConsent)
                .unwrap()
                .severity_for(None, false),
            Some(Severity::Info)
        );
    }

    #[test]
    fn an_off_category_silences_even_denied_attempts() {
        let p = Profile::from_toml_str(
            "name = \"x\"\ntitle = \"x\"\n[rules.pre-consent-access]\nseverity = \"high\"\ndenied_severity = \"low\"\ncategories = { sensors = \"off\" }\n",
            Origin::Builtin,
        )
        .unwrap();
        let r = p.rule(RuleId::PreConsentAccess).unwrap();
        assert_eq!(r.severity_for(Some(DataCategory::Sensors), true), None);
        assert_eq!(
            r.severity_for(Some(DataCategory::Location), true),
            Some(Severity::Low)
        );
        assert!(
            p.rule(RuleId::NoConsentScreen).is_none(),
            "rules left out are off"
        );
    }

    #[test]
    fn required_sources_default_to_the_four_collectors_and_can_be_narrowed() {
        for name in Profile::builtin_names() {
            let p = Profile::builtin(name).unwrap();
            assert_eq!(p.required_sources, DEFAULT_REQUIRED_SOURCES, "{name}");
            assert!(!p.requires(Source::Net), "{name}");
        }
        let p = Profile::from_toml_str("name = \"x\"\ntitle = \"x\"\n", Origin::Builtin).unwrap();
        assert_eq!(p.required_sources, DEFAULT_REQUIRED_SOURCES);
        let p = Profile::from_toml_str(
            "name = \"x\"\ntitle = \"x\"\nrequired_sources = [\"net\", \"logcat\", \"net\"]\n",
            Origin::Builtin,
        )
        .unwrap();
        assert_eq!(p.required_sources, vec![Source::Logcat, Source::Net]);
        assert!(p.requires(Source::Net) && !p.requires(Source::Ipc));
        for bad in ["\"harness\"", "\"radio\""] {
            let e = Profile::from_toml_str(
                &format!("name = \"x\"\ntitle = \"x\"\nrequired_sources = [{bad}]\n"),
                Origin::Builtin,
            )
            .unwrap_err()
            .to_string();
            assert!(e.contains(bad.trim_matches('"')), "{e}");
        }
    }

    #[test]
    fn a_bundle_may_only_name_a_builtin_profile() {
        assert_eq!(Profile::named_in_bundle("gdpr").unwrap().name, "gdpr");
        let dir = tempfile::tempdir().unwrap();
        let lenient = dir.path().join("lenient.toml");
        std::fs::write(&lenient, "name = \"lenient\"\ntitle = \"SECRET-LINE\"\n").unwrap();
        for name in [
            lenient.display().to_string(),
            "./lenient.toml".to_string(),
            "/etc/passwd".to_string(),
            "../x".to_string(),
            "ccpa".to_string(),
            "\u{1b}[31mred".to_string(),
        ] {
            let e = Profile::named_in_bundle(&name).unwrap_err();
            let text = e.to_string();
            assert!(
                matches!(e, ProfileError::NotBuiltinInBundle { .. }),
                "{text}"
            );
            assert!(
                !text.contains("SECRET") && !text.contains("root:"),
                "{text}"
            );
            assert!(
                !text.contains(&name),
                "quotes nothing from the bundle: {text}"
            );
            assert!(text.contains("--profile FILE"), "{text}");
        }
    }

    #[test]
    fn a_profile_carries_the_sha256_of_its_text() {
        let text = "name = \"x\"\ntitle = \"x\"\n";
        let p = Profile::from_toml_str(text, Origin::Builtin).unwrap();
        assert_eq!(p.sha256, prior_model::bundle::sha256_bytes(text.as_bytes()));
        assert_eq!(p.sha256.len(), 64);
        let a = Profile::builtin("cn-miit").unwrap().sha256;
        assert_ne!(a, Profile::builtin("gdpr").unwrap().sha256);
    }

    #[test]
    fn unknown_names_and_bad_files_are_errors() {
        let e = Profile::builtin("ccpa").unwrap_err().to_string();
        assert!(e.contains("ccpa") && e.contains("cn-miit"), "{e}");
        let e = Profile::from_toml_str(
            "name = \"x\"\ntitle = \"x\"\n[rules.pre-consent]\nseverity = \"high\"\n",
            Origin::Builtin,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("pre-consent"), "{e}");
        let e = Profile::from_toml_str(
            "name = \"x\"\ntitle = \"x\"\n[rules.no-consent-screen]\nseverity = \"severe\"\n",
            Origin::Builtin,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("severe"), "{e}");
    }
}
