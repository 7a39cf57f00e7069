//! Timing built for a noisy, shared machine: warm up, calibrate a sample length, then take
//! many samples alternating the two sides (so drift and neighbours hit both alike) and keep
//! the median of each.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// How much time a comparison may spend, and how it is cut into samples.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Warm-up time per comparison, both sides together.
    pub warmup: Duration,
    /// Measuring time per comparison, both sides together (the sample count is derived
    /// from it, within `min_samples..=max_samples`).
    pub measure: Duration,
    /// Shortest wanted sample: a sample repeats the workload until it lasts this long.
    pub sample: Duration,
    /// Fewest samples per side, whatever `measure` says.
    pub min_samples: usize,
    /// Most samples per side.
    pub max_samples: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            warmup: Duration::from_millis(400),
            measure: Duration::from_secs(6),
            sample: Duration::from_millis(4),
            min_samples: 21,
            max_samples: 1001,
        }
    }
}

impl Budget {
    /// The default budget, with the measuring time per comparison taken from the
    /// environment variable `NAGREL_BENCH_SECS` (seconds, fractions allowed) when set.
    pub fn from_env() -> Self {
        let mut budget = Budget::default();
        if let Some(secs) = std::env::var("NAGREL_BENCH_SECS")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
        {
            budget.measure = Duration::from_secs_f64(secs);
        }
        budget
    }
}

/// The timing of one side: nanoseconds per whole workload.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// Median over the samples.
    pub median_ns: f64,
    /// First quartile.
    pub q1_ns: f64,
    /// Third quartile.
    pub q3_ns: f64,
    /// Fastest sample: what the code does when nothing interferes.
    pub min_ns: f64,
}

/// The result of [`compare`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// Our side.
    pub ours: Timing,
    /// The peer's side.
    pub peer: Timing,
    /// Median of the per-sample-pair ratios ours/peer: a second, drift-robust estimate.
    pub paired_ratio: f64,
    /// Samples taken per side.
    pub samples: usize,
    /// Workload runs per sample.
    pub iters: u64,
}

impl Comparison {
    /// ours / peer, from the medians.
    pub fn ratio(&self) -> f64 {
        self.ours.median_ns / self.peer.median_ns
    }
}

/// What a sample measured: mean nanoseconds per run, and per run of the whole sample
/// including anything untimed (which is what the budget is spent on).
#[derive(Debug, Clone, Copy)]
struct Sample {
    timed_ns: f64,
    wall_ns: f64,
}

/// Runs `f` `iters` times and returns the mean nanoseconds per run.
#[inline(never)]
fn sample<R>(f: &mut impl FnMut() -> R, iters: u64) -> Sample {
    let start = Instant::now();
    for _ in 0..iters {
        black_box(f());
    }
    let ns = start.elapsed().as_nanos() as f64 / iters as f64;
    Sample {
        timed_ns: ns,
        wall_ns: ns,
    }
}

/// Runs `setup` then `f`, `iters` times, and returns the mean nanoseconds per run of `f`
/// alone (each run timed on its own, so the clock's own cost is in every run).
#[inline(never)]
fn sample_after<R>(setup: &mut impl FnMut(), f: &mut impl FnMut() -> R, iters: u64) -> Sample {
    let wall = Instant::now();
    let mut timed = Duration::ZERO;
    for _ in 0..iters {
        setup();
        let start = Instant::now();
        black_box(f());
        timed += start.elapsed();
    }
    Sample {
        timed_ns: timed.as_nanos() as f64 / iters as f64,
        wall_ns: wall.elapsed().as_nanos() as f64 / iters as f64,
    }
}

/// Times `ours` against `peer`, each one call = one whole workload.
///
/// Warm-up runs both alternately for [`Budget::warmup`]; the fastest warm-up run sets how
/// many workloads make a sample of at least [`Budget::sample`] (the same count for both
/// sides). Samples then alternate ours/peer, swapping which goes first every pair.
pub fn compare<A, B>(budget: &Budget, mut ours: A, mut peer: B) -> Comparison
where
    A: FnMut() -> crate::Tally,
    B: FnMut() -> crate::Tally,
{
    compare_samplers(
        budget,
        |iters| sample(&mut ours, iters),
        |iters| sample(&mut peer, iters),
    )
}

