//! `prior campaign merge`: collect the campaign directories of one campaign's shards and pick
//! one bundle per pair (`docs/campaigns.md`, "Which bundle stands for a pair").
//!
//! The pick, for each pair of the campaign (every app × every scenario, app-major):
//! 1. the newest bundle that is **done**: its recording is complete and its `MANIFEST.sha256`
//!    verifies (state [`PairState::Done`]);
//! 2. else the newest bundle whose files are not altered (its manifest, when there is one,
//!    verifies: an interrupted recording): [`PairState::Incomplete`], with its reasons;
//! 3. else the newest bundle at all, altered: [`PairState::Tampered`] (the analyzer refuses it,
//!    as `prior analyze` does without `--allow-modified`);
//! 4. no bundle: [`PairState::NotRun`], with the attempt log's last reason when there is one.
//!
//! Every altered bundle and every directory that is not a readable bundle is listed in
//! [`PairPick::rejected`] with its reason, whether or not another bundle was picked: a
//! tampered bundle is reported, never silently used or silently dropped.
//!
//! A bundle recorded from another APK than the plan's (`apk_sha256` of both known and
//! different) is rejected and never used: it is evidence about another app.
//!
//! "Newest" is the bundle's `meta.started_host_us`, ties broken by the directory name.
//! Nothing here follows a symbolic link: a link under `pairs/` is rejected as such.

use crate::plan::{PLAN_FORMAT, Plan, PlanApp, PlanScenario};
use crate::state::LogLine;
use prior_model::bundle::Bundle;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The plan file in a campaign directory.
pub const PLAN_FILE: &str = "campaign.json";
/// The attempt log in a campaign directory.
pub const LOG_FILE: &str = "campaign.log.jsonl";
/// The directory of pairs in a campaign directory.
pub const PAIRS_DIR: &str = "pairs";
/// Largest `campaign.json` read (a plan of 100 000 pairs is about 10 MiB).
pub const MAX_PLAN_BYTES: u64 = 64 << 20;
/// Largest `campaign.log.jsonl` read.
pub const MAX_LOG_BYTES: u64 = 256 << 20;

/// Why a merge cannot proceed.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// No directory given.
    #[error("merge no campaign directory: give at least one")]
    NoDirs,
    /// A file could not be read.
    #[error("read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is too big to be what it claims.
    #[error("read {path}: {size} bytes is more than the {cap} a {what} may have")]
    TooBig {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The cap.
        cap: u64,
        /// What it is.
        what: &'static str,
    },
    /// `campaign.json` is not a plan.
    #[error("read {path}: not a campaign plan: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A plan format this merge does not know.
    #[error(
        "read {path}: plan format {found} is not supported (this Prior reads format {PLAN_FORMAT})"
    )]
    Format {
        /// The file.
        path: PathBuf,
        /// Its format.
        found: u32,
    },
    /// Two directories are shards of different campaigns.
    #[error(
        "merge {a} and {b}: they are not shards of the same campaign (campaign_sha256 {a_sha} \
         and {b_sha}); merge each campaign on its own"
    )]
    DifferentCampaign {
        /// The first directory.
        a: PathBuf,
        /// Its campaign file's sha256.
        a_sha: String,
        /// The other directory.
        b: PathBuf,
        /// Its campaign file's sha256.
        b_sha: String,
    },
    /// Two plans of one campaign disagree, or a plan contradicts itself.
    #[error("merge {path}: {message}")]
    Inconsistent {
        /// The plan.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// How a pair stands after the merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PairState {
    /// A complete bundle whose manifest verifies.
    Done,
    /// Only bundles of recordings that did not finish (or were never sealed).
    Incomplete,
    /// Only bundles whose files do not match their manifest (or are irregular).
    Tampered,
    /// No bundle at all.
    NotRun,
}

impl PairState {
    /// The name used in JSON, CSV and JUnit (`done`, `incomplete`, `tampered`, `not_run`).
    pub fn as_str(self) -> &'static str {
        match self {
            PairState::Done => "done",
            PairState::Incomplete => "incomplete",
            PairState::Tampered => "tampered",
            PairState::NotRun => "not_run",
        }
    }
}

/// A bundle directory not used as it stands, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The directory.
    pub path: PathBuf,
    /// Why, in words.
    pub reason: String,
}

