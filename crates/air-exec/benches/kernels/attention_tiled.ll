; attention_tiled.ll: one attention head forward, O = softmax(Q K^T / sqrt(64)) V,
; f32, Q, K, V and O are S x 64 row-major, any S >= 1.
;
; Written by the airlink project for the executor's benchmark and tests
; (crates/air-exec/benches/tiled.rs, crates/air-exec/tests/tiled.rs); the
; intrinsic forms are those of crates/air-ir/src/intrinsics.rs.
;
; Launch: threadgroups of 128 threads (4 simdgroups), grid ceil(S / 32) * 128;
; threadgroup x owns query rows 32x .. 32x + 31, simdgroup s the 8 rows at
; 32x + 8s. K and V are walked in blocks of 16 rows, double buffered in
; threadgroup memory (@tiles: the 32x64 Q tile at element 0, K slots at 2048
; and 3072, V slots at 4096 and 5120, each 16x64, pitch 64). Simdgroup 0
; copies Q once, then in iteration j of the loop (j = 0 .. nkv):
;   1. waits for K/V block j - 1;
;   2. threadgroup barrier (block j - 1 visible; reads of slot j % 2 done);
;   3. copies K/V block j into slot j % 2 (if j < nkv);
;   4. every simdgroup folds block j - 1 into its rows (if j >= 1):
;      S = Q K^T (8x16: two 8x8 tiles, K loaded transposed), scaled to
;      log2 units, columns past the end of K masked to -inf, the online
;      softmax update (row max and sum over the lanes of a row by
;      simd_shuffle_xor 1 and 8), O = O * corr + P V (eight 8x8 tiles).
; At the end O / l goes straight to the output, bounded by S.
;
; Lane L holds elements (row, col), (row, col + 1) of each 8x8 tile, with
; col = ((L / 4) & 2) * 2 + (L % 2) * 2 and row = (L / 16) * 4 + (L / 2) % 4
; (crates/air-exec/src/matrix.rs, lane_coords): the lanes of one row differ
; in bits 0 and 3 of L.

source_filename = "attention_tiled"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

%event_t = type opaque

@tiles = internal addrspace(3) global [6144 x float] undef, align 16

define void @attention_tiled(float addrspace(1)* noundef %Q, float addrspace(1)* noundef %K, float addrspace(1)* noundef %V, float addrspace(1)* noundef %O, i32 addrspace(2)* noundef %params, i32 noundef %tg, i16 noundef %sidx, i16 noundef %lane) {
entry:
  %ev = alloca [5 x %event_t addrspace(3)*], align 8
  %S.32 = load i32, i32 addrspace(2)* %params, align 4
  %S = zext i32 %S.32 to i64
  %tg64 = zext i32 %tg to i64
  %q0 = shl i64 %tg64, 5
  %S.pad = add i64 %S, 15
  %nkv = lshr i64 %S.pad, 4
  %s = zext i16 %sidx to i64
  %is0 = icmp eq i16 %sidx, 0
  %r0 = shl i64 %s, 3
  ; This lane's first column in an 8x8 tile.
  %l = zext i16 %lane to i64
  %l.quad = lshr i64 %l, 2
  %l.q2 = and i64 %l.quad, 2
  %l.c1 = shl i64 %l.q2, 1
  %l.odd = and i64 %l, 1
  %l.c2 = shl i64 %l.odd, 1
  %col = add i64 %l.c1, %l.c2
  %col1 = add i64 %col, 1
  %col8 = add i64 %col, 8
  %col9 = add i64 %col, 9
  %zero = call <64 x float> @air.simdgroup_matrix_8x8_init_filled.v64f32.f32(float 0.000000e+00)
  br i1 %is0, label %copy.q, label %loop

copy.q:
  %q.left = sub i64 %S, %q0
  %q.short = icmp ult i64 %q.left, 32
  %qh = select i1 %q.short, i64 %q.left, i64 32
  %q.off = shl i64 %q0, 6
  %q.src = getelementptr inbounds float, float addrspace(1)* %Q, i64 %q.off
  %q.src.i8 = bitcast float addrspace(1)* %q.src to i8 addrspace(1)*
  %q.tile = insertelement <2 x i64> <i64 64, i64 undef>, i64 %qh, i64 1
  %ev.q = call %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64 4, i64 4, i8 addrspace(3)* bitcast ([6144 x float] addrspace(3)* @tiles to i8 addrspace(3)*), i64 64, i64 1, <2 x i64> <i64 64, i64 32>, i8 addrspace(1)* %q.src.i8, i64 64, i64 1, <2 x i64> %q.tile, <2 x i64> zeroinitializer, i32 0)
  %ev.q.p = getelementptr inbounds [5 x %event_t addrspace(3)*], [5 x %event_t addrspace(3)*]* %ev, i64 0, i64 4
  store %event_t addrspace(3)* %ev.q, %event_t addrspace(3)** %ev.q.p, align 8
  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** %ev.q.p)
  br label %loop

