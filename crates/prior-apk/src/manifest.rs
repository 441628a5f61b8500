//! The manifest facts `prior inspect` and `prior run` share: components with their class names
//! resolved and `exported` resolved by the platform's rules, the launcher activity, the SDK
//! levels as numbers, and the `androidx.startup` initializers. One implementation, read from the
//! `AndroidManifest.xml` tree apk-info parses (its own parser, `apk-info-axml`).
//!
//! Platform rules applied, each from AOSP `frameworks/base` (docs/inspect.md cites them):
//! * class names: `ParsingUtils.buildClassName` — a name starting with `.` is appended to the
//!   package, a name without any `.` gets `package.` in front, any other name is kept.
//! * `exported` of a provider without `android:exported`: `targetSdkVersion < 17`
//!   (`ParsedProviderUtils.parseProvider`, `Build.VERSION_CODES.JELLY_BEAN_MR1`).
//! * `exported` of an activity, receiver or service without it: "has an intent filter"
//!   (`ParsedActivityUtils`, `ParsedServiceUtils`); an app targeting 31 or higher must declare it
//!   when it has an intent filter (the parser's `MISSING_EXPORTED_FLAG` deferred error: Android
//!   12+ refuses to install it). Activity aliases are given the activity rule (UNVERIFIED in the
//!   alias parser).
//! * components are the direct children of `<application>`, as the platform's parser reads them.

use apk_info_xml::Element;
use serde::Serialize;

/// `targetSdkVersion` below which a provider without `android:exported` is exported
/// (`Build.VERSION_CODES.JELLY_BEAN_MR1`).
pub const PROVIDER_EXPORTED_UNTIL: u32 = 17;
/// `targetSdkVersion` from which a component with an intent filter must declare
/// `android:exported` (`Build.VERSION_CODES.S`).
pub const EXPLICIT_EXPORTED_FROM: u32 = 31;

/// The `android:value` that marks an `androidx.startup` initializer's `<meta-data>`.
pub const STARTUP_MARKER: &str = "androidx.startup";
/// The provider through which `androidx.startup` runs its initializers.
pub const STARTUP_PROVIDER: &str = "androidx.startup.InitializationProvider";

/// Android's resolution of a manifest class name against the package
/// (AOSP `ParsingUtils.buildClassName`): `.ui.Splash` → `pkg.ui.Splash`, `Splash` →
/// `pkg.Splash`, `com.x.Splash` unchanged. An empty name stays empty (the platform refuses it).
pub fn resolve_class_name(package: &str, name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else if name.starts_with('.') {
        format!("{package}{name}")
    } else if !name.contains('.') {
        format!("{package}.{name}")
    } else {
        name.to_owned()
    }
}

/// How a component's `exported` value was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportedBasis {
    /// `android:exported` is a literal `true`/`false` in the manifest.
    Declared,
    /// Default for an activity, alias, service or receiver with an intent filter: exported.
    DefaultIntentFilter,
    /// Default for an activity, alias, service or receiver without one: not exported.
    DefaultNoIntentFilter,
    /// Default for a provider of an app targeting API 16 or lower: exported.
    DefaultProviderLegacyTarget,
    /// Default for a provider of an app targeting API 17 or higher: not exported.
    DefaultProvider,
}

impl ExportedBasis {
    /// The words `prior inspect` prints after "exported"/"not exported".
    pub fn describe(self) -> &'static str {
        match self {
            ExportedBasis::Declared => "declared",
            ExportedBasis::DefaultIntentFilter => "default: has an intent filter",
            ExportedBasis::DefaultNoIntentFilter => "default: no intent filter",
            ExportedBasis::DefaultProviderLegacyTarget => "default: provider, targetSdk ≤ 16",
            ExportedBasis::DefaultProvider => "default: provider, targetSdk ≥ 17",
        }
    }
}

/// A manifest component.
#[derive(Debug, Clone, Serialize)]
pub struct Component {
    /// `activity`, `activity-alias`, `service`, `receiver`, `provider`.
    pub kind: &'static str,
    /// Class name resolved against the package ([`resolve_class_name`]).
    pub name: String,
    /// `android:name` as written in the manifest (`.ui.Splash`, `Splash`, or the full name).
    pub name_declared: String,
    /// `android:exported` as declared (a literal boolean), else `null`.
    pub exported_declared: Option<bool>,
    /// Whether other apps can reach it, by the platform's rule.
    pub exported: bool,
    /// How [`Component::exported`] was decided.
    pub exported_basis: ExportedBasis,
    /// The app targets API 31+, the component has an intent filter and declares no
    /// `android:exported`: Android 12+ refuses to install the APK.
    pub exported_required_missing: bool,
    /// It has at least one `<intent-filter>`.
    pub intent_filter: bool,
    /// `android:enabled="false"` makes this false.
    pub enabled: bool,
    /// `android:process`.
    pub process: Option<String>,
    /// Provider authorities.
    pub authorities: Option<String>,
    /// An alias's `android:targetActivity`, resolved.
    pub target_activity: Option<String>,
    /// A provider Android starts before `Application.onCreate`.
    pub auto_init: bool,
    /// The SDK it belongs to, if the catalogue knows it (filled by the inventory).
    pub sdk: Option<String>,
}

/// The activity the home screen starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Launcher {
    /// The activity or alias, resolved: the component `am start -n package/NAME` starts.
    pub name: String,
    /// `activity` or `activity-alias`.
    pub kind: &'static str,
    /// For an alias: the activity it starts, resolved.
    pub target_activity: Option<String>,
}

