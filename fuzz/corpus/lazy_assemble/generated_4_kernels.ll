source_filename = "generated.metal"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

@tg_buf = internal addrspace(3) global [64 x float] undef, align 4

declare void @air.wg.barrier(i32, i32) #0

define void @kernel0(float addrspace(1)* noundef "air-buffer-no-alias" %data, i32 addrspace(1)* noundef %counts, i32 %tid, i32 %lane) local_unnamed_addr #1 {
entry:
  %0 = insertelement <4 x float> undef, float 1.362500e+01, i32 3
  %1 = icmp ugt i32 %tid, 25
  %2 = select i1 %1, float -5.550000e+01, float 1.450000e+01
  %v = fadd half 0xHD58A, 0xH5614
  %3 = fadd half 0xH5464, %v
  %4 = srem i32 78, 4
  %v1 = fneg float %2
  %5 = shl i64 14, 6
  %v2 = ashr i16 35, 7
  %6 = atomicrmw or i32 addrspace(1)* %counts, i32 %tid monotonic
  %7 = icmp eq i32 %lane, 22
  %8 = select i1 %7, i32 %lane, i32 %tid
  call void @air.wg.barrier(i32 2, i32 1)
  %9 = sext i16 50 to i32
  %10 = sdiv i16 78, 6
  %11 = atomicrmw xchg i32 addrspace(1)* %counts, i32 %6 monotonic
  %12 = atomicrmw add i32 addrspace(1)* %counts, i32 %11 monotonic
  %13 = udiv i16 %10, 5
  call void @air.wg.barrier(i32 2, i32 1)
  call void @air.wg.barrier(i32 2, i32 1)
  %v3 = lshr exact i32 %6, 5
  call void @air.wg.barrier(i32 2, i32 1)
  br label %loop

loop:
  %i = phi i32 [ 0, %entry ], [ %47, %join ]
  %14 = atomicrmw xchg i32 addrspace(1)* %counts, i32 %9 monotonic
  %15 = and i32 %v3, %9
  %v4 = udiv exact i32 89, 3
  call void @air.wg.barrier(i32 2, i32 1)
  %16 = atomicrmw add i32 addrspace(1)* %counts, i32 %v4 monotonic
  %17 = atomicrmw add i32 addrspace(1)* %counts, i32 %lane monotonic
  %18 = srem i32 %9, 1
  %v5 = urem i64 %5, 9
  %v6 = fneg float %2
  %19 = icmp ugt i32 %17, 13
  br i1 %19, label %then, label %35

exit:
  %20 = atomicrmw or i32 addrspace(1)* %counts, i32 -76 monotonic
  %21 = zext i32 %tid to i64
  %22 = getelementptr inbounds [64 x float], [64 x float] addrspace(3)* @tg_buf, i64 0, i64 5
  %23 = load float, float addrspace(3)* %22, align 4
  %24 = sext i16 18 to i32
  %25 = extractelement <4 x float> undef, i32 3
  %26 = xor i32 %24, %4
  %27 = fpext half %3 to float
  %v11 = xor i32 %26, %20
  %28 = atomicrmw xchg i32 addrspace(1)* %counts, i32 %4 monotonic
  ret void

then:
  %29 = icmp ugt i32 16, 0
  %30 = select i1 %29, i32 -19, i32 %14
  %31 = atomicrmw xchg i32 addrspace(1)* %counts, i32 %9 monotonic
  %32 = fdiv float %v6, %v6
  %33 = fcmp fast oge half 0xH5758, %3
  call void @air.wg.barrier(i32 2, i32 1)
  %34 = icmp uge i32 %v3, 16
  %v7 = select i1 %34, float %2, float %v6
  br label %join

35:
  %36 = or i16 6, %13
  %37 = zext i32 %tid to i64
  %38 = getelementptr inbounds float, float addrspace(1)* %data, i64 %37
  %v8 = load float, float addrspace(1)* %38, align 4
  %39 = fsub nnan contract float 2.587500e+01, %v6
  call void @air.wg.barrier(i32 2, i32 1)
  %40 = insertelement <4 x float> %0, float %2, i32 1
  %v9 = udiv i64 74, 7
  br label %join

join:
  %merged = phi float [ %v6, %then ], [ %v1, %35 ]
  %41 = urem i64 -77, 8
  %42 = add i64 14, %5
  %v10 = sitofp i32 %i to float
  %43 = icmp sgt i32 %6, 56
  %44 = select i1 %43, i32 %4, i32 %i
  %45 = insertelement <4 x float> %0, float -3.225000e+01, i32 3
  %46 = fdiv half %3, %v
  %47 = add nuw nsw i32 %i, 1
  %48 = icmp uge i32 %47, 4
  br i1 %48, label %exit, label %loop
}

