//! Schema 2: one failing spec per rule of loops, double buffering and the
//! hazard check, each with its expected message and the spec line it
//! names. The base is the GEMM-shaped shell of `tests/loops/gemm_small.toml`
//! (valid), broken one rule at a time.

mod common;

use air_shell::{Diagnostic, Options};

const BASE: &str = include_str!("loops/gemm_small.toml");

fn result(text: &str) -> Result<air_shell::Shell, air_shell::Error> {
    air_shell::Spec::from_toml(text, "t.toml", None)
        .and_then(|spec| air_shell::generate(&spec, &Options::default()))
}

fn diags(text: &str) -> Vec<Diagnostic> {
    common::spec_diagnostics(text, None)
}

#[track_caller]
fn expect(text: &str, line: usize, message: &str) {
    common::expect_diagnostic(&diags(text), line, message);
}

/// `text` with `old` replaced by `new` (`old` must occur once).
fn edit_in(text: &str, old: &str, new: &str) -> String {
    assert_eq!(text.matches(old).count(), 1, "`{old}` is not unique");
    text.replacen(old, new, 1)
}

fn edit(old: &str, new: &str) -> String {
    edit_in(BASE, old, new)
}

/// The 1-based line of the `n`-th (0-based) occurrence of `needle`.
fn line_of_nth(text: &str, needle: &str, n: usize) -> usize {
    let at = text.match_indices(needle).nth(n).unwrap().0;
    text[..at].matches('\n').count() + 1
}

fn line_of(text: &str, needle: &str) -> usize {
    line_of_nth(text, needle, 0)
}

/// The line of the `[[step]]`/`[[step.body]]` header above `needle`.
fn step_line(text: &str, needle: &str) -> usize {
    let at = text.find(needle).unwrap();
    let header = text[..at].rfind("\n[[step").unwrap() + 1;
    text[..header].matches('\n').count() + 1
}

const BODY_BARRIER: &str = "[[step.body]]\nkind = \"barrier\"\n";
const PREFETCH_A: &str = "to = \"A_tile@(kb + 1)\"";
const TILE_CALL: &str = "function = \"gemm_tile\"";

#[test]
fn the_base_is_valid() {
    result(BASE).unwrap();
}

#[test]
fn threadgroup_budget_counts_every_buffer() {
    // A: 2 x 4000 floats, B: 2 x 64, C: 128 = 33024 bytes; with one
    // buffer of A it would be 17024.
    result(&edit(
        "count = 32\nbuffers = 2",
        "count = 3968\nbuffers = 2",
    ))
    .unwrap();
    let t = edit("count = 32\nbuffers = 2", "count = 4000\nbuffers = 2");
    expect(
        &t,
        line_of(&t, "[threadgroup]"),
        "threadgroup memory is 33024 bytes, over the 32 KiB (32768 bytes) limit (`A_tile`: 2 buffers x 16000 bytes, `B_tile`: 2 buffers x 256 bytes)",
    );
}

#[test]
fn a_region_read_while_its_copy_is_in_flight() {
    // The wait moved after the call.
    let wait = "[[step.body]]\nkind = \"wait\"\nfor = [\"A_tile@kb\", \"B_tile@kb\"]\n\n";
    let t = edit(wait, "").replace(
        "args = [\"A_tile@kb\", \"B_tile@kb\", \"acc\", \"tid\"]\n",
        &format!("args = [\"A_tile@kb\", \"B_tile@kb\", \"acc\", \"tid\"]\n\n{wait}"),
    );
    let copy_line = step_line(&t, "to = \"A_tile@0\"");
    expect(
        &t,
        step_line(&t, TILE_CALL),
        &format!("`gemm_tile` reads `A_tile@kb` (`A_tile` buffer 0) while the copy at line {copy_line} into it may be in flight; wait for it first (with NK = 1, kb = 0)"),
    );
}

