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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// [`PLAN_FORMAT`].
    pub format: u32,
    /// The campaign's `name`.
    pub name: String,
    /// The campaign file, as given on the command line.
    pub campaign_file: String,
    /// sha256 of the campaign file's bytes.
    pub campaign_sha256: String,
    /// Which share of the campaign this directory holds.
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
    /// Where the shard came from.
    pub source: ShardSource,
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
