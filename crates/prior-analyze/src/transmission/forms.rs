//! The forms a honey value can take in a request, and one multi-pattern search for all of
//! them (aho-corasick), plus the numeric search for a location.
//!
//! For every value: the value and its variants (as recorded; upper and lower case; without
//! separators; MAC with `:` and `-`; IMEI in its `AA-BBBBBB-CCCCCC-D` grouping), each
//! plain, URL-encoded (`%XX`, and `+` for a space), base64 (standard and URL-safe alphabet,
//! with and without padding), and the MD5 / SHA-1 / SHA-256 hex (lower and upper case) of
//! every variant. Literal forms of values shorter than [`MIN_LITERAL_LEN`] bytes are not
//! searched (they would match unrelated text); their hashes still are. A location is not
//! searched as text: [`Matcher::location_hits`] finds numbers within rounding of its latitude
//! and longitude.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use md5::Digest as _;

/// Literal forms of shorter values are not searched (hashes are).
pub(crate) const MIN_LITERAL_LEN: usize = 5;

/// A value to look for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Target {
    /// `imei`, `wifi_mac`, … (the contract's kinds).
    pub kind: String,
    /// The value as recorded (for a location `lat,lon`).
    pub value: String,
    /// A location's coordinates.
    pub latlon: Option<(f64, f64)>,
}

/// One form of one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Form {
    /// Index into the targets.
    pub target: usize,
    /// How the value was encoded, e.g. `md5 hex of the upper-case form`.
    pub encoding: String,
    /// The form's bytes.
    pub text: Vec<u8>,
    /// A hash: shown as found, never redacted (the value it hides is).
    pub hash: bool,
}

/// One occurrence of a form in a haystack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit {
    /// Index into the forms.
    pub form: usize,
    /// Byte range in the haystack.
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
}

/// A number in a haystack close to a coordinate of a location target.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NumHit {
    /// Index into the targets.
    pub target: usize,
    /// Latitude (`true`) or longitude.
    pub lat: bool,
    /// Decimals written.
    pub decimals: usize,
    /// Byte range.
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
}

/// Every form of every target, searched at once.
#[derive(Debug)]
pub(crate) struct Matcher {
    pub targets: Vec<Target>,
    pub forms: Vec<Form>,
    ac: Option<AhoCorasick>,
}

fn separators(kind: &str) -> &'static [char] {
    match kind {
        "wifi_mac" | "bt_mac" => &[':', '-', '.'],
        "imei" | "phone_number" | "contact_phone" | "serial" | "sim_serial" | "iccid" | "imsi" => {
            &[' ', '-', '.', '(', ')']
        }
        "advertising_id" | "android_id" => &['-'],
        _ => &[],
    }
}

/// The variants of a value (label, text), the value as recorded first, without duplicates.
pub(crate) fn variants(kind: &str, value: &str) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    let mut add = |label: &'static str, s: String| {
        if !s.is_empty() && !out.iter().any(|(_, t)| *t == s) {
            out.push((label, s));
        }
    };
    add("", value.to_string());
    add("upper-case", value.to_uppercase());
    add("lower-case", value.to_lowercase());
    let seps = separators(kind);
    if !seps.is_empty() {
        let bare: String = value.chars().filter(|c| !seps.contains(c)).collect();
        add("no-separator", bare.clone());
        add("no-separator upper-case", bare.to_uppercase());
        add("no-separator lower-case", bare.to_lowercase());
        if matches!(kind, "wifi_mac" | "bt_mac") && bare.len() == 12 && bare.is_ascii() {
            let pairs: Vec<&str> = (0..6).filter_map(|i| bare.get(i * 2..i * 2 + 2)).collect();
            for (label, sep) in [("colon", ":"), ("dash", "-")] {
                let j = pairs.join(sep);
                add(label, j.to_uppercase());
                add(label, j.to_lowercase());
            }
        }
        if kind == "imei" && bare.len() == 15 && bare.bytes().all(|b| b.is_ascii_digit()) {
            // TAC (8 digits, as AA-BBBBBB), serial number (6), check digit.
            let g = format!(
                "{}-{}-{}-{}",
                &bare[0..2],
                &bare[2..8],
                &bare[8..14],
                &bare[14..15]
            );
            add("grouped", g.clone());
            add("grouped", g.replace('-', " "));
        }
    }
    out
}

