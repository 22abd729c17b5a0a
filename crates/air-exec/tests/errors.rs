//! Every error class has a failing kernel with its expected message:
//! bounds, poison reads, barrier divergence, non-uniform copy operands,
//! in-flight accesses, the M1 hazard, unverified copy modes, copies in
//! called functions, unresolved visible functions and the step budget.

use std::path::Path;

use air_exec::{Bindings, ErrorKind, ExecError, Launch, Options, Program, Source};

const HEAD: &str = r#"target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

%event_t = type opaque

@tg = internal addrspace(3) global [64 x float] undef, align 4

define void @k(float addrspace(1)* %buf, float addrspace(1)* %out, i32 %tid, i32 %lane, i16 %sidx, i32 %ltid) {
entry:
  %ev = alloca %event_t addrspace(3)*, align 8
  %tg.i8 = bitcast [64 x float] addrspace(3)* @tg to i8 addrspace(3)*
  %buf.i8 = bitcast float addrspace(1)* %buf to i8 addrspace(1)*
  %out.i8 = bitcast float addrspace(1)* %out to i8 addrspace(1)*
  %lane64 = zext i32 %lane to i64
  %tid64 = zext i32 %tid to i64
  %ltid64 = zext i32 %ltid to i64
  %tg.lane = getelementptr inbounds [64 x float], [64 x float] addrspace(3)* @tg, i64 0, i64 %lane64
  %tg.ltid = getelementptr inbounds [64 x float], [64 x float] addrspace(3)* @tg, i64 0, i64 %ltid64
  %out.tid = getelementptr inbounds float, float addrspace(1)* %out, i64 %tid64
"#;

const TAIL: &str = r#"}

declare %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64, i64, i8 addrspace(3)*, i8 addrspace(1)*, i64)
declare %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p1i8.p3i8(i64, i64, i8 addrspace(1)*, i8 addrspace(3)*, i64)
declare %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64, i64, i8 addrspace(3)*, i64, i64, <2 x i64>, i8 addrspace(1)*, i64, i64, <2 x i64>, <2 x i64>, i32)
declare void @air.wait_simdgroup_events(i32, %event_t addrspace(3)**)
declare void @air.wg.barrier(i32, i32)
declare void @air.simdgroup.barrier(i32, i32)
declare void @helper.MTL_VISIBLE_FN_REF(i8 addrspace(3)*, i8 addrspace(1)*) section "air.externally_defined"

define internal void @copy_helper(i8 addrspace(3)* %d, i8 addrspace(1)* %s) {
entry:
  %e = call %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64 4, i64 32, i8 addrspace(3)* %d, i8 addrspace(1)* %s, i64 0)
  ret void
}

!air.kernel = !{!0}
!air.visible_function_references = !{!9}
!air.version = !{!10}
!0 = !{void (float addrspace(1)*, float addrspace(1)*, i32, i32, i16, i32)* @k, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6, !7, !8}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"buf"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"out"}
!5 = !{i32 2, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid"}
!6 = !{i32 3, !"air.thread_index_in_simdgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"lane"}
!7 = !{i32 4, !"air.simdgroup_index_in_threadgroup", !"air.arg_type_name", !"ushort", !"air.arg_name", !"sidx"}
!8 = !{i32 5, !"air.thread_index_in_threadgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"ltid"}
!9 = !{!"air.visible_function_reference", void (i8 addrspace(3)*, i8 addrspace(1)*)* @helper.MTL_VISIBLE_FN_REF, !"helper"}
!10 = !{i32 2, i32 8, i32 0}
"#;

/// A body that calls a copy (for the visible-function case).
const HELPER_BODY: &str = r#"%event_t = type opaque
define void @helper(i8 addrspace(3)* %d, i8 addrspace(1)* %s) {
entry:
  %e = call %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64 4, i64 32, i8 addrspace(3)* %d, i8 addrspace(1)* %s, i64 0)
  ret void
}
declare %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64, i64, i8 addrspace(3)*, i8 addrspace(1)*, i64)
"#;

const NOOP_HELPER: &str = r#"define void @helper(i8 addrspace(3)* %d, i8 addrspace(1)* %s) {
entry:
  ret void
}
"#;

fn module(body: &str) -> String {
    format!("{HEAD}{body}{TAIL}")
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).expect(needle) + 1
}

