//! The HTML timeline a regulator reads, in headless Chromium (issue 13, items 8–10 and 12):
//! IPC windows as thin hatched spans behind the instants, the consent moment labelled
//! (accepted / rejected, a rejection never drawn as the green band), one time for a window
//! under a millisecond, no negative time for an access by the app, and the page in Chinese.

use crate::report::chromium;
use crate::util::{data, prior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `prior report BUNDLE --format FORMAT [extra]`; returns (exit code, stdout).
fn report(bundle: &Path, format: &str, extra: &[&str]) -> (i32, Vec<u8>) {
    let out = prior()
        .arg("report")
        .arg(bundle)
        .args(["--format", format])
        .args(extra)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1 || code == 4,
        "exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, out.stdout)
}

/// The HTML page of a bundle as Chromium's DOM after parsing and scripts.
fn dom_of(tmp: &Path, bundle: &str, lang: &str) -> String {
    let page: PathBuf = tmp.join(format!("{bundle}-{lang}.html"));
    let (_, html) = report(
        &data(&format!("bundles/{bundle}")),
        "html",
        &["--lang", lang],
    );
    std::fs::write(&page, &html).unwrap();
    chromium(
        &page,
        &tmp.join(format!("profile-{bundle}-{lang}")),
        &[
            "--virtual-time-budget=2000".to_string(),
            "--dump-dom".to_string(),
        ],
    )
}

/// The text of every element `<TAG class="CLASS" …>…</TAG>` in `dom`.
fn texts_of(dom: &str, open: &str, close: &str) -> Vec<String> {
    dom.split(open)
        .skip(1)
        .filter_map(|p| p.split(close).next())
        .map(|s| s.to_string())
        .collect()
}

#[test]
fn windows_are_hatched_spans_behind_instants_and_the_accepted_consent_is_labelled() {
    prior_testkit::require_tool!("chromium");
    let tmp = tempfile::tempdir().unwrap();
    let dom = dom_of(tmp.path(), "leaky", "en");

    // Item 8: IPC windows are hatched, thin, labelled, and drawn before (under) the instants.
    assert!(dom.contains("<pattern id=\"hatch-1\""), "a hatch pattern");
    let windows = texts_of(&dom, "<rect class=\"window ", "</rect>");
    assert!(windows.len() >= 3, "windows: {windows:?}");
    for w in &windows {
        assert!(w.contains("fill=\"url(#hatch-1)\""), "not hatched: {w}");
        assert!(w.contains("height=\"6"), "not thin: {w}");
    }
    let instants = texts_of(&dom, "<rect class=\"mark ", "</rect>");
    assert!(instants.len() >= 10, "instants: {}", instants.len());
    assert!(instants.iter().all(|m| m.contains("height=\"12")));
    let (w_at, i_at) = (
        dom.find("<g class=\"windows\">").expect("a windows layer"),
        dom.find("<g class=\"instants\">")
            .expect("an instants layer"),
    );
    assert!(
        w_at < i_at,
        "windows must be drawn before (behind) the instants"
    );
    assert!(dom.contains(">somewhere in this window</text>"));
    assert!(
        dom.contains("class=\"legend-window\""),
        "windows explained in the legend"
    );
    // Explained once: not in every tooltip.
    assert!(!dom.contains("no timestamps: somewhere in its window"));

    // Item 9: the consent moment is labelled on the timeline.
    assert!(dom.contains("<rect class=\"consent consent-accepted\""));
    assert!(!dom.contains("class=\"consent consent-rejected\""));
    assert!(dom.contains("label-accepted\"") && dom.contains(">consent accepted</text>"));
    assert!(dom.contains(">consent shown</text>"));

    // Item 10: no "between X and Y", and no negative time from launch for an access: the
    // IPC window that clock placement starts at -0.320 s is clamped and explained once.
    assert!(
        !dom.contains("between +") && !dom.contains("between -"),
        "windows read A – B"
    );
    let at_launch = texts_of(&dom, "<span class=\"at-launch\">", "</span>");
    // Two accesses since issue 14 (the app-op and permission instants are their evidence).
    assert_eq!(at_launch.len(), 2, "{at_launch:?}");
    for t in &at_launch {
        assert!(!t.contains(" -"), "negative time from launch: {t}");
    }
    assert!(
        at_launch[0].contains("+0.000 s – +11.980 s [clamped]"),
        "{at_launch:?}"
    );
    assert_eq!(dom.matches("class=\"clamped-note\"").count(), 1);
    let phases = texts_of(&dom, "<span class=\"phase\">", "</span>");
    assert!(
        phases.iter().all(|p| p.contains("before consent")),
        "{phases:?}"
    );
}

#[test]
fn a_rejection_is_labelled_red_and_findings_after_it_say_after_rejection() {
    prior_testkit::require_tool!("chromium");
    let tmp = tempfile::tempdir().unwrap();
    let dom = dom_of(tmp.path(), "rejected", "en");
    assert!(dom.contains("<rect class=\"consent consent-rejected\""));
    assert!(
        !dom.contains("class=\"consent consent-accepted\"") && !dom.contains("label-accepted\""),
        "a rejection must not be drawn as the green consent band"
    );
    assert!(dom.contains(">consent REJECTED</text>"));
    assert!(dom.contains("class=\"legend-rejected\""));
    assert!(!dom.contains("class=\"legend-accepted\""));
    let phases = texts_of(&dom, "<span class=\"phase\">", "</span>");
    assert_eq!(phases.len(), 3, "{phases:?}");
    assert!(phases[1].contains("after rejection"), "{phases:?}");
    assert!(phases[2].contains("after rejection"), "{phases:?}");
    assert!(
        !dom.contains("after consent"),
        "no 'after consent' after a refusal"
    );
    let rel = texts_of(&dom, "<span class=\"at-consent\">", "</span>");
    assert!(rel[2].contains("2.400 s after rejection"), "{rel:?}");
    // A logcat line inside the 100 ms tap window is one moment, not a window.
    let at_launch = texts_of(&dom, "<span class=\"at-launch\">", "</span>");
    assert!(at_launch[0].contains("at +5.940 s"), "{at_launch:?}");
}

#[test]
fn the_page_and_the_text_report_in_chinese_and_machine_formats_stay_english() {
    prior_testkit::require_tool!("chromium");
    let tmp = tempfile::tempdir().unwrap();
    let dom = dom_of(tmp.path(), "rejected", "zh");
    assert!(dom.contains("<html lang=\"zh-CN\">"), "lang attribute");
    for zh in [
        "隐私政策",
        "个人信息",
        "用户拒绝",
        "用户拒绝后",
        "不通过",
        "时间线",
        "剪切板",
        "发生在此窗口内某一时刻",
        "检查项",
    ] {
        assert!(dom.contains(zh), "missing {zh}");
    }
    assert!(dom.contains("<rect class=\"consent consent-rejected\""));
    let phases = texts_of(&dom, "<span class=\"phase\">", "</span>");
    assert!(phases[1].contains("用户拒绝后"), "{phases:?}");
    // None of the English page's own words is left (app, device and evidence strings are
    // data and stay as recorded).
    for en in [
        "Findings (",
        ">Timeline<",
        ">Checked<",
        ">Sources<",
        "somewhere in this window",
        "before consent",
        "after rejection",
        "consent REJECTED",
        "zoom in",
        "Generated by Prior",
        "from launch",
        "The system refused",
        "accessed ",
    ] {
        assert!(!dom.contains(en), "English left on the Chinese page: {en}");
    }
    let shot = tmp.path().join("zh.png");
    chromium(
        &tmp.path().join("rejected-zh.html"),
        &tmp.path().join("profile-shot"),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,1600".to_string(),
        ],
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);

    // The text report in Chinese.
    let bundle = data("bundles/rejected");
    let (code_zh, text) = report(&bundle, "text", &["--lang", "zh"]);
    let text = String::from_utf8(text).unwrap();
    assert!(text.starts_with("Prior 隐私政策同意检测：不通过"), "{text}");
    assert!(text.contains("用户拒绝后"), "{text}");
    assert!(text.contains("已拒绝"), "{text}");
    assert!(
        !text.contains("after consent") && !text.contains("Findings"),
        "{text}"
    );
    let (code_en, _) = report(&bundle, "text", &[]);
    assert_eq!(code_zh, code_en, "the language never changes the exit code");

    // Machine formats are byte-identical whatever the language.
    for format in ["json", "junit", "sarif"] {
        let (_, en) = report(&bundle, format, &["--lang", "en"]);
        let (_, zh) = report(&bundle, format, &["--lang", "zh"]);
        assert_eq!(en, zh, "{format} must stay English");
    }
}

