use nagrel_bench::core::*;
fn main() {
    let which = std::env::args().nth(1).unwrap();
    let inputs = blob_inputs();
    for _ in 0..20 {
        let t = if which == "ours" { blob_ours(&inputs.ours, usize::MAX) } else { blob_peer(&inputs.peer, usize::MAX) };
        std::hint::black_box(t);
    }
}
