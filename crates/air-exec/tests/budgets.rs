//! The work budget counts the size of vector values and memory copies, not
//! only instructions; the memory limit covers buffers, globals, allocas
//! and vector values together (issue 20's hand-made cases, scaled down).

use air_exec::{Bindings, ErrorKind, Launch, Options, Program, Source};

const DL: &str = r#"target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"
"#;

const META: &str = r#"
attributes #0 = { nounwind }

!air.kernel = !{!0}
!air.version = !{!5}
!0 = !{void (i32 addrspace(1)*, i32)* @k, !1, !2}
!1 = !{}
!2 = !{!3, !4}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"int", !"air.arg_name", !"buf"}
!4 = !{i32 1, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid"}
!5 = !{i32 2, i32 8, i32 0}
"#;

fn program(body: &str) -> (Program, String) {
    let text =
        format!("{DL}\ndefine void @k(i32 addrspace(1)* %buf, i32 %tid) {{\n{body}}}\n{META}");
    (
        Program::new(Source::parse(&text, "k.ll").unwrap(), None).unwrap(),
        text,
    )
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).expect(needle) + 1
}

/// A loop of `n` adds of a `<len x i32>` vector to itself.
fn vector_loop(len: u32, n: u32) -> String {
    format!(
        r#"entry:
  br label %loop
loop:
  %v = phi <{len} x i32> [ zeroinitializer, %entry ], [ %v2, %loop ]
  %i = phi i32 [ 0, %entry ], [ %i2, %loop ]
  %v2 = add <{len} x i32> %v, %v
  %i2 = add i32 %i, 1
  %more = icmp ult i32 %i2, {n}
  br i1 %more, label %loop, label %exit
exit:
  ret void
"#
    )
}

fn options(step_budget: u64, memory_limit: u64) -> Options {
    Options {
        step_budget,
        memory_limit,
        ..Options::default()
    }
}

#[test]
fn a_vector_operation_counts_its_elements() {
    let (p, _) = program(&vector_loop(1000, 25));
    let mut b = Bindings::new();
    b.set_u32(0, &[0; 4]);
    let r = p
        .run(&Launch::linear(1, 1), &mut b, &Options::default())
        .unwrap();
    // entry: 1 instruction; each of the 25 iterations: 2 phis (assigned on
    // the branch into the loop), 4 instructions; exit: 1.
    assert_eq!(r.steps, 1 + 25 * 4 + 1);
    // Each iteration makes two 1000-element values (the phi and the add),
    // and its two phis are a unit of work each.
    assert_eq!(r.work, r.steps + 25 * 2 * 1000 + 25 * 2);
}

#[test]
fn a_loop_of_million_element_adds_exhausts_the_budget_after_a_few_iterations() {
    // Issue 20: counted as one step each, such a loop ran for days within
    // the default budget; counted by size, 6 000 000 units last three
    // iterations (the default, 200 000 000, about a hundred).
    let (p, text) = program(&vector_loop(1_000_000, 1_000_000));
    let mut b = Bindings::new();
    b.set_u32(0, &[0; 4]);
    let e = p
        .run(
            &Launch::linear(1, 1),
            &mut b,
            &options(6_000_000, air_exec::limits::DEFAULT_MEMORY_LIMIT),
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::StepBudget(6_000_000));
    let s = e.to_string();
    // Each iteration is 4 instructions and two million-element values (the
    // phi, the add): after 2 iterations and the 3rd phi, 5 000 009 units;
    // the 3rd add brings 1 000 001 more.
    let add = line_of(&text, "%v2 = add");
    assert!(s.contains(&format!("k.ll:{add} `%v2 = add")), "{s}");
}

#[test]
fn a_memcpy_counts_its_bytes() {
    let body = r#"entry:
  %a = alloca [65536 x i8], align 1
  %b = alloca [65536 x i8], align 1
  %pa = bitcast [65536 x i8]* %a to i8*
  %pb = bitcast [65536 x i8]* %b to i8*
  call void @llvm.memcpy.p0i8.p0i8.i64(i8* %pa, i8* %pb, i64 65536, i1 false)
  ret void
}
declare void @llvm.memcpy.p0i8.p0i8.i64(i8*, i8*, i64, i1) #0
define internal void @unused() {
entry:
  ret void
"#;
    let (p, _) = program(body);
    let mut b = Bindings::new();
    b.set_u32(0, &[0; 4]);
    let r = p
        .run(&Launch::linear(1, 1), &mut b, &Options::default())
        .unwrap();
    assert_eq!(r.work, r.steps + 65536 / 8);
}

#[test]
fn allocas_in_a_loop_hit_the_memory_limit() {
    // Issue 20: an `alloca [1048576 x i8]` in a loop reached 10 GB in 8 s.
    let body = r#"entry:
  br label %loop
loop:
  %p = alloca [1048576 x i8], align 1
  br label %loop
"#;
    let (p, text) = program(body);
    let mut b = Bindings::new();
    b.set_u32(0, &[0; 4]);
    let e = p
        .run(&Launch::linear(1, 1), &mut b, &options(u64::MAX, 64 << 20))
        .unwrap_err();
    assert!(matches!(e.kind, ErrorKind::MemoryLimit(_)), "{e}");
    let s = e.to_string();
    assert!(
        s.contains("memory limit: an alloca would bring the threadgroup to"),
        "{s}"
    );
    assert!(s.contains("over the limit of 67108864 bytes"), "{s}");
    assert!(
        s.contains(&format!("k.ll:{}", line_of(&text, "%p = alloca"))),
        "{s}"
    );
}