define void @kernel1(float addrspace(1)* noundef "air-buffer-no-alias" %data, i32 addrspace(1)* noundef %0, i32 %tid, i32 %lane) local_unnamed_addr #1 {
entry:
  %v = fadd float 8.612500e+01, 9.400000e+01
  %1 = fptrunc float %v to half
  %v1 = atomicrmw or i32 addrspace(1)* %0, i32 %lane monotonic
  %2 = atomicrmw xchg i32 addrspace(1)* %0, i32 %lane monotonic
  %3 = udiv exact i64 96, 4
  %4 = fsub half %1, %1
  %v2 = fdiv half %4, %1
  %v3 = shl nuw nsw i64 %3, 6
  %5 = ashr i32 %2, 5
  %v4 = urem i64 -73, 8
  %6 = xor i32 %2, %tid
  %7 = insertelement <4 x float> undef, float %v, i32 0
  %8 = sext i16 -96 to i32
  call void @air.wg.barrier(i32 2, i32 1)
  %9 = ashr i16 12, 4
  %10 = extractelement <4 x float> %7, i32 3
  br label %loop

loop:
  %i = phi i32 [ 0, %entry ], [ %46, %exit1 ]
  %11 = zext i32 %tid to i64
  %12 = getelementptr inbounds [64 x float], [64 x float] addrspace(3)* @tg_buf, i64 0, i64 32
  %13 = load float, float addrspace(3)* %12, align 4
  %v5 = udiv i32 %5, 1
  call void @air.wg.barrier(i32 2, i32 1)
  %14 = zext i32 %tid to i64
  %15 = getelementptr inbounds float, float addrspace(1)* %data, i64 %14
  store float %10, float addrspace(1)* %15, align 4
  %16 = icmp ule i32 %tid, 45
  %17 = select i1 %16, i32 %v5, i32 %6
  %18 = icmp ugt i32 %2, 49
  %19 = select i1 %18, float %10, float %13
  %v6 = xor i32 %v1, -83
  %20 = fpext half 0xH5728 to float
  call void @air.wg.barrier(i32 2, i32 1)
  %21 = fneg float %19
  br label %loop1

exit:
  call void @air.wg.barrier(i32 2, i32 1)
  %22 = fmul nnan contract float %10, -8.562500e+01
  %23 = fcmp fast une half %4, %1
  %24 = extractelement <4 x float> %7, i32 0
  %25 = sub i16 %9, -92
  %26 = icmp ule i32 %6, 21
  %v13 = select i1 %26, float %10, float %10
  %v14 = trunc i64 %v4 to i32
  %27 = icmp sge i32 32, 35
  %28 = select i1 %27, i32 %v14, i32 %tid
  %v15 = ashr exact i64 %v4, 1
  %29 = atomicrmw xchg i32 addrspace(1)* %0, i32 %v1 monotonic
  %30 = sitofp i32 %v14 to float
  ret void

loop1:
  %i1 = phi i32 [ 0, %loop ], [ %38, %loop1 ]
  %31 = icmp sgt i32 %5, 23
  %32 = select i1 %31, i32 %i1, i32 %tid
  %33 = icmp ule i32 %i1, 59
  %34 = select i1 %33, i32 %17, i32 %17
  %35 = zext i32 %tid to i64
  %36 = getelementptr inbounds [64 x float], [64 x float] addrspace(3)* @tg_buf, i64 0, i64 53
  %v7 = load float, float addrspace(3)* %36, align 4
  %v8 = fadd half %1, %v2
  %37 = insertelement <4 x float> %7, float %20, i32 2
  %v9 = atomicrmw max i32 addrspace(1)* %0, i32 %8 monotonic
  %38 = add nuw nsw i32 %i1, 1
  %39 = icmp uge i32 %38, 2
  br i1 %39, label %exit1, label %loop1

exit1:
  %40 = icmp sle i32 %lane, 25
  %v10 = select i1 %40, i32 %8, i32 -98
  %v11 = sub nuw nsw i32 7, %2
  %v12 = extractelement <4 x float> %7, i32 1
  %41 = mul i32 -99, %8
  %42 = or i64 %3, %v4
  %43 = zext i32 %tid to i64
  %44 = getelementptr inbounds [64 x float], [64 x float] addrspace(3)* @tg_buf, i64 0, i64 45
  %45 = load float, float addrspace(3)* %44, align 4
  %46 = add nuw nsw i32 %i, 1
  %47 = icmp uge i32 %46, 15
  br i1 %47, label %exit, label %loop
}

