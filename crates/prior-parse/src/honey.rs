//! Replies of the commands Prior's honey step runs (`docs/interception.md`, "Honey data"): `content query`
//! rows, a `service call` reply holding one string, `cmd wifi status`, a MAC address, the
//! advertising-ID preferences of Google Play services.
//!
//! Replies are bounded by the caller (device output); every parser here looks at most
//! [`MAX_REPLY`] bytes and never panics.

use std::collections::BTreeMap;

/// Longest reply looked at.
pub const MAX_REPLY: usize = 256 * 1024;

fn capped(text: &str) -> &str {
    if text.len() <= MAX_REPLY {
        return text;
    }
    let mut end = MAX_REPLY;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// One row of `content query`: column → value as printed (`NULL` for a null).
pub type ContentRow = BTreeMap<String, String>;

/// The rows of a `content query` reply (`Row: N col=value, col=value`, AOSP `Content.java`);
/// `No result found.` is no rows. A value that itself contains `, ` cannot be told from the
/// next column: only columns named in the projection are split on, so ask for few columns
/// and put free text last.
pub fn parse_content_rows(text: &str, projection: &[&str]) -> Vec<ContentRow> {
    let mut rows = Vec::new();
    for line in capped(text).lines() {
        let Some(rest) = line.strip_prefix("Row: ") else {
            continue;
        };
        let Some((_, cells)) = rest.split_once(' ') else {
            continue;
        };
        let mut row = ContentRow::new();
        // split at ", NAME=" for the projection's names only
        let mut cur = cells;
        for (i, col) in projection.iter().enumerate() {
            let Some(v) = cur.strip_prefix(&format!("{col}=")) else {
                break;
            };
            let next = projection.get(i + 1).map(|n| format!(", {n}="));
            match next.as_deref().and_then(|n| v.find(n)) {
                Some(p) => {
                    row.insert((*col).to_string(), v[..p].to_string());
                    cur = &v[p + 2..];
                }
                None => {
                    row.insert((*col).to_string(), v.to_string());
                    cur = "";
                }
            }
        }
        rows.push(row);
    }
    rows
}

/// What a `service call` reply holds when the method returns one string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceString {
    /// The string.
    Value(String),
    /// A null string (length -1).
    Null,
    /// The call threw: the exception code the parcel starts with.
    Exception(i32),
}

/// Reads `Result: Parcel(…)` as `cmds/service` prints it: 32-bit little-endian words in hex
/// (`0x00000000: 00000000 0000000f 00350033 …  '........3.5.'`), first the exception code,
/// then a `String16` (length in UTF-16 units, the units, a NUL). `None` when the reply is no
/// parcel dump (an error message, `Service … does not exist`).
pub fn parse_service_string(text: &str) -> Option<ServiceString> {
    let text = capped(text);
    let start = text.find("Parcel(")? + "Parcel(".len();
    let body = &text[start..];
    let mut bytes = Vec::new();
    for raw in body.lines() {
        let last = raw.trim_end().ends_with(')');
        // drop the `0x…:` offset and the quoted ASCII column
        let line = raw.split('\'').next().unwrap_or("");
        let line = match line.split_once(": ") {
            Some((off, rest)) if off.trim_start().starts_with("0x") => rest,
            _ => line,
        };
        for word in line.split_whitespace() {
            if word.len() != 8 {
                return None;
            }
            let w = u32::from_str_radix(word, 16).ok()?;
            bytes.extend_from_slice(&w.to_le_bytes());
            if bytes.len() > MAX_REPLY {
                return None;
            }
        }
        if last {
            break;
        }
    }
    let word = |i: usize| -> Option<i32> {
        let b = bytes.get(i..i + 4)?;
        Some(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let exception = word(0)?;
    if exception != 0 {
        return Some(ServiceString::Exception(exception));
    }
    let len = word(4)?;
    if len < 0 {
        return Some(ServiceString::Null);
    }
    let len = usize::try_from(len).ok()?;
    let units: Vec<u16> = bytes
        .get(8..8usize.checked_add(len.checked_mul(2)?)?)?
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], c.get(1).copied().unwrap_or(0)]))
        .collect();
    Some(ServiceString::Value(String::from_utf16_lossy(&units)))
}

