//! Deep and shared structures through the writer and the reader (issue 20):
//! long chains of types and metadata encode without recursing per level,
//! types whose parts share parts are laid out in linear time, and the
//! reader refuses types nested deeper than its limit with the record's bit
//! offset. Inputs are generated here; the oracle for the bytes is
//! `llvm-as-14`.

mod common;

use air_bitcode::limits::MAX_READ_DEPTH;
use air_bitcode::{read_module, write_module, Flavour, WriteOptions};

const AIR: &str = "target datalayout = \"e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32\"\ntarget triple = \"air64_v28-apple-macosx26.0.0\"\n";

fn options(name: &str) -> WriteOptions {
    WriteOptions {
        flavour: Flavour::Llvm14,
        input_path: name.to_string(),
        producer: None,
    }
}

/// `%tI = type { %tI+1<link> }` for I < n, `%tN = type { i32 }`, and one
/// `alloca %t0`.
fn struct_chain(n: usize, link: &str) -> String {
    let mut s = String::from(AIR);
    for i in 0..n {
        s.push_str(&format!("%t{i} = type {{ %t{}{link} }}\n", i + 1));
    }
    s.push_str(&format!("%t{n} = type {{ i32 }}\n"));
    s.push_str("define void @f() {\n  %a = alloca %t0\n  ret void\n}\n");
    s
}

/// Assembles `text` with our writer and with `llvm-as-14`, and compares.
fn same_as_llvm(tag: &str, text: &str) -> Vec<u8> {
    airlink_test_support::require_llvm_14();
    let dir = airlink_test_support::scratch_dir(tag);
    let name = format!("{tag}.ll");
    std::fs::write(dir.join(&name), text).unwrap();
    let module = air_ir::parse(text, &name).unwrap_or_else(|e| panic!("{tag}: {e}"));
    air_ir::verify(&module).unwrap_or_else(|e| panic!("{tag}: {e}"));
    let ours = write_module(&module, &options(&name)).unwrap();
    let theirs = airlink_test_support::llvm_as(&dir.join(&name)).unwrap();
    if let Err(e) = common::compare(&ours, &theirs) {
        panic!("{tag}: {e}");
    }
    ours
}

#[test]
fn chains_of_named_structs_number_as_llvm_does() {
    // The type table's order comes from the enumerator's walk, which no
    // longer recurses: it must still be LLVM's post-order, by value and
    // through pointers (where a struct is reached again while its body is
    // walked: the cycle `%c` closes).
    // (By value up to the verifier's limit: 126 structs and the `i32`.)
    same_as_llvm("chain_value", &struct_chain(125, ""));
    same_as_llvm("chain_pointer", &struct_chain(300, "*"));
    let cyclic = format!(
        "{AIR}%c = type {{ %d*, [2 x %c*], i32 }}\n%d = type {{ %c*, float (%d*, %c)* }}\ndefine void @f() {{\n  %a = alloca %d\n  %b = alloca %c\n  ret void\n}}\n"
    );
    same_as_llvm("chain_cycle", &cyclic);
}

#[test]
fn a_long_pointer_chain_encodes_and_reads_back() {
    // Issue 20: 100 000 structs chained through pointers (or by value)
    // overflowed the writer's stack. 20 000 would overflow a test thread's
    // stack in a debug build if the walk still recursed per level.
    let text = struct_chain(20_000, "*");
    let module = air_ir::parse(&text, "long.ll").unwrap();
    air_ir::verify(&module).unwrap();
    let bytes = write_module(&module, &options("long.ll")).unwrap();
    // Read back, it encodes to the same bytes (the text's `alloca` has no
    // alignment, the bitcode's does, so compare bytes, not modules).
    let back = read_module(&bytes).unwrap();
    assert_eq!(write_module(&back, &options("long.ll")).unwrap(), bytes);
}

#[test]
fn a_long_chain_by_value_does_not_crash_the_writer() {
    // By value the chain is too deep for the verifier; the writer, given it
    // anyway, must not crash either (it encodes, the layout cut off by its
    // guard).
    let text = struct_chain(20_000, "");
    let module = air_ir::parse(&text, "long.ll").unwrap();
    assert!(air_ir::verify(&module).is_err());
    write_module(&module, &options("long.ll")).unwrap();
}

