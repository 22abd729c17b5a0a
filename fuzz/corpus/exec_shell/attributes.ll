; ModuleID = 'attributes'
;
; airlink test corpus: attributes.ll
; Written by the airlink project for its own tests (hand-written; AIR module
; conventions from docs/air-conventions.md).
;
; What it covers: attributes, linkage, visibility and other global/function
; properties, in LLVM 14 text syntax.
;   * parameter attributes: noundef nocapture readonly writeonly nonnull
;     dereferenceable(N) dereferenceable_or_null(N) align N noalias zeroext
;     signext inreg byval(T) sret(T) returned nofree immarg (intrinsics only)
;     and the AIR string attribute "air-buffer-no-alias"
;   * return attributes: noundef noalias nonnull align dereferenceable
;     zeroext signext
;   * function attributes: a long list of enum attributes, alignstack(N),
;     allocsize(N), vscale_range(N,M), and string attributes with and without
;     values ("key"="value", "flag", "empty"="")
;   * attribute groups defined out of order (#7 then #3 then #0 ...), with gaps
;     in the numbering, several groups plus inline attributes on one function,
;     groups referenced in non-increasing order
;   * call-site attributes (nobuiltin / builtin / strictfp groups, parameter
;     attributes at the call)
;   * linkage: private internal external available_externally linkonce
;     linkonce_odr weak weak_odr common extern_weak appending (@llvm.used,
;     @llvm.compiler.used); visibility hidden / protected; dso_local;
;     unnamed_addr / local_unnamed_addr; section and align on functions and
;     globals; externally_initialized; thread_local (parser coverage only)
;   * calling conventions: fastcc on an internal function (call sites match),
;     coldcc, cc 10 declaration
;   * a varargs declaration called with extra arguments
;   * metadata-typed call arguments (llvm.experimental.constrained.fadd with
;     metadata !"round.dynamic", metadata !"fpexcept.strict", strictfp)
;   * a metadata attachment on a declaration
;
; llvm-as-14 notes found while writing this file:
;   * byval / sret / inalloca / preallocated WITHOUT a type argument are
;     rejected ("expected '('"); LLVM 14 text needs byval(T), sret(T) ...
;   * the type inside sret(T) is not checked against the pointee type
;   * elementtype(T) is only allowed on intrinsic call sites; immarg only on
;     intrinsic declarations (both verifier errors, not parse errors)
;   * newer syntax is rejected: uwtable(sync), memory(...), captures(...)
;   * "symbol with local linkage must have default visibility" (internal +
;     hidden is a parse error)
;   * `common` needs a zero initializer and a non-constant global (verifier);
;     `appending` needs an array type (verifier); `available_externally` is
;     rejected on a declaration (parse error: needs a definition)
;   * llvm-dis-14 merges every group and inline attribute of a function into
;     one new group, numbers groups by first use, and for intrinsic
;     declarations substitutes LLVM's own attribute set
;   * duplicate string keys in a group keep the last value ("a" "a"="b" -> "a"="b")
;   * a string attribute with an empty value ("airlink.empty"="") is printed
;     back WITHOUT a value ("airlink.empty"): the two spellings are the same
;   * alignstack(16) is printed as `alignstack=16` inside an attribute group
;     (but as alignstack(16) when written inline on a function)
;   * `cc 10` is printed back as `ghccc`; `dso_local` on a private function is
;     dropped (implied)
;   * AutoUpgrade: a call-site `strictfp` inside a function that is NOT
;     strictfp is rewritten to `nobuiltin` (the call to @strict_add in the
;     kernel comes back with a { nobuiltin } group)
;
; Check: llvm-as-14 attributes.ll -o /dev/null
;        opt-14 -mtriple=x86_64-apple-macosx -verify -disable-output attributes.ll

source_filename = "attributes"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

%struct.Params = type { <4 x float>, i32, i32 }

; ------------------------------------------------------------ globals: linkage, visibility, section, align
@lut = internal addrspace(2) constant [4 x float] [float 1.000000e+00, float 2.000000e+00, float 4.000000e+00, float 8.000000e+00], align 16
@tag = private unnamed_addr addrspace(2) constant [4 x i8] c"air\00", align 1
@ext.const = external addrspace(2) constant i32, align 4
@odr.const = weak_odr addrspace(2) constant i32 3, align 4
@lo.odr.const = linkonce_odr hidden local_unnamed_addr addrspace(2) constant i32 4, align 4
@avail.const = available_externally addrspace(2) constant i32 42, align 4
@sect.const = internal addrspace(2) constant i32 5, section "air.custom", align 16
@lo.var = linkonce global i32 1, align 4
@weak.var = weak protected global i32 2, align 8
@common.var = common global i32 0, align 4
@dso.var = dso_local global i64 0, align 8
@ext.weak.var = extern_weak global i32, align 4
@ext.init = externally_initialized global i32 0, align 4
; Parser coverage only: AIR has no thread-local storage.
@tls.var = internal thread_local(initialexec) global i32 0, align 4

; appending linkage is only meaningful for these special arrays.
@llvm.used = appending global [2 x i8*] [i8* bitcast (i32* @weak.var to i8*), i8* addrspacecast (i8 addrspace(2)* bitcast (i32 addrspace(2)* @sect.const to i8 addrspace(2)*) to i8*)], section "llvm.metadata"
@llvm.compiler.used = appending global [1 x i8*] [i8* bitcast (float (float)* @fast_helper to i8*)], section "llvm.metadata"


; ------------------------------------------------------------ attribute groups, out of order, with gaps
attributes #7 = { cold minsize noinline nounwind optsize "airlink.kind"="cold-path" }
attributes #3 = { alwaysinline mustprogress nofree norecurse nosync nounwind readnone willreturn "no-builtins" }
attributes #0 = { convergent mustprogress nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #12 = { nobuiltin nounwind "no-builtins" }

; ------------------------------------------------------------ definitions
; fastcc internal helper, unnamed_addr, explicit function alignment.
define internal fastcc float @fast_helper(float noundef %x) unnamed_addr #3 align 16 {
entry:
  %r = fmul fast float %x, 2.000000e+00
  ret float %r
}

