//! Window contents as accessibility node trees: built from model screens (with a simple
//! vertical layout), dumped in `uiautomator dump`'s exact XML, hit-tested by `input tap`,
//! and drawn for `screencap`.

use super::model::Screen;
use super::png::{Canvas, Rgb, wrap};
use std::collections::BTreeSet;

/// Display size of the simulated Pixel 6.
pub const SCREEN_W: i32 = 1080;
pub const SCREEN_H: i32 = 2400;
/// Status bar and gesture navigation bar heights.
pub const STATUS_H: i32 = 128;
pub const NAV_H: i32 = 63;

/// `[x1,y1][x2,y2]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x1: i32,
    pub y1: i32,
    pub x2: i32,
    pub y2: i32,
}

impl Rect {
    pub fn new(x1: i32, y1: i32, x2: i32, y2: i32) -> Rect {
        Rect { x1, y1, x2, y2 }
    }

    fn contains(&self, x: i32, y: i32) -> bool {
        x >= self.x1 && x < self.x2 && y >= self.y1 && y < self.y2
    }

    /// The centre, where a tap aims.
    pub fn center(&self) -> (i32, i32) {
        ((self.x1 + self.x2) / 2, (self.y1 + self.y2) / 2)
    }
}

/// What a tap on a node does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tap {
    /// Start a model phase.
    Goto(String),
    /// Show a model screen.
    Show(String),
    /// Finish the activity and end the process.
    Exit,
    /// Permission dialog: allow (while in use / one time / allow).
    PermAllow,
    /// Permission dialog: deny.
    PermDeny,
    /// Launcher icon: start this package.
    Launch(String),
    /// A checkbox: toggle this app-data flag.
    Toggle(String),
    /// A button that reacts only while an app-data flag is set (`requires:`); otherwise it
    /// starts the phase `otherwise`, if any, and the screen stays.
    Gated {
        flag: String,
        then: Box<Tap>,
        otherwise: Option<String>,
    },
    /// Clickable, no effect.
    Nothing,
}

/// How a node is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    Plain,
    Card,
    Title,
    Body,
    Link,
    Button,
    Primary,
    TextOnly,
    Bar,
    Icon,
    CheckBox,
}

/// An accessibility node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub class: String,
    pub text: String,
    pub res_id: String,
    pub pkg: String,
    pub desc: String,
    pub clickable: bool,
    pub focusable: bool,
    pub scrollable: bool,
    /// `checkable` / `checked` of a CheckBox (AOSP `CompoundButton`).
    pub checkable: bool,
    pub checked: bool,
    pub bounds: Rect,
    pub children: Vec<Node>,
    pub tap: Option<Tap>,
    pub look: Look,
}

impl Node {
    fn new(class: &str, pkg: &str, bounds: Rect) -> Node {
        Node {
            class: class.to_owned(),
            text: String::new(),
            res_id: String::new(),
            pkg: pkg.to_owned(),
            desc: String::new(),
            clickable: false,
            focusable: false,
            scrollable: false,
            checkable: false,
            checked: false,
            bounds,
            children: Vec::new(),
            tap: None,
            look: Look::Plain,
        }
    }

    fn id(mut self, id: &str) -> Node {
        self.res_id = id.to_owned();
        self
    }

    fn text(mut self, t: &str, look: Look) -> Node {
        self.text = t.to_owned();
        self.look = look;
        self
    }

    fn look(mut self, look: Look) -> Node {
        self.look = look;
        self
    }

    fn tap(mut self, tap: Tap) -> Node {
        self.clickable = true;
        self.focusable = true;
        self.tap = Some(tap);
        self
    }

    fn child(mut self, c: Node) -> Node {
        self.children.push(c);
        self
    }

    /// Depth-first search for the first node whose text equals `t`.
    pub fn find_text(&self, t: &str) -> Option<&Node> {
        if self.text == t {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find_text(t))
    }

    /// Every text in the tree, in document order.
    pub fn texts(&self) -> Vec<String> {
        let mut v = Vec::new();
        self.walk(&mut |n| {
            if !n.text.is_empty() {
                v.push(n.text.clone());
            }
        });
        v
    }

    /// Sets `checked` on every checkbox toggling `flag`.
    pub fn set_checked(&mut self, flag: &str, on: bool) {
        if self.checkable && self.tap.as_ref() == Some(&Tap::Toggle(flag.to_owned())) {
            self.checked = on;
        }
        for c in &mut self.children {
            c.set_checked(flag, on);
        }
    }

    fn walk(&self, f: &mut dyn FnMut(&Node)) {
        f(self);
        for c in &self.children {
            c.walk(f);
        }
    }

