//! Analyses a bundle and prints the report as JSON (a development aid; `prior analyze` is
//! the real command).
//!
//! `cargo run -p prior-analyze --example analyze -- BUNDLE [PROFILE] [--allow-modified]`

use prior_analyze::{AnalyzeOptions, Catalog, Profile, analyze_with};
use prior_model::bundle::Bundle;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let allow_modified = args.iter().any(|a| a == "--allow-modified");
    let pos: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let Some(dir) = pos.first() else {
        eprintln!("usage: analyze BUNDLE [PROFILE] [--allow-modified]");
        return ExitCode::from(2);
    };
    let run = || -> Result<String, Box<dyn std::error::Error>> {
        let bundle = Bundle::open(dir.as_str())?;
        let catalog = Catalog::builtin()?;
        let profile = Profile::resolve(pos.get(1).map_or("cn-miit", |p| p.as_str()))?;
        let opts = AnalyzeOptions {
            allow_modified,
            ..AnalyzeOptions::default()
        };
        let report = analyze_with(&bundle, &catalog, &profile, &opts)?;
        Ok(serde_json::to_string_pretty(&report)?)
    };
    match run() {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: failed to {e}");
            ExitCode::from(2)
        }
    }
}
