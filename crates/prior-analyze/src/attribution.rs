//! Attribution: which SDK (or the app itself) caused an event, with the evidence that decided
//! it and a confidence.
//!
//! The SDK catalogue is prior-apk's ([`prior_apk::SdkCatalog`]), an input of the analysis
//! ([`crate::AnalysisInputs::sdks`]: built in, or `--sdk-catalogue FILE`). The signals, in the
//! order they are trusted:
//!
//! | signal | decides | confidence |
//! |---|---|---|
//! | stack frames of an IPC trace or hook event | the innermost non-framework frame that belongs to a catalogued SDK or to the app's package | high; medium when frames of unknown code sat between it and the call |
//! | an auto-init component named by the event (`for content provider {pkg/cls}`) | the SDK declaring that component | high for a listed component, medium by package prefix |
//! | a network host (`host:…` api) | the SDK owning the host | medium (a host names the receiver, not the sender) |
//! | a logcat tag of the app's process | the SDK writing under that tag | medium (tags are free text) |
//!
//! **Nested SDKs** (an SDK that bundles another, e.g. Umeng's crash SDK under `com.umeng`): two
//! rules decide, and both favour the code closest to the data access. Within one frame the
//! longest catalogued package prefix wins (`com.umeng.umcrash.X` is U-APM, not Umeng); across
//! frames the innermost matching frame — the one nearest the binder call — wins, so an SDK
//! calling into a bundled SDK that then reads the data is reported as the bundled SDK.
//!
//! **The app itself** is the actor when the innermost matching frame is in the app's package
//! (`package` or `package.*`, inner classes included). Frames of unknown packages (obfuscated
//! code, uncatalogued libraries) are skipped, lowering the confidence to medium; frames of the
//! platform and language runtimes are skipped silently.

use prior_apk::SdkCatalog;
use prior_model::{Actor, ActorKind, Event, EventKind, Signal};
use std::fmt;

/// Package prefixes of the platform and language runtimes: never an actor.
const FRAMEWORK: &[&str] = &[
    "android.",
    "androidx.",
    "com.android.",
    "dalvik.",
    "java.",
    "javax.",
    "jdk.",
    "kotlin.",
    "kotlinx.",
    "libcore.",
    "org.json.",
    "sun.",
    "com.google.android.collect.",
    "com.google.android.mms.",
];

/// How sure an attribution is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// A weak signal (none produced today; kept for completeness).
    Low,
    /// A plausible signal that others could share (tags, hosts, skipped unknown frames).
    Medium,
    /// Code of the actor directly made the call.
    High,
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        })
    }
}

/// What decided an attribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// A stack frame.
    StackFrame,
    /// An auto-init (or other) manifest component.
    Component,
    /// A network host.
    Host,
    /// A logcat tag.
    LogTag,
}

impl fmt::Display for Basis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Basis::StackFrame => "stack frame",
            Basis::Component => "component",
            Basis::Host => "host",
            Basis::LogTag => "log tag",
        })
    }
}

/// An actor with how it was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    /// App or SDK.
    pub kind: ActorKind,
    /// The app package or the SDK's display name.
    pub name: String,
    /// The catalogue id of the SDK.
    pub sdk_id: Option<String>,
    /// The signal.
    pub basis: Basis,
    /// The text that matched (a frame, component, host or tag).
    pub evidence: String,
    /// How sure.
    pub confidence: Confidence,
}

impl Attribution {
    /// As the model's [`Actor`]; `reason` reads e.g.
    /// `stack frame com.umeng.commonsdk.UMConfigure$1.run (confidence high)`.
    pub fn to_actor(&self) -> Actor {
        Actor {
            kind: self.kind,
            name: self.name.clone(),
            reason: Some(format!(
                "{} {} (confidence {})",
                self.basis, self.evidence, self.confidence
            )),
        }
    }
}

/// Decides actors for one app.
#[derive(Debug, Clone, Copy)]
pub struct Attributor<'a> {
    sdks: &'a SdkCatalog,
    package: &'a str,
}

impl<'a> Attributor<'a> {
    /// For the app `package` with catalogue `sdks`.
    pub fn new(sdks: &'a SdkCatalog, package: &'a str) -> Self {
        Attributor { sdks, package }
    }