#[test]
fn a_copy_into_a_buffer_the_previous_iteration_may_still_read() {
    // No barrier between the call of iteration kb - 1 and the prefetch of
    // iteration kb, which overwrites the buffer that call read.
    let t = edit(BODY_BARRIER, "");
    let call = step_line(&t, TILE_CALL);
    expect(
        &t,
        step_line(&t, PREFETCH_A),
        &format!("this copy may overwrite `A_tile` buffer 0 while it is still being read in the call at line {call} (an earlier iteration, or earlier in this one; by any simdgroup, this one included); add a threadgroup barrier between them (with NK = 3, kb = 1)"),
    );
    // The barrier after the prefetch is too late.
    let t = edit(BODY_BARRIER, "").replace(
        "[[step.body]]\nkind = \"call\"",
        "[[step.body]]\nkind = \"barrier\"\n\n[[step.body]]\nkind = \"call\"",
    );
    expect(
        &t,
        step_line(&t, PREFETCH_A),
        "this copy may overwrite `A_tile` buffer 0 while it is still being read",
    );
    // One simdgroup: the same rule. Nothing orders the copy engine after
    // the issuing simdgroup's own earlier loads but a barrier, and the CPU
    // executor reports this race at run time
    // (docs/executor-semantics.md, "Async copies and events").
    let t = edit(BODY_BARRIER, "").replace("threadgroup_size = 64", "threadgroup_size = 32");
    expect(
        &t,
        step_line(&t, PREFETCH_A),
        "this copy may overwrite `A_tile` buffer 0 while it is still being read",
    );
}

#[test]
fn a_copy_out_of_data_a_call_wrote_without_a_barrier() {
    let t = edit(
        "[[step]]\nkind = \"barrier\"\n\n[[step]]\nkind = \"copy\"\nfrom = \"C_tile\"",
        "[[step]]\nkind = \"copy\"\nfrom = \"C_tile\"",
    );
    let store = step_line(&t, "function = \"gemm_store\"");
    expect(
        &t,
        step_line(&t, "from = \"C_tile\""),
        &format!("this copy reads `C_tile`, which the call at line {store} wrote, with no threadgroup barrier between them"),
    );
}

#[test]
fn m1_rule_every_copy_waited_for() {
    // The last prefetch is never waited for when the `when` is on the
    // wait instead of the copies... simplest: drop the final wait.
    let t = edit("\n[[step]]\nkind = \"wait\"\n", "\n");
    expect(
        &t,
        step_line(&t, "from = \"C_tile\""),
        "threadgroup -> device copy `C_tile` -> `C` is never waited for; it must be waited for before the kernel exits",
    );
    // The prefetch without its guard, and a final wait for the store
    // copy only: the block fetched in the last iteration is never waited
    // for.
    let t = edit(
        "kind = \"copy\"\nwhen = \"kb + 1 < NK\"\nfrom = \"A\"",
        "kind = \"copy\"\nfrom = \"A\"",
    );
    let t = edit_in(
        &t,
        "\n[[step]]\nkind = \"wait\"\n",
        "\n[[step]]\nkind = \"wait\"\nfor = [\"C_tile\"]\n",
    );
    expect(
        &t,
        step_line(&t, PREFETCH_A),
        "device -> threadgroup copy `A` -> `A_tile@(kb + 1)` is never waited for; it must be waited for and followed by a threadgroup barrier before the kernel exits, and its data read (M1 hang rule, docs/air-intrinsics.md#the-m1-hang-rule) (with NK = 1)",
    );
}

#[test]
fn m1_rule_a_barrier_after_the_wait() {
    // Without `requires` NK may be 0: the loop never runs, the first
    // blocks are waited for by the final wait, with no barrier after.
    let t = edit(
        "requires = [\"M >= 1\", \"N >= 1\", \"NK >= 1\", \"m0 < M\"]",
        "requires = [\"M >= 1\", \"N >= 1\", \"m0 < M\"]",
    );
    expect(
        &t,
        step_line(&t, "to = \"A_tile@0\""),
        "device -> threadgroup copy `A` -> `A_tile@0` is waited for but no threadgroup barrier follows before the kernel exits, and nothing reads its data (M1 hang rule, docs/air-intrinsics.md#the-m1-hang-rule; guard a prefetch for the next iteration with `when`) (with NK = 0; if `NK` is never below 1, add `NK >= 1` to `requires`)",
    );
}