    /// The reaction of a tap at (x, y): the deepest node containing the point that is
    /// clickable, or has a clickable ancestor (Android delivers the click to the innermost
    /// clickable view under the finger).
    pub fn hit(&self, x: i32, y: i32) -> Option<&Tap> {
        if !self.bounds.contains(x, y) {
            return None;
        }
        for c in self.children.iter().rev() {
            if let Some(t) = c.hit(x, y) {
                return Some(t);
            }
        }
        if self.clickable {
            self.tap.as_ref().or(Some(&Tap::Nothing))
        } else {
            None
        }
    }
}

// Text sizes (glyph scale) and metrics used for both layout and drawing.
const TITLE_SCALE: i32 = 6;
const BODY_SCALE: i32 = 4;
const BUTTON_SCALE: i32 = 5;
const LINE_GAP: i32 = 12;

/// Glyph rows per line (cap height 7 + 2 descender rows).
const ROWS: i32 = 9;

fn text_height(text: &str, width: i32, scale: i32) -> i32 {
    let n = wrap(text, width, scale).len().max(1) as i32;
    n * (ROWS * scale + LINE_GAP) + LINE_GAP
}

/// The app's activity window for a `page` screen (or the default page with the label).
pub fn page(pkg: &str, label: &str, screen: Option<&Screen>, flags: &BTreeSet<String>) -> Node {
    let full = Rect::new(0, 0, SCREEN_W, SCREEN_H);
    let content = Rect::new(0, STATUS_H, SCREEN_W, SCREEN_H - NAV_H);
    let mut col = Node::new("android.widget.LinearLayout", pkg, content);
    let (x1, x2) = (48, SCREEN_W - 48);
    let mut y = STATUS_H + 48;
    let title = screen
        .and_then(|s| s.title.clone())
        .unwrap_or_else(|| label.to_owned());
    let th = text_height(&title, x2 - x1, TITLE_SCALE);
    col = col.child(
        Node::new("android.widget.TextView", pkg, Rect::new(x1, y, x2, y + th))
            .id(&format!("{pkg}:id/title"))
            .text(&title, Look::Title),
    );
    y += th + 32;
    if let Some(body) = screen.and_then(|s| s.body.as_deref()) {
        let bh = text_height(body, x2 - x1, BODY_SCALE);
        let bottom = (y + bh).min(SCREEN_H - NAV_H - 400);
        col = col.child(
            Node::new("android.widget.TextView", pkg, Rect::new(x1, y, x2, bottom))
                .id(&format!("{pkg}:id/body"))
                .text(body, Look::Body),
        );
        y = bottom + 24;
    }
    if let Some(link) = screen.and_then(|s| s.link.as_ref()) {
        let h = text_height(&link.text, x2 - x1, BODY_SCALE);
        let tap = link.show.clone().map_or(Tap::Nothing, Tap::Show);
        col = col.child(
            Node::new("android.widget.TextView", pkg, Rect::new(x1, y, x2, y + h))
                .id(&format!("{pkg}:id/link"))
                .text(&link.text, Look::Link)
                .tap(tap),
        );
        y += h + 24;
    }
    if let Some(cb) = screen.and_then(|s| s.checkbox.as_ref()) {
        let h = text_height(&cb.text, x2 - x1 - CHECK_INSET, BODY_SCALE).max(120);
        col = col.child(checkbox(pkg, cb, Rect::new(x1, y, x2, y + h), flags));
        y += h + 24;
    }
    let buttons = screen.map(|s| s.buttons.as_slice()).unwrap_or(&[]);
    let mut by = (SCREEN_H - NAV_H - 48 - buttons.len() as i32 * 168).max(y);
    for (i, b) in buttons.iter().enumerate() {
        let r = Rect::new(x1, by, x2, by + 144);
        col = col.child(button(pkg, b, r, i == buttons.len() - 1));
        by += 168;
    }
    let decor = Node::new("android.widget.LinearLayout", pkg, full).child(
        Node::new("android.widget.FrameLayout", pkg, content)
            .id("android:id/content")
            .child(col),
    );
    Node::new("android.widget.FrameLayout", pkg, full)
        .child(decor)
        .child(
            Node::new(
                "android.view.View",
                pkg,
                Rect::new(0, 0, SCREEN_W, STATUS_H),
            )
            .id("android:id/statusBarBackground")
            .look(Look::Bar),
        )
        .child(
            Node::new(
                "android.view.View",
                pkg,
                Rect::new(0, SCREEN_H - NAV_H, SCREEN_W, SCREEN_H),
            )
            .id("android:id/navigationBarBackground")
            .look(Look::Bar),
        )
}

/// Room left of a checkbox's text for its box.
const CHECK_INSET: i32 = 112;

