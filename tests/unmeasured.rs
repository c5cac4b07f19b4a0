//! What the page does to show a run is not the program's memory. One test in this file, so that
//! no other test allocates at the same time in this process.

use std::hint::black_box;

use worker_pool_playground::metrics::alloc::{heap, reset_peak, unmeasured};

#[test]
fn unmeasured_allocations_leave_totals_and_peaks_alone() {
    const MB: u64 = 1 << 20;
    reset_peak();
    let before = heap();
    let kept = unmeasured(|| {
        let shown = black_box(vec![1u8; MB as usize]); // a snapshot, converted and dropped
        let kept = black_box(vec![2u8; 1000]);
        drop(shown);
        kept
    });
    let after = heap();
    assert!(
        after.total_bytes - before.total_bytes < MB / 2,
        "{before:?} → {after:?}"
    );
    assert!(
        after.peak_bytes < before.live_bytes + MB / 2,
        "{before:?} → {after:?}"
    );
    // Live bytes still follow them: freeing what was kept outside balances (no wrap below 0).
    drop(kept);
    assert!(heap().live_bytes < u64::MAX / 2);
    // Outside, allocations count again.
    let l0 = heap().live_bytes;
    let v = black_box(vec![3u8; MB as usize]);
    assert!(heap().peak_bytes >= l0 + MB);
    assert!(heap().total_bytes - after.total_bytes >= MB);
    drop(v);
}