#[test]
fn vector_values_count_towards_the_memory_limit() {
    // Issue 20: 14 operations on <16777216 x i32> took 6.3 GB. Scaled down:
    // each <1048576 x i32> value holds 32 MiB in the executor; the third
    // does not fit in 80 MiB.
    let body = r#"entry:
  %p = bitcast i32 addrspace(1)* %buf to <1048576 x i32> addrspace(1)*
  %a = load <1048576 x i32>, <1048576 x i32> addrspace(1)* %p, align 4
  %b = add <1048576 x i32> %a, %a
  %c = add <1048576 x i32> %b, %a
  %d = add <1048576 x i32> %c, %a
  ret void
"#;
    let (p, text) = program(body);
    let mut b = Bindings::new();
    b.set_u32(0, &vec![1; 1 << 20]);
    let e = p
        .run(&Launch::linear(1, 1), &mut b, &options(u64::MAX, 80 << 20))
        .unwrap_err();
    assert!(matches!(e.kind, ErrorKind::MemoryLimit(_)), "{e}");
    let s = e.to_string();
    assert!(s.contains("a vector or aggregate value"), "{s}");
    assert!(
        s.contains(&format!("k.ll:{}", line_of(&text, "%c = add"))),
        "{s}"
    );
    // The buffer is given back untouched.
    assert_eq!(b.u32s(0).unwrap().len(), 1 << 20);
}

#[test]
fn buffers_over_the_limit_fail_before_the_run_and_stay_bound() {
    // Issue 20: three 2^26-element buffers took 5 GB. Scaled down: three
    // 8 MiB buffers under a 16 MiB limit.
    let text = format!(
        "{DL}\ndefine void @k(i32 addrspace(1)* %a, i32 addrspace(1)* %b, i32 addrspace(1)* %c) {{\nentry:\n  ret void\n}}\n{}",
        META.replace("void (i32 addrspace(1)*, i32)*", "void (i32 addrspace(1)*, i32 addrspace(1)*, i32 addrspace(1)*)*")
            .replace(
                "!4 = !{i32 1, !\"air.thread_position_in_grid\", !\"air.arg_type_name\", !\"uint\", !\"air.arg_name\", !\"tid\"}",
                "!4 = !{i32 1, !\"air.buffer\", !\"air.location_index\", i32 1, i32 1, !\"air.read\", !\"air.address_space\", i32 1, !\"air.arg_type_size\", i32 4, !\"air.arg_type_align_size\", i32 4, !\"air.arg_type_name\", !\"int\", !\"air.arg_name\", !\"b\"}\n!6 = !{i32 2, !\"air.buffer\", !\"air.location_index\", i32 2, i32 1, !\"air.read\", !\"air.address_space\", i32 1, !\"air.arg_type_size\", i32 4, !\"air.arg_type_align_size\", i32 4, !\"air.arg_type_name\", !\"int\", !\"air.arg_name\", !\"c\"}"
            )
            .replace("!2 = !{!3, !4}", "!2 = !{!3, !4, !6}")
    );
    let p = Program::new(Source::parse(&text, "k.ll").unwrap(), None).unwrap();
    let mut b = Bindings::new();
    for i in 0..3 {
        b.set_u32(i, &vec![i + 1; 2 << 20]);
    }
    let e = p
        .run(&Launch::linear(1, 1), &mut b, &options(u64::MAX, 16 << 20))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "memory limit: the buffers and globals take 25165824 bytes, over the limit of 16777216 bytes (raise it with --memory-limit)"
    );
    for i in 0..3 {
        assert_eq!(b.u32s(i).unwrap(), vec![i + 1; 2 << 20]);
    }
}

/// A loop of `n` iterations through a block of `q` scalar phis.
fn phi_loop(q: usize, n: u32) -> String {
    let mut b = String::from("entry:\n  br label %loop\nloop:\n");
    for j in 0..q {
        b.push_str(&format!(
            "  %x{j} = phi i32 [ 0, %entry ], [ %x{j}, %loop ]\n"
        ));
    }
    b.push_str(&format!(
        "  %i = phi i32 [ 0, %entry ], [ %i2, %loop ]\n  %i2 = add i32 %i, 1\n\
         %more = icmp ult i32 %i2, {n}\n  br i1 %more, label %loop, label %exit\n\
         exit:\n  ret void\n"
    ));
    b
}

