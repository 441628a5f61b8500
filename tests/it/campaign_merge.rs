//! `prior campaign merge` end to end (issue 17): a campaign directory laid out per the
//! campaign contract, its bundles recorded by `prior run` on the demo apps (simulated
//! handset), merged whole and as two shards; every format checked (CSV bytes, XLSX read back
//! with calamine, JSON, JUnit, the HTML page in headless Chromium with hostile app names);
//! an incomplete pair, a tampered bundle and a pair never run.

use crate::report::chromium;
use crate::util::{copy_dir, prior, reseal, root};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

const HOSTILE: &str = "=cmd|' /C calc'!A0 <script>document.title='pwned'</script>";
const APPS: [&str; 3] = ["leaky-shop", "polite-news", "reject-path"];
const SCENARIOS: [&str; 2] = ["accept", "reject"];

fn scenario(dir: &Path, stem: &str) -> PathBuf {
    let models = root().join("scenarios/demo/models");
    let (mode, step) = if stem == "accept" {
        ("auto", "accept_consent")
    } else {
        ("reject", "reject_consent")
    };
    let text = format!(
        "name: {stem}\napp: {{ apk: \"${{APK}}\" }}\ndevice: {{ simulated: {{ models: {}, seed: 1 }} }}\n\
         profile: cn-miit\nconsent:\n  mode: {mode}\n  timeout: 15s\n  screen: {{ text: \"隐私|个人信息|(?i)privacy\" }}\n\
         \x20 accept: {{ text: \"^同意$|^Accept$\" }}\n  reject: {{ text: \"^不同意$|^Reject$\" }}\n\
         steps:\n  - launch\n  - wait: 2s\n  - {step}\n  - wait: 1s\n",
        models.display()
    );
    let p = dir.join(format!("{stem}.yaml"));
    std::fs::write(&p, text).expect("write scenario");
    p
}

fn pair_id(app: usize, sc: usize) -> String {
    let slug = if app < APPS.len() { APPS[app] } else { "never" };
    format!("{slug}--{}", SCENARIOS[sc])
}

/// The plan of the campaign (shard `Some((i, n))` keeps only its apps' pairs).
fn plan(shard: Option<(usize, usize)>) -> Value {
    let mut apps: Vec<Value> = APPS
        .iter()
        .enumerate()
        .map(|(i, a)| {
            json!({
                "index": i, "slug": a,
                "apk": root().join(format!("scenarios/demo/apps/{a}.apk")).display().to_string(),
                "name": match i { 0 => HOSTILE.to_string(), _ => format!("Demo {a}") },
                "developer": if i == 1 { "@SUM(1+1)*cmd|' /C calc'!A0" } else { "Prior demo" },
                "store_url": "https://store.example/app?id=1",
                "extra": {"region": "north"}
            })
        })
        .collect();
    apps.push(json!({"index": 3, "slug": "never", "apk": "/nowhere/never.apk", "name": "Never Run", "extra": {}}));
    let pairs: Vec<Value> = (0..4)
        .filter(|a| shard.is_none_or(|(i, n)| a % n == i - 1))
        .flat_map(|a| (0..2).map(move |s| json!({"id": pair_id(a, s), "app": a, "scenario": s})))
        .collect();
    json!({
        "format": 1, "name": "Demo sweep", "campaign_file": "sweep.yaml",
        "campaign_sha256": "5a5a5a5a",
        "shard": match shard {
            Some((i, n)) => json!({"index": i, "total": n, "source": "flag"}),
            None => json!({"index": 1, "total": 1, "source": "none"}),
        },
        "apps": apps,
        "scenarios": SCENARIOS.iter().enumerate().map(|(i, s)| json!({"index": i, "stem": s, "path": format!("{s}.yaml")})).collect::<Vec<_>>(),
        "pairs": pairs,
    })
}

