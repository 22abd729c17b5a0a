; gemm_tiled.ll: C = A * B in f32, row-major, any M, N, K >= 1.
;
; Written by the airlink project for the executor's benchmark and tests
; (crates/air-exec/benches/tiled.rs, crates/air-exec/tests/tiled.rs); the
; intrinsic forms are those of crates/air-ir/src/intrinsics.rs.
;
; Launch: threadgroups of 128 threads (4 simdgroups), grid
; (ceil(N / 32) * 128, ceil(M / 32)); threadgroup (x, y) computes the 32x32
; block of C at rows 32y, columns 32x. Simdgroup s owns the 16x16 quadrant
; at rows 16 (s / 2), columns 16 (s % 2): four 8x8 accumulators.
;
; K is walked in blocks of 32, double buffered in threadgroup memory
; (@tiles: A slots at elements 0 and 1024, B slots at 2048 and 3072, each
; 32x32 with pitch 32). Simdgroup 0 issues the 2D async copies; iteration
; j of the loop (j = 0 .. nk):
;   1. simdgroup 0 waits for block j - 1 (issued in iteration j - 1);
;   2. threadgroup barrier: block j - 1 is visible to every simdgroup, and
;      every read of slot j % 2 (block j - 2, iteration j - 1) is done;
;   3. simdgroup 0 copies block j into slot j % 2 (if j < nk);
;   4. every simdgroup multiplies block j - 1 (if j >= 1).
; Ragged edges: the copies' source tiles shrink to what is left of A and B
; and zero-fill the rest of the 32x32 destination, so padded products are
; 0; the final stores have bounds (dims) that stop at M and N.

source_filename = "gemm_tiled"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

%event_t = type opaque

@tiles = internal addrspace(3) global [4096 x float] undef, align 16

