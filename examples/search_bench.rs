//! Search benchmark: loads a seed into a fresh store, builds the search index (timed), then
//! runs every question of `bench/search-questions.txt` many times and reports the latency of
//! `SearchIndex::search` for a first page of 5 hits (p50, p99) and the index's size. Run by `bench/run`; by hand:
//!
//! ```sh
//! cargo run --release --example search_bench -- [SEED_DIR] [ROUNDS]
//! ```

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

    let data_dir = tempfile_dir()?;
    let store = Store::open(&data_dir)?;
    let seed = nhs_leadership_graph::seed::load(&seed_dir)?;
    store.replace_seed(&seed.dataset, seed.hash)?;

    let started = Instant::now();
    let index = SearchIndex::build(&store)?;
    let build_ms = started.elapsed().as_secs_f64() * 1e3;

    let mut latencies_us = Vec::with_capacity(rounds * questions.len());
    for _ in 0..rounds {
        for question in &questions {
            let started = Instant::now();
            let hits = index.search(question, None, 0..5)?;
            latencies_us.push(started.elapsed().as_secs_f64() * 1e6);
            std::hint::black_box(hits);
        }
    }
    latencies_us.sort_by(f64::total_cmp);
    let percentile = |p: f64| latencies_us[((latencies_us.len() - 1) as f64 * p).round() as usize];
    println!(
        "search_bench documents={} build_ms={build_ms:.0} index_bytes={} queries={} p50_us={:.0} p99_us={:.0}",
        index.len(),
        index.size_bytes(),
        latencies_us.len(),
        percentile(0.50),
        percentile(0.99)
    );
    std::fs::remove_dir_all(&data_dir)?;
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let directory =
        std::env::temp_dir().join(format!("nhs-graph-search-bench-{}", std::process::id()));
    std::fs::create_dir_all(&directory)?;
    Ok(directory)
}
