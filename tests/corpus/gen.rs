//! The corpus of simulated apps with known truth (issue 17): a deterministic generator of
//! apps (a real APK built by Debian's `aapt` from a generated manifest and signed with the demo
//! key, plus a behaviour model for the simulated handset), their truth, the two scenario
//! templates, the campaign file, and the scoring of Prior's reports against the truth.
//!
//! Shared by the `corpus` example (`cargo run --example corpus`, used by
//! `benches/campaign.sh`) and the end-to-end test `tests/it/corpus.rs`. docs/testing.md,
//! "Corpus", describes the variants and the truth.

#![allow(dead_code)] // the example and the test each use a part of it

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// SDKs of the catalogue (`crates/prior-apk/data/sdks.toml`, by id) the corpus embeds.
pub const SDK_IDS: &[&str] = &[
    "umeng-common",
    "jiguang-core",
    "getui",
    "tencent-bugly",
    "tencent-gdt",
    "amap-location",
    "baidu-mobstat",
    "sensorsdata",
    "appsflyer",
    "adjust",
    "mixpanel",
    "amplitude",
    "pangle",
    "alibaba-utdid",
    "tencent-beacon",
];

/// Simulated APIs (docs/sim-models.md, "access") with the data category each one is: the
/// truth's own table, from what the API returns, not from Prior's catalogue.
pub const APIS: &[(&str, &str)] = &[
    ("android_id", "device_identifiers"),
    ("imei", "device_identifiers"),
    ("serial", "device_identifiers"),
    ("subscriber_id", "device_identifiers"),
    ("installed_packages", "installed_apps"),
    ("running_apps", "installed_apps"),
    ("usage_stats", "installed_apps"),
    ("last_location", "location"),
    ("wifi_info", "network_identifiers"),
    ("cell_info", "network_identifiers"),
    ("accounts", "accounts"),
    ("clipboard", "clipboard"),
    ("camera", "camera"),
    ("phone_number", "phone_number"),
];

/// How the app asks for consent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsentUi {
    /// A dialog over the app.
    Dialog,
    /// A full-screen page.
    FullScreen,
    /// A dialog with an "I have read and agree" checkbox: its accept button does nothing
    /// until the box is ticked (Prior's `consent.tick` ticks it).
    Checkbox,
    /// No consent screen at all.
    None,
}

/// When one actor's accesses happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timing {
    /// In `Application.onCreate`, before the consent screen is up.
    Before,
    /// At the very moment the consent screen appears (still unanswered).
    AtShow,
    /// A delayed SDK init that still fires while the screen waits for an answer.
    DelayedBefore,
    /// Only after the user accepted.
    After,
    /// A delayed SDK init, after the user accepted.
    DelayedAfter,
}

/// What the app does when consent is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnReject {
    /// Finishes and exits.
    Exit,
    /// Guest mode without collecting anything.
    Guest,
    /// Guest mode that collects anyway (access-after-reject).
    Collect,
}

pub const LANGS: &[&str] = &["zh", "en", "de", "fr"];
const UIS: &[ConsentUi] = &[ConsentUi::Dialog, ConsentUi::FullScreen, ConsentUi::None];
const TIMINGS: &[Timing] = &[
    Timing::Before,
    Timing::AtShow,
    Timing::DelayedBefore,
    Timing::After,
    Timing::DelayedAfter,
];
const ON_REJECT: &[OnReject] = &[OnReject::Exit, OnReject::Guest, OnReject::Collect];

/// One SDK of the catalogue as the corpus uses it.
#[derive(Clone, Debug)]
pub struct Sdk {
    pub id: String,
    /// The catalogue's display name: the actor Prior must name.
    pub name: String,
    /// The Java package its frames live in.
    pub package: String,
    /// A host of it that Prior's tracker list (catalog.toml `[[tracker]]`) names, if any.
    pub tracker_host: Option<String>,
}

/// One actor (an SDK or the app's own code) and what it does.
#[derive(Clone, Debug)]
pub struct Actor {
    /// `None` = the app itself.
    pub sdk: Option<usize>,
    pub timing: Timing,
    pub apis: Vec<&'static str>,
    /// Contacts its tracker host (SDKs with one) or the app's own backend.
    pub contact: bool,
}

