//! `uiautomator dump` XML (`docs/device-formats.md` §5–8) as a flat arena of nodes.
//!
//! Accepts the XML alone, or as printed by `exec-out uiautomator dump /dev/tty` (XML
//! followed by `UI hierchary dumped to: …`), with leading junk before `<?xml`/`<hierarchy`.
//! `ERROR: could not get idle state.` and `ERROR: null root node …` give typed errors.
//! Input is bounded: at most [`MAX_INPUT`] bytes, [`MAX_NODES`] nodes, [`MAX_DEPTH`] levels
//! (checked by a linear pre-scan before the tree is built).
//!
//! Choices: an `ERROR:` line wins over XML in the same output (a `dump; cat` would print the
//! previous, stale file after the error). DTDs are refused (no entity expansion). Boolean
//! attributes are true only when exactly `"true"`; missing string attributes are empty.
//! Elements other than `node` below `<hierarchy>` are transparent: their `node` children
//! attach to the nearest `node` ancestor.

use serde::Serialize;

/// Largest input accepted, bytes.
pub const MAX_INPUT: usize = 32 * 1024 * 1024;
/// Most `node` elements accepted.
pub const MAX_NODES: usize = 100_000;
/// Deepest `node` nesting accepted (the root `node` has depth 0).
pub const MAX_DEPTH: usize = 512;

/// Why a dump could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum UiError {
    /// `ERROR: could not get idle state.` (the UI kept animating; retry).
    #[error("get a UI dump: the device could not get an idle state")]
    NotIdle {
        /// Line of the message.
        line_no: u64,
    },
    /// `ERROR: null root node returned by UiTestAutomationBridge.`
    #[error("get a UI dump: the device returned a null root node")]
    NullRoot {
        /// Line of the message.
        line_no: u64,
    },
    /// Another `ERROR:` line and no XML.
    #[error("get a UI dump: the device reported: {message}")]
    Device {
        /// Line of the message.
        line_no: u64,
        /// The message.
        message: String,
    },
    /// No `<hierarchy` element in the input.
    #[error("find a UI hierarchy in the dump")]
    NoHierarchy,
    /// Malformed XML.
    #[error("parse the UI dump XML: {message}")]
    Xml {
        /// roxmltree's message (with position).
        message: String,
    },
    /// Over [`MAX_INPUT`] bytes, [`MAX_NODES`] nodes or [`MAX_DEPTH`] levels.
    #[error("parse the UI dump: {what} exceeds the limit of {limit}")]
    TooLarge {
        /// `bytes`, `nodes` or `depth`.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
}

/// `bounds="[x1,y1][x2,y2]"` in screen pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Bounds {
    /// Left.
    pub x1: i32,
    /// Top.
    pub y1: i32,
    /// Right (exclusive).
    pub x2: i32,
    /// Bottom (exclusive).
    pub y2: i32,
}

impl Bounds {
    /// Parses `[x1,y1][x2,y2]` (spaces tolerated, negative values accepted).
    pub fn parse(s: &str) -> Option<Bounds> {
        let s = s.trim().strip_prefix('[')?.strip_suffix(']')?;
        let (a, b) = s.split_once("][")?;
        let pair = |p: &str| -> Option<(i32, i32)> {
            let (x, y) = p.split_once(',')?;
            Some((x.trim().parse().ok()?, y.trim().parse().ok()?))
        };
        let (x1, y1) = pair(a)?;
        let (x2, y2) = pair(b)?;
        Some(Bounds { x1, y1, x2, y2 })
    }

    /// Centre point (the tap target), rounding down.
    pub fn center(&self) -> (i32, i32) {
        // The mean of two i32s always fits in an i32.
        let mid = |a: i32, b: i32| ((i64::from(a) + i64::from(b)).div_euclid(2)) as i32;
        (mid(self.x1, self.x2), mid(self.y1, self.y2))
    }

    /// Width (0 when inverted).
    pub fn width(&self) -> i32 {
        self.x2.saturating_sub(self.x1).max(0)
    }