#[test]
fn shared_parts_are_laid_out_once() {
    // `%tI = { %tI+1, %tI+1 }`: 2^50 paths through 50 distinct structs. The
    // alignment the parser leaves out of `alloca` and the size of a common
    // global are computed from the layout, which followed every path
    // (hours for 31 lines of text before).
    let n = 50;
    let mut text = String::from(AIR);
    for i in 0..n {
        text.push_str(&format!("%t{i} = type {{ %t{}, %t{} }}\n", i + 1, i + 1));
    }
    text.push_str(&format!("%t{n} = type {{ i8, i64 }}\n"));
    text.push_str("@g = common addrspace(2) global %t0 zeroinitializer\n");
    text.push_str("define void @f() {\n  %a = alloca %t0\n  ret void\n}\n");
    let module = air_ir::parse(&text, "shared.ll").unwrap();
    air_ir::verify(&module).unwrap();
    for flavour in [Flavour::Llvm14, Flavour::Apple] {
        let options = WriteOptions {
            flavour,
            ..options("shared.ll")
        };
        write_module(&module, &options).unwrap();
    }
    // The same shape, small enough for llvm-as-14 to compare bytes with.
    let mut small = String::from(AIR);
    for i in 0..4 {
        small.push_str(&format!("%t{i} = type {{ %t{}, %t{} }}\n", i + 1, i + 1));
    }
    small.push_str("%t4 = type { i8, i64 }\n@g = common global %t0 zeroinitializer\n");
    small.push_str(
        "define void @f() {\n  %a = alloca %t0\n  %b = alloca [3 x %t2]\n  ret void\n}\n",
    );
    same_as_llvm("shared_small", &small);
}

/// A module with one global of type `[1 x [1 x ... i8]]`, `depth` arrays
/// deep, written by `llvm-as-14` (an independent writer: the type records
/// come children first, so the reader meets each level resolved already).
fn deep_array_bitcode(depth: usize) -> Vec<u8> {
    airlink_test_support::require_llvm_14();
    let text = format!(
        "@g = global {}i8{} zeroinitializer\n",
        "[1 x ".repeat(depth),
        "]".repeat(depth)
    );
    airlink_test_support::llvm_as(text.as_bytes()).unwrap()
}

#[test]
fn the_reader_enforces_its_type_nesting_limit() {
    let limit = MAX_READ_DEPTH as usize;
    // `i8` and 254 arrays, and the global's pointer to them: 256 levels,
    // read (the verifier's own, lower limit then refuses the type, so it
    // never prints).
    let module = read_module(&deep_array_bitcode(limit - 2)).unwrap();
    let errors = air_ir::verify::verify_all(&module);
    assert!(!errors.is_empty());
    for e in &errors {
        assert_eq!(e.kind, air_ir::VerifyErrorKind::NestingTooDeep, "{e}");
    }
    // One level more is the reader's error, at the record.
    let e = read_module(&deep_array_bitcode(limit - 1)).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("type nests too deeply"), "{text}");
    assert!(text.starts_with("bit "), "{text}");
    // Issue 20's case had 100 000 levels and printed `<too deep>` inside
    // text that `fmt` then refused; 5 000 is as deep as llvm-as-14's own
    // recursive parser goes here without overflowing its stack.
    let e = read_module(&deep_array_bitcode(5_000)).unwrap_err();
    assert!(e.to_string().contains("type nests too deeply"));
}

#[test]
fn metadata_graphs_encode_as_llvm_does() {
    // `!I = !{!I+1, !I+1}`: the writer's search for cycles followed every
    // path (2^40 of them) and never finished.
    let mut dag = format!("{AIR}!named = !{{!0}}\n");
    for i in 0..40 {
        dag.push_str(&format!("!{i} = !{{!{}, !{}}}\n", i + 1, i + 1));
    }
    dag.push_str("!40 = !{i32 1}\n");
    same_as_llvm("md_dag", &dag);
    // A cycle of 100 uniqued nodes: the search gave up after 64 levels,
    // took the nodes for acyclic, and the encoding failed as an internal
    // error.
    let mut ring = format!("{AIR}!named = !{{!0}}\n");
    for i in 0..100 {
        ring.push_str(&format!("!{i} = !{{!{}, i32 {i}}}\n", (i + 1) % 100));
    }
    same_as_llvm("md_ring", &ring);
    // A chain as long as the verifier allows.
    let limit = air_ir::limits::MAX_METADATA_DEPTH as usize;
    let mut chain = format!("{AIR}!named = !{{!0}}\n");
    for i in 0..limit - 1 {
        chain.push_str(&format!("!{i} = !{{!{}}}\n", i + 1));
    }
    chain.push_str(&format!("!{} = !{{}}\n", limit - 1));
    same_as_llvm("md_chain", &chain);
}

