//! The limit on attributes copied out of attribute groups
//! (`air_ir::limits::MAX_GROUP_COPIES_PER_BYTE`): every `#N` on a function
//! header or a call site takes a copy of the group, so a few bytes of
//! references to a large group used to cost memory with the square of the
//! text. Inputs are generated here.

use air_ir::limits::{MAX_GROUP_COPIES_BASE, MAX_GROUP_COPIES_PER_BYTE};

/// A group of `m` string attributes.
fn group(m: usize) -> String {
    let attrs: Vec<String> = (0..m).map(|j| format!("\"k{j}\"")).collect();
    format!("attributes #0 = {{ {} }}\n", attrs.join(" "))
}

/// `k` declarations using group #0 of `m` attributes.
fn declarations(k: usize, m: usize) -> String {
    let mut t = String::from("define void @main() {\n  ret void\n}\n");
    for i in 0..k {
        t.push_str(&format!("declare void @f{i}() #0\n"));
    }
    t + &group(m)
}

/// `k` calls using group #0 of `m` attributes.
fn calls(k: usize, m: usize) -> String {
    let mut t = String::from("declare void @g()\ndefine void @main() {\n");
    for _ in 0..k {
        t.push_str("  call void @g() #0\n");
    }
    t.push_str("  ret void\n}\n");
    t + &group(m)
}

fn allowance(text: &str) -> usize {
    (text.len() as u64 * MAX_GROUP_COPIES_PER_BYTE + MAX_GROUP_COPIES_BASE) as usize
}

#[test]
fn copies_up_to_the_allowance_parse() {
    // 500 uses of 500 attributes: 250 000 copies, within the allowance of
    // this text (about 15 KB).
    for text in [declarations(500, 500), calls(500, 500)] {
        assert!(500 * 500 <= allowance(&text));
        let m = air_ir::parse(&text, "ok.ll").unwrap();
        air_ir::verify(&m).unwrap();
    }
    let m = air_ir::parse(&declarations(500, 500), "ok.ll").unwrap();
    assert_eq!(m.functions[1].fn_attrs.len(), 500);
}

#[test]
fn copies_past_the_allowance_are_an_error_at_the_first_use() {
    for (text, first_use) in [
        (declarations(2_000, 2_000), "declare void @f0() #0"),
        (calls(2_000, 2_000), "  call void @g() #0"),
    ] {
        assert!(2_000 * 2_000 > allowance(&text));
        let line = text.lines().position(|l| l == first_use).unwrap() + 1;
        let col = first_use.find('#').unwrap() + 1;
        let want = format!(
            "attribute group '#0' is used 2000 times, copying 4000000 attributes into \
             functions and calls; all groups copy 4000000, more than the {} this input may \
             (4 per byte plus 262144)",
            allowance(&text)
        );
        // Every way of parsing stops in pass one, before any body.
        for threads in [1, 3] {
            let e =
                air_ir::text::parse_with_source_map_tuned(&text, "big.ll", threads, 0).unwrap_err();
            assert_eq!(
                (e.line, e.col, e.message.as_str()),
                (line, col, want.as_str())
            );
        }
        let e = air_ir::text::LazyModule::new(&text, "big.ll").unwrap_err();
        assert_eq!((e.line, e.col), (line, col));
    }
}

#[test]
fn references_in_strings_and_comments_are_not_counted() {
    // `#0` spelled in a string constant and in comments is no reference.
    let mut text =
        String::from("@s = constant [2 x i8] c\"#0\"\ndeclare void @g()\ndefine void @main() {\n");
    for _ in 0..2_000 {
        text.push_str("  call void @g() ; #0 #0 #0 #0\n");
    }
    text.push_str("  ret void\n}\n");
    text.push_str(&group(2_000));
    air_ir::parse(&text, "strings.ll").unwrap();
}
