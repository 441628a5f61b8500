//! The consent-screen detector: given one `uiautomator dump` and the scenario's consent
//! selectors, is this the app's consent screen, and where are its accept / reject elements?
//!
//! Pure and deterministic, so `prior ui DUMP.xml` shows a regulator exactly why Prior tapped
//! where it did. Decisions, in order:
//! 1. A **system permission dialog** (a node of `com.android.permissioncontroller`,
//!    `com.google.android.permissioncontroller` or `com.android.packageinstaller`) is never the
//!    app's consent screen; its deny button is reported so the recorder can dismiss it.
//! 2. A screen is the **consent screen** when some node matches `consent.screen` *and* an accept
//!    or reject element is found (a privacy settings page without buttons is not a consent
//!    screen).
//! 3. **Accept / reject elements** are nodes whose label (`text` or `content-desc`) matches the
//!    selector. A node matching both is treated as *reject* (a loose pattern `同意` also matches
//!    `不同意`). The tap target is the node itself when clickable, else its nearest clickable
//!    ancestor whose subtree holds no element of the other kind (the button text often sits in a
//!    non-clickable child of a clickable parent), else the node. Zero-area (off-screen) nodes are
//!    skipped. Among several candidates the first in document order wins.
//! 4. A **consent checkbox** (`consent.tick`, or any checkable node on the consent screen) that is
//!    not checked is reported as `tick`: the recorder ticks it before accepting. With
//!    `tick: none` in the scenario nothing is ever reported (nor ticked).

use prior_parse::ui::{Bounds, UiDump, UiNode};
use prior_scenario::{Consent, Selector};
use serde::Serialize;

/// Packages whose windows are system permission dialogs.
pub const PERMISSION_PACKAGES: &[&str] = &[
    "com.android.permissioncontroller",
    "com.google.android.permissioncontroller",
    "com.android.packageinstaller",
];

/// Resource-id suffixes of a permission dialog's deny buttons (AOSP GrantPermissionsActivity).
const DENY_IDS: &[&str] = &[
    ":id/permission_deny_button",
    ":id/permission_deny_and_dont_ask_again_button",
    ":id/permission_no_upgrade_button",
];

/// An element to tap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The label that matched (text or content-desc of the matching node).
    pub text: String,
    /// The tap target's `resource-id`.
    pub resource_id: String,
    /// The tap target's bounds `[x1, y1, x2, y2]`.
    pub bounds: [i32; 4],
    /// Where to tap: the centre of the bounds.
    pub center: [i32; 2],
    /// Arena id of the tapped node in the dump.
    #[serde(skip)]
    pub node: usize,
}

/// What the detector concluded about one dump.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detection {
    /// Whether this is the app's consent screen.
    pub consent_screen: bool,
    /// The accept element, if found.
    pub accept: Option<Target>,
    /// The reject element, if found.
    pub reject: Option<Target>,
    /// An unchecked consent checkbox that must be ticked first, if any.
    pub tick: Option<Target>,
    /// Whether a system runtime-permission dialog is on screen.
    pub permission_dialog: bool,
    /// The permission dialog's text (its message), when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission_text: Option<String>,
    /// The permission dialog's deny button, when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission_deny: Option<Target>,
}

fn matches(sel: &Selector, n: &UiNode) -> bool {
    sel.matches(&n.text, &n.content_desc, &n.resource_id)
}

fn has_area(b: Option<Bounds>) -> Option<Bounds> {
    b.filter(|b| b.x2 > b.x1 && b.y2 > b.y1)
}

fn target(label_node: &UiNode, tap: &UiNode) -> Option<Target> {
    let b = has_area(tap.bounds).or_else(|| has_area(label_node.bounds))?;
    let (cx, cy) = b.center();
    Some(Target {
        text: label_node.label().to_string(),
        resource_id: if tap.resource_id.is_empty() {
            label_node.resource_id.clone()
        } else {
            tap.resource_id.clone()
        },
        bounds: [b.x1, b.y1, b.x2, b.y2],
        center: [cx, cy],
        node: tap.id,
    })
}