#[test]
fn every_phi_a_branch_assigns_is_work() {
    // Phis run on the branch into their block and are not steps; counted
    // as nothing, a branch into 10 000 phis did 10 000 assignments for one
    // unit, and a loop through them ran 91 s within a budget of 1 000 000
    // (hours within the default).
    let (p, _) = program(&phi_loop(10_000, 10));
    let mut b = Bindings::new();
    b.set_u32(0, &[0; 4]);
    let r = p
        .run(
            &Launch::linear(1, 1),
            &mut b,
            &options(200_000, air_exec::limits::DEFAULT_MEMORY_LIMIT),
        )
        .unwrap();
    // entry: 1 instruction; 10 iterations of 3 (the phis are assigned by
    // the 10 branches into the loop, 10 001 each); exit: 1.
    assert_eq!(r.steps, 1 + 10 * 3 + 1);
    assert_eq!(r.work, r.steps + 10 * 10_001);
    let e = p
        .run(
            &Launch::linear(1, 1),
            &mut b,
            &options(50_000, air_exec::limits::DEFAULT_MEMORY_LIMIT),
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::StepBudget(50_000));
}

/// A block reached from `n` predecessors chosen by `%tid`, whose phi gives
/// predecessor `i` the value `i * 3`; the result is stored at `buf[tid]`.
fn wide_phi(n: u32) -> String {
    let mut b = String::from("entry:\n  switch i32 %tid, label %p0 [");
    for i in 1..n {
        b.push_str(&format!(" i32 {i}, label %p{i}"));
    }
    b.push_str(" ]\n");
    for i in 0..n {
        b.push_str(&format!("p{i}:\n  br label %join\n"));
    }
    // Entries in reverse order, so the first predecessor is found last.
    let entries: Vec<String> = (0..n)
        .rev()
        .map(|i| format!("[ {}, %p{i} ]", i * 3))
        .collect();
    b.push_str(&format!(
        "join:\n  %v = phi i32 {}\n  %slot = getelementptr i32, i32 addrspace(1)* %buf, i32 %tid\n\
         store i32 %v, i32 addrspace(1)* %slot, align 4\n  ret void\n",
        entries.join(", ")
    ));
    b
}

#[test]
fn a_long_phi_takes_the_entry_of_the_block_it_is_entered_from() {
    // Phis longer than a few entries are looked up in a table built when the
    // module is loaded instead of searched on every branch.
    for n in [3u32, 40] {
        let (p, _) = program(&wide_phi(n));
        let mut b = Bindings::new();
        b.set_u32(0, &vec![0; n as usize]);
        p.run(&Launch::linear(n, 1), &mut b, &Options::default())
            .unwrap();
        let want: Vec<u32> = (0..n).map(|i| i * 3).collect();
        assert_eq!(b.u32s(0).unwrap(), want, "{n} predecessors");
    }
}

#[test]
fn every_case_a_switch_compares_is_work() {
    // A switch compared its cases one by one for a single unit: in a loop
    // over 100 000 cases (2.3 MB), 237 s within a budget of 1 000 000.
    let cases: String = (0..1000)
        .map(|j| format!(" i32 {}, label %next", 1000 + j))
        .collect();
    let body = format!(
        "entry:\n  br label %loop\nloop:\n  %i = phi i32 [ 0, %entry ], [ %i2, %next ]\n\
         switch i32 7, label %next [{cases} i32 7, label %next ]\n\
         next:\n  %i2 = add i32 %i, 1\n  %more = icmp ult i32 %i2, 10\n\
         br i1 %more, label %loop, label %exit\nexit:\n  ret void\n"
    );
    let (p, _) = program(&body);
    let mut b = Bindings::new();
    b.set_u32(0, &[0; 4]);
    let r = p
        .run(&Launch::linear(1, 1), &mut b, &Options::default())
        .unwrap();
    // Per iteration: the phi, 4 instructions, and the 1 001 cases compared
    // before `7` matches.
    assert_eq!(r.steps, 1 + 10 * 4 + 1);
    assert_eq!(r.work, r.steps + 10 + 10 * 1001);
}

#[test]
fn a_call_counts_its_frame() {
    // A frame has a slot per instruction of the callee: a loop calling a
    // function of 100 000 instructions (3 MB) ran 57 s within a budget of
    // 1 000 000, one unit per call.
    let n = 6400;
    let dead: String = (0..n)
        .map(|j| format!("  %v{j} = add i32 %x, {j}\n"))
        .collect();
    let body = format!(
        "entry:\n  br label %loop\nloop:\n  %i = phi i32 [ 0, %entry ], [ %i2, %loop ]\n\
         call void @big(i32 %i)\n  %i2 = add i32 %i, 1\n  %more = icmp ult i32 %i2, 10\n\
         br i1 %more, label %loop, label %exit\nexit:\n  ret void\n}}\n\
         define internal void @big(i32 %x) {{\nentry:\n  ret void\ndead:\n{dead}  ret void\n"
    );
    let (p, _) = program(&body);
    let mut b = Bindings::new();
    b.set_u32(0, &[0; 4]);
    let r = p
        .run(&Launch::linear(1, 1), &mut b, &Options::default())
        .unwrap();
    // Per iteration: the phi, 5 instructions (the callee's `ret` too), and
    // the frame: (6 401 instructions + 1 argument) / 64 = 100 units.
    assert_eq!(r.steps, 1 + 10 * 5 + 1);
    assert_eq!(r.work, r.steps + 10 + 10 * 100);
}
