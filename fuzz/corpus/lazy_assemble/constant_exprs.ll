; ModuleID = 'constant_exprs'
;
; airlink test corpus: constant_exprs.ll
; Written by the airlink project for its own tests (hand-written; AIR module
; conventions from docs/air-conventions.md#module-skeleton).
;
; What it covers: constants and constant expressions, in global initializers
; and as instruction operands.
;   * program-scope `constant` data in address space 2 (MSL `constant`):
;     arrays, literal structs, named structs, packed structs (named and
;     literal), a recursive named struct, vectors, c"..." strings with escapes,
;     zeroinitializer, undef, poison, null
;   * float formats: half (0xH), bfloat (0xR), float written in the
;     double-width 0x form, double; -0.0, +/-inf, quiet and signalling NaNs
;     with payloads, the smallest float denormal, FLT_MAX, 1.5 decimal
;   * odd integer widths: i1, i7, i33, i128 (large values, u0x/s0x hex forms)
;   * constant expressions: getelementptr [inbounds] (array, struct, vector
;     index, null-based "sizeof", inrange), bitcast, addrspacecast, ptrtoint,
;     inttoptr, trunc/zext/sext/fptrunc/fpext/fptoui/fptosi/uitofp/sitofp,
;     add/sub/mul/shl/lshr/ashr/and/or/xor/udiv/sdiv/urem/srem with
;     nuw/nsw/exact, fadd/fsub/fmul/fdiv/frem/fneg, icmp, fcmp, select
;   * the same kinds of constant expressions used as instruction operands in
;     the kernel body
;
; Parser notes found while writing this file (llvm-as-14):
;   * the parser FOLDS some constant expressions at parse time: icmp of a
;     global against null, extractelement/insertelement/shufflevector/
;     extractvalue of constant aggregates, casts of plain literals
;     (fptrunc (double 1.5 to float) becomes float 1.5). The expressions kept
;     here use ptrtoint of globals so they survive a round trip.
;   * bitcast (getelementptr inbounds (T, T* @g, 0, 0) to U*) is folded to
;     bitcast (T* @g to U*) (see %is.lut in the kernel), while a bare
;     all-zero GEP stays as written.
;   * addrspacecast that also changes the pointee type is rewritten by
;     llvm-as-14 into addrspacecast (bitcast ...) (the initializer of
;     @lut.generic is printed back that way by llvm-dis-14).
;   * integer literals wrap silently modulo 2^N (i7 127 prints as i7 -1,
;     i8 256 as i8 0); the printer shows the signed value.
;   * a decimal float literal must be exactly representable in its type
;     (float 0.1 is an error, double 0.1 is fine); `1e10` without a dot is
;     lexed as an integer and rejected for float types. 0x hex constants are
;     always the double bit pattern for half/bfloat/float unless 0xH/0xR.
;
; Check: llvm-as-14 constant_exprs.ll -o /dev/null
;        opt-14 -mtriple=x86_64-apple-macosx -verify -disable-output constant_exprs.ll

source_filename = "constant_exprs"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

; ---------------------------------------------------------------- types
%struct.Params = type { float, i32, <4 x float>, [2 x i16] }
%struct.Packed = type <{ i8, i32, i16 }>
%struct.Node = type { %struct.Node addrspace(2)*, i32 }
%struct.Empty = type {}
%struct.Table = type { [4 x i8 addrspace(2)*] }

; ---------------------------------------------------------------- aggregates
; Lookup table: plain float decimal constants that are exact in binary.
@lut = addrspace(2) constant [8 x float] [float 0.000000e+00, float 1.000000e+00, float 2.500000e-01, float -1.500000e+00, float 1.024000e+03, float 0x3FB99999A0000000, float 6.553600e+04, float -0.000000e+00], align 4

; Named struct with a nested vector and array.
@params = addrspace(2) constant %struct.Params { float 2.500000e+00, i32 7, <4 x float> <float 1.000000e+00, float 2.000000e+00, float 3.000000e+00, float 4.000000e+00>, [2 x i16] [i16 1, i16 -1] }, align 16

; Named packed struct (no padding) and literal packed struct.
@packed = addrspace(2) constant %struct.Packed <{ i8 -1, i32 305419896, i16 4660 }>, align 1
@literal.packed = addrspace(2) constant <{ i8, i64, half }> <{ i8 1, i64 -1, half 0xH3C00 }>, align 1

; Literal (unnamed) struct, nested, with an empty array and an empty struct.
@literal = addrspace(2) constant { i32, { float, double }, [0 x i8], %struct.Empty } { i32 -2147483648, { float, double } { float 5.000000e-01, double 1.000000e-01 }, [0 x i8] zeroinitializer, %struct.Empty zeroinitializer }, align 8

; Recursive named struct pointing at itself.
@node = addrspace(2) constant %struct.Node { %struct.Node addrspace(2)* @node, i32 1 }, align 8

; Vectors, including an i1 vector and an odd-width vector.
@vec.i32 = addrspace(2) constant <4 x i32> <i32 1, i32 -2, i32 3, i32 -4>, align 16
@vec.i1 = addrspace(2) constant <8 x i1> <i1 true, i1 false, i1 true, i1 true, i1 false, i1 false, i1 false, i1 true>, align 1
@vec.i7 = addrspace(2) constant <3 x i7> <i7 -64, i7 63, i7 0>, align 4

; Strings with escapes: \22 is '"', \0A newline, \5C backslash, \FF a high byte.
@str.hello = private unnamed_addr addrspace(2) constant [14 x i8] c"hello, \22AIR\22\0A\00", align 1
@str.bytes = private unnamed_addr addrspace(2) constant [7 x i8] c"\FF\80abc\5C\00", align 1
@str.empty = private unnamed_addr addrspace(2) constant [1 x i8] zeroinitializer, align 1

; zeroinitializer / undef / poison / null.
@zeros = addrspace(2) constant [16 x i32] zeroinitializer, align 4
@zero.struct = addrspace(2) constant %struct.Params zeroinitializer, align 16
@undefs = addrspace(2) constant [4 x float] undef, align 4
@poisons = addrspace(2) constant <2 x i32> poison, align 8
@mixed = addrspace(2) constant [3 x float] [float undef, float poison, float 1.000000e+00], align 4
@null.dev = addrspace(2) constant float addrspace(1)* null, align 8
@null.tg = addrspace(2) constant [2 x i8 addrspace(3)*] [i8 addrspace(3)* null, i8 addrspace(3)* undef], align 8

; ---------------------------------------------------------------- floats
; half: 1.0, +inf, quiet NaN, NaN with payload, -0.0, largest finite.
@halfs = addrspace(2) constant [6 x half] [half 0xH3C00, half 0xH7C00, half 0xH7E00, half 0xH7C01, half 0xH8000, half 0xH7BFF], align 2
; half written as a decimal (1.5 is exact) and in double-width hex (1.0).
@half.dec = addrspace(2) constant [2 x half] [half 1.500000e+00, half 0x3FF0000000000000], align 2
; bfloat: 1.0, quiet NaN, -inf, NaN with payload.
@bfloats = addrspace(2) constant [4 x bfloat] [bfloat 0xR3F80, bfloat 0xR7FC0, bfloat 0xRFF80, bfloat 0xR7FC1], align 2
; float in double-width hex: -0.0, qNaN, qNaN payload 1 (0x7FC00001),
; sNaN payload 1 (0x7F800001), -inf, smallest denormal (0x00000001),
; FLT_MAX (0x7F7FFFFF), and -qNaN.
@floats = addrspace(2) constant [8 x float] [float -0.000000e+00, float 0x7FF8000000000000, float 0x7FF8000020000000, float 0x7FF0000020000000, float 0xFFF0000000000000, float 0x36A0000000000000, float 0x47EFFFFFE0000000, float 0xFFF8000000000000], align 4
; double: -0.0, sNaN with low payload bit, DBL_MAX, a tiny decimal, 0.1.
@doubles = addrspace(2) constant [5 x double] [double -0.000000e+00, double 0x7FF4000000000001, double 0x7FEFFFFFFFFFFFFF, double 1.000000e-300, double 1.000000e-01], align 8

; ---------------------------------------------------------------- integers
; i1, i7, i33 (2^33 - 1, printed back as -1), i128 max, i128 via u0x hex,
; i128 min via s0x hex, i64 min.
@ints = addrspace(2) constant { i1, i7, i33, i128, i128, i128, i64 } { i1 true, i7 -64, i33 8589934591, i128 170141183460469231731687303715884105727, i128 u0xDEADBEEFCAFEBABE0123456789ABCDEF, i128 s0x80000000000000000000000000000000, i64 -9223372036854775808 }, align 16

; ---------------------------------------------------------------- constant expressions in initializers
; getelementptr inbounds into an array, into a struct field, struct field then array.
@lut.elem2 = addrspace(2) constant float addrspace(2)* getelementptr inbounds ([8 x float], [8 x float] addrspace(2)* @lut, i64 0, i64 2), align 8
@params.vec = addrspace(2) constant <4 x float> addrspace(2)* getelementptr inbounds (%struct.Params, %struct.Params addrspace(2)* @params, i64 0, i32 2), align 8
@params.short1 = addrspace(2) constant i16 addrspace(2)* getelementptr (%struct.Params, %struct.Params addrspace(2)* @params, i32 0, i32 3, i64 1), align 8
; GEP with a vector index over a scalar base: a vector of pointers.
@lut.pair = addrspace(2) constant <2 x float addrspace(2)*> getelementptr (float, float addrspace(2)* getelementptr inbounds ([8 x float], [8 x float] addrspace(2)* @lut, i64 0, i64 0), <2 x i64> <i64 1, i64 3>), align 16
; GEP with inrange (vtable-style).
@table = addrspace(2) constant %struct.Table { [4 x i8 addrspace(2)*] [i8 addrspace(2)* bitcast ([8 x float] addrspace(2)* @lut to i8 addrspace(2)*), i8 addrspace(2)* getelementptr inbounds ([14 x i8], [14 x i8] addrspace(2)* @str.hello, i64 0, i64 0), i8 addrspace(2)* null, i8 addrspace(2)* undef] }, align 8
@table.slot2 = addrspace(2) constant i8 addrspace(2)* addrspace(2)* getelementptr inbounds (%struct.Table, %struct.Table addrspace(2)* @table, i64 0, inrange i32 0, i64 2), align 8

; bitcast, addrspacecast (2 -> 0, and 2 -> 0 with a pointee change), ptrtoint, inttoptr.
@lut.bytes = addrspace(2) constant i8 addrspace(2)* bitcast ([8 x float] addrspace(2)* @lut to i8 addrspace(2)*), align 8
@lut.generic.same = addrspace(2) constant i8* addrspacecast (i8 addrspace(2)* bitcast ([8 x float] addrspace(2)* @lut to i8 addrspace(2)*) to i8*), align 8
@lut.generic = addrspace(2) constant i8* addrspacecast ([8 x float] addrspace(2)* @lut to i8*), align 8
@lut.addr = addrspace(2) constant i64 ptrtoint ([8 x float] addrspace(2)* @lut to i64), align 8
@fixed.ptr = addrspace(2) constant i32 addrspace(1)* inttoptr (i64 4096 to i32 addrspace(1)*), align 8
@self = addrspace(2) constant i8 addrspace(2)* bitcast (i8 addrspace(2)* addrspace(2)* @self to i8 addrspace(2)*), align 8

; "sizeof" idiom: ptrtoint (gep T, T* null, 1).
@params.size = addrspace(2) constant i64 ptrtoint (%struct.Params addrspace(2)* getelementptr (%struct.Params, %struct.Params addrspace(2)* null, i32 1) to i64), align 8

; Integer arithmetic constant expressions (all still accepted by LLVM 14).
@int.exprs = addrspace(2) constant [13 x i64] [
  i64 add (i64 ptrtoint ([8 x float] addrspace(2)* @lut to i64), i64 16),
  i64 sub (i64 ptrtoint (float addrspace(2)* getelementptr inbounds ([8 x float], [8 x float] addrspace(2)* @lut, i64 0, i64 4) to i64), i64 ptrtoint ([8 x float] addrspace(2)* @lut to i64)),
  i64 mul nuw nsw (i64 ptrtoint ([8 x float] addrspace(2)* @lut to i64), i64 3),
  i64 shl nuw (i64 ptrtoint ([8 x float] addrspace(2)* @lut to i64), i64 2),
  i64 lshr exact (i64 ptrtoint ([8 x float] addrspace(2)* @lut to i64), i64 2),
  i64 ashr (i64 ptrtoint ([8 x float] addrspace(2)* @lut to i64), i64 1),
  i64 and (i64 ptrtoint ([8 x float] addrspace(2)* @lut to i64), i64 -16),
  i64 or (i64 ptrtoint ([8 x float] addrspace(2)* @lut to i64), i64 1),
  i64 xor (i64 ptrtoint ([8 x float] addrspace(2)* @lut to i64), i64 -1),
  i64 udiv exact (i64 ptrtoint ([8 x float] addrspace(2)* @lut to i64), i64 4),
  i64 sdiv (i64 ptrtoint ([8 x float] addrspace(2)* @lut to i64), i64 -3),
  i64 urem (i64 ptrtoint ([8 x float] addrspace(2)* @lut to i64), i64 64),
  i64 srem (i64 ptrtoint ([8 x float] addrspace(2)* @lut to i64), i64 7)
], align 8

; Integer casts of a pointer-derived value.
@int.casts = addrspace(2) constant { i32, i128, i128 } { i32 trunc (i64 ptrtoint ([8 x float] addrspace(2)* @lut to i64) to i32), i128 zext (i64 ptrtoint ([8 x float] addrspace(2)* @lut to i64) to i128), i128 sext (i64 ptrtoint ([8 x float] addrspace(2)* @lut to i64) to i128) }, align 16

; Floating-point constant expressions over a value the parser cannot fold.
@fp.exprs = addrspace(2) constant [8 x float] [
  float fadd (float bitcast (i32 ptrtoint ([8 x float] addrspace(2)* @lut to i32) to float), float 1.000000e+00),
  float fsub (float bitcast (i32 ptrtoint ([8 x float] addrspace(2)* @lut to i32) to float), float 2.000000e+00),
  float fmul (float bitcast (i32 ptrtoint ([8 x float] addrspace(2)* @lut to i32) to float), float 4.000000e+00),
  float fdiv (float bitcast (i32 ptrtoint ([8 x float] addrspace(2)* @lut to i32) to float), float 8.000000e+00),
  float frem (float bitcast (i32 ptrtoint ([8 x float] addrspace(2)* @lut to i32) to float), float 3.000000e+00),
  float fneg (float bitcast (i32 ptrtoint ([8 x float] addrspace(2)* @lut to i32) to float)),
  float uitofp (i32 ptrtoint ([8 x float] addrspace(2)* @lut to i32) to float),
  float sitofp (i32 ptrtoint ([8 x float] addrspace(2)* @lut to i32) to float)
], align 4
@fp.casts = addrspace(2) constant { half, double, i32, i32 } { half fptrunc (float bitcast (i32 ptrtoint ([8 x float] addrspace(2)* @lut to i32) to float) to half), double fpext (float bitcast (i32 ptrtoint ([8 x float] addrspace(2)* @lut to i32) to float) to double), i32 fptoui (float bitcast (i32 ptrtoint ([8 x float] addrspace(2)* @lut to i32) to float) to i32), i32 fptosi (float bitcast (i32 ptrtoint ([8 x float] addrspace(2)* @lut to i32) to float) to i32) }, align 8

; Comparisons and select (comparing two distinct globals is not folded).
@cmp.ptr = addrspace(2) constant i1 icmp ult (i8 addrspace(2)* bitcast ([8 x float] addrspace(2)* @lut to i8 addrspace(2)*), i8 addrspace(2)* bitcast (%struct.Params addrspace(2)* @params to i8 addrspace(2)*)), align 1
@cmp.fp = addrspace(2) constant i1 fcmp olt (float bitcast (i32 ptrtoint ([8 x float] addrspace(2)* @lut to i32) to float), float 1.000000e+00), align 1
@sel = addrspace(2) constant i64 select (i1 icmp ult (i8 addrspace(2)* bitcast ([8 x float] addrspace(2)* @lut to i8 addrspace(2)*), i8 addrspace(2)* bitcast (%struct.Params addrspace(2)* @params to i8 addrspace(2)*)), i64 1, i64 2), align 8
; A vector constant whose element is a constant expression, and a vector bitcast.
@vec.mixed = addrspace(2) constant <2 x i64> <i64 ptrtoint ([8 x float] addrspace(2)* @lut to i64), i64 -1>, align 16
@vec.cast = addrspace(2) constant <2 x float> bitcast (i64 ptrtoint (%struct.Params addrspace(2)* @params to i64) to <2 x float>), align 8

; ---------------------------------------------------------------- kernel
define void @constant_exprs_kernel(float addrspace(1)* nocapture noundef writeonly "air-buffer-no-alias" %out, i64 addrspace(1)* nocapture noundef writeonly "air-buffer-no-alias" %out64, i32 noundef %tid) local_unnamed_addr #0 {
entry:
  %gid = zext i32 %tid to i64
  %idx = and i64 %gid, 7
  ; GEP constant expression as the base pointer operand.
  %lut.p = getelementptr inbounds float, float addrspace(2)* getelementptr inbounds ([8 x float], [8 x float] addrspace(2)* @lut, i64 0, i64 0), i64 %idx
  %l = load float, float addrspace(2)* %lut.p, align 4
  ; Load directly through a struct-field GEP constant expression.
  %v = load <4 x float>, <4 x float> addrspace(2)* getelementptr inbounds (%struct.Params, %struct.Params addrspace(2)* @params, i64 0, i32 2), align 16
  %v0 = extractelement <4 x float> %v, i64 0
  %scale = load float, float addrspace(2)* getelementptr inbounds (%struct.Params, %struct.Params addrspace(2)* @params, i64 0, i32 0), align 16
  %m = fmul float %l, %scale
  %r = fadd float %m, %v0
  ; Constant-expression operands of arithmetic and compare.
  %addr = add i64 %gid, ptrtoint ([8 x float] addrspace(2)* @lut to i64)
  %is.lut = icmp eq i8 addrspace(2)* bitcast (float addrspace(2)* getelementptr inbounds ([8 x float], [8 x float] addrspace(2)* @lut, i64 0, i64 0) to i8 addrspace(2)*), bitcast ([8 x float] addrspace(2)* @lut to i8 addrspace(2)*)
  %pick = select i1 %is.lut, i64 %addr, i64 ptrtoint (%struct.Params addrspace(2)* getelementptr (%struct.Params, %struct.Params addrspace(2)* null, i32 1) to i64)
  ; Poison and undef as operands.
  %vec.0 = insertelement <2 x float> poison, float %r, i64 0
  %vec.1 = insertelement <2 x float> %vec.0, float undef, i64 1
  %sum.v = fadd <2 x float> %vec.1, <float 0x7FF8000000000000, float -0.000000e+00>
  %res = extractelement <2 x float> %sum.v, i64 0
  %out.p = getelementptr inbounds float, float addrspace(1)* %out, i64 %gid
  store float %res, float addrspace(1)* %out.p, align 4
  %out64.p = getelementptr inbounds i64, i64 addrspace(1)* %out64, i64 %gid
  store i64 %pick, i64 addrspace(1)* %out64.p, align 8
  ; Store a constant expression directly.
  %out64.p1 = getelementptr inbounds i64, i64 addrspace(1)* %out64.p, i64 1
  store i64 sub (i64 ptrtoint (float addrspace(2)* getelementptr inbounds ([8 x float], [8 x float] addrspace(2)* @lut, i64 0, i64 4) to i64), i64 ptrtoint ([8 x float] addrspace(2)* @lut to i64)), i64 addrspace(1)* %out64.p1, align 8
  ret void
}