/// A consent checkbox: an `android.widget.CheckBox` with its own text, as AOSP's
/// `CompoundButton` reports it (`checkable` true, `checked` its state), clickable.
fn checkbox(pkg: &str, cb: &super::model::Checkbox, r: Rect, flags: &BTreeSet<String>) -> Node {
    let id = cb
        .id
        .as_ref()
        .map(|i| format!("{pkg}:id/{i}"))
        .unwrap_or_default();
    let mut n = Node::new("android.widget.CheckBox", pkg, r)
        .id(&id)
        .text(&cb.text, Look::CheckBox)
        .tap(Tap::Toggle(cb.flag.clone()));
    n.checkable = true;
    n.checked = flags.contains(&cb.flag);
    n
}

fn button(pkg: &str, b: &super::model::Button, r: Rect, primary: bool) -> Node {
    let plain = if b.exit {
        Tap::Exit
    } else if let Some(g) = &b.goto {
        Tap::Goto(g.clone())
    } else if let Some(s) = &b.show {
        Tap::Show(s.clone())
    } else {
        Tap::Nothing
    };
    let tap = match &b.requires {
        Some(flag) => Tap::Gated {
            flag: flag.clone(),
            then: Box::new(plain),
            otherwise: b.otherwise.clone(),
        },
        None => plain,
    };
    let id =
        b.id.as_ref()
            .map(|i| format!("{pkg}:id/{i}"))
            .unwrap_or_default();
    let look = if primary { Look::Primary } else { Look::Button };
    if b.text_in_child {
        let inner = Rect::new(r.x1 + 24, r.y1 + 36, r.x2 - 24, r.y2 - 36);
        Node::new("android.widget.LinearLayout", pkg, r)
            .id(&id)
            .look(look)
            .tap(tap)
            .child(Node::new("android.widget.TextView", pkg, inner).text(&b.text, Look::TextOnly))
    } else {
        Node::new("android.widget.Button", pkg, r)
            .id(&id)
            .text(&b.text, look)
            .tap(tap)
    }
}

/// A dialog window (consent dialogs): a centred card with title, body, link and buttons
/// side by side.
pub fn dialog(pkg: &str, screen: &Screen, flags: &BTreeSet<String>) -> Node {
    let (x1, x2) = (72, SCREEN_W - 72);
    let (ix1, ix2) = (x1 + 56, x2 - 56);
    let mut parts: Vec<Node> = Vec::new();
    let mut y = 0;
    if let Some(t) = &screen.title {
        let h = text_height(t, ix2 - ix1, TITLE_SCALE);
        parts.push(
            Node::new(
                "android.widget.TextView",
                pkg,
                Rect::new(ix1, y + 56, ix2, y + 56 + h),
            )
            .id(&format!("{pkg}:id/dialog_title"))
            .text(t, Look::Title),
        );
        y += 56 + h;
    }
    if let Some(b) = &screen.body {
        let h = text_height(b, ix2 - ix1, BODY_SCALE).min(900);
        let sv = Node::new(
            "android.widget.ScrollView",
            pkg,
            Rect::new(ix1, y + 32, ix2, y + 32 + h),
        )
        .id(&format!("{pkg}:id/dialog_scroll"))
        .child(
            Node::new(
                "android.widget.TextView",
                pkg,
                Rect::new(ix1, y + 32, ix2, y + 32 + h),
            )
            .id(&format!("{pkg}:id/dialog_message"))
            .text(b, Look::Body),
        );
        let mut sv = sv;
        sv.scrollable = true;
        sv.focusable = true;
        parts.push(sv);
        y += 32 + h;
    }
    if let Some(l) = &screen.link {
        let h = text_height(&l.text, ix2 - ix1, BODY_SCALE);
        let tap = l.show.clone().map_or(Tap::Nothing, Tap::Show);
        parts.push(
            Node::new(
                "android.widget.TextView",
                pkg,
                Rect::new(ix1, y + 16, ix2, y + 16 + h),
            )
            .id(&format!("{pkg}:id/dialog_link"))
            .text(&l.text, Look::Link)
            .tap(tap),
        );
        y += 16 + h;
    }
    if let Some(cb) = &screen.checkbox {
        let h = text_height(&cb.text, ix2 - ix1 - CHECK_INSET, BODY_SCALE).max(120);
        parts.push(checkbox(
            pkg,
            cb,
            Rect::new(ix1, y + 24, ix2, y + 24 + h),
            flags,
        ));
        y += 24 + h;
    }
    let n = screen.buttons.len().max(1) as i32;
    let gap = 32;
    let bw = (ix2 - ix1 - gap * (n - 1)) / n;
    let by = y + 48;
    let mut row_children = Vec::new();
    for (i, b) in screen.buttons.iter().enumerate() {
        let bx = ix1 + i as i32 * (bw + gap);
        row_children.push((
            b,
            Rect::new(bx, by, bx + bw, by + 144),
            i + 1 == screen.buttons.len(),
        ));
    }
    y = by + 144 + 56;
    // centre the card vertically
    let top = ((SCREEN_H - y) / 2).max(STATUS_H);
    let shift = |r: Rect| Rect::new(r.x1, r.y1 + top, r.x2, r.y2 + top);
    fn shift_tree(n: &mut Node, dy: i32) {
        n.bounds = Rect::new(n.bounds.x1, n.bounds.y1 + dy, n.bounds.x2, n.bounds.y2 + dy);
        for c in &mut n.children {
            shift_tree(c, dy);
        }
    }
    let card = Rect::new(x1, top, x2, top + y);
    let mut col = Node::new("android.widget.LinearLayout", pkg, card)
        .id(&format!("{pkg}:id/dialog_root"))
        .look(Look::Card);
    for mut p in parts {
        shift_tree(&mut p, top);
        col.children.push(p);
    }
    if !row_children.is_empty() {
        let first = row_children[0].1;
        let row_rect = shift(Rect::new(ix1, first.y1, ix2, first.y2));
        let mut row = Node::new("android.widget.LinearLayout", pkg, row_rect)
            .id(&format!("{pkg}:id/dialog_buttons"));
        for (b, r, primary) in row_children {
            row.children.push(button(pkg, b, shift(r), primary));
        }
        col.children.push(row);
    }
    Node::new("android.widget.FrameLayout", pkg, card).child(
        Node::new("android.widget.FrameLayout", pkg, card)
            .id("android:id/content")
            .child(col),
    )
}

