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

/// A schema-2 spec whose steps are `body`, with one scalar `s` and
/// regions `r0..r{regions}` of 32 floats.
fn schema2(regions: usize, body: &str) -> String {
    let mut t = String::from(
        "schema = 2\nkernel = \"k\"\ntarget = \"macos26\"\nthreadgroup_size = 32\n\
         buffer = [{ name = \"src\", element = \"float\", access = \"read\", index = 0 }]\n\
         scalar = [{ name = \"s\", type = \"int\", index = 1 }]\n\
         system_value = [{ name = \"lane\", value = \"thread_index_in_simdgroup\" }]\n",
    );
    t.push_str(body);
    t.push_str("\n[threadgroup]\n");
    for i in 0..regions {
        t.push_str(&format!(
            "[[threadgroup.region]]\nname = \"r{i}\"\nelement = \"float\"\ncount = 32\n"
        ));
    }
    t
}

#[test]
fn the_hazard_check_is_bounded() {
    // Thirteen copies behind guards the check cannot decide: 2^13 states.
    let mut steps = String::from("step = [\n");
    for i in 0..13 {
        steps.push_str(&format!(
            "  {{ kind = \"copy\", when = \"s > {i}\", from = \"src\", to = \"r{i}\", tile = [32, 1] }},\n"
        ));
    }
    steps.push_str("  { kind = \"wait\" },\n  { kind = \"barrier\" },\n]\n");
    let text = schema2(13, &steps);
    let err = air_shell::Spec::from_toml(&text, "wide.toml", None)
        .and_then(|spec| air_shell::generate(&spec, &Options::default()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("checking this spec's hazards needs more than 4096 distinct states"),
        "{err}"
    );
    // Five nested loops of 32 iterations: 33 million state-steps.
    let mut steps = String::from("step = [");
    for i in 0..5 {
        steps.push_str(&format!(
            "{{ kind = \"loop\", var = \"i{i}\", count = 32, body = ["
        ));
    }
    steps.push_str("{ kind = \"barrier\" }");
    steps.push_str(&"] }".repeat(5));
    steps.push_str("]\n");
    let text = schema2(0, &steps);
    let start = Instant::now();
    let err = air_shell::Spec::from_toml(&text, "deep.toml", None)
        .and_then(|spec| air_shell::generate(&spec, &Options::default()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("checking this spec's hazards takes more than 250000 steps"),
        "{err}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
}
