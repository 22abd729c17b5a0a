source_filename = "reverse_kernel"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

%event_t = type opaque

@tg_buf = internal addrspace(3) global [128 x float] undef, align 4

define void @reverse_kernel(float addrspace(1)* noundef "air-buffer-no-alias" %src, float addrspace(1)* nocapture noundef writeonly "air-buffer-no-alias" %dst, i32 noundef %tid, i32 noundef %simd_lane) local_unnamed_addr #0 {
entry:
  %event = alloca %event_t addrspace(3)*, align 8
  %event.i8 = bitcast %event_t addrspace(3)** %event to i8*
  call void @llvm.lifetime.start.p0i8(i64 8, i8* nonnull %event.i8) #4
  %tid.i64 = zext i32 %tid to i64
  %simd_lane.i64 = zext i32 %simd_lane to i64
  %0 = sdiv i64 %tid.i64, 32
  %1 = mul i64 %0, 32
  %src.tile = getelementptr inbounds float, float addrspace(1)* %src, i64 %1
  %src.i8 = bitcast float addrspace(1)* %src.tile to i8 addrspace(1)*
  %ev = call %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64 4, i64 4, i8 addrspace(3)* bitcast ([128 x float] addrspace(3)* @tg_buf to i8 addrspace(3)*), i64 32, i64 1, <2 x i64> <i64 32, i64 1>, i8 addrspace(1)* %src.i8, i64 32, i64 1, <2 x i64> <i64 32, i64 1>, <2 x i64> zeroinitializer, i32 0)
  store %event_t addrspace(3)* %ev, %event_t addrspace(3)** %event, align 8
  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** nonnull %event)
  call void @air.wg.barrier(i32 2, i32 1)
  %tile.elem = getelementptr inbounds float, float addrspace(3)* getelementptr inbounds ([128 x float], [128 x float] addrspace(3)* @tg_buf, i64 0, i64 0), i64 %simd_lane.i64
  %tile.val = load float, float addrspace(3)* %tile.elem, align 4
  %result = call float @transform_value(float %tile.val) #4
  %dst.elem = getelementptr inbounds float, float addrspace(1)* %dst, i64 %tid.i64
  store float %result, float addrspace(1)* %dst.elem, align 4
  call void @llvm.lifetime.end.p0i8(i64 8, i8* nonnull %event.i8) #4
  ret void
}

define internal float @transform_value(float noundef %v) local_unnamed_addr #1 {
entry:
  %mul = fmul fast float %v, 3.000000e+00
  %add = fadd fast float %mul, 7.000000e+00
  ret float %add
}

declare void @llvm.lifetime.start.p0i8(i64 immarg, i8* nocapture) #2

declare %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64, i64, i8 addrspace(3)*, i64, i64, <2 x i64>, i8 addrspace(1)*, i64, i64, <2 x i64>, <2 x i64>, i32) local_unnamed_addr #3

declare void @air.wait_simdgroup_events(i32, %event_t addrspace(3)**) local_unnamed_addr #3

declare void @air.wg.barrier(i32, i32) local_unnamed_addr #3

declare void @llvm.lifetime.end.p0i8(i64 immarg, i8* nocapture) #2

attributes #0 = { convergent mustprogress nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #1 = { mustprogress nofree norecurse nosync nounwind readnone willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #2 = { argmemonly mustprogress nocallback nofree nosync nounwind willreturn }
attributes #3 = { convergent mustprogress nounwind willreturn }
attributes #4 = { nounwind }

!air.kernel = !{!0}
!llvm.module.flags = !{!7, !8, !9, !10, !11, !12, !13, !14}
!air.compile_options = !{!15, !16, !17}
!llvm.ident = !{!18}
!air.version = !{!19}
!air.language_version = !{!20}
!air.source_file_name = !{!21}

!0 = !{void (float addrspace(1)*, float addrspace(1)*, i32, i32)* @reverse_kernel, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"src"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"dst"}
!5 = !{i32 2, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid"}
!6 = !{i32 3, !"air.thread_index_in_simdgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"simd_lane"}
!7 = !{i32 2, !"SDK Version", [2 x i32] [i32 26, i32 0]}
!8 = !{i32 1, !"wchar_size", i32 4}
!9 = !{i32 7, !"air.max_device_buffers", i32 31}
!10 = !{i32 7, !"air.max_constant_buffers", i32 31}
!11 = !{i32 7, !"air.max_threadgroup_buffers", i32 31}
!12 = !{i32 7, !"air.max_textures", i32 128}
!13 = !{i32 7, !"air.max_read_write_textures", i32 8}
!14 = !{i32 7, !"air.max_samplers", i32 16}
!15 = !{!"air.compile.denorms_disable"}
!16 = !{!"air.compile.fast_math_enable"}
!17 = !{!"air.compile.framebuffer_fetch_enable"}
!18 = !{!"airlink air-shell 0.1.0"}
!19 = !{i32 2, i32 8, i32 0}
!20 = !{!"Metal", i32 4, i32 0, i32 0}
!21 = !{!"simple.toml"}
