//! The `exec_big` target: kernels built from the fuzzer's bytes out of
//! the operations that made the executor run away in issue 20 (vector
//! operations on up to millions of elements in loops, allocas in loops,
//! large `memcpy`/`memset`, loads and stores of whole buffers as vectors,
//! huge constants, async copies of large tiles), run under a small work
//! budget and memory limit. Every run must end in a result or an error
//! within the budget (never a panic, a hang or a blow-up past the limit),
//! and give the same result, report or error with one worker and with three.
//!
//! The bytes are read as a little program: the first few choose the
//! launch and the buffer sizes, then each group of bytes one step (see
//! [`Step`]); each step's sizes and trip counts come from tables that
//! straddle the executor's limits.

use air_exec::{Bindings, ExecError, Launch, Options, Program, RunReport, Source};

/// The work budget of one run (units: docs/executor-semantics.md): small,
/// because every input runs twice under the fuzzer's instrumentation.
pub const STEP_BUDGET: u64 = 500_000;
/// The memory limit of one run.
pub const MEMORY_LIMIT: u64 = 64 << 20;

/// Vector lengths: small, a matrix register, around the constant limit
/// (2^20 elements) and far past what the memory limit allows.
const LENGTHS: [u64; 8] = [1, 7, 64, 1000, 65536, 1 << 20, (1 << 20) + 1, 1 << 24];
/// Loop trip counts.
const TRIPS: [u64; 6] = [1, 2, 10, 1000, 1_000_000, 1 << 40];
/// Byte sizes of allocas, copies and memsets.
const SIZES: [u64; 8] = [1, 8, 4096, 65536, 1 << 20, 1 << 24, (1 << 24) + 1, 1 << 28];
/// Buffer sizes in bytes.
const BUFFERS: [usize; 6] = [4, 256, 4096, 1 << 16, 1 << 20, 4 << 20];

/// Reads the fuzzer's bytes; zeros once they run out.
struct Bytes<'a> {
    data: &'a [u8],
    at: usize,
}

impl Bytes<'_> {
    fn byte(&mut self) -> usize {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b as usize
    }

    fn pick<T: Copy>(&mut self, table: &[T]) -> T {
        table[self.byte() % table.len()]
    }

    fn more(&self) -> bool {
        self.at < self.data.len()
    }
}

/// One step of a generated kernel.
#[derive(Clone, Copy, Debug)]
pub enum Step {
    /// A loop of `trips` operations (`op` of 4) on a `<len x T>` vector,
    /// `T` float or i32.
    VectorLoop {
        /// Lanes.
        len: u64,
        /// Trip count.
        trips: u64,
        /// Float or i32 lanes.
        float: bool,
        /// Which operation.
        op: u8,
    },
    /// A loop of `trips` `alloca [size x i8]` (with a store into each).
    AllocaLoop {
        /// Bytes per alloca.
        size: u64,
        /// Trip count.
        trips: u64,
    },
    /// `llvm.memcpy` or `llvm.memset` of `size` bytes between two allocas
    /// of `alloca` bytes.
    Memory {
        /// Bytes moved.
        size: u64,
        /// Bytes of each alloca.
        alloca: u64,
        /// memset instead of memcpy.
        set: bool,
    },
    /// A load of `<len x i32>` from the input buffer and a store of it to
    /// the output buffer.
    WholeBuffer {
        /// Lanes.
        len: u64,
    },
    /// A `[len x i32]` zeroinitializer stored into an alloca.
    Constant {
        /// Elements.
        len: u64,
    },
    /// An async copy of `count` 4-byte elements into threadgroup memory,
    /// its wait and a barrier.
    Copy {
        /// Elements copied.
        count: u64,
    },
    /// `insertelement`/`extractelement` at `index` of a `<len x i32>`.
    Element {
        /// Lanes.
        len: u64,
        /// The index (maybe out of range).
        index: u64,
    },
}

fn step(b: &mut Bytes<'_>) -> Step {
    match b.byte() % 7 {
        0 => Step::VectorLoop {
            len: b.pick(&LENGTHS),
            trips: b.pick(&TRIPS),
            float: b.byte() % 2 == 1,
            op: (b.byte() % 4) as u8,
        },
        1 => Step::AllocaLoop {
            size: b.pick(&SIZES),
            trips: b.pick(&TRIPS),
        },
        2 => Step::Memory {
            size: b.pick(&SIZES),
            alloca: b.pick(&SIZES),
            set: b.byte() % 2 == 1,
        },
        3 => Step::WholeBuffer {
            len: b.pick(&LENGTHS),
        },
        4 => Step::Constant {
            len: b.pick(&LENGTHS),
        },
        5 => Step::Copy {
            count: b.pick(&[1u64, 32, 1024, 1 << 16, 1 << 22]),
        },
        _ => Step::Element {
            len: b.pick(&LENGTHS),
            index: b.pick(&[0u64, 1, 2, 63, 64, 999_999, 1 << 40]),
        },
    }
}

