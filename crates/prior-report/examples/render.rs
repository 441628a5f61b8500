//! Analyses a bundle and prints the terminal summary (a development aid; `prior analyze` is
//! the real command). `cargo run -p prior-report --example render -- BUNDLE [PROFILE] [--json]`

use prior_analyze::{AnalysisInputs, Catalog, Profile, SdkCatalog, analyze};
use prior_model::bundle::Bundle;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let pos: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let Some(dir) = pos.first() else {
        eprintln!("usage: render BUNDLE [PROFILE] [--json]");
        return ExitCode::from(2);
    };
    let run = || -> Result<String, Box<dyn std::error::Error>> {
        let bundle = Bundle::open(dir.as_str())?;
        let profile = Profile::resolve(pos.get(1).map_or("cn-miit", |p| p.as_str()))?;
        let (catalog, sdks) = (Catalog::builtin()?, SdkCatalog::builtin()?);
        let report = analyze(&bundle, &AnalysisInputs::new(&catalog, &sdks, &profile))?;
        Ok(if json {
            prior_report::render_json(&report)
        } else {
            prior_report::render_text(&report)
        })
    };
    match run() {
        Ok(s) => {
            print!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: failed to {e}");
            ExitCode::from(2)
        }
    }
}