    /// Height (0 when inverted).
    pub fn height(&self) -> i32 {
        self.y2.saturating_sub(self.y1).max(0)
    }

    /// True when the area is zero (off-screen nodes print `[0,0][0,0]`).
    pub fn is_empty(&self) -> bool {
        self.width() == 0 || self.height() == 0
    }

    /// True when the point is inside.
    pub fn contains(&self, x: i32, y: i32) -> bool {
        x >= self.x1 && x < self.x2 && y >= self.y1 && y < self.y2
    }
}

/// One `node` element.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UiNode {
    /// Position in [`UiDump::nodes`] (document order).
    pub id: usize,
    /// 1-based line of the element's start tag in the input.
    pub line_no: u64,
    /// `index` attribute (position among siblings as printed).
    pub index: Option<u32>,
    /// Nesting depth (root nodes 0).
    pub depth: usize,
    /// Parent node id.
    pub parent: Option<usize>,
    /// Child node ids in order.
    pub children: Vec<usize>,
    /// `text` (entities decoded).
    pub text: String,
    /// `resource-id`.
    pub resource_id: String,
    /// `class`.
    pub class: String,
    /// `package`.
    pub package: String,
    /// `content-desc`.
    pub content_desc: String,
    /// `checkable`.
    pub checkable: bool,
    /// `checked`.
    pub checked: bool,
    /// `clickable`.
    pub clickable: bool,
    /// `enabled`.
    pub enabled: bool,
    /// `focusable`.
    pub focusable: bool,
    /// `focused`.
    pub focused: bool,
    /// `scrollable`.
    pub scrollable: bool,
    /// `long-clickable`.
    pub long_clickable: bool,
    /// `password`.
    pub password: bool,
    /// `selected`.
    pub selected: bool,
    /// `NAF="true"` (clickable without text or description).
    pub naf: bool,
    /// `bounds`, when parseable.
    pub bounds: Option<Bounds>,
}

/// A parsed dump.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UiDump {
    /// `rotation` of `<hierarchy>` (0–3).
    pub rotation: Option<i32>,
    /// All nodes in document order; roots have `parent == None`.
    pub nodes: Vec<UiNode>,
    /// Path from `UI hierchary dumped to: <path>`, when present.
    pub dumped_to: Option<String>,
}

impl UiNode {
    /// The text, or the content description when the text is empty.
    pub fn label(&self) -> &str {
        if self.text.is_empty() {
            &self.content_desc
        } else {
            &self.text
        }
    }
}

impl UiDump {
    /// The node with this id.
    pub fn node(&self, id: usize) -> Option<&UiNode> {
        self.nodes.get(id)
    }

    /// Nodes without a parent.
    pub fn roots(&self) -> impl Iterator<Item = &UiNode> {
        self.nodes.iter().filter(|n| n.parent.is_none())
    }

    /// The children of `id`, in order.
    pub fn children(&self, id: usize) -> impl Iterator<Item = &UiNode> {
        self.nodes
            .get(id)
            .into_iter()
            .flat_map(move |n| n.children.iter().filter_map(move |&c| self.nodes.get(c)))
    }

    /// The ancestors of `id`, nearest first.
    pub fn ancestors(&self, id: usize) -> impl Iterator<Item = &UiNode> {
        let mut next = self.nodes.get(id).and_then(|n| n.parent);
        std::iter::from_fn(move || {
            let n = self.nodes.get(next?)?;
            next = n.parent;
            Some(n)
        })
    }

    /// All descendants of `id` in document order (not including `id`).
    pub fn descendants(&self, id: usize) -> impl Iterator<Item = &UiNode> {
        // Ids are in document order and a subtree is contiguous: the descendants are the
        // following nodes deeper than `id`.
        let depth = self.nodes.get(id).map(|n| n.depth);
        self.nodes
            .iter()
            .skip(id.saturating_add(1))
            .take_while(move |n| depth.is_some_and(|d| n.depth > d))
    }