/// The SSID in `cmd wifi status` (`Wifi is connected to "NAME"`), without the quotes.
pub fn parse_wifi_status_ssid(text: &str) -> Option<String> {
    for line in capped(text).lines() {
        if let Some(rest) = line.trim().strip_prefix("Wifi is connected to ") {
            let s = rest.trim();
            let s = s
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or(s);
            if s.is_empty() || s == "<unknown ssid>" {
                return None;
            }
            return Some(s.to_string());
        }
    }
    None
}

/// A MAC address `aa:bb:cc:dd:ee:ff` on the first line (lower-cased), as sysfs prints it.
pub fn parse_mac(text: &str) -> Option<String> {
    let line = capped(text).lines().next()?.trim();
    let parts: Vec<&str> = line.split(':').collect();
    let ok = parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()));
    ok.then(|| line.to_ascii_lowercase())
}

/// The advertising ID in Google Play services' `adid_settings.xml`
/// (`<string name="adid_key">UUID</string>`; the file's layout is UNVERIFIED).
pub fn parse_adid_settings(text: &str) -> Option<String> {
    let text = capped(text);
    let at = text.find("name=\"adid_key\"")?;
    let rest = &text[at..];
    let v = rest.split_once('>')?.1.split_once('<')?.0.trim();
    let ok = v.len() == 36 && v.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    ok.then(|| v.to_ascii_lowercase())
}

/// Whether `s` looks like an IMEI (14–16 digits; a 15-digit one must pass the Luhn check).
pub fn is_imei(s: &str) -> bool {
    if !(14..=16).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if s.len() != 15 {
        return true;
    }
    let sum: u32 = s
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_rows_split_on_the_projection_names_only() {
        let text = "Row: 0 _id=7\nRow: 1 _id=3\n";
        let rows = parse_content_rows(text, &["_id"]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["_id"], "7");
        let text = "Row: 0 mimetype=vnd.android.cursor.item/name, data1=Prior, Honey\n";
        let rows = parse_content_rows(text, &["mimetype", "data1"]);
        assert_eq!(rows[0]["data1"], "Prior, Honey");
        assert_eq!(rows[0]["mimetype"], "vnd.android.cursor.item/name");
        assert!(parse_content_rows("No result found.\n", &["_id"]).is_empty());
    }

    #[test]
    fn a_service_call_string_reply_is_decoded() {
        // the layout of a real reply (docs/interception.md, Honey data)
        let text = "Result: Parcel(\n  0x00000000: 00000000 0000000f 00350033 00320038 '........3.5.8.2.'\n  0x00000010: 00300034 00350030 00310031 00310031 '4.0.0.5.1.1.1.1.'\n  0x00000020: 00310031 00000030                   '1.1.0...        ')\n";
        assert_eq!(
            parse_service_string(text),
            Some(ServiceString::Value("358240051111110".into()))
        );
        let trailing = format!("{text}some other line\n");
        assert!(matches!(
            parse_service_string(&trailing),
            Some(ServiceString::Value(_))
        ));
        assert_eq!(
            parse_service_string("Result: Parcel(00000000 ffffffff '........')\n"),
            Some(ServiceString::Null)
        );
        assert_eq!(
            parse_service_string("Result: Parcel(ffffffe8 00000000 '........')"),
            Some(ServiceString::Exception(-24))
        );
        assert_eq!(
            parse_service_string("service: Service x does not exist\n"),
            None
        );
        // a length beyond the data is no value, never a panic
        assert_eq!(
            parse_service_string("Result: Parcel(00000000 7fffffff '........')"),
            None
        );
        assert_eq!(parse_service_string("Result: Parcel(zzzz)"), None);
    }

    #[test]
    fn wifi_mac_imei_and_adid() {
        assert_eq!(
            parse_wifi_status_ssid("Wifi is enabled\nWifi is connected to \"AndroidWifi\"\n"),
            Some("AndroidWifi".into())
        );
        assert_eq!(parse_wifi_status_ssid("Wifi is disabled\n"), None);
        assert_eq!(
            parse_mac("02:15:B2:00:00:01\n"),
            Some("02:15:b2:00:00:01".into())
        );
        assert_eq!(parse_mac("cat: x: No such file or directory\n"), None);
        assert!(is_imei("358240051111110"));
        assert!(!is_imei("358240051111111"));
        assert!(!is_imei("35824005111111a"));
        let xml = "<map>\n  <string name=\"adid_key\">38400000-8cf0-11bd-b23e-10b96e40000d</string>\n</map>";
        assert_eq!(
            parse_adid_settings(xml).as_deref(),
            Some("38400000-8cf0-11bd-b23e-10b96e40000d")
        );
    }
}
