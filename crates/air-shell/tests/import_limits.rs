//! Importing a function from a module with long chains (issue 20): named
//! structs that point to each other are copied without recursing per
//! struct, in the order a recursive copy creates them; chains through
//! globals stop at the import's depth limit with an error. Inputs are
//! generated here.

use air_shell::import::import_function;
use air_shell::limits::MAX_IMPORT_DEPTH;

fn parse(text: &str) -> air_ir::Module {
    let m = air_ir::parse(text, "inline.ll").unwrap_or_else(|e| panic!("{e}"));
    air_ir::verify(&m).unwrap_or_else(|e| panic!("{e}"));
    m
}

#[test]
fn a_long_chain_of_structs_is_copied_whole() {
    // 20 000 structs, each pointing to the next: a recursive copy overflows
    // a test thread's stack in a debug build.
    let n = 20_000;
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!("%t{i} = type {{ i32, %t{}* }}\n", i + 1));
    }
    text.push_str(&format!("%t{n} = type {{ i32 }}\n"));
    text.push_str("define void @f(%t0* %p) {\n  ret void\n}\n");
    let src = parse(&text);
    let mut dst = air_ir::Module::new();
    import_function(&mut dst, &src, "f").unwrap();
    air_ir::verify(&dst).unwrap();
    assert_eq!(dst.types.named_structs().len(), n + 1);
    // Created in the order of the source's chain, bodies and all.
    let printed = air_ir::text::print_module(&dst, &Default::default());
    let last = printed.find(&format!("%t{n} = type {{ i32 }}")).unwrap();
    assert!(printed.find("%t0 = type { i32, %t1* }").unwrap() < last);
}

#[test]
fn structs_are_created_in_the_order_a_recursive_copy_creates_them() {
    // `%a` holds `%b*` and then `%c`; `%b` holds `%d`. A recursive copy
    // creates a, b, d (inside b), then c: the shell lists them so.
    let src = parse(
        "%a = type { %b*, %c }\n%b = type { %d }\n%c = type { i8 }\n%d = type { i16 }\n%z = type { %c, %a* }\ndefine void @f(%z* %p) {\n  ret void\n}\n",
    );
    let mut dst = air_ir::Module::new();
    import_function(&mut dst, &src, "f").unwrap();
    let names: Vec<String> = dst
        .types
        .named_structs()
        .iter()
        .map(|id| match dst.types.get(*id) {
            air_ir::Type::Named(n) => n.clone(),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(names, ["z", "c", "a", "b", "d"]);
}

#[test]
fn chains_through_globals_end_at_the_depth_limit() {
    // `@gK` holds the address of `@gK+1`: each link is two levels of the
    // copy (the cast and the global's address).
    let chain = |n: usize| {
        let mut text = String::new();
        for k in 0..n {
            text.push_str(&format!(
                "@g{k} = global i8* bitcast (i8** @g{} to i8*)\n",
                k + 1
            ));
        }
        text.push_str(&format!("@g{n} = global i8* null\n"));
        text.push_str("define i8** @f() {\n  ret i8** @g0\n}\n");
        parse(&text)
    };
    let ok = chain(MAX_IMPORT_DEPTH as usize / 2 - 1);
    let mut dst = air_ir::Module::new();
    import_function(&mut dst, &ok, "f").unwrap();
    air_ir::verify(&dst).unwrap();
    let long = chain(20_000);
    let mut dst = air_ir::Module::new();
    let e = import_function(&mut dst, &long, "f").unwrap_err();
    assert!(e.message.contains("levels deep"), "{e}");
}
