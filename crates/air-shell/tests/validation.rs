//! One failing spec per validation rule, each with its expected message and
//! the spec line it names.

mod common;

use air_shell::{Diagnostic, Options};

/// A valid spec; the tests break it one rule at a time. Line numbers below
/// refer to this text (line 1 is `schema = 1`).
const BASE: &str = r#"schema = 1
kernel = "k"
target = "macos26"
threadgroup_size = 32

[[buffer]]
name = "src"
element = "float"
access = "read"
index = 0

[[buffer]]
name = "dst"
element = "float"
access = "read_write"
index = 1

[[system_value]]
name = "tid"
value = "thread_position_in_grid"

[[system_value]]
name = "lane"
value = "thread_index_in_simdgroup"

[threadgroup]

[[threadgroup.region]]
name = "tile"
element = "float"
count = 32

[[step]]
kind = "copy"
from = "src"
to = "tile"
tile = [32, 1]
src_offset = "tid / 32 * 32"

[[step]]
kind = "wait"

[[step]]
kind = "barrier"

[[step]]
kind = "call"
function = "f"
args = ["tile[lane]"]
returns = "float"
store = "dst[tid]"
"#;

/// Generates `text`; returns the diagnostics (panics if it succeeds).
fn diags(text: &str) -> Vec<Diagnostic> {
    common::spec_diagnostics(text, Some(&common::specs_dir()))
}

/// Asserts one diagnostic containing `message` on `line`.
#[track_caller]
fn expect(text: &str, line: usize, message: &str) {
    common::expect_diagnostic(&diags(text), line, message);
}

/// `BASE` with `old` replaced by `new` (which must occur once).
fn edit(old: &str, new: &str) -> String {
    assert_eq!(
        BASE.matches(old).count(),
        1,
        "`{old}` is not unique in BASE"
    );
    BASE.replace(old, new)
}

/// The 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).unwrap()].matches('\n').count() + 1
}

/// The line of the table header (`[[step]]`, `[threadgroup]`, ...) that
/// holds the first occurrence of `needle`: items are reported there.
fn item_line(text: &str, needle: &str) -> usize {
    let at = text.find(needle).unwrap();
    let header = text[..at].rfind("\n[").map_or(0, |i| i + 1);
    text[..header].matches('\n').count() + 1
}

#[test]
fn base_spec_is_valid() {
    let spec = air_shell::Spec::from_toml(BASE, "t.toml", None).unwrap();
    air_shell::generate(&spec, &Options::default()).unwrap();
}

#[test]
fn threadgroup_memory_over_32_kib() {
    let t = edit("count = 32", "count = 8193");
    expect(
        &t,
        line_of(&t, "[threadgroup]"),
        "threadgroup memory is 32772 bytes, over the 32 KiB (32768 bytes) limit",
    );
    let t = edit("[threadgroup]\n", "[threadgroup]\nbytes = 40000\n");
    expect(
        &t,
        item_line(&t, "bytes = 40000"),
        "threadgroup memory is 40000 bytes, over the 32 KiB",
    );
}

#[test]
fn overlapping_regions() {
    let t = edit(
        "count = 32\n",
        "count = 32\n\n[[threadgroup.region]]\nname = \"other\"\nelement = \"float\"\ncount = 4\noffset = 64\n",
    );
    expect(
        &t,
        item_line(&t, "name = \"other\""),
        "region `other` (bytes 64..80) overlaps region `tile` (bytes 0..128)",
    );
}

#[test]
fn misaligned_regions() {
    let t = edit(
        "count = 32\n",
        "count = 32\n\n[[threadgroup.region]]\nname = \"other\"\nelement = \"float\"\ncount = 4\noffset = 130\n",
    );
    expect(
        &t,
        item_line(&t, "name = \"other\""),
        "region `other` is misaligned: offset 130 is not a multiple of its alignment 4",
    );
    let t = edit("count = 32\n", "count = 32\nalign = 2\n");
    expect(
        &t,
        item_line(&t, "name = \"tile\""),
        "alignment 2 is below the 4-byte alignment of `float`",
    );
    let t = edit("count = 32\n", "count = 32\nalign = 12\n");
    expect(
        &t,
        item_line(&t, "name = \"tile\""),
        "alignment 12 is not a power of two",
    );
}