/// Like [`compare`], with an untimed setup before every run of each side: for workloads
/// that must be put back in place before each run, such as a receive buffer the decoder
/// consumes, when that refill would swamp what is measured.
pub fn compare_after<SA, A, SB, B>(
    budget: &Budget,
    (mut setup_ours, mut ours): (SA, A),
    (mut setup_peer, mut peer): (SB, B),
) -> Comparison
where
    SA: FnMut(),
    A: FnMut() -> crate::Tally,
    SB: FnMut(),
    B: FnMut() -> crate::Tally,
{
    compare_samplers(
        budget,
        |iters| sample_after(&mut setup_ours, &mut ours, iters),
        |iters| sample_after(&mut setup_peer, &mut peer, iters),
    )
}

/// The comparison itself, over two functions that each time `iters` runs of one side.
fn compare_samplers(
    budget: &Budget,
    mut ours: impl FnMut(u64) -> Sample,
    mut peer: impl FnMut(u64) -> Sample,
) -> Comparison {
    // The sample length and count are set from wall time, so untimed setup counts
    // against the budget too.
    let start = Instant::now();
    let (mut best_ours, mut best_peer) = (f64::MAX, f64::MAX);
    let mut rounds = 0;
    while rounds < 3 || start.elapsed() < budget.warmup {
        best_ours = best_ours.min(ours(1).wall_ns);
        best_peer = best_peer.min(peer(1).wall_ns);
        rounds += 1;
    }
    let fastest = best_ours.min(best_peer).max(1.0);
    let iters = (budget.sample.as_nanos() as f64 / fastest).ceil().max(1.0) as u64;
    let pair_ns = (best_ours + best_peer) * iters as f64;
    let samples = ((budget.measure.as_nanos() as f64 / pair_ns) as usize)
        .clamp(budget.min_samples, budget.max_samples);

    let mut o = Vec::with_capacity(samples);
    let mut p = Vec::with_capacity(samples);
    for i in 0..samples {
        if i % 2 == 0 {
            o.push(ours(iters).timed_ns);
            p.push(peer(iters).timed_ns);
        } else {
            p.push(peer(iters).timed_ns);
            o.push(ours(iters).timed_ns);
        }
    }
    let mut ratios: Vec<f64> = o.iter().zip(&p).map(|(a, b)| a / b).collect();
    Comparison {
        ours: timing(&mut o),
        peer: timing(&mut p),
        paired_ratio: quantile(&mut ratios, 0.5),
        samples,
        iters,
    }
}

fn timing(v: &mut [f64]) -> Timing {
    Timing {
        median_ns: quantile(v, 0.5),
        q1_ns: quantile(v, 0.25),
        q3_ns: quantile(v, 0.75),
        min_ns: quantile(v, 0.0),
    }
}

/// The `q` quantile of `v` (sorts `v`), by linear interpolation.
pub fn quantile(v: &mut [f64], q: f64) -> f64 {
    assert!(!v.is_empty(), "quantile of nothing");
    v.sort_by(f64::total_cmp);
    let at = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (at - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles() {
        let mut v = vec![5.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(quantile(&mut v, 0.5), 3.0);
        assert_eq!(quantile(&mut v, 0.25), 2.0);
        assert_eq!(quantile(&mut [1.0, 2.0], 0.5), 1.5);
    }

    /// A budget that measures in milliseconds, for tests.
    fn tiny_budget() -> Budget {
        Budget {
            warmup: Duration::from_millis(1),
            measure: Duration::from_millis(5),
            sample: Duration::from_micros(50),
            min_samples: 3,
            max_samples: 5,
        }
    }

    #[test]
    fn compares_quickly_with_a_tiny_budget() {
        let budget = tiny_budget();
        let c = compare(&budget, crate::Tally::default, crate::Tally::default);
        assert!((3..=5).contains(&c.samples));
        assert!(c.ours.median_ns >= 0.0 && c.peer.median_ns >= 0.0);
    }

    #[test]
    fn setup_runs_before_every_timed_run() {
        let budget = tiny_budget();
        // Each side's setup arms it; a run that finds it unarmed panics.
        let armed = std::cell::Cell::new([false, false]);
        let arm = |i: usize| {
            let mut a = armed.get();
            a[i] = true;
            armed.set(a);
        };
        let fire = |i: usize| {
            let mut a = armed.get();
            assert!(a[i], "a run without its setup");
            a[i] = false;
            armed.set(a);
            crate::Tally::default()
        };
        let c = compare_after(&budget, (|| arm(0), || fire(0)), (|| arm(1), || fire(1)));
        assert!((3..=5).contains(&c.samples));
    }
}
