//! The plan of a campaign (`campaign.json`): its apps and scenarios with stable ids, and this
//! shard's pairs, app-major.

use crate::file::{AppEntry, CampaignFile};
use crate::shard::{Shard, ShardSource};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The version of `campaign.json`.
pub const PLAN_FORMAT: u32 = 1;

/// `campaign.json`.
///
/// `prior campaign run` writes it and `prior campaign merge` reads it, with this one type.
/// Reading is lenient where an older or hand-trimmed plan may differ: unknown fields are
/// ignored, `campaign_file` may be absent, and `shard` may be absent or `null` (the whole
/// campaign).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// [`PLAN_FORMAT`].
    pub format: u32,
    /// The campaign's `name`.
    pub name: String,
    /// The campaign file, as given on the command line (empty when a plan lacks it).
    #[serde(default)]
    pub campaign_file: String,
    /// sha256 of the campaign file's bytes.
    pub campaign_sha256: String,
    /// Which share of the campaign this directory holds (absent or `null`: the whole
    /// campaign).
    #[serde(default, deserialize_with = "shard_or_whole")]
    pub shard: ShardInfo,
    /// Every app of the campaign (all shards), in campaign order.
    pub apps: Vec<PlanApp>,
    /// Every scenario, in campaign order.
    pub scenarios: Vec<PlanScenario>,
    /// This shard's pairs, app-major.
    pub pairs: Vec<PlanPair>,
}

/// `campaign.json`'s `shard`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// 1-based.
    pub index: u32,
    /// Number of shards.
    pub total: u32,
    /// Where the shard came from (absent: `none`).
    #[serde(default = "no_source")]
    pub source: ShardSource,
}

fn no_source() -> ShardSource {
    ShardSource::None
}

impl Default for ShardInfo {
    /// The whole campaign: shard 1 of 1.
    fn default() -> ShardInfo {
        Shard::ALL.into()
    }
}

/// `shard` of a plan: `null` reads as the whole campaign, as an absent one does.
fn shard_or_whole<'de, D: serde::Deserializer<'de>>(d: D) -> Result<ShardInfo, D::Error> {
    Ok(Option::<ShardInfo>::deserialize(d)?.unwrap_or_default())
}

impl From<Shard> for ShardInfo {
    fn from(s: Shard) -> ShardInfo {
        ShardInfo {
            index: s.index,
            total: s.total,
            source: s.source,
        }
    }
}

/// One app of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanApp {
    /// 0-based, in campaign order.
    pub index: usize,
    /// Unique id: lowercase `[a-z0-9-]` of the APK's file stem, `-2`, `-3`… on collisions.
    pub slug: String,
    /// The APK's path (absolute when the campaign file's directory could be resolved).
    pub apk: String,
    /// sha256 of the APK, when it could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apk_sha256: Option<String>,
    /// The app's name from the campaign file or CSV.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its developer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub developer: Option<String>,
    /// Its store URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_url: Option<String>,
    /// Other CSV columns.
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
}

/// One scenario of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanScenario {
    /// 0-based, in campaign order.
    pub index: usize,
    /// Unique id: the slug of the file stem (`-2`… on collisions).
    pub stem: String,
    /// The scenario file.
    pub path: String,
}

/// One (app, scenario) pair.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PlanPair {
    /// `<app-slug>--<scenario-stem>`: the directory `pairs/<id>/`.
    pub id: String,
    /// The app's index.
    pub app: usize,
    /// The scenario's index.
    pub scenario: usize,
}

/// Lowercase ASCII letters and digits of `text`, every other run of characters one `-`, no
/// `-` at either end; `app` when nothing is left. Safe as a path component.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    // Bounded: a path component stays far below NAME_MAX with the scenario stem added.
    if out.len() > 80 {
        out.truncate(80);
        while out.ends_with('-') {
            out.pop();
        }
    }
    if out.is_empty() {
        out.push_str("app");
    }
    out
}

/// Slugs of `stems`, in order, made unique by `-2`, `-3`… (the first keeps its slug).
fn unique_slugs<'a>(stems: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for s in stems {
        let base = slug(s);
        let mut candidate = base.clone();
        let mut n = 2;
        while seen.contains(&candidate) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        seen.insert(candidate.clone());
        out.push(candidate);
    }
    out
}

