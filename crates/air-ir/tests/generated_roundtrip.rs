//! Property test: random modules from the builder-driven generator verify,
//! round-trip through print/parse, and are accepted by `llvm-as-14`.

mod common;

use air_testgen::{random_module, GenOptions};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn generated_modules_round_trip(seed in any::<u64>(), kernels in 1usize..4, depth in 0u32..4) {
        let options = GenOptions {
            kernels,
            stretch: 6,
            depth,
            debug_info: seed % 2 == 1,
        };
        let module = random_module(seed, options);
        if let Err(e) = air_ir::verify(&module) {
            panic!("seed {seed}: generated module does not verify: {e}\n{}", air_ir::print(&module));
        }
        let text = air_ir::print(&module);
        let again = air_ir::parse(&text, "generated.ll")
            .unwrap_or_else(|e| panic!("seed {seed}: printed text does not parse:\n{e}\n{text}"));
        prop_assert!(again == module, "seed {}: parse(print(m)) != m", seed);
        prop_assert_eq!(air_ir::print(&again), text.clone());
        if let Err(e) = common::llvm_as(&text) {
            panic!("seed {seed}: llvm-as-14 rejects the generated module: {e}\n{text}");
        }
    }
}