/// The permission controller's message for a permission (Android 13 wording).
pub fn permission_message(label: &str, perm: &str) -> String {
    let short = perm.rsplit('.').next().unwrap_or(perm);
    let what = match short {
        "ACCESS_FINE_LOCATION" | "ACCESS_COARSE_LOCATION" | "ACCESS_BACKGROUND_LOCATION" => {
            "access this device\u{2019}s location"
        }
        "CAMERA" => "take pictures and record video",
        "RECORD_AUDIO" => "record audio",
        "READ_CONTACTS" | "WRITE_CONTACTS" | "GET_ACCOUNTS" => "access your contacts",
        "READ_CALENDAR" | "WRITE_CALENDAR" => "access your calendar",
        "READ_CALL_LOG" | "WRITE_CALL_LOG" => "access your phone call logs",
        "READ_SMS" | "SEND_SMS" | "RECEIVE_SMS" => "send and view SMS messages",
        "READ_PHONE_STATE" | "READ_PHONE_NUMBERS" | "CALL_PHONE" => "make and manage phone calls",
        "READ_EXTERNAL_STORAGE"
        | "WRITE_EXTERNAL_STORAGE"
        | "READ_MEDIA_IMAGES"
        | "READ_MEDIA_VIDEO" => "access photos and videos on this device",
        "READ_MEDIA_AUDIO" => "access music and audio on this device",
        "POST_NOTIFICATIONS" => "send you notifications",
        "BODY_SENSORS" => "access sensor data about your vital signs",
        "ACTIVITY_RECOGNITION" => "access your physical activity",
        _ => "find, connect to, and determine the relative position of nearby devices",
    };
    format!("Allow {label} to {what}?")
}