    /// Nodes whose text or content description contains `needle`.
    pub fn find_text<'a>(&'a self, needle: &'a str) -> impl Iterator<Item = &'a UiNode> + 'a {
        self.nodes
            .iter()
            .filter(move |n| n.text.contains(needle) || n.content_desc.contains(needle))
    }
}

/// Parses a dump given as text.
pub fn parse_dump(text: &str) -> Result<UiDump, UiError> {
    if text.len() > MAX_INPUT {
        return Err(UiError::TooLarge {
            what: "bytes",
            limit: MAX_INPUT,
        });
    }
    let start = [text.find("<?xml"), text.find("<hierarchy")]
        .into_iter()
        .flatten()
        .min();
    let end = text.rfind("</hierarchy>").map(|i| i + "</hierarchy>".len());
    let xml_range = match (start, end) {
        (Some(s), Some(e)) if e > s => Some(s..e),
        (Some(s), _) => Some(s..text.len()),
        _ => None,
    };
    // Status and error lines outside the XML: before it, and after it (the status line may
    // follow the XML on the same line with `exec-out uiautomator dump /dev/tty`).
    let (before, after, after_line) = match &xml_range {
        Some(r) => {
            let after_line =
                1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..r.end]).count() as u64;
            (&text[..r.start], &text[r.end..], after_line)
        }
        None => (text, "", 0),
    };
    let mut dumped_to = None;
    let mut error = None;
    for (first_no, segment) in [(1u64, before), (after_line, after)] {
        for (i, raw) in segment.split('\n').enumerate() {
            let t = crate::am::text::cut(raw, crate::MAX_LINE).trim();
            let line_no = first_no + i as u64;
            if let Some(i) = t.find("dumped to:").filter(|_| t.starts_with("UI hier")) {
                dumped_to = Some(t[i + "dumped to:".len()..].trim().to_owned());
            } else if error.is_none() && t.starts_with("ERROR:") {
                error = Some(if t.contains("could not get idle state") {
                    UiError::NotIdle { line_no }
                } else if t.contains("null root node") {
                    UiError::NullRoot { line_no }
                } else {
                    UiError::Device {
                        line_no,
                        message: t.to_owned(),
                    }
                });
            }
        }
    }
    if let Some(e) = error {
        return Err(e);
    }
    let Some(range) = xml_range else {
        return Err(UiError::NoHierarchy);
    };
    let base_line = memchr::memchr_iter(b'\n', &text.as_bytes()[..range.start]).count() as u64;
    let xml = &text[range];
    let mut dump = parse_xml(xml, base_line)?;
    dump.dumped_to = dumped_to;
    Ok(dump)
}

/// Checks nesting depth and element count with a linear scan before building a tree
/// (tree building costs more than linear time on pathological nesting).
fn precheck(xml: &str) -> Result<(), UiError> {
    let b = xml.as_bytes();
    let mut depth = 0usize;
    let mut elements = 0usize;
    let mut i = 0usize;
    // Skips to just after `pat` at or after `from` (end of input if absent).
    let skip_past = |from: usize, pat: &[u8]| -> usize {
        memchr::memmem::find(&b[from.min(b.len())..], pat).map_or(b.len(), |k| from + k + pat.len())
    };
    while let Some(k) = memchr::memchr(b'<', &b[i..]) {
        let at = i + k;
        let rest = &b[at..];
        if rest.starts_with(b"<!--") {
            i = skip_past(at + 4, b"-->");
        } else if rest.starts_with(b"<![CDATA[") {
            i = skip_past(at + 9, b"]]>");
        } else if rest.starts_with(b"<?") {
            i = skip_past(at + 2, b"?>");
        } else if rest.starts_with(b"<!") {
            i = skip_past(at + 2, b">");
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            i = skip_past(at + 2, b">");
        } else {
            // A start tag: find its `>` outside quoted attribute values.
            let mut j = at + 1;
            let mut quote: Option<u8> = None;
            let mut self_closing = false;
            while j < b.len() {
                let c = b[j];
                match quote {
                    Some(q) if c == q => quote = None,
                    Some(_) => {}
                    None if c == b'"' || c == b'\'' => quote = Some(c),
                    None if c == b'>' => {
                        self_closing = b[j - 1] == b'/';
                        break;
                    }
                    None => {}
                }
                j += 1;
            }
            elements += 1;
            if elements > MAX_NODES + 1 {
                return Err(UiError::TooLarge {
                    what: "nodes",
                    limit: MAX_NODES,
                });
            }
            if !self_closing {
                depth += 1;
                // `hierarchy` itself is one level above the root `node`s (depth 0).
                if depth > MAX_DEPTH + 2 {
                    return Err(UiError::TooLarge {
                        what: "depth",
                        limit: MAX_DEPTH,
                    });
                }
            }
            i = j.saturating_add(1);
        }
        if i >= b.len() {
            break;
        }
    }
    Ok(())
}

