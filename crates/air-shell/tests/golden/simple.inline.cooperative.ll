source_filename = "reverse_kernel"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

@tg_buf = internal addrspace(3) global [128 x float] undef, align 4

define void @reverse_kernel(float addrspace(1)* noundef "air-buffer-no-alias" %src, float addrspace(1)* nocapture noundef writeonly "air-buffer-no-alias" %dst, i32 noundef %tid, i32 noundef %simd_lane, i32 noundef %tid_in_tg) local_unnamed_addr #0 {
entry:
  %tid.i64 = zext i32 %tid to i64
  %simd_lane.i64 = zext i32 %simd_lane to i64
  %tid_in_tg.i64 = zext i32 %tid_in_tg to i64
  %0 = sdiv i64 %tid.i64, 32
  %1 = mul i64 %0, 32
  br label %coop.head

coop.head:
  %coop.i = phi i64 [ %tid_in_tg.i64, %entry ], [ %11, %coop.body ]
  %2 = icmp slt i64 %coop.i, 32
  br i1 %2, label %coop.body, label %coop.done

coop.body:
  %coop.row = sdiv i64 %coop.i, 32
  %coop.col = srem i64 %coop.i, 32
  %3 = mul i64 %coop.row, 32
  %4 = add i64 %3, %coop.col
  %5 = add i64 %4, %1
  %6 = getelementptr inbounds float, float addrspace(1)* %src, i64 %5
  %7 = load float, float addrspace(1)* %6, align 4
  %8 = mul i64 %coop.row, 32
  %9 = add i64 %8, %coop.col
  %10 = getelementptr inbounds float, float addrspace(3)* getelementptr inbounds ([128 x float], [128 x float] addrspace(3)* @tg_buf, i64 0, i64 0), i64 %9
  store float %7, float addrspace(3)* %10, align 4
  %11 = add i64 %coop.i, 32
  br label %coop.head

coop.done:
  call void @air.wg.barrier(i32 2, i32 1)
  %tile.elem = getelementptr inbounds float, float addrspace(3)* getelementptr inbounds ([128 x float], [128 x float] addrspace(3)* @tg_buf, i64 0, i64 0), i64 %simd_lane.i64
  %tile.val = load float, float addrspace(3)* %tile.elem, align 4
  %result = call float @transform_value(float %tile.val) #3
  %dst.elem = getelementptr inbounds float, float addrspace(1)* %dst, i64 %tid.i64
  store float %result, float addrspace(1)* %dst.elem, align 4
  ret void
}

define internal float @transform_value(float noundef %v) local_unnamed_addr #1 {
entry:
  %mul = fmul fast float %v, 3.000000e+00
  %add = fadd fast float %mul, 7.000000e+00
  ret float %add
}

declare void @air.wg.barrier(i32, i32) local_unnamed_addr #2

attributes #0 = { convergent mustprogress nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #1 = { mustprogress nofree norecurse nosync nounwind readnone willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #2 = { convergent mustprogress nounwind willreturn }
attributes #3 = { nounwind }

!air.kernel = !{!0}
!llvm.module.flags = !{!8, !9, !10, !11, !12, !13, !14, !15}
!air.compile_options = !{!16, !17, !18}
!llvm.ident = !{!19}
!air.version = !{!20}
!air.language_version = !{!21}
!air.source_file_name = !{!22}

!0 = !{void (float addrspace(1)*, float addrspace(1)*, i32, i32, i32)* @reverse_kernel, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6, !7}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"src"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"dst"}
!5 = !{i32 2, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid"}
!6 = !{i32 3, !"air.thread_index_in_simdgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"simd_lane"}
!7 = !{i32 4, !"air.thread_index_in_threadgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid_in_tg"}
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
!19 = !{!"airlink air-shell 0.1.0"}
!20 = !{i32 2, i32 8, i32 0}
!21 = !{!"Metal", i32 4, i32 0, i32 0}
!22 = !{!"simple.toml"}