/// The GrantPermissionsActivity window of `com.google.android.permissioncontroller`.
pub fn permission_dialog(label: &str, perm: &str) -> Node {
    const PC: &str = "com.google.android.permissioncontroller";
    let id = |s: &str| format!("com.android.permissioncontroller:id/{s}");
    let location = perm.contains("LOCATION");
    let (x1, x2) = (63, SCREEN_W - 63);
    let msg = permission_message(label, perm);
    let mh = text_height(&msg, x2 - x1 - 112, TITLE_SCALE);
    let buttons: Vec<(&str, &str, Tap)> = if location {
        vec![
            (
                "While using the app",
                "permission_allow_foreground_only_button",
                Tap::PermAllow,
            ),
            (
                "Only this time",
                "permission_allow_one_time_button",
                Tap::PermAllow,
            ),
            (
                "Don\u{2019}t allow",
                "permission_deny_button",
                Tap::PermDeny,
            ),
        ]
    } else {
        vec![
            ("Allow", "permission_allow_button", Tap::PermAllow),
            (
                "Don\u{2019}t allow",
                "permission_deny_button",
                Tap::PermDeny,
            ),
        ]
    };
    let height = 56 + 96 + 32 + mh + 32 + buttons.len() as i32 * 156 + 40;
    let top = SCREEN_H - NAV_H - 40 - height;
    let card = Rect::new(x1, top, x2, top + height);
    let mut y = top + 56;
    let icon = Node::new(
        "android.widget.ImageView",
        PC,
        Rect::new(SCREEN_W / 2 - 48, y, SCREEN_W / 2 + 48, y + 96),
    )
    .id(&id("permission_icon"))
    .look(Look::Icon);
    y += 96 + 32;
    let message = Node::new(
        "android.widget.TextView",
        PC,
        Rect::new(x1 + 56, y, x2 - 56, y + mh),
    )
    .id(&id("permission_message"))
    .text(&msg, Look::Title);
    y += mh + 32;
    let mut group = Node::new(
        "android.widget.LinearLayout",
        PC,
        Rect::new(x1 + 32, y, x2 - 32, y + buttons.len() as i32 * 156),
    )
    .id(&id("button_group"));
    for (text, bid, tap) in buttons {
        group.children.push(
            Node::new(
                "android.widget.Button",
                PC,
                Rect::new(x1 + 32, y, x2 - 32, y + 140),
            )
            .id(&id(bid))
            .text(text, Look::Button)
            .tap(tap),
        );
        y += 156;
    }
    let inner = Node::new("android.widget.LinearLayout", PC, card)
        .child(icon)
        .child(message)
        .child(group);
    let mut scroll = Node::new("android.widget.ScrollView", PC, card)
        .id(&id("grant_dialog"))
        .child(inner)
        .look(Look::Card);
    scroll.focusable = true;
    Node::new("android.widget.FrameLayout", PC, card).child(
        Node::new("android.widget.LinearLayout", PC, card)
            .id(&id("grant_singleton"))
            .child(scroll),
    )
}

/// The launcher's home screen with one icon per launchable app: (package, label).
pub fn launcher(apps: &[(String, String)]) -> Node {
    const L: &str = "com.google.android.apps.nexuslauncher";
    let full = Rect::new(0, 0, SCREEN_W, SCREEN_H);
    let mut ws = Node::new(
        "android.view.ViewGroup",
        L,
        Rect::new(0, STATUS_H, SCREEN_W, SCREEN_H - NAV_H - 300),
    )
    .id(&format!("{L}:id/workspace"));
    let cols = 4;
    let cell_w = SCREEN_W / cols;
    for (i, (pkg, label)) in apps.iter().take(20).enumerate() {
        let (cx, cy) = (
            (i as i32 % cols) * cell_w,
            STATUS_H + 80 + (i as i32 / cols) * 300,
        );
        let mut icon = Node::new(
            "android.widget.TextView",
            L,
            Rect::new(cx + 10, cy, cx + cell_w - 10, cy + 260),
        )
        .id(&format!("{L}:id/icon"))
        .text(label, Look::Icon)
        .tap(Tap::Launch(pkg.clone()));
        icon.desc = label.clone();
        ws.children.push(icon);
    }
    let mut search = Node::new(
        "android.widget.FrameLayout",
        L,
        Rect::new(
            48,
            SCREEN_H - NAV_H - 220,
            SCREEN_W - 48,
            SCREEN_H - NAV_H - 80,
        ),
    )
    .id(&format!("{L}:id/search_container_hotseat"))
    .look(Look::Button);
    search.desc = "Search".into();
    search.clickable = true;
    Node::new("android.widget.FrameLayout", L, full).child(
        Node::new("android.widget.FrameLayout", L, full)
            .id(&format!("{L}:id/drag_layer"))
            .child(ws)
            .child(search),
    )
}

fn naf(n: &Node) -> bool {
    const EXCLUDED: [&str; 6] = [
        "android.widget.Spinner",
        "android.widget.EditText",
        "android.widget.GridView",
        "android.widget.GridLayout",
        "android.widget.ListView",
        "android.widget.TableLayout",
    ];
    fn has_label(n: &Node) -> bool {
        n.children
            .iter()
            .any(|c| !c.text.is_empty() || !c.desc.is_empty() || has_label(c))
    }
    n.clickable
        && n.text.is_empty()
        && n.desc.is_empty()
        && !EXCLUDED.contains(&n.class.as_str())
        && !has_label(n)
}

/// KXmlSerializer attribute escaping plus uiautomator's invalid-character replacement.
fn xml_attr(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        let cp = c as u32;
        let valid =
            matches!(cp, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF);
        match c {
            _ if !valid => o.push('.'),
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\n' => o.push_str("&#10;"),
            '\r' => o.push_str("&#13;"),
            '\t' => o.push_str("&#9;"),
            _ => o.push(c),
        }
    }
    o
}