#[test]
fn m1_rule_the_data_is_read() {
    // The prefetch without its guard: in the last iteration it fetches a
    // block nothing reads (and only the final wait waits for it).
    let t = edit(
        "kind = \"copy\"\nwhen = \"kb + 1 < NK\"\nfrom = \"A\"",
        "kind = \"copy\"\nfrom = \"A\"",
    );
    expect(
        &t,
        step_line(&t, PREFETCH_A),
        "device -> threadgroup copy `A` -> `A_tile@(kb + 1)` is waited for but no threadgroup barrier follows before the kernel exits, and nothing reads its data",
    );
    // Waited for and a barrier after, but never read: the call is gone.
    let t = edit(
        "[[step.body]]\nkind = \"call\"\nfunction = \"gemm_tile\"\nargs = [\"A_tile@kb\", \"B_tile@kb\", \"acc\", \"tid\"]\n",
        "[[step.body]]\nkind = \"call\"\nfunction = \"gemm_tile\"\nargs = [\"B_tile@kb\", \"acc\", \"tid\"]\n",
    )
    .replace("params = [\"a\", \"b\", \"acc\", \"tid\"]", "params = [\"b\", \"acc\", \"tid\"]");
    expect(
        &t,
        step_line(&t, "to = \"A_tile@0\""),
        "device -> threadgroup copy `A` -> `A_tile@0` is never read before the kernel exits: no call gets `A_tile` buffer 0 and no copy copies it out after the wait (M1 hang rule, docs/air-intrinsics.md#the-m1-hang-rule; guard a prefetch for the next iteration with `when`) (with NK = 1)",
    );
}

#[test]
fn events_and_waits() {
    // Waiting for a buffer with nothing in flight (the prefetch is gone).
    let t = edit(
        "kind = \"copy\"\nwhen = \"kb + 1 < NK\"\nfrom = \"A\"",
        "kind = \"copy\"\nwhen = \"kb + 1 < 1\"\nfrom = \"A\"",
    );
    expect(
        &t,
        step_line(&t, "for = [\"A_tile@kb\""),
        "nothing is in flight for `A_tile@kb` (`A_tile` buffer 1) here, so there is no event to wait for (with NK = 2, kb = 1)",
    );
    // Two copies in flight on one buffer: the first event would be lost.
    let t = edit(
        "[[step]]\nkind = \"loop\"",
        "[[step]]\nkind = \"copy\"\nfrom = \"B\"\nto = \"B_tile@0\"\ntile = [16, 4]\nsrc_pitch = \"N\"\n\n[[step]]\nkind = \"loop\"",
    );
    expect(
        &t,
        line_of(&t, "[[step]]\nkind = \"loop\"") - 7,
        "copy into or out of `B_tile` buffer 0 while the copy at line",
    );
    // A plain wait inside the loop covers a different buffer each
    // iteration.
    let t = edit(
        "kind = \"wait\"\nfor = [\"A_tile@kb\", \"B_tile@kb\"]",
        "kind = \"wait\"",
    );
    expect(
        &t,
        line_of(&t, "[[step.body]]\nkind = \"wait\"\n\n"),
        "this `wait` would wait for different copies on different paths or iterations (`A_tile` buffer 0, `B_tile` buffer 0 or `A_tile` buffer 1, `B_tile` buffer 1); name them with `for = [...]`",
    );
}