/// One pair of the merged campaign.
#[derive(Debug, Clone)]
pub struct PairPick {
    /// `<app-slug>--<scenario-stem>`.
    pub id: String,
    /// App index.
    pub app: usize,
    /// Scenario index.
    pub scenario: usize,
    /// How it stands.
    pub state: PairState,
    /// The bundle that stands for it (none when not run).
    pub bundle: Option<PathBuf>,
    /// Why it is not done (empty when done).
    pub reasons: Vec<String>,
    /// Bundles and entries not used as they stand.
    pub rejected: Vec<Rejected>,
    /// How many bundles were found for the pair.
    pub bundles_found: usize,
    /// How many attempts the logs record.
    pub attempts: usize,
}

/// A shard directory that was merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardSeen {
    /// The directory.
    pub dir: PathBuf,
    /// Its shard index and total (`None`: the plan has no shard, the whole campaign).
    pub shard: Option<(u32, u32)>,
    /// How many pairs its plan lists.
    pub pairs: usize,
}

/// The merged campaign.
#[derive(Debug, Clone)]
pub struct Collected {
    /// The campaign's name.
    pub name: String,
    /// sha256 of the campaign file.
    pub campaign_sha256: String,
    /// Every app, by index.
    pub apps: Vec<PlanApp>,
    /// Every scenario, by index.
    pub scenarios: Vec<PlanScenario>,
    /// Every pair (app-major).
    pub pairs: Vec<PairPick>,
    /// The directories merged.
    pub shards: Vec<ShardSeen>,
    /// Things a reader should know (a shard missing, unreadable log lines).
    pub warnings: Vec<String>,
}

fn read_capped(path: &Path, cap: u64, what: &'static str) -> Result<Option<Vec<u8>>, MergeError> {
    let md = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(MergeError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if !md.file_type().is_file() {
        return Err(MergeError::Malformed {
            path: path.to_path_buf(),
            message: "not a regular file".into(),
        });
    }
    if md.len() > cap {
        return Err(MergeError::TooBig {
            path: path.to_path_buf(),
            size: md.len(),
            cap,
            what,
        });
    }
    std::fs::read(path)
        .map(Some)
        .map_err(|source| MergeError::Read {
            path: path.to_path_buf(),
            source,
        })
}

/// Reads a directory's plan.
pub fn read_plan(dir: &Path) -> Result<Plan, MergeError> {
    let path = dir.join(PLAN_FILE);
    let bytes =
        read_capped(&path, MAX_PLAN_BYTES, "campaign plan")?.ok_or_else(|| MergeError::Read {
            path: path.clone(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no campaign.json: not a campaign directory",
            ),
        })?;
    let v: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| MergeError::Malformed {
            path: path.clone(),
            message: e.to_string(),
        })?;
    let format = v.get("format").and_then(|f| f.as_u64()).unwrap_or(0);
    if format != u64::from(PLAN_FORMAT) {
        return Err(MergeError::Format {
            path,
            found: u32::try_from(format).unwrap_or(u32::MAX),
        });
    }
    let plan: Plan = serde_json::from_value(v).map_err(|e| MergeError::Malformed {
        path: path.clone(),
        message: e.to_string(),
    })?;
    for p in &plan.pairs {
        if !safe_component(&p.id) {
            return Err(MergeError::Inconsistent {
                path,
                message: format!("pair id {:?} is not a plain directory name", p.id),
            });
        }
        if p.app >= plan.apps.len() || p.scenario >= plan.scenarios.len() {
            return Err(MergeError::Inconsistent {
                path,
                message: format!("pair {:?} names an app or scenario the plan lacks", p.id),
            });
        }
    }
    for (i, a) in plan.apps.iter().enumerate() {
        if a.index != i {
            return Err(MergeError::Inconsistent {
                path,
                message: format!("app {:?} has index {} at position {i}", a.slug, a.index),
            });
        }
    }
    for (i, s) in plan.scenarios.iter().enumerate() {
        if s.index != i {
            return Err(MergeError::Inconsistent {
                path,
                message: format!(
                    "scenario {:?} has index {} at position {i}",
                    s.stem, s.index
                ),
            });
        }
    }
    Ok(plan)
}