/// Finds the element to tap for `want`, excluding nodes that match `other` when
/// `other_wins` (reject beats accept on nodes matching both).
fn find_button(
    dump: &UiDump,
    want: &Selector,
    other: &Selector,
    other_wins: bool,
) -> Option<Target> {
    for n in &dump.nodes {
        if !matches(want, n) || (other_wins && matches(other, n)) || has_area(n.bounds).is_none() {
            continue;
        }
        if !n.enabled {
            continue;
        }
        if n.clickable {
            if let Some(t) = target(n, n) {
                return Some(t);
            }
            continue;
        }
        // Nearest clickable ancestor that does not also contain an element of the other kind.
        let tap = dump.ancestors(n.id).find(|a| a.clickable).filter(|a| {
            !dump
                .descendants(a.id)
                .any(|d| d.id != n.id && matches(other, d) && !matches(want, d))
        });
        if let Some(t) = target(n, tap.unwrap_or(n)) {
            return Some(t);
        }
    }
    None
}

fn find_tick(dump: &UiDump, tick: &Selector) -> Option<Target> {
    // A node matching the tick wording: the checkbox is itself, a checkable ancestor, or a
    // checkable node among its parent's descendants (label beside the box).
    for n in dump.nodes.iter().filter(|n| matches(tick, n)) {
        let boxed = if n.checkable {
            Some(n)
        } else {
            dump.ancestors(n.id).find(|a| a.checkable).or_else(|| {
                n.parent
                    .and_then(|p| dump.descendants(p).find(|d| d.checkable))
            })
        };
        if let Some(b) = boxed {
            if b.checked {
                return None;
            }
            return target(n, b);
        }
    }
    // Any unchecked checkbox on the consent screen.
    dump.nodes
        .iter()
        .find(|n| n.checkable && !n.checked && n.enabled && has_area(n.bounds).is_some())
        .and_then(|n| target(n, n))
}

fn permission_dialog(dump: &UiDump) -> bool {
    dump.nodes
        .iter()
        .any(|n| PERMISSION_PACKAGES.contains(&n.package.as_str()))
}

fn permission_parts(dump: &UiDump) -> (Option<String>, Option<Target>) {
    let text = dump
        .nodes
        .iter()
        .find(|n| n.resource_id.ends_with(":id/permission_message"))
        .map(|n| n.text.clone());
    let deny = dump
        .nodes
        .iter()
        .find(|n| {
            DENY_IDS.iter().any(|s| n.resource_id.ends_with(s)) && has_area(n.bounds).is_some()
        })
        .and_then(|n| target(n, n));
    (text, deny)
}

/// Runs the detector on one dump.
pub fn detect(dump: &UiDump, consent: &Consent) -> Detection {
    if permission_dialog(dump) {
        let (permission_text, permission_deny) = permission_parts(dump);
        return Detection {
            consent_screen: false,
            accept: None,
            reject: None,
            tick: None,
            permission_dialog: true,
            permission_text,
            permission_deny,
        };
    }
    let screen = dump.nodes.iter().any(|n| matches(&consent.screen, n));
    let reject = find_button(dump, &consent.reject, &consent.accept, false);
    let accept = find_button(dump, &consent.accept, &consent.reject, true);
    let consent_screen = screen && (accept.is_some() || reject.is_some());
    let tick = match &consent.tick {
        Some(sel) if consent_screen => find_tick(dump, sel),
        _ => None,
    };
    Detection {
        consent_screen,
        accept: if consent_screen { accept } else { None },
        reject: if consent_screen { reject } else { None },
        tick,
        permission_dialog: false,
        permission_text: None,
        permission_deny: None,
    }
}

