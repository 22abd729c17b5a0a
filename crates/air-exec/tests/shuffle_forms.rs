//! Every declaration form of `air.simd_shuffle_xor` the intrinsic table
//! accepts runs: Apple's `float (float, i16)` (mps-flash-attention
//! kernels), the integer forms with a sign in the name (Metal.jl), and the
//! hand-written `float (float, i32)` (MFA-MONO).

use air_exec::{Bindings, Launch, Options, Program, Source};

/// A kernel of 32 lanes: out[3 * lane + 0] = in[lane ^ 1] (float shuffle),
/// out[3 * lane + 1] = in[lane ^ 6] (float shuffle, other mask), out[3 *
/// lane + 2] = lane ^ 5 through the signed i32 shuffle. `mask` is the mask
/// type of the float shuffle's declaration.
fn kernel(mask: &str) -> String {
    format!(
        r#"target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v27-apple-macosx15.0.0"

define void @k(float addrspace(1)* %in, float addrspace(1)* %out, i32 %lane) {{
entry:
  %lane64 = zext i32 %lane to i64
  %pin = getelementptr inbounds float, float addrspace(1)* %in, i64 %lane64
  %v = load float, float addrspace(1)* %pin, align 4
  %a = call float @air.simd_shuffle_xor.f32(float %v, {mask} 1)
  %b = call float @air.simd_shuffle_xor.f32(float %v, {mask} 6)
  %c = call i32 @air.simd_shuffle_xor.s.i32(i32 %lane, i16 5)
  %cf = sitofp i32 %c to float
  %base = mul i64 %lane64, 3
  %p0 = getelementptr inbounds float, float addrspace(1)* %out, i64 %base
  store float %a, float addrspace(1)* %p0, align 4
  %p1 = getelementptr inbounds float, float addrspace(1)* %p0, i64 1
  store float %b, float addrspace(1)* %p1, align 4
  %p2 = getelementptr inbounds float, float addrspace(1)* %p0, i64 2
  store float %cf, float addrspace(1)* %p2, align 4
  ret void
}}

declare float @air.simd_shuffle_xor.f32(float, {mask})
declare i32 @air.simd_shuffle_xor.s.i32(i32, i16)

!air.kernel = !{{!0}}
!air.version = !{{!6}}
!0 = !{{void (float addrspace(1)*, float addrspace(1)*, i32)* @k, !1, !2}}
!1 = !{{}}
!2 = !{{!3, !4, !5}}
!3 = !{{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"in"}}
!4 = !{{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"out"}}
!5 = !{{i32 2, !"air.thread_index_in_simdgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"lane"}}
!6 = !{{i32 2, i32 7, i32 0}}
"#
    )
}

fn run(mask: &str) -> Vec<f32> {
    let text = kernel(mask);
    let source = Source::parse(&text, "shuffle.ll").unwrap_or_else(|e| panic!("{e}"));
    let p = Program::new(source, None).unwrap_or_else(|e| panic!("{e}"));
    let mut b = Bindings::new();
    let input: Vec<f32> = (0..32).map(|i| 100.0 + i as f32).collect();
    b.set_f32(0, &input).set_f32(1, &[0.0; 96]);
    p.run(&Launch::linear(32, 32), &mut b, &Options::default())
        .unwrap_or_else(|e| panic!("{e}"));
    b.f32s(1).unwrap()
}

fn expected() -> Vec<f32> {
    (0..32u32)
        .flat_map(|l| {
            [
                100.0 + (l ^ 1) as f32,
                100.0 + (l ^ 6) as f32,
                (l ^ 5) as f32,
            ]
        })
        .collect()
}

#[test]
fn apples_i16_mask_runs() {
    assert_eq!(run("i16"), expected());
}

#[test]
fn the_hand_written_i32_mask_runs() {
    assert_eq!(run("i32"), expected());
}
