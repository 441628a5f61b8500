//! Evidence pointers into `harness.jsonl`: record `seq` → line number and text.

use super::{SmallFileError, evidence_text, read_small};
use prior_model::Evidence;
use prior_model::bundle::{Bundle, HARNESS_FILE};
use std::collections::BTreeMap;

/// Line number and text of each harness record, by `seq`.
#[derive(Debug, Default)]
pub(crate) struct HarnessLines {
    by_seq: BTreeMap<u64, (u64, String)>,
}

#[derive(serde::Deserialize)]
struct SeqOnly {
    seq: u64,
}

impl HarnessLines {
    /// Reads `harness.jsonl` again to locate each record (the bundle keeps only the parsed
    /// records). A missing or oversized file gives an empty map: evidence then points at
    /// `seq` as the line, which is right for every file Prior writes.
    pub fn read(bundle: &Bundle) -> Result<HarnessLines, crate::AnalyzeError> {
        let bytes = match read_small(bundle, HARNESS_FILE) {
            Ok(Some(b)) => b,
            Ok(None) | Err(SmallFileError::Skipped(_)) => return Ok(HarnessLines::default()),
            Err(SmallFileError::Read(e)) => return Err(e),
        };
        let mut by_seq = BTreeMap::new();
        for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
            if let Ok(s) = serde_json::from_slice::<SeqOnly>(line) {
                by_seq
                    .entry(s.seq)
                    .or_insert((i as u64 + 1, evidence_text(line)));
            }
        }
        Ok(HarnessLines { by_seq })
    }

    /// Evidence for the record with this `seq`.
    pub fn evidence(&self, seq: u64) -> Evidence {
        match self.by_seq.get(&seq) {
            Some((line, text)) => Evidence {
                file: HARNESS_FILE.to_string(),
                line: *line,
                text: text.clone(),
            },
            None => Evidence {
                file: HARNESS_FILE.to_string(),
                line: seq,
                text: format!("(harness record seq {seq})"),
            },
        }
    }
}