/// Whether any node matches `sel` (for `wait_for` / `tap` steps): the first match with area.
pub fn find(dump: &UiDump, sel: &Selector) -> Option<Target> {
    dump.nodes
        .iter()
        .filter(|n| matches(sel, n) && has_area(n.bounds).is_some())
        .find_map(|n| {
            let tap = if n.clickable {
                n
            } else {
                dump.ancestors(n.id).find(|a| a.clickable).unwrap_or(n)
            };
            target(n, tap)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use prior_scenario::wording;

    fn consent() -> Consent {
        Consent {
            mode: prior_scenario::ConsentMode::Auto,
            timeout: std::time::Duration::from_secs(30),
            screen: wording::default_screen(),
            accept: wording::default_accept(),
            reject: wording::default_reject(),
            tick: Some(wording::default_tick()),
        }
    }

    /// Builds a dump in uiautomator's format from (depth, attrs) rows.
    fn dump(nodes: &[(usize, &str)]) -> UiDump {
        let mut xml = String::from(
            "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">",
        );
        let mut open: Vec<usize> = Vec::new();
        for (i, (depth, attrs)) in nodes.iter().enumerate() {
            while open.last().is_some_and(|d| d >= depth) {
                xml.push_str("</node>");
                open.pop();
            }
            let defaults = [
                ("text", ""),
                ("resource-id", ""),
                ("class", "android.widget.TextView"),
                ("package", "com.leaky.shop"),
                ("content-desc", ""),
                ("checkable", "false"),
                ("checked", "false"),
                ("clickable", "false"),
                ("enabled", "true"),
                ("bounds", "[0,0][100,100]"),
            ];
            let mut a = format!("index=\"{i}\"");
            for (k, v) in defaults {
                if !attrs.contains(&format!("{k}=")) {
                    a.push_str(&format!(" {k}=\"{v}\""));
                }
            }
            xml.push_str(&format!("<node {a} {attrs}>"));
            open.push(*depth);
        }
        for _ in open {
            xml.push_str("</node>");
        }
        xml.push_str("</hierarchy>");
        prior_parse::ui::parse_dump(&xml).unwrap()
    }

    #[test]
    fn chinese_dialog_with_text_in_non_clickable_children() {
        let d = dump(&[
            (
                0,
                r#"class="android.widget.FrameLayout" bounds="[0,0][1080,2400]""#,
            ),
            (1, r#"text="个人信息保护指引" bounds="[100,600][980,700]""#),
            (
                1,
                r#"text="请阅读《隐私政策》" clickable="true" bounds="[100,700][980,900]""#,
            ),
            (
                1,
                r#"resource-id="com.leaky.shop:id/btn_disagree" clickable="true" bounds="[100,1500][500,1650]""#,
            ),
            (2, r#"text="不同意" bounds="[200,1550][400,1600]""#),
            (
                1,
                r#"resource-id="com.leaky.shop:id/btn_agree" clickable="true" bounds="[580,1500][980,1650]""#,
            ),
            (2, r#"text="同意" bounds="[700,1550][860,1600]""#),
        ]);
        let r = detect(&d, &consent());
        assert!(r.consent_screen);
        let a = r.accept.unwrap();
        assert_eq!(
            (a.text.as_str(), a.resource_id.as_str(), a.center),
            ("同意", "com.leaky.shop:id/btn_agree", [780, 1575])
        );
        let j = r.reject.unwrap();
        assert_eq!((j.text.as_str(), j.center), ("不同意", [300, 1575]));
        assert!(r.tick.is_none());
    }

    #[test]
    fn accept_all_vs_reject_all_and_desc_only_buttons() {
        let d = dump(&[
            (
                0,
                r#"class="android.widget.FrameLayout" bounds="[0,0][1080,2400]""#,
            ),
            (
                1,
                r#"text="We value your privacy" bounds="[0,100][1080,200]""#,
            ),
            (
                1,
                r#"class="android.widget.ImageButton" content-desc="Reject all" clickable="true" bounds="[0,2000][540,2100]""#,
            ),
            (
                1,
                r#"class="android.widget.ImageButton" content-desc="Accept all" clickable="true" bounds="[540,2000][1080,2100]""#,
            ),
        ]);
        let r = detect(&d, &consent());
        assert!(r.consent_screen);
        assert_eq!(r.accept.unwrap().center, [810, 2050]);
        assert_eq!(r.reject.unwrap().center, [270, 2050]);
    }

    #[test]
    fn a_link_is_not_the_accept_button_and_loose_patterns_prefer_reject() {
        let mut c = consent();
        c.accept = Selector::text(prior_scenario::Pattern::new("同意").unwrap());
        c.reject = Selector::text(prior_scenario::Pattern::new("不同意").unwrap());
        let d = dump(&[
            (
                0,
                r#"class="android.widget.FrameLayout" bounds="[0,0][1080,2400]""#,
            ),
            (1, r#"text="隐私政策" bounds="[0,100][1080,200]""#),
            (
                1,
                r#"text="《隐私政策》" clickable="true" bounds="[0,300][1080,400]""#,
            ),
            (
                1,
                r#"text="不同意" clickable="true" bounds="[0,2000][540,2100]""#,
            ),
            (
                1,
                r#"text="同意" clickable="true" bounds="[540,2000][1080,2100]""#,
            ),
        ]);
        let r = detect(&d, &c);
        assert_eq!(r.accept.unwrap().text, "同意");
        assert_eq!(r.reject.unwrap().text, "不同意");
        // With the defaults (whole-label), the link never matches either.
        let r = detect(&d, &consent());
        assert_eq!(r.accept.unwrap().center, [810, 2050]);
    }

    #[test]
    fn an_unticked_consent_checkbox_is_reported() {
        let d = dump(&[
            (
                0,
                r#"class="android.widget.FrameLayout" bounds="[0,0][1080,2400]""#,
            ),
            (1, r#"text="用户协议与隐私政策" bounds="[0,100][1080,200]""#),
            (
                1,
                r#"class="android.widget.CheckBox" checkable="true" checked="false" clickable="true" bounds="[40,1800][100,1860]""#,
            ),
            (1, r#"text="我已阅读并同意" bounds="[110,1800][600,1860]""#),
            (
                1,
                r#"text="同意并继续" clickable="true" bounds="[0,2000][1080,2100]""#,
            ),
        ]);
        let r = detect(&d, &consent());
        assert!(r.consent_screen);
        assert_eq!(r.tick.unwrap().center, [70, 1830]);
        assert_eq!(r.accept.unwrap().text, "同意并继续");
    }

    #[test]
    fn a_system_permission_dialog_is_not_the_consent_screen() {
        let d = dump(&[
            (
                0,
                r#"package="com.google.android.permissioncontroller" class="android.widget.FrameLayout" bounds="[0,0][1080,2400]""#,
            ),
            (
                1,
                r#"package="com.google.android.permissioncontroller" resource-id="com.android.permissioncontroller:id/permission_message" text="Allow Leaky Shop to access this device's location?" bounds="[0,900][1080,1000]""#,
            ),
            (
                1,
                r#"package="com.google.android.permissioncontroller" resource-id="com.android.permissioncontroller:id/permission_allow_foreground_only_button" text="While using the app" clickable="true" bounds="[0,1200][1080,1300]""#,
            ),
            (
                1,
                r#"package="com.google.android.permissioncontroller" resource-id="com.android.permissioncontroller:id/permission_deny_button" text="Don’t allow" clickable="true" bounds="[0,1400][1080,1500]""#,
            ),
        ]);
        let r = detect(&d, &consent());
        assert!(!r.consent_screen && r.permission_dialog);
        assert!(r.accept.is_none());
        assert_eq!(r.permission_deny.unwrap().center, [540, 1450]);
        assert!(r.permission_text.unwrap().contains("location"));
    }

    #[test]
    fn privacy_text_without_buttons_is_not_a_consent_screen() {
        let d = dump(&[
            (
                0,
                r#"class="android.widget.FrameLayout" bounds="[0,0][1080,2400]""#,
            ),
            (1, r#"text="Privacy settings" bounds="[0,100][1080,200]""#),
            (
                1,
                r#"text="Personalised ads" clickable="true" bounds="[0,300][1080,400]""#,
            ),
        ]);
        assert!(!detect(&d, &consent()).consent_screen);
    }

    #[test]
    fn off_screen_buttons_are_skipped() {
        let d = dump(&[
            (
                0,
                r#"class="android.widget.FrameLayout" bounds="[0,0][1080,2400]""#,
            ),
            (1, r#"text="Privacy" bounds="[0,100][1080,200]""#),
            (1, r#"text="Accept" clickable="true" bounds="[0,0][0,0]""#),
            (
                1,
                r#"text="Accept" clickable="true" bounds="[0,2000][1080,2100]""#,
            ),
        ]);
        assert_eq!(detect(&d, &consent()).accept.unwrap().center, [540, 2050]);
    }
}