attributes #0 = { mustprogress nofree norecurse nosync nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }

!air.kernel = !{!0}
!llvm.module.flags = !{!6, !7, !8, !9, !10, !11, !12}
!air.compile_options = !{!13, !14, !15}
!llvm.ident = !{!16}
!air.version = !{!17}
!air.language_version = !{!18}
!air.source_file_name = !{!19}

!0 = !{void (float addrspace(1)*, i64 addrspace(1)*, i32)* @constant_exprs_kernel, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"out"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 8, !"air.arg_type_align_size", i32 8, !"air.arg_type_name", !"ulong", !"air.arg_name", !"out64"}
!5 = !{i32 2, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid"}
!6 = !{i32 1, !"wchar_size", i32 4}
!7 = !{i32 7, !"air.max_device_buffers", i32 31}
!8 = !{i32 7, !"air.max_constant_buffers", i32 31}
!9 = !{i32 7, !"air.max_threadgroup_buffers", i32 31}
!10 = !{i32 7, !"air.max_textures", i32 128}
!11 = !{i32 7, !"air.max_read_write_textures", i32 8}
!12 = !{i32 7, !"air.max_samplers", i32 16}
!13 = !{!"air.compile.denorms_disable"}
!14 = !{!"air.compile.fast_math_disable"}
!15 = !{!"air.compile.framebuffer_fetch_enable"}
!16 = !{!"airlink test corpus (hand-written)"}
!17 = !{i32 2, i32 8, i32 0}
!18 = !{!"Metal", i32 4, i32 0, i32 0}
!19 = !{!"constant_exprs.ll"}
