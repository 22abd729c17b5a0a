//! Parse and parse+print throughput on the corpus and on a large generated
//! module. Results and the machine they were measured on go in BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn corpus_text() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ll"))
        .collect();
    files.sort();
    // Each file is parsed on its own; the benchmark loops over all of them.
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("corpus file"))
        .collect::<Vec<_>>()
        .join("\u{0}")
}

/// A module of several MB: many kernels with nested control flow.
fn large_text() -> String {
    let options = air_testgen::GenOptions {
        kernels: 400,
        stretch: 40,
        depth: 3,
        debug_info: false,
    };
    air_ir::print(&air_testgen::random_module(42, options))
}

fn bench(c: &mut Criterion) {
    let corpus = corpus_text();
    let files: Vec<&str> = corpus.split('\u{0}').collect();
    let large = large_text();

    let mut g = c.benchmark_group("corpus");
    g.throughput(Throughput::Bytes(corpus.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| {
            for f in &files {
                std::hint::black_box(air_ir::parse(f, "corpus.ll").expect("parses"));
            }
        })
    });
    g.bench_function("parse+print", |b| {
        b.iter(|| {
            for f in &files {
                let m = air_ir::parse(f, "corpus.ll").expect("parses");
                std::hint::black_box(air_ir::print(&m));
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group(format!("generated_{}KiB", large.len() / 1024));
    g.throughput(Throughput::Bytes(large.len() as u64));
    g.sample_size(20);
    g.bench_function("parse", |b| {
        b.iter(|| std::hint::black_box(air_ir::parse(&large, "large.ll").expect("parses")))
    });
    g.bench_function("parse+print", |b| {
        b.iter(|| {
            let m = air_ir::parse(&large, "large.ll").expect("parses");
            std::hint::black_box(air_ir::print(&m))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