fn write_node(o: &mut String, n: &Node, index: usize) {
    o.push_str("<node ");
    if naf(n) {
        o.push_str("NAF=\"true\" ");
    }
    let b = n.bounds;
    let clip = |v: i32, max: i32| v.clamp(0, max);
    o.push_str(&format!(
        "index=\"{index}\" text=\"{}\" resource-id=\"{}\" class=\"{}\" package=\"{}\" content-desc=\"{}\" checkable=\"{}\" checked=\"{}\" clickable=\"{}\" enabled=\"true\" focusable=\"{}\" focused=\"false\" scrollable=\"{}\" long-clickable=\"false\" password=\"false\" selected=\"false\" bounds=\"[{},{}][{},{}]\"",
        xml_attr(&n.text),
        xml_attr(&n.res_id),
        xml_attr(&n.class),
        xml_attr(&n.pkg),
        xml_attr(&n.desc),
        n.checkable,
        n.checked,
        n.clickable,
        n.focusable,
        n.scrollable,
        clip(b.x1, SCREEN_W),
        clip(b.y1, SCREEN_H),
        clip(b.x2, SCREEN_W),
        clip(b.y2, SCREEN_H),
    ));
    if n.children.is_empty() {
        o.push_str(" />");
    } else {
        o.push('>');
        for (i, c) in n.children.iter().enumerate() {
            write_node(o, c, i);
        }
        o.push_str("</node>");
    }
}

/// `uiautomator dump` XML of the active window (one line, no trailing newline).
pub fn dump_xml(root: &Node) -> String {
    let mut o = String::from(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">",
    );
    write_node(&mut o, root, 0);
    o.push_str("</hierarchy>");
    o
}

const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = [32, 33, 36];
const ACCENT: Rgb = [26, 115, 232];
const BAR: Rgb = [20, 20, 24];

/// Draws a node tree onto the canvas.
pub fn draw(c: &mut Canvas, n: &Node) {
    let b = n.bounds;
    match n.look {
        Look::Card => {
            c.fill(b.x1, b.y1, b.x2, b.y2, WHITE);
            c.outline(b.x1, b.y1, b.x2, b.y2, 3, [218, 220, 224]);
        }
        Look::Bar => c.fill(b.x1, b.y1, b.x2, b.y2, BAR),
        Look::Button => {
            c.fill(b.x1, b.y1, b.x2, b.y2, [232, 240, 254]);
            c.outline(b.x1, b.y1, b.x2, b.y2, 3, ACCENT);
        }
        Look::Primary => c.fill(b.x1, b.y1, b.x2, b.y2, ACCENT),
        Look::Icon => {
            let (cx, _) = b.center();
            c.fill(cx - 60, b.y1 + 10, cx + 60, b.y1 + 130, [66, 133, 244]);
        }
        Look::CheckBox => {
            // The box: 64 px, left, on the first text line; filled with a white tick when
            // checked (Material's look, simplified).
            let (x0, y0) = (b.x1 + 12, b.y1 + 12);
            if n.checked {
                c.fill(x0, y0, x0 + 64, y0 + 64, ACCENT);
                for i in 0..12 {
                    c.fill(x0 + 14 + i, y0 + 30 + i, x0 + 20 + i, y0 + 36 + i, WHITE);
                    c.fill(
                        x0 + 26 + 2 * i,
                        y0 + 42 - 2 * i,
                        x0 + 32 + 2 * i,
                        y0 + 48 - 2 * i,
                        WHITE,
                    );
                }
            } else {
                c.outline(x0, y0, x0 + 64, y0 + 64, 5, [95, 99, 104]);
            }
        }
        _ => {}
    }
    if !n.text.is_empty() {
        let (scale, color) = match n.look {
            Look::Title => (TITLE_SCALE, INK),
            Look::Link => (BODY_SCALE, ACCENT),
            Look::Primary => (BUTTON_SCALE, WHITE),
            Look::Button => (BUTTON_SCALE, ACCENT),
            Look::Icon => (3, WHITE),
            _ => (BODY_SCALE, INK),
        };
        let parent_primary = false;
        let _ = parent_primary;
        let inset = if n.look == Look::CheckBox {
            CHECK_INSET
        } else {
            0
        };
        let w = (b.x2 - b.x1 - inset).max(1);
        let lines = wrap(&n.text, w, scale);
        let line_h = ROWS * scale + LINE_GAP;
        let centred = matches!(n.look, Look::Primary | Look::Button | Look::Icon);
        let total = lines.len() as i32 * line_h;
        let mut y = if centred {
            if n.look == Look::Icon {
                b.y1 + 150
            } else {
                (b.y1 + b.y2 - total) / 2 + LINE_GAP / 2
            }
        } else {
            b.y1 + LINE_GAP
        };
        for line in lines {
            if y + ROWS * scale > b.y2 + 4 && n.look != Look::Icon {
                break;
            }
            let lw: i32 = line
                .chars()
                .map(|ch| super::png::char_advance(ch, scale))
                .sum();
            let x = if centred {
                b.x1 + (w - lw) / 2
            } else {
                b.x1 + inset
            };
            c.draw_text(
                x,
                y,
                &line,
                scale,
                if n.look == Look::Icon { INK } else { color },
            );
            y += line_h;
        }
    }
    for ch in &n.children {
        draw_child(c, ch, n.look);
    }
}

