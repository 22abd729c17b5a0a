//! The nesting limits (`air_ir::limits`): types, constants and metadata
//! deeper than 128 (metadata chains: 256) are refused by the parser and by
//! the verifier however the module was built, exactly at the limit and
//! without recursing; everything the verifier accepts prints without
//! `<too deep>` and parses back. Inputs are generated here, small ones just
//! past each limit and one large one per kind.

use air_ir::constant::{ConstExpr, ConstKind};
use air_ir::inst::{Flags, Opcode};
use air_ir::limits::{MAX_CONST_DEPTH, MAX_METADATA_DEPTH, MAX_TYPE_DEPTH};
use air_ir::text::{print_module, PrintOptions};
use air_ir::verify::{verify_all, VerifyErrorKind};
use air_ir::Module;

fn parse(src: &str) -> Module {
    air_ir::parse(src, "limits.ll").unwrap_or_else(|e| panic!("parse error:\n{e}"))
}

/// The verifier's messages about nesting (and nothing else wrong).
fn nesting_errors(m: &Module) -> Vec<String> {
    let errors = verify_all(m);
    for e in &errors {
        assert_eq!(e.kind, VerifyErrorKind::NestingTooDeep, "{e}");
    }
    errors.iter().map(|e| e.to_string()).collect()
}

/// A verified module prints without `<too deep>`, and the text parses to
/// the same module.
fn prints_and_parses_back(m: &Module) {
    let text = print_module(m, &PrintOptions::default());
    assert!(!text.contains("<too deep>"));
    let again = parse(&text);
    assert!(air_ir::eq::modules_equal(m, &again));
}

/// `%t0 = type { %t1 } ... %tN = type { i32 }` with one `alloca %t0`: a
/// chain of named structs `n` + 2 levels deep when laid out (`n` + 1
/// structs and the `i32`; `link` is `""` for by value, `"*"` through
/// pointers).
fn struct_chain(n: usize, link: &str) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!("%t{i} = type {{ %t{}{link} }}\n", i + 1));
    }
    s.push_str(&format!("%t{n} = type {{ i32 }}\n"));
    s.push_str("define void @f() {\n  %a = alloca %t0\n  ret void\n}\n");
    s
}

#[test]
fn named_structs_by_value_are_as_deep_as_their_chain() {
    let limit = MAX_TYPE_DEPTH as usize;
    let ok = parse(&struct_chain(limit - 2, ""));
    assert!(nesting_errors(&ok).is_empty());
    prints_and_parses_back(&ok);

    let deep = parse(&struct_chain(limit - 1, ""));
    let errors = nesting_errors(&deep);
    // Reported once, on the struct where the limit is crossed.
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("%t0") && errors[0].contains("type nests too deeply"));

    // A long chain (issue 20's had 100 000 structs and overflowed the
    // writer's stack; 20 000 overflow a test thread's stack in a debug
    // build if anything recurses per level). One error, not one per struct.
    let n = 20_000;
    let long = parse(&struct_chain(n, ""));
    let errors = nesting_errors(&long);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains(&format!("type %t{}:", n + 1 - limit)),
        "{errors:?}"
    );
}

#[test]
fn named_structs_through_pointers_are_not_deep() {
    let m = parse(&struct_chain(20_000, "*"));
    assert!(nesting_errors(&m).is_empty());
}

#[test]
fn pointer_stars_count_as_levels() {
    let limit = MAX_TYPE_DEPTH as usize;
    let alloca = |stars: usize| {
        format!(
            "define void @f() {{\n  %a = alloca i32{}\n  ret void\n}}\n",
            "*".repeat(stars)
        )
    };
    // `i32` and 127 pointers are 128 levels (the alloca's result type,
    // one pointer more than the allocated type).
    let ok = parse(&alloca(limit - 2));
    assert!(nesting_errors(&ok).is_empty());
    prints_and_parses_back(&ok);
    let deep = parse(&alloca(limit - 1));
    assert_eq!(nesting_errors(&deep).len(), 1);
    // The parser takes any number of stars without recursing; the verifier
    // refuses the type (before, it printed as `<too deep>`).
    let long = parse(&alloca(20_000));
    assert_eq!(nesting_errors(&long).len(), 1);
}

