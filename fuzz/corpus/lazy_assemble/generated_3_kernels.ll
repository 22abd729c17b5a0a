source_filename = "generated.metal"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

declare void @air.wg.barrier(i32, i32) #0

define void @kernel0(float addrspace(1)* noundef "air-buffer-no-alias" %0, i32 addrspace(1)* noundef %counts, i32 %1, i32 %lane) local_unnamed_addr #1 {
entry:
  %v = add i64 11, -48
  %2 = add nsw i32 %1, %lane
  %v1 = bitcast float 7.900000e+01 to i32
  call void @air.wg.barrier(i32 2, i32 1)
  call void @air.wg.barrier(i32 2, i32 1)
  %3 = zext i32 %1 to i64
  %4 = getelementptr inbounds float, float addrspace(1)* %0, i64 %3
  %5 = load float, float addrspace(1)* %4, align 4
  %6 = fcmp fast uge float -6.300000e+01, %5
  %7 = fdiv float %5, %5
  %8 = fdiv fast float %5, %7
  %v2 = sext i16 83 to i32
  %9 = fpext half 0xH4FF0 to float
  %10 = fdiv float %8, %7
  %v3 = atomicrmw add i32 addrspace(1)* %counts, i32 -59 monotonic
  %11 = icmp slt i32 -98, 9
  %12 = select i1 %11, float %8, float 3.275000e+01
  %13 = icmp ugt i32 %v1, 52
  br i1 %13, label %then, label %19

then:
  %14 = fsub float %5, %7
  %15 = sub nuw i32 %v3, %v2
  %16 = mul nuw i64 85, 96
  %17 = add nsw i64 %v, %v
  %18 = fdiv nnan contract half 0xHD5D4, 0xHD4F4
  call void @air.wg.barrier(i32 2, i32 1)
  call void @air.wg.barrier(i32 2, i32 1)
  br label %loop

19:
  %20 = extractelement <4 x float> zeroinitializer, i32 0
  %21 = insertelement <4 x float> undef, float %10, i32 2
  %22 = xor i32 -9, %v1
  %23 = sitofp i32 %22 to float
  %24 = zext i32 %1 to i64
  %25 = getelementptr inbounds float, float addrspace(1)* %0, i64 %24
  store float %5, float addrspace(1)* %25, align 4
  %v7 = sitofp i32 %v2 to float
  %26 = fmul nnan contract float %10, %9
  br label %join

join:
  %merged = phi i32 [ %15, %exit ], [ %lane, %19 ]
  %27 = insertelement <4 x float> undef, float -1.151250e+02, i32 1
  %28 = fneg nnan contract float %7
  %29 = fmul fast float %7, %28
  %30 = insertelement <4 x float> zeroinitializer, float -2.487500e+01, i32 3
  %v8 = fsub float %5, %12
  %31 = atomicrmw xchg i32 addrspace(1)* %counts, i32 %merged monotonic
  %v9 = fmul float %10, %10
  ret void

loop:
  %i = phi i32 [ 0, %then ], [ %35, %loop ]
  %v4 = fdiv fast float %5, %5
  %32 = or i64 %17, %v
  %33 = shl nuw i32 %i, 0
  %34 = fadd nnan contract float %10, %14
  %v5 = atomicrmw max i32 addrspace(1)* %counts, i32 %15 monotonic
  %35 = add nuw nsw i32 %i, 1
  %36 = icmp uge i32 %35, 15
  br i1 %36, label %exit, label %loop

exit:
  %37 = zext i32 %1 to i64
  %38 = getelementptr inbounds float, float addrspace(1)* %0, i64 %37
  store float %12, float addrspace(1)* %38, align 4
  %39 = icmp eq i32 %v2, 19
  %40 = select i1 %39, i32 %1, i32 %1
  %41 = insertelement <4 x float> undef, float %12, i32 1
  %42 = xor i64 %17, %17
  %43 = zext i32 %1 to i64
  %44 = getelementptr inbounds float, float addrspace(1)* %0, i64 %43
  %v6 = load float, float addrspace(1)* %44, align 4
  br label %join
}

define void @kernel1(float addrspace(1)* noundef "air-buffer-no-alias" %data, i32 addrspace(1)* noundef %0, i32 %tid, i32 %1) local_unnamed_addr #1 {
entry:
  %2 = zext i32 %tid to i64
  %3 = getelementptr inbounds float, float addrspace(1)* %data, i64 %2
  store float -8.262500e+01, float addrspace(1)* %3, align 4
  %4 = insertelement <4 x float> undef, float 4.862500e+01, i32 0
  %5 = mul nsw i16 74, -2
  %6 = zext i32 %tid to i64
  %7 = getelementptr inbounds float, float addrspace(1)* %data, i64 %6
  %v = load float, float addrspace(1)* %7, align 4
  %8 = mul i64 -11, 60
  %9 = zext i32 %tid to i64
  %10 = getelementptr inbounds float, float addrspace(1)* %data, i64 %9
  %11 = load float, float addrspace(1)* %10, align 4
  %12 = ashr i32 %1, 3
  %13 = fsub half 0xHD330, 0xHD40E
  %14 = icmp sge i32 %12, 57
  %15 = select i1 %14, i32 %12, i32 %12
  %v1 = atomicrmw add i32 addrspace(1)* %0, i32 %15 monotonic
  %16 = zext i32 %tid to i64
  %17 = getelementptr inbounds float, float addrspace(1)* %data, i64 %16
  store float %11, float addrspace(1)* %17, align 4
  %18 = mul i16 %5, -17
  %v2 = extractelement <4 x float> %4, i32 2
  br label %loop