; linkonce_odr hidden, with a section and alignment.
define linkonce_odr hidden noundef float @lo_helper(float noundef %x) local_unnamed_addr #3 section "__TEXT,__air_text" align 8 {
entry:
  %r = fadd float %x, 1.000000e+00
  ret float %r
}

; weak_odr protected; `returned` parameter; inreg.
define weak_odr protected noundef nonnull i8 addrspace(1)* @passthrough(i8 addrspace(1)* noundef nonnull returned %p, i32 inreg %unused) #5 {
entry:
  ret i8 addrspace(1)* %p
}

; weak linkage; zeroext/signext on parameters and return.
define weak signext i8 @narrow_signed(i8 signext %a, i1 zeroext %b) #5 {
entry:
  %bz = zext i1 %b to i8
  %r = add i8 %a, %bz
  ret i8 %r
}

; private linkage, dso_local.
define private dso_local zeroext i16 @narrow_unsigned(i32 noundef %x) #5 {
entry:
  %t = trunc i32 %x to i16
  ret i16 %t
}

; available_externally needs a body.
define available_externally i32 @avail_fn(i32 %x) #5 {
entry:
  %r = mul i32 %x, 3
  ret i32 %r
}

; sret(T) first, byval(T) second, with alignments.
define internal void @params_copy(%struct.Params* noalias nocapture noundef writeonly sret(%struct.Params) align 16 %out, %struct.Params* nocapture noundef readonly byval(%struct.Params) align 16 %in) #5 {
entry:
  %v = load %struct.Params, %struct.Params* %in, align 16
  store %struct.Params %v, %struct.Params* %out, align 16
  ret void
}

; pointer parameter attributes; noalias/align/dereferenceable return.
define internal noalias align 4 dereferenceable(16) float* @pick(float* noalias nocapture nofree noundef readonly align 4 dereferenceable(16) %a, float* noundef dereferenceable_or_null(16) %b, float* nocapture noundef writeonly %c) #5 {
entry:
  %v = load float, float* %a, align 4
  store float %v, float* %c, align 4
  %nn = icmp ne float* %b, null
  %r = select i1 %nn, float* %b, float* %a
  ret float* %r
}

; cold function: several groups plus inline attributes on one definition,
; referenced in non-increasing order (#7 before #5).
define internal void @cold_path(i32 addrspace(1)* nocapture noundef writeonly %flag) #7 #5 alignstack(16) {
entry:
  store i32 1, i32 addrspace(1)* %flag, align 4
  ret void
}

; strictfp function using constrained FP with metadata-typed arguments.
define internal float @strict_add(float noundef %a, float noundef %b) #9 {
entry:
  %r = call float @llvm.experimental.constrained.fadd.f32(float %a, float %b, metadata !"round.dynamic", metadata !"fpexcept.strict") #9
  ret float %r
}

; ------------------------------------------------------------ kernel
define void @attributes_kernel(float addrspace(1)* nocapture noundef readonly "air-buffer-no-alias" %in, float addrspace(1)* nocapture noundef writeonly "air-buffer-no-alias" %out, i32 addrspace(1)* nocapture noundef writeonly "air-buffer-no-alias" %flag, i32 noundef %tid) local_unnamed_addr #0 {
entry:
  %gid = zext i32 %tid to i64
  %in.p = getelementptr inbounds float, float addrspace(1)* %in, i64 %gid
  %x = load float, float addrspace(1)* %in.p, align 4
  %a = call fastcc float @fast_helper(float noundef %x) #3
  %b = call noundef float @lo_helper(float noundef %a) #12
  %c = call float @strict_add(float %a, float %b) #9
  %lut.p = getelementptr inbounds [4 x float], [4 x float] addrspace(2)* @lut, i64 0, i64 1
  %l = load float, float addrspace(2)* %lut.p, align 4
  %big = fcmp ogt float %c, %l
  br i1 %big, label %cold, label %hot

