//! What a comparison reports, and the `RESULT` line the runner prints for it.

use std::fmt;

use crate::measure::Comparison;

/// One measured comparison of a suite.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    /// The case, as printed in `case=`.
    pub case: &'static str,
    /// The peer implementation, as printed in `peer=`.
    pub peer: &'static str,
    /// The timings.
    pub comparison: Comparison,
}

impl Outcome {
    /// The line the runner prints on stdout:
    /// `RESULT suite=<suite> case=<case> ours_ns=<n> peer=<peer> peer_ns=<n> ratio=<r>`.
    pub fn result_line(&self, suite: &str) -> String {
        let c = &self.comparison;
        format!(
            "RESULT suite={suite} case={} ours_ns={:.0} peer={} peer_ns={:.0} ratio={:.3}",
            self.case,
            c.ours.median_ns,
            self.peer,
            c.peer.median_ns,
            c.ratio()
        )
    }
}

impl fmt::Display for Outcome {
    /// The human summary the runner prints on stderr: medians with quartiles, the
    /// median of paired ratios and the ratio of the fastest samples.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.comparison;
        write!(
            f,
            "{}: ours {:.1} us [IQR {:.1}..{:.1}], {} {:.1} us [IQR {:.1}..{:.1}], \
             ratio {:.3} (paired {:.3}, of minima {:.3}), {} samples x {} runs",
            self.case,
            c.ours.median_ns / 1e3,
            c.ours.q1_ns / 1e3,
            c.ours.q3_ns / 1e3,
            self.peer,
            c.peer.median_ns / 1e3,
            c.peer.q1_ns / 1e3,
            c.peer.q3_ns / 1e3,
            c.ratio(),
            c.paired_ratio,
            c.ours.min_ns / c.peer.min_ns,
            c.samples,
            c.iters
        )
    }
}