/// `application/x-www-form-urlencoded`-style percent-encoding: unreserved characters stay,
/// everything else is `%XX` (upper-case hex); `space_plus` writes a space as `+`.
pub(crate) fn percent_encode(s: &str, space_plus: bool) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else if b == b' ' && space_plus {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn label(encoding: &str, variant: &str) -> String {
    if variant.is_empty() {
        encoding.to_string()
    } else {
        format!("{encoding} of the {variant} form")
    }
}

/// Every form of one target.
pub(crate) fn forms_of(index: usize, t: &Target) -> Vec<Form> {
    let mut out: Vec<Form> = Vec::new();
    let mut push = |encoding: String, text: String, hash: bool| {
        if !text.is_empty() && !out.iter().any(|f| f.text == text.as_bytes()) {
            out.push(Form {
                target: index,
                encoding,
                text: text.into_bytes(),
                hash,
            });
        }
    };
    if t.latlon.is_some() {
        return out;
    }
    for (variant, v) in variants(&t.kind, &t.value) {
        if v.len() >= MIN_LITERAL_LEN {
            push(label("plain", variant), v.clone(), false);
            push(
                label("URL-encoded", variant),
                percent_encode(&v, false),
                false,
            );
            push(
                label("URL-encoded", variant),
                percent_encode(&v, true),
                false,
            );
            // Lower-case percent escapes too (`%3a`).
            let lower_pct = percent_encode(&v, false);
            if lower_pct.contains('%') {
                let mut s = String::new();
                let mut rest = lower_pct.as_str();
                while let Some(i) = rest.find('%') {
                    s.push_str(&rest[..i]);
                    let esc = rest.get(i..i + 3).unwrap_or(&rest[i..]);
                    s.push_str(&esc.to_lowercase());
                    rest = &rest[(i + esc.len())..];
                }
                s.push_str(rest);
                push(label("URL-encoded", variant), s, false);
            }
            let b = v.as_bytes();
            push(label("base64", variant), STANDARD.encode(b), false);
            push(label("base64", variant), STANDARD_NO_PAD.encode(b), false);
            push(label("base64url", variant), URL_SAFE.encode(b), false);
            push(
                label("base64url", variant),
                URL_SAFE_NO_PAD.encode(b),
                false,
            );
        }
        let b = v.as_bytes();
        for (name, digest) in [
            ("md5", hex::encode(md5::Md5::digest(b))),
            ("sha1", hex::encode(sha1::Sha1::digest(b))),
            ("sha256", hex::encode(sha2::Sha256::digest(b))),
        ] {
            push(label(&format!("{name} hex"), variant), digest.clone(), true);
            push(
                label(&format!("{name} HEX"), variant),
                digest.to_uppercase(),
                true,
            );
        }
    }
    out
}

impl Matcher {
    /// The matcher for these targets.
    pub fn new(targets: Vec<Target>) -> Matcher {
        let forms: Vec<Form> = targets
            .iter()
            .enumerate()
            .flat_map(|(i, t)| forms_of(i, t))
            .collect();
        // One pattern per distinct text: the first form (the plainest) names it.
        let ac = (!forms.is_empty())
            .then(|| {
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(forms.iter().map(|f| &f.text))
                    .ok()
            })
            .flatten();
        Matcher { targets, forms, ac }
    }

    /// Whether there is anything to look for.
    pub fn is_empty(&self) -> bool {
        self.forms.is_empty() && !self.targets.iter().any(|t| t.latlon.is_some())
    }

    /// Every occurrence of a form in `hay` (leftmost-longest, not overlapping).
    pub fn hits(&self, hay: &[u8]) -> Vec<Hit> {
        let Some(ac) = &self.ac else {
            return Vec::new();
        };
        ac.find_iter(hay)
            .map(|m| Hit {
                form: m.pattern().as_usize(),
                start: m.start(),
                end: m.end(),
            })
            .collect()
    }

    /// Numbers in `hay` with at least two decimals that equal a location target's latitude or
    /// longitude rounded or truncated to their decimals (at most 4 are compared).
    pub fn location_hits(&self, hay: &[u8]) -> Vec<NumHit> {
        let locs: Vec<(usize, f64, f64)> = self
            .targets
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.latlon.map(|(a, o)| (i, a, o)))
            .collect();
        if locs.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (start, end, decimals) in numbers(hay) {
            let Some(x) = std::str::from_utf8(&hay[start..end])
                .ok()
                .and_then(|s| s.parse::<f64>().ok())
            else {
                continue;
            };
            let tol = 10f64.powi(-(decimals.min(4) as i32)) + 1e-9;
            for &(i, lat, lon) in &locs {
                for (is_lat, v) in [(true, lat), (false, lon)] {
                    if (x - v).abs() < tol {
                        out.push(NumHit {
                            target: i,
                            lat: is_lat,
                            decimals,
                            start,
                            end,
                        });
                    }
                }
            }
        }
        out
    }
}

/// Decimal numbers `-?D{1,3}.D{2,12}` standing alone (not inside a longer run of digits or
/// dots): (start, end, decimals).
pub(crate) fn numbers(hay: &[u8]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let n = hay.len();
    let mut i = 0;
    while i < n {
        let b = hay[i];
        let boundary = i == 0 || !(hay[i - 1].is_ascii_digit() || hay[i - 1] == b'.');
        if !(b.is_ascii_digit() && boundary) {
            i += 1;
            continue;
        }
        let start = if i > 0 && hay[i - 1] == b'-' {
            i - 1
        } else {
            i
        };
        let mut j = i;
        while j < n && hay[j].is_ascii_digit() {
            j += 1;
        }
        let int_len = j - i;
        if int_len > 3 || j >= n || hay[j] != b'.' {
            i = j.max(i + 1);
            continue;
        }
        let mut k = j + 1;
        while k < n && hay[k].is_ascii_digit() {
            k += 1;
        }
        let decimals = k - j - 1;
        let trailing_ok = k >= n || !(hay[k].is_ascii_digit() || hay[k] == b'.');
        if (2..=12).contains(&decimals) && trailing_ok {
            out.push((start, k, decimals));
        }
        i = k.max(i + 1);
    }
    out
}