fn run_with(body: &str, threads: u32, options: &Options) -> Result<Bindings, ExecError> {
    let text = module(body);
    let mut p = Program::new(Source::parse(&text, "k.ll").unwrap(), None).unwrap();
    p.link(Source::parse(NOOP_HELPER, "noop.ll").unwrap());
    let mut b = Bindings::new();
    let data: Vec<f32> = (0..64).map(|i| i as f32).collect();
    b.set_f32(0, &data).set_f32(1, &[0.0; 64]);
    p.run(&Launch::linear(threads, threads.min(64)), &mut b, options)?;
    Ok(b)
}

/// Runs `body` with 64 threads (two simdgroups) and returns the error.
fn fail(body: &str) -> ExecError {
    fail_n(body, 64)
}

fn fail_n(body: &str, threads: u32) -> ExecError {
    match run_with(body, threads, &Options::default()) {
        Ok(_) => panic!("expected an error from:\n{body}"),
        Err(e) => e,
    }
}

fn assert_has(e: &ExecError, parts: &[&str]) {
    let s = e.to_string();
    for p in parts {
        assert!(s.contains(p), "missing `{p}` in:\n{s}");
    }
}

/// Checks the error names the kernel, the `.ll` line of `needle` and a thread.
fn assert_site(e: &ExecError, body: &str, needle: &str) {
    let line = line_of(&module(body), needle);
    assert_has(
        e,
        &[
            "in kernel @k",
            &format!("at k.ll:{line}"),
            "thread (",
            "threadgroup (0,0,0)",
        ],
    );
}

#[test]
fn a_correct_kernel_runs() {
    // Simdgroup 0 copies for the whole threadgroup (air.md §2.8).
    let body = r#"
  %is0 = icmp eq i16 %sidx, 0
  br i1 %is0, label %c, label %sync
c:
  %e = call %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64 4, i64 64, i8 addrspace(3)* %tg.i8, i8 addrspace(1)* %buf.i8, i64 0)
  store %event_t addrspace(3)* %e, %event_t addrspace(3)** %ev, align 8
  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** %ev)
  br label %sync
sync:
  call void @air.wg.barrier(i32 2, i32 1)
  %v = load float, float addrspace(3)* %tg.ltid, align 4
  store float %v, float addrspace(1)* %out.tid, align 4
  ret void
"#;
    let b = run_with(body, 64, &Options::default()).unwrap();
    assert_eq!(
        b.f32s(1).unwrap(),
        (0..64).map(|i| i as f32).collect::<Vec<_>>()
    );
}

#[test]
fn two_simdgroups_copying_into_the_same_bytes_race() {
    // Without the sidx gate every simdgroup issues the same copy into the
    // same threadgroup bytes (MFA-RL's gemm_shell_v2, air.md §2.8).
    let body = r#"
  %e = call %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64 4, i64 64, i8 addrspace(3)* %tg.i8, i8 addrspace(1)* %buf.i8, i64 0)
  store %event_t addrspace(3)* %e, %event_t addrspace(3)** %ev, align 8
  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** %ev)
  call void @air.wg.barrier(i32 2, i32 1)
  %v = load float, float addrspace(3)* %tg.ltid, align 4
  store float %v, float addrspace(1)* %out.tid, align 4
  ret void
"#;
    assert_has(&fail(body), &["access to bytes in flight: async copy write by simdgroup 1 touches byte 0 of threadgroup @tg, which async copy #0 (issued by simdgroup 0", "thread (32,0,0) of simdgroup 1"]);
}

#[test]
fn device_access_out_of_bounds() {
    let body = r#"
  %i = add i64 %tid64, 1000
  %p = getelementptr inbounds float, float addrspace(1)* %out, i64 %i
  store float 1.0, float addrspace(1)* %p, align 4
  ret void
"#;
    let e = fail(body);
    assert!(matches!(e.kind, ErrorKind::OutOfBounds { .. }));
    assert_has(&e, &["out of bounds: store of 4 byte(s) at byte offset 4000 of buffer 1 (`out`), which has 256 byte(s)", "thread (0,0,0)"]);
    assert_site(&e, body, "store float 1.0");
}

