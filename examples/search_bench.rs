//! Search benchmark: loads a seed into a fresh store, builds the search index (timed), then
//! runs every question of `bench/search-questions.txt` many times and reports the latency of
//! `SearchIndex::search` for a first page of 5 hits (p50, p95, p99) and the index's size. Run
//! by `bench/run`; by hand:
//!
//! ```sh
//! cargo run --release --example search_bench -- [SEED_DIR] [ROUNDS]
//! ```
//!
//! Two environment variables help when working on search itself: `SEARCH_BENCH_STORE=DIR`
//! searches the store already seeded in `DIR` (a server's `--data-dir`) instead of seeding a
//! fresh one (seeding 100× data takes most of a run), and `SEARCH_BENCH_EACH=1` also prints
//! each question's median latency and total, slowest first.

use std::path::PathBuf;
use std::time::Instant;

use nhs_leadership_graph::search::SearchIndex;
use nhs_leadership_graph::store::Store;

fn main() -> anyhow::Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut args = std::env::args().skip(1);
    let seed_dir = args.next().map_or_else(|| root.join("seed"), PathBuf::from);
    let rounds: usize = args.next().map_or(Ok(20), |n| n.parse())?;
    let questions: Vec<String> = std::fs::read_to_string(root.join("bench/search-questions.txt"))?
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect();

    let seeded = std::env::var_os("SEARCH_BENCH_STORE").map(PathBuf::from);
    let (store, scratch) = match &seeded {
        Some(directory) => (Store::open(directory)?, None),
        None => {
            let scratch = tempfile_dir()?;
            let store = Store::open(&scratch)?;
            let seed = nhs_leadership_graph::seed::load(&seed_dir)?;
            store.replace_seed(&seed.dataset, seed.hash)?;
            (store, Some(scratch))
        }
    };

    let started = Instant::now();
    let index = SearchIndex::build(&store)?;
    let build_ms = started.elapsed().as_secs_f64() * 1e3;

    let mut latencies_us = Vec::with_capacity(rounds * questions.len());
    let mut each: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); questions.len()];
    let mut totals = vec![0; questions.len()];
    for _ in 0..rounds {
        for (at, question) in questions.iter().enumerate() {
            let started = Instant::now();
            let results = index.search(question, None, 0..5)?;
            let elapsed = started.elapsed().as_secs_f64() * 1e6;
            latencies_us.push(elapsed);
            each[at].push(elapsed);
            totals[at] = results.total;
            std::hint::black_box(results);
        }
    }
    latencies_us.sort_by(f64::total_cmp);
    let percentile = |p: f64| latencies_us[((latencies_us.len() - 1) as f64 * p).round() as usize];
    if std::env::var_os("SEARCH_BENCH_EACH").is_some() {
        let mut medians: Vec<(f64, usize)> = each
            .iter_mut()
            .enumerate()
            .map(|(at, times)| {
                times.sort_by(f64::total_cmp);
                (times[times.len() / 2], at)
            })
            .collect();
        medians.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (median, at) in medians {
            println!(
                "{median:>8.0} us  total={:<7} {}",
                totals[at], questions[at]
            );
        }
    }
    println!(
        "search_bench documents={} build_ms={build_ms:.0} index_bytes={} queries={} p50_us={:.0} p95_us={:.0} p99_us={:.0}",
        index.len(),
        index.size_bytes(),
        latencies_us.len(),
        percentile(0.50),
        percentile(0.95),
        percentile(0.99)
    );
    if let Some(scratch) = scratch {
        drop(store);
        std::fs::remove_dir_all(&scratch)?;
    }
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let directory =
        std::env::temp_dir().join(format!("nhs-graph-search-bench-{}", std::process::id()));
    std::fs::create_dir_all(&directory)?;
    Ok(directory)
}