define void @gemm_tiled(float addrspace(1)* noundef %A, float addrspace(1)* noundef %B, float addrspace(1)* noundef %C, i32 addrspace(2)* noundef %dims, <2 x i32> noundef %tg, i16 noundef %sidx) {
entry:
  %ev = alloca [4 x %event_t addrspace(3)*], align 8
  %M.32 = load i32, i32 addrspace(2)* %dims, align 4
  %N.p = getelementptr inbounds i32, i32 addrspace(2)* %dims, i64 1
  %N.32 = load i32, i32 addrspace(2)* %N.p, align 4
  %K.p = getelementptr inbounds i32, i32 addrspace(2)* %dims, i64 2
  %K.32 = load i32, i32 addrspace(2)* %K.p, align 4
  %M = zext i32 %M.32 to i64
  %N = zext i32 %N.32 to i64
  %K = zext i32 %K.32 to i64
  %tgx.32 = extractelement <2 x i32> %tg, i64 0
  %tgy.32 = extractelement <2 x i32> %tg, i64 1
  %tgx = zext i32 %tgx.32 to i64
  %tgy = zext i32 %tgy.32 to i64
  %n0 = shl i64 %tgx, 5
  %m0 = shl i64 %tgy, 5
  %K.pad = add i64 %K, 31
  %nk = lshr i64 %K.pad, 5
  %s = zext i16 %sidx to i64
  %is0 = icmp eq i16 %sidx, 0
  %s.row = lshr i64 %s, 1
  %r0 = shl i64 %s.row, 4
  %s.col = and i64 %s, 1
  %c0 = shl i64 %s.col, 4
  ; What is left of A's rows and B's columns for this block of C.
  %m.left = sub i64 %M, %m0
  %m.short = icmp ult i64 %m.left, 32
  %mh = select i1 %m.short, i64 %m.left, i64 32
  %n.left = sub i64 %N, %n0
  %n.short = icmp ult i64 %n.left, 32
  %nw = select i1 %n.short, i64 %n.left, i64 32
  %a.off = mul i64 %m0, %K
  %A.blk = getelementptr inbounds float, float addrspace(1)* %A, i64 %a.off
  %B.blk = getelementptr inbounds float, float addrspace(1)* %B, i64 %n0
  %zero = call <64 x float> @air.simdgroup_matrix_8x8_init_filled.v64f32.f32(float 0.000000e+00)
  br label %loop

loop:
  %j = phi i64 [ 0, %entry ], [ %j.next, %latch ]
  %acc00 = phi <64 x float> [ %zero, %entry ], [ %acc00.next, %latch ]
  %acc01 = phi <64 x float> [ %zero, %entry ], [ %acc01.next, %latch ]
  %acc10 = phi <64 x float> [ %zero, %entry ], [ %acc10.next, %latch ]
  %acc11 = phi <64 x float> [ %zero, %entry ], [ %acc11.next, %latch ]
  %has.prev = icmp ne i64 %j, 0
  %wait.now = and i1 %is0, %has.prev
  br i1 %wait.now, label %wait, label %sync

wait:
  %prev = sub i64 %j, 1
  %prev.slot = and i64 %prev, 1
  %prev.ev = shl i64 %prev.slot, 1
  %ev.wait = getelementptr inbounds [4 x %event_t addrspace(3)*], [4 x %event_t addrspace(3)*]* %ev, i64 0, i64 %prev.ev
  call void @air.wait_simdgroup_events(i32 2, %event_t addrspace(3)** %ev.wait)
  br label %sync

sync:
  call void @air.wg.barrier(i32 2, i32 1)
  %more = icmp ult i64 %j, %nk
  %copy.now = and i1 %is0, %more
  br i1 %copy.now, label %copy, label %compute.check

copy:
  %slot = and i64 %j, 1
  %k0 = shl i64 %j, 5
  %k.left = sub i64 %K, %k0
  %k.short = icmp ult i64 %k.left, 32
  %kw = select i1 %k.short, i64 %k.left, i64 32
  ; A block: mh rows of kw elements (pitch K) -> 32x32 slot (pitch 32).
  %a.slot = shl i64 %slot, 10
  %a.dst = getelementptr inbounds [4096 x float], [4096 x float] addrspace(3)* @tiles, i64 0, i64 %a.slot
  %a.dst.i8 = bitcast float addrspace(3)* %a.dst to i8 addrspace(3)*
  %a.src = getelementptr inbounds float, float addrspace(1)* %A.blk, i64 %k0
  %a.src.i8 = bitcast float addrspace(1)* %a.src to i8 addrspace(1)*
  %a.tile.0 = insertelement <2 x i64> undef, i64 %kw, i64 0
  %a.tile = insertelement <2 x i64> %a.tile.0, i64 %mh, i64 1
  %ev.a = call %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64 4, i64 4, i8 addrspace(3)* %a.dst.i8, i64 32, i64 1, <2 x i64> <i64 32, i64 32>, i8 addrspace(1)* %a.src.i8, i64 %K, i64 1, <2 x i64> %a.tile, <2 x i64> zeroinitializer, i32 0)
  ; B block: kw rows of nw elements (pitch N) -> 32x32 slot (pitch 32).
  %b.slot = add i64 %a.slot, 2048
  %b.dst = getelementptr inbounds [4096 x float], [4096 x float] addrspace(3)* @tiles, i64 0, i64 %b.slot
  %b.dst.i8 = bitcast float addrspace(3)* %b.dst to i8 addrspace(3)*
  %b.off = mul i64 %k0, %N
  %b.src = getelementptr inbounds float, float addrspace(1)* %B.blk, i64 %b.off
  %b.src.i8 = bitcast float addrspace(1)* %b.src to i8 addrspace(1)*
  %b.tile.0 = insertelement <2 x i64> undef, i64 %nw, i64 0
  %b.tile = insertelement <2 x i64> %b.tile.0, i64 %kw, i64 1
  %ev.b = call %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64 4, i64 4, i8 addrspace(3)* %b.dst.i8, i64 32, i64 1, <2 x i64> <i64 32, i64 32>, i8 addrspace(1)* %b.src.i8, i64 %N, i64 1, <2 x i64> %b.tile, <2 x i64> zeroinitializer, i32 0)
  %ev.i = shl i64 %slot, 1
  %ev.a.p = getelementptr inbounds [4 x %event_t addrspace(3)*], [4 x %event_t addrspace(3)*]* %ev, i64 0, i64 %ev.i
  store %event_t addrspace(3)* %ev.a, %event_t addrspace(3)** %ev.a.p, align 8
  %ev.b.p = getelementptr inbounds %event_t addrspace(3)*, %event_t addrspace(3)** %ev.a.p, i64 1
  store %event_t addrspace(3)* %ev.b, %event_t addrspace(3)** %ev.b.p, align 8
  br label %compute.check