fn parse_xml(xml: &str, base_line: u64) -> Result<UiDump, UiError> {
    precheck(xml)?;
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        // Elements, attributes and text all count; generous for MAX_NODES `node`s.
        nodes_limit: u32::try_from(MAX_NODES.saturating_mul(4)).unwrap_or(u32::MAX),
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(xml, opts).map_err(|e| match e {
        roxmltree::Error::NodesLimitReached => UiError::TooLarge {
            what: "nodes",
            limit: MAX_NODES,
        },
        e => UiError::Xml {
            message: e.to_string(),
        },
    })?;
    let hierarchy = doc
        .descendants()
        .find(|n| n.has_tag_name("hierarchy"))
        .ok_or(UiError::NoHierarchy)?;
    let mut dump = UiDump {
        rotation: hierarchy
            .attribute("rotation")
            .and_then(|r| r.trim().parse().ok()),
        nodes: Vec::new(),
        dumped_to: None,
    };
    // Nearest `node` ancestor-or-self of every document node, by roxmltree id.
    let mut nearest: Vec<Option<usize>> = Vec::new();
    // Line counting carried forward (nodes come in document order; `text_pos_at` would
    // rescan from the start each time).
    let (mut line_pos, mut line_no) = (0usize, base_line + 1);
    for n in hierarchy.descendants() {
        let idx = n.id().get_usize();
        if nearest.len() <= idx {
            nearest.resize(idx + 1, None);
        }
        let inherited = n
            .parent()
            .and_then(|p| nearest.get(p.id().get_usize()).copied().flatten());
        if n.id() == hierarchy.id() || !n.is_element() || !n.has_tag_name("node") {
            nearest[idx] = inherited;
            continue;
        }
        if dump.nodes.len() >= MAX_NODES {
            return Err(UiError::TooLarge {
                what: "nodes",
                limit: MAX_NODES,
            });
        }
        let id = dump.nodes.len();
        let depth = match inherited.and_then(|p| dump.nodes.get(p)) {
            Some(parent) => parent.depth + 1,
            None => 0,
        };
        if depth > MAX_DEPTH {
            return Err(UiError::TooLarge {
                what: "depth",
                limit: MAX_DEPTH,
            });
        }
        if let Some(parent) = inherited.and_then(|p| dump.nodes.get_mut(p)) {
            parent.children.push(id);
        }
        let start = n.range().start.min(xml.len());
        if start > line_pos {
            line_no += memchr::memchr_iter(b'\n', &xml.as_bytes()[line_pos..start]).count() as u64;
            line_pos = start;
        }
        let attr = |name: &str| n.attribute(name).unwrap_or("").to_owned();
        let flag = |name: &str| n.attribute(name) == Some("true");
        dump.nodes.push(UiNode {
            id,
            line_no,
            index: n.attribute("index").and_then(|i| i.trim().parse().ok()),
            depth,
            parent: inherited,
            children: Vec::new(),
            text: attr("text"),
            resource_id: attr("resource-id"),
            class: attr("class"),
            package: attr("package"),
            content_desc: attr("content-desc"),
            checkable: flag("checkable"),
            checked: flag("checked"),
            clickable: flag("clickable"),
            enabled: flag("enabled"),
            focusable: flag("focusable"),
            focused: flag("focused"),
            scrollable: flag("scrollable"),
            long_clickable: flag("long-clickable"),
            password: flag("password"),
            selected: flag("selected"),
            naf: flag("NAF"),
            bounds: n.attribute("bounds").and_then(Bounds::parse),
        });
        nearest[idx] = Some(id);
    }
    Ok(dump)
}