    fn is_app_class(&self, class: &str) -> bool {
        !self.package.is_empty()
            && class
                .strip_prefix(self.package)
                .is_some_and(|r| r.is_empty() || r.starts_with('.') || r.starts_with('$'))
    }

    /// From stack frames, innermost (nearest the binder call) first: each item is the frame's
    /// class name and the text to show for it (e.g. `Class.method`).
    ///
    /// Frames of a **carrier** library (`carrier = true` in the SDK catalogue: Google's
    /// advertising-ID client and the like) are looked past: the actor is the nearest caller
    /// outside the carriers, and the evidence names the carrier it went through
    /// (`com.appsflyer.X.y via carrier Google Play services advertising-ID client`). With no
    /// caller outside the carriers on the stack, the carrier itself is the actor, at medium
    /// confidence.
    pub fn from_frames<'f, I>(&self, frames: I) -> Option<Attribution>
    where
        I: IntoIterator<Item = (&'f str, &'f str)>,
    {
        let mut skipped_unknown = false;
        let mut carrier: Option<(&prior_apk::sdk::SdkEntry, &'f str)> = None;
        let via = |carrier: &Option<(&prior_apk::sdk::SdkEntry, &str)>, shown: &str| match carrier {
            Some((c, frame)) => format!("{shown} via carrier {} ({frame})", c.name),
            None => shown.to_owned(),
        };
        for (class, shown) in frames {
            if FRAMEWORK.iter().any(|p| class.starts_with(p)) {
                continue;
            }
            // The app's own package first: an app whose package lies under an SDK's prefix
            // (a vendor's own app) is the app.
            let confidence = if skipped_unknown {
                Confidence::Medium
            } else {
                Confidence::High
            };
            if self.is_app_class(class) {
                return Some(Attribution {
                    kind: ActorKind::App,
                    name: self.package.to_owned(),
                    sdk_id: None,
                    basis: Basis::StackFrame,
                    evidence: via(&carrier, shown),
                    confidence,
                });
            }
            if let Some((sdk, _)) = self.sdks.sdk_of_class(class) {
                if sdk.carrier {
                    carrier.get_or_insert((sdk, shown));
                    continue;
                }
                return Some(Attribution {
                    kind: ActorKind::Sdk,
                    name: sdk.name.clone(),
                    sdk_id: Some(sdk.id.clone()),
                    basis: Basis::StackFrame,
                    evidence: via(&carrier, shown),
                    confidence,
                });
            }
            skipped_unknown = true;
        }
        carrier.map(|(c, frame)| Attribution {
            kind: ActorKind::Sdk,
            name: c.name.clone(),
            sdk_id: Some(c.id.clone()),
            basis: Basis::StackFrame,
            evidence: format!(
                "{frame} (a carrier library; no catalogued caller outside it on the stack)"
            ),
            confidence: Confidence::Medium,
        })
    }

    /// From a manifest component class (e.g. the provider a process was started for).
    pub fn from_component(&self, class: &str) -> Option<Attribution> {
        if self.is_app_class(class) {
            return Some(Attribution {
                kind: ActorKind::App,
                name: self.package.to_owned(),
                sdk_id: None,
                basis: Basis::Component,
                evidence: class.to_owned(),
                confidence: Confidence::Medium,
            });
        }
        let (sdk, kind) = self.sdks.sdk_of_component(class)?;
        Some(Attribution {
            kind: ActorKind::Sdk,
            name: sdk.name.clone(),
            sdk_id: Some(sdk.id.clone()),
            basis: Basis::Component,
            evidence: class.to_owned(),
            confidence: if kind == prior_apk::sdk::MatchKind::Component {
                Confidence::High
            } else {
                Confidence::Medium
            },
        })
    }

    /// From a network host.
    pub fn from_host(&self, host: &str) -> Option<Attribution> {
        let (sdk, _) = self.sdks.sdk_of_host(host)?;
        Some(Attribution {
            kind: ActorKind::Sdk,
            name: sdk.name.clone(),
            sdk_id: Some(sdk.id.clone()),
            basis: Basis::Host,
            evidence: host.to_owned(),
            confidence: Confidence::Medium,
        })
    }

    /// From a logcat tag.
    pub fn from_log_tag(&self, tag: &str) -> Option<Attribution> {
        let sdk = self.sdks.sdk_of_log_tag(tag.trim())?;
        Some(Attribution {
            kind: ActorKind::Sdk,
            name: sdk.name.clone(),
            sdk_id: Some(sdk.id.clone()),
            basis: Basis::LogTag,
            evidence: tag.trim().to_owned(),
            confidence: Confidence::Medium,
        })
    }

    /// Attributes one event that has no actor yet, from what it carries: a component named in
    /// its evidence, a `host:` api, or the tag of a logcat line written by the app's process.
    pub fn for_event(&self, ev: &Event) -> Option<Attribution> {
        if let Some(a) = component_in(&ev.evidence.text).and_then(|c| self.from_component(&c)) {
            return Some(a);
        }
        if let Some(a) = ev
            .api
            .as_ref()
            .and_then(Signal::host)
            .and_then(|h| self.from_host(h))
        {
            return Some(a);
        }
        // A logcat tag only says who wrote the line when the app's process wrote it: data
        // accesses are logged by the system about the app, so their tags name system code.
        if ev.evidence.file.ends_with("logcat.txt")
            && ev.kind != EventKind::DataAccess
            && let Some(tag) = threadtime_tag(&ev.evidence.text)
        {
            return self.from_log_tag(tag);
        }
        None
    }
}

/// Fills in the actor of every event that has none and that [`Attributor::for_event`] can
/// attribute. Events already attributed (from stack frames) are left alone.
pub(crate) fn attribute_events(events: &mut [Event], sdks: &SdkCatalog, package: &str) {
    let at = Attributor::new(sdks, package);
    for ev in events.iter_mut().filter(|e| e.actor.is_none()) {
        if let Some(a) = at.for_event(ev) {
            ev.actor = Some(a.to_actor());
        }
    }
}

/// The component class of `{package/class}` (ActivityManager's component form) in `text`,
/// resolved against the package like the manifest's names (`pkg/.ui.Cls` → `pkg.ui.Cls`,
/// `prior_apk::resolve_class_name`).
fn component_in(text: &str) -> Option<String> {
    let start = text.find('{')? + 1;
    let inner = &text[start..];
    let end = inner.find('}')?;
    let comp = inner[..end].split_whitespace().next()?;
    let (pkg, cls) = comp.split_once('/')?;
    if pkg.is_empty() || cls.is_empty() {
        return None;
    }
    Some(prior_apk::resolve_class_name(pkg, cls))
}

/// The tag of a `threadtime` logcat line (`MM-DD HH:MM:SS.mmm PID TID L TAG: message`).
fn threadtime_tag(line: &str) -> Option<&str> {
    let mut it = line.split_whitespace();
    let _date = it.next()?;
    let _time = it.next()?;
    let _pid = it.next()?;
    let _tid = it.next()?;
    let level = it.next()?;
    if level.len() != 1 {
        return None;
    }
    let rest = line.split_once(&format!(" {level} "))?.1;
    let tag = rest.split_once(':')?.0.trim();
    (!tag.is_empty()).then_some(tag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use prior_model::{Evidence, Source, Timing};

    fn at() -> Attributor<'static> {
        Attributor::new(crate::tests::sdks(), "com.example.shop")
    }

    fn frames<'a>(v: &'a [(&'a str, &'a str)]) -> impl Iterator<Item = (&'a str, &'a str)> {
        v.iter().copied()
    }

