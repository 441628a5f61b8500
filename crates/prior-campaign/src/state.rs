//! The campaign directory (`docs/campaigns.md`, "The campaign directory"): `campaign.json`,
//! `pairs/<pair-id>/<bundle>/`, `campaign.log.jsonl`. Which pairs are done, and the attempt log.

use crate::plan::{Plan, PlanPair};
use prior_model::bundle::{Bundle, RecordingState};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The plan file in a campaign directory.
pub const PLAN_FILE: &str = "campaign.json";
/// The attempt log in a campaign directory.
pub const LOG_FILE: &str = "campaign.log.jsonl";
/// The directory of pairs in a campaign directory.
pub const PAIRS_DIR: &str = "pairs";

/// A campaign directory that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// A file operation failed.
    #[error("{}: {message}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The directory holds another campaign's (or another shard's) plan.
    #[error(
        "{}: this directory holds the plan of {what}; resuming here would mix two campaigns. \
         Use another --out, or pass --force-new-plan to keep its bundles and continue with \
         the new plan (the old plan is kept as {kept})",
        path.display()
    )]
    PlanMismatch {
        /// `campaign.json`.
        path: PathBuf,
        /// What differs, in words.
        what: String,
        /// Where the old plan would be kept.
        kept: String,
    },
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> StateError + '_ {
    move |e| StateError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// How one attempt at a pair ended (`campaign.log.jsonl` `outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// A complete, sealed bundle.
    Complete,
    /// A bundle was written but the session is incomplete.
    Incomplete,
    /// No usable bundle: the pair could not be started or its device died.
    Failed,
}

/// One line of `campaign.log.jsonl`: one attempt at one pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// The pair id.
    pub pair: String,
    /// 1 for the first attempt of this run, 2 for its retry on another device.
    pub attempt: u32,
    /// The device (serial, or `simulated-N`).
    pub device: String,
    /// Host time the attempt started, µs since the epoch.
    pub started_host_us: i64,
    /// Host time it ended.
    pub ended_host_us: i64,
    /// How it ended.
    pub outcome: AttemptOutcome,
    /// Why it is not complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The bundle, relative to the campaign directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
}

/// What a campaign directory holds for one pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PairState {
    /// A done bundle (the newest one).
    Done {
        /// Its directory.
        bundle: PathBuf,
    },
    /// Bundles, none done.
    Incomplete {
        /// How many.
        bundles: usize,
        /// Why the newest is not done.
        reason: String,
    },
    /// No bundle at all.
    NotRun,
}

/// Why the bundle at `dir` is not DONE, or `None` when it is: its `meta.json` says complete, it
/// opens with nothing incomplete, its MANIFEST verifies, and — when both are known — it was
/// recorded from the APK with sha256 `apk_sha256` (an APK replaced since is run again).
pub fn not_done_reason(dir: &Path, apk_sha256: Option<&str>) -> Option<String> {
    let bundle = match Bundle::open(dir) {
        Ok(b) => b,
        Err(e) => return Some(format!("cannot be read: {e}")),
    };
    if bundle.meta.status.state != RecordingState::Complete || !bundle.is_complete() {
        return Some(
            bundle
                .incomplete
                .first()
                .cloned()
                .unwrap_or_else(|| "the recording is not complete".to_string()),
        );
    }
    if !bundle.integrity.is_intact() {
        return Some("its MANIFEST.sha256 does not verify".to_string());
    }
    if let (Some(want), Some(got)) = (apk_sha256, bundle.meta.app.apk_sha256.as_deref())
        && want != got
    {
        return Some(format!(
            "it was recorded from another APK (sha256 {got}, the campaign's is {want})"
        ));
    }
    None
}

/// True when the bundle at `dir` is DONE (see [`not_done_reason`]).
pub fn bundle_is_done(dir: &Path, apk_sha256: Option<&str>) -> bool {
    not_done_reason(dir, apk_sha256).is_none()
}

/// The bundles of a pair directory, oldest first (by `meta.started_host_us`, then name;
/// unreadable ones first).
pub fn bundles_of(pair_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(pair_dir) else {
        return Vec::new();
    };
    let mut found: Vec<(i64, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| {
            let p = e.path();
            let started = Bundle::open(&p)
                .map(|b| b.meta.started_host_us)
                .unwrap_or(i64::MIN);
            (started, p)
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, p)| p).collect()
}

/// An open campaign directory.
#[derive(Debug)]
pub struct CampaignDir {
    root: PathBuf,
    plan: Plan,
    log: Mutex<()>,
}

