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
    status_kib("VmHWM:")
}

/// The resident memory of this process now, in KiB (Linux `VmRSS`).
pub fn rss_kib() -> Option<u64> {
    status_kib("VmRSS:")
}

/// A `kB` figure of `/proc/self/status`, by its field name (with the colon).
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The median of some figures (the upper one of an even count; 0 for none).
pub fn median_f64(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_percentiles_pick_by_rank() {
        assert_eq!(median_f64(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median_f64(&[]), 0.0);
        let mut samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&mut samples, 99.0), Duration::from_millis(99));
        assert_eq!(median(&mut samples), Duration::from_millis(51));
    }

    #[test]
    fn this_process_has_a_resident_size() {
        let now = rss_kib().expect("Linux reports VmRSS");
        assert!(now > 0 && now <= peak_rss_kib().expect("and VmHWM"));
    }
}
