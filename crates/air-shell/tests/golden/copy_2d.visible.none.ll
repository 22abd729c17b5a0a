source_filename = "copy_2d_kernel"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

%event_t = type opaque

@tg_buf = internal addrspace(3) global [32 x float] undef, align 4

define void @copy_2d_roundtrip_kernel(float addrspace(1)* noundef "air-buffer-no-alias" %src, float addrspace(1)* nocapture noundef "air-buffer-no-alias" %dst, i32 noundef %tid, i32 noundef %simd_lane, i32 noundef %tg_idx) local_unnamed_addr #0 {
entry:
  %event = alloca %event_t addrspace(3)*, align 8
  %event.i8 = bitcast %event_t addrspace(3)** %event to i8*
  call void @llvm.lifetime.start.p0i8(i64 8, i8* nonnull %event.i8) #3
  %src.i8 = bitcast float addrspace(1)* %src to i8 addrspace(1)*
  %ev = call %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64 4, i64 4, i8 addrspace(3)* bitcast ([32 x float] addrspace(3)* @tg_buf to i8 addrspace(3)*), i64 4, i64 1, <2 x i64> <i64 4, i64 8>, i8 addrspace(1)* %src.i8, i64 16, i64 1, <2 x i64> <i64 4, i64 8>, <2 x i64> zeroinitializer, i32 0)
  store %event_t addrspace(3)* %ev, %event_t addrspace(3)** %event, align 8
  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** nonnull %event)
  call void @air.wg.barrier(i32 2, i32 1)
  call void @process_tile.MTL_VISIBLE_FN_REF(float addrspace(3)* getelementptr inbounds ([32 x float], [32 x float] addrspace(3)* @tg_buf, i64 0, i64 0), i32 %simd_lane) #4
  call void @air.wg.barrier(i32 2, i32 1)
  %dst.i8 = bitcast float addrspace(1)* %dst to i8 addrspace(1)*
  %ev1 = call %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p1i8.p3i8(i64 4, i64 4, i8 addrspace(1)* %dst.i8, i64 16, i64 1, <2 x i64> <i64 4, i64 8>, i8 addrspace(3)* bitcast ([32 x float] addrspace(3)* @tg_buf to i8 addrspace(3)*), i64 4, i64 1, <2 x i64> <i64 4, i64 8>, <2 x i64> zeroinitializer, i32 0)
  store %event_t addrspace(3)* %ev1, %event_t addrspace(3)** %event, align 8
  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** nonnull %event)
  call void @llvm.lifetime.end.p0i8(i64 8, i8* nonnull %event.i8) #3
  ret void
}

declare void @process_tile.MTL_VISIBLE_FN_REF(float addrspace(3)*, i32) local_unnamed_addr section "air.externally_defined"

declare void @llvm.lifetime.start.p0i8(i64 immarg, i8* nocapture) #1

declare %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p3i8.p1i8(i64, i64, i8 addrspace(3)*, i64, i64, <2 x i64>, i8 addrspace(1)*, i64, i64, <2 x i64>, <2 x i64>, i32) local_unnamed_addr #2

declare void @air.wait_simdgroup_events(i32, %event_t addrspace(3)**) local_unnamed_addr #2

declare void @air.wg.barrier(i32, i32) local_unnamed_addr #2

declare %event_t addrspace(3)* @air.simdgroup_async_copy_2d.p1i8.p3i8(i64, i64, i8 addrspace(1)*, i64, i64, <2 x i64>, i8 addrspace(3)*, i64, i64, <2 x i64>, <2 x i64>, i32) local_unnamed_addr #2

declare void @llvm.lifetime.end.p0i8(i64 immarg, i8* nocapture) #1

attributes #0 = { convergent mustprogress nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #1 = { argmemonly mustprogress nocallback nofree nosync nounwind willreturn }
attributes #2 = { convergent mustprogress nounwind willreturn }
attributes #3 = { nounwind }
attributes #4 = { nobuiltin nounwind "no-builtins" }

!air.kernel = !{!0}
!llvm.module.flags = !{!8, !9, !10, !11, !12, !13, !14, !15}
!air.compile_options = !{!16, !17, !18}
!air.visible_function_references = !{!19}
!llvm.ident = !{!20}
!air.version = !{!21}
!air.language_version = !{!22}
!air.source_file_name = !{!23}

!0 = !{void (float addrspace(1)*, float addrspace(1)*, i32, i32, i32)* @copy_2d_roundtrip_kernel, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6, !7}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"src"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"dst"}
!5 = !{i32 2, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid", !"air.arg_unused"}
!6 = !{i32 3, !"air.thread_index_in_simdgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"simd_lane"}
!7 = !{i32 4, !"air.threadgroup_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tg_idx", !"air.arg_unused"}
!8 = !{i32 2, !"SDK Version", [2 x i32] [i32 26, i32 0]}
!9 = !{i32 1, !"wchar_size", i32 4}
!10 = !{i32 7, !"air.max_device_buffers", i32 31}
!11 = !{i32 7, !"air.max_constant_buffers", i32 31}
!12 = !{i32 7, !"air.max_threadgroup_buffers", i32 31}
!13 = !{i32 7, !"air.max_textures", i32 128}
!14 = !{i32 7, !"air.max_read_write_textures", i32 8}
!15 = !{i32 7, !"air.max_samplers", i32 16}
!16 = !{!"air.compile.denorms_disable"}
!17 = !{!"air.compile.fast_math_enable"}
!18 = !{!"air.compile.framebuffer_fetch_enable"}
!19 = !{!"air.visible_function_reference", void (float addrspace(3)*, i32)* @process_tile.MTL_VISIBLE_FN_REF, !"process_tile"}
!20 = !{!"airlink air-shell 0.1.0"}
!21 = !{i32 2, i32 8, i32 0}
!22 = !{!"Metal", i32 4, i32 0, i32 0}
!23 = !{!"copy_2d.toml"}