/// A module whose global has the type `{ T, T }` with `T` the same again,
/// `levels` deep (and, with `constant`, a matching non-zero initializer
/// shared the same way): a few records, but text of 2^levels parts.
fn shared_spelling(levels: usize, constant: bool) -> air_ir::Module {
    let mut m = air_ir::parse(AIR, "shared.ll").unwrap();
    let i8t = m.types.i8();
    let mut ty = i8t;
    let mut c = m.constant(i8t, air_ir::ConstKind::Int(air_ir::ApInt::from_u64(8, 7)));
    for _ in 0..levels {
        ty = m.types.struct_(vec![ty, ty], false);
        c = m.constant(ty, air_ir::ConstKind::Struct(vec![c, c]));
    }
    let init = if constant {
        c
    } else {
        m.constant(ty, air_ir::ConstKind::Zero)
    };
    m.globals.push(air_ir::Global {
        name: "g".into(),
        value_ty: ty,
        addrspace: 2,
        is_constant: true,
        initializer: Some(init),
        linkage: air_ir::Linkage::Internal,
        visibility: Default::default(),
        dso_local: false,
        unnamed_addr: Default::default(),
        externally_initialized: false,
        thread_local: Default::default(),
        section: None,
        align: None,
        attachments: Vec::new(),
    });
    m
}

#[test]
fn the_reader_refuses_modules_whose_text_would_explode() {
    // 60 levels verify (the depth is fine) and encode in a few hundred
    // bytes; printing the type alone would take 2^60 parts. Before, the
    // reader took it and `fmt` never finished.
    for constant in [false, true] {
        let m = shared_spelling(60, constant);
        air_ir::verify(&m).unwrap();
        let bytes = write_module(&m, &options("shared.ll")).unwrap();
        assert!(bytes.len() < 4096);
        let e = read_module(&bytes).unwrap_err();
        assert!(e.to_string().contains("the module's text would be"), "{e}");
    }
    // A few levels read and print as before.
    let m = shared_spelling(6, true);
    let bytes = write_module(&m, &options("shared.ll")).unwrap();
    let back = read_module(&bytes).unwrap();
    let text = air_ir::text::print_module(&back, &Default::default());
    assert!(text.len() as u64 <= air_ir::text::text_size_bound(&back));
}

/// A module with a type, a constant and a metadata graph nested `depth`
/// levels (each level one of several shapes, chosen by `rng`) and `width`
/// wide, used by a global and a kernel.
fn nested_module(rng: &mut air_testgen::Rng, depth: usize, width: usize) -> String {
    let mut ty = "i32".to_string();
    let mut value = "7".to_string();
    let mut named = Vec::new();
    for level in 0..depth {
        match rng.below(4) {
            0 => {
                // The second element zero: text linear in the depth.
                value = format!("[{ty} {value}, {ty} zeroinitializer]");
                ty = format!("[2 x {ty}]");
            }
            1 => {
                let extra = (0..width)
                    .map(|k| format!(", i8 {}", k % 100))
                    .collect::<String>();
                value = format!("{{ {ty} {value}{extra} }}");
                ty = format!("{{ {ty}{} }}", ", i8".repeat(width));
            }
            2 => {
                // A named struct: the nesting continues through its body.
                let name = format!("%s{level}");
                named.push(format!("{name} = type {{ {ty} }}"));
                value = format!("{{ {ty} {value} }}");
                ty = name;
            }
            _ => {
                value = format!("[{ty} {value}]");
                ty = format!("[1 x {ty}]");
            }
        }
    }
    let mut text = format!("source_filename = \"gen.ll\"\n{AIR}");
    for n in &named {
        text.push_str(n);
        text.push('\n');
    }
    text.push_str(&format!("@g = addrspace(2) constant {ty} {value}\n"));
    text.push_str("define void @k() {\n  ret void\n}\n");
    // Metadata: a chain `depth` deep, each node `width` operands wide.
    text.push_str("!air.kernel = !{!0}\n!0 = !{void ()* @k, !1}\n");
    for level in 1..=depth.max(1) {
        let next = if level < depth.max(1) {
            format!("!{}", level + 1)
        } else {
            "i32 0".to_string()
        };
        let wide = (0..width).map(|k| format!(", i32 {k}")).collect::<String>();
        text.push_str(&format!("!{level} = !{{{next}{wide}}}\n"));
    }
    text
}

