//! Partner-write latency and cross-replica visibility, for `bench/run`: sends `count` real
//! `createCourse` mutations over HTTP with a partner key, one at a time, and times each from
//! sending to its acknowledgement. With `--watch`, it first asks a second replica (on the
//! same database) how many courses COVENTRY has, so that replica has the answer in its
//! response cache and the provider's edge list in its memo, then after the acknowledgement
//! polls it with the same query until the count has grown, and times that too: the replica
//! must learn of the write, and drop both, to answer it. (A point query for the new code
//! would not do: an unknown code's answer carries an error and is not cached, so the first
//! poll would read the committed row from the database whatever the replica knew.)
//!
//! ```text
//! cargo run --release --example pg_writes -- --url http://127.0.0.1:8000 --key "$KEY" \
//!     --count 200 [--watch http://127.0.0.1:8001] [--prefix bench]
//! ```
//!
//! Prints one line, `writes=N write_p50_ms=… write_p99_ms=…` and, with `--watch`,
//! `visible_p50_ms=… visible_p99_ms=…`. Exits non-zero on the first write that is refused or
//! a course that is not visible within 10 seconds.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const CREATE: &str = "mutation($i: CourseInput!) { createCourse(input: $i) { course { code } } }";
/// How long a write may take to show on the watched replica before the run fails.
const VISIBLE_WITHIN: Duration = Duration::from_secs(10);
/// The pause between two polls of the watched replica.
const POLL_EVERY: Duration = Duration::from_millis(1);

struct Args {
    url: String,
    key: String,
    count: usize,
    watch: Option<String>,
    prefix: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        url: String::new(),
        key: String::new(),
        count: 100,
        watch: None,
        prefix: "bench-write".to_owned(),
    };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let mut value = || given.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => args.url = value()?,
            "--key" => args.key = value()?,
            "--count" => {
                args.count = value()?
                    .parse()
                    .map_err(|error| format!("--count: {error}"))?
            }
            "--watch" => args.watch = Some(value()?),
            "--prefix" => args.prefix = value()?,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if args.url.is_empty() || args.key.is_empty() || args.count == 0 {
        return Err(
            "usage: pg_writes --url URL --key KEY [--count N] [--watch URL] [--prefix P]"
                .to_owned(),
        );
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("pg_writes: {message}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("pg_writes: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|error| error.to_string())?;
    // A fresh prefix per run, so a second run on the same store creates rather than collides.
    let run_id = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis());
    let mut writes = Vec::with_capacity(args.count);
    let mut visible = Vec::with_capacity(args.count);
    for n in 0..args.count {
        let code = format!("{}-{run_id}-{n}", args.prefix);
        let course = json!({ "code": code, "title": format!("Benchmark course {n}"), "provider": "COVENTRY",
            "level": "POSTGRADUATE", "subject": "benchmarking", "accreditedBy": ["CMI"] });
        let mut before = 0;
        if let Some(watch) = &args.watch {
            before = coventry_courses(&client, watch).await?;
        }
        let sent = Instant::now();
        let answer = post(
            &client,
            &args.url,
            Some(&args.key),
            json!({ "query": CREATE, "variables": { "i": course } }),
        )
        .await?;
        let acknowledged = Instant::now();
        if answer.get("errors").is_some() || answer["data"]["createCourse"].is_null() {
            return Err(format!("write {n} refused: {answer}"));
        }
        writes.push(acknowledged - sent);
        if let Some(watch) = &args.watch {
            loop {
                if coventry_courses(&client, watch).await? > before {
                    break;
                }
                if acknowledged.elapsed() > VISIBLE_WITHIN {
                    return Err(format!(
                        "{code} not visible on {watch} after {VISIBLE_WITHIN:?}"
                    ));
                }
                tokio::time::sleep(POLL_EVERY).await;
            }
            visible.push(acknowledged.elapsed());
        }
    }
    let mut line = format!(
        "writes={} write_p50_ms={:.2} write_p99_ms={:.2}",
        writes.len(),
        percentile_ms(&mut writes, 50),
        percentile_ms(&mut writes, 99)
    );
    if !visible.is_empty() {
        line.push_str(&format!(
            " visible_p50_ms={:.2} visible_p99_ms={:.2}",
            percentile_ms(&mut visible, 50),
            percentile_ms(&mut visible, 99)
        ));
    }
    Ok(line)
}

/// How many courses COVENTRY has, as the replica at `base` answers (anonymous, so through
/// its response cache).
async fn coventry_courses(client: &reqwest::Client, base: &str) -> Result<u64, String> {
    let query = json!({ "query": r#"{ courses(provider: "COVENTRY", first: 1) { totalCount } }"# });
    let answer = post(client, base, None, query).await?;
    answer["data"]["courses"]["totalCount"]
        .as_u64()
        .ok_or(format!("{base}: no course count in {answer}"))
}

async fn post(
    client: &reqwest::Client,
    base: &str,
    key: Option<&str>,
    body: Value,
) -> Result<Value, String> {
    let mut request = client
        .post(format!("{}/graphql", base.trim_end_matches('/')))
        .header("accept", "application/json")
        .json(&body);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request
        .send()
        .await
        .map_err(|error| format!("{base}: {error}"))?;
    response
        .json()
        .await
        .map_err(|error| format!("{base}: not JSON: {error}"))
}

/// The `p`th percentile (nearest rank) of `samples`, in milliseconds.
fn percentile_ms(samples: &mut [Duration], p: usize) -> f64 {
    samples.sort();
    let rank = (samples.len() * p).div_ceil(100).max(1) - 1;
    samples[rank].as_secs_f64() * 1e3
}