fn stem_of(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl Plan {
    /// The plan of `file` with its `apps` for `shard`. `hash` gives an APK's sha256 (None when
    /// it cannot be read); the CLI passes `prior_apk::sha256_file`.
    pub fn build(
        file: &CampaignFile,
        apps: &[AppEntry],
        shard: Shard,
        hash: impl Fn(&Path) -> Option<String>,
    ) -> Plan {
        let app_stems: Vec<String> = apps.iter().map(|a| stem_of(&a.apk)).collect();
        let slugs = unique_slugs(app_stems.iter().map(String::as_str));
        let plan_apps: Vec<PlanApp> = apps
            .iter()
            .zip(slugs)
            .enumerate()
            .map(|(index, (a, slug))| PlanApp {
                index,
                slug,
                apk: std::path::absolute(&a.apk)
                    .unwrap_or_else(|_| a.apk.clone())
                    .display()
                    .to_string(),
                apk_sha256: if shard.takes(index) {
                    hash(&a.apk)
                } else {
                    None
                },
                name: a.name.clone(),
                developer: a.developer.clone(),
                store_url: a.store_url.clone(),
                extra: a.extra.clone(),
            })
            .collect();
        let sc_stems: Vec<String> = file.scenarios.iter().map(|s| stem_of(&s.path)).collect();
        let stems = unique_slugs(sc_stems.iter().map(String::as_str));
        let scenarios: Vec<PlanScenario> = file
            .scenarios
            .iter()
            .zip(stems)
            .enumerate()
            .map(|(index, (s, stem))| PlanScenario {
                index,
                stem,
                path: std::path::absolute(&s.path)
                    .unwrap_or_else(|_| s.path.clone())
                    .display()
                    .to_string(),
            })
            .collect();
        let mut pairs = Vec::new();
        for app in plan_apps.iter().filter(|a| shard.takes(a.index)) {
            for sc in &scenarios {
                pairs.push(PlanPair {
                    id: format!("{}--{}", app.slug, sc.stem),
                    app: app.index,
                    scenario: sc.index,
                });
            }
        }
        Plan {
            format: PLAN_FORMAT,
            name: file.name.clone(),
            campaign_file: file.path.display().to_string(),
            campaign_sha256: file.sha256.clone(),
            shard: shard.into(),
            apps: plan_apps,
            scenarios,
            pairs,
        }
    }

    /// The app of `pair`.
    pub fn app(&self, pair: &PlanPair) -> Option<&PlanApp> {
        self.apps.get(pair.app)
    }

    /// The scenario of `pair`.
    pub fn scenario(&self, pair: &PlanPair) -> Option<&PlanScenario> {
        self.scenarios.get(pair.scenario)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::{AppsSpec, ScenarioRef};
    use std::path::PathBuf;

    fn file(scenarios: &[&str]) -> CampaignFile {
        CampaignFile {
            path: "/c/camp.yaml".into(),
            sha256: "abc".into(),
            name: "Sweep".into(),
            apps: AppsSpec::Dir("/c".into()),
            scenarios: scenarios
                .iter()
                .map(|s| ScenarioRef {
                    path: PathBuf::from("/c").join(s),
                    line: None,
                })
                .collect(),
            profile: None,
            devices: None,
        }
    }

    fn apps(names: &[&str]) -> Vec<AppEntry> {
        names
            .iter()
            .map(|n| AppEntry {
                apk: PathBuf::from("/c/apks").join(n),
                name: None,
                developer: None,
                store_url: None,
                extra: BTreeMap::new(),
                source: None,
            })
            .collect()
    }

    #[test]
    fn slugs_are_safe_path_components() {
        assert_eq!(slug("Leaky_Shop v2.1"), "leaky-shop-v2-1");
        assert_eq!(slug("--A--"), "a");
        assert_eq!(slug("淘宝"), "app");
        assert_eq!(slug("../../etc"), "etc");
        assert!(slug(&"x".repeat(500)).len() <= 80);
    }

    #[test]
    fn pairs_are_app_major_with_unique_ids() {
        let f = file(&["accept.yaml", "other/accept.yaml", "reject.yaml"]);
        let plan = Plan::build(
            &f,
            &apps(&["Shop.apk", "shop.apk", "news.apk"]),
            Shard::ALL,
            |_| Some("h".into()),
        );
        let ids: Vec<&str> = plan.pairs.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "shop--accept",
                "shop--accept-2",
                "shop--reject",
                "shop-2--accept",
                "shop-2--accept-2",
                "shop-2--reject",
                "news--accept",
                "news--accept-2",
                "news--reject",
            ]
        );
        assert_eq!((plan.pairs[4].app, plan.pairs[4].scenario), (1, 1));
        assert_eq!(plan.shard.source, ShardSource::None);
        assert_eq!(plan.apps[2].apk, "/c/apks/news.apk");
        assert_eq!(plan.apps[2].apk_sha256.as_deref(), Some("h"));
        // The JSON round-trips.
        let json = serde_json::to_string(&plan).unwrap();
        assert_eq!(serde_json::from_str::<Plan>(&json).unwrap(), plan);
        assert!(json.contains("\"source\":\"none\""), "{json}");
    }

    #[test]
    fn shards_cover_exactly_the_unsharded_pairs_balanced_and_stable() {
        let f = file(&["a.yaml", "b.yaml"]);
        let names: Vec<String> = (0..17).map(|i| format!("app{i}.apk")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let all = Plan::build(&f, &apps(&refs), Shard::ALL, |_| None).pairs;
        for total in 1..=5u32 {
            let mut union = Vec::new();
            let mut sizes = Vec::new();
            for index in 1..=total {
                let shard = Shard {
                    index,
                    total,
                    source: ShardSource::Flag,
                };
                let p = Plan::build(&f, &apps(&refs), shard, |_| None);
                sizes.push(p.pairs.len() / 2);
                // All scenarios of an app stay in one shard.
                for pair in &p.pairs {
                    assert!(shard.takes(pair.app));
                }
                union.extend(p.pairs);
            }
            union.sort_by_key(|p| (p.app, p.scenario));
            assert_eq!(union, all, "{total} shards");
            let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            assert!(max - min <= 1, "{sizes:?}");
        }
        // Adding apps at the end moves no pair to another shard.
        let shard = Shard {
            index: 2,
            total: 3,
            source: ShardSource::Flag,
        };
        let before = Plan::build(&f, &apps(&refs[..10]), shard, |_| None).pairs;
        let after = Plan::build(&f, &apps(&refs), shard, |_| None).pairs;
        assert_eq!(after[..before.len()], before[..]);
    }
}