/// Structure-aware generation (issue 20): modules whose types, constants
/// and metadata nest to random depths and widths, from shallow to far past
/// the limits. Shallow ones must go through parse, verify, write and read
/// and print back to the same text; deep ones must be refused with an
/// error (by the parser or the verifier); none may crash anything, the
/// writer included when handed a module the verifier refused.
#[test]
fn generated_deep_and_wide_modules_round_trip_or_are_refused() {
    let limit = air_ir::limits::MAX_TYPE_DEPTH as usize;
    let (mut round_trips, mut refused) = (0, 0);
    for seed in 0..120u64 {
        let mut rng = air_testgen::Rng::new(seed);
        let depth = match seed % 4 {
            0 => rng.below(limit / 4),
            1 => limit / 2 + rng.below(limit),
            2 => 2 * limit + rng.below(4 * limit),
            _ => rng.below(3 * limit),
        };
        // Wide only when shallow: each level repeats the type text, so a
        // wide and deep module would be quadratic in size (the test's own
        // cost, not what it checks).
        let width = if seed % 3 == 0 && depth < limit {
            rng.below(200)
        } else {
            rng.below(4)
        };
        let text = nested_module(&mut rng, depth, width);
        let module = air_ir::parse(&text, "gen.ll");
        let verified = module.as_ref().ok().map(air_ir::verify);
        match (&module, &verified) {
            (Ok(m), Some(Ok(()))) => {
                let bytes = write_module(m, &options("gen.ll"))
                    .unwrap_or_else(|e| panic!("seed {seed}: verified but not encoded: {e}"));
                let back = read_module(&bytes)
                    .unwrap_or_else(|e| panic!("seed {seed}: ours does not read back: {e}"));
                assert_eq!(
                    air_ir::print(&back),
                    air_ir::print(m),
                    "seed {seed}: depth {depth}, width {width}"
                );
                round_trips += 1;
            }
            (Ok(m), Some(Err(_))) => {
                // Refused by the verifier: the writer may fail but not
                // crash, and nothing it writes may crash the reader.
                if let Ok(bytes) = write_module(m, &options("gen.ll")) {
                    let _ = read_module(&bytes).map(|back| air_ir::print(&back));
                }
                refused += 1;
            }
            (Err(_), _) => refused += 1,
            (Ok(_), None) => unreachable!("verified exactly when parsed"),
        }
        // The bands around the limit: a quarter of it always works,
        // twice it never does.
        if depth < limit / 4 {
            assert!(
                matches!(verified, Some(Ok(()))),
                "seed {seed}: depth {depth} was refused: {:?} {:?}",
                module.as_ref().err(),
                verified
            );
        }
        if depth > 2 * limit {
            assert!(
                !matches!(verified, Some(Ok(()))),
                "seed {seed}: depth {depth} accepted"
            );
        }
    }
    assert!(
        round_trips >= 30 && refused >= 30,
        "{round_trips} {refused}"
    );
}

/// `k` declarations whose function attributes are the same `m` string
/// attributes: the writer encodes the set once, as one group and one list.
fn shared_attributes(k: usize, m: usize) -> air_ir::Module {
    let mut m_ = air_ir::parse(AIR, "attrs.ll").unwrap();
    let void = m_.types.void();
    let fty = m_.types.function(void, Vec::new(), false);
    let set = air_ir::AttrSet::from_attrs(
        (0..m).map(|j| air_ir::Attribute::string(&format!("k{j}"), "")),
    );
    for i in 0..k {
        let mut f = air_ir::Function::declaration(&format!("f{i}"), fty, 0);
        f.fn_attrs = set.clone();
        m_.functions.push(f);
    }
    m_
}

#[test]
fn the_reader_charges_attributes_copied_into_functions() {
    // 500 functions naming one list of 500 attributes: 250 000 copies from
    // 28 KB of bitcode, past its allowance (4 per byte plus 65 536, about
    // 180 000 here). Charged at one unit each, 3 000 of 3 000 (170 KB) read
    // into 700 MB.
    let bytes = write_module(&shared_attributes(500, 500), &options("attrs.ll")).unwrap();
    assert!(bytes.len() < 40_000, "{}", bytes.len());
    let e = read_module(&bytes).unwrap_err();
    assert!(e.to_string().contains("allocation budget exhausted"), "{e}");
    // A tenth of the functions read as before.
    let m = shared_attributes(50, 500);
    let back = read_module(&write_module(&m, &options("attrs.ll")).unwrap()).unwrap();
    assert_eq!(back.functions.len(), 50);
    assert!(back.functions.iter().all(|f| f.fn_attrs.len() == 500));
}
