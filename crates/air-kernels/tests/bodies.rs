//! The example bodies on their own, before any spec: each `.ll` body (and
//! each test driver) parses, verifies and passes LLVM 14 (`llvm-as-14`,
//! `opt-14 -verify`); each `.ll` body follows its `.metal` twin call for
//! call and has its prototype; and the bodies compute the right values on
//! the CPU executor under small hand-written drivers (`tests/drivers/`)
//! that load the tiles with plain loads and stores.

use std::path::{Path, PathBuf};

use air_exec::{Bindings, Launch, Options, Program, Source};
use air_kernels::{reference, Kernel};
use air_testgen::Rng;
use airlink_test_support::{llvm_as, opt_verify};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn examples() -> PathBuf {
    repo().join("examples")
}

fn driver(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/drivers")
        .join(name)
}

/// Every (AIR body, MSL body) pair of the examples, without repeats.
fn pairs() -> Vec<(PathBuf, PathBuf)> {
    let mut out: Vec<(PathBuf, PathBuf)> = Vec::new();
    for k in Kernel::ALL {
        for b in k.bodies() {
            let dir = examples().join(k.dir());
            let pair = (dir.join(b.ll), dir.join(b.metal));
            if !out.contains(&pair) {
                out.push(pair);
            }
        }
    }
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn bodies_and_drivers_verify_here_and_in_llvm_14() {
    let mut files: Vec<PathBuf> = pairs().into_iter().map(|(ll, _)| ll).collect();
    for d in [
        "gemm_block_f32.ll",
        "gemm_block_f16.ll",
        "attention_blocks_f32.ll",
    ] {
        files.push(driver(d));
    }
    assert_eq!(files.len(), 8);
    for f in &files {
        let text = read(f);
        let module = air_ir::parse(&text, &f.display().to_string())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        air_ir::verify(&module).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        llvm_as(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        opt_verify(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
}

/// The MSL builtins the bodies call, and the AIR function each becomes
/// (the README of each example tables them with their sources).
const BUILTINS: &[(&str, &str)] = &[
    (
        "make_filled_simdgroup_matrix",
        "air.simdgroup_matrix_8x8_init_filled.",
    ),
    ("simdgroup_load", "air.simdgroup_matrix_8x8_load."),
    ("simdgroup_store", "air.simdgroup_matrix_8x8_store."),
    (
        "simdgroup_multiply_accumulate",
        "air.simdgroup_matrix_8x8_multiply_accumulate.",
    ),
    ("simd_shuffle_xor", "air.simd_shuffle_xor."),
    ("exp2", "air.fast_exp2."),
];

/// Words followed by `(` in the MSL that are not builtin calls: control
/// flow, a vector constructor, and the member `thread_elements()` (which
/// becomes extract/insertelement on elements 0 and 1, counted separately).
const NOT_CALLS: &[&str] = &["for", "if", "ulong2", "thread_elements"];

/// A builtin call in the MSL: its line, name and top-level arguments.
#[derive(Debug)]
struct MslCall {
    line: usize,
    name: &'static str,
    args: Vec<String>,
}

/// The visible function's name and parameters (type, name) of an MSL body.
fn msl_prototype(msl: &str) -> (String, Vec<(String, String)>) {
    let start = msl
        .find("[[visible]] void ")
        .expect("a [[visible]] function")
        + 17;
    let open = start + msl[start..].find('(').unwrap();
    let close = open + msl[open..].find(')').unwrap();
    let name = msl[start..open].trim().to_string();
    let params = msl[open + 1..close]
        .split(',')
        .map(|p| {
            let p = p.split_whitespace().collect::<Vec<_>>().join(" ");
            let (ty, name) = p.rsplit_once(' ').unwrap();
            (ty.to_string(), name.to_string())
        })
        .collect();
    (name, params)
}

/// Every call in `msl` outside comments; panics on a word that is neither
/// a known builtin nor in [`NOT_CALLS`] (a builtin the table does not map).
fn msl_calls(msl: &str, own_name: &str) -> Vec<MslCall> {
    let mut out = Vec::new();
    for (i, raw) in msl.lines().enumerate() {
        let line = raw.split("//").next().unwrap_or("");
        if line.trim_start().starts_with('#') {
            continue;
        }
        let b = line.as_bytes();
        let mut p = 0;
        while p < b.len() {
            if !(b[p].is_ascii_alphabetic() || b[p] == b'_') {
                p += 1;
                continue;
            }
            let s = p;
            while p < b.len() && (b[p].is_ascii_alphanumeric() || b[p] == b'_') {
                p += 1;
            }
            let word = &line[s..p];
            // Skip template arguments: `make_filled_simdgroup_matrix<float, 8, 8>(`.
            let mut q = p;
            if q < b.len() && b[q] == b'<' {
                q += line[q..].find('>').map_or(0, |x| x + 1);
            }
            if q >= b.len() || b[q] != b'(' || word == own_name {
                continue;
            }
            if NOT_CALLS.contains(&word) {
                continue;
            }
            let Some(&(name, _)) = BUILTINS.iter().find(|(n, _)| *n == word) else {
                panic!(
                    "line {}: `{word}(` is not in the builtin table of this test; \
                     map it to its AIR form (and the README's table)",
                    i + 1
                );
            };
            // Top-level arguments up to the matching parenthesis.
            let (mut depth, mut arg, mut args) = (0, String::new(), Vec::new());
            for c in line[q..].chars() {
                match c {
                    '(' => {
                        depth += 1;
                        if depth == 1 {
                            continue;
                        }
                    }
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            args.push(arg.trim().to_string());
                            break;
                        }
                    }
                    ',' if depth == 1 => {
                        args.push(arg.trim().to_string());
                        arg.clear();
                        continue;
                    }
                    _ => {}
                }
                arg.push(c);
            }
            out.push(MslCall {
                line: i + 1,
                name,
                args,
            });
        }
    }
    out
}

/// Every call of an `air.*` function in `ll`: (its `metal:N` line, callee,
/// the whole line).
fn ll_calls(ll: &str) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    for (i, line) in ll.lines().enumerate() {
        let code = line.split(';').next().unwrap_or("");
        let Some(at) = code
            .find("call ")
            .and_then(|c| code[c..].find("@air.").map(|a| c + a))
        else {
            continue;
        };
        let callee: String = code[at + 1..].chars().take_while(|c| *c != '(').collect();
        let tag = line
            .split("; metal:")
            .nth(1)
            .unwrap_or_else(|| panic!("line {}: call of @{callee} has no `; metal:N` tag", i + 1));
        let n: usize = tag
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|d| d.parse().ok())
            .unwrap_or_else(|| panic!("line {}: bad tag `{tag}`", i + 1));
        assert!(
            !tag.starts_with(&format!("{n}-")),
            "line {}: a call's tag names one line, not a range",
            i + 1
        );
        out.push((n, callee, line.to_string()));
    }
    out
}