#[test]
fn prior_run_with_lang_zh_prints_chinese_and_writes_a_chinese_page_beside_english_json() {
    let out = tempfile::tempdir().unwrap();
    let scenario = crate::util::root().join("scenarios/demo/reject-path.yaml");
    let o = prior()
        .arg("run")
        .arg(&scenario)
        .args(["--lang", "zh", "--report", "html,junit", "--out"])
        .arg(out.path())
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("Prior 隐私政策同意检测：不通过"),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout.contains("用户拒绝后"), "{stdout}");
    // The bundle directory (beside it, `--report junit` writes the run's combined JUnit file).
    let bundle = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .expect("a bundle directory");
    let page = std::fs::read_to_string(bundle.join("report.html")).unwrap();
    assert!(page.contains("<html lang=\"zh-CN\">"));
    assert!(page.contains("<rect class=\"consent consent-rejected\""));
    assert!(page.contains(">用户拒绝</text>"));
    // Machine formats stay English.
    let junit = std::fs::read_to_string(bundle.join("report.junit.xml")).unwrap();
    let json = std::fs::read_to_string(bundle.join("report.json")).unwrap();
    for machine in [&junit, &json] {
        assert!(!machine.contains("用户"), "a machine format in Chinese");
    }
    assert!(json.contains("\"after_consent\""));
}