#[test]
fn tile_does_not_fit_its_region() {
    let t = edit("tile = [32, 1]", "tile = [32, 2]");
    expect(
        &t,
        item_line(&t, "kind = \"copy\""),
        "tile [32, 2] with pitch 32 at offset 0 does not fit region `tile` (32 elements)",
    );
    let t = edit("to = \"tile\"\n", "to = \"tile\"\ndst_offset = 4\n");
    expect(
        &t,
        item_line(&t, "kind = \"copy\""),
        "tile [32, 1] with pitch 32 at offset 4 does not fit region `tile`",
    );
}

#[test]
fn pitch_smaller_than_tile_width() {
    let t = edit("tile = [32, 1]", "tile = [8, 2]\nsrc_pitch = 4");
    expect(
        &t,
        item_line(&t, "kind = \"copy\""),
        "src_pitch 4 is smaller than the tile width 8",
    );
    let t = edit("tile = [32, 1]", "tile = [8, 2]\ndst_pitch = 7");
    expect(
        &t,
        item_line(&t, "kind = \"copy\""),
        "dst_pitch 7 is smaller than the tile width 8",
    );
}

#[test]
fn unknown_names() {
    let t = edit("from = \"src\"", "from = \"source\"");
    expect(
        &t,
        item_line(&t, "kind = \"copy\""),
        "unknown buffer or region `source`",
    );
    // In an expression the column points at the name inside the string.
    let t = edit("\"tid / 32 * 32\"", "\"tid / 32 * width\"");
    let d = diags(&t);
    let pos = d[0].pos.unwrap();
    assert_eq!(d[0].message, "unknown name `width`");
    assert_eq!(
        (pos.line, pos.col),
        (line_of(&t, "src_offset"), 26),
        "{}",
        d[0]
    );
    assert!(d[0].to_string().contains("t.toml:"), "{}", d[0]);
    let t = edit("args = [\"tile[lane]\"]", "args = [\"tile[lan]\"]");
    expect(&t, line_of(&t, "args ="), "unknown name `lan`");
    let t = edit("store = \"dst[tid]\"", "store = \"out[tid]\"");
    expect(&t, line_of(&t, "store ="), "unknown buffer or region `out`");
    let t = edit("kind = \"wait\"", "kind = \"sync\"");
    expect(
        &t,
        line_of(&t, "kind = \"sync\""),
        "unknown step kind `sync` (expected copy, wait, barrier, call or loop)",
    );
    let t = edit(
        "element = \"float\"\naccess = \"read\"",
        "element = \"flaot\"\naccess = \"read\"",
    );
    expect(&t, line_of(&t, "\"flaot\""), "unknown element type `flaot`");
    let t = edit(
        "value = \"thread_position_in_grid\"",
        "value = \"thread_pos\"",
    );
    expect(
        &t,
        line_of(&t, "thread_pos"),
        "unknown system value `thread_pos`",
    );
    let t = edit(
        "[[step]]\nkind = \"wait\"",
        "[[step]]\nkind = \"wait\"\ntile = [1]",
    );
    expect(
        &t,
        line_of(&t, "tile = [1]"),
        "`tile` is not a field of a `wait` step",
    );
    let t = edit(
        "threadgroup_size = 32",
        "threadgroup_size = 32\ngroup_size = 4",
    );
    expect(
        &t,
        line_of(&t, "group_size = 4"),
        "unknown field `group_size`",
    );
}

#[test]
fn writes_to_a_read_only_buffer() {
    let t = edit("store = \"dst[tid]\"", "store = \"src[tid]\"");
    expect(
        &t,
        line_of(&t, "store ="),
        "`store` writes to buffer `src`, which is declared `access = \"read\"`",
    );
    let t = format!("{BASE}\n[[step]]\nkind = \"copy\"\nfrom = \"tile\"\nto = \"src\"\ntile = [32, 1]\n\n[[step]]\nkind = \"wait\"\n");
    expect(
        &t,
        item_line(&t, "to = \"src\""),
        "copy writes to buffer `src`, which is declared `access = \"read\"`",
    );
}