/// One generated app.
#[derive(Clone, Debug)]
pub struct App {
    pub index: usize,
    pub slug: String,
    pub package: String,
    pub label: String,
    pub lang: &'static str,
    pub ui: ConsentUi,
    pub permission_first: bool,
    pub on_reject: OnReject,
    /// Consent screen shown this long after the process start (or after the permission answer).
    pub show_ms: u64,
    pub actors: Vec<Actor>,
    /// After a refusal (OnReject::Collect): the app's own collector.
    pub reject_apis: Vec<&'static str>,
}

/// Generation options.
#[derive(Clone, Debug)]
pub struct Options {
    pub apps: usize,
    pub seed: u64,
    /// The repository root (catalogues, the demo signing key).
    pub root: PathBuf,
}

/// splitmix64: a tiny deterministic generator (the corpus must be the same for a seed).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Reads the SDK catalogue and the tracker list and returns [`SDK_IDS`] as [`Sdk`]s.
pub fn load_sdks(root: &Path) -> Result<Vec<Sdk>, String> {
    let read = |rel: &str| -> Result<toml::Table, String> {
        let p = root.join(rel);
        let s = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        s.parse::<toml::Table>()
            .map_err(|e| format!("{}: {e}", p.display()))
    };
    let sdks = read("crates/prior-apk/data/sdks.toml")?;
    let catalog = read("crates/prior-analyze/data/catalog.toml")?;
    let strs = |v: Option<&toml::Value>| -> Vec<String> {
        v.and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let tracker_hosts: BTreeSet<String> = catalog
        .get("tracker")
        .and_then(|t| t.as_array())
        .into_iter()
        .flatten()
        .flat_map(|t| strs(t.get("hosts")))
        .collect();
    let entries = sdks
        .get("sdk")
        .and_then(|t| t.as_array())
        .ok_or("sdks.toml has no [[sdk]]")?;
    let all_packages: Vec<String> = entries
        .iter()
        .flat_map(|e| strs(e.get("packages")))
        .collect();
    let all_hosts: Vec<String> = entries.iter().flat_map(|e| strs(e.get("hosts"))).collect();
    let mut out = Vec::new();
    for id in SDK_IDS {
        let e = entries
            .iter()
            .find(|e| e.get("id").and_then(|v| v.as_str()) == Some(id))
            .ok_or_else(|| format!("SDK {id} is not in the catalogue"))?;
        let name = e
            .get("name")
            .and_then(|v| v.as_str())
            .ok_or_else(|| format!("SDK {id} has no name"))?;
        let package = strs(e.get("packages"))
            .into_iter()
            .next()
            .ok_or_else(|| format!("SDK {id} has no package"))?;
        // The frames' package must not fall under a longer prefix of another entry.
        let frames = format!("{package}.corpus");
        if let Some(p) = all_packages
            .iter()
            .find(|p| p.len() > package.len() && frames.starts_with(p.as_str()))
        {
            return Err(format!("{frames} falls under {p}"));
        }
        let tracker_host = strs(e.get("hosts"))
            .into_iter()
            .find(|h| tracker_hosts.contains(h))
            .map(|h| format!("c.{h}"));
        if let Some(h) = &tracker_host
            && let Some(longer) = all_hosts
                .iter()
                .find(|o| h.ends_with(&format!(".{o}")) && !h.ends_with(&format!("c.{o}")))
        {
            return Err(format!("{h} falls under another SDK's host {longer}"));
        }
        out.push(Sdk {
            id: id.to_string(),
            name: name.to_string(),
            package,
            tracker_host,
        });
    }
    Ok(out)
}

/// Plans `opts.apps` apps. App i takes the i-th value of every variant axis round-robin (so
/// the first 12 apps cover every language, consent UI, timing, refusal behaviour and the
/// permission-first case), the rest (SDKs, APIs, times) from the seeded generator.
pub fn plan(opts: &Options, sdks: &[Sdk]) -> Vec<App> {
    let mut rng = Rng(opts.seed ^ 0x0050_5249_4F52);
    (0..opts.apps)
        .map(|i| {
            let slug = format!("app-{i:03}");
            let package = format!("com.prior.corpus.a{i:03}");
            let lang = LANGS[i % LANGS.len()];
            // Every other dialog app has the consent checkbox (apps 3 and 9 of the first 12).
            let ui = match UIS[i % UIS.len()] {
                ConsentUi::Dialog if (i / UIS.len()) % 2 == 1 => ConsentUi::Checkbox,
                u => u,
            };
            let permission_first = i % 4 == 3 && ui != ConsentUi::None;
            let on_reject = ON_REJECT[(i / 3) % ON_REJECT.len()];
            let show_ms = [600, 900, 1200][rng.below(3)];
            let mut pool: Vec<&'static str> = APIS.iter().map(|(a, _)| *a).collect();
            let mut take = |rng: &mut Rng, n: usize| -> Vec<&'static str> {
                let mut out = Vec::new();
                for _ in 0..n {
                    if !pool.is_empty() {
                        out.push(pool.remove(rng.below(pool.len())));
                    }
                }
                out
            };
            // A clean app: every SDK and its own code wait for consent (a verdict of pass
            // when accepted). Every fourth app from app 1 on, and about a third of the rest.
            let clean =
                (i % 4 == 1 || rng.below(10) < 3) && ui != ConsentUi::None && !permission_first;
            let mut actors = Vec::new();
            let n_sdks = 1 + rng.below(3);
            let mut chosen = BTreeSet::new();
            for k in 0..n_sdks {
                let s = rng.below(sdks.len());
                if !chosen.insert(s) {
                    continue;
                }
                // Round-robin on the first SDK's timing so that small corpora cover all.
                let timing = if clean {
                    [Timing::After, Timing::DelayedAfter][rng.below(2)]
                } else if k == 0 {
                    TIMINGS[i % TIMINGS.len()]
                } else {
                    TIMINGS[rng.below(TIMINGS.len())]
                };
                let n = 1 + rng.below(2);
                let apis = take(&mut rng, n);
                actors.push(Actor {
                    sdk: Some(s),
                    timing,
                    apis,
                    contact: sdks[s].tracker_host.is_some() && rng.below(3) != 0,
                });
            }
            // The app's own code: sometimes collects before consent, else only after.
            let own_timing = if !clean && rng.below(2) == 0 {
                Timing::Before
            } else {
                Timing::After
            };
            let own = take(&mut rng, 1);
            actors.push(Actor {
                sdk: None,
                timing: own_timing,
                apis: own,
                contact: true,
            });
            let reject_apis = if on_reject == OnReject::Collect {
                take(&mut rng, 2)
            } else {
                Vec::new()
            };
            App {
                index: i,
                slug,
                package,
                label: format!("Corpus App {i:03}"),
                lang,
                ui,
                permission_first,
                on_reject,
                show_ms,
                actors,
                reject_apis,
            }
        })
        .collect()
}