compute.check:
  br i1 %has.prev, label %compute, label %latch

compute:
  %c.prev = sub i64 %j, 1
  %c.slot = and i64 %c.prev, 1
  %c.a = shl i64 %c.slot, 10
  %a.row = shl i64 %r0, 5
  %a.base.i = add i64 %c.a, %a.row
  %c.b = add i64 %c.a, 2048
  %b.base.i = add i64 %c.b, %c0
  br label %kk.loop

kk.loop:
  %kk = phi i64 [ 0, %compute ], [ %kk.next, %kk.loop ]
  %c00 = phi <64 x float> [ %acc00, %compute ], [ %c00.next, %kk.loop ]
  %c01 = phi <64 x float> [ %acc01, %compute ], [ %c01.next, %kk.loop ]
  %c10 = phi <64 x float> [ %acc10, %compute ], [ %c10.next, %kk.loop ]
  %c11 = phi <64 x float> [ %acc11, %compute ], [ %c11.next, %kk.loop ]
  ; A rows r0 and r0 + 8, columns 8kk (pitch 32).
  %kk.8 = shl i64 %kk, 3
  %a0.i = add i64 %a.base.i, %kk.8
  %a0.p = getelementptr inbounds [4096 x float], [4096 x float] addrspace(3)* @tiles, i64 0, i64 %a0.i
  %a1.i = add i64 %a0.i, 256
  %a1.p = getelementptr inbounds [4096 x float], [4096 x float] addrspace(3)* @tiles, i64 0, i64 %a1.i
  %a0 = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %a0.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 32>, <2 x i64> zeroinitializer)
  %a1 = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %a1.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 32>, <2 x i64> zeroinitializer)
  ; B rows 8kk, columns c0 and c0 + 8.
  %kk.row = shl i64 %kk, 8
  %b0.i = add i64 %b.base.i, %kk.row
  %b0.p = getelementptr inbounds [4096 x float], [4096 x float] addrspace(3)* @tiles, i64 0, i64 %b0.i
  %b1.i = add i64 %b0.i, 8
  %b1.p = getelementptr inbounds [4096 x float], [4096 x float] addrspace(3)* @tiles, i64 0, i64 %b1.i
  %b0 = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %b0.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 32>, <2 x i64> zeroinitializer)
  %b1 = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %b1.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 32>, <2 x i64> zeroinitializer)
  %c00.next = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %a0, <64 x float> %b0, <64 x float> %c00)
  %c01.next = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %a0, <64 x float> %b1, <64 x float> %c01)
  %c10.next = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %a1, <64 x float> %b0, <64 x float> %c10)
  %c11.next = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %a1, <64 x float> %b1, <64 x float> %c11)
  %kk.next = add i64 %kk, 1
  %kk.more = icmp ult i64 %kk.next, 4
  br i1 %kk.more, label %kk.loop, label %latch

latch:
  %acc00.next = phi <64 x float> [ %acc00, %compute.check ], [ %c00.next, %kk.loop ]
  %acc01.next = phi <64 x float> [ %acc01, %compute.check ], [ %c01.next, %kk.loop ]
  %acc10.next = phi <64 x float> [ %acc10, %compute.check ], [ %c10.next, %kk.loop ]
  %acc11.next = phi <64 x float> [ %acc11, %compute.check ], [ %c11.next, %kk.loop ]
  %j.next = add i64 %j, 1
  %again = icmp ule i64 %j.next, %nk
  br i1 %again, label %loop, label %done