/// The drift check of the README: the `.ll` makes exactly the builtin calls
/// of the `.metal`, each tagged with the MSL line, to the mapped AIR
/// function, with the same pitch, transposition and shuffle mask; and it
/// touches thread_elements() as often. It checks that the two files did not
/// drift apart, not that the MSL compiles to this (that needs a Mac).
#[test]
fn each_ll_body_follows_its_metal_twin_call_for_call() {
    for (ll_path, metal_path) in pairs() {
        let (ll, msl) = (read(&ll_path), read(&metal_path));
        let what = ll_path.file_name().unwrap().to_string_lossy().to_string();
        let (name, _) = msl_prototype(&msl);
        let msl_calls = msl_calls(&msl, &name);
        let mut ll_calls = ll_calls(&ll);
        assert!(!msl_calls.is_empty(), "{what}");
        assert_eq!(
            msl_calls.len(),
            ll_calls.len(),
            "{what}: {} builtin calls in the MSL, {} air.* calls in the .ll",
            msl_calls.len(),
            ll_calls.len()
        );
        for call in &msl_calls {
            let prefix = BUILTINS.iter().find(|(n, _)| *n == call.name).unwrap().1;
            let Some(pos) = ll_calls
                .iter()
                .position(|(n, callee, _)| *n == call.line && callee.starts_with(prefix))
            else {
                panic!(
                    "{what}: metal line {} calls {} but no @{prefix}* call is tagged metal:{}",
                    call.line, call.name, call.line
                );
            };
            let (_, _, line) = ll_calls.remove(pos);
            match call.name {
                "simdgroup_load" | "simdgroup_store" => {
                    let pitch = &call.args[2];
                    let transposed = call.args.get(4).is_some_and(|a| a == "true");
                    let strides = if transposed {
                        format!("<2 x i64> <i64 {pitch}, i64 1>")
                    } else {
                        format!("<2 x i64> <i64 1, i64 {pitch}>")
                    };
                    assert!(
                        line.contains(&strides) && line.contains("<2 x i64> <i64 8, i64 8>"),
                        "{what}: metal line {}: expected dims <8, 8> and strides {strides} in\n{line}",
                        call.line
                    );
                }
                "simd_shuffle_xor" => {
                    let mask = &call.args[1];
                    assert!(
                        line.contains(&format!("i32 {mask})"))
                            || line.contains(&format!("i16 {mask})")),
                        "{what}: metal line {}: mask {mask} in\n{line}",
                        call.line
                    );
                }
                _ => {}
            }
        }
        let elements: usize = msl
            .lines()
            .map(|l| {
                l.split("//")
                    .next()
                    .unwrap_or("")
                    .matches("thread_elements()")
                    .count()
            })
            .sum();
        let lanes =
            ll.matches("extractelement <64 x").count() + ll.matches("insertelement <64 x").count();
        assert_eq!(
            elements, lanes,
            "{what}: thread_elements() {elements} times in the MSL, extract/insertelement <64 x T> {lanes} times in the .ll"
        );
    }
}

