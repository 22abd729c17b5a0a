; ModuleID = 'gemm_like_kernel'
;
; airlink test corpus: gemm_like.ll
; Written by the airlink project for its own tests (hand-written from the
; facts in docs/air-conventions.md and docs/air-intrinsics.md; no other project's IR text copied).
;
; What it covers: a small single-precision GEMM kernel, C[8x8 tile] = A * B,
; one 8x8 output tile per threadgroup, a K loop over 8-wide K blocks.
;   * control flow: a K loop with phi nodes (induction variable and a
;     <64 x float> accumulator), a back-edge from the latch, icmp + br,
;     an exit phi merging the zero-trip path, `!llvm.loop` on the back-edge
;   * async 2D copies device -> TG for the A and B tiles, issued only by
;     simdgroup 0 (the `sidx == 0` gate of docs/air-intrinsics.md#who-issues-a-copy), two event slots in
;     an alloca [2 x %event_t addrspace(3)*], one wait(i32 2, slot0)
;   * edge handling: the last K block copies a narrower source tile into a
;     full 8x8 destination tile with clamp 0 (zero fill, docs/air-intrinsics.md#tiles-padding-and-transposes);
;     the tile vectors are built with insertelement
;   * AIR 2.8 simdgroup-matrix intrinsics (docs/air-intrinsics.md#simdgroup-matrix):
;     air.simdgroup_matrix_8x8_init_filled / _load (from TG, p3f32) /
;     _multiply_accumulate / _store (to device, p1f32)
;   * barriers: before reusing the tiles, after the copies, and a final one
;     (a kernel that async-copies device -> TG must read the data and hit a
;     barrier afterwards, docs/air-intrinsics.md#the-m1-hang-rule)
;   * system values: <3 x i32> threadgroup_position_in_grid ("uint3"),
;     i16 simdgroup_index_in_threadgroup and i16 thread_index_in_simdgroup
;     ("ushort"); the lane argument is unused and marked air.arg_unused
;   * a constant buffer (addrspace 2) holding K and N
;
; Check: llvm-as-14 gemm_like.ll -o /dev/null
;        opt-14 -mtriple=x86_64-apple-macosx -verify -disable-output gemm_like.ll

source_filename = "gemm_like_kernel"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

%event_t = type opaque

; One TG global: A tile (8x8) at elements [0, 64), B tile (8x8) at [64, 128).
@tg_buf = internal addrspace(3) global [128 x float] undef, align 4

; A is M x K row-major (pitch K), B is K x N row-major (pitch N), C is M x N.
define void @gemm_like_kernel(float addrspace(1)* noundef "air-buffer-no-alias" %A, float addrspace(1)* noundef "air-buffer-no-alias" %B, float addrspace(1)* nocapture noundef writeonly "air-buffer-no-alias" %C, i32 addrspace(2)* noundef %params, <3 x i32> noundef %gid, i16 noundef %sidx, i16 noundef %lane) local_unnamed_addr #0 {
entry:
  %events = alloca [2 x %event_t addrspace(3)*], align 8
  %events.i8 = bitcast [2 x %event_t addrspace(3)*]* %events to i8*
  call void @llvm.lifetime.start.p0i8(i64 16, i8* nonnull %events.i8) #3
  %slot0 = getelementptr inbounds [2 x %event_t addrspace(3)*], [2 x %event_t addrspace(3)*]* %events, i64 0, i64 0
  %slot1 = getelementptr inbounds [2 x %event_t addrspace(3)*], [2 x %event_t addrspace(3)*]* %events, i64 0, i64 1

  ; params = { K, N } in constant memory.
  %K = load i32, i32 addrspace(2)* %params, align 4
  %N.ptr = getelementptr inbounds i32, i32 addrspace(2)* %params, i64 1
  %N = load i32, i32 addrspace(2)* %N.ptr, align 4
  %K64 = zext i32 %K to i64
  %N64 = zext i32 %N to i64

  ; Tile origin from the 3-vector threadgroup position.
  %gx = extractelement <3 x i32> %gid, i64 0
  %gy = extractelement <3 x i32> %gid, i64 1
  %col0.32 = shl i32 %gx, 3
  %row0.32 = shl i32 %gy, 3
  %col0 = zext i32 %col0.32 to i64
  %row0 = zext i32 %row0.32 to i64

  %is_sidx0 = icmp eq i16 %sidx, 0
  %acc.init = call <64 x float> @air.simdgroup_matrix_8x8_init_filled.v64f32.f32(float 0.000000e+00) #5

  ; Row block of A and column block of B.
  %a.rowoff = mul i64 %row0, %K64
  %A.rows = getelementptr inbounds float, float addrspace(1)* %A, i64 %a.rowoff
  %B.cols = getelementptr inbounds float, float addrspace(1)* %B, i64 %col0

  ; Number of K blocks = ceil(K / 8).
  %K.pad = add i32 %K, 7
  %k.tiles = lshr i32 %K.pad, 3
  %has.work = icmp ne i32 %k.tiles, 0
  br i1 %has.work, label %k.loop, label %k.done

k.loop:                                           ; preds = %k.latch, %entry
  %kt = phi i32 [ 0, %entry ], [ %kt.next, %k.latch ]
  %acc = phi <64 x float> [ %acc.init, %entry ], [ %acc.next, %k.latch ]
  ; Every simdgroup is done reading the previous A/B tiles.
  call void @air.wg.barrier(i32 2, i32 1)
  br i1 %is_sidx0, label %k.copy, label %k.compute

k.copy:                                           ; preds = %k.loop
  ; Only simdgroup 0 issues the copies.
  %k0.32 = shl i32 %kt, 3
  %k.rem = sub i32 %K, %k0.32
  %k.short = icmp ult i32 %k.rem, 8
  %kw.32 = select i1 %k.short, i32 %k.rem, i32 8
  %kw = zext i32 %kw.32 to i64
  %k0 = zext i32 %k0.32 to i64

  ; A block: 8 rows x kw columns from A (pitch K) into an 8x8 TG tile (pitch 8).
  %A.tile = getelementptr inbounds float, float addrspace(1)* %A.rows, i64 %k0
  %A.tile.i8 = bitcast float addrspace(1)* %A.tile to i8 addrspace(1)*
  %a.src.tile = insertelement <2 x i64> <i64 undef, i64 8>, i64 %kw, i64 0
  %ev.a = call %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64 4, i64 4, i8 addrspace(3)* bitcast ([128 x float] addrspace(3)* @tg_buf to i8 addrspace(3)*), i64 8, i64 1, <2 x i64> <i64 8, i64 8>, i8 addrspace(1)* %A.tile.i8, i64 %K64, i64 1, <2 x i64> %a.src.tile, <2 x i64> zeroinitializer, i32 0)
  store %event_t addrspace(3)* %ev.a, %event_t addrspace(3)** %slot0, align 8

  ; B block: kw rows x 8 columns from B (pitch N) into an 8x8 TG tile.
  %b.rowoff = mul i64 %k0, %N64
  %B.tile = getelementptr inbounds float, float addrspace(1)* %B.cols, i64 %b.rowoff
  %B.tile.i8 = bitcast float addrspace(1)* %B.tile to i8 addrspace(1)*
  %b.src.tile = insertelement <2 x i64> <i64 8, i64 undef>, i64 %kw, i64 1
  %ev.b = call %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64 4, i64 4, i8 addrspace(3)* bitcast (float addrspace(3)* getelementptr inbounds ([128 x float], [128 x float] addrspace(3)* @tg_buf, i64 0, i64 64) to i8 addrspace(3)*), i64 8, i64 1, <2 x i64> <i64 8, i64 8>, i8 addrspace(1)* %B.tile.i8, i64 %N64, i64 1, <2 x i64> %b.src.tile, <2 x i64> zeroinitializer, i32 0)
  store %event_t addrspace(3)* %ev.b, %event_t addrspace(3)** %slot1, align 8

  ; Wait on both consecutive slots.
  call void @air.wait_simdgroup_events(i32 2, %event_t addrspace(3)** nonnull %slot0)
  br label %k.compute

k.compute:                                        ; preds = %k.copy, %k.loop
  ; Make the tiles visible to every simdgroup.
  call void @air.wg.barrier(i32 2, i32 1)
  ; Row-major 8x8 tiles with pitch 8: dims <8, 8>, strides <1, 8>, origin <0, 0>.
  %a = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* getelementptr inbounds ([128 x float], [128 x float] addrspace(3)* @tg_buf, i64 0, i64 0), <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 8>, <2 x i64> zeroinitializer) #6
  %b = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* getelementptr inbounds ([128 x float], [128 x float] addrspace(3)* @tg_buf, i64 0, i64 64), <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 8>, <2 x i64> zeroinitializer) #6
  %acc.next = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %a, <64 x float> %b, <64 x float> %acc) #5
  br label %k.latch