    #[test]
    fn stack_innermost_sdk_frame_wins() {
        let f = [
            (
                "android.telephony.TelephonyManager",
                "TelephonyManager.getImei",
            ),
            (
                "com.umeng.commonsdk.statistics.common.DeviceConfig",
                "DeviceConfig.getImeiNew",
            ),
            ("com.example.shop.App", "App.onCreate"),
        ];
        let a = at().from_frames(frames(&f)).unwrap();
        assert_eq!((a.kind, a.name.as_str()), (ActorKind::Sdk, "Umeng"));
        assert_eq!(a.confidence, Confidence::High);
        assert_eq!(a.evidence, "DeviceConfig.getImeiNew");
        assert!(a.to_actor().reason.unwrap().contains("confidence high"));
    }

    #[test]
    fn nested_sdk_inner_package_and_inner_frame_win() {
        // Umeng's common SDK calls into its bundled crash SDK, which reads the data.
        let f = [
            ("com.umeng.umcrash.UMCrashUtils", "UMCrashUtils.getId"),
            ("com.umeng.commonsdk.UMConfigure", "UMConfigure.init"),
        ];
        let a = at().from_frames(frames(&f)).unwrap();
        assert_eq!(a.sdk_id.as_deref(), Some("umeng-apm"));
        // The other way round: the outer SDK's frame is nearest the call.
        let f = [
            ("com.umeng.commonsdk.UMConfigure", "UMConfigure.init"),
            ("com.umeng.umcrash.UMCrash", "UMCrash.init"),
        ];
        assert_eq!(
            at().from_frames(frames(&f)).unwrap().sdk_id.as_deref(),
            Some("umeng-common")
        );
        // JCore bundled by JPush: JAnalytics' own package is the longer prefix.
        let f = [("cn.jiguang.analytics.page.A", "A.b")];
        assert_eq!(
            at().from_frames(frames(&f)).unwrap().sdk_id.as_deref(),
            Some("jiguang-janalytics")
        );
    }