impl CampaignDir {
    /// Opens (creating it if needed) the campaign directory `root` for `plan`. An existing
    /// `campaign.json` of another campaign file (sha256) or another shard is refused unless
    /// `force_new_plan`, which renames it to `campaign.old-N.json` and keeps every bundle.
    pub fn open(root: &Path, plan: Plan, force_new_plan: bool) -> Result<CampaignDir, StateError> {
        fs_err::create_dir_all(root.join(PAIRS_DIR)).map_err(io_err(root))?;
        let plan_path = root.join(PLAN_FILE);
        if plan_path.exists() {
            let old: Option<Plan> = std::fs::read(&plan_path)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok());
            let what = match &old {
                None => Some("an unreadable or older campaign.json".to_string()),
                Some(o) if o.campaign_sha256 != plan.campaign_sha256 => Some(format!(
                    "another campaign file ({}, sha256 {}…; this one is {}…)",
                    o.campaign_file,
                    o.campaign_sha256.get(..12).unwrap_or(&o.campaign_sha256),
                    plan.campaign_sha256
                        .get(..12)
                        .unwrap_or(&plan.campaign_sha256)
                )),
                Some(o)
                    if (o.shard.index, o.shard.total) != (plan.shard.index, plan.shard.total) =>
                {
                    Some(format!(
                        "shard {}/{} (this run is shard {}/{})",
                        o.shard.index, o.shard.total, plan.shard.index, plan.shard.total
                    ))
                }
                Some(_) => None,
            };
            if let Some(what) = what {
                let kept = (1..)
                    .map(|n| root.join(format!("campaign.old-{n}.json")))
                    .find(|p| !p.exists())
                    .unwrap_or_else(|| root.join("campaign.old.json"));
                if !force_new_plan {
                    return Err(StateError::PlanMismatch {
                        path: plan_path,
                        what,
                        kept: kept.display().to_string(),
                    });
                }
                fs_err::rename(&plan_path, &kept).map_err(io_err(&plan_path))?;
            }
        }
        write_atomic(&plan_path, &plan_json(&plan))?;
        Ok(CampaignDir {
            root: root.to_path_buf(),
            plan,
            log: Mutex::new(()),
        })
    }

    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// `pairs/<id>/`.
    pub fn pair_dir(&self, pair: &PlanPair) -> PathBuf {
        self.root.join(PAIRS_DIR).join(&pair.id)
    }

    /// What the directory holds for `pair`.
    pub fn pair_state(&self, pair: &PlanPair) -> PairState {
        let sha = self.plan.app(pair).and_then(|a| a.apk_sha256.as_deref());
        let bundles = bundles_of(&self.pair_dir(pair));
        let mut newest_reason = None;
        for b in bundles.iter().rev() {
            match not_done_reason(b, sha) {
                None => return PairState::Done { bundle: b.clone() },
                Some(r) => {
                    if newest_reason.is_none() {
                        newest_reason = Some(r);
                    }
                }
            }
        }
        match newest_reason {
            Some(reason) => PairState::Incomplete {
                bundles: bundles.len(),
                reason,
            },
            None => PairState::NotRun,
        }
    }

    /// Appends one line to `campaign.log.jsonl` (one `write` per line, under a lock).
    pub fn log(&self, line: &LogLine) -> Result<(), StateError> {
        let path = self.root.join(LOG_FILE);
        let _guard = self.log.lock().unwrap_or_else(|p| p.into_inner());
        let mut text = serde_json::to_string(line).map_err(|e| StateError::Io {
            path: path.clone(),
            message: e.to_string(),
        })?;
        text.push('\n');
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io_err(&path))?;
        f.write_all(text.as_bytes()).map_err(io_err(&path))?;
        f.flush().map_err(io_err(&path))
    }

    /// The log's lines (unreadable lines skipped).
    pub fn read_log(&self) -> Vec<LogLine> {
        read_log(&self.root)
    }
}

/// The lines of `DIR/campaign.log.jsonl` (unreadable lines skipped).
pub fn read_log(root: &Path) -> Vec<LogLine> {
    std::fs::read_to_string(root.join(LOG_FILE))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn plan_json(plan: &Plan) -> String {
    let mut s = serde_json::to_string_pretty(plan).unwrap_or_default();
    s.push('\n');
    s
}

fn write_atomic(path: &Path, text: &str) -> Result<(), StateError> {
    let tmp = path.with_extension("json.tmp");
    fs_err::write(&tmp, text).map_err(io_err(&tmp))?;
    fs_err::rename(&tmp, path).map_err(io_err(path))
}