/// The whole campaign, recorded once for every test of this module: 3 demo apps × accept and
/// reject, each pair a `prior run` into `pairs/<id>/`, plus a fourth app never run.
fn whole() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // In cargo's per-target scratch directory, under one fixed name replaced on every run:
        // the recordings (~85 MB) must not pile up in /tmp run after run.
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("campaign-merge-fixture");
        if base.exists() {
            std::fs::remove_dir_all(&base).expect("remove the previous fixture");
        }
        let dir = base.join("whole");
        std::fs::create_dir_all(dir.join("pairs")).expect("mkdir");
        let scen: Vec<PathBuf> = SCENARIOS.iter().map(|s| scenario(&base, s)).collect();
        let mut children = Vec::new();
        for (a, app) in APPS.iter().enumerate() {
            for (s, sc) in scen.iter().enumerate() {
                let apk = root().join(format!("scenarios/demo/apps/{app}.apk"));
                let out = dir.join("pairs").join(pair_id(a, s));
                let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_prior"));
                cmd.arg("run")
                    .arg(sc)
                    .arg("-e")
                    .arg(format!("APK={}", apk.display()))
                    .arg("--out")
                    .arg(&out)
                    .args(["--format", "json"])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null());
                children.push((pair_id(a, s), cmd.spawn().expect("spawn prior run")));
            }
        }
        for (id, mut c) in children {
            let st = c.wait().expect("wait");
            assert!(matches!(st.code(), Some(0 | 1 | 4)), "{id}: prior run exited {st:?}");
        }
        std::fs::write(dir.join("campaign.json"), plan(None).to_string()).expect("plan");
        std::fs::write(
            dir.join("campaign.log.jsonl"),
            "{\"pair\":\"never--accept\",\"attempt\":1,\"device\":\"sim-1\",\"outcome\":\"failed\",\"reason\":\"the APK is missing\"}\n",
        )
        .expect("log");
        dir
    })
}

/// The one bundle of a pair in a campaign directory.
fn bundle_of(dir: &Path, id: &str) -> PathBuf {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("pairs").join(id))
        .expect("pair dir")
        .map(|e| e.expect("entry").path())
        .collect();
    v.sort();
    v.pop().expect("a bundle")
}

