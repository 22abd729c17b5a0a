//! Parsing on several threads gives exactly the sequential result.
//!
//! Every input is parsed with 1 (sequential), 2, 3 and 4 threads, with the
//! parallel threshold lowered to zero so small inputs take the parallel path
//! too, and once through the public entry points. The results must agree
//! in everything observable (printed text, structural equality, source maps,
//! verifier results, errors) and, as the parallel parser is designed to, in
//! the arena layout itself.

use std::path::Path;

use air_ir::{Module, ParseError, SourceMap};

type Parsed = Result<(Module, SourceMap), ParseError>;

fn parse(text: &str, threads: usize, min_bytes: usize) -> Parsed {
    air_ir::text::parse_with_source_map_tuned(text, "input.ll", threads, min_bytes)
}

/// Asserts that `other` is the same parse as `seq`.
fn assert_same(seq: &Parsed, other: &Parsed, what: &str) {
    match (seq, other) {
        (Err(a), Err(b)) => assert_eq!(a, b, "{what}: errors differ"),
        (Ok((a, amap)), Ok((b, bmap))) => {
            assert_eq!(air_ir::print(a), air_ir::print(b), "{what}: printed text");
            assert!(a == b, "{what}: modules differ structurally");
            assert_eq!(amap, bmap, "{what}: source maps");
            assert!(a.types == b.types, "{what}: type arena");
            assert!(a.consts == b.consts, "{what}: constant arena");
            assert_eq!(a.metadata, b.metadata, "{what}: metadata arena");
            let va = air_ir::verify(a).map_err(|e| e.to_string());
            let vb = air_ir::verify(b).map_err(|e| e.to_string());
            assert_eq!(va, vb, "{what}: verifier results");
        }
        (Ok(_), Err(e)) => panic!("{what}: only the parallel parse failed: {e}"),
        (Err(e), Ok(_)) => panic!("{what}: only the sequential parse failed: {e}"),
    }
}

/// Checks `text` at every thread count, forcing the parallel path.
fn check(text: &str, what: &str) {
    let seq = parse(text, 1, 0);
    for threads in 2..=4 {
        assert_same(
            &seq,
            &parse(text, threads, 0),
            &format!("{what}, {threads} threads"),
        );
    }
    let public = air_ir::parse_with_source_map(text, "input.ll");
    assert_same(&seq, &public, &format!("{what}, default"));
    assert_eq!(
        seq.as_ref().map(|(m, _)| air_ir::print(m)).ok(),
        air_ir::parse(text, "input.ll")
            .ok()
            .map(|m| air_ir::print(&m)),
        "{what}: parse and parse_with_source_map"
    );
}

fn ll_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ll"))
        .collect();
    v.sort();
    v
}

#[test]
fn corpus_parses_the_same_on_any_thread_count() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let files = ll_files(&dir);
    assert!(!files.is_empty());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        check(&text, &f.display().to_string());
    }
}

#[test]
fn invalid_inputs_fail_the_same_on_any_thread_count() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid");
    let files = ll_files(&dir);
    assert!(files.len() >= 15);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        check(&text, &f.display().to_string());
    }
}

fn generated(seed: u64, kernels: usize, stretch: usize) -> String {
    let options = air_testgen::GenOptions {
        kernels,
        stretch,
        depth: 3,
        debug_info: false,
    };
    air_ir::print(&air_testgen::random_module(seed, options))
}

#[test]
fn generated_modules_parse_the_same_on_any_thread_count() {
    for seed in 0..12 {
        let text = generated(seed, 1 + (seed as usize % 5), 8 + 4 * seed as usize);
        check(&text, &format!("seed {seed}"));
    }
}

/// `n` renamed copies of the last function, as the benchmark builds its
/// large inputs: many bodies that share almost all types and constants.
fn copies(template: &str, n: usize) -> String {
    let kstart = template.rfind("\ndefine ").unwrap() + 1;
    let kend = kstart + template[kstart..].find("\n}\n").unwrap() + 3;
    let kernel = &template[kstart..kend];
    let name_start = kernel.find('@').unwrap();
    let name_end = name_start + kernel[name_start..].find('(').unwrap();
    let name = &kernel[name_start..name_end];
    let mut out = template[..kend].to_string();
    for i in 1..n {
        out.push('\n');
        out.push_str(&kernel.replacen(name, &format!("{name}_copy{i}"), 1));
    }
    out.push_str(&template[kend..]);
    out
}

#[test]
fn large_inputs_take_the_parallel_path_by_default() {
    let text = copies(&generated(11, 1, 400), 12);
    assert!(
        text.len() > 2 * 256 * 1024,
        "input too small to go parallel"
    );
    let seq = parse(&text, 1, 0);
    assert!(seq.is_ok());
    for threads in [0, 2, 3, 4] {
        let (m, map) = air_ir::parse_with_source_map_threads(&text, "input.ll", threads).unwrap();
        assert_same(&seq, &Ok((m, map)), &format!("{threads} threads"));
    }
    // The same with an error in a late chunk (there are several chunks
    // per thread here).
    let at = text.rfind("\ndefine ").unwrap();
    let line = at + 1 + text[at + 1..].find("\n  %").unwrap() + 1;
    let mut bad = text.clone();
    bad.insert_str(line, "  %zz = add i32 %nope, 1\n");
    let seq = parse(&bad, 1, 0);
    assert!(seq.is_err());
    for threads in [0, 2, 3, 4] {
        let r = air_ir::parse_with_source_map_threads(&bad, "input.ll", threads);
        assert_same(&seq, &r, &format!("error, {threads} threads"));
    }
}

#[test]
fn errors_in_late_bodies_are_the_sequential_errors() {
    let base = copies(&generated(5, 2, 30), 6);
    let last_body = base.rfind("\ndefine ").unwrap();
    let mid_body = base[..last_body].rfind("\ndefine ").unwrap();
    let mut cases = Vec::new();
    for at in [mid_body, last_body] {
        let line = at + 1 + base[at + 1..].find("\n  %").unwrap() + 1;
        // A syntax error, an undefined value, an undefined metadata node
        // and an undefined type, each first seen inside a body.
        for bad in [
            "  %zz = bogus i32 0\n",
            "  %zz = add i32 %nope, 1\n",
            "  %zz = add i32 0, 1, !foo !4242\n",
            "  %zz = alloca %never.defined\n",
        ] {
            let mut t = base.clone();
            t.insert_str(line, bad);
            cases.push(t);
        }
    }
    // Two errors in different chunks: the first in text order wins.
    let mut two = base.clone();
    let l2 = last_body + 1 + base[last_body + 1..].find("\n  %").unwrap() + 1;
    two.insert_str(l2, "  %zz = bogus2 i32 0\n");
    let l1 = mid_body + 1 + base[mid_body + 1..].find("\n  %").unwrap() + 1;
    two.insert_str(l1, "  %zz = bogus1 i32 0\n");
    cases.push(two);
    for (i, t) in cases.iter().enumerate() {
        let seq = parse(t, 1, 0);
        assert!(seq.is_err(), "case {i} should fail");
        for threads in 2..=4 {
            assert_same(
                &seq,
                &parse(t, threads, 0),
                &format!("case {i}, {threads} threads"),
            );
        }
    }
}