fn category_of(api: &str) -> &'static str {
    APIS.iter()
        .find(|(a, _)| *a == api)
        .map(|(_, c)| *c)
        .unwrap_or("unknown")
}

fn q(s: &str) -> String {
    // A JSON string is a valid YAML double-quoted scalar.
    serde_json::to_string(s).unwrap_or_default()
}

/// The consent checkbox's label in the app's language (one of Prior's default `tick` phrases,
/// docs/scenarios.md).
fn tick_wording(lang: &str) -> &'static str {
    match lang {
        "zh" => "我已阅读并同意",
        "de" => "Ich habe die Datenschutzerklärung gelesen und stimme zu",
        "fr" => "J'ai lu et j'accepte",
        _ => "I have read and agree",
    }
}

/// (title, body, accept, reject, guest text) in the app's language.
fn wording(lang: &str, label: &str) -> [String; 5] {
    match lang {
        "zh" => [
            "用户协议与隐私政策".into(),
            format!(
                "欢迎使用{label}！我们非常重视您的个人信息和隐私保护。请您在使用前仔细阅读并同意以下协议。"
            ),
            "同意".into(),
            "不同意".into(),
            "仅浏览".into(),
        ],
        "de" => [
            "Datenschutz".into(),
            format!("{label} verarbeitet personenbezogene Daten nur mit Ihrer Einwilligung."),
            "Zustimmen".into(),
            "Ablehnen".into(),
            "Gastmodus".into(),
        ],
        "fr" => [
            "Confidentialité".into(),
            format!("{label} traite vos données personnelles avec votre consentement."),
            "Accepter".into(),
            "Refuser".into(),
            "Mode invité".into(),
        ],
        _ => [
            "Privacy Policy".into(),
            format!(
                "{label} values your privacy. We process personal information only with your consent."
            ),
            "Agree".into(),
            "Disagree".into(),
            "Guest mode".into(),
        ],
    }
}