/// The text of step `n`, appended to `body` (labels and values carry `n`).
fn emit(body: &mut String, n: usize, s: Step) {
    use std::fmt::Write;
    let w = body;
    match s {
        Step::VectorLoop {
            len,
            trips,
            float,
            op,
        } => {
            let (ty, ops) = if float {
                ("float", ["fadd", "fmul", "fsub", "fdiv"])
            } else {
                ("i32", ["add", "mul", "xor", "shl"])
            };
            let op = ops[op as usize % 4];
            let v = format!("<{len} x {ty}>");
            let _ = write!(
                w,
                "  br label %l{n}\nl{n}:\n  %v{n} = phi {v} [ zeroinitializer, %s{n} ], [ %w{n}, %l{n} ]\n  %i{n} = phi i64 [ 0, %s{n} ], [ %j{n}, %l{n} ]\n  %w{n} = {op} {v} %v{n}, %v{n}\n  %j{n} = add i64 %i{n}, 1\n  %c{n} = icmp ult i64 %j{n}, {trips}\n  br i1 %c{n}, label %l{n}, label %e{n}\ne{n}:\n"
            );
        }
        Step::AllocaLoop { size, trips } => {
            let _ = write!(
                w,
                "  br label %l{n}\nl{n}:\n  %i{n} = phi i64 [ 0, %s{n} ], [ %j{n}, %l{n} ]\n  %a{n} = alloca [{size} x i8], align 1\n  %p{n} = getelementptr inbounds [{size} x i8], [{size} x i8]* %a{n}, i64 0, i64 0\n  store i8 1, i8* %p{n}, align 1\n  %j{n} = add i64 %i{n}, 1\n  %c{n} = icmp ult i64 %j{n}, {trips}\n  br i1 %c{n}, label %l{n}, label %e{n}\ne{n}:\n"
            );
        }
        Step::Memory { size, alloca, set } => {
            let _ = write!(
                w,
                "  %a{n} = alloca [{alloca} x i8], align 1\n  %b{n} = alloca [{alloca} x i8], align 1\n  %p{n} = getelementptr inbounds [{alloca} x i8], [{alloca} x i8]* %a{n}, i64 0, i64 0\n  %q{n} = getelementptr inbounds [{alloca} x i8], [{alloca} x i8]* %b{n}, i64 0, i64 0\n"
            );
            if set {
                let _ = writeln!(
                    w,
                    "  call void @llvm.memset.p0i8.i64(i8* %p{n}, i8 7, i64 {size}, i1 false)"
                );
            } else {
                let _ = writeln!(w, "  call void @llvm.memcpy.p0i8.p0i8.i64(i8* %p{n}, i8* %q{n}, i64 {size}, i1 false)");
            }
            let _ = write!(w, "  br label %e{n}\ne{n}:\n");
        }
        Step::WholeBuffer { len } => {
            let _ = write!(
                w,
                "  %p{n} = bitcast i32 addrspace(1)* %in to <{len} x i32> addrspace(1)*\n  %v{n} = load <{len} x i32>, <{len} x i32> addrspace(1)* %p{n}, align 4\n  %q{n} = bitcast i32 addrspace(1)* %out to <{len} x i32> addrspace(1)*\n  store <{len} x i32> %v{n}, <{len} x i32> addrspace(1)* %q{n}, align 4\n  br label %e{n}\ne{n}:\n"
            );
        }
        Step::Constant { len } => {
            let _ = write!(
                w,
                "  %a{n} = alloca [{len} x i32], align 4\n  store [{len} x i32] zeroinitializer, [{len} x i32]* %a{n}, align 4\n  br label %e{n}\ne{n}:\n"
            );
        }
        Step::Copy { count } => {
            let _ = write!(
                w,
                "  %ev{n} = alloca %event_t addrspace(3)*, align 8\n  %in{n} = bitcast i32 addrspace(1)* %in to i8 addrspace(1)*\n  %x{n} = call %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64 4, i64 {count}, i8 addrspace(3)* bitcast ([1024 x i32] addrspace(3)* @tg to i8 addrspace(3)*), i8 addrspace(1)* %in{n}, i64 0)\n  store %event_t addrspace(3)* %x{n}, %event_t addrspace(3)** %ev{n}, align 8\n  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** %ev{n})\n  call void @air.wg.barrier(i32 2, i32 1)\n  br label %e{n}\ne{n}:\n"
            );
        }
        Step::Element { len, index } => {
            let _ = write!(
                w,
                "  %v{n} = insertelement <{len} x i32> zeroinitializer, i32 %tid, i64 {index}\n  %x{n} = extractelement <{len} x i32> %v{n}, i64 {index}\n  %o{n} = getelementptr inbounds i32, i32 addrspace(1)* %out, i64 {n}\n  store i32 %x{n}, i32 addrspace(1)* %o{n}, align 4\n  br label %e{n}\ne{n}:\n"
            );
        }
    }
}