#[test]
fn one_visible_function_called_with_two_signatures() {
    let t = format!("{BASE}\n[[step]]\nkind = \"call\"\nfunction = \"f\"\nargs = [\"tid\"]\n");
    let first = item_line(&t, "function = \"f\"");
    let second = t
        .rfind("[[step]]")
        .map(|i| t[..i].matches('\n').count() + 1)
        .unwrap();
    expect(
        &t,
        second,
        &format!("function `f` is called with two signatures: `float (float)` at line {first} and `void (uint)` here"),
    );
}

#[test]
fn unsupported_target() {
    let t = edit("target = \"macos26\"", "target = \"macos13\"");
    expect(&t, 3, "unsupported target `macos13` (expected one of macos14, macos15, macos26, ios17, ios18, ios26)");
}

#[test]
fn one_d_copies_need_air_2_8() {
    let t = edit(
        "target = \"macos26\"",
        "target = \"macos15\"\ncopy_form = \"1d\"",
    );
    expect(
        &t,
        item_line(&t, "kind = \"copy\""),
        "1d copies are only allowed for AIR 2.8 targets",
    );
    let t = edit(
        "tile = [32, 1]",
        "tile = [4, 8]\nsrc_pitch = 16\nform = \"1d\"",
    );
    expect(
        &t,
        item_line(&t, "kind = \"copy\""),
        "a 1d copy needs one contiguous run",
    );
}

#[test]
fn m1_hazard_device_to_threadgroup_never_waited() {
    let t = edit(
        "[[step]]\nkind = \"wait\"\n\n[[step]]\nkind = \"barrier\"\n",
        "",
    );
    expect(&t, item_line(&t, "kind = \"copy\""), "device -> threadgroup copy `src` -> `tile` is never waited for; it must be waited for and followed by a threadgroup barrier");
}

#[test]
fn m1_hazard_device_to_threadgroup_waited_without_barrier() {
    let t = edit("[[step]]\nkind = \"barrier\"\n", "");
    expect(&t, item_line(&t, "kind = \"copy\""), "device -> threadgroup copy `src` -> `tile` is waited for but no threadgroup barrier follows before the kernel exits");
    // A device-memory barrier does not count.
    let t = edit(
        "kind = \"barrier\"\n",
        "kind = \"barrier\"\nmemory = \"device\"\n",
    );
    expect(
        &t,
        item_line(&t, "kind = \"copy\""),
        "is waited for but no threadgroup barrier follows",
    );
}

#[test]
fn m1_hazard_threadgroup_to_device_never_waited() {
    let t = format!("{BASE}\n[[step]]\nkind = \"barrier\"\n\n[[step]]\nkind = \"copy\"\nfrom = \"tile\"\nto = \"dst\"\ntile = [32, 1]\n");
    let line = t
        .rfind("[[step]]")
        .map(|i| t[..i].matches('\n').count() + 1)
        .unwrap();
    expect(&t, line, "threadgroup -> device copy `tile` -> `dst` is never waited for; it must be waited for before the kernel exits");
    // Waited for, with no barrier after: valid (the reference 2D shell).
    let ok = format!("{t}\n[[step]]\nkind = \"wait\"\n");
    let spec = air_shell::Spec::from_toml(&ok, "t.toml", None).unwrap();
    air_shell::generate(&spec, &Options::default()).unwrap();
}