loop:
  %i = phi i32 [ 0, %entry ], [ %39, %exit1 ]
  %19 = zext i32 %tid to i64
  %v3 = fadd half %13, 0xHCCE0
  %20 = lshr i16 -41, 0
  %21 = atomicrmw xchg i32 addrspace(1)* %0, i32 %12 monotonic
  %22 = fadd float %v2, %v
  %v4 = fsub fast float %v2, %v
  %23 = xor i64 %8, %8
  br label %loop1

exit:
  %24 = srem i64 %8, 5
  %25 = srem i32 %15, 8
  %v5 = srem i64 %8, 4
  %v6 = fcmp nnan contract ueq float %v, %v
  %26 = fcmp fast ult float %v, %v2
  %27 = atomicrmw or i32 addrspace(1)* %0, i32 %25 monotonic
  %28 = urem i32 %15, 3
  ret void

loop1:
  %i1 = phi i32 [ 0, %loop ], [ %34, %loop1 ]
  %29 = fadd float %11, %v2
  %30 = atomicrmw max i32 addrspace(1)* %0, i32 %1 monotonic
  %31 = sdiv exact i32 %12, 8
  %32 = zext i32 %tid to i64
  %33 = getelementptr inbounds float, float addrspace(1)* %data, i64 %32
  store float %11, float addrspace(1)* %33, align 4
  %34 = add nuw nsw i32 %i1, 1
  %35 = icmp uge i32 %34, 12
  br i1 %35, label %exit1, label %loop1

exit1:
  %36 = fadd fast float %v2, %v4
  %37 = mul nuw nsw i16 %5, %5
  %38 = atomicrmw or i32 addrspace(1)* %0, i32 %12 monotonic
  %39 = add nuw nsw i32 %i, 1
  %40 = icmp uge i32 %39, 14
  br i1 %40, label %exit, label %loop
}

define void @kernel2(float addrspace(1)* noundef "air-buffer-no-alias" %data, i32 addrspace(1)* noundef %counts, i32 %tid, i32 %lane) local_unnamed_addr #1 {
entry:
  call void @air.wg.barrier(i32 2, i32 1)
  %0 = atomicrmw xchg i32 addrspace(1)* %counts, i32 -46 monotonic
  %1 = insertelement <4 x float> zeroinitializer, float -1.095000e+02, i32 0
  %2 = fpext half 0xH5294 to float
  %3 = udiv i64 3, 6
  %4 = icmp eq i32 %lane, 46
  %v = select i1 %4, float %2, float 7.125000e+01
  %5 = zext i32 %tid to i64
  %6 = getelementptr inbounds float, float addrspace(1)* %data, i64 %5
  store float %v, float addrspace(1)* %6, align 4
  %7 = fsub fast float %2, %2
  call void @air.wg.barrier(i32 2, i32 1)
  %8 = extractelement <4 x float> zeroinitializer, i32 1
  %9 = zext i32 %tid to i64
  %10 = getelementptr inbounds float, float addrspace(1)* %data, i64 %9
  store float %7, float addrspace(1)* %10, align 4
  %11 = bitcast float %7 to i32
  %12 = zext i32 %tid to i64
  %13 = getelementptr inbounds float, float addrspace(1)* %data, i64 %12
  store float 1.020000e+02, float addrspace(1)* %13, align 4
  %14 = sub nuw nsw i32 %11, %tid
  %15 = insertelement <4 x float> %1, float %8, i32 1
  %16 = sub nsw i64 %3, %3
  %17 = add i16 -84, 95
  %18 = zext i32 %tid to i64
  %19 = getelementptr inbounds float, float addrspace(1)* %data, i64 %18
  store float 1.205000e+02, float addrspace(1)* %19, align 4
  %v1 = fcmp ord float %7, %v
  %20 = icmp ule i32 %14, 54
  %v2 = select i1 %20, float %7, float %8
  ret void
}

attributes #0 = { convergent nounwind }
attributes #1 = { convergent mustprogress nounwind "frame-pointer"="none" "no-builtins" }

!air.kernel = !{!0, !7, !14}
!llvm.module.flags = !{!21, !22, !23}
!air.version = !{!24}
!llvm.ident = !{!25}

!0 = !{void (float addrspace(1)*, i32 addrspace(1)*, i32, i32)* @kernel0, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read_write", !"air.arg_type_name", !"float"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read_write", !"air.arg_type_name", !"uint"}
!5 = !{i32 2, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint"}
!6 = !{i32 3, !"air.thread_index_in_simdgroup", !"air.arg_type_name", !"uint"}
!7 = !{void (float addrspace(1)*, i32 addrspace(1)*, i32, i32)* @kernel1, !8, !9}
!8 = !{}
!9 = !{!10, !11, !12, !13}
!10 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read_write", !"air.arg_type_name", !"float"}
!11 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read_write", !"air.arg_type_name", !"uint"}
!12 = !{i32 2, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint"}
!13 = !{i32 3, !"air.thread_index_in_simdgroup", !"air.arg_type_name", !"uint"}
!14 = !{void (float addrspace(1)*, i32 addrspace(1)*, i32, i32)* @kernel2, !15, !16}
!15 = !{}
!16 = !{!17, !18, !19, !20}
!17 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read_write", !"air.arg_type_name", !"float"}
!18 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read_write", !"air.arg_type_name", !"uint"}
!19 = !{i32 2, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint"}
!20 = !{i32 3, !"air.thread_index_in_simdgroup", !"air.arg_type_name", !"uint"}
!21 = !{i32 1, !"wchar_size", i32 4}
!22 = !{i32 7, !"air.max_device_buffers", i32 31}
!23 = !{i32 7, !"air.max_threadgroup_buffers", i32 31}
!24 = !{i32 2, i32 8, i32 0}
!25 = !{!"airlink testgen"}
