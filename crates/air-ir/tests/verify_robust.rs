//! The verifier on generated modules: valid ones pass, and randomly
//! corrupted ones (dangling ids, moved instructions, retyped values) are
//! reported without a panic.

use air_ir::constant::ConstId;
use air_ir::inst::{BlockId, InstId, InstKind, Value};
use air_ir::metadata::{MetaId, Metadata};
use air_ir::module::Module;
use air_ir::types::{Type, TypeId};
use air_ir::verify::{verify_all, verify_all_with_threads};
use air_testgen::{random_module, GenOptions, Rng};
use proptest::prelude::*;

/// An id near the valid range: usually valid, sometimes just past the end.
fn near(rng: &mut Rng, len: usize) -> u32 {
    rng.below(len + 3) as u32
}

fn random_value(rng: &mut Rng, m: &Module, f: usize) -> Value {
    match rng.below(4) {
        0 => Value::Arg(near(rng, m.functions[f].params.len())),
        1 => Value::Inst(InstId(near(rng, m.functions[f].insts.len()))),
        2 => Value::Const(ConstId(near(rng, m.consts.len()))),
        _ => Value::Metadata(MetaId(near(rng, m.metadata.len()))),
    }
}

/// Applies one random corruption to `m`.
fn corrupt(rng: &mut Rng, m: &mut Module) {
    let nf = m.functions.len();
    let defined: Vec<usize> = (0..nf)
        .filter(|f| !m.functions[*f].blocks.is_empty())
        .collect();
    match rng.below(9) {
        // Replace an operand.
        0 | 1 if !defined.is_empty() => {
            let f = *rng.pick(&defined);
            let ni = m.functions[f].insts.len();
            let i = rng.below(ni);
            let v = random_value(rng, m, f);
            let mut k = 0;
            let which = rng.below(4);
            m.functions[f].insts[i].kind.for_each_operand_mut(|op| {
                if k == which {
                    *op = v;
                }
                k += 1;
            });
        }
        // Retype an instruction.
        2 if !defined.is_empty() => {
            let f = *rng.pick(&defined);
            let i = rng.below(m.functions[f].insts.len());
            m.functions[f].insts[i].ty = TypeId(near(rng, m.types.len()));
        }
        // Move an instruction to another block.
        3 if !defined.is_empty() => {
            let f = *rng.pick(&defined);
            let func = &mut m.functions[f];
            let from = rng.below(func.blocks.len());
            if !func.blocks[from].insts.is_empty() {
                let at = rng.below(func.blocks[from].insts.len());
                let id = func.blocks[from].insts.remove(at);
                let to = rng.below(func.blocks.len());
                let pos = rng.below(func.blocks[to].insts.len() + 1);
                func.blocks[to].insts.insert(pos, id);
            }
        }
        // Point a branch or phi at a random block.
        4 if !defined.is_empty() => {
            let f = *rng.pick(&defined);
            let nb = m.functions[f].blocks.len();
            let i = rng.below(m.functions[f].insts.len());
            let target = BlockId(near(rng, nb));
            match &mut m.functions[f].insts[i].kind {
                InstKind::Br { dest } => *dest = target,
                InstKind::CondBr { if_false, .. } => *if_false = target,
                InstKind::Phi { incoming } if !incoming.is_empty() => incoming[0].1 = target,
                _ => {}
            }
        }
        // Break a global.
        5 if !m.globals.is_empty() => {
            let g = rng.below(m.globals.len());
            if rng.chance(1, 2) {
                m.globals[g].initializer = Some(ConstId(near(rng, m.consts.len())));
            } else {
                m.globals[g].value_ty = TypeId(near(rng, m.types.len()));
            }
        }
        // Break a metadata node.
        6 if !m.metadata.is_empty() => {
            let id = rng.below(m.metadata.len());
            let target = MetaId(near(rng, m.metadata.len()));
            if let Metadata::Node { operands, .. } = &mut m.metadata[id] {
                operands.push(Some(target));
            }
        }
        // Retype a function.
        7 if nf > 0 => {
            let f = rng.below(nf);
            m.functions[f].ty = TypeId(near(rng, m.types.len()));
        }
        // Add a dangling type (stops verification at the table).
        8 => {
            let pointee = TypeId(m.types.len() as u32 + 5);
            m.types.intern(Type::Pointer {
                pointee,
                addrspace: 0,
            });
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn generated_modules_verify(seed in any::<u64>(), kernels in 1usize..4, depth in 0u32..4) {
        let m = random_module(seed, GenOptions { kernels, stretch: 6, depth, debug_info: false });
        let errors = verify_all(&m);
        prop_assert!(errors.is_empty(), "seed {}: {:?}", seed, errors);
    }

    #[test]
    fn corrupted_modules_never_panic(seed in any::<u64>(), edits in 1usize..6) {
        let mut m = random_module(seed, GenOptions { kernels: 2, stretch: 5, depth: 2, debug_info: false });
        let mut rng = Rng::new(seed ^ 0x9E37_79B9_7F4A_7C15);
        for _ in 0..edits {
            corrupt(&mut rng, &mut m);
        }
        // Only the absence of a panic is asserted: some edits are harmless.
        let _ = verify_all(&m);
    }

    #[test]
    fn corrupted_modules_give_the_same_errors_on_any_thread_count(seed in any::<u64>(), edits in 1usize..8) {
        let mut m = random_module(seed, GenOptions { kernels: 4, stretch: 5, depth: 2, debug_info: false });
        let mut rng = Rng::new(seed ^ 0x5851_F42D_4C95_7F2D);
        for _ in 0..edits {
            corrupt(&mut rng, &mut m);
        }
        let one = verify_all_with_threads(&m, 1);
        for threads in 2..=4 {
            prop_assert_eq!(&one, &verify_all_with_threads(&m, threads), "{} threads", threads);
        }
    }
}
