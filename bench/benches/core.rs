//! Criterion benches of the `core` suite: one group per case, `ours` and `peer` in each,
//! over the same workloads as the runner (`nagrel_bench::core`).

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use nagrel_bench::core::{
    blob_inputs, blob_ours, blob_peer, chain_input, chain_ours, chain_peer, check_blob,
    check_chain, check_lines, lines_input, lines_ours, lines_peer, PIECE,
};
use nagrel_bench::{Tally, WHOLE};

fn pair(
    c: &mut Criterion,
    case: &str,
    bytes: usize,
    slow: bool,
    mut ours: impl FnMut() -> Tally,
    mut peer: impl FnMut() -> Tally,
) {
    let mut group: BenchmarkGroup<'_, _> = c.benchmark_group(case);
    group.throughput(Throughput::Bytes(bytes as u64));
    if slow {
        group
            .sample_size(20)
            .measurement_time(Duration::from_secs(8));
    }
    group.bench_function("ours", |b| b.iter(&mut ours));
    group.bench_function("peer", |b| b.iter(&mut peer));
    group.finish();
}

fn lines(c: &mut Criterion) {
    let input = lines_input();
    for (case, piece) in [("lines_whole", WHOLE), ("lines_64", PIECE), ("lines_1", 1)] {
        check_lines(&input, piece);
        pair(
            c,
            case,
            input.len(),
            piece == 1,
            || lines_ours(&input, piece),
            || lines_peer(&input, piece),
        );
    }
}

fn blob(c: &mut Criterion) {
    let inputs = blob_inputs();
    check_blob(&inputs, WHOLE);
    pair(
        c,
        "blob",
        inputs.expected.bytes,
        false,
        || blob_ours(&inputs.ours, WHOLE),
        || blob_peer(&inputs.peer, WHOLE),
    );
}

fn chain(c: &mut Criterion) {
    let (input, expected) = chain_input();
    for (case, piece) in [("chain", WHOLE), ("chain_64", PIECE)] {
        check_chain(&input, expected, piece);
        pair(
            c,
            case,
            input.len(),
            false,
            || chain_ours(&input, piece),
            || chain_peer(&input, piece),
        );
    }
}

criterion_group!(benches, lines, blob, chain);
criterion_main!(benches);
