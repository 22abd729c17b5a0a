; A scalar tiled matmul, C = A × B, written for air-exec's tests.
;
; Each threadgroup computes an 8×8 tile of C with one thread per element
; (the grid is exactly N × M threads, so threadgroups at the right and
; bottom edges are partial). Per K block, simdgroup 0 alone copies the
; 8×kw block of A and the kw×8 block of B into one threadgroup global
; (A at floats 0-63, B at 64-127) with 2D async copies whose destination
; tiles are always 8×8, so the edges are zero-filled; it waits on both
; events at once, and a barrier publishes the tiles to every simdgroup.
; A barrier at the top of each block keeps the copy from overwriting tiles
; another simdgroup still reads.
;
; Buffers: A (M×K, index 0), B (K×N, index 1), C (M×N, index 2), and
; params = {M, N, K} in constant memory (index 3).
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

%event_t = type opaque

@tg = internal addrspace(3) global [128 x float] undef, align 4

define void @tiled_matmul(float addrspace(1)* noundef %A, float addrspace(1)* noundef %B, float addrspace(1)* noundef %C, i32 addrspace(2)* noundef %params, <2 x i32> noundef %lid, <2 x i32> noundef %gid, i16 noundef %sidx) {
entry:
  %events = alloca [2 x %event_t addrspace(3)*], align 8
  %slot0 = getelementptr inbounds [2 x %event_t addrspace(3)*], [2 x %event_t addrspace(3)*]* %events, i64 0, i64 0
  %slot1 = getelementptr inbounds [2 x %event_t addrspace(3)*], [2 x %event_t addrspace(3)*]* %events, i64 0, i64 1
  %M = load i32, i32 addrspace(2)* %params, align 4
  %N.p = getelementptr inbounds i32, i32 addrspace(2)* %params, i64 1
  %N = load i32, i32 addrspace(2)* %N.p, align 4
  %K.p = getelementptr inbounds i32, i32 addrspace(2)* %params, i64 2
  %K = load i32, i32 addrspace(2)* %K.p, align 4
  %lx = extractelement <2 x i32> %lid, i64 0
  %ly = extractelement <2 x i32> %lid, i64 1
  %gx = extractelement <2 x i32> %gid, i64 0
  %gy = extractelement <2 x i32> %gid, i64 1
  %col0 = shl i32 %gx, 3
  %row0 = shl i32 %gy, 3
  %col = add i32 %col0, %lx
  %row = add i32 %row0, %ly
  %is0 = icmp eq i16 %sidx, 0
  ; Rows of A and columns of B this tile really has (edge tiles are short).
  %m.rem = sub i32 %M, %row0
  %m.short = icmp ult i32 %m.rem, 8
  %mh = select i1 %m.short, i32 %m.rem, i32 8
  %n.rem = sub i32 %N, %col0
  %n.short = icmp ult i32 %n.rem, 8
  %nw = select i1 %n.short, i32 %n.rem, i32 8
  %mh64 = zext i32 %mh to i64
  %nw64 = zext i32 %nw to i64
  %K64 = zext i32 %K to i64
  %N64 = zext i32 %N to i64
  %row0.64 = zext i32 %row0 to i64
  %col0.64 = zext i32 %col0 to i64
  %a.rowoff = mul i64 %row0.64, %K64
  %A.rows = getelementptr inbounds float, float addrspace(1)* %A, i64 %a.rowoff
  %B.cols = getelementptr inbounds float, float addrspace(1)* %B, i64 %col0.64
  %K.pad = add i32 %K, 7
  %ktiles = lshr i32 %K.pad, 3
  %lx64 = zext i32 %lx to i64
  %ly64 = zext i32 %ly to i64
  %a.base = mul i64 %ly64, 8
  %b.base = add i64 %lx64, 64
  br label %outer

outer:
  %kt = phi i32 [ 0, %entry ], [ %kt.next, %inner.done ]
  %acc = phi float [ 0.000000e+00, %entry ], [ %acc.inner, %inner.done ]
  %more = icmp ult i32 %kt, %ktiles
  br i1 %more, label %block, label %store

block:
  ; Every simdgroup is done with the previous tiles.
  call void @air.wg.barrier(i32 2, i32 1)
  br i1 %is0, label %copy, label %sync

copy:
  %k0 = shl i32 %kt, 3
  %k.rem = sub i32 %K, %k0
  %k.short = icmp ult i32 %k.rem, 8
  %kw = select i1 %k.short, i32 %k.rem, i32 8
  %kw64 = zext i32 %kw to i64
  %k0.64 = zext i32 %k0 to i64
  %A.tile = getelementptr inbounds float, float addrspace(1)* %A.rows, i64 %k0.64
  %A.tile.i8 = bitcast float addrspace(1)* %A.tile to i8 addrspace(1)*
  %a.t0 = insertelement <2 x i64> undef, i64 %kw64, i64 0
  %a.tile = insertelement <2 x i64> %a.t0, i64 %mh64, i64 1
  %ev.a = call %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64 4, i64 4, i8 addrspace(3)* bitcast ([128 x float] addrspace(3)* @tg to i8 addrspace(3)*), i64 8, i64 1, <2 x i64> <i64 8, i64 8>, i8 addrspace(1)* %A.tile.i8, i64 %K64, i64 1, <2 x i64> %a.tile, <2 x i64> zeroinitializer, i32 0)
  store %event_t addrspace(3)* %ev.a, %event_t addrspace(3)** %slot0, align 8
  %b.rowoff = mul i64 %k0.64, %N64
  %B.tile = getelementptr inbounds float, float addrspace(1)* %B.cols, i64 %b.rowoff
  %B.tile.i8 = bitcast float addrspace(1)* %B.tile to i8 addrspace(1)*
  %b.t0 = insertelement <2 x i64> undef, i64 %nw64, i64 0
  %b.tile = insertelement <2 x i64> %b.t0, i64 %kw64, i64 1
  %ev.b = call %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64 4, i64 4, i8 addrspace(3)* bitcast (float addrspace(3)* getelementptr inbounds ([128 x float], [128 x float] addrspace(3)* @tg, i64 0, i64 64) to i8 addrspace(3)*), i64 8, i64 1, <2 x i64> <i64 8, i64 8>, i8 addrspace(1)* %B.tile.i8, i64 %N64, i64 1, <2 x i64> %b.tile, <2 x i64> zeroinitializer, i32 0)
  store %event_t addrspace(3)* %ev.b, %event_t addrspace(3)** %slot1, align 8
  call void @air.wait_simdgroup_events(i32 2, %event_t addrspace(3)** %slot0)
  br label %sync