#[test]
fn names_slots_and_uniformity() {
    let t = edit("count = \"NK\"", "count = \"NK + tid\"");
    expect(
        &t,
        line_of(&t, "count = \"NK + tid\""),
        "`tid` varies per thread; a loop count must be the same for the whole threadgroup",
    );
    let t = edit(
        "when = \"kb + 1 < NK\"\nfrom = \"A\"",
        "when = \"tid < NK\"\nfrom = \"A\"",
    );
    expect(
        &t,
        line_of(&t, "when = \"tid < NK\""),
        "`tid` varies per thread; a `when` condition must be the same for the whole threadgroup",
    );
    let t = edit("to = \"A_tile@0\"", "to = \"A_tile\"");
    expect(
        &t,
        step_line(&t, "to = \"A_tile\"\n"),
        "region `A_tile` has 2 buffers; name one, as `A_tile@0` or `A_tile@i` with a loop variable `i`",
    );
    let t = edit(
        "args = [\"acc\", \"C_tile\", \"tid\"]",
        "args = [\"acc\", \"C_tile@0\", \"tid\"]",
    );
    expect(
        &t,
        line_of(&t, "\"C_tile@0\""),
        "region `C_tile` has one buffer; name it `C_tile` without a slot",
    );
    let t = edit(
        "for = [\"A_tile@kb\", \"B_tile@kb\"]",
        "for = [\"A_tile@tid\", \"B_tile@kb\"]",
    );
    expect(
        &t,
        line_of(&t, "A_tile@tid"),
        "a slot takes constants and loop variables; `tid` is neither",
    );
    let t = edit("var = \"kb\"", "var = \"tg\"");
    expect(
        &t,
        step_line(&t, "var = \"tg\""),
        "loop variable `tg` is already a name of the spec",
    );
    let t = edit(
        "NK = \"(K + BK - 1) / BK\"",
        "NK = \"(K + BK - 1) / BK + TILES_N2\"\nTILES_N2 = \"NK\"",
    );
    expect(
        &t,
        line_of(&t, "NK = \"(K"),
        "let `NK` depends on itself (a cycle of lets)",
    );
    let t = edit(
        "tile = [\"min(BK, K)\", \"min(BM, M - m0)\"]",
        "tile = [\"K\", \"min(BM, M - m0)\"]",
    );
    expect(
        &t,
        line_of(&t, "tile = [\"K\""),
        "a run-time tile width must be `min(C, expr)` with a positive constant `C`",
    );
    let t = edit(
        "dst_tile = [4, 8]\n\n[[step]]",
        "dst_tile = [\"min(4, K)\", 8]\n\n[[step]]",
    );
    expect(
        &t,
        step_line(&t, "to = \"A_tile@0\""),
        "`dst_tile` of a device -> threadgroup copy must be constant",
    );
    let t = edit("src_pitch = 16", "src_pitch = \"N\"");
    expect(
        &t,
        line_of(
            &t,
            "src_pitch = \"N\"\ntile = [\"min(BN, N - n0)\", \"min(BM",
        ),
        "the src_pitch of the region side must be a constant",
    );
    let t = edit("fill = 0.0", "fill = \"zero\"");
    expect(
        &t,
        line_of(&t, "fill = \"zero\""),
        "private `fill` must be an integer or a float",
    );
    let t = edit(
        "element = \"float\"\ncount = 2\nfill = 0.0",
        "element = \"int\"\ncount = 2\nfill = 0.5",
    );
    expect(
        &t,
        line_of(&t, "[[private]]"),
        "private `acc` holds `int`, so its `fill` must be an integer, found 0.5",
    );
    let t = edit(
        "buffers = 2\n\n[[threadgroup.region]]\nname = \"B_tile\"",
        "buffers = 5\n\n[[threadgroup.region]]\nname = \"B_tile\"",
    );
    expect(
        &t,
        line_of(&t, "name = \"A_tile\"") - 1,
        "region `A_tile` has 5 buffers; a region has 1 to 4",
    );
}

#[test]
fn msl_paths_follow_the_inline_rules() {
    let t = edit(
        "inline = \"gemm_small_store.ll\"",
        "inline = \"gemm_small_store.ll\"\nmsl = \"../gemm_store.metal\"",
    );
    expect(
        &t,
        line_of_nth(&t, "[[function]]", 1),
        "msl source `../gemm_store.metal` of `gemm_store`: `..` is not allowed",
    );
}

