//! The verifier gives the same errors, in the same order, whatever the
//! number of threads it spreads functions over: on the corpus, on
//! generated modules, and on modules broken in several functions at once
//! (including constants shared between functions, which are checked once
//! and reported where first reached).

use air_ir::constant::{ConstKind, Constant};
use air_ir::inst::{InstId, InstKind, Value};
use air_ir::module::Module;
use air_ir::types::TypeId;
use air_ir::verify::{verify_all_with_threads, VerifyError};
use air_testgen::{random_module, GenOptions, Rng};

/// Verifies `m` on 1 to 4 threads and checks every list equals the first.
fn same_for_all_counts(name: &str, m: &Module) -> Vec<VerifyError> {
    let one = verify_all_with_threads(m, 1);
    for threads in 2..=4 {
        let many = verify_all_with_threads(m, threads);
        assert_eq!(one, many, "{name}: {threads} threads differ from one");
    }
    // The automatic choice agrees too.
    assert_eq!(
        one,
        air_ir::verify::verify_all(m),
        "{name}: automatic count"
    );
    one
}

#[test]
fn corpus_gives_the_same_result_on_any_thread_count() {
    let files = airlink_test_support::corpus_files();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        let module = air_ir::parse(&text, &name).unwrap();
        same_for_all_counts(&name, &module);
    }
}

#[test]
fn generated_modules_give_the_same_result_on_any_thread_count() {
    for seed in 0..24 {
        let m = random_module(
            seed,
            GenOptions {
                kernels: 1 + (seed as usize % 6),
                stretch: 6,
                depth: 2,
                debug_info: false,
            },
        );
        let errors = same_for_all_counts(&format!("seed {seed}"), &m);
        assert!(errors.is_empty(), "seed {seed}: {errors:?}");
    }
}

/// The defined functions of `m`, by index.
fn defined(m: &Module) -> Vec<usize> {
    (0..m.functions.len())
        .filter(|f| !m.functions[*f].blocks.is_empty())
        .collect()
}

/// Replaces operand `which` (counting from 0) of instruction `i` of `f`.
fn set_operand(m: &mut Module, f: usize, i: usize, which: usize, v: Value) -> bool {
    let mut k = 0;
    let mut done = false;
    m.functions[f].insts[i].kind.for_each_operand_mut(|op| {
        if k == which {
            *op = v;
            done = true;
        }
        k += 1;
    });
    done
}

#[test]
fn modules_broken_in_several_functions_give_the_same_result() {
    for seed in 0..40u64 {
        let mut m = random_module(
            seed,
            GenOptions {
                kernels: 4 + (seed as usize % 4),
                stretch: 5,
                depth: 2,
                debug_info: false,
            },
        );
        let fs = defined(&m);
        assert!(fs.len() >= 4, "seed {seed}: too few functions");
        let mut rng = Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        // Two broken constants (null of an integer type), each used in
        // several functions: only the first use may report it.
        let i32_ty = m.types.i32();
        let f32_ty = m.types.float();
        let bad_a = m.consts.intern(Constant {
            ty: i32_ty,
            kind: ConstKind::Null,
        });
        let bad_b = m.consts.intern(Constant {
            ty: f32_ty,
            kind: ConstKind::Null,
        });
        let mut broken_with_consts = 0;
        for (n, &f) in fs.iter().enumerate() {
            let ni = m.functions[f].insts.len();
            // Every function gets a local error; most also a constant one.
            match rng.below(3) {
                0 => m.functions[f].insts[rng.below(ni)].ty = TypeId(u32::MAX - 1),
                1 => {
                    let i = rng.below(ni);
                    set_operand(&mut m, f, i, 0, Value::Inst(InstId(ni as u32 + 7)));
                }
                _ => {
                    let i = rng.below(ni);
                    set_operand(&mut m, f, i, 0, Value::Arg(99));
                }
            }
            if seed % 5 != 0 && (n % 2 == 1 || rng.chance(1, 2)) {
                let c = if rng.chance(1, 2) { bad_a } else { bad_b };
                let i = rng.below(ni);
                if set_operand(&mut m, f, i, rng.below(2), Value::Const(c)) {
                    broken_with_consts += 1;
                }
            }
        }
        // A phi entry in the last function pointing at a missing block.
        let last = *fs.last().unwrap();
        if let Some(inst) = m.functions[last]
            .insts
            .iter_mut()
            .find(|x| matches!(x.kind, InstKind::Phi { .. }))
        {
            if let InstKind::Phi { incoming } = &mut inst.kind {
                if let Some(e) = incoming.first_mut() {
                    e.1 .0 = 1000;
                }
            }
        }
        let errors = same_for_all_counts(&format!("broken seed {seed}"), &m);
        assert!(!errors.is_empty(), "seed {seed}: nothing reported");
        let with_function = errors
            .iter()
            .filter_map(|e| match &e.location {
                air_ir::verify::Location::Instruction { function, .. }
                | air_ir::verify::Location::Function(function)
                | air_ir::verify::Location::Block { function, .. } => Some(function.clone()),
                _ => None,
            })
            .collect::<std::collections::BTreeSet<_>>();
        assert!(
            with_function.len() >= 2,
            "seed {seed}: errors in only {with_function:?} ({broken_with_consts} constant uses)"
        );
    }
}