done:
  ; The four 8x8 results straight to C, bounded by M and N.
  %row0 = add i64 %m0, %r0
  %row1 = add i64 %row0, 8
  %col0 = add i64 %n0, %c0
  %col1 = add i64 %col0, 8
  call void @store_tile(<64 x float> %acc00.next, float addrspace(1)* %C, i64 %row0, i64 %col0, i64 %M, i64 %N)
  call void @store_tile(<64 x float> %acc01.next, float addrspace(1)* %C, i64 %row0, i64 %col1, i64 %M, i64 %N)
  call void @store_tile(<64 x float> %acc10.next, float addrspace(1)* %C, i64 %row1, i64 %col0, i64 %M, i64 %N)
  call void @store_tile(<64 x float> %acc11.next, float addrspace(1)* %C, i64 %row1, i64 %col1, i64 %M, i64 %N)
  ret void
}

; Stores an 8x8 tile at (row, col) of the M x N row-major matrix C; the
; parts past row M or column N are not written.
define internal void @store_tile(<64 x float> %t, float addrspace(1)* %C, i64 %row, i64 %col, i64 %M, i64 %N) {
entry:
  %row.in = icmp ult i64 %row, %M
  %col.in = icmp ult i64 %col, %N
  %rows.left = sub i64 %M, %row
  %cols.left = sub i64 %N, %col
  %h = select i1 %row.in, i64 %rows.left, i64 0
  %w = select i1 %col.in, i64 %cols.left, i64 0
  %row.off = mul i64 %row, %N
  %off = add i64 %row.off, %col
  %p = getelementptr float, float addrspace(1)* %C, i64 %off
  %dims.0 = insertelement <2 x i64> undef, i64 %w, i64 0
  %dims = insertelement <2 x i64> %dims.0, i64 %h, i64 1
  %strides = insertelement <2 x i64> <i64 1, i64 undef>, i64 %N, i64 1
  call void @air.simdgroup_matrix_8x8_store.v64f32.p1f32(<64 x float> %t, float addrspace(1)* %p, <2 x i64> %dims, <2 x i64> %strides, <2 x i64> zeroinitializer)
  ret void
}

declare %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64, i64, i8 addrspace(3)*, i64, i64, <2 x i64>, i8 addrspace(1)*, i64, i64, <2 x i64>, <2 x i64>, i32)
declare void @air.wait_simdgroup_events(i32, %event_t addrspace(3)**)
declare void @air.wg.barrier(i32, i32)
declare <64 x float> @air.simdgroup_matrix_8x8_init_filled.v64f32.f32(float)
declare <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)*, <2 x i64>, <2 x i64>, <2 x i64>)
declare <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float>, <64 x float>, <64 x float>)
declare void @air.simdgroup_matrix_8x8_store.v64f32.p1f32(<64 x float>, float addrspace(1)*, <2 x i64>, <2 x i64>, <2 x i64>) #0

attributes #0 = { convergent nounwind }

!air.kernel = !{!0}
!air.version = !{!9}
!0 = !{void (float addrspace(1)*, float addrspace(1)*, float addrspace(1)*, i32 addrspace(2)*, <2 x i32>, i16)* @gemm_tiled, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6, !7, !8}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"A"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"B"}
!5 = !{i32 2, !"air.buffer", !"air.location_index", i32 2, i32 1, !"air.write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"C"}
!6 = !{i32 3, !"air.buffer", !"air.location_index", i32 3, i32 1, !"air.read", !"air.address_space", i32 2, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"uint", !"air.arg_name", !"dims"}
!7 = !{i32 4, !"air.threadgroup_position_in_grid", !"air.arg_type_name", !"uint2", !"air.arg_name", !"tg"}
!8 = !{i32 5, !"air.simdgroup_index_in_threadgroup", !"air.arg_type_name", !"ushort", !"air.arg_name", !"sidx"}
!9 = !{i32 2, i32 8, i32 0}