fn frames(app: &App, sdks: &[Sdk], actor: &Actor, api: &str, line: usize) -> Vec<String> {
    let base = match actor.sdk {
        Some(s) => format!("{}.corpus", sdks[s].package),
        None => format!("{}.data", app.package),
    };
    let cls = api
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<String>();
    vec![
        format!("{base}.{cls}Reader.read({cls}Reader.java:{line})"),
        format!("{base}.Collector.run(Collector.java:{})", 20 + line % 50),
    ]
}

fn access_yaml(out: &mut String, indent: &str, at: u64, api: &str, stack: &[String]) {
    let _ = writeln!(out, "{indent}- at: {at}ms");
    let _ = writeln!(out, "{indent}  access:");
    let _ = writeln!(out, "{indent}    api: {api}");
    let _ = writeln!(out, "{indent}    thread: background");
    let _ = writeln!(out, "{indent}    stack:");
    for f in stack {
        let _ = writeln!(out, "{indent}      - {}", q(f));
    }
}

fn contact_yaml(out: &mut String, indent: &str, at: u64, host: &str) {
    let _ = writeln!(out, "{indent}- at: {at}ms");
    let _ = writeln!(out, "{indent}  contact: {{ host: {}, port: 443 }}", q(host));
}

fn own_host(app: &App) -> String {
    format!("api.{}.corpus.example", app.slug)
}

