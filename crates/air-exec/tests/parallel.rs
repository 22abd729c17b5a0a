//! Threadgroups on several workers: the same buffers, the same report and
//! the same error for any number of them; reads of bytes another
//! threadgroup writes are races; two threadgroups writing one byte keep
//! the later one's value; kernels with device atomics run their
//! threadgroups in order; a device-to-threadgroup copy may not overwrite
//! bytes read since the last threadgroup barrier.

use air_exec::{Bindings, ErrorKind, ExecError, Launch, Options, Program, RunReport, Source};

const HEAD: &str = r#"target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

%event_t = type opaque

@tg = internal addrspace(3) global [64 x float] undef, align 4

define void @k(float addrspace(1)* %buf, float addrspace(1)* %out, i32 %tid, i32 %lane, i16 %sidx, i32 %group) {
entry:
  %ev = alloca %event_t addrspace(3)*, align 8
  %tg.i8 = bitcast [64 x float] addrspace(3)* @tg to i8 addrspace(3)*
  %buf.i8 = bitcast float addrspace(1)* %buf to i8 addrspace(1)*
  %lane64 = zext i32 %lane to i64
  %tid64 = zext i32 %tid to i64
  %tg.lane = getelementptr inbounds [64 x float], [64 x float] addrspace(3)* @tg, i64 0, i64 %lane64
  %buf.tid = getelementptr inbounds float, float addrspace(1)* %buf, i64 %tid64
  %out.tid = getelementptr inbounds float, float addrspace(1)* %out, i64 %tid64
  %tid.f = uitofp i32 %tid to float
"#;

const TAIL: &str = r#"}

declare %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64, i64, i8 addrspace(3)*, i8 addrspace(1)*, i64)
declare void @air.wait_simdgroup_events(i32, %event_t addrspace(3)**)
declare void @air.wg.barrier(i32, i32)

attributes #0 = { nounwind }

