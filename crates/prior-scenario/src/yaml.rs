//! A YAML document as a tree of nodes that keep their place in the file.
//!
//! serde-saphyr parses; this module keeps only what validation needs: the node kinds, each
//! node's line/column and byte span, and the exact spelling of plain scalars (so `yes` stays
//! `yes` and `0x1F` stays `0x1F` instead of becoming `true` and `31`).

use crate::model::Pos;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};
use std::fmt;

/// A node with its place in the file.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub kind: Kind,
    pub pos: Pos,
    /// Byte offset and length of the node's text in the file.
    pub offset: usize,
    pub len: usize,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Null,
    /// A scalar's text (strings as written after YAML unescaping; other scalars as spelled).
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

/// A mapping key.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    pub name: String,
    pub pos: Pos,
    pub offset: usize,
    pub len: usize,
}

impl Kind {
    pub fn describe(&self) -> &'static str {
        match self {
            Kind::Null => "nothing",
            Kind::Scalar(_) => "a single value",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }
}

// ---- raw tree as serde-saphyr delivers it ----

enum Raw {
    Null,
    Str(String),
    /// Bool or number: its spelling is re-read from the source text.
    Typed(String),
    Seq(Vec<Spanned<Raw>>),
    Map(Vec<(Spanned<String>, Spanned<Raw>)>),
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Raw;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E>(self) -> Result<Raw, E> {
                Ok(Raw::Null)
            }
            fn visit_none<E>(self) -> Result<Raw, E> {
                Ok(Raw::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
                Raw::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
                Ok(Raw::Typed(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
                Ok(Raw::Typed(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
                Ok(Raw::Typed(v.to_string()))
            }
            fn visit_i128<E>(self, v: i128) -> Result<Raw, E> {
                Ok(Raw::Typed(v.to_string()))
            }
            fn visit_u128<E>(self, v: u128) -> Result<Raw, E> {
                Ok(Raw::Typed(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
                Ok(Raw::Typed(v.to_string()))
            }
            fn visit_char<E>(self, v: char) -> Result<Raw, E> {
                Ok(Raw::Str(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
                Ok(Raw::Str(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Raw, E> {
                Ok(Raw::Str(v))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Raw, E> {
                Ok(Raw::Str(String::from_utf8_lossy(v).into_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Raw, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = a.next_element::<Spanned<Raw>>()? {
                    v.push(x);
                }
                Ok(Raw::Seq(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Raw, A::Error> {
                let mut v = Vec::new();
                while let Some(k) = a.next_key::<Spanned<String>>()? {
                    let val = a.next_value::<Spanned<Raw>>()?;
                    v.push((k, val));
                }
                Ok(Raw::Map(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// Largest scenario file accepted.
pub(crate) const MAX_FILE_BYTES: usize = 1 << 20;

/// A YAML error from the parser.
#[derive(Debug)]
pub(crate) struct YamlError {
    pub message: String,
    pub pos: Option<Pos>,
    pub duplicate_key: bool,
}

/// Parses a whole document into a [`Node`] tree.
pub(crate) fn parse(src: &str) -> Result<Node, YamlError> {
    if src.len() > MAX_FILE_BYTES {
        return Err(YamlError {
            message: format!("the file is larger than {} KiB", MAX_FILE_BYTES / 1024),
            pos: None,
            duplicate_key: false,
        });
    }
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_events: 200_000,
            max_nodes: 50_000,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_depth: 64,
        },
    };
    match serde_saphyr::from_str_with_options::<Spanned<Raw>>(src, options) {
        Ok(raw) => Ok(convert(src, raw)),
        Err(e) => {
            let pos = e.location().filter(|l| l.line() > 0).map(|l| Pos {
                line: u32::try_from(l.line()).unwrap_or(u32::MAX),
                column: u32::try_from(l.column()).unwrap_or(u32::MAX),
            });
            let duplicate_key = matches!(
                e.without_snippet(),
                serde_saphyr::Error::DuplicateMappingKey { .. }
            );
            let mut message = e.without_snippet().to_string();
            // Drop the " at line N, column M" suffix: the position is reported separately.
            if let Some(i) = message.rfind(" at line ") {
                message.truncate(i);
            }
            if let Some(i) = message.find(", set DuplicateKeyPolicy") {
                message.truncate(i);
            }
            Err(YamlError {
                message,
                pos,
                duplicate_key,
            })
        }
    }
}

fn place(src: &str, loc: &Location) -> (Pos, usize, usize) {
    let pos = Pos {
        line: u32::try_from(loc.line()).unwrap_or(u32::MAX),
        column: u32::try_from(loc.column()).unwrap_or(u32::MAX),
    };
    let span = loc.span();
    let offset = span
        .byte_offset()
        .and_then(|o| usize::try_from(o).ok())
        .filter(|o| *o <= src.len())
        .unwrap_or_else(|| byte_offset(src, pos));
    let len = span
        .byte_len()
        .and_then(|l| usize::try_from(l).ok())
        .unwrap_or(0)
        .min(src.len() - offset);
    (pos, offset, len)
}

fn convert(src: &str, raw: Spanned<Raw>) -> Node {
    let (pos, offset, len) = place(src, &raw.referenced);
    let kind = match raw.value {
        Raw::Null => Kind::Null,
        Raw::Str(s) => Kind::Scalar(s),
        Raw::Typed(s) => {
            let spelled = src
                .get(offset..offset + len)
                .map(str::trim)
                .filter(|t| !t.is_empty());
            Kind::Scalar(spelled.map_or(s, str::to_owned))
        }
        Raw::Seq(items) => Kind::Seq(items.into_iter().map(|i| convert(src, i)).collect()),
        Raw::Map(entries) => Kind::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let (kpos, koff, klen) = place(src, &k.referenced);
                    (
                        Key {
                            name: k.value,
                            pos: kpos,
                            offset: koff,
                            len: klen,
                        },
                        convert(src, v),
                    )
                })
                .collect(),
        ),
    };
    Node {
        kind,
        pos,
        offset,
        len,
    }
}

/// Byte offset of a 1-based line / character column (clamped to the text).
pub(crate) fn byte_offset(src: &str, pos: Pos) -> usize {
    let mut offset = 0;
    for (i, line) in src.split_inclusive('\n').enumerate() {
        if i + 1 == pos.line as usize {
            let col = (pos.column as usize).saturating_sub(1);
            return offset + line.char_indices().nth(col).map_or(line.len(), |(b, _)| b);
        }
        offset += line.len();
    }
    src.len()
}

/// The 1-based line / character column of a byte offset.
pub(crate) fn pos_of(src: &str, offset: usize) -> Pos {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    Pos {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_and_spelling() {
        let src = "a: yes\nb:\n  - 0x1F\n  - \"q\"\nc: { d: 1.50 }\n";
        let n = parse(src).unwrap();
        let Kind::Map(m) = &n.kind else {
            panic!("not a map")
        };
        assert_eq!(m[0].0.name, "a");
        assert!(matches!(&m[0].1.kind, Kind::Scalar(s) if s == "yes"));
        assert_eq!(m[0].1.pos, Pos { line: 1, column: 4 });
        let Kind::Seq(items) = &m[1].1.kind else {
            panic!("not a seq")
        };
        assert!(matches!(&items[0].kind, Kind::Scalar(s) if s == "0x1F"));
        assert_eq!(items[1].pos, Pos { line: 4, column: 5 });
        let Kind::Map(c) = &m[2].1.kind else {
            panic!("not a map")
        };
        assert!(matches!(&c[0].1.kind, Kind::Scalar(s) if s == "1.50"));
        assert_eq!(c[0].0.pos, Pos { line: 5, column: 6 });
    }

    #[test]
    fn offsets_and_positions_agree() {
        let src = "名前: 隐私\nx: y\n";
        let p = Pos { line: 1, column: 5 };
        let off = byte_offset(src, p);
        assert_eq!(&src[off..off + 6], "隐私");
        assert_eq!(pos_of(src, off), p);
    }

    #[test]
    fn reports_syntax_and_duplicates() {
        let e = parse("a: [1, 2\nb: c\n").unwrap_err();
        assert_eq!(e.pos.map(|p| p.line), Some(2));
        assert!(!e.duplicate_key);
        let e = parse("a: 1\na: 2\n").unwrap_err();
        assert!(e.duplicate_key);
        assert_eq!(e.pos, Some(Pos { line: 2, column: 1 }));
    }
}