/// The behaviour model (docs/sim-models.md) of one app.
pub fn model(app: &App, sdks: &[Sdk]) -> String {
    let [title, body, accept, reject, guest] = wording(app.lang, &app.label);
    let mut on_start = String::new();
    let mut ask = String::new(); // the phase that puts the consent screen up
    let mut accepted = String::new();
    let mut rejected = String::new();
    let mut line = 10;
    let show = app.show_ms;
    // Where "before" accesses go: on_start; with a permission prompt first, the consent
    // screen comes from the phase started by the permission answer, at `show` ms after it.
    for actor in &app.actors {
        for api in &actor.apis {
            line += 7;
            let st = frames(app, sdks, actor, api, line);
            let timing = if app.ui == ConsentUi::None {
                // No consent screen: everything runs at start (delayed ones a little later).
                match actor.timing {
                    Timing::DelayedBefore | Timing::DelayedAfter => Timing::DelayedBefore,
                    _ => Timing::Before,
                }
            } else {
                actor.timing
            };
            match timing {
                Timing::Before => {
                    access_yaml(&mut on_start, "  ", 40 + (line as u64 % 200), api, &st)
                }
                Timing::AtShow if app.permission_first => {
                    access_yaml(&mut ask, "    ", show, api, &st)
                }
                Timing::AtShow => access_yaml(&mut on_start, "  ", show, api, &st),
                // With a permission prompt first the screen waits for the prompt's answer
                // (the recorder's, at 2 s or later): a delayed init at 1.6 s is before it.
                Timing::DelayedBefore if app.permission_first => {
                    access_yaml(&mut on_start, "  ", 1600, api, &st)
                }
                Timing::DelayedBefore => access_yaml(&mut on_start, "  ", show + 400, api, &st),
                Timing::After => {
                    access_yaml(&mut accepted, "    ", 100 + (line as u64 % 300), api, &st)
                }
                Timing::DelayedAfter => access_yaml(&mut accepted, "    ", 900, api, &st),
            }
        }
        if actor.contact {
            let host = match actor.sdk {
                Some(s) => match &sdks[s].tracker_host {
                    Some(h) => h.clone(),
                    None => continue,
                },
                None => own_host(app),
            };
            let before = app.ui == ConsentUi::None
                || matches!(
                    actor.timing,
                    Timing::Before | Timing::AtShow | Timing::DelayedBefore
                );
            if before {
                contact_yaml(&mut on_start, "  ", 300, &host);
            } else {
                contact_yaml(&mut accepted, "    ", 950, &host);
            }
        }
    }
    for api in &app.reject_apis {
        line += 7;
        let actor = Actor {
            sdk: None,
            timing: Timing::After,
            apis: vec![],
            contact: false,
        };
        let st = frames(app, sdks, &actor, api, line);
        access_yaml(&mut rejected, "    ", 300 + (line as u64 % 200), api, &st);
    }

    let mut m = String::new();
    let _ = writeln!(
        m,
        "# Generated by tests/corpus/gen.rs (issue 17 corpus): app {} — lang {}, consent {:?}, permission first {}, on reject {:?}.",
        app.index, app.lang, app.ui, app.permission_first, app.on_reject
    );
    let _ = writeln!(m, "package: {}", app.package);
    let _ = writeln!(m, "label: {}", q(&app.label));
    let _ = writeln!(m, "log_tag: Corpus{:03}", app.index);
    let _ = writeln!(m, "jitter: 10ms");
    let _ = writeln!(m, "first_screen: splash");
    let _ = writeln!(m, "on_start:");
    m.push_str(&on_start);
    if app.ui != ConsentUi::None {
        if app.permission_first {
            let _ = writeln!(m, "  - at: 300ms");
            let _ = writeln!(
                m,
                "    request_permission: {{ permission: android.permission.ACCESS_FINE_LOCATION, on_grant: ask, on_deny: ask }}"
            );
        } else {
            let _ = writeln!(m, "  - at: {show}ms\n    goto: ask");
        }
    } else {
        let _ = writeln!(m, "  - at: 700ms\n    show: home");
    }
    let _ = writeln!(m, "phases:");
    let _ = writeln!(m, "  ask:");
    let ask_at = if app.permission_first { show } else { 0 };
    let _ = writeln!(m, "    - at: {ask_at}ms\n      show: consent");
    m.push_str(&ask);
    let _ = writeln!(m, "  accepted:");
    let _ = writeln!(m, "    - at: 30ms\n      show: home");
    m.push_str(&accepted);
    let _ = writeln!(m, "  rejected:");
    match app.on_reject {
        OnReject::Exit => {
            let _ = writeln!(m, "    - at: 80ms\n      exit: true");
        }
        OnReject::Guest | OnReject::Collect => {
            let _ = writeln!(m, "    - at: 30ms\n      show: guest");
        }
    }
    m.push_str(&rejected);
    let _ = writeln!(m, "screens:");
    let _ = writeln!(
        m,
        "  splash: {{ kind: page, title: {}, body: \"…\" }}",
        q(&app.label)
    );
    let kind = if app.ui == ConsentUi::FullScreen {
        "page"
    } else {
        "dialog"
    };
    let _ = writeln!(m, "  consent:");
    let _ = writeln!(m, "    kind: {kind}");
    let _ = writeln!(m, "    title: {}", q(&title));
    let _ = writeln!(m, "    body: {}", q(&body));
    if app.ui == ConsentUi::Checkbox {
        let _ = writeln!(
            m,
            "    checkbox: {{ text: {}, flag: agreed, id: cb_agree }}",
            q(tick_wording(app.lang))
        );
    }
    let requires = if app.ui == ConsentUi::Checkbox {
        ", requires: agreed"
    } else {
        ""
    };
    let _ = writeln!(m, "    buttons:");
    let _ = writeln!(
        m,
        "      - {{ text: {}, id: btn_disagree, goto: rejected }}",
        q(&reject)
    );
    let _ = writeln!(
        m,
        "      - {{ text: {}, id: btn_agree, goto: accepted{requires} }}",
        q(&accept)
    );
    let _ = writeln!(
        m,
        "  home: {{ kind: page, title: {}, body: \"Home\" }}",
        q(&app.label)
    );
    let _ = writeln!(
        m,
        "  guest: {{ kind: page, title: {}, body: {} }}",
        q(&app.label),
        q(&guest)
    );
    m
}

/// The manifest of one app (built by `aapt package`).
pub fn manifest(app: &App) -> String {
    let perms = [
        "INTERNET",
        "ACCESS_NETWORK_STATE",
        "ACCESS_WIFI_STATE",
        "READ_PHONE_STATE",
        "ACCESS_FINE_LOCATION",
        "ACCESS_COARSE_LOCATION",
        "QUERY_ALL_PACKAGES",
        "GET_ACCOUNTS",
        "CAMERA",
    ];
    let mut m = String::new();
    let _ = writeln!(m, "<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    let _ = writeln!(
        m,
        "<!-- Generated by tests/corpus/gen.rs: a manifest-only corpus app (no code). -->"
    );
    let _ = writeln!(
        m,
        "<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\" package=\"{}\" android:versionCode=\"1\" android:versionName=\"1.0.{}\">",
        app.package, app.index
    );
    let _ = writeln!(
        m,
        "  <uses-sdk android:minSdkVersion=\"24\" android:targetSdkVersion=\"33\"/>"
    );
    for p in perms {
        let _ = writeln!(
            m,
            "  <uses-permission android:name=\"android.permission.{p}\"/>"
        );
    }
    let _ = writeln!(
        m,
        "  <application android:label=\"{}\" android:name=\".App\">",
        app.label
    );
    let _ = writeln!(
        m,
        "    <activity android:name=\".MainActivity\" android:exported=\"true\">"
    );
    let _ = writeln!(m, "      <intent-filter>");
    let _ = writeln!(
        m,
        "        <action android:name=\"android.intent.action.MAIN\"/>"
    );
    let _ = writeln!(
        m,
        "        <category android:name=\"android.intent.category.LAUNCHER\"/>"
    );
    let _ = writeln!(m, "      </intent-filter>");
    let _ = writeln!(m, "    </activity>");
    let _ = writeln!(m, "  </application>");
    let _ = writeln!(m, "</manifest>");
    m
}