sync:
  ; Publish the tiles to every simdgroup.
  call void @air.wg.barrier(i32 2, i32 1)
  br label %inner

inner:
  %k = phi i64 [ 0, %sync ], [ %k.next, %inner ]
  %acc.i = phi float [ %acc, %sync ], [ %acc.next, %inner ]
  %a.idx = add i64 %a.base, %k
  %a.p = getelementptr inbounds [128 x float], [128 x float] addrspace(3)* @tg, i64 0, i64 %a.idx
  %a = load float, float addrspace(3)* %a.p, align 4
  %b.row = mul i64 %k, 8
  %b.idx = add i64 %b.base, %b.row
  %b.p = getelementptr inbounds [128 x float], [128 x float] addrspace(3)* @tg, i64 0, i64 %b.idx
  %b = load float, float addrspace(3)* %b.p, align 4
  %acc.next = call float @llvm.fmuladd.f32(float %a, float %b, float %acc.i)
  %k.next = add nuw nsw i64 %k, 1
  %k.more = icmp ult i64 %k.next, 8
  br i1 %k.more, label %inner, label %inner.done

inner.done:
  %acc.inner = phi float [ %acc.next, %inner ]
  %kt.next = add nuw i32 %kt, 1
  br label %outer

store:
  %row64 = zext i32 %row to i64
  %col64 = zext i32 %col to i64
  %c.rowoff = mul i64 %row64, %N64
  %c.off = add i64 %c.rowoff, %col64
  %c.p = getelementptr inbounds float, float addrspace(1)* %C, i64 %c.off
  store float %acc, float addrspace(1)* %c.p, align 4
  ret void
}

declare %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64, i64, i8 addrspace(3)*, i64, i64, <2 x i64>, i8 addrspace(1)*, i64, i64, <2 x i64>, <2 x i64>, i32)
declare void @air.wait_simdgroup_events(i32, %event_t addrspace(3)**)
declare void @air.wg.barrier(i32, i32)
declare float @llvm.fmuladd.f32(float, float, float) #0

attributes #0 = { nounwind readnone }

!air.kernel = !{!0}
!air.version = !{!10}
!0 = !{void (float addrspace(1)*, float addrspace(1)*, float addrspace(1)*, i32 addrspace(2)*, <2 x i32>, <2 x i32>, i16)* @tiled_matmul, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6, !7, !8, !9}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"A"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"B"}
!5 = !{i32 2, !"air.buffer", !"air.location_index", i32 2, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"C"}
!6 = !{i32 3, !"air.buffer", !"air.location_index", i32 3, i32 1, !"air.read", !"air.address_space", i32 2, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"uint", !"air.arg_name", !"params"}
!7 = !{i32 4, !"air.thread_position_in_threadgroup", !"air.arg_type_name", !"uint2", !"air.arg_name", !"lid"}
!8 = !{i32 5, !"air.threadgroup_position_in_grid", !"air.arg_type_name", !"uint2", !"air.arg_name", !"gid"}
!9 = !{i32 6, !"air.simdgroup_index_in_threadgroup", !"air.arg_type_name", !"ushort", !"air.arg_name", !"sidx"}
!10 = !{i32 2, i32 8, i32 0}
