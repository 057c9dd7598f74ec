//! Shared pieces of the benchmarks: the test data and the measurements.

use std::time::Duration;

/// The docs' setup session example.
pub const SESSION: &str = include_str!("../../../spec/examples/provider-setup-session.json");

/// A list page of `n` setup sessions built from the docs' example (distinct IDs).
pub fn session_page(n: usize) -> Vec<u8> {
    let session: serde_json::Value = serde_json::from_str(SESSION).expect("the example is JSON");
    let items: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let mut item = session.clone();
            item["id"] = format!("pas_{i:020}").into();
            item
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "items": items,
        "pagination": {"has_more_before": false, "has_more_after": true}
    }))
    .expect("serializes")
}

/// The median of some durations.
pub fn median(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

/// The `p`-th percentile (0-100) of some durations.
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    if samples.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (samples.len() - 1) as f64).round() as usize;
    samples[rank.min(samples.len() - 1)]
}

/// The peak resident memory of this process, in KiB (Linux `VmHWM`).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}