/// What [`read`] finds.
#[derive(Debug, Clone, Default)]
pub struct ManifestFacts {
    /// Components in manifest order.
    pub components: Vec<Component>,
    /// The launcher activity.
    pub launcher: Option<Launcher>,
    /// `androidx.startup` initializer classes, in manifest order, de-duplicated.
    pub startup_initializers: Vec<String>,
}

/// Reads components, launcher and startup initializers from the manifest tree's root element.
pub fn read(root: &Element, package: &str, target_sdk: u32) -> ManifestFacts {
    let mut out = ManifestFacts::default();
    let apps = root.childrens().filter(|e| e.name() == "application");
    for el in apps.flat_map(|a| a.childrens()) {
        let kind = match el.name() {
            "activity" => "activity",
            "activity-alias" => "activity-alias",
            "service" => "service",
            "receiver" => "receiver",
            "provider" => "provider",
            _ => continue,
        };
        let Some(declared_name) = el.attr("name").filter(|n| !n.is_empty()) else {
            continue;
        };
        let name = resolve_class_name(package, declared_name);
        let filters: Vec<&Element> = el
            .childrens()
            .filter(|c| c.name() == "intent-filter")
            .collect();
        let has_filter = !filters.is_empty();
        let declared = crate::facts::parse_bool(el.attr("exported"));
        let is_provider = kind == "provider";
        let (exported, basis) = match declared {
            Some(v) => (v, ExportedBasis::Declared),
            None if is_provider && target_sdk < PROVIDER_EXPORTED_UNTIL => {
                (true, ExportedBasis::DefaultProviderLegacyTarget)
            }
            None if is_provider => (false, ExportedBasis::DefaultProvider),
            None if has_filter => (true, ExportedBasis::DefaultIntentFilter),
            None => (false, ExportedBasis::DefaultNoIntentFilter),
        };
        let enabled = crate::facts::parse_bool(el.attr("enabled")).unwrap_or(true);
        let target_activity = (kind == "activity-alias")
            .then(|| el.attr("targetActivity"))
            .flatten()
            .filter(|t| !t.is_empty())
            .map(|t| resolve_class_name(package, t));
        if is_provider && enabled && name == STARTUP_PROVIDER {
            for m in el.childrens().filter(|c| c.name() == "meta-data") {
                if m.attr("value") == Some(STARTUP_MARKER)
                    && let Some(init) = m.attr("name").filter(|n| !n.is_empty())
                    && !out.startup_initializers.iter().any(|i| i == init)
                {
                    out.startup_initializers.push(init.to_owned());
                }
            }
        }
        if out.launcher.is_none()
            && enabled
            && matches!(kind, "activity" | "activity-alias")
            && filters.iter().any(|f| is_launcher_filter(f))
        {
            out.launcher = Some(Launcher {
                name: name.clone(),
                kind,
                target_activity: target_activity.clone(),
            });
        }
        out.components.push(Component {
            kind,
            name,
            name_declared: declared_name.to_owned(),
            exported_declared: declared,
            exported,
            exported_basis: basis,
            exported_required_missing: declared.is_none()
                && !is_provider
                && has_filter
                && target_sdk >= EXPLICIT_EXPORTED_FROM,
            intent_filter: has_filter,
            enabled,
            process: el.attr("process").map(str::to_owned),
            authorities: el.attr("authorities").map(str::to_owned),
            target_activity,
            auto_init: is_provider && enabled,
            sdk: None,
        });
    }
    out
}

/// An `<intent-filter>` with action `MAIN` and category `LAUNCHER`: what the home screen
/// lists (and what `aapt dump badging` prints as `launchable-activity`).
fn is_launcher_filter(filter: &Element) -> bool {
    let has = |tag: &str, value: &str| {
        filter
            .childrens()
            .any(|c| c.name() == tag && c.attr("name") == Some(value))
    };
    has("action", "android.intent.action.MAIN")
        && has("category", "android.intent.category.LAUNCHER")
}

/// Parses the manifest of `apk` again into its element tree (apk-info keeps its own private).
/// `None` when the manifest cannot be read, which [`crate::facts::open`] has already ruled out.
pub(crate) fn tree(apk: &apk_info::Apk) -> Option<Element> {
    let (bytes, _) = apk.read("AndroidManifest.xml").ok()?;
    apk_info_axml::AXML::new(&mut &bytes[..], None)
        .ok()
        .map(|a| a.root)
}

/// An SDK level attribute as a number: `None` when absent or not a plain decimal (a preview
/// codename such as `Tiramisu`, or a resource reference).
pub fn sdk_level(v: Option<&str>) -> Option<u32> {
    v?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_resolve_like_build_class_name() {
        let p = "com.example";
        assert_eq!(
            resolve_class_name(p, ".ui.SplashActivity"),
            "com.example.ui.SplashActivity"
        );
        assert_eq!(
            resolve_class_name(p, "SplashActivity"),
            "com.example.SplashActivity"
        );
        assert_eq!(resolve_class_name(p, "org.x.Main"), "org.x.Main");
        assert_eq!(resolve_class_name(p, ""), "");
    }

    #[test]
    fn sdk_levels_are_numbers_or_none() {
        assert_eq!(sdk_level(Some("19")), Some(19));
        assert_eq!(sdk_level(Some("Tiramisu")), None);
        assert_eq!(sdk_level(Some("@integer/min")), None);
        assert_eq!(sdk_level(None), None);
    }
}
