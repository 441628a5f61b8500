//! Writes the HTML report of a synthetic long session, for `benches/report-html.sh`.
//! `cargo run --release -p prior-report --example big_html -- REPORT.json EVENTS MINUTES OUT.html`
//!
//! Takes a real report (`prior report BUNDLE --format json`) and replaces its timeline with
//! EVENTS events spread evenly over MINUTES minutes from the original first event, cycling
//! through the original events (so categories, windows and text are real), then renders it.

use prior_analyze::Report;
use prior_model::Timing;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, events, minutes, out] = args.as_slice() else {
        eprintln!("usage: big_html REPORT.json EVENTS MINUTES OUT.html");
        return ExitCode::from(2);
    };
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        let mut r: Report = serde_json::from_str(&std::fs::read_to_string(input)?)?;
        let n: usize = events.parse()?;
        let minutes: i64 = minutes.parse()?;
        let originals = std::mem::take(&mut r.timeline);
        let start = originals
            .iter()
            .map(|t| t.event.timing.earliest())
            .min()
            .ok_or("the report has no timeline")?;
        let span_us = minutes * 60 * 1_000_000;
        for i in 0..n {
            let mut t = originals[i % originals.len()].clone();
            let at = start + span_us * i as i64 / n.max(1) as i64;
            t.event.timing = match t.event.timing {
                Timing::Instant { .. } => Timing::instant(at),
                Timing::Window { from_us, to_us } => Timing::window(at, at + (to_us - from_us)),
            };
            r.timeline.push(t);
        }
        r.timeline_total = n as u64;
        let t0 = Instant::now();
        let html = prior_report::render_html(&[prior_report::HtmlRun {
            report: &r,
            screenshots: Vec::new(),
            suppressed: Vec::new(),
        }])?;
        let took = t0.elapsed();
        std::fs::write(out, &html)?;
        println!(
            "events={n} minutes={minutes} bytes={} render_ms={:.1}",
            html.len(),
            took.as_secs_f64() * 1000.0
        );
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("big_html: failed: {e}");
            ExitCode::from(1)
        }
    }
}