loop:
  %j = phi i64 [ 0, %entry ], [ 0, %copy.q ], [ %j.next, %latch ]
  %m.run = phi float [ 0xFFF0000000000000, %entry ], [ 0xFFF0000000000000, %copy.q ], [ %m.keep, %latch ]
  %l.run = phi float [ 0.000000e+00, %entry ], [ 0.000000e+00, %copy.q ], [ %l.keep, %latch ]
  %o0 = phi <64 x float> [ %zero, %entry ], [ %zero, %copy.q ], [ %o0.next, %latch ]
  %o1 = phi <64 x float> [ %zero, %entry ], [ %zero, %copy.q ], [ %o1.next, %latch ]
  %o2 = phi <64 x float> [ %zero, %entry ], [ %zero, %copy.q ], [ %o2.next, %latch ]
  %o3 = phi <64 x float> [ %zero, %entry ], [ %zero, %copy.q ], [ %o3.next, %latch ]
  %o4 = phi <64 x float> [ %zero, %entry ], [ %zero, %copy.q ], [ %o4.next, %latch ]
  %o5 = phi <64 x float> [ %zero, %entry ], [ %zero, %copy.q ], [ %o5.next, %latch ]
  %o6 = phi <64 x float> [ %zero, %entry ], [ %zero, %copy.q ], [ %o6.next, %latch ]
  %o7 = phi <64 x float> [ %zero, %entry ], [ %zero, %copy.q ], [ %o7.next, %latch ]
  %has.prev = icmp ne i64 %j, 0
  %wait.now = and i1 %is0, %has.prev
  br i1 %wait.now, label %wait, label %sync

wait:
  %prev = sub i64 %j, 1
  %prev.slot = and i64 %prev, 1
  %prev.ev = shl i64 %prev.slot, 1
  %ev.wait = getelementptr inbounds [5 x %event_t addrspace(3)*], [5 x %event_t addrspace(3)*]* %ev, i64 0, i64 %prev.ev
  call void @air.wait_simdgroup_events(i32 2, %event_t addrspace(3)** %ev.wait)
  br label %sync

sync:
  call void @air.wg.barrier(i32 2, i32 1)
  %more = icmp ult i64 %j, %nkv
  %copy.now = and i1 %is0, %more
  br i1 %copy.now, label %copy, label %compute.check

copy:
  %slot = and i64 %j, 1
  %kv0 = shl i64 %j, 4
  %kv.left = sub i64 %S, %kv0
  %kv.short = icmp ult i64 %kv.left, 16
  %kvh = select i1 %kv.short, i64 %kv.left, i64 16
  %kv.tile = insertelement <2 x i64> <i64 64, i64 undef>, i64 %kvh, i64 1
  %kv.off = shl i64 %kv0, 6
  %slot.off = shl i64 %slot, 10
  %k.dst.i = add i64 %slot.off, 2048
  %k.dst = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %k.dst.i
  %k.dst.i8 = bitcast float addrspace(3)* %k.dst to i8 addrspace(3)*
  %k.src = getelementptr inbounds float, float addrspace(1)* %K, i64 %kv.off
  %k.src.i8 = bitcast float addrspace(1)* %k.src to i8 addrspace(1)*
  %ev.k = call %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64 4, i64 4, i8 addrspace(3)* %k.dst.i8, i64 64, i64 1, <2 x i64> <i64 64, i64 16>, i8 addrspace(1)* %k.src.i8, i64 64, i64 1, <2 x i64> %kv.tile, <2 x i64> zeroinitializer, i32 0)
  %v.dst.i = add i64 %slot.off, 4096
  %v.dst = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %v.dst.i
  %v.dst.i8 = bitcast float addrspace(3)* %v.dst to i8 addrspace(3)*
  %v.src = getelementptr inbounds float, float addrspace(1)* %V, i64 %kv.off
  %v.src.i8 = bitcast float addrspace(1)* %v.src to i8 addrspace(1)*
  %ev.v = call %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64 4, i64 4, i8 addrspace(3)* %v.dst.i8, i64 64, i64 1, <2 x i64> <i64 64, i64 16>, i8 addrspace(1)* %v.src.i8, i64 64, i64 1, <2 x i64> %kv.tile, <2 x i64> zeroinitializer, i32 0)
  %ev.i = shl i64 %slot, 1
  %ev.k.p = getelementptr inbounds [5 x %event_t addrspace(3)*], [5 x %event_t addrspace(3)*]* %ev, i64 0, i64 %ev.i
  store %event_t addrspace(3)* %ev.k, %event_t addrspace(3)** %ev.k.p, align 8
  %ev.v.p = getelementptr inbounds %event_t addrspace(3)*, %event_t addrspace(3)** %ev.k.p, i64 1
  store %event_t addrspace(3)* %ev.v, %event_t addrspace(3)** %ev.v.p, align 8
  br label %compute.check

