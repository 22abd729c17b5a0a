; ModuleID = 'switch_atomics'
;
; airlink test corpus: switch_atomics.ll
; Written by the airlink project for its own tests (hand-written; AIR module
; conventions from docs/air-conventions.md).
;
; What it covers:
;   * `switch` with many cases (including a negative case value and a case
;     that jumps straight to the merge block), a default that ends in
;     `unreachable`, and a second switch with an empty case list
;   * `atomicrmw` with every operation LLVM 14 has: xchg, add, sub, and, nand,
;     or, xor, max, min, umax, umin, fadd, fsub; `volatile`; explicit `align`;
;     orderings monotonic / acquire / release / acq_rel / seq_cst
;   * `cmpxchg`: strong and `weak`, `volatile`, success/failure ordering pairs,
;     extractvalue of the { i32, i1 } result
;   * `fence` with acquire / release / acq_rel / seq_cst, with and without
;     syncscope("singlethread")
;   * atomic `load` / `store` (unordered, monotonic, acquire, release,
;     seq_cst, volatile) on device (1) and threadgroup (3) memory
;   * phi with one incoming value per switch successor
;   * metadata numbering with a gap (there is no !9): legal in textual IR,
;     llvm-dis-14 renumbers densely
;
; Note: Apple's compiler lowers MSL atomics to air.atomic.* intrinsics; the
; native LLVM atomics here are for parser/writer coverage.
;
; llvm-as-14 restrictions found while writing this file:
;   * no `atomicrmw fmax/fmin` (added after LLVM 14): "expected binary
;     operation in atomicrmw"
;   * `atomicrmw xchg` on a pointer value is rejected ("atomicrmw xchg
;     operand must be an integer or floating point type")
;   * `atomicrmw ... unordered` is rejected; `fence monotonic` /
;     `fence unordered` are rejected
;   * cmpxchg failure ordering cannot be release or acq_rel; a failure
;     ordering stronger than the success ordering (monotonic seq_cst) IS
;     accepted; cmpxchg on float parses but fails the verifier
;   * `load atomic` needs an explicit align and cannot be release/acq_rel;
;     `store atomic` cannot be acquire/acq_rel
;   * these ordering errors are reported at the position of the NEXT token
;     (often the start of the next line), not at the offending instruction
;   * llvm-dis-14 prints `, align N` on every atomicrmw/cmpxchg even when the
;     source omitted it (the natural alignment is filled in)
;
; Check: llvm-as-14 switch_atomics.ll -o /dev/null
;        opt-14 -mtriple=x86_64-apple-macosx -verify -disable-output switch_atomics.ll

source_filename = "switch_atomics"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

; A threadgroup counter (address space 3).
@tg_counter = internal addrspace(3) global i32 undef, align 4

define void @atomics_kernel(i32 addrspace(1)* noundef "air-buffer-no-alias" %counters, float addrspace(1)* noundef "air-buffer-no-alias" %fsum, i32 addrspace(1)* nocapture noundef writeonly "air-buffer-no-alias" %results, i32 addrspace(2)* noundef %opcode, i32 noundef %tid, i16 noundef %lid) local_unnamed_addr #0 {
entry:
  %op = load i32, i32 addrspace(2)* %opcode, align 4
  %c1 = getelementptr inbounds i32, i32 addrspace(1)* %counters, i64 1
  %c2 = getelementptr inbounds i32, i32 addrspace(1)* %counters, i64 2
  ; Thread 0 of the threadgroup initialises the TG counter.
  %is.first = icmp eq i16 %lid, 0
  br i1 %is.first, label %tg.init, label %dispatch

tg.init:                                          ; preds = %entry
  store atomic i32 0, i32 addrspace(3)* @tg_counter monotonic, align 4
  br label %dispatch

dispatch:                                         ; preds = %tg.init, %entry
  call void @air.wg.barrier(i32 2, i32 1)
  switch i32 %op, label %bad.op [
    i32 0, label %op.add
    i32 1, label %op.sub
    i32 2, label %op.bits
    i32 3, label %op.minmax
    i32 4, label %op.xchg
    i32 5, label %op.cas
    i32 6, label %op.float
    i32 -1, label %op.tg
    i32 100, label %merge
  ]

op.add:                                           ; preds = %dispatch
  %add.old = atomicrmw add i32 addrspace(1)* %counters, i32 1 monotonic, align 4
  br label %merge

op.sub:                                           ; preds = %dispatch
  %sub.old = atomicrmw volatile sub i32 addrspace(1)* %counters, i32 1 acquire, align 4
  br label %merge

op.bits:                                          ; preds = %dispatch
  %and.old = atomicrmw and i32 addrspace(1)* %counters, i32 -2 release, align 4
  %or.old = atomicrmw or i32 addrspace(1)* %c1, i32 %tid acq_rel, align 4
  %xor.old = atomicrmw xor i32 addrspace(1)* %c2, i32 %tid seq_cst, align 4
  %nand.old = atomicrmw nand i32 addrspace(1)* %c2, i32 255 monotonic
  %bits.0 = xor i32 %and.old, %or.old
  %bits.1 = xor i32 %bits.0, %xor.old
  %bits = xor i32 %bits.1, %nand.old
  br label %merge

op.minmax:                                        ; preds = %dispatch
  %max.old = atomicrmw max i32 addrspace(1)* %counters, i32 %tid monotonic, align 4
  %min.old = atomicrmw min i32 addrspace(1)* %c1, i32 %tid syncscope("singlethread") monotonic, align 4
  %umax.old = atomicrmw umax i32 addrspace(1)* %c2, i32 %tid acquire, align 4
  %umin.old = atomicrmw umin i32 addrspace(1)* %c2, i32 %tid release, align 4
  %mm.0 = add i32 %max.old, %min.old
  %mm.1 = add i32 %mm.0, %umax.old
  %mm = add i32 %mm.1, %umin.old
  br label %merge

op.xchg:                                          ; preds = %dispatch
  %xchg.old = atomicrmw xchg i32 addrspace(1)* %counters, i32 %tid seq_cst, align 4
  %fxchg.old = atomicrmw xchg float addrspace(1)* %fsum, float 0.000000e+00 monotonic, align 4
  %fxchg.bits = bitcast float %fxchg.old to i32
  %xchg.sum = add i32 %xchg.old, %fxchg.bits
  br label %merge

op.cas:                                           ; preds = %dispatch
  ; strong, then weak volatile with a narrower scope, then a pair whose
  ; failure ordering is stronger than its success ordering.
  %cas.a = cmpxchg i32 addrspace(1)* %counters, i32 0, i32 %tid seq_cst seq_cst, align 4
  %cas.a.val = extractvalue { i32, i1 } %cas.a, 0
  %cas.a.ok = extractvalue { i32, i1 } %cas.a, 1
  %cas.b = cmpxchg weak volatile i32 addrspace(1)* %c1, i32 %cas.a.val, i32 1 syncscope("singlethread") acq_rel acquire, align 4
  %cas.b.ok = extractvalue { i32, i1 } %cas.b, 1
  %cas.c = cmpxchg i32 addrspace(1)* %c2, i32 1, i32 2 release monotonic
  %cas.d = cmpxchg weak i32 addrspace(1)* %c2, i32 2, i32 3 monotonic seq_cst, align 4
  %cas.both = and i1 %cas.a.ok, %cas.b.ok
  %cas.res = zext i1 %cas.both to i32
  br label %merge

op.float:                                         ; preds = %dispatch
  %fadd.old = atomicrmw fadd float addrspace(1)* %fsum, float 1.000000e+00 monotonic, align 4
  %fsub.old = atomicrmw fsub float addrspace(1)* %fsum, float 5.000000e-01 acq_rel, align 4
  %fsum.now = load atomic float, float addrspace(1)* %fsum seq_cst, align 4
  %f.res = fptosi float %fsum.now to i32
  br label %merge

op.tg:                                            ; preds = %dispatch
  ; Threadgroup-memory atomics.
  %tg.old = atomicrmw add i32 addrspace(3)* @tg_counter, i32 1 acq_rel, align 4
  fence syncscope("singlethread") acquire
  %tg.now = load atomic volatile i32, i32 addrspace(3)* @tg_counter acquire, align 4
  %tg.res = sub i32 %tg.now, %tg.old
  br label %merge

bad.op:                                           ; preds = %dispatch
  ; MSL __builtin_unreachable(): the host never sends another opcode.
  unreachable

merge:                                            ; preds = all op blocks, %dispatch
  %res = phi i32 [ %add.old, %op.add ], [ %sub.old, %op.sub ], [ %bits, %op.bits ], [ %mm, %op.minmax ], [ %xchg.sum, %op.xchg ], [ %cas.res, %op.cas ], [ %f.res, %op.float ], [ %tg.res, %op.tg ], [ -1, %dispatch ]
  ; Fences of every allowed ordering, default and single-thread scope.
  fence acquire
  fence release
  fence acq_rel
  fence seq_cst
  fence syncscope("singlethread") release
  fence syncscope("singlethread") acq_rel
  fence syncscope("singlethread") seq_cst
  %gid = zext i32 %tid to i64
  %slot = getelementptr inbounds i32, i32 addrspace(1)* %results, i64 %gid
  store atomic i32 %res, i32 addrspace(1)* %slot release, align 4
  %peek = load atomic i32, i32 addrspace(1)* %counters unordered, align 4
  %peek.2 = load atomic i32, i32 addrspace(1)* %c1 monotonic, align 4
  %peek.sum = add i32 %peek, %peek.2
  ; A switch with only a default destination (empty case list).
  %sel = trunc i32 %peek.sum to i8
  switch i8 %sel, label %tail []

tail:                                             ; preds = %merge
  store atomic volatile i32 %peek.sum, i32 addrspace(1)* %c2 syncscope("singlethread") seq_cst, align 4
  store atomic i32 %peek.sum, i32 addrspace(1)* %c2 unordered, align 4
  store atomic i32 %peek.sum, i32 addrspace(1)* %c2 monotonic, align 4
  ret void
}