define void @kernel2(float addrspace(1)* noundef "air-buffer-no-alias" %data, i32 addrspace(1)* noundef %counts, i32 %0, i32 %1) local_unnamed_addr #1 {
  %3 = urem i16 46, 5
  %4 = zext i32 %0 to i64
  %5 = getelementptr inbounds float, float addrspace(1)* %data, i64 %4
  store float 3.662500e+01, float addrspace(1)* %5, align 4
  %6 = urem i64 -19, 3
  %7 = or i32 %1, %1
  %v = atomicrmw max i32 addrspace(1)* %counts, i32 57 monotonic
  %v1 = atomicrmw or i32 addrspace(1)* %counts, i32 %1 monotonic
  %v2 = bitcast float 1.208750e+02 to i32
  %8 = zext i32 %0 to i64
  %9 = getelementptr inbounds float, float addrspace(1)* %data, i64 %8
  %v3 = load float, float addrspace(1)* %9, align 4
  %10 = zext i32 %0 to i64
  %11 = getelementptr inbounds float, float addrspace(1)* %data, i64 %10
  %12 = load float, float addrspace(1)* %11, align 4
  %13 = xor i32 %v1, %v2
  %14 = atomicrmw max i32 addrspace(1)* %counts, i32 %v2 monotonic
  %15 = zext i32 %0 to i64
  %16 = getelementptr inbounds float, float addrspace(1)* %data, i64 %15
  store float %v3, float addrspace(1)* %16, align 4
  %17 = icmp slt i32 -21, 5
  %v4 = select i1 %17, float %12, float -1.076250e+02
  %18 = insertelement <4 x float> undef, float -6.962500e+01, i32 0
  %v5 = sdiv exact i16 %3, 4
  %19 = zext i32 %0 to i64
  %20 = getelementptr inbounds float, float addrspace(1)* %data, i64 %19
  store float %12, float addrspace(1)* %20, align 4
  %v6 = sub i64 %6, %6
  %21 = insertelement <4 x float> %18, float %v4, i32 1
  %22 = sitofp i32 %1 to float
  %v7 = extractelement <4 x float> %18, i32 3
  %23 = icmp eq i32 %v, 5
  %24 = select i1 %23, float %v7, float %v3
  call void @air.wg.barrier(i32 2, i32 1)
  %25 = srem i32 %13, 3
  %v8 = extractelement <4 x float> %18, i32 1
  %v9 = shl nuw nsw i32 22, 6
  %26 = zext i32 %0 to i64
  %27 = getelementptr inbounds [64 x float], [64 x float] addrspace(3)* @tg_buf, i64 0, i64 37
  %28 = load float, float addrspace(3)* %27, align 4
  %v10 = fneg float %22
  %29 = zext i32 %0 to i64
  %30 = getelementptr inbounds float, float addrspace(1)* %data, i64 %29
  %v11 = load float, float addrspace(1)* %30, align 4
  %31 = fcmp nnan contract ule float -9.062500e+01, %v8
  ret void
}

define void @kernel3(float addrspace(1)* noundef "air-buffer-no-alias" %data, i32 addrspace(1)* noundef %counts, i32 %tid, i32 %lane) local_unnamed_addr #1 {
  %1 = add i32 %lane, -54
  %2 = mul nuw i64 45, -13
  call void @air.wg.barrier(i32 2, i32 1)
  %3 = urem i32 %lane, 4
  %4 = udiv exact i32 %1, 2
  call void @air.wg.barrier(i32 2, i32 1)
  %5 = icmp sle i32 -58, 31
  %6 = select i1 %5, float -1.106250e+02, float 3.812500e+01
  %7 = icmp sgt i32 %1, 54
  %8 = select i1 %7, i32 %tid, i32 %1
  %9 = insertelement <4 x float> zeroinitializer, float %6, i32 2
  %10 = fdiv float %6, %6
  %v = atomicrmw or i32 addrspace(1)* %counts, i32 %4 monotonic
  %11 = trunc i64 %2 to i32
  %12 = fptrunc float %6 to half
  call void @air.wg.barrier(i32 2, i32 1)
  %13 = zext i32 %tid to i64
  %14 = getelementptr inbounds float, float addrspace(1)* %data, i64 %13
  %v1 = load float, float addrspace(1)* %14, align 4
  %v2 = udiv exact i32 %3, 3
  %v3 = lshr i64 -57, 0
  %15 = zext i32 %tid to i64
  %16 = getelementptr inbounds float, float addrspace(1)* %data, i64 %15
  %17 = load float, float addrspace(1)* %16, align 4
  %18 = icmp sgt i32 %4, 17
  br i1 %18, label %then, label %26