compute.check:
  br i1 %has.prev, label %compute, label %latch

compute:
  %b = sub i64 %j, 1
  %b.slot = and i64 %b, 1
  %b.off = shl i64 %b.slot, 10
  %k.base = add i64 %b.off, 2048
  %v.base = add i64 %b.off, 4096
  %q.base = shl i64 %r0, 6
  %b.kv0 = shl i64 %b, 4
  %b.left = sub i64 %S, %b.kv0
  %b.short = icmp ult i64 %b.left, 16
  %valid = select i1 %b.short, i64 %b.left, i64 16
  br label %kk.loop

kk.loop:
  ; S = Q K^T over the 64 columns of Q, 8 at a time.
  %kk = phi i64 [ 0, %compute ], [ %kk.next, %kk.loop ]
  %s0 = phi <64 x float> [ %zero, %compute ], [ %s0.next, %kk.loop ]
  %s1 = phi <64 x float> [ %zero, %compute ], [ %s1.next, %kk.loop ]
  %kk.8 = shl i64 %kk, 3
  %q.i = add i64 %q.base, %kk.8
  %q.p = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %q.i
  %q = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %q.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  ; K rows 0..7 and 8..15, columns 8kk, read transposed: element (r, c) = K[c][8kk + r].
  %k0.i = add i64 %k.base, %kk.8
  %k0.p = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %k0.i
  %k1.i = add i64 %k0.i, 512
  %k1.p = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %k1.i
  %k0 = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %k0.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 64, i64 1>, <2 x i64> zeroinitializer)
  %k1 = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %k1.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 64, i64 1>, <2 x i64> zeroinitializer)
  %s0.next = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %q, <64 x float> %k0, <64 x float> %s0)
  %s1.next = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %q, <64 x float> %k1, <64 x float> %s1)
  %kk.next = add i64 %kk, 1
  %kk.more = icmp ult i64 %kk.next, 8
  br i1 %kk.more, label %kk.loop, label %softmax

