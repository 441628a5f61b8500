//! `prior parse KIND FILE`: print what a parser read, one JSON object per line, so a user can
//! see how Prior understood their capture.
//!
//! Per kind, one line is: `logcat` — a record (entry, divider or unparsed line; entries that
//! Prior decodes further carry `am_event`); `appops` — an access/reject entry, then running
//! ops, uid blocks and skipped lines; `ipc` — a trace with its process; `ui` — a node;
//! `am-start` — the whole reply.

use crate::{CliError, CliResult, exit::Outcome};
use serde::Serialize;
use serde_json::{Value, json};
use std::path::PathBuf;

/// What kind of capture the file is.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Kind {
    /// logcat output in any `-v` layout.
    Logcat,
    /// `dumpsys appops` (Android 9–15) or `appops get`.
    Appops,
    /// An `am trace-ipc stop --dump-file` dump.
    Ipc,
    /// A `uiautomator dump` XML file.
    Ui,
    /// The output of `am start -W`.
    AmStart,
    /// A network capture (pcap or pcapng, e.g. the emulator's `-tcpdump`): DNS queries and
    /// answers, TLS SNI and HTTP Host records, with their capture (host clock) times.
    Net,
}

/// Arguments of `prior parse`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What the file holds.
    #[arg(value_enum)]
    kind: Kind,
    /// The capture (`-` for standard input).
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

fn read_all(path: &PathBuf) -> Result<Vec<u8>, CliError> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut buf)
            .map_err(|e| CliError::input_msg(format!("failed to read standard input: {e}")))?;
        Ok(buf)
    } else {
        fs_err::read(path).map_err(CliError::io)
    }
}

fn tagged<T: Serialize>(kind: &str, v: &T) -> Value {
    let mut value = serde_json::to_value(v).unwrap_or(Value::Null);
    match &mut value {
        Value::Object(map) => {
            map.insert("record".to_string(), json!(kind));
            value
        }
        other => json!({ "record": kind, "value": other.take() }),
    }
}

/// Runs `prior parse`.
pub fn run(args: Args) -> CliResult {
    let mut lines = crate::term::JsonLines::stdout();
    let mut emit = |v: Value| lines.emit(&v);
    emit_all(&args, &mut emit)?;
    lines.finish()?;
    Ok(Outcome::Done)
}

fn emit_all(
    args: &Args,
    emit: &mut dyn FnMut(Value) -> Result<(), CliError>,
) -> Result<(), CliError> {
    match args.kind {
        Kind::Logcat => {
            let reader: Box<dyn std::io::BufRead> = if args.file.as_os_str() == "-" {
                Box::new(std::io::BufReader::new(std::io::stdin()))
            } else {
                let f = fs_err::File::open(&args.file).map_err(CliError::io)?;
                Box::new(std::io::BufReader::with_capacity(1 << 16, f))
            };
            for rec in prior_parse::logcat::LogcatReader::new(reader) {
                let rec = rec.map_err(|e| {
                    CliError::input_msg(format!("{}: failed to {e}", args.file.display()))
                })?;
                let mut v = tagged("logcat", &rec);
                if let prior_parse::logcat::Record::Entry { tag, message, .. } = &rec
                    && let Some(ev) =
                        prior_parse::logcat::events::decode(tag.as_bytes(), message.as_bytes())
                    && let Value::Object(map) = &mut v
                {
                    map.insert(
                        "am_event".into(),
                        serde_json::to_value(ev).unwrap_or(Value::Null),
                    );
                }
                emit(v)?;
            }
        }
        Kind::Appops => {
            let bytes = read_all(&args.file)?;
            let text = String::from_utf8_lossy(&bytes);
            if text
                .lines()
                .any(|l| l.contains("AppOps Service state") || l.trim_start().starts_with("Uid "))
            {
                let d = prior_parse::appops::parse_dump(&text);
                for a in &d.accesses {
                    emit(tagged("access", a))?;
                }
                for r in &d.running {
                    emit(tagged("running", r))?;
                }
                for u in &d.uids {
                    emit(tagged("uid", u))?;
                }
                emit(tagged("skipped", &d.skipped))?;
            } else {
                let g = prior_parse::appops::parse_get(&text);
                emit(tagged("appops_get", &g))?;
            }
        }
        Kind::Ipc => {
            let bytes = read_all(&args.file)?;
            let d = prior_parse::ipc::parse_dump_bytes(&bytes);
            for p in &d.processes {
                if p.traces.is_empty() {
                    emit(
                        json!({"record": "process", "process": p.process, "line_no": p.line_no, "traces": 0}),
                    )?;
                }
                for t in &p.traces {
                    let mut v = tagged("trace", t);
                    if let Value::Object(map) = &mut v {
                        map.insert("process".into(), json!(p.process));
                        map.insert(
                            "caller".into(),
                            serde_json::to_value(t.caller()).unwrap_or(Value::Null),
                        );
                    }
                    emit(v)?;
                }
            }
            emit(tagged("skipped", &d.skipped))?;
        }
        Kind::Ui => {
            let bytes = read_all(&args.file)?;
            let d = prior_parse::ui::parse_dump(&String::from_utf8_lossy(&bytes)).map_err(|e| {
                CliError::input_msg(format!("{}: failed to {e}", args.file.display()))
            })?;
            for n in &d.nodes {
                emit(tagged("node", n))?;
            }
        }
        Kind::Net => {
            let reader: Box<dyn std::io::Read> = if args.file.as_os_str() == "-" {
                Box::new(std::io::stdin().lock())
            } else {
                Box::new(fs_err::File::open(&args.file).map_err(CliError::io)?)
            };
            let failed = |e: prior_net::NetError, packets: usize| {
                CliError::input_msg(format!(
                    "{}: failed to {e} (the {packets} packets before it were read)",
                    args.file.display()
                ))
            };
            // One packet in memory at a time, like the analyzer.
            let packets =
                prior_net::CaptureReader::new(std::io::BufReader::with_capacity(1 << 16, reader))
                    .map_err(|e| failed(e, 0))?;
            let opts = prior_net::ExtractOptions::default();
            let (mut count, mut records) = (0usize, 0usize);
            for packet in packets {
                // What came before a damaged record is printed; then the damage is an error.
                let packet = packet.map_err(|e| failed(e, count))?;
                count += 1;
                for r in prior_net::extract_records_with(std::slice::from_ref(&packet), &opts) {
                    records += 1;
                    emit(json!({
                        "record": "net",
                        "kind": r.kind.as_str(),
                        "host": r.host,
                        "time_us": r.time_us,
                        "time": prior_model::format_micros_utc(r.time_us),
                        "src": r.src.to_string(),
                        "dst": r.dst.to_string(),
                        "addrs": r.addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
                        "packet": r.packet_index + 1,
                    }))?;
                }
            }
            emit(json!({"record": "summary", "packets": count, "records": records}))?;
        }
        Kind::AmStart => {
            let bytes = read_all(&args.file)?;
            emit(tagged(
                "am_start",
                &prior_parse::am::parse_start(&String::from_utf8_lossy(&bytes)),
            ))?;
        }
    }
    Ok(())
}
