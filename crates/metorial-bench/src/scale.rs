//! Scale: how the emulator's list latency and memory grow with the sessions it stores (1,000
//! to 1,000,000; 100,000 when quick), and how its throughput grows with connections (1 to 64,
//! at 100,000 sessions). Writes `scale.json`, `scale.md`, `scale-sessions.svg` and
//! `scale-connections.svg` into the output directory, and prints the summary's `scale_*`
//! figures.
//!
//! The emulator runs in this process, so the resident memory (`VmRSS`) is the emulator's
//! plus the load generator's (and the list of seeded IDs the harness keeps, about 56 bytes a
//! session). Sessions are created through the API, 32 at a time, as an application would;
//! the time it takes is reported (`scale_seed_s_*`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use metorial_bench::{median, percentile, rss_kib};
use metorial_emulator::Emulator;
use serde_json::{Map, Value, json};

use crate::emulator::seed_with;
use crate::plot::{self, Panel, Series};
use crate::traffic::{self, Target};

/// The stored-session counts measured.
const SESSIONS: [usize; 4] = [1_000, 10_000, 100_000, 1_000_000];

/// The largest count measured when quick.
const QUICK_MAX_SESSIONS: usize = 100_000;

/// The connection counts measured, and those measured when quick.
const CONNECTIONS: [usize; 7] = [1, 2, 4, 8, 16, 32, 64];
/// See [`CONNECTIONS`].
const QUICK_CONNECTIONS: [usize; 4] = [1, 4, 16, 64];

/// The stored sessions at which throughput is measured.
const THROUGHPUT_AT: usize = 100_000;

/// Concurrent creations while seeding.
const SEED_CONCURRENCY: usize = 32;

/// The connections of the list latency measurement (as `emulator_list_p99_ms`).
const LATENCY_CONNECTIONS: usize = 8;

/// The figures at one stored-session count.
struct AtSessions {
    /// Sessions stored.
    sessions: usize,
    /// Seconds spent seeding from zero up to here.
    seed_s: f64,
    /// List latency (limit 100, filtered), median.
    list_median: Duration,
    /// List latency, 99th percentile.
    list_p99: Duration,
    /// The process's resident memory, in MiB.
    rss_mib: f64,
}

/// The figures at one connection count.
struct AtConnections {
    /// Concurrent connections (and tasks).
    connections: usize,
    /// GETs by ID per second.
    get_rps: f64,
    /// Lists of 20 per second.
    list_rps: f64,
}

/// Everything one scale run measured.
struct Scale {
    /// Whether it was a quick run.
    quick: bool,
    /// The resident memory of the process with an empty emulator, in MiB.
    rss_mib_empty: f64,
    /// By stored sessions, ascending.
    sessions: Vec<AtSessions>,
    /// By connections, ascending (at [`THROUGHPUT_AT`] sessions).
    connections: Vec<AtConnections>,
}

/// `scale [--quick] --out DIR`: measures, writes the files into `DIR`, returns the summary's
/// figures.
pub async fn run(args: &[String]) -> Value {
    let quick = args.iter().any(|a| a == "--quick");
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .expect("usage: metorial-bench scale [--quick] --out DIR");
    let scale = measure(quick).await;
    write_files(&scale, &out).expect("the scale files are written");
    Value::Object(summary(&scale))
}

/// Seeds up to each session count in turn and measures there (and throughput at
/// [`THROUGHPUT_AT`]).
async fn measure(quick: bool) -> Scale {
    let emulator = Emulator::builder()
        // Nothing may expire during a long run: an expired session leaves the filtered lists.
        .session_lifetime(Duration::from_secs(7 * 24 * 3600))
        .spawn()
        .await
        .expect("the emulator starts");
    let target = Target::new(emulator.base_url(), emulator.api_key(), LATENCY_CONNECTIONS);
    let mut scale = Scale {
        quick,
        rss_mib_empty: rss_mib(),
        sessions: Vec::new(),
        connections: Vec::new(),
    };
    let (mut ids, mut seed_s) = (Vec::new(), 0.0);
    let counts = SESSIONS
        .iter()
        .filter(|&&n| !quick || n <= QUICK_MAX_SESSIONS);
    for &sessions in counts {
        let started = Instant::now();
        let more = sessions - ids.len();
        ids.extend(seed_with(&target.base, emulator.api_key(), more, SEED_CONCURRENCY).await);
        ids.sort();
        seed_s += started.elapsed().as_secs_f64();
        eprintln!("scale: {sessions} sessions stored ({seed_s:.1} s seeding so far)");
        scale
            .sessions
            .push(at_sessions(&target, &ids, seed_s, quick).await);
        if sessions == THROUGHPUT_AT {
            scale.connections = by_connections(&target, &ids, quick).await;
        }
    }
    emulator.shutdown().await.expect("the emulator stops");
    scale
}

