source_filename = "generated.metal"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

@tg_buf = internal addrspace(3) global [64 x float] undef, align 4

declare void @air.wg.barrier(i32, i32) #0

define internal i32 @helper0(i32 %p0) {
entry:
  %v = srem i16 -65, 5
  %0 = fsub half 0xH55DA, 0xHCF80
  %v1 = ashr i16 %v, 2
  ret i32 %p0
}

define void @kernel0(float addrspace(1)* noundef "air-buffer-no-alias" %0, i32 addrspace(1)* noundef %counts, i32 %1, i32 %lane) local_unnamed_addr #1 {
  %3 = zext i32 %1 to i64
  %4 = getelementptr inbounds float, float addrspace(1)* %0, i64 %3
  %5 = load float, float addrspace(1)* %4, align 4
  %6 = zext i32 %1 to i64
  %7 = getelementptr inbounds float, float addrspace(1)* %0, i64 %6
  store float 5.825000e+01, float addrspace(1)* %7, align 4
  %8 = icmp uge i32 %1, 14
  %9 = select i1 %8, i32 44, i32 %1
  %v = sdiv i16 -17, 5
  %10 = atomicrmw add i32 addrspace(1)* %counts, i32 -97 monotonic
  %v1 = call i32 @helper0(i32 %10)
  %11 = atomicrmw xchg i32 addrspace(1)* %counts, i32 %lane monotonic
  %v2 = fsub nnan contract float %5, -4.500000e+00
  %12 = atomicrmw max i32 addrspace(1)* %counts, i32 %10 monotonic
  %13 = fdiv fast float %v2, %5
  %14 = insertelement <4 x float> undef, float %v2, i32 1
  %15 = icmp ne i32 %11, 44
  %v3 = select i1 %15, float %5, float %v2
  %16 = atomicrmw max i32 addrspace(1)* %counts, i32 -90 monotonic
  %v4 = mul nuw nsw i32 %10, %16
  %17 = insertelement <4 x float> %14, float 8.925000e+01, i32 2
  %18 = icmp ne i32 %12, 5
  br i1 %18, label %then, label %26

then:
  %19 = srem i64 -29, 6
  %20 = fcmp uge half 0xHC800, 0xH4CC8
  %21 = sdiv i16 %v, 3
  %22 = atomicrmw max i32 addrspace(1)* %counts, i32 %9 monotonic
  %23 = call i32 @helper0(i32 %12)
  %24 = call i32 @helper0(i32 %v1)
  %v5 = call i32 @helper0(i32 %24)
  %25 = fcmp ugt float -5.050000e+01, %13
  br label %loop

26:
  %27 = lshr i16 %v, 0
  %28 = fpext half 0xH5436 to float
  %29 = zext i32 %1 to i64
  %30 = getelementptr inbounds [64 x float], [64 x float] addrspace(3)* @tg_buf, i64 0, i64 47
  %v10 = load float, float addrspace(3)* %30, align 4
  %31 = zext i32 %1 to i64
  %32 = getelementptr inbounds float, float addrspace(1)* %0, i64 %31
  store float %v3, float addrspace(1)* %32, align 4
  %33 = insertelement <4 x float> %14, float -1.237500e+01, i32 1
  %v11 = fsub float %13, %v10
  %34 = fneg float %v2
  %35 = zext i32 %1 to i64
  %36 = getelementptr inbounds float, float addrspace(1)* %0, i64 %35
  %v12 = load float, float addrspace(1)* %36, align 4
  br label %join

join:
  %merged = phi i32 [ %v4, %exit ], [ %12, %26 ]
  %v13 = udiv i32 %10, 4
  %37 = zext i32 %lane to i64
  %38 = sdiv i32 %12, 4
  %39 = icmp ule i32 -64, 45
  %v14 = select i1 %39, float 4.375000e+01, float %v2
  call void @air.wg.barrier(i32 2, i32 1)
  %40 = call i32 @helper0(i32 %merged)
  %41 = icmp sle i32 %merged, 35
  %42 = select i1 %41, float 2.312500e+01, float 3.850000e+01
  %43 = fpext half 0xHD4C4 to float
  ret void

loop:
  %i = phi i32 [ 0, %then ], [ %46, %loop ]
  %44 = sext i16 -27 to i32
  %v6 = fmul fast float %5, %13
  %v7 = urem i32 %44, 5
  %45 = fdiv nnan contract float %v6, %v3
  %v8 = call i32 @helper0(i32 %v4)
  %46 = add nuw nsw i32 %i, 1
  %47 = icmp uge i32 %46, 13
  br i1 %47, label %exit, label %loop