fn draw_child(c: &mut Canvas, n: &Node, parent: Look) {
    if parent == Look::Primary && n.look == Look::TextOnly {
        let mut n2 = n.clone();
        n2.look = Look::Primary;
        // text on a primary button: white, no second fill
        let b = n2.bounds;
        let lines = wrap(&n2.text, (b.x2 - b.x1).max(1), BUTTON_SCALE);
        let lw: i32 = lines
            .first()
            .map(|l| {
                l.chars()
                    .map(|ch| super::png::char_advance(ch, BUTTON_SCALE))
                    .sum()
            })
            .unwrap_or(0);
        c.draw_text(
            b.x1 + (b.x2 - b.x1 - lw) / 2,
            (b.y1 + b.y2) / 2 - ROWS * BUTTON_SCALE / 2,
            lines.first().map(String::as_str).unwrap_or(""),
            BUTTON_SCALE,
            WHITE,
        );
        return;
    }
    if parent == Look::Button && n.look == Look::TextOnly {
        let b = n.bounds;
        let lines = wrap(&n.text, (b.x2 - b.x1).max(1), BUTTON_SCALE);
        let lw: i32 = lines
            .first()
            .map(|l| {
                l.chars()
                    .map(|ch| super::png::char_advance(ch, BUTTON_SCALE))
                    .sum()
            })
            .unwrap_or(0);
        c.draw_text(
            b.x1 + (b.x2 - b.x1 - lw) / 2,
            (b.y1 + b.y2) / 2 - ROWS * BUTTON_SCALE / 2,
            lines.first().map(String::as_str).unwrap_or(""),
            BUTTON_SCALE,
            ACCENT,
        );
        return;
    }
    draw(c, n);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::model::{Button, Checkbox, Link, Screen};

    fn consent() -> Screen {
        Screen {
            kind: "dialog".into(),
            title: Some("用户协议与隐私政策".into()),
            body: Some("我们非常重视您的个人信息 & <privacy>\nsecond line".into()),
            link: Some(Link {
                text: "《隐私政策》".into(),
                show: None,
            }),
            buttons: vec![
                Button {
                    text: "不同意".into(),
                    id: Some("btn_disagree".into()),
                    goto: Some("rejected".into()),
                    show: None,
                    exit: false,
                    text_in_child: true,
                    requires: None,
                    otherwise: None,
                },
                Button {
                    text: "同意".into(),
                    id: Some("btn_agree".into()),
                    goto: Some("accepted".into()),
                    show: None,
                    exit: false,
                    text_in_child: false,
                    requires: None,
                    otherwise: None,
                },
            ],
            on_back: None,
            checkbox: None,
        }
    }

    fn none() -> BTreeSet<String> {
        BTreeSet::new()
    }

    #[test]
    fn dump_is_one_line_with_the_attribute_order_and_escapes() {
        let x = dump_xml(&dialog("com.x", &consent(), &none()));
        assert!(x.starts_with("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\"><node index=\"0\" text=\"\" resource-id=\"\" class=\"android.widget.FrameLayout\" package=\"com.x\" content-desc=\"\" checkable=\"false\" checked=\"false\" clickable=\"false\" enabled=\"true\" focusable=\"false\" focused=\"false\" scrollable=\"false\" long-clickable=\"false\" password=\"false\" selected=\"false\" bounds=\"["));
        assert!(x.ends_with("</node></hierarchy>"));
        assert!(!x.contains('\n'));
        assert!(x.contains("&amp; &lt;privacy&gt;&#10;second line"));
        assert!(x.contains(" />"));
    }

    #[test]
    fn taps_reach_the_clickable_parent_of_a_text_child() {
        let d = dialog("com.x", &consent(), &none());
        let t = d.find_text("不同意").unwrap();
        assert!(!t.clickable, "the text sits in a non-clickable child");
        let (x, y) = t.bounds.center();
        assert_eq!(d.hit(x, y), Some(&Tap::Goto("rejected".into())));
        let a = d.find_text("同意").unwrap();
        let (x, y) = a.bounds.center();
        assert_eq!(d.hit(x, y), Some(&Tap::Goto("accepted".into())));
        assert_eq!(d.hit(5, 5), None, "outside the dialog");
    }

    #[test]
    fn permission_dialog_has_controller_ids() {
        let p = permission_dialog("Leaky Shop", "android.permission.ACCESS_FINE_LOCATION");
        let x = dump_xml(&p);
        assert!(x.contains("package=\"com.google.android.permissioncontroller\""));
        assert!(x.contains(
            "com.android.permissioncontroller:id/permission_allow_foreground_only_button"
        ));
        assert!(x.contains("Allow Leaky Shop to access this device\u{2019}s location?"));
        let deny = p.find_text("Don\u{2019}t allow").unwrap();
        let (cx, cy) = deny.bounds.center();
        assert_eq!(p.hit(cx, cy), Some(&Tap::PermDeny));
    }

    #[test]
    fn naf_marks_unlabelled_clickables_only() {
        let mut n =
            Node::new("android.widget.ImageButton", "p", Rect::new(0, 0, 10, 10)).tap(Tap::Nothing);
        assert!(naf(&n));
        n.desc = "Close".into();
        assert!(!naf(&n));
        assert!(
            dump_xml(&Node::new("a.B", "p", Rect::new(0, 0, 1, 1)).tap(Tap::Nothing))
                .contains("<node NAF=\"true\" index=\"0\"")
        );
    }

    fn with_checkbox() -> Screen {
        let mut s = consent();
        s.checkbox = Some(Checkbox {
            text: "我已阅读并同意《隐私政策》".into(),
            flag: "agreed".into(),
            id: Some("cb_agree".into()),
        });
        s.buttons[1].requires = Some("agreed".into());
        s
    }

    #[test]
    fn a_checkbox_is_dumped_as_android_dumps_a_checkbox() {
        let x = dump_xml(&dialog("com.x", &with_checkbox(), &none()));
        assert!(x.contains("text=\"我已阅读并同意《隐私政策》\" resource-id=\"com.x:id/cb_agree\" class=\"android.widget.CheckBox\" package=\"com.x\" content-desc=\"\" checkable=\"true\" checked=\"false\" clickable=\"true\" enabled=\"true\" focusable=\"true\""), "{x}");
        assert_eq!(
            x.matches("checkable=\"true\"").count(),
            1,
            "only the checkbox"
        );
        let on: BTreeSet<String> = ["agreed".to_string()].into();
        let x = dump_xml(&dialog("com.x", &with_checkbox(), &on));
        assert!(x.contains("checkable=\"true\" checked=\"true\""));
    }

    #[test]
    fn the_checkbox_toggles_and_gates_the_accept_button() {
        let mut d = dialog("com.x", &with_checkbox(), &none());
        let cb = d.find_text("我已阅读并同意《隐私政策》").unwrap().clone();
        let (x, y) = cb.bounds.center();
        assert_eq!(d.hit(x, y), Some(&Tap::Toggle("agreed".into())));
        // The left edge (where the box is drawn) is inside it too.
        assert_eq!(
            d.hit(cb.bounds.x1 + 20, cb.bounds.y1 + 20),
            Some(&Tap::Toggle("agreed".into()))
        );
        let a = d.find_text("同意").unwrap();
        let (ax, ay) = a.bounds.center();
        assert!(ay > cb.bounds.y2, "the buttons sit below the checkbox");
        assert_eq!(
            d.hit(ax, ay),
            Some(&Tap::Gated {
                flag: "agreed".into(),
                then: Box::new(Tap::Goto("accepted".into())),
                otherwise: None
            })
        );
        d.set_checked("agreed", true);
        assert!(d.find_text("我已阅读并同意《隐私政策》").unwrap().checked);
        d.set_checked("other", false);
        assert!(d.find_text("我已阅读并同意《隐私政策》").unwrap().checked);
    }

    #[test]
    fn a_checked_box_is_drawn_filled() {
        let on: BTreeSet<String> = ["agreed".to_string()].into();
        let mut s = with_checkbox();
        s.title = None;
        for (flags, want) in [(none(), false), (on, true)] {
            let d = dialog("com.x", &s, &flags);
            let mut c = Canvas::new(SCREEN_W as usize, SCREEN_H as usize, [0, 0, 0]);
            draw(&mut c, &d);
            let b = d.find_text("我已阅读并同意《隐私政策》").unwrap().bounds;
            // The centre of the box: accent when checked, the card's white when not.
            let px = c.pixel((b.x1 + 12 + 8) as usize, (b.y1 + 12 + 8) as usize);
            assert_eq!(px == Some(ACCENT), want, "{px:?}");
        }
    }
}
