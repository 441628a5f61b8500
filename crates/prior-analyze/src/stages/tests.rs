//! Tests of the stages and of the inputs being used.

use super::*;
use crate::tests::sdks;
use crate::{AnalysisInputs, Catalog, Origin, Profile, SdkCatalog};
use prior_model::bundle::Bundle;
use prior_model::{Evidence, Timing};
use std::path::Path;

fn leaky() -> Bundle {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/bundles/leaky");
    Bundle::open(dir).unwrap()
}

/// An SDK catalogue that calls `com.umeng` "Custom Tracker".
fn custom_sdks() -> SdkCatalog {
    SdkCatalog::from_toml(
        "name = \"custom\"\nversion = \"7\"\n\n[[sdk]]\nid = \"custom\"\nname = \"Custom Tracker\"\n\
         vendor = \"V\"\ncategory = \"analytics\"\npackages = [\"com.umeng\"]\nsource = \"test\"\n",
        "custom.toml",
    )
    .unwrap()
}

#[test]
fn the_sdk_catalogue_of_the_inputs_names_the_actors() {
    let (catalog, profile) = (
        Catalog::builtin().unwrap(),
        Profile::builtin("cn-miit").unwrap(),
    );
    let bundle = leaky();
    let builtin =
        crate::analyze(&bundle, &AnalysisInputs::new(&catalog, sdks(), &profile)).unwrap();
    let custom = custom_sdks();
    let origin = Origin::File("custom.toml".into());
    let inputs = AnalysisInputs {
        catalog: &catalog,
        sdks: &custom,
        sdks_origin: &origin,
        profile: &profile,
    };
    let other = crate::analyze(&bundle, &inputs).unwrap();
    let actors = |r: &crate::Report| -> Vec<String> {
        r.findings
            .iter()
            .filter_map(|f| f.actor.as_ref().map(|a| a.name.clone()))
            .collect()
    };
    assert!(
        actors(&builtin).iter().any(|a| a == "Umeng"),
        "{:?}",
        actors(&builtin)
    );
    assert!(
        !actors(&other).iter().any(|a| a == "Umeng"),
        "{:?}",
        actors(&other)
    );
    assert!(
        actors(&other).iter().any(|a| a == "Custom Tracker"),
        "{:?}",
        actors(&other)
    );
    // The report names the inputs it was made from.
    let i = other.inputs.as_ref().unwrap();
    assert_eq!(
        (
            i.sdk_catalogue.name.as_str(),
            i.sdk_catalogue.version.as_deref()
        ),
        ("custom", Some("7"))
    );
    assert_eq!(i.sdk_catalogue.origin, "file");
    assert_eq!(i.sdk_catalogue.file.as_deref(), Some("custom.toml"));
    assert_eq!(i.catalog.version.as_deref(), Some(catalog.version.as_str()));
    assert_eq!(i.profile.sha256.as_deref(), Some(profile.sha256.as_str()));
    let b = builtin.inputs.as_ref().unwrap();
    assert_eq!(b.sdk_catalogue.origin, "builtin");
    assert!(
        b.line().starts_with("catalog prior-builtin "),
        "{}",
        b.line()
    );
}

#[test]
fn the_source_list_is_appops_ipc_net_and_coverage_is_in_source_order() {
    // A new source is appended to SOURCES; coverage sorts by Source whatever the order.
    assert_eq!(SOURCES.len(), 3);
    let (catalog, profile) = (
        Catalog::builtin().unwrap(),
        Profile::builtin("cn-miit").unwrap(),
    );
    let r = crate::analyze(&leaky(), &AnalysisInputs::new(&catalog, sdks(), &profile)).unwrap();
    let order: Vec<Source> = r.checked.sources.iter().map(|s| s.source).collect();
    assert_eq!(
        order,
        [
            Source::Logcat,
            Source::Appops,
            Source::Ipc,
            Source::Ui,
            Source::Net,
            // issue 18: always listed (unavailable when the session was not intercepted)
            Source::Http,
            Source::Harness
        ]
    );
}

fn ev(kind: EventKind, t: Micros, detail: &str) -> Event {
    Event {
        source: Source::Net,
        kind,
        category: None,
        timing: Timing::instant(t),
        api: None,
        outcome: None,
        pid: None,
        uid: None,
        actor: None,
        detail: detail.into(),
        evidence: Evidence {
            file: "raw/net.pcap".into(),
            line: 1,
            text: String::new(),
        },
    }
}

#[test]
fn placing_sorts_by_time_and_leaves_pre_launch_traffic_outside_every_phase() {
    let consent = ConsentReport {
        outcome: prior_model::ConsentOutcome::Accepted,
        shown_us: Some(1_200),
        answered: Some(Timing::window(2_000, 2_000)),
        method: crate::report::ConsentMethod::LogcatMarkers,
        placed: true,
        evidence: Vec::new(),
    };
    let events = vec![
        ev(EventKind::NetworkContact, 3_000, "after"),
        ev(EventKind::NetworkContact, 500, "before launch"),
        ev(EventKind::NetworkContact, 1_500, "before consent"),
    ];
    let (events, phases) = place(events, &consent, Some(1_000));
    let details: Vec<&str> = events.iter().map(|e| e.detail.as_str()).collect();
    assert_eq!(
        details,
        [
            "before launch (before the app's launch: device traffic, not counted)",
            "before consent",
            "after"
        ]
    );
    assert_eq!(
        phases,
        [None, Some(Phase::BeforeConsent), Some(Phase::AfterConsent)]
    );
}

#[test]
fn attributing_uses_the_catalogue_it_is_given() {
    let mut with_builtin = vec![ev(EventKind::NetworkContact, 1, "")];
    with_builtin[0].api = Some("host:alog.umeng.com".into());
    let mut with_custom = with_builtin.clone();
    crate::attribution::attribute_events(&mut with_builtin, sdks(), "com.example.shop");
    crate::attribution::attribute_events(&mut with_custom, &custom_sdks(), "com.example.shop");
    assert_eq!(with_builtin[0].actor.as_ref().unwrap().name, "Umeng");
    // The custom catalogue lists no host: a host alone names nobody.
    assert!(with_custom[0].actor.is_none());
}