#[test]
fn threadgroup_access_out_of_bounds() {
    let body = r#"
  %i = add i64 %ltid64, 60
  %p = getelementptr inbounds [64 x float], [64 x float] addrspace(3)* @tg, i64 0, i64 %i
  store float 1.0, float addrspace(3)* %p, align 4
  ret void
"#;
    let e = fail(body);
    assert_has(
        &e,
        &[
            "out of bounds",
            "byte offset 256 of threadgroup @tg, which has 256 byte(s)",
            "thread (4,0,0)",
        ],
    );
    assert_site(&e, body, "store float 1.0");
}

#[test]
fn reading_unwritten_threadgroup_memory() {
    let body = r#"
  %v = load float, float addrspace(3)* %tg.lane, align 4
  store float %v, float addrspace(1)* %out.tid, align 4
  ret void
"#;
    let e = fail(body);
    assert!(matches!(e.kind, ErrorKind::PoisonRead { .. }));
    assert_has(
        &e,
        &["reads uninitialized threadgroup memory: byte 0 of threadgroup @tg"],
    );
    assert_site(&e, body, "%v = load float");
    // Without poison tracking the same kernel runs.
    let lenient = Options {
        poison_threadgroup: false,
        ..Options::default()
    };
    run_with(body, 64, &lenient).unwrap();
}

#[test]
fn a_copy_that_moves_nothing_shows_up_as_a_poison_read() {
    // PT's reading of the 1D operands, (size, align, dst, src, count), with
    // count in the last operand: under the seed's reading it copies 4 × 0
    // elements... and the stride is non-zero, so it is refused first; with
    // count 0 and stride 0 nothing is copied and the read fails.
    let body = r#"
  %e = call %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64 4, i64 0, i8 addrspace(3)* %tg.i8, i8 addrspace(1)* %buf.i8, i64 0)
  store %event_t addrspace(3)* %e, %event_t addrspace(3)** %ev, align 8
  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** %ev)
  call void @air.wg.barrier(i32 2, i32 1)
  %v = load float, float addrspace(3)* %tg.ltid, align 4
  ret void
"#;
    assert_has(&fail(body), &["reads uninitialized threadgroup memory"]);
}

#[test]
fn barrier_not_reached_by_all_threads() {
    let body = r#"
  %c = icmp ult i32 %lane, 16
  br i1 %c, label %b, label %e
b:
  call void @air.wg.barrier(i32 2, i32 1)
  br label %e
e:
  ret void
"#;
    let e = fail(body);
    assert!(matches!(e.kind, ErrorKind::BarrierDivergence(_)));
    let line = line_of(&module(body), "call void @air.wg.barrier");
    assert_has(
        &e,
        &[
            "barrier not reached by all threads",
            "threads 0-15, 32-47 wait at k.ll",
            "threads 16-31, 48-63 have exited",
            &format!("k.ll:{line}"),
        ],
    );
}

#[test]
fn barriers_at_different_places() {
    let body = r#"
  %c = icmp ult i16 %sidx, 1
  br i1 %c, label %a, label %b
a:
  call void @air.wg.barrier(i32 2, i32 1)
  ret void
b:
  call void @air.wg.barrier(i32 2, i32 1)
  ret void
"#;
    assert_has(
        &fail(body),
        &[
            "barrier not reached by all threads: threads 0-31 wait at",
            "threads 32-63 wait at",
        ],
    );
}

#[test]
fn simdgroup_lanes_diverge_at_a_simdgroup_call() {
    let body = r#"
  %c = icmp ult i32 %lane, 16
  br i1 %c, label %b, label %e
b:
  call void @air.simdgroup.barrier(i32 2, i32 1)
  br label %e
e:
  call void @air.wg.barrier(i32 2, i32 1)
  ret void
"#;
    let e = fail(body);
    assert_has(
        &e,
        &[
            "in simdgroup 0",
            "lanes 0-15 at k.ll",
            "lanes 16-31 at k.ll",
        ],
    );
}

#[test]
fn copy_operands_must_be_uniform_across_the_simdgroup() {
    let body = r#"
  %s = getelementptr inbounds float, float addrspace(1)* %buf, i64 %lane64
  %s.i8 = bitcast float addrspace(1)* %s to i8 addrspace(1)*
  %e = call %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64 4, i64 32, i8 addrspace(3)* %tg.i8, i8 addrspace(1)* %s.i8, i64 0)
  ret void
