//! What every Sklad benchmark shares (a dev-dependency only): the machine a run was on,
//! sizes taken from the environment, and latency percentiles. Figures are printed, never
//! asserted: the machines are shared and noisy.

use std::time::Duration;

/// A size from the environment variable `name`, or `default` when it is unset or not a
/// number (a quick look runs smaller).
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The machine a benchmark ran on: CPUs and their model.
pub fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    format!("{cpus} CPUs, {model}")
}

/// CPU time spent so far by this process (all its threads) and by the PostgreSQL
/// server's processes on this machine, from Linux's `/proc/<pid>/schedstat`
/// (nanoseconds). `None` where `/proc` does not say.
#[derive(Debug, Clone, Copy)]
pub struct CpuTime {
    pub bench: Duration,
    pub postgres: Duration,
}

impl CpuTime {
    pub fn now() -> Option<CpuTime> {
        let bench = tasks_cpu("/proc/self/task")?;
        let mut postgres = Duration::ZERO;
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let path = entry.path();
            let is_postgres = std::fs::read_to_string(path.join("comm"))
                .is_ok_and(|comm| comm.trim_end() == "postgres");
            if is_postgres {
                postgres += schedstat_cpu(&path.join("schedstat")).unwrap_or_default();
            }
        }
        Some(CpuTime { bench, postgres })
    }

    /// The CPU time spent between `earlier` and this one.
    pub fn since(self, earlier: CpuTime) -> CpuTime {
        CpuTime {
            bench: self.bench.saturating_sub(earlier.bench),
            postgres: self.postgres.saturating_sub(earlier.postgres),
        }
    }
}

/// The sum of the CPU time of the threads under `dir` (`/proc/<pid>/task`).
fn tasks_cpu(dir: &str) -> Option<Duration> {
    let mut total = Duration::ZERO;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        total += schedstat_cpu(&entry.path().join("schedstat"))?;
    }
    Some(total)
}

/// The first field of a `schedstat` file: nanoseconds spent on a CPU.
fn schedstat_cpu(path: &std::path::Path) -> Option<Duration> {
    let text = std::fs::read_to_string(path).ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// The `p` quantile (0–1) of sorted durations; zero for none.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// A duration in milliseconds with two decimals: `1.25 ms`.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_nearest_rank() {
        let sorted: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&sorted, 0.5), Duration::from_millis(51));
        assert_eq!(percentile(&sorted, 0.99), Duration::from_millis(99));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
        assert_eq!(ms(Duration::from_micros(1250)), "1.25 ms");
        assert_eq!(env_usize("SKLAD_BENCH_NO_SUCH_SIZE", 7), 7);
        assert!(machine().contains("CPUs"));
    }

    #[test]
    fn cpu_time_grows_with_work_done() {
        let Some(before) = CpuTime::now() else {
            return; // no /proc/<pid>/schedstat here
        };
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        let spent = CpuTime::now().expect("still readable").since(before);
        assert!(spent.bench > Duration::ZERO, "{x}");
    }
}