/// The process's resident memory now, in MiB.
fn rss_mib() -> f64 {
    rss_kib().unwrap_or(0) as f64 / 1024.0
}

/// List latency (limit 100, filtered, 8 connections) and memory with `ids` stored.
async fn at_sessions(target: &Target, ids: &[String], seed_s: f64, quick: bool) -> AtSessions {
    let requests = if quick { 400 } else { 2_000 };
    let paths = traffic::list_paths(ids, 100, requests);
    let mut samples = traffic::latencies(target, &paths, LATENCY_CONNECTIONS).await;
    AtSessions {
        sessions: ids.len(),
        seed_s,
        list_median: median(&mut samples),
        list_p99: percentile(&mut samples, 99.0),
        rss_mib: rss_mib(),
    }
}

/// GETs by ID and lists of 20 per second at each connection count.
async fn by_connections(target: &Target, ids: &[String], quick: bool) -> Vec<AtConnections> {
    let window = Duration::from_secs(if quick { 1 } else { 3 });
    let gets: Arc<[String]> = traffic::get_paths(ids, 2_000).into();
    let lists: Arc<[String]> = traffic::list_paths(ids, 20, 2_000).into();
    let counts: &[usize] = if quick {
        &QUICK_CONNECTIONS
    } else {
        &CONNECTIONS
    };
    let mut points = Vec::new();
    for &connections in counts {
        let client = target.with_connections(connections);
        points.push(AtConnections {
            connections,
            get_rps: traffic::rps(&client, &gets, connections, window).await,
            list_rps: traffic::rps(&client, &lists, connections, window).await,
        });
    }
    points
}

/// The summary's `scale_*` figures: per session count, the list median and p99, the memory
/// and the seeding time; per connection count, both rates.
fn summary(scale: &Scale) -> Map<String, Value> {
    let mut figures = Map::new();
    figures.insert("scale_rss_mib_empty".into(), json!(scale.rss_mib_empty));
    for at in &scale.sessions {
        let n = at.sessions;
        let ms = |d: Duration| json!(d.as_secs_f64() * 1e3);
        figures.insert(format!("scale_list_median_ms_{n}"), ms(at.list_median));
        figures.insert(format!("scale_list_p99_ms_{n}"), ms(at.list_p99));
        figures.insert(format!("scale_rss_mib_{n}"), json!(at.rss_mib));
        figures.insert(format!("scale_seed_s_{n}"), json!(at.seed_s));
    }
    for at in &scale.connections {
        let c = at.connections;
        figures.insert(format!("scale_get_rps_{c}"), json!(at.get_rps));
        figures.insert(format!("scale_list_rps_{c}"), json!(at.list_rps));
    }
    figures
}

/// Writes `scale.json`, `scale.md` and the two charts into `dir` (created if missing).
fn write_files(scale: &Scale, dir: &Path) -> Result<(), plot::PlotError> {
    std::fs::create_dir_all(dir)?;
    let json = serde_json::to_string_pretty(&as_json(scale))?;
    std::fs::write(dir.join("scale.json"), json + "\n")?;
    std::fs::write(dir.join("scale.md"), markdown(scale))?;
    plot::write_svg(&dir.join("scale-sessions.svg"), &sessions_panels(scale))?;
    plot::write_svg(
        &dir.join("scale-connections.svg"),
        &[connections_panel(scale)],
    )?;
    Ok(())
}