    #[test]
    fn a_carrier_is_looked_past_to_its_caller() {
        // AppsFlyer reads the ad ID through Google's client by reflection (issue 14).
        let f = [
            (
                "com.google.android.gms.ads.identifier.AdvertisingIdClient",
                "com.google.android.gms.ads.identifier.AdvertisingIdClient.getAdvertisingIdInfo",
            ),
            (
                "java.lang.reflect.Method",
                "java.lang.reflect.Method.invoke",
            ),
            (
                "com.appsflyer.internal.AFa1zSDK",
                "com.appsflyer.internal.AFa1zSDK.values",
            ),
        ];
        let a = at().from_frames(frames(&f)).unwrap();
        assert_eq!(a.sdk_id.as_deref(), Some("appsflyer"), "{a:?}");
        assert_eq!(a.confidence, Confidence::High);
        assert!(
            a.evidence
                .contains("via carrier Google Play services advertising-ID client"),
            "{}",
            a.evidence
        );
        // The client's package is not AdMob's, and alone it is the carrier, at medium.
        let alone = at().from_frames(frames(&f[..2])).unwrap();
        assert_eq!(
            (alone.sdk_id.as_deref(), alone.confidence),
            (Some("play-services-ads-identifier"), Confidence::Medium)
        );
        // AdMob's own code is still AdMob.
        let admob = [(
            "com.google.android.gms.ads.internal.ClientApi",
            "com.google.android.gms.ads.internal.ClientApi.x",
        )];
        assert_eq!(
            at().from_frames(frames(&admob)).unwrap().sdk_id.as_deref(),
            Some("admob")
        );
    }

    #[test]
    fn app_prefix_and_unknown_frames() {
        let f = [
            ("java.lang.reflect.Method", "Method.invoke"),
            ("com.example.shop.util.Device$1", "Device$1.run"),
            ("com.umeng.commonsdk.UMConfigure", "UMConfigure.init"),
        ];
        let a = at().from_frames(frames(&f)).unwrap();
        assert_eq!(
            (a.kind, a.name.as_str()),
            (ActorKind::App, "com.example.shop")
        );
        assert_eq!(a.confidence, Confidence::High);
        // Obfuscated code between the call and the SDK: still the SDK, medium confidence.
        let f = [
            ("a.b.c", "c.a"),
            (
                "com.tencent.bugly.crashreport.CrashReport",
                "CrashReport.init",
            ),
        ];
        let a = at().from_frames(frames(&f)).unwrap();
        assert_eq!(
            (a.name.as_str(), a.confidence),
            ("Tencent Bugly", Confidence::Medium)
        );
        // A package that merely starts with the app's name is not the app.
        let f = [("com.example.shopping.X", "X.y")];
        assert!(at().from_frames(frames(&f)).is_none());
        // Only framework frames: nobody.
        let f = [("android.app.ActivityThread", "ActivityThread.main")];
        assert!(at().from_frames(frames(&f)).is_none());
    }