#[test]
fn schema_1_files_keep_their_meaning() {
    let t = edit("schema = 2", "schema = 1");
    let d = diags(&t);
    for (needle, what) in [
        ("[let]", "`let` needs `schema = 2`"),
        ("requires = [", "`requires` needs `schema = 2`"),
        ("[[private]]", "`private` needs `schema = 2`"),
        ("name = \"A_tile\"", "`buffers` needs `schema = 2`"),
        ("kind = \"loop\"", "a `loop` step needs `schema = 2`"),
    ] {
        let mut line = line_of(&t, needle);
        if needle == "name = \"A_tile\"" || needle == "kind = \"loop\"" {
            line -= 1;
        }
        assert!(
            d.iter()
                .any(|x| x.message == what && x.pos.map(|p| p.line) == Some(line)),
            "expected `{what}` on line {line}:\n{}",
            d.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

#[test]
fn step_fields_belong_to_their_kind() {
    let t = edit(
        "kind = \"barrier\"\n\n[[step.body]]",
        "kind = \"barrier\"\nfor = [\"A_tile@kb\"]\n\n[[step.body]]",
    );
    expect(
        &t,
        line_of(&t, "for = [\"A_tile@kb\"]\n\n"),
        "`for` is not a field of a `barrier` step",
    );
    let t = edit("var = \"kb\"", "var = \"kb\"\nwhen = \"NK > 1\"");
    expect(
        &t,
        line_of(&t, "when = \"NK > 1\""),
        "`when` is not a field of a `loop` step",
    );
    let t = edit("var = \"kb\"\ncount = \"NK\"", "var = \"kb\"");
    expect(
        &t,
        step_line(&t, "var = \"kb\""),
        "a loop step needs `var`, `count` and `body`",
    );
}

#[test]
fn loops_nest_at_most_eight_deep() {
    let mut t = String::from("schema = 2\nkernel = \"k\"\ntarget = \"macos26\"\nstep = [");
    for i in 0..9 {
        t.push_str(&format!(
            "{{ kind = \"loop\", var = \"i{i}\", count = 2, body = ["
        ));
    }
    t.push_str(&"] }".repeat(9));
    t.push_str("]\n");
    expect(&t, 4, "loops nest more than 8 deep");
}

/// The worked example of the crate's shell-spec.md, as printed there.
fn doc_example() -> String {
    let doc = include_str!("../docs/shell-spec.md");
    let section = &doc[doc.find("## A tiled GEMM (worked example)").unwrap()..];
    let start = section.find("```toml\n").unwrap() + "```toml\n".len();
    let end = start + section[start..].find("```").unwrap();
    section[start..end].to_string()
}

#[test]
fn the_worked_example_of_the_docs_does_what_they_say() {
    let text = doc_example();
    let shell = result(&text).unwrap_or_else(|e| panic!("{e}"));
    assert!(shell.msl_prototypes.contains(
        "[[visible]] void gemm_tile(threadgroup float* a, threadgroup float* b, thread float* acc, uint sidx, uint lane);"
    ));
    let ll = shell.ll_text();
    assert!(
        ll.contains("%event = alloca [6 x %event_t addrspace(3)*], align 8"),
        "{ll}"
    );
    assert_eq!(
        ll.matches("call void @air.wait_simdgroup_events(i32 2,")
            .count(),
        1,
        "{ll}"
    );
    assert_eq!(shell.manifest.threadgroup_bytes, 20480);
    // The three mistakes the docs name.
    let prefetch_first = edit_in(
        &text,
        "    { kind = \"barrier\" },\n    { kind = \"copy\", when",
        "    { kind = \"copy\", when",
    )
    .replace(
        "    { kind = \"call\", function = \"gemm_tile\"",
        "    { kind = \"barrier\" },\n    { kind = \"call\", function = \"gemm_tile\"",
    );
    expect(
        &prefetch_first,
        line_of(&prefetch_first, "to = \"A_tile@(kb + 1)\""),
        "may overwrite `A_tile` buffer 0 while it is still being read",
    );
    let d = diags(&prefetch_first);
    assert!(
        d.iter()
            .any(|d| d.message.ends_with("(with NK = 3, kb = 1)")),
        "{d:?}"
    );
    let unguarded = edit_in(
        &text,
        "{ kind = \"copy\", when = \"kb + 1 < NK\", from = \"A\"",
        "{ kind = \"copy\", from = \"A\"",
    );
    expect(
        &unguarded,
        line_of(&unguarded, "to = \"A_tile@(kb + 1)\""),
        "nothing reads its data",
    );
    let no_nk = edit_in(&text, "\"NK >= 1\", ", "");
    expect(
        &no_nk,
        line_of(&no_nk, "to = \"A_tile@0\""),
        "(with NK = 0; if `NK` is never below 1, add `NK >= 1` to `requires`)",
    );
    let big = text.replace("count = 1024, buffers = 2", "count = 2048, buffers = 2");
    expect(
        &big,
        line_of(&big, "[threadgroup]"),
        "threadgroup memory is 36864 bytes",
    );
}
