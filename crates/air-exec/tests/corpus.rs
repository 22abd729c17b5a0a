//! Every kernel of the IR corpus runs: the whole instruction set of the IR
//! toolkit's opcode table, constant expressions, atomics, switch,
//! threadgroup-memory arguments, and every system value in its scalar and
//! vector forms (checked value by value).

use std::path::Path;

use air_exec::{ArgKind, Bindings, Launch, Options, Program, Source};

fn program(name: &str) -> Program {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/corpus")
        .join(name);
    Program::new(Source::read(&path).unwrap(), None).unwrap()
}

/// Binds every buffer with `bytes` of small positive integers as i32 and
/// every threadgroup argument with 4 KiB.
fn bind_all(p: &Program, bytes: usize) -> Bindings {
    let mut b = Bindings::new();
    for arg in p.kernel_args() {
        match &arg.kind {
            ArgKind::Buffer { index, .. } => {
                let words: Vec<u32> = (0..bytes as u32 / 4).map(|i| i % 7 + 1).collect();
                b.set_u32(*index, &words);
            }
            ArgKind::ThreadgroupMemory { index } => {
                b.set_threadgroup_length(*index, 4096);
            }
            ArgKind::System { .. } => {}
        }
    }
    b
}

#[test]
fn corpus_kernels_run() {
    // all_instructions indexes a <4 x float> by thread id, so 4 threads.
    for (name, threads) in [
        ("all_instructions.ll", 4),
        ("constant_exprs.ll", 64),
        ("switch_atomics.ll", 64),
        ("tg_memory_arg.ll", 64),
        ("attributes.ll", 64),
    ] {
        let mut p = program(name);
        // attributes.ll calls an external function; a linked module defines it.
        p.link(
            Source::parse(
                "define void @annotated() {\nentry:\n  ret void\n}\n",
                "annotated.ll",
            )
            .unwrap(),
        );
        let mut b = bind_all(&p, 1 << 14);
        let r = p.run(&Launch::linear(threads, 32), &mut b, &Options::default());
        assert!(r.is_ok(), "{name}: {}", r.unwrap_err());
    }
}

#[test]
fn every_system_value_in_scalar_and_vector_forms() {
    // 70 threads in threadgroups of 32: the last threadgroup has 6 threads.
    let p = program("system_values.ll");
    let mut b = Bindings::new();
    b.set_u32(0, &[0; 70]);
    p.run(&Launch::linear(70, 32), &mut b, &Options::default())
        .unwrap();
    let out = b.u32s(0).unwrap();
    for (i, got) in out.iter().enumerate() {
        let (i, l, g) = (i as u32, i as u32 % 32, i as u32 / 32);
        let n: u32 = if g == 2 { 6 } else { 32 }; // threads_per_threadgroup of this group
                                                  // tpig + tptg + dispatch_threads_per_threadgroup + grid_size, x/y/z summed
        let v3 = (i + l + 32 + 70) + (1 + 1) + (1 + 1);
        // threadgroup_position_in_grid + threadgroups_per_grid (3) + grid_origin
        let v2 = (g + 3) + 1;
        let uints = 70 + l + n.div_ceil(32) + 32 + 1 + n.div_ceil(4);
        // threads_per_threadgroup, lane, simdgroup index (0 here: one
        // simdgroup per group), threads_per_simdgroup, quadgroup index,
        // index in quadgroup, dispatch_quadgroups_per_threadgroup.
        let sg_index = l / 32;
        let ushorts = n + l + sg_index + 32 + l / 4 + l % 4 + 8;
        assert_eq!(*got, v3 + v2 + uints + ushorts, "thread {i}");
    }
}
