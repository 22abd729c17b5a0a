// gemm_tile, f32: one BK = 32 step of a 32x32 block of C = A·B. The visible
// function of gemm_f32.toml; its AIR twin is gemm_tile_f32.ll (the same loop
// nest, each builtin call there tagged `metal:LINE` with its line here).
//
//   a    the 32x32 block of A (rows m0.., columns k0..), row-major, pitch 32
//   b    the 32x32 block of B (rows k0.., columns n0..), row-major, pitch 32
//   acc  this thread's 8 accumulator elements: fragment f = 2i + j keeps its
//        thread_elements() 0 and 1 in acc[2f] and acc[2f + 1]
//   sidx simdgroup 0..3; it computes rows r0..r0+15, columns c0..c0+15
#include <metal_stdlib>
using namespace metal;

[[visible]] void gemm_tile(threadgroup float* a, threadgroup float* b, thread float* acc,
                           uint sidx, uint lane) {
  const uint r0 = (sidx / 2) * 16;
  const uint c0 = (sidx % 2) * 16;
  const simdgroup_float8x8 zero = make_filled_simdgroup_matrix<float, 8, 8>(0.0f);
  simdgroup_float8x8 c00 = zero, c01 = zero, c10 = zero, c11 = zero;
  c00.thread_elements()[0] = acc[0];
  c00.thread_elements()[1] = acc[1];
  c01.thread_elements()[0] = acc[2];
  c01.thread_elements()[1] = acc[3];
  c10.thread_elements()[0] = acc[4];
  c10.thread_elements()[1] = acc[5];
  c11.thread_elements()[0] = acc[6];
  c11.thread_elements()[1] = acc[7];
  for (uint kk = 0; kk < 4; kk++) {
    simdgroup_float8x8 x0, x1, y0, y1;
    simdgroup_load(x0, a + (r0 + 0) * 32 + 8 * kk, 32);
    simdgroup_load(x1, a + (r0 + 8) * 32 + 8 * kk, 32);
    simdgroup_load(y0, b + (8 * kk) * 32 + c0 + 0, 32);
    simdgroup_load(y1, b + (8 * kk) * 32 + c0 + 8, 32);
    simdgroup_multiply_accumulate(c00, x0, y0, c00);
    simdgroup_multiply_accumulate(c01, x0, y1, c01);
    simdgroup_multiply_accumulate(c10, x1, y0, c10);
    simdgroup_multiply_accumulate(c11, x1, y1, c11);
  }
  acc[0] = c00.thread_elements()[0];
  acc[1] = c00.thread_elements()[1];
  acc[2] = c01.thread_elements()[0];
  acc[3] = c01.thread_elements()[1];
  acc[4] = c10.thread_elements()[0];
  acc[5] = c10.thread_elements()[1];
  acc[6] = c11.thread_elements()[0];
  acc[7] = c11.thread_elements()[1];
}
