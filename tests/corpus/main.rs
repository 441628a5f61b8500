//! `cargo run --example corpus -- generate DIR [--apps N] [--seed S]` writes the corpus of
//! simulated apps with known truth (tests/corpus/gen.rs); `… score DIR REPORTS` scores against
//! DIR/truth.json and lists every miss, where REPORTS is either the `campaign.json` of `prior
//! campaign merge` (the regulator's table, tests/corpus/table.rs) or a directory holding one,
//! or a directory of JSON reports (one `<slug>--<scenario>.json` per pair, from `prior run
//! --format json` or `prior analyze --format json`). docs/testing.md, "Corpus".

#[path = "gen.rs"]
mod corpus_gen;
#[path = "table.rs"]
mod table;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!("usage: corpus generate DIR [--apps N] [--seed S] | corpus score DIR REPORTS");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    match args.first().map(String::as_str) {
        Some("generate") => {
            let Some(dir) = args.get(1) else {
                return usage();
            };
            let mut opts = corpus_gen::Options {
                apps: 200,
                seed: 1,
                root,
            };
            let mut it = args[2..].iter();
            while let Some(a) = it.next() {
                let v = it.next().and_then(|v| v.parse::<u64>().ok());
                match (a.as_str(), v) {
                    ("--apps", Some(v)) => opts.apps = v as usize,
                    ("--seed", Some(v)) => opts.seed = v,
                    _ => return usage(),
                }
            }
            match corpus_gen::generate(Path::new(dir), &opts) {
                Ok(c) => {
                    println!("corpus: {} apps in {}", c.apps.len(), c.dir.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("corpus: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some("score") => {
            let (Some(dir), Some(reports)) = (args.get(1), args.get(2)) else {
                return usage();
            };
            let truth: serde_json::Value =
                match std::fs::read_to_string(Path::new(dir).join("truth.json"))
                    .map_err(|e| e.to_string())
                    .and_then(|s| serde_json::from_str(&s).map_err(|e| e.to_string()))
                {
                    Ok(t) => t,
                    Err(e) => {
                        eprintln!("corpus: truth.json: {e}");
                        return ExitCode::FAILURE;
                    }
                };
            let reports = Path::new(reports);
            let table = if reports.is_dir() {
                reports.join("campaign.json")
            } else {
                reports.to_path_buf()
            };
            let s = if table.is_file() {
                let merged: serde_json::Value = match std::fs::read_to_string(&table)
                    .map_err(|e| e.to_string())
                    .and_then(|s| serde_json::from_str(&s).map_err(|e| e.to_string()))
                {
                    Ok(v) => v,
                    Err(e) => {
                        eprintln!("corpus: {}: {e}", table.display());
                        return ExitCode::FAILURE;
                    }
                };
                let by_pair = table::reports_of_campaign(&merged);
                corpus_gen::score(&truth, |id| by_pair.get(id).cloned())
            } else {
                corpus_gen::score(&truth, |id| {
                    let p = reports.join(format!("{id}.json"));
                    std::fs::read_to_string(p)
                        .ok()
                        .and_then(|s| serde_json::from_str(&s).ok())
                })
            };
            for m in &s.misses {
                println!("miss: {m}");
            }
            println!("{}", s.summary());
            if s.misses.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        _ => usage(),
    }
}
