//! `prior campaign run` end to end (issue 17): the seven demo apps × two scenarios on simulated
//! handsets in-process and through Debian `adb`, shards, a resumed campaign after SIGTERM, and
//! a device lost mid-campaign.

use crate::util::{Adb, Sim, prior, root};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn campaign_file() -> PathBuf {
    root().join("tests/data/campaign/demo.campaign.yaml")
}

fn plan(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("campaign.json")).expect("campaign.json"))
        .expect("JSON")
}

fn pair_ids(dir: &Path) -> Vec<String> {
    plan(dir)["pairs"]
        .as_array()
        .expect("pairs")
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_string())
        .collect()
}

fn log(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("campaign.log.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON log line"))
        .collect()
}

/// Bundle directories of every pair: id → names.
fn bundles(dir: &Path) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let Ok(pairs) = std::fs::read_dir(dir.join("pairs")) else {
        return out;
    };
    for p in pairs {
        let p = p.expect("entry");
        let mut names: Vec<String> = std::fs::read_dir(p.path())
            .expect("pair dir")
            .map(|b| {
                b.expect("bundle")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        out.insert(p.file_name().to_string_lossy().into_owned(), names);
    }
    out
}

/// The state recorded in a bundle's meta.json.
fn state(bundle: &Path) -> String {
    let m: Value = serde_json::from_slice(&std::fs::read(bundle.join("meta.json")).expect("meta"))
        .expect("JSON");
    m["status"]["state"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The pairs whose sessions are incomplete on every run: crashy crashes.
const INCOMPLETE: [&str; 2] = ["crashy--accept", "crashy--reject"];

/// Every pair has exactly one bundle; every one but the INCOMPLETE ones is complete.
fn assert_all_recorded_once(dir: &Path) {
    let ids = pair_ids(dir);
    let b = bundles(dir);
    assert_eq!(b.keys().cloned().collect::<Vec<_>>(), {
        let mut s = ids.clone();
        s.sort();
        s
    });
    for (id, names) in &b {
        assert_eq!(names.len(), 1, "{id}: {names:?}");
        let want = if INCOMPLETE.contains(&id.as_str()) {
            "incomplete"
        } else {
            "complete"
        };
        assert_eq!(
            state(&dir.join("pairs").join(id).join(&names[0])),
            want,
            "{id}"
        );
    }
}

#[test]
fn seven_demo_apps_two_scenarios_on_three_simulated_handsets_then_resume() {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("c");
    let run = prior()
        .args(["campaign", "run"])
        .arg(campaign_file())
        .arg("--out")
        .arg(&dir)
        .args(["--parallel", "3"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&run.stderr);
    // Leaky Shop and friends violate; crashy is incomplete: violations win (docs/exit-codes.md).
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("7 app(s) × 2 scenario(s), 14 pair(s)"),
        "{stderr}"
    );
    assert!(stderr.contains("on 3 device(s): simulated-1, simulated-2, simulated-3"));
    assert!(
        stderr.contains("14 pair(s): 12 complete (0 done before this run), 2 incomplete"),
        "{stderr}"
    );
    let p = plan(&dir);
    assert_eq!(p["format"], 1);
    assert_eq!(p["name"], "Demo sweep");
    assert_eq!(p["shard"]["source"], "none");
    assert_eq!(
        pair_ids(&dir)[..4],
        [
            "crashy--accept",
            "crashy--reject",
            "leaky-shop--accept",
            "leaky-shop--reject"
        ]
    );
    assert_all_recorded_once(&dir);
    let lines = log(&dir);
    assert_eq!(lines.len(), 14);
    let devices: BTreeSet<&str> = lines.iter().filter_map(|l| l["device"].as_str()).collect();
    assert!(devices.len() > 1, "one worker did everything: {devices:?}");
    // The bundle is the pair's own, recorded through `prior run`'s recorder, with a report.
    let leaky = &bundles(&dir)["leaky-shop--accept"][0];
    let report: Value = serde_json::from_slice(
        &std::fs::read(
            dir.join("pairs/leaky-shop--accept")
                .join(leaky)
                .join("report.json"),
        )
        .expect("report.json"),
    )
    .expect("JSON");
    assert_eq!(report["verdict"], "fail");

    // Resume: the done pairs are skipped, the incomplete ones run again beside their first bundle.
    let again = prior()
        .args(["campaign", "run"])
        .arg(campaign_file())
        .arg("--out")
        .arg(&dir)
        .args(["--parallel", "3"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("12 of 14 pair(s) already done"), "{stderr}");
    let b = bundles(&dir);
    for (id, names) in &b {
        let want = if INCOMPLETE.contains(&id.as_str()) {
            2
        } else {
            1
        };
        assert_eq!(names.len(), want, "{id}: {names:?}");
    }
    assert_eq!(log(&dir).len(), 16);

    // Another campaign file in the same directory is refused, and accepted with
    // --force-new-plan (the old plan kept).
    let other = out.path().join("other.yaml");
    let text = std::fs::read_to_string(campaign_file())
        .expect("read")
        .replace("name: Demo sweep", "name: Demo sweep 2")
        .replace("../../../", &format!("{}/", root().display()));
    let text = text.replace(
        "  - accept.yaml\n  - reject.yaml\n",
        &format!(
            "  - {}\n",
            root().join("tests/data/campaign/accept.yaml").display()
        ),
    );
    std::fs::write(&other, text).expect("write");
    let refused = prior()
        .args(["campaign", "run"])
        .arg(&other)
        .arg("--out")
        .arg(&dir)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    // The diagnostic is wrapped to the terminal's width, also inside a hyphenated word
    // (`--force-` / `new-plan`, depending on the length of the paths before it): compare it
    // with every space and frame character taken out.
    let compact: String = stderr
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '│')
        .collect();
    assert!(compact.contains("theplanofanothercampaignfile"), "{stderr}");
    assert!(compact.contains("--force-new-plan"), "{stderr}");
    let forced = prior()
        .args(["campaign", "run", "--dry-run", "--force-new-plan"])
        .arg(&other)
        .arg("--out")
        .arg(&dir)
        .output()
        .expect("run");
    assert_eq!(forced.status.code(), Some(0));
    assert!(dir.join("campaign.old-1.json").is_file());
    assert_eq!(plan(&dir)["name"], "Demo sweep 2");
    // Its pairs keep their bundles: the accept pairs of the same apps are done already.
    let listed = String::from_utf8_lossy(&forced.stdout);
    assert!(listed.contains("leaky-shop--accept\tdone"), "{listed}");
    assert!(listed.contains("crashy--accept\tto run"), "{listed}");
}

#[test]
fn three_shards_cover_exactly_the_unsharded_pairs() {
    let out = tempfile::tempdir().expect("tempdir");
    // The unsharded plan.
    let all = out.path().join("all");
    let dry = prior()
        .args(["campaign", "run", "--dry-run"])
        .arg(campaign_file())
        .arg("--out")
        .arg(&all)
        .output()
        .expect("run");
    assert_eq!(dry.status.code(), Some(0));
    let listed = String::from_utf8_lossy(&dry.stdout);
    assert_eq!(listed.lines().count(), 14, "{listed}");
    assert!(listed.lines().all(|l| l.ends_with("\tto run")), "{listed}");
    assert!(bundles(&all).is_empty());
    let mut unsharded = pair_ids(&all);
    assert_eq!(unsharded.len(), 14);
    // Three shards at once, as three CI jobs would run them (GitLab's 1-based index for one).
    let children: Vec<_> = (1..=3)
        .map(|i| {
            let mut c = Command::new(assert_cmd::cargo::cargo_bin("prior"));
            c.args(["campaign", "run"])
                .arg(campaign_file())
                .arg("--out")
                .arg(out.path().join(format!("s{i}")))
                .args(["--parallel", "2"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            if i == 3 {
                c.env("CI_NODE_INDEX", "3").env("CI_NODE_TOTAL", "3");
            } else {
                c.arg("--shard").arg(format!("{i}/3"));
            }
            c.spawn().expect("spawn")
        })
        .collect();
    let mut sharded = Vec::new();
    for (i, child) in children.into_iter().enumerate() {
        let i = i + 1;
        let o = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&o.stderr);
        let dir = out.path().join(format!("s{i}"));
        let p = plan(&dir);
        assert_eq!(
            (p["shard"]["index"].as_u64(), p["shard"]["total"].as_u64()),
            (Some(i as u64), Some(3))
        );
        if i == 3 {
            assert_eq!(p["shard"]["source"], "CI_NODE_INDEX");
            assert!(stderr.contains("shard 3/3 (from CI_NODE_INDEX"), "{stderr}");
        } else {
            assert_eq!(p["shard"]["source"], "flag");
        }
        // Every pair of the shard was recorded once, in the shard's own directory.
        assert_all_recorded_once(&dir);
        sharded.extend(pair_ids(&dir));
    }
    unsharded.sort();
    sharded.sort();
    assert_eq!(sharded, unsharded);
}

/// Polls until `f` is true (or panics after `secs`).
fn wait_until(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_campaign_stopped_by_sigterm_resumes_without_rerunning_done_pairs() {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("c");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("prior"))
        .args(["campaign", "run"])
        .arg(campaign_file())
        .arg("--out")
        .arg(&dir)
        .args(["--parallel", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    // Crashy's two pairs come first (incomplete); wait for a complete one.
    wait_until(120, "a complete pair", || {
        log(&dir).iter().any(|l| l["outcome"] == "complete")
    });
    rustix::process::kill_process(
        rustix::process::Pid::from_child(&child),
        rustix::process::Signal::TERM,
    )
    .expect("kill(2)");
    let status = child.wait().expect("wait");
    assert!(matches!(status.code(), Some(1 | 4)), "{status:?}");
    let before = bundles(&dir);
    let done_before: Vec<(String, Vec<String>)> = log(&dir)
        .iter()
        .filter(|l| l["outcome"] == "complete")
        .map(|l| {
            let id = l["pair"].as_str().expect("pair").to_string();
            let b = before[&id].clone();
            (id, b)
        })
        .collect();
    assert!(!done_before.is_empty());
    assert!(
        before.len() < 14,
        "the campaign was not stopped: {before:?}"
    );
    let again = prior()
        .args(["campaign", "run"])
        .arg(campaign_file())
        .arg("--out")
        .arg(&dir)
        .args(["--parallel", "3"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains(&format!("{} of 14 pair(s) already done", done_before.len())),
        "{stderr}"
    );
    assert_eq!(again.status.code(), Some(1), "{stderr}");
    let after = bundles(&dir);
    assert_eq!(after.len(), 14);
    // Done pairs were not run again: the same single bundle.
    for (id, b) in &done_before {
        assert_eq!(&after[id], b, "{id} was run again");
        assert_eq!(b.len(), 1);
    }
    // Every pair now has a complete bundle (the INCOMPLETE ones: an incomplete one).
    for (id, names) in &after {
        let newest = dir
            .join("pairs")
            .join(id)
            .join(names.last().expect("a bundle"));
        let want = if INCOMPLETE.contains(&id.as_str()) {
            "incomplete"
        } else {
            "complete"
        };
        assert_eq!(state(&newest), want, "{id}");
    }
}

fn through_adb(kill_one: bool) {
    let models = root().join("scenarios/demo/models");
    let mut sims: Vec<Option<Sim>> = (0..3).map(|_| Some(Sim::start(&models))).collect();
    let addrs: Vec<String> = sims.iter().flatten().map(|s| s.addr.clone()).collect();
    let adb = Adb::start();
    for a in &addrs {
        adb.connect(a);
    }
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("c");
    let child = Command::new(assert_cmd::cargo::cargo_bin("prior"))
        .args(["campaign", "run"])
        .arg(campaign_file())
        .arg("--out")
        .arg(&dir)
        .arg("--devices")
        .arg(addrs.join(","))
        .env("ANDROID_ADB_SERVER_PORT", adb.port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if kill_one {
        // Kill the first handset once the campaign is under way.
        wait_until(120, "a first pair done", || !log(&dir).is_empty());
        sims[0] = None;
    }
    let o = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    let lines = log(&dir);
    let devices: BTreeSet<&str> = lines.iter().filter_map(|l| l["device"].as_str()).collect();
    for d in &devices {
        assert!(addrs.iter().any(|a| a == d), "{d}");
    }
    // No pair lost: every pair has a bundle, every one but the INCOMPLETE ones complete.
    let b = bundles(&dir);
    assert_eq!(b.len(), 14, "{b:?}\n{stderr}");
    for (id, names) in &b {
        let newest = dir
            .join("pairs")
            .join(id)
            .join(names.last().expect("a bundle"));
        let want = if INCOMPLETE.contains(&id.as_str()) {
            "incomplete"
        } else {
            "complete"
        };
        assert_eq!(state(&newest), want, "{id}: {stderr}");
    }
    if kill_one {
        assert!(
            stderr.contains(&format!("device {} taken out of the campaign", addrs[0])),
            "{stderr}"
        );
        let retried: Vec<&Value> = lines.iter().filter(|l| l["attempt"] == 2).collect();
        assert!(!retried.is_empty(), "{stderr}");
        for r in retried {
            assert_ne!(r["device"], addrs[0].as_str());
            let pair = r["pair"].as_str().expect("pair");
            assert!(
                lines.iter().any(|l| l["pair"] == pair
                    && l["attempt"] == 1
                    && l["device"] == addrs[0].as_str()
                    && l["outcome"] == "failed"),
                "{pair}: {lines:?}"
            );
        }
    } else {
        assert_eq!(devices.len(), 3, "{devices:?}");
        assert_all_recorded_once(&dir);
    }
}

#[test]
fn a_campaign_through_debian_adb_on_three_prior_sim_handsets() {
    prior_testkit::require_tool!("adb");
    through_adb(false);
}

#[test]
fn a_device_lost_mid_campaign_loses_no_pair() {
    prior_testkit::require_tool!("adb");
    through_adb(true);
}

/// Every `--flag` docs/campaigns.md gives `prior campaign run` exists.
#[test]
fn campaigns_doc_uses_only_real_flags() {
    let help = prior()
        .args(["campaign", "run", "--help"])
        .output()
        .expect("help");
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    let doc = std::fs::read_to_string(root().join("docs/campaigns.md")).expect("doc");
    let mut checked = 0;
    for line in doc.lines().filter(|l| l.contains("prior campaign run")) {
        for word in line.split_whitespace() {
            let flag: String = word
                .trim_start_matches(['[', '`', '('])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            if flag.starts_with("--") && flag.len() > 2 {
                assert!(
                    help.contains(&flag),
                    "{flag} (in {line:?}) is not a flag:\n{help}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "{checked}");
}

/// `prior check` on campaign files: the demo campaign passes; a CSV campaign with a missing APK
/// and a missing scenario fails with each problem at its file and line.
#[test]
fn prior_check_validates_campaign_files() {
    let ok = prior()
        .arg("check")
        .arg(campaign_file())
        .output()
        .expect("check");
    let out = String::from_utf8_lossy(&ok.stdout);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        out.contains("campaign Demo sweep: 7 app(s) × 2 scenario(s)"),
        "{out}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let apps = root().join("scenarios/demo/apps");
    std::fs::write(
        dir.path().join("apps.csv"),
        format!(
            "\u{feff}name,apk,developer\nShop,{},A Ltd\nGone,missing.apk,B\n",
            apps.join("leaky-shop.apk").display()
        ),
    )
    .expect("csv");
    let camp = dir.path().join("camp.yaml");
    std::fs::write(
        &camp,
        format!(
            "name: Bad\napps: {{ csv: apps.csv }}\nscenarios:\n  - {}\n  - nowhere.yaml\n",
            root().join("tests/data/campaign/accept.yaml").display()
        ),
    )
    .expect("yaml");
    let bad = prior().arg("check").arg(&camp).output().expect("check");
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{err}");
    assert!(
        err.contains("apps.csv:3: the APK") && err.contains("missing.apk"),
        "{err}"
    );
    assert!(
        err.contains("camp.yaml:5: the scenario file") && err.contains("nowhere.yaml"),
        "{err}"
    );
    // A campaign file with an unknown key names its line.
    std::fs::write(
        &camp,
        "name: Bad\napps: { dir: . }\nscenarios: [a.yaml]\nshards: 3\n",
    )
    .expect("yaml");
    let bad = prior().arg("check").arg(&camp).output().expect("check");
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{err}");
    assert!(err.contains("camp.yaml:4"), "{err}");
}

/// A pair that fails on its own input (an APK that is not one) is summarised as "failed
/// (input)", not as incomplete, and the campaign exits 2 as docs/exit-codes.md says.
#[test]
fn a_pair_failing_on_its_input_is_summarised_as_failed_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("broken.apk");
    std::fs::write(&bad, "not a zip").expect("apk");
    let camp = dir.path().join("camp.yaml");
    std::fs::write(
        &camp,
        format!(
            "name: Input failure\napps:\n  - apk: {}\n  - apk: {}\nscenarios:\n  - {}\n\
             devices: {{ simulated: {{ models: {} }} }}\n",
            root().join("scenarios/demo/apps/polite-news.apk").display(),
            bad.display(),
            root().join("tests/data/campaign/accept.yaml").display(),
            root().join("scenarios/demo/models").display(),
        ),
    )
    .expect("campaign");
    let run = prior()
        .args(["campaign", "run"])
        .arg(&camp)
        .arg("--out")
        .arg(dir.path().join("c"))
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("2 pair(s): 1 complete (0 done before this run), 0 incomplete, 1 failed (input), 0 not run"),
        "{stderr}"
    );
}
