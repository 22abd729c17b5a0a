// gemm_store: writes this thread's accumulators (see gemm_tile_f32.metal) into
// the 32x32 C block in threadgroup memory, for the shell's copy to device
// memory. Shared by gemm_f32.toml and gemm_f16.toml (both accumulate in
// float). Its AIR twin is gemm_store.ll.
//
//   acc  this thread's 8 accumulator elements (fragment f = 2i + j)
//   c    the 32x32 block of C, row-major, pitch 32
//   sidx simdgroup 0..3; it owns rows r0..r0+15, columns c0..c0+15
#include <metal_stdlib>
using namespace metal;

[[visible]] void gemm_store(thread float* acc, threadgroup float* c, uint sidx, uint lane) {
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
  simdgroup_store(c00, c + (r0 + 0) * 32 + c0 + 0, 32);
  simdgroup_store(c01, c + (r0 + 0) * 32 + c0 + 8, 32);
  simdgroup_store(c10, c + (r0 + 8) * 32 + c0 + 0, 32);
  simdgroup_store(c11, c + (r0 + 8) * 32 + c0 + 8, 32);
}