then:
  %19 = icmp uge i32 %11, 57
  %20 = select i1 %19, i32 %tid, i32 %11
  %v4 = mul nuw i32 %11, %1
  %21 = extractelement <4 x float> %9, i32 3
  call void @air.wg.barrier(i32 2, i32 1)
  %22 = fadd float %17, %10
  %v5 = shl nsw i32 %v2, 7
  %v6 = sdiv exact i32 %8, 5
  call void @air.wg.barrier(i32 2, i32 1)
  %23 = atomicrmw max i32 addrspace(1)* %counts, i32 %v6 monotonic
  %24 = fptrunc float %21 to half
  %v7 = or i16 84, 58
  %25 = icmp slt i32 2, 33
  br i1 %25, label %then1, label %53

26:
  %v11 = udiv i32 53, 3
  %27 = mul nuw i16 54, -56
  call void @air.wg.barrier(i32 2, i32 1)
  %28 = atomicrmw add i32 addrspace(1)* %counts, i32 %8 monotonic
  %29 = extractelement <4 x float> %9, i32 3
  %30 = bitcast float 9.437500e+01 to i32
  %31 = extractelement <4 x float> %9, i32 1
  %32 = atomicrmw or i32 addrspace(1)* %counts, i32 -1 monotonic
  %33 = fpext half %12 to float
  %34 = fdiv nnan contract float 5.575000e+01, %17
  br label %join

join:
  %merged1 = phi float [ %17, %join1 ], [ %29, %26 ]
  %v12 = ashr i64 %2, 4
  %35 = zext i32 %tid to i64
  %36 = getelementptr inbounds float, float addrspace(1)* %data, i64 %35
  %v13 = load float, float addrspace(1)* %36, align 4
  %v14 = atomicrmw add i32 addrspace(1)* %counts, i32 -35 monotonic
  %37 = sdiv exact i32 %v2, 9
  %38 = urem i32 %11, 2
  %39 = icmp ule i32 %v14, 54
  %40 = select i1 %39, float 1.687500e+01, float %10
  %41 = icmp sle i32 %11, 35
  %42 = select i1 %41, i32 %11, i32 %11
  %43 = ashr i16 67, 1
  %44 = fsub fast half %12, %12
  %45 = trunc i64 %v3 to i32
  %46 = atomicrmw xchg i32 addrspace(1)* %counts, i32 29 monotonic
  ret void

then1:
  %47 = icmp sgt i32 -29, 36
  %48 = select i1 %47, float %22, float %17
  %49 = fpext half 0xHD69E to float
  %50 = fadd fast float %21, %22
  %51 = mul i16 %v7, %v7
  %52 = insertelement <4 x float> %9, float -9.050000e+01, i32 0
  br label %join1

53:
  %v8 = fmul float 8.162500e+01, %v1
  %54 = zext i32 %tid to i64
  %55 = getelementptr inbounds float, float addrspace(1)* %data, i64 %54
  store float %17, float addrspace(1)* %55, align 4
  %56 = zext i32 %tid to i64
  %57 = getelementptr inbounds [64 x float], [64 x float] addrspace(3)* @tg_buf, i64 0, i64 35
  %58 = load float, float addrspace(3)* %57, align 4
  %59 = icmp sle i32 %v6, 31
  %60 = select i1 %59, i32 79, i32 %4
  %61 = xor i32 %v6, %8
  br label %join1

join1:
  %merged = phi i32 [ %v6, %then1 ], [ %20, %53 ]
  %v9 = atomicrmw or i32 addrspace(1)* %counts, i32 15 monotonic
  call void @air.wg.barrier(i32 2, i32 1)
  %62 = icmp ult i32 %v4, 29
  %v10 = select i1 %62, float %v1, float %10
  %63 = insertelement <4 x float> %9, float %10, i32 2
  %64 = sub nsw i32 %1, %8
  %65 = sdiv i16 %v7, 8
  br label %join
}

attributes #0 = { convergent nounwind }
attributes #1 = { convergent mustprogress nounwind "frame-pointer"="none" "no-builtins" }

!air.kernel = !{!0, !7, !14, !21}
!llvm.module.flags = !{!28, !29, !30}
!air.version = !{!31}
!llvm.ident = !{!32}

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
!21 = !{void (float addrspace(1)*, i32 addrspace(1)*, i32, i32)* @kernel3, !22, !23}
!22 = !{}
!23 = !{!24, !25, !26, !27}
!24 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read_write", !"air.arg_type_name", !"float"}
!25 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read_write", !"air.arg_type_name", !"uint"}
!26 = !{i32 2, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint"}
!27 = !{i32 3, !"air.thread_index_in_simdgroup", !"air.arg_type_name", !"uint"}
!28 = !{i32 1, !"wchar_size", i32 4}
!29 = !{i32 7, !"air.max_device_buffers", i32 31}
!30 = !{i32 7, !"air.max_threadgroup_buffers", i32 31}
!31 = !{i32 2, i32 8, i32 0}
!32 = !{!"airlink testgen"}