softmax:
  ; This lane's four scores in log2 units (log2(e) / sqrt(64)), -inf past the end of K.
  %raw0 = extractelement <64 x float> %s0.next, i64 0
  %sc0 = fmul float %raw0, 0x3FC7154760000000
  %in0 = icmp ult i64 %col, %valid
  %x0 = select i1 %in0, float %sc0, float 0xFFF0000000000000
  %raw1 = extractelement <64 x float> %s0.next, i64 1
  %sc1 = fmul float %raw1, 0x3FC7154760000000
  %in1 = icmp ult i64 %col1, %valid
  %x1 = select i1 %in1, float %sc1, float 0xFFF0000000000000
  %raw2 = extractelement <64 x float> %s1.next, i64 0
  %sc2 = fmul float %raw2, 0x3FC7154760000000
  %in2 = icmp ult i64 %col8, %valid
  %x2 = select i1 %in2, float %sc2, float 0xFFF0000000000000
  %raw3 = extractelement <64 x float> %s1.next, i64 1
  %sc3 = fmul float %raw3, 0x3FC7154760000000
  %in3 = icmp ult i64 %col9, %valid
  %x3 = select i1 %in3, float %sc3, float 0xFFF0000000000000
  %mx01 = call float @llvm.maxnum.f32(float %x0, float %x1)
  %mx23 = call float @llvm.maxnum.f32(float %x2, float %x3)
  %mx.lane = call float @llvm.maxnum.f32(float %mx01, float %mx23)
  %mx.sh1 = call float @air.simd_shuffle_xor.f32(float %mx.lane, i32 1)
  %mx.1 = call float @llvm.maxnum.f32(float %mx.lane, float %mx.sh1)
  %mx.sh8 = call float @air.simd_shuffle_xor.f32(float %mx.1, i32 8)
  %m.blk = call float @llvm.maxnum.f32(float %mx.1, float %mx.sh8)
  %m.next = call float @llvm.maxnum.f32(float %m.run, float %m.blk)
  %m.diff = fsub float %m.run, %m.next
  %corr = call float @air.fast_exp2.f32(float %m.diff)
  %d0 = fsub float %x0, %m.next
  %p0 = call float @air.fast_exp2.f32(float %d0)
  %d1 = fsub float %x1, %m.next
  %p1 = call float @air.fast_exp2.f32(float %d1)
  %d2 = fsub float %x2, %m.next
  %p2 = call float @air.fast_exp2.f32(float %d2)
  %d3 = fsub float %x3, %m.next
  %p3 = call float @air.fast_exp2.f32(float %d3)
  %ps01 = fadd float %p0, %p1
  %ps23 = fadd float %p2, %p3
  %ps.lane = fadd float %ps01, %ps23
  %ps.sh1 = call float @air.simd_shuffle_xor.f32(float %ps.lane, i32 1)
  %ps.1 = fadd float %ps.lane, %ps.sh1
  %ps.sh8 = call float @air.simd_shuffle_xor.f32(float %ps.1, i32 8)
  %l.blk = fadd float %ps.1, %ps.sh8
  %l.scaled = fmul float %l.run, %corr
  %l.next = fadd float %l.scaled, %l.blk
  ; O = O * corr + P V.
  %corr.v0 = insertelement <64 x float> undef, float %corr, i64 0
  %corr.v = shufflevector <64 x float> %corr.v0, <64 x float> undef, <64 x i32> zeroinitializer
  %pf0.a = insertelement <64 x float> %zero, float %p0, i64 0
  %pf0 = insertelement <64 x float> %pf0.a, float %p1, i64 1
  %pf1.a = insertelement <64 x float> %zero, float %p2, i64 0
  %pf1 = insertelement <64 x float> %pf1.a, float %p3, i64 1
  %os0 = fmul <64 x float> %o0, %corr.v
  %v0a.i = add i64 %v.base, 0
  %v0a.p = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %v0a.i
  %v0b.i = add i64 %v.base, 512
  %v0b.p = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %v0b.i
  %v0a = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %v0a.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %v0b = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %v0b.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %oa0 = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %pf0, <64 x float> %v0a, <64 x float> %os0)
  %ob0 = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %pf1, <64 x float> %v0b, <64 x float> %oa0)
  %os1 = fmul <64 x float> %o1, %corr.v
  %v1a.i = add i64 %v.base, 8
  %v1a.p = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %v1a.i
  %v1b.i = add i64 %v.base, 520
  %v1b.p = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %v1b.i
  %v1a = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %v1a.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %v1b = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %v1b.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %oa1 = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %pf0, <64 x float> %v1a, <64 x float> %os1)
  %ob1 = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %pf1, <64 x float> %v1b, <64 x float> %oa1)
  %os2 = fmul <64 x float> %o2, %corr.v
  %v2a.i = add i64 %v.base, 16
  %v2a.p = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %v2a.i
  %v2b.i = add i64 %v.base, 528
  %v2b.p = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %v2b.i
  %v2a = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %v2a.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %v2b = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %v2b.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %oa2 = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %pf0, <64 x float> %v2a, <64 x float> %os2)
  %ob2 = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %pf1, <64 x float> %v2b, <64 x float> %oa2)
  %os3 = fmul <64 x float> %o3, %corr.v
  %v3a.i = add i64 %v.base, 24
  %v3a.p = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %v3a.i
  %v3b.i = add i64 %v.base, 536
  %v3b.p = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %v3b.i
  %v3a = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %v3a.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %v3b = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %v3b.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %oa3 = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %pf0, <64 x float> %v3a, <64 x float> %os3)
  %ob3 = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %pf1, <64 x float> %v3b, <64 x float> %oa3)
  %os4 = fmul <64 x float> %o4, %corr.v
  %v4a.i = add i64 %v.base, 32
  %v4a.p = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %v4a.i
  %v4b.i = add i64 %v.base, 544
  %v4b.p = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %v4b.i
  %v4a = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %v4a.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %v4b = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %v4b.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %oa4 = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %pf0, <64 x float> %v4a, <64 x float> %os4)
  %ob4 = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %pf1, <64 x float> %v4b, <64 x float> %oa4)
  %os5 = fmul <64 x float> %o5, %corr.v
  %v5a.i = add i64 %v.base, 40
  %v5a.p = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %v5a.i
  %v5b.i = add i64 %v.base, 552
  %v5b.p = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %v5b.i
  %v5a = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %v5a.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %v5b = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %v5b.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %oa5 = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %pf0, <64 x float> %v5a, <64 x float> %os5)
  %ob5 = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %pf1, <64 x float> %v5b, <64 x float> %oa5)
  %os6 = fmul <64 x float> %o6, %corr.v
  %v6a.i = add i64 %v.base, 48
  %v6a.p = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %v6a.i
  %v6b.i = add i64 %v.base, 560
  %v6b.p = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %v6b.i
  %v6a = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %v6a.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %v6b = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %v6b.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %oa6 = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %pf0, <64 x float> %v6a, <64 x float> %os6)
  %ob6 = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %pf1, <64 x float> %v6b, <64 x float> %oa6)
  %os7 = fmul <64 x float> %o7, %corr.v
  %v7a.i = add i64 %v.base, 56
  %v7a.p = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %v7a.i
  %v7b.i = add i64 %v.base, 568
  %v7b.p = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tiles, i64 0, i64 %v7b.i
  %v7a = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %v7a.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %v7b = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %v7b.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %oa7 = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %pf0, <64 x float> %v7a, <64 x float> %os7)
  %ob7 = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %pf1, <64 x float> %v7b, <64 x float> %oa7)
  br label %latch