k.latch:                                          ; preds = %k.compute
  %kt.next = add nuw i32 %kt, 1
  %more = icmp ult i32 %kt.next, %k.tiles
  br i1 %more, label %k.loop, label %k.done, !llvm.loop !27

k.done:                                           ; preds = %k.latch, %entry
  %acc.final = phi <64 x float> [ %acc.init, %entry ], [ %acc.next, %k.latch ]
  br i1 %is_sidx0, label %store.c, label %exit

store.c:                                          ; preds = %k.done
  ; C tile at (row0, col0), pitch N: dims <N, 8>, strides <1, N>.
  %c.rowoff = mul i64 %row0, %N64
  %c.off = add i64 %c.rowoff, %col0
  %C.tile = getelementptr inbounds float, float addrspace(1)* %C, i64 %c.off
  %c.dims = insertelement <2 x i64> <i64 undef, i64 8>, i64 %N64, i64 0
  %c.strides = insertelement <2 x i64> <i64 1, i64 undef>, i64 %N64, i64 1
  call void @air.simdgroup_matrix_8x8_store.v64f32.p1f32(<64 x float> %acc.final, float addrspace(1)* %C.tile, <2 x i64> %c.dims, <2 x i64> %c.strides, <2 x i64> zeroinitializer) #7
  br label %exit