"#;
    let e = fail(body);
    assert!(matches!(e.kind, ErrorKind::NonUniformOperands { .. }));
    assert_has(&e, &["async copy operands differ between lanes of the simdgroup: operand 3 is Device region 0 + 0 in lane 0 but Device region 0 + 4 in lane 1"]);
    assert_site(&e, body, "%e = call");
}

#[test]
fn access_to_a_copy_destination_before_the_wait() {
    let body = r#"
  %e = call %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64 4, i64 32, i8 addrspace(3)* %tg.i8, i8 addrspace(1)* %buf.i8, i64 0)
  store %event_t addrspace(3)* %e, %event_t addrspace(3)** %ev, align 8
  %v = load float, float addrspace(3)* %tg.lane, align 4
  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** %ev)
  call void @air.wg.barrier(i32 2, i32 1)
  ret void
"#;
    let e = fail_n(body, 32);
    assert!(matches!(e.kind, ErrorKind::InFlight(_)));
    assert_has(&e, &["access to bytes in flight: load by simdgroup 0 touches byte 0 of threadgroup @tg, which async copy #0 (issued by simdgroup 0 at k.ll:", "is still writing; wait for the copy first"]);
    assert_site(&e, body, "%v = load float");
}

#[test]
fn another_simdgroup_reads_before_the_barrier() {
    // Simdgroup 0 copies and waits; simdgroup 1 reads the tile after two
    // simdgroup barriers but without a threadgroup barrier in between.
    let body = r#"
  %is0 = icmp eq i16 %sidx, 0
  br i1 %is0, label %c, label %other
c:
  %e = call %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64 4, i64 64, i8 addrspace(3)* %tg.i8, i8 addrspace(1)* %buf.i8, i64 0)
  store %event_t addrspace(3)* %e, %event_t addrspace(3)** %ev, align 8
  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** %ev)
  br label %done
other:
  call void @air.simdgroup.barrier(i32 0, i32 1)
  call void @air.simdgroup.barrier(i32 0, i32 1)
  %v = load float, float addrspace(3)* %tg.ltid, align 4
  br label %done
done:
  call void @air.wg.barrier(i32 2, i32 1)
  ret void
"#;
    let e = fail(body);
    assert_has(&e, &["access to bytes in flight: load by simdgroup 1 touches byte 128 of threadgroup @tg, which simdgroup 0 waited for, but no threadgroup barrier has made it visible to other simdgroups yet", "thread (32,0,0) of simdgroup 1"]);
}

#[test]
fn overwriting_the_source_of_a_copy_in_flight() {
    let body = r#"
  store float 1.0, float addrspace(3)* %tg.lane, align 4
  call void @air.wg.barrier(i32 2, i32 1)
  %e = call %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p1i8.p3i8(i64 4, i64 32, i8 addrspace(1)* %out.i8, i8 addrspace(3)* %tg.i8, i64 0)
  store %event_t addrspace(3)* %e, %event_t addrspace(3)** %ev, align 8
  store float 2.0, float addrspace(3)* %tg.lane, align 4
  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** %ev)
  ret void
"#;
    assert_has(
        &fail_n(body, 32),
        &[
            "store by simdgroup 0 overwrites byte 0 of threadgroup @tg, which async copy #0",
            "is still reading",
        ],
    );
}

#[test]
fn m1_hazard_no_barrier_after_the_wait() {
    let body = r#"
  %e = call %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64 4, i64 32, i8 addrspace(3)* %tg.i8, i8 addrspace(1)* %buf.i8, i64 0)
  store %event_t addrspace(3)* %e, %event_t addrspace(3)** %ev, align 8
  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** %ev)
  %v = load float, float addrspace(3)* %tg.lane, align 4
  store float %v, float addrspace(1)* %out.tid, align 4
  ret void
"#;
    let e = fail_n(body, 32);
    assert!(matches!(e.kind, ErrorKind::M1Hazard(_)));
    let line = line_of(&module(body), "%e = call");
    assert_has(&e, &[&format!("M1 hazard: device -> threadgroup copy #0 issued by simdgroup 0 of threadgroup (0,0,0) at k.ll:{line} is waited for, but no threadgroup barrier follows before the kernel exits")]);
}