latch:
  %m.keep = phi float [ %m.run, %compute.check ], [ %m.next, %softmax ]
  %l.keep = phi float [ %l.run, %compute.check ], [ %l.next, %softmax ]
  %o0.next = phi <64 x float> [ %o0, %compute.check ], [ %ob0, %softmax ]
  %o1.next = phi <64 x float> [ %o1, %compute.check ], [ %ob1, %softmax ]
  %o2.next = phi <64 x float> [ %o2, %compute.check ], [ %ob2, %softmax ]
  %o3.next = phi <64 x float> [ %o3, %compute.check ], [ %ob3, %softmax ]
  %o4.next = phi <64 x float> [ %o4, %compute.check ], [ %ob4, %softmax ]
  %o5.next = phi <64 x float> [ %o5, %compute.check ], [ %ob5, %softmax ]
  %o6.next = phi <64 x float> [ %o6, %compute.check ], [ %ob6, %softmax ]
  %o7.next = phi <64 x float> [ %o7, %compute.check ], [ %ob7, %softmax ]
  %j.next = add i64 %j, 1
  %again = icmp ule i64 %j.next, %nkv
  br i1 %again, label %loop, label %done

done:
  ; O / l, rows bounded by S.
  %inv = fdiv float 1.000000e+00, %l.keep
  %inv.v0 = insertelement <64 x float> undef, float %inv, i64 0
  %inv.v = shufflevector <64 x float> %inv.v0, <64 x float> undef, <64 x i32> zeroinitializer
  %row = add i64 %q0, %r0
  %row.in = icmp ult i64 %row, %S
  %rows.left = sub i64 %S, %row
  %h = select i1 %row.in, i64 %rows.left, i64 0
  %dims = insertelement <2 x i64> <i64 8, i64 undef>, i64 %h, i64 1
  %o.row = shl i64 %row, 6
  %out0 = fmul <64 x float> %o0.next, %inv.v
  %out0.i = add i64 %o.row, 0
  %out0.p = getelementptr float, float addrspace(1)* %O, i64 %out0.i
  call void @air.simdgroup_matrix_8x8_store.v64f32.p1f32(<64 x float> %out0, float addrspace(1)* %out0.p, <2 x i64> %dims, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %out1 = fmul <64 x float> %o1.next, %inv.v
  %out1.i = add i64 %o.row, 8
  %out1.p = getelementptr float, float addrspace(1)* %O, i64 %out1.i
  call void @air.simdgroup_matrix_8x8_store.v64f32.p1f32(<64 x float> %out1, float addrspace(1)* %out1.p, <2 x i64> %dims, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %out2 = fmul <64 x float> %o2.next, %inv.v
  %out2.i = add i64 %o.row, 16
  %out2.p = getelementptr float, float addrspace(1)* %O, i64 %out2.i
  call void @air.simdgroup_matrix_8x8_store.v64f32.p1f32(<64 x float> %out2, float addrspace(1)* %out2.p, <2 x i64> %dims, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %out3 = fmul <64 x float> %o3.next, %inv.v
  %out3.i = add i64 %o.row, 24
  %out3.p = getelementptr float, float addrspace(1)* %O, i64 %out3.i
  call void @air.simdgroup_matrix_8x8_store.v64f32.p1f32(<64 x float> %out3, float addrspace(1)* %out3.p, <2 x i64> %dims, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %out4 = fmul <64 x float> %o4.next, %inv.v
  %out4.i = add i64 %o.row, 32
  %out4.p = getelementptr float, float addrspace(1)* %O, i64 %out4.i
  call void @air.simdgroup_matrix_8x8_store.v64f32.p1f32(<64 x float> %out4, float addrspace(1)* %out4.p, <2 x i64> %dims, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %out5 = fmul <64 x float> %o5.next, %inv.v
  %out5.i = add i64 %o.row, 40
  %out5.p = getelementptr float, float addrspace(1)* %O, i64 %out5.i
  call void @air.simdgroup_matrix_8x8_store.v64f32.p1f32(<64 x float> %out5, float addrspace(1)* %out5.p, <2 x i64> %dims, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %out6 = fmul <64 x float> %o6.next, %inv.v
  %out6.i = add i64 %o.row, 48
  %out6.p = getelementptr float, float addrspace(1)* %O, i64 %out6.i
  call void @air.simdgroup_matrix_8x8_store.v64f32.p1f32(<64 x float> %out6, float addrspace(1)* %out6.p, <2 x i64> %dims, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  %out7 = fmul <64 x float> %o7.next, %inv.v
  %out7.i = add i64 %o.row, 56
  %out7.p = getelementptr float, float addrspace(1)* %O, i64 %out7.i
  call void @air.simdgroup_matrix_8x8_store.v64f32.p1f32(<64 x float> %out7, float addrspace(1)* %out7.p, <2 x i64> %dims, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer)
  ret void
}

declare %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64, i64, i8 addrspace(3)*, i64, i64, <2 x i64>, i8 addrspace(1)*, i64, i64, <2 x i64>, <2 x i64>, i32)
declare void @air.wait_simdgroup_events(i32, %event_t addrspace(3)**)
declare void @air.wg.barrier(i32, i32)
declare <64 x float> @air.simdgroup_matrix_8x8_init_filled.v64f32.f32(float)
declare <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)*, <2 x i64>, <2 x i64>, <2 x i64>)
declare <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float>, <64 x float>, <64 x float>)
declare void @air.simdgroup_matrix_8x8_store.v64f32.p1f32(<64 x float>, float addrspace(1)*, <2 x i64>, <2 x i64>, <2 x i64>)
declare float @air.simd_shuffle_xor.f32(float, i32)
declare float @air.fast_exp2.f32(float)
declare float @llvm.maxnum.f32(float, float) #0

attributes #0 = { nounwind readnone }

!air.kernel = !{!0}
!air.version = !{!11}
!0 = !{void (float addrspace(1)*, float addrspace(1)*, float addrspace(1)*, float addrspace(1)*, i32 addrspace(2)*, i32, i16, i16)* @attention_tiled, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6, !7, !8, !9, !10}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"Q"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"K"}
!5 = !{i32 2, !"air.buffer", !"air.location_index", i32 2, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"V"}
!6 = !{i32 3, !"air.buffer", !"air.location_index", i32 3, i32 1, !"air.write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"O"}
!7 = !{i32 4, !"air.buffer", !"air.location_index", i32 4, i32 1, !"air.read", !"air.address_space", i32 2, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"uint", !"air.arg_name", !"params"}
!8 = !{i32 5, !"air.threadgroup_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tg"}
!9 = !{i32 6, !"air.simdgroup_index_in_threadgroup", !"air.arg_type_name", !"ushort", !"air.arg_name", !"sidx"}
!10 = !{i32 7, !"air.thread_index_in_simdgroup", !"air.arg_type_name", !"ushort", !"air.arg_name", !"lane"}
!11 = !{i32 2, i32 8, i32 0}