/// The `.ll` function has the MSL prototype's name, parameter names and
/// the IR types of its parameter types (the mapping of
/// docs/air-conventions.md#type-mapping: `uint` ->
/// `i32`, `threadgroup T*` -> `T addrspace(3)*`, `thread T*` -> `T*`).
#[test]
fn each_ll_body_has_its_metal_prototype() {
    let ir_type = |msl: &str| -> String {
        match msl.split_once(' ') {
            Some(("threadgroup", t)) => format!("{} addrspace(3)*", t.trim_end_matches('*')),
            Some(("thread", t)) => t.to_string(),
            _ if msl == "uint" => "i32".to_string(),
            _ => panic!("no IR type for MSL `{msl}` in this test"),
        }
    };
    for (ll_path, metal_path) in pairs() {
        let (ll, msl) = (read(&ll_path), read(&metal_path));
        let (name, params) = msl_prototype(&msl);
        let head = format!("define void @{name}(");
        let start = ll
            .find(&head)
            .unwrap_or_else(|| panic!("{}: no {head}", ll_path.display()))
            + head.len();
        let list = &ll[start..start + ll[start..].find(") local_unnamed_addr").unwrap()];
        let ll_params: Vec<(String, String)> = list
            .split(", ")
            .map(|p| {
                let words: Vec<&str> = p.split_whitespace().collect();
                let ty_end = words
                    .iter()
                    .position(|w| {
                        ["noundef", "nocapture", "readonly", "writeonly"].contains(w)
                            || w.starts_with('%')
                    })
                    .unwrap();
                (
                    words[..ty_end].join(" "),
                    words.last().unwrap().trim_start_matches('%').to_string(),
                )
            })
            .collect();
        let want: Vec<(String, String)> = params
            .iter()
            .map(|(t, n)| (ir_type(t), n.clone()))
            .collect();
        assert_eq!(ll_params, want, "{}", ll_path.display());
    }
}

fn program(driver_file: &str, bodies: &[&str]) -> Program {
    let mut p = Program::new(Source::read(&driver(driver_file)).unwrap(), None).unwrap();
    for b in bodies {
        p.link(Source::read(&examples().join(b)).unwrap());
    }
    p
}

