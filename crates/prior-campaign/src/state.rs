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

impl AttemptOutcome {
    /// The word in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Complete => "complete",
            AttemptOutcome::Incomplete => "incomplete",
            AttemptOutcome::Failed => "failed",
        }
    }
}

/// One line of `campaign.log.jsonl`: one attempt at one pair.
///
/// `prior campaign run` writes it and `prior campaign merge` reads it, with this one type;
/// only `pair` and `outcome` are required when reading (a trimmed or older line reads with
/// attempt 0, no device and time 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// The pair id.
    pub pair: String,
    /// 1 for the first attempt of this run, 2 for its retry on another device.
    #[serde(default)]
    pub attempt: u32,
    /// The device (serial, or `simulated-N`).
    #[serde(default)]
    pub device: String,
    /// Host time the attempt started, µs since the epoch.
    #[serde(default)]
    pub started_host_us: i64,
    /// Host time it ended.
    #[serde(default)]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{PlanApp, PlanScenario, ShardInfo};
    use crate::shard::ShardSource;
    use prior_model::bundle::{AppInfo, BundleWriter, DeviceInfo, Meta};
    use std::collections::BTreeMap;

    fn plan(sha: &str, shard: (u32, u32)) -> Plan {
        Plan {
            format: crate::PLAN_FORMAT,
            name: "x".into(),
            campaign_file: "c.yaml".into(),
            campaign_sha256: sha.into(),
            shard: ShardInfo {
                index: shard.0,
                total: shard.1,
                source: ShardSource::Flag,
            },
            apps: vec![PlanApp {
                index: 0,
                slug: "a".into(),
                apk: "/a.apk".into(),
                apk_sha256: Some("apk1".into()),
                name: None,
                developer: None,
                store_url: None,
                extra: BTreeMap::new(),
            }],
            scenarios: vec![PlanScenario {
                index: 0,
                stem: "s".into(),
                path: "/s.yaml".into(),
            }],
            pairs: vec![PlanPair {
                id: "a--s".into(),
                app: 0,
                scenario: 0,
            }],
        }
    }

    fn bundle(dir: &Path, started: i64, state: RecordingState, apk: &str) {
        let meta = Meta::new(
            "0",
            started,
            AppInfo {
                package: "com.a".into(),
                apk_sha256: Some(apk.into()),
                ..AppInfo::default()
            },
            DeviceInfo::default(),
        );
        let w = BundleWriter::create(dir, meta).unwrap();
        let reason = (state != RecordingState::Complete).then(|| "the app crashed".to_string());
        w.finish(started + 1, state, reason).unwrap();
    }

    #[test]
    fn a_pair_is_done_only_with_a_complete_sealed_bundle_of_the_plans_apk() {
        let root = tempfile::tempdir().unwrap();
        let dir = CampaignDir::open(root.path(), plan("c1", (1, 1)), false).unwrap();
        let pair = dir.plan().pairs[0].clone();
        assert_eq!(dir.pair_state(&pair), PairState::NotRun);
        let pd = dir.pair_dir(&pair);
        bundle(&pd.join("b1"), 10, RecordingState::Incomplete, "apk1");
        let PairState::Incomplete { bundles, reason } = dir.pair_state(&pair) else {
            panic!()
        };
        assert_eq!((bundles, reason.as_str()), (1, "the app crashed"));
        // Complete, but from another APK: not done.
        bundle(&pd.join("b2"), 20, RecordingState::Complete, "apk0");
        let PairState::Incomplete { reason, .. } = dir.pair_state(&pair) else {
            panic!()
        };
        assert!(reason.contains("another APK"), "{reason}");
        bundle(&pd.join("b3"), 30, RecordingState::Complete, "apk1");
        assert_eq!(
            dir.pair_state(&pair),
            PairState::Done {
                bundle: pd.join("b3")
            }
        );
        // Oldest first, by the recording's start time.
        std::fs::rename(pd.join("b1"), pd.join("z1")).unwrap();
        let names: Vec<_> = bundles_of(&pd)
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["z1", "b2", "b3"]);
        // A tampered file: the manifest no longer verifies.
        std::fs::write(pd.join("b3/harness.jsonl"), b"{}\n").unwrap();
        assert!(!bundle_is_done(&pd.join("b3"), Some("apk1")));
        assert!(matches!(
            dir.pair_state(&pair),
            PairState::Incomplete { bundles: 3, .. }
        ));
    }

    #[test]
    fn another_plan_is_refused_unless_forced_and_the_log_appends() {
        let root = tempfile::tempdir().unwrap();
        let dir = CampaignDir::open(root.path(), plan("c1", (1, 2)), false).unwrap();
        let line = LogLine {
            pair: "a--s".into(),
            attempt: 1,
            device: "d".into(),
            started_host_us: 1,
            ended_host_us: 2,
            outcome: AttemptOutcome::Failed,
            reason: Some("x".into()),
            bundle: None,
        };
        dir.log(&line).unwrap();
        dir.log(&line).unwrap();
        assert_eq!(dir.read_log(), vec![line.clone(), line]);
        drop(dir);
        // The same plan resumes.
        CampaignDir::open(root.path(), plan("c1", (1, 2)), false).unwrap();
        for other in [plan("c2", (1, 2)), plan("c1", (2, 2))] {
            let e = CampaignDir::open(root.path(), other, false).unwrap_err();
            assert!(matches!(e, StateError::PlanMismatch { .. }), "{e}");
        }
        let forced = CampaignDir::open(root.path(), plan("c2", (1, 2)), true).unwrap();
        assert_eq!(forced.plan().campaign_sha256, "c2");
        assert!(root.path().join("campaign.old-1.json").is_file());
        assert_eq!(read_log(root.path()).len(), 2, "the log is kept");
    }
}
