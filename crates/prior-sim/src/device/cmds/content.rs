//! `content insert|query` (AOSP frameworks/base cmds/content, `Content.java`) on the handset's
//! contacts and calendar providers: the shell user holds READ/WRITE_CONTACTS and
//! READ/WRITE_CALENDAR (packages/Shell/AndroidManifest.xml), so no root is needed.
//!
//! Modelled as `Content.java` prints: a successful insert prints nothing; a query prints
//! `Row: N col=value, col=value` per row or `No result found.`; an argument error prints the
//! usage and `[ERROR] …` on stdout; a provider error prints `Error while accessing
//! provider:AUTHORITY` and the exception on stderr. The exit status is 0 in every case
//! (`main` returns normally).

use super::super::SimDevice;
use super::super::honey::{Row, Val};
use super::super::shell::Ctx;

/// The providers the handset has: authority → tables.
const PROVIDERS: &[(&str, &[&str])] = &[
    (
        "com.android.contacts",
        &["raw_contacts", "data", "contacts"],
    ),
    ("com.android.calendar", &["calendars", "events"]),
];

const USAGE_HEAD: &str = "usage: adb shell content [subcommand] [options]\n\nusage: adb shell content insert --uri <URI> [--user <USER_ID>] --bind <BINDING> [--bind <BINDING>...]\n  <URI> a content provider URI.\n  <BINDING> binds a typed value to a column and is formatted:\n  <COLUMN_NAME>:<TYPE>:<COLUMN_VALUE> where:\n  <TYPE> specifies data type such as:\n  b - boolean, s - string, i - integer, l - long, f - float, d - double\n  Note: Omit the value for passing an empty string, e.g column:s:\n\nusage: adb shell content query --uri <URI> [--user <USER_ID>] [--projection <PROJECTION>] [--where <WHERE>] [--sort <SORT_ORDER>]\n\n";

/// A parsed content URI: authority, table, query parameters.
struct Uri {
    text: String,
    authority: String,
    table: String,
    params: Vec<(String, String)>,
}

fn parse_uri(s: &str) -> Option<Uri> {
    let rest = s.strip_prefix("content://")?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, table) = path.split_once('/').unwrap_or((path, ""));
    let params = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect();
    Some(Uri {
        text: s.to_owned(),
        authority: authority.to_owned(),
        table: table.trim_end_matches('/').to_owned(),
        params,
    })
}

fn usage_error(ctx: &mut Ctx, msg: &str) -> i32 {
    ctx.outs(USAGE_HEAD);
    ctx.outs(&format!("\n[ERROR] {msg}\n"));
    0
}

fn provider_error(ctx: &mut Ctx, authority: &str, exception: &str) -> i32 {
    ctx.errs(&format!(
        "Error while accessing provider:{authority}\n{exception}\n\tat com.android.commands.content.Content$Command.execute(Content.java:530)\n\tat com.android.commands.content.Content.main(Content.java:735)\n"
    ));
    0
}

/// `content SUBCOMMAND …`.
pub fn content(dev: &SimDevice, args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(op) = args.first() else {
        return usage_error(ctx, "Unsupported operation: null");
    };
    let mut uri = None;
    let mut binds: Vec<(String, Val)> = Vec::new();
    let mut projection: Option<Vec<String>> = None;
    let mut where_: Option<String> = None;
    let mut sort: Option<String> = None;
    let mut i = 1;
    while i < args.len() {
        let a = args[i].as_str();
        let value = args
            .get(i + 1)
            .filter(|v| !v.is_empty() && !v.starts_with("--"));
        match a {
            "--uri" | "--user" | "--projection" | "--where" | "--sort" | "--bind" => {
                let Some(v) = value else {
                    if a == "--bind" {
                        return usage_error(ctx, "Binding not well formed: null");
                    }
                    return usage_error(ctx, &format!("No value for argument: {a}"));
                };
                match a {
                    "--uri" => uri = Some(v.clone()),
                    "--projection" => {
                        projection = Some(v.split(':').map(|c| c.trim().to_owned()).collect())
                    }
                    "--where" => where_ = Some(v.clone()),
                    "--sort" => sort = Some(v.clone()),
                    "--bind" => match parse_bind(v) {
                        Ok(b) => binds.push(b),
                        Err(e) => return usage_error(ctx, &e),
                    },
                    _ => {}
                }
                i += 2;
            }
            other => return usage_error(ctx, &format!("Unsupported argument: {other}")),
        }
    }
    let Some(uri_text) = uri else {
        return usage_error(
            ctx,
            "Content provider URI not specified. Did you specify --uri argument?",
        );
    };
    let Some(uri) = parse_uri(&uri_text) else {
        return provider_error(
            ctx,
            "null",
            "java.lang.IllegalStateException: Could not find provider: null",
        );
    };
    let Some((_, tables)) = PROVIDERS.iter().find(|(a, _)| *a == uri.authority) else {
        let e = format!(
            "java.lang.IllegalStateException: Could not find provider: {}",
            uri.authority
        );
        return provider_error(ctx, &uri.authority, &e);
    };
    if !tables.contains(&uri.table.as_str()) {
        let e = format!(
            "java.lang.IllegalArgumentException: Unknown URI {}",
            uri.text
        );
        return provider_error(ctx, &uri.authority, &e);
    }
    let key = format!("{}/{}", uri.authority, uri.table);
    match op.as_str() {
        "insert" => {
            if binds.is_empty() {
                return usage_error(
                    ctx,
                    "Bindings not specified. Did you specify --bind argument(s)?",
                );
            }
            let row: Row = binds.into_iter().collect();
            if let Err(e) = check_insert(&uri, &row) {
                return provider_error(ctx, &uri.authority, &e);
            }
            dev.with(|w, _| w.honey.insert(&key, row));
            0
        }
        "query" => {
            let rows = dev.with(|w, _| w.honey.rows(&key).to_vec());
            let mut rows: Vec<Row> = rows
                .into_iter()
                .filter(|r| where_.as_deref().is_none_or(|wh| matches_where(r, wh)))
                .collect();
            if let Some(s) = &sort {
                let mut it = s.split_whitespace();
                let col = it.next().unwrap_or("_id").to_owned();
                let desc = it.next().is_some_and(|d| d.eq_ignore_ascii_case("desc"));
                rows.sort_by(|a, b| {
                    let (x, y) = (a.get(&col).map(Val::text), b.get(&col).map(Val::text));
                    let o = match (
                        x.as_deref().map(str::parse::<i64>),
                        y.as_deref().map(str::parse::<i64>),
                    ) {
                        (Some(Ok(p)), Some(Ok(q))) => p.cmp(&q),
                        _ => x.cmp(&y),
                    };
                    if desc { o.reverse() } else { o }
                });
            }
            if rows.is_empty() {
                return i32::from(!ctx.outs("No result found.\n"));
            }
            let mut out = String::new();
            for (n, r) in rows.iter().enumerate() {
                let cols: Vec<String> = match &projection {
                    Some(p) => p.clone(),
                    None => r.keys().cloned().collect(),
                };
                let cells: Vec<String> = cols
                    .iter()
                    .map(|c| {
                        let v = r.get(c).map(Val::text).unwrap_or_else(|| "NULL".into());
                        format!("{c}={v}")
                    })
                    .collect();
                out.push_str(&format!("Row: {n} {}\n", cells.join(", ")));
            }
            i32::from(!ctx.outs(&out))
        }
        other => usage_error(ctx, &format!("Unsupported operation: {other}")),
    }
}

