//! Searching one intercepted request: its URL, its headers and its body, decoded layer by
//! layer (content encoding; JSON strings and numbers; form fields; multipart parts; base64
//! segments, one level), for the forms of [`super::forms::Matcher`].
//!
//! Hostile input: every decompression stops at [`MAX_DECODED`] bytes whatever the stream
//! claims; at most [`MAX_SEGMENTS`] base64 segments are decoded per request; JSON nesting is
//! bounded by serde_json's recursion limit (128); names taken from the request (header names,
//! JSON keys, form fields, part names) are escaped and cut to [`MAX_NAME`] characters.

use super::forms::Matcher;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use std::io::Read;

/// Largest decoded body (after decompression) searched; the rest is cut and said so.
pub(crate) const MAX_DECODED: u64 = 16 << 20;
/// Base64 segments decoded per request.
pub(crate) const MAX_SEGMENTS: usize = 256;
/// Shortest run of base64 characters decoded as a segment.
pub(crate) const MIN_SEGMENT: usize = 16;
/// Names from the request are cut to this many characters.
pub(crate) const MAX_NAME: usize = 64;
/// Largest JSON text parsed into a tree (a tree takes several times its text in memory);
/// larger JSON is searched as text only, and said so.
pub(crate) const MAX_JSON: usize = 4 << 20;
/// Bytes of context kept on each side of a match.
pub(crate) const CONTEXT: usize = 32;

/// One honey value found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Found {
    /// Index into the matcher's targets.
    pub target: usize,
    /// How it was encoded.
    pub encoding: String,
    /// Where: `url`, `header User-Agent`, `body $.imei`, `body form field imei`, …
    pub place: String,
    /// The bytes around it (escaped).
    pub context: String,
    /// The text found (escaped).
    pub matched: String,
    /// The form is a hash.
    pub hash: bool,
}

/// A coordinate found (a location needs both in one request).
#[derive(Debug, Clone)]
struct Coord {
    target: usize,
    decimals: usize,
    place: String,
    context: String,
    token: String,
}

/// The search of one request.
pub(crate) struct FlowSearch<'a> {
    m: &'a Matcher,
    pub found: Vec<Found>,
    lat: Vec<Coord>,
    lon: Vec<Coord>,
    segments: usize,
    /// What could not be searched, in words.
    pub notes: Vec<String>,
}

/// Escapes a name from the request and cuts it.
pub(crate) fn name(s: &str) -> String {
    let cut: String = s.chars().take(MAX_NAME).collect();
    let mut out = prior_model::text::escape_line(&cut).into_owned();
    if s.chars().count() > MAX_NAME {
        out.push('…');
    }
    out
}

fn text(b: &[u8]) -> String {
    prior_model::text::escape_line(&String::from_utf8_lossy(b)).into_owned()
}

/// The bytes around `start..end`, widened so that no other found value (`spans`) is cut at
/// either edge: a cut value would escape redaction, which masks whole forms only.
fn context(hay: &[u8], start: usize, end: usize, spans: &[(usize, usize)]) -> String {
    let mut a = start.saturating_sub(CONTEXT);
    let mut b = (end + CONTEXT).min(hay.len());
    for &(s, e) in spans {
        if s < a && a < e {
            a = s;
        }
        if s < b && b < e {
            b = e;
        }
    }
    let mut s = String::new();
    if a > 0 {
        s.push('…');
    }
    s.push_str(&text(&hay[a..b]));
    if b < hay.len() {
        s.push('…');
    }
    s
}

/// Reads at most [`MAX_DECODED`] bytes from a decoder: the bytes and whether the stream was
/// cut (longer, or broken: the bytes before the damage are kept).
fn bounded<R: Read>(r: R) -> (Vec<u8>, Option<String>) {
    let mut v = Vec::new();
    let res = r.take(MAX_DECODED + 1).read_to_end(&mut v);
    if v.len() as u64 > MAX_DECODED {
        v.truncate(MAX_DECODED as usize);
        return (
            v,
            Some(format!(
                "decompressed to more than {} MiB: only the first {} MiB were searched",
                MAX_DECODED >> 20,
                MAX_DECODED >> 20
            )),
        );
    }
    match res {
        Ok(_) => (v, None),
        Err(e) => (v, Some(format!("the compressed data is damaged ({e})"))),
    }
}

