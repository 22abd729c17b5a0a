; `zeroinitializer` of a scalar type is LLVM's null value of the type:
; llvm-dis-14 prints `i32 0`, `float 0.000000e+00` and `null` for it
; (the expected file is what llvm-as-14 | llvm-dis-14 prints, less its
; ModuleID line).
source_filename = "zero_values.ll"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

@i = addrspace(2) constant i32 zeroinitializer
@f = addrspace(2) constant float zeroinitializer
@h = addrspace(2) constant half zeroinitializer
@p = addrspace(2) constant i8 addrspace(1)* zeroinitializer
@a = addrspace(2) constant [2 x i32] zeroinitializer
@s = addrspace(2) constant { i32, [2 x float] } { i32 zeroinitializer, [2 x float] [float zeroinitializer, float 1.0] }