/// `<COLUMN>:<TYPE>:<VALUE>` (`Content.java` `parseBindValue`).
fn parse_bind(arg: &str) -> Result<(String, Val), String> {
    let bad = || format!("Binding not well formed: {arg}");
    let (col, rest) = arg.split_once(':').ok_or_else(bad)?;
    let (ty, value) = rest.split_once(':').ok_or_else(bad)?;
    let v = match ty {
        "s" => Val::Str(value.to_owned()),
        "b" | "B" => Val::Bool(value.eq_ignore_ascii_case("true")),
        "i" | "I" | "l" | "L" => Val::Int(value.parse().map_err(|_| {
            format!("java.lang.NumberFormatException: For input string: \"{value}\"")
        })?),
        "f" | "F" | "d" | "D" => Val::Real(value.parse().map_err(|_| {
            format!("java.lang.NumberFormatException: For input string: \"{value}\"")
        })?),
        _ => return Err(format!("Unsupported type: {ty}")),
    };
    Ok((col.to_owned(), v))
}

/// `col=value` or `col='value'` (the only selections the model understands).
fn matches_where(r: &Row, wh: &str) -> bool {
    let Some((c, v)) = wh.split_once('=') else {
        return false;
    };
    let v = v.trim().trim_matches('\'');
    r.get(c.trim()).is_some_and(|x| x.text() == v)
}

/// What the providers refuse (developer.android.com, Calendar provider guide: an event needs
/// `dtstart`, `eventTimezone`, `calendar_id` and `dtend` or `duration`; calendars are written
/// by sync adapters, `caller_is_syncadapter=true` with the account in the URI).
fn check_insert(uri: &Uri, row: &Row) -> Result<(), String> {
    let param = |k: &str| {
        uri.params
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.as_str())
    };
    match (uri.authority.as_str(), uri.table.as_str()) {
        ("com.android.calendar", "calendars") => {
            if param("caller_is_syncadapter") != Some("true") {
                return Err(format!(
                    "java.lang.IllegalArgumentException: Only sync adapters may write using {}",
                    uri.text
                ));
            }
            if param("account_name").is_none() || param("account_type").is_none() {
                return Err(format!(
                    "java.lang.IllegalArgumentException: Sync adapters must specify an account and account type: {}",
                    uri.text
                ));
            }
            Ok(())
        }
        ("com.android.calendar", "events") => {
            for c in ["calendar_id", "dtstart", "eventTimezone"] {
                if !row.contains_key(c) {
                    return Err(format!(
                        "java.lang.IllegalArgumentException: {c} is required"
                    ));
                }
            }
            if !row.contains_key("dtend") && !row.contains_key("duration") {
                return Err(
                    "java.lang.IllegalArgumentException: DTEND and DURATION cannot both be null for an event."
                        .into(),
                );
            }
            Ok(())
        }
        ("com.android.contacts", "data") => {
            if !row.contains_key("raw_contact_id") {
                return Err(
                    "java.lang.IllegalArgumentException: raw_contact_id is required".into(),
                );
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
