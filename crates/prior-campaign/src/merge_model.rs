//! What `prior campaign merge` reads of a campaign directory (CAMPAIGN-CONTRACT, issue 17):
//! the plan `campaign.json` and the attempt log `campaign.log.jsonl`, read leniently (unknown
//! fields are ignored, optional ones may be absent) so that a merge reads the directories of
//! every `prior campaign run` that writes plan format 1.
//!
//! These are the merge's own reading of the contract types; `plan.rs` and `state.rs` write
//! them. A test in `merge.rs` checks the example in `docs/campaign-reports.md` parses.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The plan format this merge reads.
pub const PLAN_FORMAT: u32 = 1;

/// `campaign.json`: the plan of one shard (or of the whole campaign).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct PlanDoc {
    /// [`PLAN_FORMAT`].
    pub format: u32,
    /// The campaign's name.
    pub name: String,
    /// The campaign file, as given.
    #[serde(default)]
    pub campaign_file: Option<String>,
    /// sha256 of the campaign file: shards of one campaign have the same.
    pub campaign_sha256: String,
    /// Which shard this directory holds.
    #[serde(default)]
    pub shard: Option<ShardDoc>,
    /// Every app of the campaign.
    pub apps: Vec<PlanAppDoc>,
    /// Every scenario of the campaign.
    pub scenarios: Vec<PlanScenarioDoc>,
    /// This shard's pairs.
    pub pairs: Vec<PlanPairDoc>,
}

/// `shard` of `campaign.json`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ShardDoc {
    /// 1-based.
    pub index: u32,
    /// How many shards.
    pub total: u32,
    /// `flag`, `JOB_COMPLETION_INDEX`, `CI_NODE_INDEX` or `none`.
    #[serde(default)]
    pub source: Option<String>,
}

/// One app of the plan.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct PlanAppDoc {
    /// Its index in the campaign file's order.
    pub index: usize,
    /// Its slug (pair ids start with it).
    pub slug: String,
    /// The APK path.
    pub apk: String,
    /// sha256 of the APK, when known.
    #[serde(default)]
    pub apk_sha256: Option<String>,
    /// The app's name (from the campaign file or CSV).
    #[serde(default)]
    pub name: Option<String>,
    /// Its developer.
    #[serde(default)]
    pub developer: Option<String>,
    /// Its store page.
    #[serde(default)]
    pub store_url: Option<String>,
    /// Extra CSV columns, kept.
    #[serde(default)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// One scenario of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct PlanScenarioDoc {
    /// Its index in the campaign file's order.
    pub index: usize,
    /// The file stem (pair ids end with it).
    pub stem: String,
    /// The scenario file.
    pub path: String,
}

/// One pair of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct PlanPairDoc {
    /// `<app-slug>--<scenario-stem>`.
    pub id: String,
    /// App index.
    pub app: usize,
    /// Scenario index.
    pub scenario: usize,
}

/// One line of `campaign.log.jsonl`: one attempt at a pair.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct LogLineDoc {
    /// The pair id.
    pub pair: String,
    /// 1-based attempt number.
    #[serde(default)]
    pub attempt: u32,
    /// The device it ran on.
    #[serde(default)]
    pub device: Option<String>,
    /// Host clock at the start, µs.
    #[serde(default)]
    pub started_host_us: Option<i64>,
    /// Host clock at the end, µs.
    #[serde(default)]
    pub ended_host_us: Option<i64>,
    /// `complete`, `incomplete` or `failed`.
    pub outcome: String,
    /// Why it was not complete.
    #[serde(default)]
    pub reason: Option<String>,
    /// The bundle directory it wrote, when it wrote one.
    #[serde(default)]
    pub bundle: Option<String>,
}
