//! Every file of the shared test corpus must parse.

use std::path::Path;

#[test]
fn corpus_files_parse() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut count = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/corpus exists") {
        let path = entry.expect("readable dir entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("ll") {
            continue;
        }
        let src = std::fs::read_to_string(&path).expect("readable .ll file");
        count += 1;
        if let Err(e) = air_ir::parse(&src, &path.display().to_string()) {
            failures.push(e.to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} corpus files failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(count > 0, "no corpus files found in {}", dir.display());
}

/// Parse throughput on a large synthetic module (many renamed copies of the
/// corpus kernels). Run with
/// `cargo test --release -p air-ir --test parse_corpus -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run in release builds"]
fn parse_throughput() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let base = std::fs::read_to_string(dir.join("gemm_like.ll")).expect("gemm_like.ll");
    // Everything up to the first metadata definition, with the kernel renamed
    // in each copy; declarations and groups are kept once.
    let start = base.find("define ").expect("a definition");
    let end = base[start..]
        .find("\n}\n")
        .map(|i| start + i + 3)
        .expect("end of body");
    let body = &base[start..end];
    let mut src = String::from(&base[..start]);
    src.push_str(body);
    for i in 0..4000 {
        src.push_str(&body.replacen("@gemm_like_kernel", &format!("@kernel_{i}"), 1));
        src.push('\n');
    }
    src.push_str(&base[end..]);
    let t = std::time::Instant::now();
    let m = air_ir::parse(&src, "big.ll").expect("parses");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "parsed {:.1} MB, {} functions in {:.3} s: {:.1} MB/s",
        src.len() as f64 / 1e6,
        m.functions.len(),
        secs,
        src.len() as f64 / 1e6 / secs
    );
}
