//! Benchmark driver: opens a bundle, runs the whole analysis and prints throughput
//! (`benches/analyze-1gb.sh`).
//!
//! `cargo run --release -p prior-analyze --example scan -- BUNDLE [--patterns F] [--literals F]`
//!
//! `--patterns F` also writes the logcat patterns the analysis searches for, one regex a line,
//! for `rg -c -f F` to count on the same capture; `--literals F` writes the literal texts of its
//! prefilter, for `rg -c -F -f F`.

use prior_analyze::{
    Catalog, Profile, analyze, effective_logcat_patterns, logcat_prefilter_literals,
};
use prior_model::bundle::{Bundle, HarnessRecord};
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: scan BUNDLE [--patterns FILE] [--literals FILE]");
        return ExitCode::from(2);
    };
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(String::as_str)
    };
    match run(dir, opt("--patterns"), opt("--literals")) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: failed to {e}");
            ExitCode::from(2)
        }
    }
}

fn run(
    dir: &str,
    patterns_out: Option<&str>,
    literals_out: Option<&str>,
) -> Result<(), Box<dyn std::error::Error>> {
    let t0 = Instant::now();
    let bundle = Bundle::open(dir)?;
    let catalog = Catalog::builtin()?;
    let profile = Profile::builtin("cn-miit")?;
    let t_open = t0.elapsed();
    let mut markers = Vec::new();
    for e in &bundle.harness {
        match &e.record {
            HarnessRecord::ConsentTap {
                begin_marker,
                end_marker,
                ..
            } => markers.extend([begin_marker.clone(), end_marker.clone()]),
            HarnessRecord::Marker { message } => markers.push(message.clone()),
            _ => {}
        }
    }
    let package = &bundle.meta.app.package;
    if let Some(path) = patterns_out {
        let pats = effective_logcat_patterns(&catalog, package, bundle.meta.app.uid, &markers);
        std::fs::write(path, pats.join("\n") + "\n")?;
    }
    if let Some(path) = literals_out {
        let lits = logcat_prefilter_literals(&catalog, package, &markers)?;
        std::fs::write(path, lits.join("\n") + "\n")?;
    }
    let t1 = Instant::now();
    let sdks = prior_analyze::SdkCatalog::builtin()?;
    let report = analyze(
        &bundle,
        &prior_analyze::AnalysisInputs::new(&catalog, &sdks, &profile),
    )?;
    let t_analyze = t1.elapsed();
    let bytes = std::fs::metadata(bundle.path("raw/logcat.txt"))?.len();
    let mib = bytes as f64 / (1 << 20) as f64;
    let logcat = &report.checked.sources[0];
    println!(
        "bundle open + catalog/profile load: {:.3} s",
        t_open.as_secs_f64()
    );
    println!(
        "analyze: {:.1} MiB, {} lines in {:.3} s = {:.0} MiB/s",
        mib,
        logcat.items,
        t_analyze.as_secs_f64(),
        mib / t_analyze.as_secs_f64()
    );
    println!(
        "logcat: {}; {} personal-data events of the app; {} findings ({} violations); verdict {:?}",
        logcat.note.as_deref().unwrap_or(""),
        logcat.events,
        report.summary.findings,
        report.summary.violations,
        report.verdict
    );
    Ok(())
}
