source_filename = "reverse_kernel_v4"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

%event_t = type opaque

@tg_buf = internal addrspace(3) global [64 x float] undef, align 4

define void @gemm_kernel(float addrspace(1)* noundef "air-buffer-no-alias" %A, float addrspace(1)* noundef "air-buffer-no-alias" %B, float addrspace(1)* nocapture noundef writeonly "air-buffer-no-alias" %C, i32 noundef %tid, i32 noundef %simd_lane, i32 noundef %tg_idx) local_unnamed_addr #0 {
entry:
  %event = alloca %event_t addrspace(3)*, align 8
  %event.i8 = bitcast %event_t addrspace(3)** %event to i8*
  call void @llvm.lifetime.start.p0i8(i64 8, i8* nonnull %event.i8) #5
  %tg_idx.i64 = zext i32 %tg_idx to i64
  %0 = mul i64 %tg_idx.i64, 32
  %A.tile = getelementptr inbounds float, float addrspace(1)* %A, i64 %0
  %A.i8 = bitcast float addrspace(1)* %A.tile to i8 addrspace(1)*
  %ev = call %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64 4, i64 4, i8 addrspace(3)* bitcast ([64 x float] addrspace(3)* @tg_buf to i8 addrspace(3)*), i64 32, i64 1, <2 x i64> <i64 32, i64 1>, i8 addrspace(1)* %A.i8, i64 32, i64 1, <2 x i64> <i64 32, i64 1>, <2 x i64> zeroinitializer, i32 0)
  store %event_t addrspace(3)* %ev, %event_t addrspace(3)** %event, align 8
  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** nonnull %event)
  %1 = mul i64 %tg_idx.i64, 32
  %B.tile = getelementptr inbounds float, float addrspace(1)* %B, i64 %1
  %B.i8 = bitcast float addrspace(1)* %B.tile to i8 addrspace(1)*
  %ev1 = call %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64 4, i64 4, i8 addrspace(3)* bitcast (float addrspace(3)* getelementptr inbounds ([64 x float], [64 x float] addrspace(3)* @tg_buf, i64 0, i64 32) to i8 addrspace(3)*), i64 32, i64 1, <2 x i64> <i64 32, i64 1>, i8 addrspace(1)* %B.i8, i64 32, i64 1, <2 x i64> <i64 32, i64 1>, <2 x i64> zeroinitializer, i32 0)
  store %event_t addrspace(3)* %ev1, %event_t addrspace(3)** %event, align 8
  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** nonnull %event)
  call void @air.wg.barrier(i32 2, i32 1)
  call void @compute_tile(float addrspace(3)* getelementptr inbounds ([64 x float], [64 x float] addrspace(3)* @tg_buf, i64 0, i64 0), float addrspace(3)* getelementptr inbounds ([64 x float], [64 x float] addrspace(3)* @tg_buf, i64 0, i64 32), float addrspace(1)* %C, i32 %tid, i32 %simd_lane) #5
  call void @llvm.lifetime.end.p0i8(i64 8, i8* nonnull %event.i8) #5
  ret void
}

define internal void @compute_tile(float addrspace(3)* nocapture noundef readonly %A, float addrspace(3)* nocapture noundef readonly %B, float addrspace(1)* nocapture noundef writeonly %C, i32 noundef %tid, i32 noundef %lane) local_unnamed_addr #1 {
entry:
  %l = zext i32 %lane to i64
  %a.p = getelementptr inbounds float, float addrspace(3)* %A, i64 %l
  %a = load float, float addrspace(3)* %a.p, align 4
  %b.p = getelementptr inbounds float, float addrspace(3)* %B, i64 %l
  %b = load float, float addrspace(3)* %b.p, align 4
  %s = call fast float @air.fast_sqrt.f32(float %a)
  %b2 = fmul fast float %b, 2.000000e+00
  %r = fadd fast float %s, %b2
  %t = zext i32 %tid to i64
  %c.p = getelementptr inbounds float, float addrspace(1)* %C, i64 %t
  store float %r, float addrspace(1)* %c.p, align 4
  ret void
}

declare float @air.fast_sqrt.f32(float) local_unnamed_addr #2

declare void @llvm.lifetime.start.p0i8(i64 immarg, i8* nocapture) #3

declare %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64, i64, i8 addrspace(3)*, i64, i64, <2 x i64>, i8 addrspace(1)*, i64, i64, <2 x i64>, <2 x i64>, i32) local_unnamed_addr #4

declare void @air.wait_simdgroup_events(i32, %event_t addrspace(3)**) local_unnamed_addr #4

declare void @air.wg.barrier(i32, i32) local_unnamed_addr #4

declare void @llvm.lifetime.end.p0i8(i64 immarg, i8* nocapture) #3

attributes #0 = { convergent mustprogress nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #1 = { argmemonly mustprogress nofree norecurse nosync nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #2 = { mustprogress nofree nosync nounwind readnone willreturn }
attributes #3 = { argmemonly mustprogress nocallback nofree nosync nounwind willreturn }
attributes #4 = { convergent mustprogress nounwind willreturn }
attributes #5 = { nounwind }

!air.kernel = !{!0}
!llvm.module.flags = !{!9, !10, !11, !12, !13, !14, !15, !16}
!air.compile_options = !{!17, !18, !19}
!llvm.ident = !{!20}
!air.version = !{!21}
!air.language_version = !{!22}
!air.source_file_name = !{!23}

!0 = !{void (float addrspace(1)*, float addrspace(1)*, float addrspace(1)*, i32, i32, i32)* @gemm_kernel, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6, !7, !8}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"A"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"B"}
!5 = !{i32 2, !"air.buffer", !"air.location_index", i32 2, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"C"}
!6 = !{i32 3, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid"}
!7 = !{i32 4, !"air.thread_index_in_simdgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"simd_lane"}
!8 = !{i32 5, !"air.threadgroup_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tg_idx"}
!9 = !{i32 2, !"SDK Version", [2 x i32] [i32 26, i32 0]}
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
!20 = !{!"airlink air-shell 0.1.0"}
!21 = !{i32 2, i32 8, i32 0}
!22 = !{!"Metal", i32 4, i32 0, i32 0}
!23 = !{!"multi_buffer.toml"}