exit:                                             ; preds = %store.c, %k.done
  call void @air.wg.barrier(i32 2, i32 1)
  call void @llvm.lifetime.end.p0i8(i64 16, i8* nonnull %events.i8) #3
  ret void
}

declare %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64, i64, i8 addrspace(3)*, i64, i64, <2 x i64>, i8 addrspace(1)*, i64, i64, <2 x i64>, <2 x i64>, i32) local_unnamed_addr #1

declare void @air.wait_simdgroup_events(i32, %event_t addrspace(3)**) local_unnamed_addr #1

declare void @air.wg.barrier(i32, i32) local_unnamed_addr #1

declare void @llvm.lifetime.start.p0i8(i64 immarg, i8* nocapture) #2

declare void @llvm.lifetime.end.p0i8(i64 immarg, i8* nocapture) #2

; Simdgroup-matrix intrinsics, AIR 2.8 signatures (docs/air-intrinsics.md#load-and-store).
declare <64 x float> @air.simdgroup_matrix_8x8_init_filled.v64f32.f32(float) local_unnamed_addr #4

declare <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* nocapture, <2 x i64>, <2 x i64>, <2 x i64>) local_unnamed_addr #8

declare <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float>, <64 x float>, <64 x float>) local_unnamed_addr #4

declare void @air.simdgroup_matrix_8x8_store.v64f32.p1f32(<64 x float>, float addrspace(1)* nocapture, <2 x i64>, <2 x i64>, <2 x i64>) local_unnamed_addr #9

attributes #0 = { convergent mustprogress nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="96" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #1 = { convergent mustprogress nounwind willreturn }
attributes #2 = { argmemonly mustprogress nocallback nofree nosync nounwind willreturn }
attributes #3 = { nounwind }
attributes #4 = { convergent mustprogress nofree nosync nounwind readnone willreturn }
attributes #5 = { convergent nounwind readnone willreturn }
attributes #6 = { convergent nounwind readonly willreturn }
attributes #7 = { convergent nounwind willreturn writeonly }
attributes #8 = { argmemonly convergent mustprogress nofree nosync nounwind readonly willreturn }
attributes #9 = { argmemonly convergent mustprogress nofree nosync nounwind willreturn writeonly }

!air.kernel = !{!0}
!llvm.module.flags = !{!10, !11, !12, !13, !14, !15, !16}
!air.compile_options = !{!17, !18, !19}
!llvm.ident = !{!20}
!air.version = !{!21}
!air.language_version = !{!22}
!air.source_file_name = !{!23}

!0 = !{void (float addrspace(1)*, float addrspace(1)*, float addrspace(1)*, i32 addrspace(2)*, <3 x i32>, i16, i16)* @gemm_like_kernel, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6, !7, !8, !9}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"A"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"B"}
!5 = !{i32 2, !"air.buffer", !"air.location_index", i32 2, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"C"}
; constant uint* params [[buffer(3)]]
!6 = !{i32 3, !"air.buffer", !"air.location_index", i32 3, i32 1, !"air.read", !"air.address_space", i32 2, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"uint", !"air.arg_name", !"params"}
!7 = !{i32 4, !"air.threadgroup_position_in_grid", !"air.arg_type_name", !"uint3", !"air.arg_name", !"gid"}
!8 = !{i32 5, !"air.simdgroup_index_in_threadgroup", !"air.arg_type_name", !"ushort", !"air.arg_name", !"sidx"}
!9 = !{i32 6, !"air.thread_index_in_simdgroup", !"air.arg_type_name", !"ushort", !"air.arg_name", !"lane", !"air.arg_unused"}
!10 = !{i32 1, !"wchar_size", i32 4}
!11 = !{i32 7, !"air.max_device_buffers", i32 31}
!12 = !{i32 7, !"air.max_constant_buffers", i32 31}
!13 = !{i32 7, !"air.max_threadgroup_buffers", i32 31}
!14 = !{i32 7, !"air.max_textures", i32 128}
!15 = !{i32 7, !"air.max_read_write_textures", i32 8}
!16 = !{i32 7, !"air.max_samplers", i32 16}
!17 = !{!"air.compile.denorms_disable"}
!18 = !{!"air.compile.fast_math_enable"}
!19 = !{!"air.compile.framebuffer_fetch_enable"}
!20 = !{!"airlink test corpus (hand-written)"}
!21 = !{i32 2, i32 8, i32 0}
!22 = !{!"Metal", i32 4, i32 0, i32 0}
!23 = !{!"gemm_like.ll"}
; Loop metadata: self-referential distinct node.
!24 = !{!"llvm.loop.mustprogress"}
!25 = !{!"llvm.loop.unroll.disable"}
!27 = distinct !{!27, !24, !25}