!air.kernel = !{!0}
!air.version = !{!9}
!0 = !{void (float addrspace(1)*, float addrspace(1)*, i32, i32, i16, i32)* @k, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6, !7, !8}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"buf"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"out"}
!5 = !{i32 2, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid"}
!6 = !{i32 3, !"air.thread_index_in_simdgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"lane"}
!7 = !{i32 4, !"air.simdgroup_index_in_threadgroup", !"air.arg_type_name", !"ushort", !"air.arg_name", !"sidx"}
!8 = !{i32 5, !"air.threadgroup_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"group"}
!9 = !{i32 2, i32 8, i32 0}
"#;

fn module(body: &str) -> String {
    format!("{HEAD}{body}{TAIL}")
}

fn line_of(body: &str, needle: &str) -> usize {
    module(body)
        .lines()
        .position(|l| l.contains(needle))
        .expect(needle)
        + 1
}

/// Runs `body` over `threads` threads in groups of `group` with `workers`
/// worker threads; `buf` starts as 0, 1, 2, ... and `out` as zeros.
fn run(
    body: &str,
    threads: u32,
    group: u32,
    workers: usize,
) -> Result<(Vec<f32>, Vec<f32>, RunReport), ExecError> {
    let text = module(body);
    let p = Program::new(Source::parse(&text, "k.ll").unwrap(), None).unwrap();
    let mut b = Bindings::new();
    let data: Vec<f32> = (0..256).map(|i| i as f32).collect();
    b.set_f32(0, &data).set_f32(1, &[0.0; 256]);
    let options = Options {
        threads: workers,
        ..Options::default()
    };
    let r = p.run(&Launch::linear(threads, group), &mut b, &options)?;
    Ok((b.f32s(0).unwrap(), b.f32s(1).unwrap(), r))
}

/// The outcome for 1 worker, after checking that 2, 3 and 8 give the same.
fn same_for_any_workers(
    body: &str,
    threads: u32,
    group: u32,
) -> Result<(Vec<f32>, Vec<f32>, RunReport), ExecError> {
    let one = run(body, threads, group, 1);
    for w in [2, 3, 8] {
        assert_eq!(
            run(body, threads, group, w),
            one,
            "{w} workers differ from 1:\n{body}"
        );
    }
    one
}

fn race(body: &str) -> ExecError {
    match same_for_any_workers(body, 64, 32) {
        Err(e) => e,
        Ok(_) => panic!("expected a race in:\n{body}"),
    }
}

#[test]
fn a_threadgroup_reading_what_another_wrote_is_a_race_found_at_both_accesses() {
    // Thread t writes buf[t] and then reads buf[t ^ 32]: threadgroup 1
    // reads what threadgroup 0 wrote.
    let body = r#"
  store float %tid.f, float addrspace(1)* %buf.tid, align 4
  %other = xor i64 %tid64, 32
  %buf.other = getelementptr inbounds float, float addrspace(1)* %buf, i64 %other
  %x = load float, float addrspace(1)* %buf.other, align 4
  store float %x, float addrspace(1)* %out.tid, align 4
  ret void
"#;
    let e = race(body);
    assert!(matches!(e.kind, ErrorKind::DeviceRace(_)), "{e}");
    let s = e.to_string();
    let store = line_of(body, "store float %tid.f");
    let load = line_of(body, "%x = load");
    for part in [
        "race between threadgroups: threadgroup (1,0,0) reads byte 0 of buffer 0 (`buf`)",
        &format!("which threadgroup (0,0,0) (at k.ll:{store}) writes"),
        &format!("at k.ll:{load}"),
        "thread (32,0,0)",
    ] {
        assert!(s.contains(part), "missing `{part}` in:\n{s}");
    }
}

#[test]
fn a_threadgroup_writing_what_an_earlier_one_read_is_a_race() {
    // Threadgroup 0 reads buf[32..64], which threadgroup 1 writes.
    let body = r#"
  %first = icmp eq i32 %group, 0
  br i1 %first, label %read, label %write
read:
  %other = add i64 %tid64, 32
  %buf.other = getelementptr inbounds float, float addrspace(1)* %buf, i64 %other
  %x = load float, float addrspace(1)* %buf.other, align 4
  store float %x, float addrspace(1)* %out.tid, align 4
  ret void
write:
  store float 1.0, float addrspace(1)* %buf.tid, align 4
  ret void
"#;
    let s = race(body).to_string();
    let load = line_of(body, "%x = load");
    for part in [
        "threadgroup (1,0,0) writes byte 128 of buffer 0 (`buf`)",
        &format!("which threadgroup (0,0,0) (at k.ll:{load}) reads"),
    ] {
        assert!(s.contains(part), "missing `{part}` in:\n{s}");
    }
}

#[test]
fn a_threadgroup_reading_its_own_writes_and_disjoint_threadgroups_run() {
    let body = r#"
  %y = fmul float %tid.f, 2.0
  store float %y, float addrspace(1)* %buf.tid, align 4
  %back = load float, float addrspace(1)* %buf.tid, align 4
  %z = fadd float %back, 1.0
  store float %z, float addrspace(1)* %out.tid, align 4
  ret void
"#;
    let (buf, out, report) = same_for_any_workers(body, 200, 32).unwrap();
    for i in 0..200 {
        assert_eq!(buf[i], 2.0 * i as f32);
        assert_eq!(out[i], 2.0 * i as f32 + 1.0);
    }
    assert_eq!(buf[200], 200.0, "bytes nobody wrote keep their contents");
    assert_eq!((report.threads, report.threadgroups), (200, 7));
    // 9 instructions in the entry block before the body, 6 in it.
    assert_eq!(report.steps, 200 * 15);
}

#[test]
fn two_threadgroups_writing_one_byte_keep_the_later_value() {
    // Every thread writes buf[0]; as within a threadgroup, the last write
    // in order wins (thread 63 of threadgroup 1).
    let body = r#"
  store float %tid.f, float addrspace(1)* %buf, align 4
  ret void
"#;
    let (buf, _, _) = same_for_any_workers(body, 64, 32).unwrap();
    assert_eq!(buf[0], 63.0);
}

#[test]
fn kernels_with_device_atomics_run_threadgroups_in_order() {
    // Lane 0 of each threadgroup takes a ticket from a device counter
    // (buf[0], bits of 0.0 = 0) and stores it at out[group]: in order, the
    // tickets are 0, 1, 2, 3; later threadgroups also see earlier stores.
    let body = r#"
  %first = icmp eq i32 %lane, 0
  br i1 %first, label %ticket, label %done
ticket:
  %counter = bitcast float addrspace(1)* %buf to i32 addrspace(1)*
  %t = atomicrmw add i32 addrspace(1)* %counter, i32 1 monotonic
  %t.f = uitofp i32 %t to float
  %g64 = zext i32 %group to i64
  %out.g = getelementptr inbounds float, float addrspace(1)* %out, i64 %g64
  store float %t.f, float addrspace(1)* %out.g, align 4
  br label %done
done:
  ret void
"#;
    let (buf, out, _) = same_for_any_workers(body, 128, 32).unwrap();
    assert_eq!(&out[..4], &[0.0, 1.0, 2.0, 3.0]);
    assert_eq!(buf[0].to_bits(), 4);
}

#[test]
fn errors_are_those_of_the_lowest_failing_threadgroup() {
    // Threadgroups 2 and 5 divide by zero; threadgroup 2's error wins for
    // any number of workers.
    let body = r#"
  %g = urem i32 %group, 3
  %d = udiv i32 %tid, %g
  ret void
"#;
    let e = same_for_any_workers(body, 256, 32).unwrap_err();
    let s = e.to_string();
    assert!(
        s.contains("integer division by zero") && s.contains("threadgroup (0,0,0)"),
        "{s}"
    );
    let body = r#"
  %g = sub i32 %group, 2
  %is = icmp eq i32 %g, 3
  %g2 = select i1 %is, i32 0, i32 %g
  %d = udiv i32 %tid, %g2
  ret void
"#;
    let s = same_for_any_workers(body, 256, 32).unwrap_err().to_string();
    assert!(s.contains("threadgroup (2,0,0)"), "{s}");
}

#[test]
fn the_step_budget_stops_at_the_same_instruction_for_any_number_of_workers() {
    // Each threadgroup spins for a while; the budget runs out inside a
    // later threadgroup, at one exact thread and instruction.
    let body = r#"
  br label %spin
spin:
  %i = phi i32 [ 0, %entry ], [ %i.next, %spin ]
  %i.next = add i32 %i, 1
  %more = icmp ult i32 %i.next, 100
  br i1 %more, label %spin, label %exit
exit:
  ret void
"#;
    let text = module(body);
    let p = Program::new(Source::parse(&text, "k.ll").unwrap(), None).unwrap();
    let outcome = |workers: usize| {
        let mut b = Bindings::new();
        b.set_f32(0, &[0.0; 4]).set_f32(1, &[0.0; 4]);
        p.run(
            &Launch::linear(256, 32),
            &mut b,
            &Options {
                step_budget: 50_000,
                threads: workers,
                ..Options::default()
            },
        )
        .unwrap_err()
        .to_string()
    };
    let one = outcome(1);
    assert!(
        one.contains("step budget of 50000 work units exhausted"),
        "{one}"
    );
    for w in [2, 3, 8] {
        assert_eq!(outcome(w), one);
    }
}

#[test]
fn a_copy_into_bytes_read_since_the_last_barrier_is_an_error() {
    // Both simdgroups read the tile; simdgroup 0 then copies into it again
    // without a barrier between: a GPU may land the copy before the reads.
    let copy = r#"
  %is0 = icmp eq i16 %sidx, 0
  br i1 %is0, label %copy, label %join
copy:
  %e = call %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64 4, i64 32, i8 addrspace(3)* %tg.i8, i8 addrspace(1)* %buf.i8, i64 0)
  store %event_t addrspace(3)* %e, %event_t addrspace(3)** %ev, align 8
  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** %ev)
  br label %join
join:
  call void @air.wg.barrier(i32 2, i32 1)
  %x = load float, float addrspace(3)* %tg.lane, align 4
  store float %x, float addrspace(1)* %out.tid, align 4
"#;
    let again = r#"
  br i1 %is0, label %copy2, label %join2
copy2:
  %e2 = call %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64 4, i64 32, i8 addrspace(3)* %tg.i8, i8 addrspace(1)* %buf.i8, i64 0)
  store %event_t addrspace(3)* %e2, %event_t addrspace(3)** %ev, align 8
  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** %ev)
  br label %join2
join2:
  call void @air.wg.barrier(i32 2, i32 1)
  ret void
"#;
    let racy = format!("{copy}{again}");
    let e = run(&racy, 64, 64, 1).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::CopyOverwritesRead(_)), "{e}");
    let s = e.to_string();
    let second = line_of(&racy, "%e2 = call");
    let read = line_of(&racy, "%x = load");
    for part in [
        &format!("copy #1 issued by simdgroup 0 at k.ll:{second} writes byte 0 of threadgroup @tg"),
        "which simdgroups 0-1 read",
        &format!("(last at k.ll:{read} `%x = load"),
        "put a threadgroup barrier between the reads and the copy",
    ] {
        assert!(s.contains(part), "missing `{part}` in:\n{s}");
    }
    // A barrier between the reads and the copy makes it safe.
    let fenced = format!("{copy}  call void @air.wg.barrier(i32 2, i32 1)\n{again}");
    let (_, out, _) = same_for_any_workers(&fenced, 64, 64).unwrap();
    assert_eq!(out[40], 8.0, "lane 8 of simdgroup 1 read element 8");
}
