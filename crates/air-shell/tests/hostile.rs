//! Hostile specs from issue 20, generated here (no large files committed):
//! a 100,000-term offset expression must be a diagnostic, not a stack
//! overflow, and reading and generating a spec must take time linear in
//! its number of steps.

use std::time::{Duration, Instant};

use air_shell::Options;

/// A valid schema-1 spec with `steps` copy/wait/barrier/call quadruples
/// (each copy is read by its call, so every one is valid).
fn many_steps(rounds: usize) -> String {
    let mut t = String::from(
        "schema = 1\nkernel = \"k\"\ntarget = \"macos26\"\nthreadgroup_size = 32\n\n\
         [[buffer]]\nname = \"src\"\nelement = \"float\"\naccess = \"read\"\nindex = 0\n\n\
         [[system_value]]\nname = \"lane\"\nvalue = \"thread_index_in_simdgroup\"\n\n\
         [threadgroup]\n[[threadgroup.region]]\nname = \"tile\"\nelement = \"float\"\ncount = 32\n\n",
    );
    for i in 0..rounds {
        t.push_str(&format!(
            "[[step]]\nkind = \"copy\"\nfrom = \"src\"\nto = \"tile\"\ntile = [32, 1]\nsrc_offset = {}\n\n\
             [[step]]\nkind = \"wait\"\n\n[[step]]\nkind = \"barrier\"\n\n\
             [[step]]\nkind = \"call\"\nfunction = \"f\"\nargs = [\"tile[lane]\"]\n\n",
            i * 32
        ));
    }
    t
}

fn load_and_generate(text: &str) -> Duration {
    let start = Instant::now();
    let spec = air_shell::Spec::from_toml(text, "many.toml", None).unwrap();
    air_shell::generate(&spec, &Options::default()).unwrap();
    start.elapsed()
}

#[test]
fn a_hundred_thousand_term_offset_is_a_diagnostic() {
    let long = vec!["1"; 100_000].join("+");
    let text = many_steps(1).replace("src_offset = 0", &format!("src_offset = \"{long}\""));
    assert!(text.contains(&long));
    let err = air_shell::Spec::from_toml(&text, "long.toml", None)
        .and_then(|spec| air_shell::generate(&spec, &Options::default()))
        .unwrap_err();
    let d = err.diagnostics();
    assert!(
        d.iter().any(|d| d
            .message
            .contains("the expression is 199999 bytes long, over the limit of 1024")
            && d.pos.map(|p| p.line)
                == Some(
                    text[..text.find("src_offset").unwrap()]
                        .matches('\n')
                        .count()
                        + 1
                )),
        "{err}"
    );
    // The limit is on bytes: a 1024-byte chain still works, and its tree
    // (512 levels) is evaluated, folded and printed without trouble.
    let ok = vec!["1"; 512].join("+");
    assert_eq!(ok.len(), 1023);
    let text = many_steps(1)
        .replace("count = 32", "count = 1024")
        .replace("src_offset = 0", &format!("src_offset = \"{ok}\""));
    let spec = air_shell::Spec::from_toml(&text, "ok.toml", None).unwrap();
    air_shell::generate(&spec, &Options::default()).unwrap();
}

#[test]
fn loading_is_linear_in_the_number_of_steps() {
    // 20,000 steps took 8 s (release build) before the schema check: every
    // position was found by scanning the text from its start. Time 2,000
    // and 20,000 steps; a quadratic reader is ~100 times slower on the
    // second, a linear one ~10 times. The bound (40 times, plus slack for a
    // loaded machine) separates the two without being tight.
    let small = many_steps(500);
    let large = many_steps(5000);
    // Warm up (allocator, page faults) once.
    load_and_generate(&small);
    let t_small = (0..3).map(|_| load_and_generate(&small)).min().unwrap();
    let t_large = load_and_generate(&large);
    assert!(
        t_large < t_small * 40 + Duration::from_millis(500),
        "20,000 steps took {t_large:?}, 2,000 took {t_small:?}: not linear"
    );
}