/// Runs the merge; returns (exit code, stderr, campaign.json).
fn merge(dirs: &[&Path], out: &Path, extra: &[&str]) -> (i32, String, Value) {
    let o = prior()
        .args(["campaign", "merge"])
        .args(dirs)
        .arg("--out")
        .arg(out)
        .args(extra)
        .timeout(Duration::from_secs(180))
        .output()
        .expect("run prior");
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let json = std::fs::read_to_string(out.join("campaign.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    (o.status.code().unwrap_or(-1), stderr, json)
}

fn states(v: &Value) -> Vec<(String, String)> {
    v["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .flat_map(|a| a["pairs"].as_array().expect("pairs").iter())
        .map(|p| {
            (
                p["id"].as_str().unwrap_or_default().to_string(),
                p["state"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn merge_of_a_whole_campaign_writes_every_format() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("report");
    let (code, stderr, v) = merge(&[whole()], &out, &[]);
    // A violation (the leaky shop) outweighs the pairs never run.
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("campaign report:"), "{stderr}");
    let h = &v["headline"];
    assert_eq!(h["apps"], 4);
    assert_eq!(h["apps_tested"], 3, "{h}");
    assert!(
        h["apps_collecting_before_consent"].as_u64().unwrap_or(0) >= 1,
        "{h}"
    );
    assert_eq!(h["pairs"]["not_run"], 2);
    assert_eq!(h["pairs"]["done"], 6, "{h}");
    assert!(
        h["apps_not_fully_tested"].as_u64().unwrap_or(0) >= 1,
        "the never-run app"
    );
    let never = &v["apps"][3];
    assert_eq!(never["status"], "not_fully_tested");
    assert_eq!(never["pairs"][0]["state"], "not_run");
    assert!(
        never["pairs"][0]["reasons"]
            .to_string()
            .contains("the APK is missing"),
        "{never}"
    );
    let leaky = &v["apps"][0];
    assert_eq!(leaky["name"], HOSTILE);
    assert_eq!(leaky["status"], "violation");
    assert!(leaky["collects_before_consent"].as_bool().unwrap_or(false));
    assert!(
        !leaky["categories_before_consent"]
            .as_array()
            .expect("cats")
            .is_empty()
    );
    // Each analysed pair has its own HTML report, linked.
    for a in 0..3 {
        for s in 0..2 {
            let id = pair_id(a, s);
            let p = &v["apps"][a]["pairs"][s];
            assert_eq!(p["report"], format!("pairs/{id}.html"));
            assert!(out.join(format!("pairs/{id}.html")).is_file(), "{id}");
        }
    }
    // CSV: BOM, CRLF, one row per app, formulas defused.
    let csv = std::fs::read(out.join("campaign.csv")).expect("csv");
    assert!(csv.starts_with(b"\xef\xbb\xbf"), "UTF-8 BOM");
    let csv = String::from_utf8(csv).expect("utf-8");
    let rows: Vec<&str> = csv
        .trim_start_matches('\u{feff}')
        .trim_end()
        .split("\r\n")
        .collect();
    assert_eq!(rows.len(), 5, "{csv}");
    assert!(
        rows[1].starts_with("1,'=cmd|' /C calc'!A0 <script>"),
        "{}",
        rows[1]
    );
    assert!(
        rows[2].contains(",'@SUM(1+1)*cmd|' /C calc'!A0,"),
        "{}",
        rows[2]
    );
    assert!(rows[4].contains("not run"), "{}", rows[4]);
    for row in &rows[1..] {
        for cell in row.split(',') {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a formula cell: {cell} in {row}"
            );
        }
    }
    // XLSX: opens, same table.
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(out.join("campaign.xlsx")).expect("xlsx opens");
    let apps = wb.worksheet_range("Apps").expect("Apps sheet");
    assert_eq!(apps.height(), 5);
    assert_eq!(
        apps.get((1, 1)).map(|c| c.to_string()),
        Some(format!("'{HOSTILE}"))
    );
    // JUnit: a suite per app, a case per scenario.
    let junit = std::fs::read_to_string(out.join("campaign.junit.xml")).expect("junit");
    assert_eq!(junit.matches("<testsuite ").count(), 4, "{junit}");
    assert_eq!(junit.matches("<testcase ").count(), 8);
    assert!(junit.contains("type=\"not_run\""));
    assert!(!junit.contains("<script>"));
    // HTML: escaped, self-contained, one script.
    let html = std::fs::read_to_string(out.join("campaign.html")).expect("html");
    assert!(!html.contains("<script>document"), "raw payload");
    assert!(html.contains("&lt;script&gt;document.title="));
    assert_eq!(html.matches("<script").count(), 1);
    assert!(!html.contains("src=\"http") && !html.contains("@import"));
}

#[test]
fn campaign_page_renders_sorts_and_filters_in_chromium_and_runs_no_app_string() {
    prior_testkit::require_tool!("chromium");
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("report");
    let (_, stderr, _) = merge(&[whole()], &out, &["--format", "html"]);
    let page = out.join("campaign.html");
    assert!(page.is_file(), "{stderr}");
    let dump = |extra: &[&str], url_page: &Path| {
        let mut args: Vec<String> = vec!["--virtual-time-budget=2000".into(), "--dump-dom".into()];
        args.extend(extra.iter().map(|s| s.to_string()));
        chromium(url_page, &tmp.path().join("profile"), &args)
    };
    let dom = dump(&[], &page);
    let title = dom
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .expect("a title");
    assert!(title.starts_with("Campaign report"), "title: {title}");
    assert!(!title.contains("pwned"), "the app name ran: {title}");
    // The script ran (its CSP hash matches): the controls are shown and count the rows.
    assert!(
        dom.contains("<div id=\"controls\">"),
        "controls still hidden: CSP blocked the script?"
    );
    assert!(dom.contains("<span id=\"shown\">4 / 4</span>"), "{dom}");
    assert!(dom.contains("&lt;script&gt;document.title="));
    // Filtering (the page reads ?filter=): one row left.
    let filtered = PathBuf::from(format!("{}?filter=polite", page.display()));
    let dom = dump(&[], &filtered);
    assert!(
        dom.contains("<span id=\"shown\">1 / 4</span>"),
        "filter: {dom}"
    );
    // Sorting (?sort=-1: the app column, descending): "Never Run" comes first, the hostile
    // name (punctuation first) last.
    let sorted = PathBuf::from(format!("{}?sort=-1", page.display()));
    let dom = dump(&[], &sorted);
    let body = dom
        .split("<table id=\"apps\">")
        .nth(1)
        .expect("the apps table");
    let rows: Vec<&str> = body.split("<tr data-status=").skip(1).collect();
    assert_eq!(rows.len(), 4);
    assert!(rows[0].contains("Never Run"), "{}", rows[0]);
    assert!(rows[3].contains("&lt;script&gt;"), "{}", rows[3]);
    assert!(dom.contains("aria-sort=\"descending\""));
    // Without JavaScript: the table is in the markup itself (the script only reorders and
    // hides rows) and the controls stay hidden. (Chromium's --dump-dom needs scripts, so this
    // reads the page as served.)
    let raw = std::fs::read_to_string(&page).expect("page");
    assert!(raw.contains("<div id=\"controls\" hidden>"), "no-JS page");
    assert_eq!(
        raw.matches("<tr data-status=").count(),
        4,
        "every app row without JS"
    );
}

#[test]
fn merging_two_shards_equals_merging_the_whole() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut shards = Vec::new();
    for i in 1..=2 {
        let d = tmp.path().join(format!("shard-{i}-of-2"));
        std::fs::create_dir_all(d.join("pairs")).expect("mkdir");
        let p = plan(Some((i, 2)));
        for pair in p["pairs"].as_array().expect("pairs") {
            let id = pair["id"].as_str().expect("id");
            let from = whole().join("pairs").join(id);
            if from.is_dir() {
                copy_dir(&from, &d.join("pairs").join(id));
            }
        }
        std::fs::write(d.join("campaign.json"), p.to_string()).expect("plan");
        if i == 2 {
            std::fs::copy(
                whole().join("campaign.log.jsonl"),
                d.join("campaign.log.jsonl"),
            )
            .expect("log");
        }
        shards.push(d);
    }
    let (c1, e1, mut a) = merge(&[whole()], &tmp.path().join("r1"), &["--format", "json"]);
    let (c2, e2, mut b) = merge(
        &[&shards[1], &shards[0]],
        &tmp.path().join("r2"),
        &["--format", "json"],
    );
    assert_eq!(c1, c2, "{e1}\n{e2}");
    assert_eq!(b["shards"].as_array().map(Vec::len), Some(2));
    // Equal but for where the bundles were and which directories were merged.
    for v in [&mut a, &mut b] {
        v["shards"] = Value::Null;
        for app in v["apps"].as_array_mut().expect("apps") {
            for p in app["pairs"].as_array_mut().expect("pairs") {
                p.as_object_mut().expect("pair").remove("bundle");
            }
        }
    }
    assert_eq!(a, b);
    // A shard missing is said, and its pairs are not run, never clean.
    let (_, e3, c) = merge(&[&shards[0]], &tmp.path().join("r3"), &["--format", "json"]);
    assert!(e3.contains("shards not merged: 2/2"), "{e3}");
    assert_eq!(c["apps"][1]["pairs"][0]["state"], "not_run");
    assert_eq!(c["apps"][1]["status"], "not_fully_tested");
    // A shard of another campaign is refused, naming both directories.
    let other = tmp.path().join("other");
    copy_dir(&shards[1], &other);
    let mut p = plan(Some((2, 2)));
    p["campaign_sha256"] = json!("0ther");
    std::fs::write(other.join("campaign.json"), p.to_string()).expect("plan");
    let (code, err, _) = merge(&[&shards[0], &other], &tmp.path().join("r4"), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("shard-1-of-2") && err.contains("other"),
        "{err}"
    );
    assert!(err.contains("5a5a5a5a") && err.contains("0ther"), "{err}");
}

#[test]
fn incomplete_and_tampered_pairs_are_shown_as_such_never_clean() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("c");
    copy_dir(whole(), &dir);
    // polite-news--accept: a newer copy of its done bundle, edited after sealing: rejected,
    // the older done bundle is used.
    let good = bundle_of(&dir, "polite-news--accept");
    let newer = good.with_file_name("zzzz-newer");
    copy_dir(&good, &newer);
    let meta = newer.join("meta.json");
    let mut m: Value =
        serde_json::from_str(&std::fs::read_to_string(&meta).expect("meta")).expect("json");
    m["started_host_us"] = json!(m["started_host_us"].as_i64().unwrap_or(0) + 1_000_000);
    std::fs::write(&meta, m.to_string()).expect("write");
    // polite-news--reject: its recording cut off (resealed, as the recorder seals an
    // interrupted bundle).
    let b = bundle_of(&dir, "polite-news--reject");
    let meta = b.join("meta.json");
    let mut m: Value =
        serde_json::from_str(&std::fs::read_to_string(&meta).expect("meta")).expect("json");
    m["status"] = json!({"state": "incomplete", "reason": "the device went offline"});
    std::fs::write(&meta, m.to_string()).expect("write");
    reseal(&b);
    // reject-path--accept: its only bundle altered after sealing.
    let t = bundle_of(&dir, "reject-path--accept");
    let log = t.join("raw/logcat.txt");
    let mut text = std::fs::read_to_string(&log).expect("logcat");
    text.push_str("forged line\n");
    std::fs::write(&log, text).expect("write");

    let out = tmp.path().join("report");
    let (code, stderr, v) = merge(&[&dir], &out, &[]);
    assert_eq!(
        code, 2,
        "a tampered pair is an input error, as `prior analyze` says: {stderr}"
    );
    let st = states(&v);
    let state_of = |id: &str| st.iter().find(|(i, _)| i == id).map(|(_, s)| s.clone());
    assert_eq!(state_of("polite-news--accept").as_deref(), Some("done"));
    assert_eq!(
        state_of("polite-news--reject").as_deref(),
        Some("incomplete")
    );
    assert_eq!(state_of("reject-path--accept").as_deref(), Some("tampered"));
    let pa = &v["apps"][1]["pairs"][0];
    assert!(
        pa["rejected"][0]["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("meta.json"),
        "the altered newer bundle is reported: {pa}"
    );
    assert!(
        pa["bundle"]
            .as_str()
            .unwrap_or_default()
            .ends_with(good.file_name().and_then(|n| n.to_str()).unwrap_or("?"))
    );
    let pr = &v["apps"][1]["pairs"][1];
    assert!(
        pr["reasons"]
            .to_string()
            .contains("the device went offline"),
        "{pr}"
    );
    assert_ne!(v["apps"][1]["status"], "clean");
    assert_ne!(v["apps"][2]["status"], "clean");
    let t = &v["apps"][2]["pairs"][0];
    assert!(
        t["rejected"][0]["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("raw/logcat.txt"),
        "{t}"
    );
    assert!(
        t.get("report").is_none(),
        "a tampered bundle is not analysed"
    );
    assert!(stderr.contains("bundle not used"), "{stderr}");
    let html = std::fs::read_to_string(out.join("campaign.html")).expect("html");
    assert!(html.contains("cell-tampered") && html.contains("cell-incomplete"));
    assert!(html.contains("tampered (manifest mismatch)"));
    let csv = std::fs::read_to_string(out.join("campaign.csv")).expect("csv");
    assert!(csv.contains("tampered"), "{csv}");
}

#[test]
fn chinese_labels_with_lang_zh() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("report");
    let (_, stderr, _) = merge(&[whole()], &out, &["--lang", "zh", "--format", "html,csv"]);
    let html = std::fs::read_to_string(out.join("campaign.html")).expect(&stderr);
    assert!(html.contains("lang=\"zh-CN\""));
    assert!(html.contains("批量检测报告"));
    let csv = std::fs::read_to_string(out.join("campaign.csv")).expect("csv");
    assert!(csv.contains("序号,应用,开发者"), "{csv}");
    assert!(
        !out.join("campaign.xlsx").exists(),
        "only the formats asked for"
    );
}

/// Issue 17: "sharding 3 ways then merging equals running unsharded" — through `prior campaign
/// run` itself (H5's runner) on the demo campaign: the merge of the three shards' directories
/// gives the same campaign report as the merge of one unsharded run.
#[test]
fn three_shards_run_then_merged_equal_the_unsharded_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = crate::util::data("campaign/demo.campaign.yaml");
    let run = |out: &Path, shard: Option<usize>, parallel: &str| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_prior"));
        c.args(["campaign", "run"])
            .arg(&file)
            .arg("--out")
            .arg(out)
            .args(["--parallel", parallel])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        if let Some(i) = shard {
            c.arg("--shard").arg(format!("{i}/3"));
        }
        c.spawn().expect("spawn prior campaign run")
    };
    let all = tmp.path().join("all");
    let shards: Vec<PathBuf> = (1..=3).map(|i| tmp.path().join(format!("s{i}"))).collect();
    let mut children = vec![run(&all, None, "3")];
    for (i, d) in shards.iter().enumerate() {
        children.push(run(d, Some(i + 1), "1"));
    }
    for mut c in children {
        let st = c.wait().expect("wait");
        assert!(
            matches!(st.code(), Some(0 | 1 | 4)),
            "campaign run exited {st:?}"
        );
    }
    let (c1, e1, mut a) = merge(
        &[&all],
        &tmp.path().join("r-all"),
        &["--format", "json,csv"],
    );
    let dirs: Vec<&Path> = shards.iter().map(PathBuf::as_path).collect();
    let (c2, e2, mut b) = merge(
        &dirs,
        &tmp.path().join("r-shards"),
        &["--format", "json,csv"],
    );
    assert_eq!(c1, c2, "{e1}\n{e2}");
    assert_eq!(a["headline"]["apps"], 7, "{e1}");
    assert_eq!(a["headline"]["pairs"]["total"], 14);
    assert_eq!(a["headline"]["pairs"]["not_run"], 0, "{}", a["headline"]);
    assert!(
        a["headline"]["apps_collecting_before_consent"]
            .as_u64()
            .unwrap_or(0)
            >= 1
    );
    for v in [&mut a, &mut b] {
        v["shards"] = Value::Null;
        for app in v["apps"].as_array_mut().expect("apps") {
            for p in app["pairs"].as_array_mut().expect("pairs") {
                p.as_object_mut().expect("pair").remove("bundle");
            }
        }
    }
    assert_eq!(a, b);
    let csv_a = std::fs::read(tmp.path().join("r-all/campaign.csv")).expect("csv");
    let csv_b = std::fs::read(tmp.path().join("r-shards/campaign.csv")).expect("csv");
    assert_eq!(csv_a, csv_b, "the CSV names no directory: byte-identical");
}

/// `prior campaign run` and `prior campaign merge` judge a pair alike: the scenario's
/// `expect:` block recorded in the bundle (here `verdict: fail` on Leaky Shop, which violates)
/// is judged by both, so both exit 0; `--ignore-expect` judges by the verdict only (1).
#[test]
fn run_and_merge_agree_on_a_scenario_expect_block() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let sc = tmp.path().join("expect-fail.yaml");
    let text = std::fs::read_to_string(root().join("tests/data/campaign/accept.yaml"))
        .expect("accept.yaml");
    std::fs::write(&sc, format!("{text}expect:\n  verdict: fail\n")).expect("scenario");
    let camp = tmp.path().join("camp.yaml");
    std::fs::write(
        &camp,
        format!(
            "name: Expect\napps:\n  - apk: {}\nscenarios:\n  - {}\n\
             devices: {{ simulated: {{ models: {} }} }}\n",
            root().join("scenarios/demo/apps/leaky-shop.apk").display(),
            sc.display(),
            root().join("scenarios/demo/models").display(),
        ),
    )
    .expect("campaign");
    let dir = tmp.path().join("c");
    let run = prior()
        .args(["campaign", "run"])
        .arg(&camp)
        .arg("--out")
        .arg(&dir)
        .timeout(Duration::from_secs(180))
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("1 complete"), "{stderr}");
    let (code, e, v) = merge(&[&dir], &tmp.path().join("r"), &["--format", "json"]);
    assert_eq!(code, 0, "{e}");
    // The facts stay a regulator's facts: the app did collect before consent.
    assert_eq!(v["headline"]["apps_collecting_before_consent"], 1, "{e}");
    let (code, e, _) = merge(
        &[&dir],
        &tmp.path().join("r2"),
        &["--format", "json", "--ignore-expect"],
    );
    assert_eq!(code, 1, "{e}");
}
