source_filename = "copy_2d_kernel"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

@tg_buf = internal addrspace(3) global [32 x float] undef, align 4

define void @copy_2d_roundtrip_kernel(float addrspace(1)* noundef "air-buffer-no-alias" %src, float addrspace(1)* nocapture noundef "air-buffer-no-alias" %dst, i32 noundef %tid, i32 noundef %simd_lane, i32 noundef %tg_idx, i32 noundef %tid_in_tg) local_unnamed_addr #0 {
entry:
  %tid_in_tg.i64 = zext i32 %tid_in_tg to i64
  br label %coop.head

coop.head:
  %coop.i = phi i64 [ %tid_in_tg.i64, %entry ], [ %8, %coop.body ]
  %0 = icmp slt i64 %coop.i, 32
  br i1 %0, label %coop.body, label %coop.done

coop.body:
  %coop.row = sdiv i64 %coop.i, 4
  %coop.col = srem i64 %coop.i, 4
  %1 = mul i64 %coop.row, 16
  %2 = add i64 %1, %coop.col
  %3 = getelementptr inbounds float, float addrspace(1)* %src, i64 %2
  %4 = load float, float addrspace(1)* %3, align 4
  %5 = mul i64 %coop.row, 4
  %6 = add i64 %5, %coop.col
  %7 = getelementptr inbounds float, float addrspace(3)* getelementptr inbounds ([32 x float], [32 x float] addrspace(3)* @tg_buf, i64 0, i64 0), i64 %6
  store float %4, float addrspace(3)* %7, align 4
  %8 = add i64 %coop.i, 32
  br label %coop.head

coop.done:
  call void @air.wg.barrier(i32 2, i32 1)
  call void @process_tile(float addrspace(3)* getelementptr inbounds ([32 x float], [32 x float] addrspace(3)* @tg_buf, i64 0, i64 0), i32 %simd_lane) #3
  call void @air.wg.barrier(i32 2, i32 1)
  br label %coop.head1

coop.head1:
  %coop.i1 = phi i64 [ %tid_in_tg.i64, %coop.done ], [ %17, %coop.body1 ]
  %9 = icmp slt i64 %coop.i1, 32
  br i1 %9, label %coop.body1, label %coop.done1

coop.body1:
  %coop.row1 = sdiv i64 %coop.i1, 4
  %coop.col1 = srem i64 %coop.i1, 4
  %10 = mul i64 %coop.row1, 4
  %11 = add i64 %10, %coop.col1
  %12 = getelementptr inbounds float, float addrspace(3)* getelementptr inbounds ([32 x float], [32 x float] addrspace(3)* @tg_buf, i64 0, i64 0), i64 %11
  %13 = load float, float addrspace(3)* %12, align 4
  %14 = mul i64 %coop.row1, 16
  %15 = add i64 %14, %coop.col1
  %16 = getelementptr inbounds float, float addrspace(1)* %dst, i64 %15
  store float %13, float addrspace(1)* %16, align 4
  %17 = add i64 %coop.i1, 32
  br label %coop.head1

coop.done1:
  ret void
}

define internal void @process_tile(float addrspace(3)* nocapture noundef %tg, i32 noundef %simd_lane) local_unnamed_addr #1 {
entry:
  %in.range = icmp ult i32 %simd_lane, 32
  br i1 %in.range, label %scale, label %done

scale:
  %l = zext i32 %simd_lane to i64
  %p = getelementptr inbounds float, float addrspace(3)* %tg, i64 %l
  %v = load float, float addrspace(3)* %p, align 4
  %v10 = fmul fast float %v, 1.000000e+01
  store float %v10, float addrspace(3)* %p, align 4
  br label %done

done:
  ret void
}

declare void @air.wg.barrier(i32, i32) local_unnamed_addr #2

attributes #0 = { convergent mustprogress nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #1 = { argmemonly mustprogress nofree norecurse nosync nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #2 = { convergent mustprogress nounwind willreturn }
attributes #3 = { nounwind }

!air.kernel = !{!0}
!llvm.module.flags = !{!9, !10, !11, !12, !13, !14, !15, !16}
!air.compile_options = !{!17, !18, !19}
!llvm.ident = !{!20}
!air.version = !{!21}
!air.language_version = !{!22}
!air.source_file_name = !{!23}

!0 = !{void (float addrspace(1)*, float addrspace(1)*, i32, i32, i32, i32)* @copy_2d_roundtrip_kernel, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6, !7, !8}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"src"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"dst"}
!5 = !{i32 2, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid", !"air.arg_unused"}
!6 = !{i32 3, !"air.thread_index_in_simdgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"simd_lane"}
!7 = !{i32 4, !"air.threadgroup_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tg_idx", !"air.arg_unused"}
!8 = !{i32 5, !"air.thread_index_in_threadgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid_in_tg"}
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
!23 = !{!"copy_2d.toml"}