fn f32s(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn uniform(rng: &mut Rng) -> f64 {
    (rng.next_u64() >> 40) as f64 / (1u64 << 23) as f64 - 1.0
}

/// The GEMM bodies on one 32x32x32 block, called twice (C = 2·A·B, so the
/// accumulators must survive between calls): dyadic inputs exactly, uniform
/// ones within the float dot-product bound; f32 and half inputs.
#[test]
fn gemm_bodies_compute_a_block() {
    let mut rng = Rng::new(21);
    for half in [false, true] {
        let (file, tile) = if half {
            ("gemm_block_f16.ll", "gemm/gemm_tile_f16.ll")
        } else {
            ("gemm_block_f32.ll", "gemm/gemm_tile_f32.ll")
        };
        let p = program(file, &[tile, "gemm/gemm_store.ll"]);
        for dyadic in [true, false] {
            let mut draw = || {
                let x = if dyadic {
                    (rng.below(129) as f64 - 64.0) / 64.0
                } else {
                    uniform(&mut rng)
                };
                if half {
                    half::f16::from_f64(x).to_f64()
                } else {
                    x
                }
            };
            let a: Vec<f64> = (0..1024).map(|_| draw()).collect();
            let b: Vec<f64> = (0..1024).map(|_| draw()).collect();
            let bytes = |v: &[f64]| -> Vec<u8> {
                if half {
                    v.iter()
                        .flat_map(|x| half::f16::from_f64(*x).to_le_bytes())
                        .collect()
                } else {
                    v.iter().flat_map(|x| (*x as f32).to_le_bytes()).collect()
                }
            };
            let mut bind = Bindings::new();
            bind.set_bytes(0, bytes(&a))
                .set_bytes(1, bytes(&b))
                .set_f32(2, &[f32::NAN; 1024]);
            p.run(&Launch::linear(128, 128), &mut bind, &Options::default())
                .unwrap();
            let got = f32s(bind.bytes(2).unwrap());
            // Twice A·B is [A A]·[B; B]: one 32x64 by 64x32 product.
            let a2: Vec<f64> = (0..32)
                .flat_map(|r| a[r * 32..r * 32 + 32].iter().chain(&a[r * 32..r * 32 + 32]))
                .copied()
                .collect();
            let b2: Vec<f64> = b.iter().chain(&b).copied().collect();
            let (want, abs) = reference::gemm(&a2, &b2, 32, 32, 64);
            for i in 0..1024 {
                let bound = if dyadic {
                    0.0
                } else {
                    reference::gemm_bound(64, abs[i])
                };
                let err = (f64::from(got[i]) - want[i]).abs();
                assert!(
                    err <= bound,
                    "half {half} dyadic {dyadic}: C[{},{}] = {} vs {} (bound {bound:e})",
                    i / 32,
                    i % 32,
                    got[i],
                    want[i]
                );
            }
        }
    }
}

/// The attention bodies on 32 queries and two key blocks, the second with
/// `kv2` valid keys: the online softmax across blocks and the mask.
#[test]
fn attention_bodies_compute_two_blocks() {
    let p = program(
        "attention_blocks_f32.ll",
        &[
            "attention/attn_block_f32.ll",
            "attention/attn_finish_f32.ll",
        ],
    );
    let mut rng = Rng::new(77);
    for kv2 in [16u32, 5, 1] {
        let mut m = || (0..2048).map(|_| uniform(&mut rng)).collect::<Vec<f64>>();
        let (q, k, v) = (m(), m(), m());
        let f = |x: &[f64]| x.iter().map(|v| *v as f32).collect::<Vec<f32>>();
        let mut bind = Bindings::new();
        bind.set_f32(0, &f(&q))
            .set_f32(1, &f(&k))
            .set_f32(2, &f(&v))
            .set_f32(3, &[f32::NAN; 2048])
            .set_u32(4, &[kv2]);
        p.run(&Launch::linear(128, 128), &mut bind, &Options::default())
            .unwrap();
        let got = f32s(bind.bytes(3).unwrap());
        let keys = 16 + kv2 as usize;
        let want = reference::attention_rect(&q, &k[..keys * 64], &v[..keys * 64], 32, keys, 64);
        let bound = reference::attention_bound(keys);
        let mut max = 0.0f64;
        for i in 0..2048 {
            let err = (f64::from(got[i]) - want[i]).abs();
            max = max.max(err);
            assert!(
                err <= bound,
                "kv2 {kv2}: O[{},{}] = {} vs {}",
                i / 64,
                i % 64,
                got[i],
                want[i]
            );
        }
        // Far inside the bound; the masked keys would move it by ~1e-2.
        assert!(max < 1e-5, "kv2 {kv2}: max error {max:e}");
    }
}