/// One truth item: a finding Prior must report. `what` is the data category for accesses,
/// `host:H` for tracker contacts, `-` for findings without one; `actor` `-` when the finding
/// names none (a permission prompt, a missing consent screen) or for tracker contacts (whose
/// actor is the tracker list's name for the host's owner, scored by the host).
pub type Item = (String, String, String);

fn item(rule: &str, what: &str, actor: &str) -> Item {
    (rule.to_string(), what.to_string(), actor.to_string())
}

/// The truth of one app: per scenario the verdict and the findings (as items).
pub fn truth(app: &App, sdks: &[Sdk]) -> Value {
    let actor_name = |a: &Actor| match a.sdk {
        Some(s) => sdks[s].name.clone(),
        None => app.package.clone(),
    };
    let mut before: BTreeSet<Item> = BTreeSet::new();
    for a in &app.actors {
        let is_before = app.ui == ConsentUi::None
            || matches!(
                a.timing,
                Timing::Before | Timing::AtShow | Timing::DelayedBefore
            );
        if !is_before {
            continue;
        }
        for api in &a.apis {
            before.insert(item("pre-consent-access", category_of(api), &actor_name(a)));
        }
        if a.contact
            && let Some(s) = a.sdk
            && let Some(h) = &sdks[s].tracker_host
        {
            before.insert(item(
                "tracker-contact-before-consent",
                &format!("host:{h}"),
                "-",
            ));
        }
    }
    if app.ui == ConsentUi::None {
        before.insert(item("no-consent-screen", "-", "-"));
    }
    if app.permission_first && app.ui != ConsentUi::None {
        before.insert(item("permission-prompt-before-consent", "-", "-"));
    }
    let mut reject = before.clone();
    if app.ui != ConsentUi::None {
        for api in &app.reject_apis {
            reject.insert(item("access-after-reject", category_of(api), &app.package));
        }
    }
    let scen = |items: &BTreeSet<Item>| {
        json!({
            "verdict": if items.is_empty() { "pass" } else { "fail" },
            "findings": items.iter().map(|(r, w, a)| json!({"rule": r, "what": w, "actor": a})).collect::<Vec<_>>(),
        })
    };
    json!({
        "index": app.index,
        "slug": app.slug,
        "package": app.package,
        "variant": {
            "lang": app.lang,
            "consent_ui": format!("{:?}", app.ui),
            "permission_first": app.permission_first,
            "on_reject": format!("{:?}", app.on_reject),
            "show_ms": app.show_ms,
            "actors": app.actors.iter().map(|a| json!({
                "actor": actor_name(a),
                "timing": format!("{:?}", a.timing),
                "apis": a.apis,
                "contact": a.contact,
            })).collect::<Vec<_>>(),
            "reject_apis": app.reject_apis,
        },
        "scenarios": { "accept": scen(&before), "reject": scen(&reject) },
    })
}

pub const ACCEPT_YAML: &str =
    "# Corpus scenario template (tests/corpus/gen.rs): first launch, accept consent.