    #[test]
    fn tags_hosts_and_providers() {
        let a = at().from_log_tag("UMConfigure").unwrap();
        assert_eq!(
            (a.name.as_str(), a.basis, a.confidence),
            ("Umeng", Basis::LogTag, Confidence::Medium)
        );
        assert!(at().from_log_tag("MyAppTag").is_none());
        let a = at().from_host("ulogs.umeng.com").unwrap();
        assert_eq!((a.name.as_str(), a.basis), ("Umeng", Basis::Host));
        assert!(at().from_host("example.com").is_none());
        let a = at()
            .from_component("com.google.firebase.provider.FirebaseInitProvider")
            .unwrap();
        assert_eq!(
            (a.sdk_id.as_deref(), a.confidence),
            (Some("firebase-core"), Confidence::High)
        );
        // A component the catalogue does not list, under an SDK's prefix: medium.
        let a = at()
            .from_component("com.umeng.message.provider.UnlistedProvider")
            .unwrap();
        assert_eq!(
            (a.sdk_id.as_deref(), a.confidence),
            (Some("umeng-push"), Confidence::Medium)
        );
        let a = at()
            .from_component("com.example.shop.InitProvider")
            .unwrap();
        assert_eq!(a.kind, ActorKind::App);
    }

    fn event(kind: EventKind, api: Option<&str>, text: &str) -> Event {
        Event {
            source: Source::Logcat,
            kind,
            category: None,
            timing: Timing::instant(1),
            api: api.map(Into::into),
            outcome: None,
            pid: None,
            uid: None,
            actor: None,
            detail: String::new(),
            evidence: Evidence {
                file: "raw/logcat.txt".into(),
                line: 1,
                text: text.into(),
            },
        }
    }

    #[test]
    fn events_from_provider_starts_hosts_and_tags() {
        let ev = event(
            EventKind::ProcessStart,
            None,
            "11-28 10:00:00.000  1000  1100 I ActivityManager: Start proc 4242:com.example.shop/u0a77 for content provider {com.example.shop/com.google.firebase.provider.FirebaseInitProvider}",
        );
        assert_eq!(
            at().for_event(&ev).unwrap().sdk_id.as_deref(),
            Some("firebase-core")
        );
        let ev = event(EventKind::NetworkContact, Some("host:alog.umeng.com"), "");
        assert_eq!(at().for_event(&ev).unwrap().name, "Umeng");
        let ev = event(
            EventKind::Marker,
            None,
            "11-28 10:00:00.000  4242  4242 I UMLog   : init ok",
        );
        assert_eq!(at().for_event(&ev).unwrap().basis, Basis::LogTag);
        // A data access logged by the system: its tag names system code, not an actor.
        let ev = event(
            EventKind::DataAccess,
            None,
            "11-28 10:00:00.000  1000  1100 W UMLog: x",
        );
        assert!(at().for_event(&ev).is_none());
        let mut evs = vec![event(EventKind::NetworkContact, Some("host:sentry.io"), "")];
        attribute_events(&mut evs, crate::tests::sdks(), "com.example.shop");
        assert_eq!(evs[0].actor.as_ref().unwrap().name, "Sentry");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_hostile_text(text in ".{0,200}", class in "[a-zA-Z0-9.$_{}/ ]{0,80}") {
            let a = at();
            let _ = component_in(&text);
            let _ = threadtime_tag(&text);
            let _ = a.from_frames([(class.as_str(), text.as_str())]);
            let _ = a.from_component(&class);
            let _ = a.from_host(&text);
            let _ = a.from_log_tag(&text);
            let _ = a.for_event(&event(EventKind::Marker, Some(&format!("host:{text}")), &text));
        }
    }

    #[test]
    fn threadtime_tags() {
        assert_eq!(
            threadtime_tag("11-28 10:00:00.000  4242  4242 I UMLog   : init"),
            Some("UMLog")
        );
        assert_eq!(threadtime_tag("garbage"), None);
    }

    #[test]
    fn component_names_in_evidence_resolve_against_their_package() {
        // ActivityManager's short form `pkg/.Cls` (ComponentName.flattenToShortString) names
        // `pkg.Cls`, as the manifest's relative names do.
        assert_eq!(
            component_in("Start proc 4242:com.example/u0a1 for provider {com.example/.data.Init}")
                .as_deref(),
            Some("com.example.data.Init")
        );
        assert_eq!(
            component_in("{com.example/com.umeng.message.provider.MessageProvider}").as_deref(),
            Some("com.umeng.message.provider.MessageProvider")
        );
        assert_eq!(component_in("{/x.Y}"), None);
        assert_eq!(component_in("{com.example/}"), None);
    }
}