cold:                                             ; preds = %entry
  call void @cold_path(i32 addrspace(1)* nocapture noundef writeonly %flag) #7
  %na = call i32 (i8 addrspace(2)*, ...) @log_message(i8 addrspace(2)* noundef getelementptr inbounds ([4 x i8], [4 x i8] addrspace(2)* @tag, i64 0, i64 0), i32 %tid, float %c)
  call void @optional_hook(i32 %tid)
  br label %hot

hot:                                              ; preds = %cold, %entry
  %out.i8 = bitcast float addrspace(1)* %out to i8 addrspace(1)*
  %p = call nonnull i8 addrspace(1)* @passthrough(i8 addrspace(1)* noundef nonnull %out.i8, i32 inreg 0)
  %p.nonnull = icmp ne i8 addrspace(1)* %p, null
  call void @llvm.assume(i1 %p.nonnull)
  %s8 = call signext i8 @narrow_signed(i8 signext 3, i1 zeroext true)
  %u16 = call zeroext i16 @narrow_unsigned(i32 noundef %tid)
  %s8.f = sitofp i8 %s8 to float
  %u16.f = uitofp i16 %u16 to float
  %r.0 = fadd float %c, %s8.f
  %r = fadd float %r.0, %u16.f
  %out.p = getelementptr inbounds float, float addrspace(1)* %out, i64 %gid
  store float %r, float addrspace(1)* %out.p, align 4
  %out.row = bitcast float addrspace(1)* %out.p to i8 addrspace(1)*
  call void @llvm.memset.p1i8.i64(i8 addrspace(1)* align 4 %out.row, i8 0, i64 0, i1 false)
  call void @annotated() #12
  ret void
}

; ------------------------------------------------------------ declarations
; varargs declaration (parser coverage; MSL has no varargs)
declare i32 @log_message(i8 addrspace(2)* nocapture noundef readonly, ...) local_unnamed_addr #5

; extern_weak function declaration
declare extern_weak void @optional_hook(i32)

; metadata attachment on a declaration
declare !airlink.note !20 void @annotated() local_unnamed_addr

; other calling conventions on declarations
declare coldcc void @cold_cc_decl(i32)

declare cc 10 void @numbered_cc_decl()

; declarations carrying many function attributes
declare void @inacc(i32*) #14

declare noalias i8* @alloc_like(i64) #15

declare void @never_returns() #16

; intrinsics: immarg is only legal here
declare void @llvm.memset.p1i8.i64(i8 addrspace(1)* nocapture writeonly, i8, i64, i1 immarg) #17

declare float @llvm.experimental.constrained.fadd.f32(float, float, metadata, metadata) #17

declare void @llvm.assume(i1 noundef) #17

attributes #5 = { mustprogress nofree norecurse nosync nounwind willreturn "airlink.flag" "airlink.empty"="" "frame-pointer"="none" }
attributes #9 = { strictfp }
attributes #14 = { inaccessiblememonly nocallback nofree nounwind }
attributes #15 = { allocsize(0) nounwind speculatable "key"="value" }
attributes #16 = { noreturn nounwind noduplicate nomerge vscale_range(1,16) null_pointer_is_valid optnone noinline uwtable hot }
attributes #17 = { nofree nounwind willreturn }

!air.kernel = !{!0}
!llvm.module.flags = !{!7, !8, !9, !10, !11, !12, !13}
!air.compile_options = !{!14, !15, !16}
!llvm.ident = !{!17}
!air.version = !{!18}
!air.language_version = !{!19}
!air.source_file_name = !{!21}

!0 = !{void (float addrspace(1)*, float addrspace(1)*, i32 addrspace(1)*, i32)* @attributes_kernel, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"in"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"out"}
!5 = !{i32 2, !"air.buffer", !"air.location_index", i32 2, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"uint", !"air.arg_name", !"flag"}
!6 = !{i32 3, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid"}
!7 = !{i32 1, !"wchar_size", i32 4}
!8 = !{i32 7, !"air.max_device_buffers", i32 31}
!9 = !{i32 7, !"air.max_constant_buffers", i32 31}
!10 = !{i32 7, !"air.max_threadgroup_buffers", i32 31}
!11 = !{i32 7, !"air.max_textures", i32 128}
!12 = !{i32 7, !"air.max_read_write_textures", i32 8}
!13 = !{i32 7, !"air.max_samplers", i32 16}
!14 = !{!"air.compile.denorms_disable"}
!15 = !{!"air.compile.fast_math_enable"}
!16 = !{!"air.compile.framebuffer_fetch_enable"}
!17 = !{!"airlink test corpus (hand-written)"}
!18 = !{i32 2, i32 8, i32 0}
!19 = !{!"Metal", i32 4, i32 0, i32 0}
!20 = distinct !{!"airlink.note: declaration attachment"}
!21 = !{!"attributes.ll"}