#[test]
fn expression_syntax_errors_point_into_the_string() {
    let t = edit("\"tid / 32 * 32\"", "\"(tid / 32 * 32\"");
    let d = diags(&t);
    assert_eq!(
        d[0].message,
        "in `(tid / 32 * 32`: expected `)`, found the end of the expression"
    );
    assert_eq!(d[0].pos.unwrap().col, 14 + 15);
    let t = edit("\"tid / 32 * 32\"", "\"tid / 0\"");
    expect(
        &t,
        line_of(&t, "src_offset"),
        "in `tid / 0`: division by zero",
    );
    let t = edit("\"tid / 32 * 32\"", "\"tid - 4 * 8 - 1\"");
    // Not constant: accepted (a runtime value); a negative constant is not.
    assert!(air_shell::Spec::from_toml(&t, "t.toml", None)
        .and_then(|s| air_shell::generate(&s, &Options::default()))
        .is_ok());
    let t = edit("\"tid / 32 * 32\"", "\"0 - 32\"");
    expect(
        &t,
        line_of(&t, "src_offset"),
        "buffer offset `0 - 32` is negative (-32)",
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let t =
        edit("target = \"macos26\"", "target = \"nope\"").replace("from = \"src\"", "from = \"x\"");
    let d = diags(&t);
    assert!(d.len() >= 2, "{d:?}");
}

#[test]
fn malformed_toml_names_the_line() {
    let t = edit("index = 1", "index = ");
    let d = diags(&t);
    assert_eq!(
        d[0].pos.unwrap().line,
        line_of(&t, "index = \n"),
        "{}",
        d[0]
    );
    let t = edit("schema = 1", "schema = 3");
    expect(
        &t,
        1,
        "unsupported schema 3 (this airlink reads schemas 1 and 2)",
    );
}

#[test]
fn inline_mode_needs_a_body_file_that_defines_the_function() {
    let t = edit(
        "threadgroup_size = 32",
        "threadgroup_size = 32\nbody = \"inline\"",
    );
    expect_no_line(
        &t,
        "body mode is inline but function `f` has no `inline` body file",
    );
    let t2 = format!("{t}\n[[function]]\nname = \"f\"\ninline = \"simple_transform.ll\"\n");
    expect(&t2, line_of(&t2, "[[function]]"), "inline body `");
    let d = diags(&t2);
    assert!(d[0].message.contains("does not define `f`"), "{}", d[0]);
    let t3 = format!("{t}\n[[function]]\nname = \"f\"\ninline = \"missing.ll\"\n");
    let d = diags(&t3);
    assert!(d[0].message.contains("cannot read inline body"), "{}", d[0]);
    let t4 = format!("{BASE}\n[[function]]\nname = \"g\"\n");
    expect(
        &t4,
        item_line(&t4, "name = \"g\""),
        "function `g` is declared but no step calls it",
    );
}

#[track_caller]
fn expect_no_line(text: &str, message: &str) {
    let d = diags(text);
    assert!(d.iter().any(|d| d.message.contains(message)), "{d:?}");
}

#[test]
fn no_panics_on_odd_inputs() {
    for t in [
        "",
        "schema = 1",
        "schema = \"1\"\nkernel = \"k\"\ntarget = \"macos26\"",
        &edit("threadgroup_size = 32", "threadgroup_size = 0"),
        &edit(
            "threadgroup_size = 32",
            "threadgroup_size = [4096, 4096, 4096]",
        ),
        &edit("threadgroup_size = 32", "threadgroup_size = -1"),
        &edit("count = 32", "count = 9223372036854775807"),
        &edit(
            "tile = [32, 1]",
            "tile = [9223372036854775807, 9223372036854775807]",
        ),
        &edit(
            "\"tid / 32 * 32\"",
            "\"9223372036854775807 * 9223372036854775807\"",
        ),
        &edit("\"tid / 32 * 32\"", "\"((((\""),
        &edit("kernel = \"k\"", "kernel = \"1k\""),
        &edit("index = 0", "index = 99"),
        &edit("args = [\"tile[lane]\"]", "args = [\"tile[40]\"]"),
    ] {
        let _ = air_shell::Spec::from_toml(t, "t.toml", None)
            .and_then(|s| air_shell::generate(&s, &Options::default()));
    }
}

#[test]
fn system_values_outside_the_spec_format() {
    // TOML only knows the spec format's list, and says which those are.
    let text = edit(
        "value = \"thread_index_in_simdgroup\"",
        "value = \"grid_size\"",
    );
    expect(
        &text,
        line_of(&text, "grid_size"),
        "one of thread_position_in_grid, thread_position_in_threadgroup, threadgroup_position_in_grid, threadgroups_per_grid, threads_per_grid, threads_per_threadgroup, thread_index_in_threadgroup, thread_index_in_simdgroup, simdgroup_index_in_threadgroup, simdgroups_per_threadgroup, threads_per_simdgroup",
    );
    // The builder can name any value of air-target's table; generation
    // refuses the ones specs do not take.
    let spec = air_shell::Spec::from_toml(BASE, "t.toml", Some(&common::specs_dir()))
        .unwrap()
        .system_value("size", air_shell::SystemValueKind::GridSize);
    let err = air_shell::generate(&spec, &Options::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("system value `size` is `grid_size`, which specs do not take: one of thread_position_in_grid,"),
        "{err}"
    );
}