/// Parses a dump given as bytes (invalid UTF-8 replaced).
pub fn parse_dump_bytes(bytes: &[u8]) -> Result<UiDump, UiError> {
    if bytes.len() > MAX_INPUT {
        return Err(UiError::TooLarge {
            what: "bytes",
            limit: MAX_INPUT,
        });
    }
    parse_dump(&String::from_utf8_lossy(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TALOS: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/ui/uiautomator-dump-talos-1.xml"
    ));

    #[test]
    fn talos_dump() {
        let d = parse_dump(TALOS).unwrap();
        assert_eq!(d.rotation, Some(0));
        assert_eq!(d.nodes.len(), 34);
        assert_eq!(d.dumped_to, None);
        let root = &d.nodes[0];
        assert_eq!(
            (root.parent, root.depth, root.children.clone()),
            (None, 0, vec![1, 32, 33])
        );
        assert_eq!(root.class, "android.widget.FrameLayout");
        assert_eq!(root.package, "com.balsdon.accessibilityDeveloperService");
        assert_eq!(d.roots().count(), 1);
        let next = &d.nodes[16];
        assert_eq!(next.text, "NEXT");
        assert_eq!(
            next.resource_id,
            "com.balsdon.accessibilityDeveloperService:id/swipeRight"
        );
        assert!(
            next.clickable && next.enabled && next.focusable && !next.checkable && !next.password
        );
        assert_eq!(
            next.bounds,
            Some(Bounds {
                x1: 554,
                y1: 556,
                x2: 1052,
                y2: 688
            })
        );
        assert_eq!(next.bounds.unwrap().center(), (803, 622));
        // `index` counts invisible siblings too: NEXT is the second visible child.
        assert_eq!(next.index, Some(2));
        assert_eq!(next.line_no, 1);
        assert!(
            d.nodes[25]
                .text
                .starts_with("Run\nadb shell settings put secure")
        );
        assert_eq!(d.nodes[18].content_desc, "Decrease accessibility volume");
        assert_eq!(d.nodes[18].label(), "Decrease accessibility volume");
        assert!(d.nodes[31].bounds.unwrap().is_empty());
        assert!(!d.nodes[16].bounds.unwrap().is_empty());
        assert_eq!(
            d.descendants(14).map(|n| n.id).collect::<Vec<_>>(),
            vec![15, 16]
        );
        assert_eq!(d.descendants(16).count(), 0);
        assert_eq!(
            d.ancestors(20).map(|n| n.id).collect::<Vec<_>>(),
            vec![19, 17, 10, 9, 5, 4, 3, 2, 1, 0]
        );
        assert_eq!(d.nodes[20].depth, 10);
        assert_eq!(d.children(10).count(), 14);
        assert_eq!(
            d.find_text("OPEN SETTINGS")
                .map(|n| n.id)
                .collect::<Vec<_>>(),
            vec![26]
        );
        assert_eq!(d.nodes.iter().filter(|n| n.clickable).count(), 7);
        for (i, n) in d.nodes.iter().enumerate() {
            assert_eq!(n.id, i);
            for &c in &n.children {
                assert_eq!(d.nodes[c].parent, Some(i));
                assert_eq!(d.nodes[c].depth, n.depth + 1);
            }
        }
    }

    #[test]
    fn exec_out_framing_and_leading_junk() {
        let text = format!("WARNING: linker: junk\n{TALOS}UI hierchary dumped to: /dev/tty\n");
        let d = parse_dump(&text).unwrap();
        assert_eq!(d.nodes.len(), 34);
        assert_eq!(d.dumped_to.as_deref(), Some("/dev/tty"));
        assert_eq!(d.nodes[0].line_no, 2);
        let d = parse_dump(&format!(
            "{TALOS}\r\nUI hierchary dumped to: /sdcard/window_dump.xml\r\n"
        ))
        .unwrap();
        assert_eq!(d.dumped_to.as_deref(), Some("/sdcard/window_dump.xml"));
    }

    #[test]
    fn device_errors_are_typed() {
        assert_eq!(
            parse_dump("ERROR: could not get idle state.\n"),
            Err(UiError::NotIdle { line_no: 1 })
        );
        // A stale file printed after the error must not be taken as the current screen.
        let stale = format!("ERROR: could not get idle state.\n{TALOS}");
        assert_eq!(parse_dump(&stale), Err(UiError::NotIdle { line_no: 1 }));
        assert_eq!(
            parse_dump("\nERROR: null root node returned by UiTestAutomationBridge.\n"),
            Err(UiError::NullRoot { line_no: 2 })
        );
        assert!(matches!(
            parse_dump("ERROR: boom\n"),
            Err(UiError::Device { line_no: 1, .. })
        ));
        assert_eq!(parse_dump(""), Err(UiError::NoHierarchy));
        assert_eq!(
            parse_dump("UI hierchary dumped to: /sdcard/window_dump.xml"),
            Err(UiError::NoHierarchy)
        );
        assert!(matches!(
            parse_dump("<hierarchy rotation=\"0\"><node index=\"0\">"),
            Err(UiError::Xml { .. })
        ));
        assert_eq!(
            parse_dump("<?xml version='1.0' ?><other/>"),
            Err(UiError::NoHierarchy)
        );
    }

    #[test]
    fn entities_flags_rotation_and_line_numbers() {
        let xml = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<hierarchy rotation=\"1\">\n  <node NAF=\"true\" index=\"0\" text=\"a &amp; b &lt;c&gt;&#10;d\" resource-id=\"x:id/ok\" class=\"android.widget.Button\" package=\"x\" content-desc=\"\" checkable=\"true\" checked=\"true\" clickable=\"true\" enabled=\"false\" focusable=\"false\" focused=\"true\" scrollable=\"true\" long-clickable=\"true\" password=\"true\" selected=\"true\" bounds=\"[-5,10][15,30]\">\n    <node index=\"0\" text=\"同意并继续\" bounds=\"garbage\" />\n  </node>\n</hierarchy>";
        let d = parse_dump(xml).unwrap();
        assert_eq!(d.rotation, Some(1));
        assert_eq!(d.nodes.len(), 2);
        let n = &d.nodes[0];
        assert_eq!(n.text, "a & b <c>\nd");
        assert!(n.naf && n.checkable && n.checked && n.clickable && !n.enabled && !n.focusable);
        assert!(n.focused && n.scrollable && n.long_clickable && n.password && n.selected);
        assert_eq!(n.bounds.unwrap().center(), (5, 20));
        assert_eq!(
            (n.bounds.unwrap().width(), n.bounds.unwrap().height()),
            (20, 20)
        );
        assert!(n.bounds.unwrap().contains(0, 10) && !n.bounds.unwrap().contains(15, 10));
        assert_eq!(n.line_no, 3);
        assert_eq!(d.nodes[1].line_no, 4);
        assert_eq!(d.nodes[1].text, "同意并继续");
        assert_eq!(d.nodes[1].bounds, None);
        assert_eq!(d.nodes[1].class, "");
        assert_eq!(d.find_text("同意").count(), 1);
    }

    #[test]
    fn bounds_parsing() {
        assert_eq!(
            Bounds::parse("[0,0][1080,2160]"),
            Some(Bounds {
                x1: 0,
                y1: 0,
                x2: 1080,
                y2: 2160
            })
        );
        assert_eq!(
            Bounds::parse(" [1, 2][3, 4] "),
            Some(Bounds {
                x1: 1,
                y1: 2,
                x2: 3,
                y2: 4
            })
        );
        for bad in [
            "",
            "[0,0]",
            "[0,0][1,1",
            "[a,0][1,1]",
            "[0,0][1,99999999999]",
        ] {
            assert_eq!(Bounds::parse(bad), None, "{bad}");
        }
        let b = Bounds {
            x1: i32::MAX - 1,
            y1: i32::MIN,
            x2: i32::MAX,
            y2: i32::MAX,
        };
        assert_eq!(b.center(), (i32::MAX - 1, -1));
        assert_eq!(
            Bounds {
                x1: 10,
                y1: 10,
                x2: 5,
                y2: 5
            }
            .width(),
            0
        );
    }

    #[test]
    fn limits_and_hostile_xml() {
        let deep = format!(
            "<hierarchy>{}{}</hierarchy>",
            "<node>".repeat(MAX_DEPTH + 2),
            "</node>".repeat(MAX_DEPTH + 2)
        );
        assert_eq!(
            parse_dump(&deep),
            Err(UiError::TooLarge {
                what: "depth",
                limit: MAX_DEPTH
            })
        );
        let ok = format!(
            "<hierarchy>{}{}</hierarchy>",
            "<node>".repeat(MAX_DEPTH + 1),
            "</node>".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(parse_dump(&ok).map(|d| d.nodes.len()), Ok(MAX_DEPTH + 1));
        // Far deeper than any stack would survive if parsing recursed.
        let n = 200_000;
        let very_deep = format!(
            "<hierarchy>{}{}</hierarchy>",
            "<node>".repeat(n),
            "</node>".repeat(n)
        );
        assert!(matches!(
            parse_dump(&very_deep),
            Err(UiError::TooLarge { .. })
        ));
        let wide = format!("<hierarchy>{}</hierarchy>", "<node/>".repeat(MAX_NODES + 1));
        assert_eq!(
            parse_dump(&wide),
            Err(UiError::TooLarge {
                what: "nodes",
                limit: MAX_NODES
            })
        );
        let laughs = "<?xml version=\"1.0\"?><!DOCTYPE h [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]><hierarchy><node text=\"&b;&b;&b;\"/></hierarchy>";
        assert!(matches!(parse_dump(laughs), Err(UiError::Xml { .. })));
    }

    #[test]
    fn error_messages_read_after_failed_to() {
        assert_eq!(
            UiError::NotIdle { line_no: 1 }.to_string(),
            "get a UI dump: the device could not get an idle state"
        );
        assert_eq!(
            UiError::TooLarge {
                what: "depth",
                limit: 3
            }
            .to_string(),
            "parse the UI dump: depth exceeds the limit of 3"
        );
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = parse_dump_bytes(&bytes);
        }

        #[test]
        fn mutated_dumps_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 0..16)) {
            let bytes = crate::am::text::mutate(TALOS.as_bytes(), &edits);
            if let Ok(d) = parse_dump_bytes(&bytes) {
                for n in &d.nodes {
                    prop_assert!(n.parent.is_none_or(|p| p < n.id));
                    let _ = n.bounds.map(|b| b.center());
                }
            }
        }

        #[test]
        fn random_bounds_never_panic(s in "\\[-?[0-9]{1,11},-?[0-9]{1,11}\\]\\[-?[0-9]{1,11},-?[0-9]{1,11}\\]") {
            if let Some(b) = Bounds::parse(&s) {
                let (x, y) = b.center();
                prop_assert!(i64::from(x) >= i64::from(b.x1.min(b.x2)) && i64::from(y) >= i64::from(b.y1.min(b.y2)));
            }
        }
    }
}