/// A pair id usable as one directory name: letters, digits, `-`, `_`, `.`, not starting with
/// a dot, at most 255 bytes.
pub fn safe_component(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && !s.starts_with('.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The attempt log's lines, by pair (unreadable lines counted in `bad`).
fn read_log(dir: &Path, bad: &mut usize) -> Result<BTreeMap<String, Vec<LogLine>>, MergeError> {
    let mut out: BTreeMap<String, Vec<LogLine>> = BTreeMap::new();
    let Some(bytes) = read_capped(&dir.join(LOG_FILE), MAX_LOG_BYTES, "campaign log")? else {
        return Ok(out);
    };
    for line in bytes.split(|b| *b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<LogLine>(line) {
            Ok(l) => out.entry(l.pair.clone()).or_default().push(l),
            Err(_) => *bad += 1,
        }
    }
    Ok(out)
}

/// Merges the campaign directories `dirs` (shards of one campaign, or one whole campaign).
pub fn collect(dirs: &[PathBuf]) -> Result<Collected, MergeError> {
    let Some(first_dir) = dirs.first() else {
        return Err(MergeError::NoDirs);
    };
    let mut plans = Vec::new();
    for d in dirs {
        plans.push((d.clone(), read_plan(d)?));
    }
    let (_, first) = &plans[0];
    let mut apps: Vec<PlanApp> = first.apps.clone();
    let scenarios: Vec<PlanScenario> = first.scenarios.clone();
    let mut warnings = Vec::new();
    for (d, p) in &plans[1..] {
        if p.campaign_sha256 != first.campaign_sha256 {
            return Err(MergeError::DifferentCampaign {
                a: first_dir.clone(),
                a_sha: first.campaign_sha256.clone(),
                b: d.clone(),
                b_sha: p.campaign_sha256.clone(),
            });
        }
        let same_apps = p.apps.len() == apps.len()
            && p.apps
                .iter()
                .zip(&apps)
                .all(|(x, y)| x.slug == y.slug && x.apk == y.apk);
        if !same_apps || p.scenarios != scenarios {
            return Err(MergeError::Inconsistent {
                path: d.join(PLAN_FILE),
                message: format!(
                    "its apps or scenarios differ from those of {} although the campaign file is \
                     the same",
                    first_dir.join(PLAN_FILE).display()
                ),
            });
        }
        // Facts one shard knows and another not (an APK hash): keep what is known.
        for (a, b) in apps.iter_mut().zip(&p.apps) {
            if a.apk_sha256.is_none() {
                a.apk_sha256.clone_from(&b.apk_sha256);
            }
        }
    }
    // Shards: which were merged, and which of a total are missing.
    let mut shards = Vec::new();
    let mut totals = std::collections::BTreeSet::new();
    let mut seen_idx = std::collections::BTreeSet::new();
    for (d, p) in &plans {
        let sh = Some(p.shard)
            .filter(|s| s.total > 1)
            .map(|s| (s.index, s.total));
        if let Some((i, t)) = sh {
            totals.insert(t);
            if !seen_idx.insert(i) {
                warnings.push(format!("shard {i}/{t} is given twice ({})", d.display()));
            }
        } else {
            totals.insert(1);
            seen_idx.insert(1);
        }
        shards.push(ShardSeen {
            dir: d.clone(),
            shard: sh,
            pairs: p.pairs.len(),
        });
    }
    if totals.len() > 1 {
        warnings.push(format!(
            "the directories were sharded differently ({} shards): pairs may be counted once per \
             directory that holds them",
            totals
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(" and ")
        ));
    } else if let Some(&t) = totals.iter().next() {
        let missing: Vec<String> = (1..=t)
            .filter(|i| !seen_idx.contains(i))
            .map(|i| format!("{i}/{t}"))
            .collect();
        if !missing.is_empty() {
            warnings.push(format!(
                "shards not merged: {} (their pairs are counted as not run)",
                missing.join(", ")
            ));
        }
    }

    // Where each pair's bundles may be, and its id.
    let mut ids: BTreeMap<(usize, usize), String> = BTreeMap::new();
    let mut holders: BTreeMap<(usize, usize), Vec<PathBuf>> = BTreeMap::new();
    let mut bad_log_lines = 0usize;
    let mut logs: BTreeMap<String, Vec<LogLine>> = BTreeMap::new();
    for (d, p) in &plans {
        for pair in &p.pairs {
            let key = (pair.app, pair.scenario);
            if let Some(prev) = ids.get(&key)
                && prev != &pair.id
            {
                return Err(MergeError::Inconsistent {
                    path: d.join(PLAN_FILE),
                    message: format!("pair {:?} was called {prev:?} in another shard", pair.id),
                });
            }
            ids.insert(key, pair.id.clone());
            holders.entry(key).or_default().push(d.clone());
        }
        for (k, v) in read_log(d, &mut bad_log_lines)? {
            logs.entry(k).or_default().extend(v);
        }
    }
    if bad_log_lines > 0 {
        warnings.push(format!(
            "{bad_log_lines} line(s) of {LOG_FILE} could not be read and were skipped"
        ));
    }

    let mut pairs = Vec::new();
    for (ai, app) in apps.iter().enumerate() {
        for (si, sc) in scenarios.iter().enumerate() {
            let key = (ai, si);
            let id = ids
                .get(&key)
                .cloned()
                .unwrap_or_else(|| format!("{}--{}", app.slug, sc.stem));
            let log = logs.get(&id).map(Vec::as_slice).unwrap_or_default();
            let in_plan = holders.get(&key).map(Vec::as_slice).unwrap_or_default();
            pairs.push(pick_pair(
                &id,
                ai,
                si,
                in_plan,
                log,
                app.apk_sha256.as_deref(),
            ));
        }
    }
    Ok(Collected {
        name: first.name.clone(),
        campaign_sha256: first.campaign_sha256.clone(),
        apps,
        scenarios,
        pairs,
        shards,
        warnings,
    })
}

/// A bundle found for a pair.
struct Found {
    path: PathBuf,
    started: i64,
    name: String,
    bundle: Bundle,
}

fn altered(b: &Bundle) -> bool {
    (b.integrity.manifest_present && !b.integrity.is_intact()) || !b.integrity.is_sound()
}

fn altered_reason(b: &Bundle) -> String {
    let i = &b.integrity;
    let mut parts = Vec::new();
    let list = |what: &str, v: &[String]| format!("{what}: {}", v.join(", "));
    if !i.modified.is_empty() {
        parts.push(list("modified", &i.modified));
    }
    if !i.missing.is_empty() {
        parts.push(list("missing", &i.missing));
    }
    if !i.unlisted.is_empty() {
        parts.push(list("not in the manifest", &i.unlisted));
    }
    if !i.irregular.is_empty() {
        parts.push(list("irregular", &i.irregular));
    }
    if !i.implausible.is_empty() {
        parts.push(list("implausible", &i.implausible));
    }
    format!(
        "its files do not match MANIFEST.sha256 ({})",
        parts.join("; ")
    )
}

fn pick_pair(
    id: &str,
    app: usize,
    scenario: usize,
    holders: &[PathBuf],
    log: &[LogLine],
    apk_sha256: Option<&str>,
) -> PairPick {
    let mut found = Vec::new();
    let mut rejected = Vec::new();
    for dir in holders {
        let pdir = dir.join(PAIRS_DIR).join(id);
        let entries = match std::fs::read_dir(&pdir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                rejected.push(Rejected {
                    path: pdir.clone(),
                    reason: format!("cannot be listed: {e}"),
                });
                continue;
            }
        };
        let mut names: Vec<_> = entries.filter_map(Result::ok).collect();
        names.sort_by_key(|e| e.file_name());
        for e in names {
            let path = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            match e.file_type() {
                Ok(t) if t.is_dir() => {}
                Ok(t) if t.is_symlink() => {
                    rejected.push(Rejected {
                        path,
                        reason: "a symbolic link, not a bundle directory: not followed".into(),
                    });
                    continue;
                }
                _ => continue, // stray files (reports, notes) beside the bundles
            }
            match Bundle::open(&path) {
                // Recorded from another APK than the campaign's (the same rule as
                // `state::not_done_reason`): another app's evidence, never used for this one.
                Ok(bundle)
                    if apk_sha256.is_some()
                        && bundle.meta.app.apk_sha256.is_some()
                        && bundle.meta.app.apk_sha256.as_deref() != apk_sha256 =>
                {
                    rejected.push(Rejected {
                        path,
                        reason: format!(
                            "recorded from another APK (sha256 {}, the campaign's is {})",
                            bundle.meta.app.apk_sha256.as_deref().unwrap_or_default(),
                            apk_sha256.unwrap_or_default()
                        ),
                    });
                }
                Ok(bundle) => found.push(Found {
                    path,
                    started: bundle.meta.started_host_us,
                    name,
                    bundle,
                }),
                Err(err) => rejected.push(Rejected {
                    path,
                    reason: format!("not a readable bundle: failed to {err}"),
                }),
            }
        }
    }
    // Newest first.
    found.sort_by(|a, b| (b.started, &b.name).cmp(&(a.started, &a.name)));
    for f in &found {
        if altered(&f.bundle) {
            rejected.push(Rejected {
                path: f.path.clone(),
                reason: altered_reason(&f.bundle),
            });
        }
    }
    let done = found
        .iter()
        .find(|f| f.bundle.is_complete() && f.bundle.integrity.is_intact());
    let intact = found.iter().find(|f| !altered(&f.bundle));
    let last_log = log
        .iter()
        .max_by_key(|l| (l.ended_host_us.max(l.started_host_us), l.attempt));
    let (state, chosen, mut reasons) = if let Some(f) = done {
        (PairState::Done, Some(f), Vec::new())
    } else if let Some(f) = intact {
        (PairState::Incomplete, Some(f), f.bundle.incomplete.clone())
    } else if let Some(f) = found.first() {
        (
            PairState::Tampered,
            Some(f),
            vec![altered_reason(&f.bundle)],
        )
    } else {
        let why = if holders.is_empty() {
            "its shard was not merged".to_string()
        } else if log.is_empty() {
            "no attempt was recorded".to_string()
        } else {
            "no bundle was written".to_string()
        };
        (PairState::NotRun, None, vec![why])
    };
    if state != PairState::Done
        && let Some(l) = last_log
        && let Some(r) = &l.reason
        && !reasons.contains(r)
    {
        reasons.push(format!("last attempt ({}): {r}", l.outcome.as_str()));
    }
    PairPick {
        id: id.to_string(),
        app,
        scenario,
        state,
        bundle: chosen.map(|f| f.path.clone()),
        reasons,
        rejected,
        bundles_found: found.len(),
        attempts: log.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_plan_parses() {
        let doc = include_str!("../../../docs/campaigns.md");
        let start = doc
            .find("```json plan")
            .expect("an example plan in the doc");
        let rest = &doc[start + "```json plan".len()..];
        let end = rest.find("```").expect("its end");
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(PLAN_FILE), &rest[..end]).expect("write");
        let plan = read_plan(dir.path()).expect("the example plan parses");
        assert_eq!(plan.pairs.len(), 4);
    }

    #[test]
    fn ids_that_are_not_plain_names_are_refused() {
        for bad in ["", "..", ".x", "a/b", "a\\b", "a b", "é"] {
            assert!(!safe_component(bad), "{bad:?}");
        }
        assert!(safe_component("shop-a--accept"));
        assert!(safe_component("shop-a--Accept_v2.1"));
    }

    fn write_plan(dir: &Path, sha: &str, shard: Option<(u32, u32)>, pairs: &[(usize, usize)]) {
        let plan = serde_json::json!({
            "format": 1, "name": "t", "campaign_sha256": sha,
            "shard": shard.map(|(i, t)| serde_json::json!({"index": i, "total": t, "source": "flag"})),
            "apps": [{"index": 0, "slug": "a", "apk": "a.apk"}, {"index": 1, "slug": "b", "apk": "b.apk"}],
            "scenarios": [{"index": 0, "stem": "accept", "path": "accept.yaml"}],
            "pairs": pairs.iter().map(|(a, s)| serde_json::json!({
                "id": format!("{}--accept", ["a", "b"][*a]), "app": a, "scenario": s
            })).collect::<Vec<_>>(),
        });
        std::fs::create_dir_all(dir).expect("mkdir");
        std::fs::write(dir.join(PLAN_FILE), plan.to_string()).expect("write");
    }

    #[test]
    fn shards_of_different_campaigns_are_refused_naming_both() {
        let t = tempfile::tempdir().expect("tempdir");
        let (a, b) = (t.path().join("one"), t.path().join("two"));
        write_plan(&a, "aaaa", Some((1, 2)), &[(0, 0)]);
        write_plan(&b, "bbbb", Some((2, 2)), &[(1, 0)]);
        let e = collect(&[a.clone(), b.clone()]).expect_err("refused");
        let msg = e.to_string();
        assert!(msg.contains("one") && msg.contains("two"), "{msg}");
        assert!(msg.contains("aaaa") && msg.contains("bbbb"), "{msg}");
    }

    #[test]
    fn pairs_without_bundles_are_not_run_and_a_missing_shard_is_said() {
        let t = tempfile::tempdir().expect("tempdir");
        let a = t.path().join("one");
        write_plan(&a, "aaaa", Some((1, 2)), &[(0, 0)]);
        std::fs::write(
            a.join(LOG_FILE),
            "{\"pair\":\"a--accept\",\"attempt\":1,\"outcome\":\"failed\",\"reason\":\"device lost\"}\nnot json\n",
        )
        .expect("log");
        let c = collect(std::slice::from_ref(&a)).expect("merge");
        assert_eq!(c.pairs.len(), 2);
        assert_eq!(c.pairs[0].state, PairState::NotRun);
        assert!(
            c.pairs[0].reasons.iter().any(|r| r.contains("device lost")),
            "{:?}",
            c.pairs[0].reasons
        );
        assert_eq!(c.pairs[1].state, PairState::NotRun);
        assert_eq!(c.pairs[1].reasons, vec!["its shard was not merged"]);
        assert!(
            c.warnings.iter().any(|w| w.contains("2/2")),
            "{:?}",
            c.warnings
        );
        assert!(
            c.warnings.iter().any(|w| w.contains("1 line")),
            "{:?}",
            c.warnings
        );
    }

    fn example_bundle(name: &str, to: &Path) {
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/data/bundles")
            .join(name);
        copy(&from, to);
    }

    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for e in std::fs::read_dir(from).expect("read_dir") {
            let e = e.expect("entry");
            if e.file_type().expect("type").is_dir() {
                copy(&e.path(), &to.join(e.file_name()));
            } else {
                std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
            }
        }
    }

    #[test]
    fn picks_the_newest_done_bundle_and_rejects_links_and_other_apks() {
        let t = tempfile::tempdir().expect("tempdir");
        let a = t.path().join("one");
        write_plan(&a, "aaaa", None, &[(0, 0), (1, 0)]);
        let pdir = a.join(PAIRS_DIR).join("a--accept");
        example_bundle("clean", &pdir.join("b1"));
        example_bundle("truncated", &pdir.join("b2"));
        std::os::unix::fs::symlink(pdir.join("b1"), pdir.join("b3")).expect("symlink");
        let c = collect(std::slice::from_ref(&a)).expect("merge");
        let p = &c.pairs[0];
        assert_eq!(p.state, PairState::Done, "{p:?}");
        assert_eq!(p.bundle.as_deref(), Some(pdir.join("b1").as_path()));
        assert_eq!(p.bundles_found, 2);
        assert!(
            p.rejected
                .iter()
                .any(|r| r.reason.contains("symbolic link")),
            "{p:?}"
        );
        // The same bundle for a campaign whose APK is another one: rejected, not run.
        let text = std::fs::read_to_string(a.join(PLAN_FILE)).expect("read");
        let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
        v["apps"][0]["apk_sha256"] = serde_json::json!("0000");
        std::fs::write(a.join(PLAN_FILE), v.to_string()).expect("write");
        let c = collect(std::slice::from_ref(&a)).expect("merge");
        let p = &c.pairs[0];
        assert_eq!(
            p.rejected
                .iter()
                .filter(|r| r.reason.contains("another APK"))
                .count(),
            2,
            "{p:?}"
        );
        assert_eq!(p.state, PairState::NotRun);
    }

    #[test]
    fn a_pair_id_that_escapes_the_directory_is_refused() {
        let t = tempfile::tempdir().expect("tempdir");
        let a = t.path().join("one");
        write_plan(&a, "aaaa", None, &[]);
        let text = std::fs::read_to_string(a.join(PLAN_FILE)).expect("read");
        let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
        v["pairs"] = serde_json::json!([{"id": "../../etc", "app": 0, "scenario": 0}]);
        std::fs::write(a.join(PLAN_FILE), v.to_string()).expect("write");
        let e = collect(&[a]).expect_err("refused");
        assert!(e.to_string().contains("not a plain directory name"), "{e}");
    }
}
