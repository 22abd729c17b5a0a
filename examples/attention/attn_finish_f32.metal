// attn_finish, f32: divides this thread's output accumulators by the row's
// softmax sum and stores them into the 32x64 O block in threadgroup memory,
// for the shell's copy to device memory. The visible function of
// attention_f32.toml; its AIR twin is attn_finish_f32.ll.
//
//   o_acc  this thread's 16 accumulators (see attn_block_f32.metal)
//   l_run  this thread's row: the softmax sum (> 0 after the first block)
//   o      the 32x64 output block, row-major, pitch 64
//   sidx   simdgroup 0..3; it owns rows 8*sidx..8*sidx+7
#include <metal_stdlib>
using namespace metal;

[[visible]] void attn_finish(thread float* o_acc, thread float* l_run, threadgroup float* o,
                             uint sidx, uint lane) {
  const uint r0 = sidx * 8;
  const float inv = 1.0f / l_run[0];
  const simdgroup_float8x8 zero = make_filled_simdgroup_matrix<float, 8, 8>(0.0f);
  for (uint ct = 0; ct < 8; ct++) {
    simdgroup_float8x8 f = zero;
    f.thread_elements()[0] = o_acc[2 * ct] * inv;
    f.thread_elements()[1] = o_acc[2 * ct + 1] * inv;
    simdgroup_store(f, o + r0 * 64 + 8 * ct, 64);
  }
}