/// `scale.json`: every measured point.
fn as_json(scale: &Scale) -> Value {
    let sessions: Vec<Value> = scale
        .sessions
        .iter()
        .map(|at| {
            json!({
                "sessions": at.sessions,
                "seed_s": at.seed_s,
                "list_median_ms": at.list_median.as_secs_f64() * 1e3,
                "list_p99_ms": at.list_p99.as_secs_f64() * 1e3,
                "rss_mib": at.rss_mib,
            })
        })
        .collect();
    let connections: Vec<Value> = scale
        .connections
        .iter()
        .map(|at| json!({"connections": at.connections, "get_rps": at.get_rps, "list_20_rps": at.list_rps}))
        .collect();
    json!({
        "quick": scale.quick,
        "throughput_at_sessions": THROUGHPUT_AT,
        "rss_mib_empty": scale.rss_mib_empty,
        "sessions": sessions,
        "connections": connections,
    })
}

/// `scale.md`: both tables.
fn markdown(scale: &Scale) -> String {
    let mut out = String::from(
        "<!-- Written by `cargo xtask bench`; do not edit. -->\n\n\
         | stored sessions | list median (ms) | list p99 (ms) | resident memory (MiB) | seeding so far (s) |\n\
         | ---: | ---: | ---: | ---: | ---: |\n",
    );
    out.push_str(&format!("| 0 | - | - | {:.0} | - |\n", scale.rss_mib_empty));
    for at in &scale.sessions {
        out.push_str(&format!(
            "| {} | {:.2} | {:.2} | {:.0} | {:.1} |\n",
            thousands(at.sessions),
            at.list_median.as_secs_f64() * 1e3,
            at.list_p99.as_secs_f64() * 1e3,
            at.rss_mib,
            at.seed_s,
        ));
    }
    out.push_str(&format!(
        "\nAt {} stored sessions:\n\n\
         | connections | GET by ID (requests/s) | list of 20 (requests/s) |\n\
         | ---: | ---: | ---: |\n",
        thousands(THROUGHPUT_AT)
    ));
    for at in &scale.connections {
        out.push_str(&format!(
            "| {} | {:.0} | {:.0} |\n",
            at.connections, at.get_rps, at.list_rps
        ));
    }
    out
}

/// `1000000` as `1,000,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// The sessions chart: list latency, and resident memory, against stored sessions.
fn sessions_panels(scale: &Scale) -> [Panel; 2] {
    let line = |name: &str, y: &dyn Fn(&AtSessions) -> f64| Series {
        name: name.to_owned(),
        points: scale
            .sessions
            .iter()
            .map(|at| (at.sessions as f64, y(at)))
            .collect(),
    };
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    [
        Panel {
            title: "List of 100 (filtered), 8 connections".into(),
            x_label: "stored sessions".into(),
            x_log_base: 10.0,
            y_label: "latency (ms)".into(),
            series: vec![
                line("median", &|at| ms(at.list_median)),
                line("p99", &|at| ms(at.list_p99)),
            ],
        },
        Panel {
            title: "Resident memory (emulator and load generator)".into(),
            x_label: "stored sessions".into(),
            x_log_base: 10.0,
            y_label: "VmRSS (MiB)".into(),
            series: vec![line("resident memory", &|at| at.rss_mib)],
        },
    ]
}

/// The connections chart: both rates against connections.
fn connections_panel(scale: &Scale) -> Panel {
    let line = |name: &str, y: &dyn Fn(&AtConnections) -> f64| Series {
        name: name.to_owned(),
        points: scale
            .connections
            .iter()
            .map(|at| (at.connections as f64, y(at)))
            .collect(),
    };
    Panel {
        title: format!("Throughput at {} stored sessions", thousands(THROUGHPUT_AT)),
        x_label: "connections".into(),
        x_log_base: 2.0,
        y_label: "requests/s".into(),
        series: vec![
            line("GET by ID", &|at| at.get_rps),
            line("list of 20 (filtered)", &|at| at.list_rps),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(100), "100");
        assert_eq!(thousands(1_000), "1,000");
    }
}