/// The kernel text of `steps`.
pub fn kernel(steps: &[Step]) -> String {
    let mut body = String::from("s0:\n");
    for (n, s) in steps.iter().enumerate() {
        emit(&mut body, n, *s);
        // The next step starts in a block of its own.
        body.push_str(&format!("  br label %s{}\ns{}:\n", n + 1, n + 1));
    }
    body.push_str("  ret void\n");
    format!(
        r#"target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

%event_t = type opaque

@tg = internal addrspace(3) global [1024 x i32] undef, align 4

define void @big(i32 addrspace(1)* %in, i32 addrspace(1)* %out, i32 %tid) {{
{body}}}

declare void @llvm.memcpy.p0i8.p0i8.i64(i8*, i8*, i64, i1)
declare void @llvm.memset.p0i8.i64(i8*, i8, i64, i1)
declare %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64, i64, i8 addrspace(3)*, i8 addrspace(1)*, i64)
declare void @air.wait_simdgroup_events(i32, %event_t addrspace(3)**)
declare void @air.wg.barrier(i32, i32) #0

attributes #0 = {{ nounwind }}

!air.kernel = !{{!0}}
!air.version = !{{!6}}
!0 = !{{void (i32 addrspace(1)*, i32 addrspace(1)*, i32)* @big, !1, !2}}
!1 = !{{}}
!2 = !{{!3, !4, !5}}
!3 = !{{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"int", !"air.arg_name", !"in"}}
!4 = !{{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"int", !"air.arg_name", !"out"}}
!5 = !{{i32 2, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid"}}
!6 = !{{i32 2, i32 8, i32 0}}
"#
    )
}

/// The launch, buffer sizes and steps the bytes describe.
pub fn decode(data: &[u8]) -> (Launch, [usize; 2], Vec<Step>) {
    let mut b = Bytes { data, at: 0 };
    let threads = 1 + b.byte() as u32 % 96;
    let group = b.pick(&[1u32, 4, 32, 64]);
    let sizes = [b.pick(&BUFFERS), b.pick(&BUFFERS)];
    let mut steps = Vec::new();
    while b.more() && steps.len() < 6 {
        steps.push(step(&mut b));
    }
    (Launch::linear(threads, group), sizes, steps)
}

type Outcome = Result<(RunReport, Vec<u8>), ExecError>;

fn run_with(program: &Program, launch: &Launch, sizes: [usize; 2], workers: usize) -> Outcome {
    let mut b = Bindings::new();
    b.set_bytes(0, (0..sizes[0]).map(|i| i as u8).collect());
    b.set_bytes(1, vec![0; sizes[1]]);
    let options = Options {
        step_budget: STEP_BUDGET,
        memory_limit: MEMORY_LIMIT,
        threads: workers,
        ..Options::default()
    };
    let report = program.run(launch, &mut b, &options)?;
    Ok((report, b.bytes(1).unwrap_or_default().to_vec()))
}

/// Runs one input; returns whether the kernel completed.
///
/// # Panics
/// If the generated kernel does not parse (a generator bug) or the
/// outcome differs between one worker and three.
pub fn run(data: &[u8]) -> bool {
    let (launch, sizes, steps) = decode(data);
    let text = kernel(&steps);
    let source = match Source::parse(&text, "big.ll") {
        Ok(s) => s,
        Err(e) => panic!("generated kernel does not parse ({steps:?}): {e}"),
    };
    let Ok(program) = Program::new(source, None) else {
        return false;
    };
    let one = run_with(&program, &launch, sizes, 1);
    let three = run_with(&program, &launch, sizes, 3);
    assert_eq!(
        one, three,
        "one worker and three disagree on {steps:?} with {launch:?}"
    );
    one.is_ok()
}
