//! Hashing stage on its own: 10,000 files of 4 KiB with 1 thread and with every core.
//! `cargo bench --bench hash` prints the figures; under `cargo test` it runs a small smoke
//! version so it stays compiled and correct. The whole-command comparison with openssl is
//! `bench/hash.sh`.

use std::time::{Duration, Instant};

use attest_kit::subject::{Algorithm, hash::hash_files};

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let full = std::env::args().any(|a| a == "--bench");
    let count = if full { 10_000 } else { 200 };
    let dir = tempfile::tempdir()?;
    let mut paths = Vec::with_capacity(count);
    let mut block = vec![0u8; 4096];
    for i in 0..count {
        block[..8].copy_from_slice(&(i as u64).to_le_bytes());
        let p = dir.path().join(format!("f{i:05}"));
        std::fs::write(&p, &block)?;
        paths.push(p);
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut times = Vec::new();
    for threads in [1, cores] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        let mut result = Ok(Vec::new());
        let t = best_of(if full { 7 } else { 1 }, || {
            result = pool.install(|| hash_files(&paths, &[Algorithm::Sha256]));
        });
        assert_eq!(result?.len(), count);
        times.push((threads, t));
    }
    if full {
        println!("| hashing stage, {count} × 4 KiB | time |");
        println!("|---|---:|");
        for (threads, t) in &times {
            println!("| {threads} thread(s) | {:.1} ms |", t.as_secs_f64() * 1e3);
        }
        let speedup = times[0].1.as_secs_f64() / times[times.len() - 1].1.as_secs_f64();
        println!("| speed-up from {cores} cores | {speedup:.2}× |");
    }
    Ok(())
}