/// A module with globals `@g0 .. @g{n-1}` whose initializers are the chain
/// `c0 = i64 1`, `c{k+1} = add (c{k}, i64 1)`: `@gK` holds `cK`, of height
/// K + 1. The verifier meets them shortest first, each one level deeper
/// than the last it checked.
fn shared_constant_chain(n: usize) -> Module {
    let mut text = String::new();
    for k in 0..n {
        text.push_str(&format!("@g{k} = global i64 0\n"));
    }
    let mut m = parse(&text);
    let i64t = m.types.i64();
    let one = m.constant(i64t, ConstKind::Int(air_ir::ApInt::from_u64(64, 1)));
    let mut c = one;
    for k in 0..n {
        m.globals[k].initializer = Some(c);
        c = m.constant(
            i64t,
            ConstKind::Expr(ConstExpr::Binary {
                op: Opcode::Add,
                lhs: c,
                rhs: one,
                flags: Flags::empty(),
            }),
        );
    }
    m
}

#[test]
fn constant_depth_does_not_depend_on_the_order_of_uses() {
    let limit = MAX_CONST_DEPTH as usize;
    let ok = shared_constant_chain(limit);
    assert!(nesting_errors(&ok).is_empty());
    prints_and_parses_back(&ok);
    // One more level, reached one level at a time: before the limit was a
    // height, each check went one level down and this passed, and the
    // printer then spelled out `<too deep>` for long chains.
    let deep = shared_constant_chain(limit + 1);
    let errors = nesting_errors(&deep);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains(&format!("@g{limit}")), "{errors:?}");
    assert!(errors[0].contains("constants nest too deeply"));
    let long = shared_constant_chain(5_000);
    assert_eq!(nesting_errors(&long).len(), 1);
}

/// `!0 = !{!1} ... !{n-1} = !{!n}`, `!n = !{}`, attached to `@f`: a chain
/// of `n` + 1 nodes. With `cycle`, the last node refers back to `!0`.
fn metadata_chain(n: usize, cycle: bool) -> String {
    let mut s = String::from("define void @f() !note !0 {\n  ret void\n}\n");
    for i in 0..n {
        s.push_str(&format!("!{i} = !{{!{}}}\n", i + 1));
    }
    if cycle {
        s.push_str(&format!("!{n} = !{{!0}}\n"));
    } else {
        s.push_str(&format!("!{n} = !{{}}\n"));
    }
    s
}

#[test]
fn metadata_chains_are_limited_by_reference_depth() {
    let limit = MAX_METADATA_DEPTH as usize;
    let ok = parse(&metadata_chain(limit - 1, false));
    assert!(nesting_errors(&ok).is_empty());
    prints_and_parses_back(&ok);
    let deep = parse(&metadata_chain(limit, false));
    let errors = nesting_errors(&deep);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("metadata nests too deeply"));
    // A cycle counts with all its members.
    let ring = parse(&metadata_chain(limit - 1, true));
    assert!(nesting_errors(&ring).is_empty());
    let ring = parse(&metadata_chain(limit, true));
    assert_eq!(nesting_errors(&ring).len(), 1);
    let long = parse(&metadata_chain(20_000, false));
    assert_eq!(nesting_errors(&long).len(), 1);
}

#[test]
fn the_parser_counts_types_constants_and_metadata_apart() {
    // A constant 121 levels deep whose innermost operand has a type 120
    // levels deep: each kind is within its limit, so the text parses (the
    // verifier accepts the same module, and its text parses again). When
    // the parser counted all kinds together this was 241 levels, refused.
    let ty = format!("{}i8{}", "[1 x ".repeat(119), "]".repeat(119));
    let mut c = format!("i64 ptrtoint ({ty}* null to i64)");
    for _ in 0..119 {
        c = format!("i64 add ({c}, i64 1)");
    }
    let m = parse(&format!("@g = global {c}\n"));
    assert!(nesting_errors(&m).is_empty());
    prints_and_parses_back(&m);
}