# ${APK} is the app's APK (prior run -e APK=…, or a campaign).
name: Corpus — first launch, accept consent (simulated)
app: { apk: \"${APK}\" }
device: { simulated: { models: models, seed: 1 } }
profile: cn-miit
consent: { mode: auto, timeout: 5s }
steps:
  - launch
  - wait: 2s
  - accept_consent
  - wait: 1500ms
";

pub const REJECT_YAML: &str =
    "# Corpus scenario template (tests/corpus/gen.rs): first launch, refuse consent.
# ${APK} is the app's APK (prior run -e APK=…, or a campaign).
name: Corpus — first launch, refuse consent (simulated)
app: { apk: \"${APK}\" }
device: { simulated: { models: models, seed: 1 } }
profile: cn-miit
consent: { mode: reject, timeout: 5s }
steps:
  - launch
  - wait: 2s
  - reject_consent
  - wait: 1500ms
";

/// The scenario stems, in campaign order.
pub const SCENARIOS: &[&str] = &["accept", "reject"];

/// A generated corpus on disk.
pub struct Corpus {
    pub dir: PathBuf,
    pub apps: Vec<App>,
    pub sdks: Vec<Sdk>,
}

impl Corpus {
    pub fn apk(&self, app: &App) -> PathBuf {
        self.dir.join("apks").join(format!("{}.apk", app.slug))
    }
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?}: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Writes the corpus into `dir`: `apks/`, `src/<slug>/AndroidManifest.xml`, `models/`,
/// `truth.json`, `accept.yaml`, `reject.yaml`, `campaign.yaml`. Needs `aapt`, `apksigner` and
/// Debian's framework-res. An APK whose manifest is unchanged is not rebuilt.
pub fn generate(dir: &Path, opts: &Options) -> Result<Corpus, String> {
    let sdks = load_sdks(&opts.root)?;
    let apps = plan(opts, &sdks);
    let mk = |p: &Path| std::fs::create_dir_all(p).map_err(|e| format!("{}: {e}", p.display()));
    for sub in ["apks", "src", "models"] {
        mk(&dir.join(sub))?;
    }
    let write =
        |p: &Path, s: &str| std::fs::write(p, s).map_err(|e| format!("{}: {e}", p.display()));
    let framework = Path::new("/usr/share/android-framework-res/framework-res.apk");
    let key = opts.root.join("tools/demo-apk-key.p12");
    let mut truths = Vec::new();
    let mut campaign = String::new();
    let _ = writeln!(
        campaign,
        "# Generated by tests/corpus/gen.rs: {} apps, seed {}.",
        opts.apps, opts.seed
    );
    let _ = writeln!(
        campaign,
        "name: Prior corpus (seed {}, {} apps)",
        opts.seed, opts.apps
    );
    let _ = writeln!(campaign, "apps:");
    for app in &apps {
        let src = dir.join("src").join(&app.slug);
        mk(&src)?;
        let man = manifest(app);
        let man_path = src.join("AndroidManifest.xml");
        let apk = dir.join("apks").join(format!("{}.apk", app.slug));
        let fresh = std::fs::read_to_string(&man_path).ok().as_deref() == Some(man.as_str())
            && apk.is_file();
        if !fresh {
            write(&man_path, &man)?;
            let unsigned = src.join("unsigned.apk");
            run(Command::new("aapt")
                .args(["package", "-f", "-M"])
                .arg(&man_path)
                .arg("-I")
                .arg(framework)
                .arg("-F")
                .arg(&unsigned))?;
            run(Command::new("apksigner")
                .args(["sign", "--ks"])
                .arg(&key)
                .args([
                    "--ks-pass",
                    "pass:prior-demo",
                    "--ks-key-alias",
                    "demo",
                    "--v4-signing-enabled",
                    "false",
                    "--out",
                ])
                .arg(&apk)
                .arg(&unsigned))?;
            let _ = std::fs::remove_file(&unsigned);
        }
        write(
            &dir.join("models").join(format!("{}.model", app.slug)),
            &model(app, &sdks),
        )?;
        truths.push(truth(app, &sdks));
        let _ = writeln!(
            campaign,
            "  - {{ apk: apks/{}.apk, name: {}, developer: \"Prior corpus\" }}",
            app.slug,
            q(&app.label)
        );
    }
    let _ = writeln!(campaign, "scenarios:\n  - accept.yaml\n  - reject.yaml");
    let _ = writeln!(campaign, "profile: cn-miit");
    let _ = writeln!(campaign, "devices: {{ simulated: {{ models: models/ }} }}");
    write(&dir.join("campaign.yaml"), &campaign)?;
    write(&dir.join("accept.yaml"), ACCEPT_YAML)?;
    write(&dir.join("reject.yaml"), REJECT_YAML)?;
    let t = json!({"format": 1, "seed": opts.seed, "apps": truths});
    write(
        &dir.join("truth.json"),
        &serde_json::to_string_pretty(&t).unwrap_or_default(),
    )?;
    Ok(Corpus {
        dir: dir.to_path_buf(),
        apps,
        sdks,
    })
}

/// The items of one `prior analyze`/`prior run` JSON report (same shape as the truth's).
pub fn report_items(report: &Value) -> BTreeSet<Item> {
    let mut out = BTreeSet::new();
    for f in report["findings"].as_array().into_iter().flatten() {
        let rule = f["rule"].as_str().unwrap_or("?");
        let is_contact = rule.starts_with("tracker-contact");
        let what = if is_contact {
            f["api"].as_str().unwrap_or("-").to_string()
        } else {
            f["category"].as_str().unwrap_or("-").to_string()
        };
        let actor = if is_contact {
            "-".to_string()
        } else {
            f["actor"]["name"].as_str().unwrap_or("-").to_string()
        };
        out.insert((rule.to_string(), what, actor));
    }
    out
}

/// Scoring of a whole campaign against the truth.
#[derive(Debug, Default)]
pub struct Score {
    pub pairs: usize,
    pub pairs_missing: Vec<String>,
    pub true_pos: usize,
    pub false_pos: usize,
    pub false_neg: usize,
    pub verdict_ok: usize,
    /// Every miss, one line each: `PAIR: missed|extra|verdict …`.
    pub misses: Vec<String>,
}

impl Score {
    pub fn recall(&self) -> f64 {
        let d = self.true_pos + self.false_neg;
        if d == 0 {
            1.0
        } else {
            self.true_pos as f64 / d as f64
        }
    }
    pub fn precision(&self) -> f64 {
        let d = self.true_pos + self.false_pos;
        if d == 0 {
            1.0
        } else {
            self.true_pos as f64 / d as f64
        }
    }
    pub fn summary(&self) -> String {
        format!(
            "pairs {} (missing {}), findings: {} true, {} extra, {} missed; recall {:.2}%, precision {:.2}%; verdicts right {}/{}",
            self.pairs,
            self.pairs_missing.len(),
            self.true_pos,
            self.false_pos,
            self.false_neg,
            100.0 * self.recall(),
            100.0 * self.precision(),
            self.verdict_ok,
            self.pairs
        )
    }
}

/// Scores reports against `truth.json`: `report_of(pair_id)` gives the JSON report of a pair
/// (`<slug>--<scenario>`), `None` when the pair has none (counted as a miss of every item).
pub fn score(truth: &Value, mut report_of: impl FnMut(&str) -> Option<Value>) -> Score {
    let mut s = Score::default();
    for app in truth["apps"].as_array().into_iter().flatten() {
        let slug = app["slug"].as_str().unwrap_or("?");
        for stem in SCENARIOS {
            let id = format!("{slug}--{stem}");
            let t = &app["scenarios"][stem];
            let want: BTreeSet<Item> = t["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| {
                    item(
                        f["rule"].as_str().unwrap_or(""),
                        f["what"].as_str().unwrap_or(""),
                        f["actor"].as_str().unwrap_or(""),
                    )
                })
                .collect();
            s.pairs += 1;
            let Some(r) = report_of(&id) else {
                s.pairs_missing.push(id.clone());
                s.false_neg += want.len();
                s.misses.push(format!("{id}: no report"));
                continue;
            };
            let got = report_items(&r);
            for i in want.intersection(&got) {
                let _ = i;
                s.true_pos += 1;
            }
            for i in want.difference(&got) {
                s.false_neg += 1;
                s.misses
                    .push(format!("{id}: missed {} {} {}", i.0, i.1, i.2));
            }
            for i in got.difference(&want) {
                s.false_pos += 1;
                s.misses
                    .push(format!("{id}: extra {} {} {}", i.0, i.1, i.2));
            }
            let verdict = r["verdict"].as_str().unwrap_or("?");
            if Some(verdict) == t["verdict"].as_str() {
                s.verdict_ok += 1;
            } else {
                s.misses.push(format!(
                    "{id}: verdict {verdict}, truth {}{}",
                    t["verdict"],
                    r["incomplete"]
                        .as_array()
                        .filter(|a| !a.is_empty())
                        .map(|a| format!(" (incomplete: {})", Value::Array(a.clone())))
                        .unwrap_or_default()
                ));
            }
        }
    }
    s
}

/// Every (category) the truth maps, by API — for the docs and the test of the table.
pub fn categories() -> BTreeMap<&'static str, &'static str> {
    APIS.iter().copied().collect()
}
