// attn_block, f32: one K/V block of the online-softmax attention forward pass,
// O = softmax(Q·Kᵀ/√D)·V with D = 64. The visible function of
// attention_f32.toml; its AIR twin is attn_block_f32.ll (the same loop nest,
// each builtin call there tagged `metal:LINE` with its line here).
//
//   q         the 32x64 query block (rows q0..q0+31), row-major, pitch 64
//   k, v      the block's 16 keys and values (16x64 each), row-major, pitch 64;
//             rows past kv_valid are zero (the copy's zero fill)
//   o_acc     this thread's 16 output accumulators: column tile ct = 0..7 keeps
//             its thread_elements() 0 and 1 in o_acc[2ct] and o_acc[2ct + 1]
//   m_run     this thread's row: running maximum of the scores, log2 units
//   l_run     this thread's row: running sum of 2^(score - m_run)
//   kv_valid  how many of the 16 keys are real (1..16)
//   sidx      simdgroup 0..3; it owns query rows 8*sidx..8*sidx+7
// Scores are kept in log2 units (x = s·log2(e)/8), so exp becomes exp2. Masked
// scores are -1e30, not -infinity: Metal compiles with fast math, which may
// assume finite values (m_run starts at -1e30 for the same reason).
#include <metal_stdlib>
using namespace metal;

[[visible]] void attn_block(threadgroup float* q, threadgroup float* k, threadgroup float* v,
                            thread float* o_acc, thread float* m_run, thread float* l_run,
                            uint kv_valid, uint sidx, uint lane) {
  const uint r0 = sidx * 8;
  const simdgroup_float8x8 zero = make_filled_simdgroup_matrix<float, 8, 8>(0.0f);
  // 1. S = Q·Kᵀ, 8 rows x 16 columns: s0 holds keys 0..7, s1 keys 8..15.
  simdgroup_float8x8 s0 = zero, s1 = zero;
  for (uint kk = 0; kk < 8; kk++) {
    simdgroup_float8x8 qf, k0, k1;
    simdgroup_load(qf, q + r0 * 64 + 8 * kk, 64);
    simdgroup_load(k0, k + 0 * 64 + 8 * kk, 64, ulong2(0, 0), true);
    simdgroup_load(k1, k + 8 * 64 + 8 * kk, 64, ulong2(0, 0), true);
    simdgroup_multiply_accumulate(s0, qf, k0, s0);
    simdgroup_multiply_accumulate(s1, qf, k1, s1);
  }
  // 2. This lane's four scores (row, col), (row, col+1), (row, col+8),
  // (row, col+9), masked past kv_valid; the row's maximum over its 4 lanes.
  const uint col = ((lane / 4) & 2) * 2 + (lane % 2) * 2;
  const float scale = 0.18033688f;  // log2(e) / sqrt(64)
  float x0 = s0.thread_elements()[0] * scale;
  float x1 = s0.thread_elements()[1] * scale;
  float x2 = s1.thread_elements()[0] * scale;
  float x3 = s1.thread_elements()[1] * scale;
  x0 = col + 0 < kv_valid ? x0 : -1.0e30f;
  x1 = col + 1 < kv_valid ? x1 : -1.0e30f;
  x2 = col + 8 < kv_valid ? x2 : -1.0e30f;
  x3 = col + 9 < kv_valid ? x3 : -1.0e30f;
  float mb = x0 > x1 ? x0 : x1;
  mb = mb > x2 ? mb : x2;
  mb = mb > x3 ? mb : x3;
  const float m1 = simd_shuffle_xor(mb, 1);
  mb = mb > m1 ? mb : m1;
  const float m8 = simd_shuffle_xor(mb, 8);
  mb = mb > m8 ? mb : m8;
  // 3. The online-softmax update: rescale the old sum (and below, the output)
  // by 2^(m_old - m_new), add this block's 2^(x - m_new).
  const float m_old = m_run[0];
  const float m_new = m_old > mb ? m_old : mb;
  const float corr = exp2(m_old - m_new);
  const float p0 = exp2(x0 - m_new);
  const float p1 = exp2(x1 - m_new);
  const float p2 = exp2(x2 - m_new);
  const float p3 = exp2(x3 - m_new);
  float lb = (p0 + p1) + (p2 + p3);
  const float l1 = simd_shuffle_xor(lb, 1);
  lb = lb + l1;
  const float l8 = simd_shuffle_xor(lb, 8);
  lb = lb + l8;
  l_run[0] = l_run[0] * corr + lb;
  m_run[0] = m_new;
  // P takes the place of S: the same fragments, now the A operands.
  s0.thread_elements()[0] = p0;
  s0.thread_elements()[1] = p1;
  s1.thread_elements()[0] = p2;
  s1.thread_elements()[1] = p3;
  // 4. O = O·corr + P·V, one 8-column tile of the 64 at a time.
  for (uint ct = 0; ct < 8; ct++) {
    simdgroup_float8x8 o = zero, v0, v1;
    o.thread_elements()[0] = o_acc[2 * ct] * corr;
    o.thread_elements()[1] = o_acc[2 * ct + 1] * corr;
    simdgroup_load(v0, v + 0 * 64 + 8 * ct, 64);
    simdgroup_load(v1, v + 8 * 64 + 8 * ct, 64);
    simdgroup_multiply_accumulate(o, s0, v0, o);
    simdgroup_multiply_accumulate(o, s1, v1, o);
    o_acc[2 * ct] = o.thread_elements()[0];
    o_acc[2 * ct + 1] = o.thread_elements()[1];
  }
}