#[test]
fn m1_hazard_copy_never_waited_for() {
    let body = r#"
  %e = call %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64 4, i64 32, i8 addrspace(3)* %tg.i8, i8 addrspace(1)* %buf.i8, i64 0)
  call void @air.wg.barrier(i32 2, i32 1)
  ret void
"#;
    assert_has(
        &fail_n(body, 32),
        &[
            "M1 hazard: device -> threadgroup copy #0",
            "is never waited for; it must be waited for and followed by a threadgroup barrier",
        ],
    );
    let store = r#"
  store float 1.0, float addrspace(3)* %tg.lane, align 4
  call void @air.wg.barrier(i32 2, i32 1)
  %e = call %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p1i8.p3i8(i64 4, i64 32, i8 addrspace(1)* %out.i8, i8 addrspace(3)* %tg.i8, i64 0)
  ret void
"#;
    assert_has(
        &fail_n(store, 32),
        &[
            "M1 hazard: threadgroup -> device copy #0",
            "it must be waited for before the kernel exits",
        ],
    );
}

fn copy_2d(dst_stride: &str, src_tile: &str, offset: &str, clamp: &str) -> String {
    format!(
        r#"
  %e = call %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64 4, i64 4, i8 addrspace(3)* %tg.i8, i64 8, i64 {dst_stride}, <2 x i64> <i64 8, i64 4>, i8 addrspace(1)* %buf.i8, i64 16, i64 1, <2 x i64> {src_tile}, <2 x i64> {offset}, i32 {clamp})
  store %event_t addrspace(3)* %e, %event_t addrspace(3)** %ev, align 8
  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** %ev)
  call void @air.wg.barrier(i32 2, i32 1)
  ret void
"#
    )
}

#[test]
fn unverified_copy_modes_are_refused() {
    let ok = copy_2d("1", "<i64 4, i64 2>", "zeroinitializer", "0");
    run_with(&ok, 32, &Options::default()).unwrap();
    for (body, msg) in [
        (copy_2d("1", "<i64 4, i64 2>", "zeroinitializer", "1"), "clamp mode 1 (clamp_to_edge)"),
        (copy_2d("1", "<i64 4, i64 2>", "<i64 1, i64 0>", "0"), "offset operand <1, 0>"),
        (copy_2d("2", "<i64 4, i64 2>", "zeroinitializer", "0"), "element stride dst 2, src 1"),
        (copy_2d("1", "<i64 16, i64 2>", "zeroinitializer", "0"), "source tile <16, 2> larger than its destination tile <8, 4>"),
        (
            r#"
  %e = call %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64 4, i64 4, i8 addrspace(3)* %tg.i8, i8 addrspace(1)* %buf.i8, i64 32)
  ret void
"#
            .to_string(),
            "1D copy with stride operand 32",
        ),
    ] {
        let e = fail_n(&body, 32);
        assert!(matches!(e.kind, ErrorKind::UnverifiedCopy(_)), "{e}");
        assert_has(&e, &["semantics unverified", msg]);
    }
}

#[test]
fn zero_fill_of_a_larger_destination_tile() {
    let body = r#"
  %e = call %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64 4, i64 4, i8 addrspace(3)* %tg.i8, i64 8, i64 1, <2 x i64> <i64 8, i64 4>, i8 addrspace(1)* %buf.i8, i64 16, i64 1, <2 x i64> <i64 3, i64 2>, <2 x i64> zeroinitializer, i32 0)
  store %event_t addrspace(3)* %e, %event_t addrspace(3)** %ev, align 8
  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** %ev)
  call void @air.wg.barrier(i32 2, i32 1)
  %v = load float, float addrspace(3)* %tg.lane, align 4
  store float %v, float addrspace(1)* %out.tid, align 4
  ret void
"#;
    let b = run_with(body, 32, &Options::default()).unwrap();
    let out = b.f32s(1).unwrap();
    // Rows 0-1, columns 0-2 from the 16-wide source; everything else of the
    // 8×4 destination tile is zero.
    let want: Vec<f32> = (0..32)
        .map(|i| {
            let (r, c) = (i / 8, i % 8);
            if r < 2 && c < 3 {
                (r * 16 + c) as f32
            } else {
                0.0
            }
        })
        .collect();
    assert_eq!(&out[..32], &want[..]);
}

