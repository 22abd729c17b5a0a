source_filename = "reverse_kernel_v4"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

@tg_buf = internal addrspace(3) global [64 x float] undef, align 4

define void @gemm_kernel(float addrspace(1)* noundef "air-buffer-no-alias" %A, float addrspace(1)* noundef "air-buffer-no-alias" %B, float addrspace(1)* nocapture noundef writeonly "air-buffer-no-alias" %C, i32 noundef %tid, i32 noundef %simd_lane, i32 noundef %tg_idx, i32 noundef %tid_in_tg) local_unnamed_addr #0 {
entry:
  %tg_idx.i64 = zext i32 %tg_idx to i64
  %tid_in_tg.i64 = zext i32 %tid_in_tg to i64
  %0 = mul i64 %tg_idx.i64, 32
  br label %coop.head

coop.head:
  %coop.i = phi i64 [ %tid_in_tg.i64, %entry ], [ %10, %coop.body ]
  %1 = icmp slt i64 %coop.i, 32
  br i1 %1, label %coop.body, label %coop.done

coop.body:
  %coop.row = sdiv i64 %coop.i, 32
  %coop.col = srem i64 %coop.i, 32
  %2 = mul i64 %coop.row, 32
  %3 = add i64 %2, %coop.col
  %4 = add i64 %3, %0
  %5 = getelementptr inbounds float, float addrspace(1)* %A, i64 %4
  %6 = load float, float addrspace(1)* %5, align 4
  %7 = mul i64 %coop.row, 32
  %8 = add i64 %7, %coop.col
  %9 = getelementptr inbounds float, float addrspace(3)* getelementptr inbounds ([64 x float], [64 x float] addrspace(3)* @tg_buf, i64 0, i64 0), i64 %8
  store float %6, float addrspace(3)* %9, align 4
  %10 = add i64 %coop.i, 32
  br label %coop.head

coop.done:
  call void @air.wg.barrier(i32 2, i32 1)
  %11 = mul i64 %tg_idx.i64, 32
  br label %coop.head1

coop.head1:
  %coop.i1 = phi i64 [ %tid_in_tg.i64, %coop.done ], [ %21, %coop.body1 ]
  %12 = icmp slt i64 %coop.i1, 32
  br i1 %12, label %coop.body1, label %coop.done1

coop.body1:
  %coop.row1 = sdiv i64 %coop.i1, 32
  %coop.col1 = srem i64 %coop.i1, 32
  %13 = mul i64 %coop.row1, 32
  %14 = add i64 %13, %coop.col1
  %15 = add i64 %14, %11
  %16 = getelementptr inbounds float, float addrspace(1)* %B, i64 %15
  %17 = load float, float addrspace(1)* %16, align 4
  %18 = mul i64 %coop.row1, 32
  %19 = add i64 %18, %coop.col1
  %20 = getelementptr inbounds float, float addrspace(3)* getelementptr inbounds ([64 x float], [64 x float] addrspace(3)* @tg_buf, i64 0, i64 32), i64 %19
  store float %17, float addrspace(3)* %20, align 4
  %21 = add i64 %coop.i1, 32
  br label %coop.head1

coop.done1:
  call void @air.wg.barrier(i32 2, i32 1)
  call void @compute_tile.MTL_VISIBLE_FN_REF(float addrspace(3)* getelementptr inbounds ([64 x float], [64 x float] addrspace(3)* @tg_buf, i64 0, i64 0), float addrspace(3)* getelementptr inbounds ([64 x float], [64 x float] addrspace(3)* @tg_buf, i64 0, i64 32), float addrspace(1)* %C, i32 %tid, i32 %simd_lane) #2
  ret void
}

declare void @compute_tile.MTL_VISIBLE_FN_REF(float addrspace(3)*, float addrspace(3)*, float addrspace(1)*, i32, i32) local_unnamed_addr section "air.externally_defined"

declare void @air.wg.barrier(i32, i32) local_unnamed_addr #1

attributes #0 = { convergent mustprogress nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #1 = { convergent mustprogress nounwind willreturn }
attributes #2 = { nobuiltin nounwind "no-builtins" }

!air.kernel = !{!0}
!llvm.module.flags = !{!10, !11, !12, !13, !14, !15, !16, !17}
!air.compile_options = !{!18, !19, !20}
!air.visible_function_references = !{!21}
!llvm.ident = !{!22}
!air.version = !{!23}
!air.language_version = !{!24}
!air.source_file_name = !{!25}

!0 = !{void (float addrspace(1)*, float addrspace(1)*, float addrspace(1)*, i32, i32, i32, i32)* @gemm_kernel, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6, !7, !8, !9}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"A"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"B"}
!5 = !{i32 2, !"air.buffer", !"air.location_index", i32 2, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"C"}
!6 = !{i32 3, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid"}
!7 = !{i32 4, !"air.thread_index_in_simdgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"simd_lane"}
!8 = !{i32 5, !"air.threadgroup_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tg_idx"}
!9 = !{i32 6, !"air.thread_index_in_threadgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid_in_tg"}
!10 = !{i32 2, !"SDK Version", [2 x i32] [i32 26, i32 0]}
!11 = !{i32 1, !"wchar_size", i32 4}
!12 = !{i32 7, !"air.max_device_buffers", i32 31}
!13 = !{i32 7, !"air.max_constant_buffers", i32 31}
!14 = !{i32 7, !"air.max_threadgroup_buffers", i32 31}
!15 = !{i32 7, !"air.max_textures", i32 128}
!16 = !{i32 7, !"air.max_read_write_textures", i32 8}
!17 = !{i32 7, !"air.max_samplers", i32 16}
!18 = !{!"air.compile.denorms_disable"}
!19 = !{!"air.compile.fast_math_enable"}
!20 = !{!"air.compile.framebuffer_fetch_enable"}
!21 = !{!"air.visible_function_reference", void (float addrspace(3)*, float addrspace(3)*, float addrspace(1)*, i32, i32)* @compute_tile.MTL_VISIBLE_FN_REF, !"compute_tile"}
!22 = !{!"airlink air-shell 0.1.0"}
!23 = !{i32 2, i32 8, i32 0}
!24 = !{!"Metal", i32 4, i32 0, i32 0}
!25 = !{!"multi_buffer.toml"}