exit:
  %48 = zext i32 %1 to i64
  %49 = getelementptr inbounds [64 x float], [64 x float] addrspace(3)* @tg_buf, i64 0, i64 36
  %50 = load float, float addrspace(3)* %49, align 4
  %51 = ashr i64 -27, 3
  %52 = fpext half 0xHD06C to float
  %53 = sext i16 %21 to i32
  %v9 = and i32 %23, %1
  br label %join
}

define void @kernel1(float addrspace(1)* noundef "air-buffer-no-alias" %data, i32 addrspace(1)* noundef %0, i32 %tid, i32 %lane) local_unnamed_addr #1 {
  %v = add nsw i16 56, 29
  call void @air.wg.barrier(i32 2, i32 1)
  %2 = atomicrmw max i32 addrspace(1)* %0, i32 %lane monotonic
  %v1 = lshr i16 %v, 4
  %3 = fcmp oge half 0xH50FC, 0xHC480
  %4 = fsub fast float 4.800000e+01, 1.097500e+02
  %v2 = ashr exact i64 -69, 5
  %v3 = or i32 %2, %tid
  %5 = zext i32 %tid to i64
  %6 = getelementptr inbounds float, float addrspace(1)* %data, i64 %5
  %7 = load float, float addrspace(1)* %6, align 4
  %8 = and i16 41, %v1
  %9 = ashr exact i16 -71, 0
  %10 = extractelement <4 x float> undef, i32 2
  call void @air.wg.barrier(i32 2, i32 1)
  %11 = atomicrmw or i32 addrspace(1)* %0, i32 %v3 monotonic
  %12 = fadd nnan contract float %7, %10
  br label %loop

loop:
  %i = phi i32 [ 0, %1 ], [ %35, %join ]
  %v4 = call i32 @helper0(i32 %i)
  %13 = lshr i64 %v2, 1
  %v5 = fadd fast float %7, %10
  %14 = atomicrmw xchg i32 addrspace(1)* %0, i32 24 monotonic
  call void @air.wg.barrier(i32 2, i32 1)
  %15 = or i16 -33, %v1
  %16 = fadd fast float %10, %10
  %17 = fptrunc float %10 to half
  %18 = icmp sgt i32 %14, 60
  br i1 %18, label %then, label %26

exit:
  %19 = fadd float 6.237500e+01, %7
  %v11 = sitofp i32 90 to float
  %20 = fmul fast float 1.212500e+02, %4
  %v12 = call i32 @helper0(i32 15)
  %v13 = urem i64 %v2, 4
  %21 = call i32 @helper0(i32 2)
  %22 = insertelement <4 x float> undef, float %v11, i32 2
  %23 = atomicrmw xchg i32 addrspace(1)* %0, i32 %2 monotonic
  ret void

then:
  %24 = sdiv i64 -1, 4
  call void @air.wg.barrier(i32 2, i32 1)
  call void @air.wg.barrier(i32 2, i32 1)
  %v6 = bitcast float %7 to i32
  %25 = fcmp uno float %16, %7
  br label %join

26:
  %27 = fdiv float %v5, %10
  %v7 = fptrunc float %12 to half
  %v8 = and i64 %13, -57
  %28 = zext i32 %tid to i64
  %29 = getelementptr inbounds float, float addrspace(1)* %data, i64 %28
  store float %10, float addrspace(1)* %29, align 4
  %30 = fneg float %16
  br label %join

join:
  %merged = phi i32 [ -27, %then ], [ %11, %26 ]
  %31 = call i32 @helper0(i32 %v4)
  call void @air.wg.barrier(i32 2, i32 1)
  %v9 = fsub nnan contract half %17, %17
  %32 = zext i32 %tid to i64
  %33 = getelementptr inbounds float, float addrspace(1)* %data, i64 %32
  %v10 = load float, float addrspace(1)* %33, align 4
  %34 = fcmp ueq float %12, %7
  %35 = add nuw nsw i32 %i, 1
  %36 = icmp uge i32 %35, 3
  br i1 %36, label %exit, label %loop
}

attributes #0 = { convergent nounwind }
attributes #1 = { convergent mustprogress nounwind "frame-pointer"="none" "no-builtins" }

!air.kernel = !{!0, !7}
!llvm.module.flags = !{!14, !15, !16}
!air.version = !{!17}
!llvm.ident = !{!18}
!airlink.test = !{!19}

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
!14 = !{i32 1, !"wchar_size", i32 4}
!15 = !{i32 7, !"air.max_device_buffers", i32 31}
!16 = !{i32 7, !"air.max_threadgroup_buffers", i32 31}
!17 = !{i32 2, i32 8, i32 0}
!18 = !{!"airlink testgen"}
!19 = distinct !{!19, !20}
!20 = !{!"llvm.loop.mustprogress"}
