//! The parser must never panic, overflow the stack or hang, whatever the
//! input: truncated files, mutated files, token soups, deep nesting.

use proptest::prelude::*;

fn corpus_texts() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("corpus dir") {
        let path = entry.expect("dir entry").path();
        if path.extension().and_then(|e| e.to_str()) == Some("ll") {
            out.push(std::fs::read_to_string(path).expect("readable"));
        }
    }
    out.sort();
    out
}

/// Parses and, on success, checks nothing more: only the absence of panics
/// matters here.
fn try_parse(src: &str) {
    let _ = air_ir::parse(src, "fuzz.ll");
}

#[test]
fn every_prefix_of_corpus_files() {
    for text in corpus_texts() {
        // Every prefix at every token-ish boundary: stepping through all
        // char boundaries of the bigger files would be slow in debug builds,
        // so take every boundary in the first 4 KiB and every 7th after.
        let bounds: Vec<usize> = (0..=text.len())
            .filter(|i| text.is_char_boundary(*i))
            .collect();
        for (n, &i) in bounds.iter().enumerate() {
            if i < 4096 || n % 7 == 0 {
                try_parse(&text[..i]);
            }
        }
    }
}

#[test]
fn deep_nesting_of_every_bracket() {
    for open in [
        "[",
        "(",
        "{",
        "<",
        "!{",
        "<{",
        "[1 x ",
        "<1 x ",
        "i8 (",
        "add (i8 1, i8 ",
    ] {
        for prefix in [
            "",
            "@g = global ",
            "!0 = ",
            "define void @f() {\n %x = call void ",
            "@g = global i8* ",
        ] {
            let src = format!("{prefix}{}", open.repeat(100_000));
            try_parse(&src);
        }
    }
}

#[test]
fn huge_numbers() {
    for src in [
        format!("@g = global i32 {}\n", "9".repeat(200_000)),
        format!("@g = global i8388607 {}\n", "9".repeat(50_000)),
        format!("@g = global i8388607 -{}\n", "1".repeat(1000)),
        format!("@g = global i{} 0\n", "9".repeat(40)),
        format!("@g = global [{} x i8] zeroinitializer\n", "9".repeat(40)),
        "@g = global double 0x123456789ABCDEF01\n".to_string(),
        "@g = global float 1e999\n".to_string(),
        format!("!{} = !{{}}\n", "9".repeat(30)),
        format!("define void @f() #{} {{ ret void }}\n", "9".repeat(30)),
        format!(
            "define void @f() {{\n%{} = add i32 1, 1\nret void\n}}\n",
            "9".repeat(30)
        ),
        "define void @f(i32 %x) { %y = alloca i32, align 9999999999999999999999 ret void }"
            .to_string(),
    ] {
        try_parse(&src);
    }
}

const SOUP: &[&str] = &[
    "define",
    "declare",
    "void",
    "i32",
    "float",
    "@f",
    "@g",
    "%x",
    "%0",
    "%1",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "<",
    ">",
    ",",
    "=",
    "*",
    "!0",
    "!{",
    "!\"s\"",
    "!a",
    "global",
    "constant",
    "ret",
    "br",
    "label",
    "call",
    "phi",
    "add",
    "getelementptr",
    "bitcast",
    "to",
    "x",
    "1",
    "-1",
    "1.0",
    "0xH3C00",
    "entry:",
    "1:",
    "c\"a\"",
    "\"s\"",
    "#0",
    "attributes",
    "type",
    "opaque",
    "null",
    "undef",
    "align",
    "4",
    "addrspace",
    "metadata",
    "...",
    "\n",
    "store",
    "load",
    "switch",
    "true",
    "zeroinitializer",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn token_soup_never_panics(picks in proptest::collection::vec(0..SOUP.len(), 0..80)) {
        let src: Vec<&str> = picks.iter().map(|i| SOUP[*i]).collect();
        try_parse(&src.join(" "));
    }

    #[test]
    fn random_bytes_never_panic(s in "\\PC{0,200}") {
        try_parse(&s);
    }

    #[test]
    fn mutated_corpus_never_panics(file in 0usize..64, edits in proptest::collection::vec((any::<usize>(), 0u8..4, any::<char>()), 1..6)) {
        let texts = corpus_texts();
        let mut text = texts[file % texts.len()].clone();
        for (at, what, c) in edits {
            let mut at = at % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match what {
                0 => text.insert(at, c),
                1 => {
                    if let Some(ch) = text[at..].chars().next() {
                        text.replace_range(at..at + ch.len_utf8(), "");
                    }
                }
                2 => {
                    let sym = ['{', '}', '(', ')', '[', ']', '<', '>', ',', '%', '@', '!', '"', '*', '='][c as usize % 15];
                    text.insert(at, sym);
                }
                _ => text.truncate(at),
            }
        }
        try_parse(&text);
    }
}