declare void @air.wg.barrier(i32, i32) local_unnamed_addr #1

attributes #0 = { convergent mustprogress nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #1 = { convergent mustprogress nounwind willreturn }

!air.kernel = !{!0}
!llvm.module.flags = !{!10, !11, !12, !13, !14, !15, !16}
!air.compile_options = !{!17, !18, !19}
!llvm.ident = !{!20}
!air.version = !{!21}
!air.language_version = !{!22}
!air.source_file_name = !{!23}

!0 = !{void (i32 addrspace(1)*, float addrspace(1)*, i32 addrspace(1)*, i32 addrspace(2)*, i32, i16)* @atomics_kernel, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6, !7, !8}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"uint", !"air.arg_name", !"counters"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"fsum"}
!5 = !{i32 2, !"air.buffer", !"air.location_index", i32 2, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"int", !"air.arg_name", !"results"}
!6 = !{i32 3, !"air.buffer", !"air.location_index", i32 3, i32 1, !"air.read", !"air.address_space", i32 2, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"uint", !"air.arg_name", !"opcode"}
!7 = !{i32 4, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid"}
!8 = !{i32 5, !"air.thread_index_in_threadgroup", !"air.arg_type_name", !"ushort", !"air.arg_name", !"lid"}
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
!20 = !{!"airlink test corpus (hand-written)"}
!21 = !{i32 2, i32 8, i32 0}
!22 = !{!"Metal", i32 4, i32 0, i32 0}
!23 = !{!"switch_atomics.ll"}