/// Decodes a body by its content encoding (`gzip`, `x-gzip`, `deflate`, `br`; `identity` and
/// none as is). `None` for an encoding Prior does not decode.
pub(crate) fn decode_content(encoding: &str, body: &[u8]) -> Option<(Vec<u8>, Option<String>)> {
    match encoding.trim().to_ascii_lowercase().as_str() {
        "" | "identity" => Some((body.to_vec(), None)),
        "gzip" | "x-gzip" => Some(bounded(flate2::read::MultiGzDecoder::new(body))),
        "deflate" => {
            // RFC 9110: zlib-wrapped; some servers and clients send raw deflate.
            let (v, e) = bounded(flate2::read::ZlibDecoder::new(body));
            if e.is_some() && v.is_empty() {
                Some(bounded(flate2::read::DeflateDecoder::new(body)))
            } else {
                Some((v, e))
            }
        }
        "br" => Some(bounded(brotli::Decompressor::new(body, 4096))),
        _ => None,
    }
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')
}

/// Decodes a run of base64 characters (either alphabet, padding optional).
pub(crate) fn decode_b64(run: &[u8]) -> Option<Vec<u8>> {
    let run = run
        .strip_suffix(b"==")
        .or(run.strip_suffix(b"="))
        .unwrap_or(run);
    let url = run.iter().any(|&b| b == b'-' || b == b'_');
    let std = run.iter().any(|&b| b == b'+' || b == b'/');
    if url && std {
        return None;
    }
    if url {
        URL_SAFE_NO_PAD.decode(run).ok()
    } else {
        STANDARD_NO_PAD.decode(run).ok()
    }
}