#[test]
fn copy_inside_a_called_function() {
    // A visible function linked from another module...
    let text = module(
        r#"
  call void @helper.MTL_VISIBLE_FN_REF(i8 addrspace(3)* %tg.i8, i8 addrspace(1)* %buf.i8)
  ret void
"#,
    );
    let mut p = Program::new(Source::parse(&text, "k.ll").unwrap(), None).unwrap();
    p.link(Source::parse(HELPER_BODY, "helper.ll").unwrap());
    let mut b = Bindings::new();
    b.set_f32(0, &[0.0; 64]).set_f32(1, &[0.0; 64]);
    let e = p
        .run(&Launch::linear(32, 32), &mut b, &Options::default())
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::CopyInCalledFunction);
    assert_has(
        &e,
        &[
            "async copy inside a called function is a no-op on Apple GPUs",
            "function @helper",
            "at helper.ll:4",
        ],
    );
    // ...and an ordinary function of the shell itself.
    let e = fail_n(
        r#"
  call void @copy_helper(i8 addrspace(3)* %tg.i8, i8 addrspace(1)* %buf.i8)
  ret void
"#,
        32,
    );
    assert_has(
        &e,
        &[
            "async copy inside a called function is a no-op on Apple GPUs",
            "function @copy_helper",
        ],
    );
}

#[test]
fn unresolved_visible_functions_fail_before_the_run() {
    let shell = || {
        Source::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/simple_1d.ll"))
            .unwrap()
    };
    let mut b = Bindings::new();
    b.set_f32(0, &[1.0; 128]).set_f32(1, &[0.0; 128]);
    let launch = Launch::linear(128, 32);
    let p = Program::new(shell(), None).unwrap();
    let e = p.run(&launch, &mut b, &Options::default()).unwrap_err();
    assert!(e.site.is_none(), "reported before anything ran");
    assert_has(&e, &["unresolved visible function `transform_value`: no linked module defines it and no closure is registered (the shell declares `float (float)`)"]);

    let mut p = Program::new(shell(), None).unwrap();
    p.link(
        Source::parse(
            "define double @transform_value(double %v) {\nentry:\n  ret double %v\n}\n",
            "wrong.ll",
        )
        .unwrap(),
    );
    let e = p.run(&launch, &mut b, &Options::default()).unwrap_err();
    assert_has(&e, &["unresolved visible function `transform_value`: wrong.ll defines @transform_value as `double (double)`, but `simple_1d.ll` declares `float (float)`"]);

    let mut p = Program::new(shell(), None).unwrap();
    p.register("transform_value", "float (i32)", |_| {
        Ok(air_exec::HostValue::Float(0.0))
    });
    let e = p.run(&launch, &mut b, &Options::default()).unwrap_err();
    assert_has(&e, &["the registered closure has type `float (i32)`"]);
}

#[test]
fn the_step_budget_stops_an_endless_loop() {
    let body = r#"
  br label %spin
spin:
  br label %spin
"#;
    let e = match run_with(
        body,
        32,
        &Options {
            step_budget: 10_000,
            ..Options::default()
        },
    ) {
        Err(e) => e,
        Ok(_) => panic!("expected the budget to run out"),
    };
    assert_eq!(e.kind, ErrorKind::StepBudget(10_000));
    assert_has(
        &e,
        &[
            "step budget of 10000 work units exhausted",
            "br label %spin",
        ],
    );
}

#[test]
fn waiting_on_an_empty_event_slot() {
    let body = r#"
  store %event_t addrspace(3)* null, %event_t addrspace(3)** %ev, align 8
  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** %ev)
  ret void
"#;
    assert_has(
        &fail_n(body, 32),
        &[
            "event misuse: simdgroup 0 waits at k.ll",
            "on event slot 0, which holds no event",
        ],
    );
}

#[test]
fn undefined_behaviour_is_reported() {
    let body = r#"
  %z = sub i32 %lane, %lane
  %d = udiv i32 %tid, %z
  ret void
"#;
    assert_has(
        &fail_n(body, 32),
        &["undefined behaviour: integer division by zero (`udiv`)"],
    );
    let body = r#"
  %n = getelementptr float, float addrspace(1)* null, i64 1
  store float 1.0, float addrspace(1)* %n, align 4
  ret void
"#;
    assert_has(
        &fail_n(body, 32),
        &["invalid pointer: access through a pointer to a null"],
    );
}