impl<'a> FlowSearch<'a> {
    /// A new search.
    pub fn new(m: &'a Matcher) -> FlowSearch<'a> {
        FlowSearch {
            m,
            found: Vec::new(),
            lat: Vec::new(),
            lon: Vec::new(),
            segments: 0,
            notes: Vec::new(),
        }
    }

    fn push(&mut self, f: Found) {
        if !self
            .found
            .iter()
            .any(|g| g.target == f.target && g.encoding == f.encoding && g.place == f.place)
        {
            self.found.push(f);
        }
    }

    /// Searches one haystack; `segments`: also decode base64 segments in it (one level).
    pub fn search(&mut self, hay: &[u8], place: &str, segments: bool) {
        let hits = self.m.hits(hay);
        let nums = self.m.location_hits(hay);
        let spans: Vec<(usize, usize)> = hits
            .iter()
            .map(|h| (h.start, h.end))
            .chain(nums.iter().map(|n| (n.start, n.end)))
            .collect();
        for h in hits {
            let form = &self.m.forms[h.form];
            self.push(Found {
                target: form.target,
                encoding: form.encoding.clone(),
                place: place.to_string(),
                context: context(hay, h.start, h.end, &spans),
                matched: text(&hay[h.start..h.end]),
                hash: form.hash,
            });
        }
        for n in nums {
            let c = Coord {
                target: n.target,
                decimals: n.decimals,
                place: place.to_string(),
                context: context(hay, n.start, n.end, &spans),
                token: text(&hay[n.start..n.end]),
            };
            if n.lat {
                self.lat.push(c);
            } else {
                self.lon.push(c);
            }
        }
        if segments {
            self.segments_of(hay, place);
        }
    }

    fn segments_of(&mut self, hay: &[u8], place: &str) {
        let mut i = 0;
        while i < hay.len() {
            if !is_b64(hay[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < hay.len() && is_b64(hay[i]) {
                i += 1;
            }
            let mut end = i;
            while end < hay.len() && hay[end] == b'=' && end - i < 2 {
                end += 1;
            }
            if i - start < MIN_SEGMENT {
                i = end.max(i);
                continue;
            }
            if self.segments >= MAX_SEGMENTS {
                self.notes.push(format!(
                    "more than {MAX_SEGMENTS} base64 segments: the rest were not decoded"
                ));
                return;
            }
            self.segments += 1;
            if let Some(mut d) = decode_b64(&hay[start..end]) {
                let mut inner = format!("{place} (base64 segment at byte {start})");
                if d.starts_with(&[0x1f, 0x8b])
                    && let Some((g, _)) = decode_content("gzip", &d)
                {
                    d = g;
                    inner.push_str(" (gzip)");
                }
                self.search(&d, &inner, false);
                if let Some(v) = json(&d) {
                    self.walk_json(&v, &inner, "$", false);
                }
            }
            i = end.max(i);
        }
    }

    /// Walks a JSON value: every string is searched (and its base64 segments when `segments`),
    /// every number as written.
    pub fn walk_json(&mut self, v: &serde_json::Value, place: &str, path: &str, segments: bool) {
        use serde_json::Value;
        match v {
            Value::String(s) => {
                self.search(s.as_bytes(), &format!("{place} {path}"), segments);
            }
            Value::Number(n) => {
                let t = n.to_string();
                self.search(t.as_bytes(), &format!("{place} {path}"), false);
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    self.walk_json(x, place, &format!("{path}[{i}]"), segments);
                }
            }
            Value::Object(o) => {
                for (k, x) in o {
                    self.walk_json(x, place, &format!("{path}.{}", name(k)), segments);
                }
            }
            Value::Bool(_) | Value::Null => {}
        }
    }

    /// Searches `a=b&c=d` pairs (percent-decoded, `+` as space) as `{prefix} NAME`.
    pub fn search_form(&mut self, s: &[u8], prefix: &str) {
        for pair in s.split(|&b| b == b'&') {
            let mut kv = pair.splitn(2, |&b| b == b'=');
            let k = percent_decode(kv.next().unwrap_or_default());
            let Some(v) = kv.next() else { continue };
            let v = percent_decode(v);
            let place = format!("{prefix} {}", name(&String::from_utf8_lossy(&k)));
            self.search(&v, &place, true);
            if let Some(j) = json(&v) {
                self.walk_json(&j, &place, "$", true);
            }
        }
    }

    /// Searches a request body: as is, then by its structure.
    pub fn search_body(&mut self, body: &[u8], content_type: &str) {
        let ct = content_type.to_ascii_lowercase();
        self.search(body, "body", true);
        if body.len() > MAX_JSON
            && body
                .iter()
                .find(|c| !c.is_ascii_whitespace())
                .is_some_and(|c| *c == b'{' || *c == b'[')
        {
            self.notes.push(format!(
                "a JSON body over {} MiB was searched as text only (its strings not unescaped)",
                MAX_JSON >> 20
            ));
        }
        if let Some(v) = json(body) {
            self.walk_json(&v, "body", "$", true);
        } else if ct.contains("multipart/") {
            match boundary(content_type) {
                Some(b) => self.search_multipart(body, &b),
                None => self
                    .notes
                    .push("a multipart body without a boundary was searched as a whole".into()),
            }
        } else if ct.contains("x-www-form-urlencoded")
            || (body.contains(&b'=') && !body.iter().any(|b| b.is_ascii_whitespace()))
        {
            self.search_form(body, "body form field");
        }
    }

    fn search_multipart(&mut self, body: &[u8], boundary: &str) {
        let delim = format!("--{boundary}");
        let parts = split_on(body, delim.as_bytes());
        for (i, part) in parts.into_iter().enumerate().skip(1) {
            if part.starts_with(b"--") {
                break;
            }
            let (head, content) = match find(part, b"\r\n\r\n") {
                Some(p) => (&part[..p], &part[p + 4..]),
                None => match find(part, b"\n\n") {
                    Some(p) => (&part[..p], &part[p + 2..]),
                    None => (&part[..0], part),
                },
            };
            let content = content
                .strip_suffix(b"\r\n")
                .or(content.strip_suffix(b"\n"))
                .unwrap_or(content);
            let head = String::from_utf8_lossy(head);
            let part_name = param(&head, "name").unwrap_or_else(|| format!("#{i}"));
            let mut content = content.to_vec();
            let mut place = format!("body multipart part {}", name(&part_name));
            for line in head.lines() {
                if let Some((k, v)) = line.split_once(':')
                    && k.trim().eq_ignore_ascii_case("content-encoding")
                    && let Some((d, _)) = decode_content(v, &content)
                {
                    content = d;
                    place.push_str(&format!(" ({})", name(v.trim())));
                }
            }
            self.search(&content, &place, true);
            if let Some(v) = json(&content) {
                self.walk_json(&v, &place, "$", true);
            }
        }
    }

    /// Ends the search: locations are found when a latitude and a longitude of the same target
    /// were both seen; a body-wide hit is dropped when a more precise place found the same.
    pub fn finish(mut self) -> (Vec<Found>, Vec<String>) {
        let mut targets: Vec<usize> = self.lat.iter().map(|c| c.target).collect();
        targets.sort_unstable();
        targets.dedup();
        for t in targets {
            // The most precise place of each (a form field over the whole body).
            let best = |v: &[Coord]| {
                v.iter()
                    .filter(|c| c.target == t)
                    .max_by_key(|c| c.place.len())
                    .cloned()
            };
            let (Some(la), Some(lo)) = (best(&self.lat), best(&self.lon)) else {
                continue;
            };
            let d = la.decimals.min(lo.decimals);
            let f = Found {
                target: t,
                encoding: format!("latitude and longitude to {d} decimals"),
                place: if la.place == lo.place {
                    la.place.clone()
                } else {
                    format!("{} and {}", la.place, lo.place)
                },
                context: if la.context == lo.context {
                    la.context.clone()
                } else {
                    format!("{} … {}", la.context, lo.context)
                },
                matched: format!("{},{}", la.token, lo.token),
                hash: false,
            };
            self.push(f);
        }
        // A value found inside a decoded base64 segment that was also found as the value's own
        // base64 form, then a body- or URL-wide hit found again at a precise place, is said once.
        let all = self.found.clone();
        self.found.retain(|f| {
            !(f.place.contains("(base64 segment")
                && all.iter().any(|g| {
                    g.target == f.target
                        && g.encoding.starts_with("base64")
                        && !g.place.contains("(base64 segment")
                }))
        });
        let all = self.found.clone();
        self.found.retain(|f| {
            let wide = f.place == "body" || f.place == "url";
            !(wide
                && all.iter().any(|g| {
                    g.target == f.target && g.place != f.place && g.place.starts_with(&f.place)
                }))
        });
        self.notes.sort();
        self.notes.dedup();
        (self.found, self.notes)
    }
}

/// JSON when the bytes start like an object or array and parse.
fn json(b: &[u8]) -> Option<serde_json::Value> {
    let first = b.iter().find(|c| !c.is_ascii_whitespace())?;
    if (*first != b'{' && *first != b'[') || b.len() > MAX_JSON {
        return None;
    }
    serde_json::from_slice(b).ok()
}

/// `%XX` decoded, `+` as space; a bad escape stays as written.
pub(crate) fn percent_decode(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < s.len() => {
                let h = std::str::from_utf8(&s[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match h {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

fn split_on<'b>(hay: &'b [u8], delim: &[u8]) -> Vec<&'b [u8]> {
    let mut out = Vec::new();
    let mut rest = hay;
    while let Some(p) = find(rest, delim) {
        out.push(&rest[..p]);
        rest = &rest[p + delim.len()..];
    }
    out.push(rest);
    out
}

/// A `key=value` or `key="value"` parameter of a header value.
fn param(head: &str, key: &str) -> Option<String> {
    for piece in head.split([';', '\n', '\r']) {
        let piece = piece.trim();
        if let Some((k, v)) = piece.split_once('=')
            && k.trim().eq_ignore_ascii_case(key)
        {
            return Some(v.trim().trim_matches('"').to_string());
        }
    }
    None
}

/// The boundary of a multipart content type.
fn boundary(content_type: &str) -> Option<String> {
    param(content_type, "boundary").filter(|b| !b.is_empty() && b.len() <= 200)
}
