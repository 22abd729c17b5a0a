; ModuleID = 'all_instructions'
;
; airlink test corpus: all_instructions.ll
; Written by the airlink project for its own tests (hand-written; AIR module
; conventions from docs/air-conventions.md).
;
; What it covers: every instruction a compute kernel can contain, in LLVM 14
; typed-pointer syntax, split over small internal helpers called from one
; kernel:
;   @int_ops      add/sub/mul/udiv/sdiv/urem/srem/shl/lshr/ashr/and/or/xor with
;                 nuw/nsw/exact, vector integer ops, icmp with all 10 predicates
;   @fp_ops       fadd/fsub/fmul/fdiv/frem with each fast-math flag on its own
;                 (nnan ninf nsz arcp contract afn reassoc) and `fast`, fneg,
;                 fcmp with all 16 predicates, `!fpmath`
;   @casts        trunc zext sext fptrunc fpext fptoui fptosi uitofp sitofp
;                 ptrtoint inttoptr bitcast addrspacecast (scalar and vector)
;   @memory       alloca (count, align, explicit addrspace(0)), load/store with
;                 align and volatile, getelementptr with/without inbounds,
;                 struct / vector / vector-of-pointer indices,
;                 extractelement/insertelement/shufflevector,
;                 extractvalue/insertvalue, metadata !tbaa (struct path),
;                 !range, !nonnull, !align, !dereferenceable, !noundef,
;                 !invariant.load, !nontemporal, !alias.scope / !noalias
;   @control      br, conditional br with !prof, phi (incl. fast-math flags on
;                 an FP phi), select (scalar and vector condition), freeze,
;                 a loop with !llvm.loop, unreachable
;   @numbered     only numbered values (%0, %1, ...) and numbered blocks
;   @sum_va       a varargs definition (MSL has no varargs; parser coverage)
;   kernel        call / tail call / notail call, fast-math flags on calls,
;                 call-site parameter and return attributes, an indirect
;                 call through a function pointer, intrinsic calls with
;                 align/immarg operands, ret void / ret value
; A function-level metadata attachment (!airlink.note) is on @int_ops and
; points at a `distinct` node (attributes.ll has one on a declaration).
;
; Not covered (not valid or not meaningful here): musttail (skipped on
; purpose), invoke/landingpad/resume/callbr/catchswitch/cleanuppad (exception
; handling and asm-goto do not exist in AIR), va_arg, indirectbr and
; blockaddress (not in the IR model: nothing in AIR uses them).
;
; llvm-as-14 notes found while writing this file:
;   * `poison` inside a shufflevector mask is accepted but printed back as
;     `undef` (masks are stored as int arrays with -1)
;   * with unnamed arguments %0 and %1 the entry block silently takes %2, so
;     the first unnamed instruction must be %3 ("instruction expected to be
;     numbered '%3'")
;   * `bitcast` cannot change the address space (error "invalid cast opcode
;     for cast from ..."); addrspacecast is required
;   * llvm-dis-14 renumbers attribute groups in order of first use: #1 here
;     (first used by @int_ops) is printed back as #0 and #0 as #1
;   * `alloca ..., addrspace(0)` is accepted and dropped on output (0 is the
;     datalayout's alloca address space)
;
; Check: llvm-as-14 all_instructions.ll -o /dev/null
;        opt-14 -mtriple=x86_64-apple-macosx -verify -disable-output all_instructions.ll

source_filename = "all_instructions"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

%struct.Particle = type { <3 x float>, float, [4 x i32] }
%struct.Pair = type { i32, float }

@tg_scratch = internal addrspace(3) global [64 x float] undef, align 4

; ------------------------------------------------------------ integer ops
define internal i32 @int_ops(i32 noundef %a, i32 noundef %b) #1 !airlink.note !40 {
entry:
  %add = add i32 %a, %b
  %add.nuw = add nuw i32 %add, 1
  %add.nsw = add nsw i32 %add.nuw, %b
  %add.both = add nuw nsw i32 %add.nsw, 3
  %sub = sub i32 %add.both, %a
  %sub.nsw = sub nsw i32 %sub, 1
  %mul = mul i32 %sub.nsw, %b
  %mul.nuw = mul nuw i32 %mul, 3
  %mul.both = mul nuw nsw i32 %mul.nuw, 5
  %b.nz = or i32 %b, 1
  %udiv = udiv i32 %mul.both, %b.nz
  %udiv.exact = udiv exact i32 %udiv, 1
  %sdiv = sdiv i32 %udiv.exact, %b.nz
  %sdiv.exact = sdiv exact i32 %sdiv, 1
  %urem = urem i32 %sdiv.exact, %b.nz
  %srem = srem i32 %urem, %b.nz
  %shl = shl i32 %srem, 2
  %shl.nuw = shl nuw i32 %shl, 1
  %shl.nsw = shl nsw i32 %shl.nuw, 1
  %shl.both = shl nuw nsw i32 %shl.nsw, 1
  %lshr = lshr i32 %shl.both, 1
  %lshr.exact = lshr exact i32 %lshr, 1
  %ashr = ashr i32 %lshr.exact, 1
  %ashr.exact = ashr exact i32 %ashr, 1
  %and = and i32 %ashr.exact, 65535
  %or = or i32 %and, %a
  %xor = xor i32 %or, -1

  ; vector integer arithmetic
  %va.0 = insertelement <4 x i32> undef, i32 %a, i32 0
  %va = shufflevector <4 x i32> %va.0, <4 x i32> undef, <4 x i32> zeroinitializer
  %vsum = add nsw <4 x i32> %va, <i32 1, i32 2, i32 3, i32 4>
  %vshl = shl <4 x i32> %vsum, <i32 1, i32 1, i32 2, i32 2>
  %vx = extractelement <4 x i32> %vshl, i32 3

  ; icmp, every predicate
  %c.eq = icmp eq i32 %a, %b
  %c.ne = icmp ne i32 %a, %b
  %c.ugt = icmp ugt i32 %a, %b
  %c.uge = icmp uge i32 %a, %b
  %c.ult = icmp ult i32 %a, %b
  %c.ule = icmp ule i32 %a, %b
  %c.sgt = icmp sgt i32 %a, %b
  %c.sge = icmp sge i32 %a, %b
  %c.slt = icmp slt i32 %a, %b
  %c.sle = icmp sle i32 %a, %b
  %vc = icmp sgt <4 x i32> %vsum, zeroinitializer
  %vc.0 = extractelement <4 x i1> %vc, i64 0
  %m.0 = xor i1 %c.eq, %c.ne
  %m.1 = xor i1 %m.0, %c.ugt
  %m.2 = xor i1 %m.1, %c.uge
  %m.3 = xor i1 %m.2, %c.ult
  %m.4 = xor i1 %m.3, %c.ule
  %m.5 = xor i1 %m.4, %c.sgt
  %m.6 = xor i1 %m.5, %c.sge
  %m.7 = xor i1 %m.6, %c.slt
  %m.8 = xor i1 %m.7, %c.sle
  %m = and i1 %m.8, %vc.0
  %mz = zext i1 %m to i32
  %r.0 = add i32 %xor, %vx
  %r = add i32 %r.0, %mz
  ret i32 %r
}

; ------------------------------------------------------------ floating point
define internal float @fp_ops(float noundef %a, float noundef %b) #1 {
entry:
  %f.plain = fadd float %a, %b
  %f.nnan = fadd nnan float %f.plain, %b
  %f.ninf = fsub ninf float %f.nnan, %a
  %f.nsz = fmul nsz float %f.ninf, %b
  %f.arcp = fdiv arcp float %f.nsz, %b
  %f.contract = fmul contract float %f.arcp, %a
  %f.afn = fadd afn float %f.contract, 1.000000e+00
  %f.reassoc = fadd reassoc float %f.afn, %a
  %f.fast = fmul fast float %f.reassoc, 5.000000e-01
  %f.combo = fadd nnan ninf nsz float %f.fast, %b
  %f.rem = frem float %f.combo, 3.000000e+00
  %f.rem.fast = frem fast float %f.rem, 7.000000e+00
  ; fdiv with an accuracy requirement (2.5 ulp)
  %f.div = fdiv float %f.rem.fast, %b, !fpmath !41
  %f.neg = fneg float %f.div
  %f.neg.fmf = fneg nnan nsz float %f.neg
  %d = fpext float %f.neg.fmf to double
  %d.add = fadd double %d, 0x3FF0000000000000
  %h = fptrunc float %a to half
  %h.mul = fmul half %h, 0xH4000
  %v.f = insertelement <2 x float> <float 0.000000e+00, float 1.000000e+00>, float %a, i64 1
  %v.mul = fmul fast <2 x float> %v.f, <float 2.000000e+00, float 2.000000e+00>
  %v.0 = extractelement <2 x float> %v.mul, i64 1

  ; fcmp, every predicate (plus fast-math flags on one of them)
  %c.false = fcmp false float %a, %b
  %c.oeq = fcmp oeq float %a, %b
  %c.ogt = fcmp ogt float %a, %b
  %c.oge = fcmp oge float %a, %b
  %c.olt = fcmp olt float %a, %b
  %c.ole = fcmp ole float %a, %b
  %c.one = fcmp one float %a, %b
  %c.ord = fcmp ord float %a, %b
  %c.ueq = fcmp ueq float %a, %b
  %c.ugt = fcmp ugt float %a, %b
  %c.uge = fcmp uge float %a, %b
  %c.ult = fcmp ult float %a, %b
  %c.ule = fcmp ule float %a, %b
  %c.une = fcmp une float %a, %b
  %c.uno = fcmp uno float %a, %b
  %c.true = fcmp true float %a, %b
  %c.fast = fcmp fast olt float %a, 0.000000e+00
  %x.0 = xor i1 %c.false, %c.oeq
  %x.1 = xor i1 %x.0, %c.ogt
  %x.2 = xor i1 %x.1, %c.oge
  %x.3 = xor i1 %x.2, %c.olt
  %x.4 = xor i1 %x.3, %c.ole
  %x.5 = xor i1 %x.4, %c.one
  %x.6 = xor i1 %x.5, %c.ord
  %x.7 = xor i1 %x.6, %c.ueq
  %x.8 = xor i1 %x.7, %c.ugt
  %x.9 = xor i1 %x.8, %c.uge
  %x.10 = xor i1 %x.9, %c.ult
  %x.11 = xor i1 %x.10, %c.ule
  %x.12 = xor i1 %x.11, %c.une
  %x.13 = xor i1 %x.12, %c.uno
  %x.14 = xor i1 %x.13, %c.true
  %x = xor i1 %x.14, %c.fast
  ; select with fast-math flags on an FP result
  %sel = select nnan i1 %x, float %f.neg.fmf, float %v.0
  %d.trunc = fptrunc double %d.add to float
  %h.ext = fpext half %h.mul to float
  %s.0 = fadd float %sel, %d.trunc
  %s = fadd float %s.0, %h.ext
  ret float %s
}

; ------------------------------------------------------------ casts
define internal i64 @casts(i64 noundef %x, double noundef %d, i8 addrspace(1)* noundef %p) #1 {
entry:
  %t8 = trunc i64 %x to i8
  %t1 = trunc i64 %x to i1
  %z = zext i8 %t8 to i32
  %s = sext i1 %t1 to i16
  %s64 = sext i16 %s to i64
  %f = fptrunc double %d to float
  %dd = fpext float %f to double
  %u = fptoui double %dd to i32
  %i = fptosi float %f to i64
  %uf = uitofp i32 %z to float
  %sf = sitofp i64 %i to double
  %pi = ptrtoint i8 addrspace(1)* %p to i64
  %ip = inttoptr i64 %pi to i32 addrspace(1)*
  %bc = bitcast i32 addrspace(1)* %ip to float addrspace(1)*
  %bcv = bitcast double %sf to <2 x float>
  %bci = bitcast <2 x float> %bcv to i64
  %asc = addrspacecast i8 addrspace(1)* %p to i8*
  %asc.i = ptrtoint i8* %asc to i64
  ; vector casts
  %vx = insertelement <2 x i64> undef, i64 %x, i32 0
  %vx.1 = insertelement <2 x i64> %vx, i64 %pi, i32 1
  %vt = trunc <2 x i64> %vx.1 to <2 x i16>
  %vz = zext <2 x i16> %vt to <2 x i32>
  %vf = uitofp <2 x i32> %vz to <2 x float>
  %vh = fptrunc <2 x float> %vf to <2 x half>
  %vh.bits = bitcast <2 x half> %vh to i32
  %vh.64 = zext i32 %vh.bits to i64
  %vp = inttoptr <2 x i64> %vx.1 to <2 x float addrspace(1)*>
  %vpi = ptrtoint <2 x float addrspace(1)*> %vp to <2 x i64>
  %vpi.0 = extractelement <2 x i64> %vpi, i32 0
  %bc.i = ptrtoint float addrspace(1)* %bc to i64
  %uf.i = fptosi float %uf to i64
  %u.64 = zext i32 %u to i64
  %r.0 = add i64 %s64, %u.64
  %r.1 = add i64 %r.0, %bci
  %r.2 = add i64 %r.1, %asc.i
  %r.3 = add i64 %r.2, %vh.64
  %r.4 = add i64 %r.3, %vpi.0
  %r.5 = add i64 %r.4, %bc.i
  %r = add i64 %r.5, %uf.i
  ret i64 %r
}

; ------------------------------------------------------------ memory and aggregates
define internal float @memory(float addrspace(1)* noalias noundef %buf, i32 addrspace(1)* noalias noundef %ibuf, i32 noundef %i) #1 {
entry:
  ; allocas: with a count, with align, explicit addrspace(0), struct, vector
  %arr = alloca i32, i32 4, align 16
  %one = alloca float, align 4, addrspace(0)
  %part = alloca %struct.Particle, align 16
  %vec = alloca <4 x float>, align 16
  %pair.slot = alloca %struct.Pair, align 4
  %idx = zext i32 %i to i64

  ; loads/stores with metadata
  %b.p = getelementptr inbounds float, float addrspace(1)* %buf, i64 %idx
  %b = load float, float addrspace(1)* %b.p, align 4, !tbaa !42, !alias.scope !50, !noalias !51
  %n.p = getelementptr inbounds i32, i32 addrspace(1)* %ibuf, i64 %idx
  %n = load i32, i32 addrspace(1)* %n.p, align 4, !tbaa !45, !range !46, !alias.scope !51, !noalias !50
  %n.inv = load i32, i32 addrspace(1)* %ibuf, align 4, !invariant.load !47
  store float %b, float* %one, align 4, !tbaa !42
  store volatile float %b, float* %one, align 4
  %one.v = load volatile float, float* %one, align 4
  store i32 %n, i32* %arr, align 16, !nontemporal !48

  ; pointer loads with pointer metadata
  %pp = alloca float addrspace(1)*, align 8
  store float addrspace(1)* %buf, float addrspace(1)** %pp, align 8
  %p.ld = load float addrspace(1)*, float addrspace(1)** %pp, align 8, !nonnull !47, !align !49, !dereferenceable !49, !noundef !47

  ; getelementptr: no inbounds, inbounds, struct field, array in struct,
  ; element of a vector inside a struct, vector index, vector of pointers
  %arr.2 = getelementptr i32, i32* %arr, i64 2
  store i32 %n.inv, i32* %arr.2, align 8
  %mass = getelementptr inbounds %struct.Particle, %struct.Particle* %part, i64 0, i32 1
  store float %one.v, float* %mass, align 16
  %tag = getelementptr inbounds %struct.Particle, %struct.Particle* %part, i64 0, i32 2, i64 3
  store i32 %n, i32* %tag, align 4
  %pos.z = getelementptr inbounds %struct.Particle, %struct.Particle* %part, i64 0, i32 0, i64 2
  store float %b, float* %pos.z, align 8
  %vec.1 = getelementptr <4 x float>, <4 x float>* %vec, i64 0, i64 1
  store <4 x float> zeroinitializer, <4 x float>* %vec, align 16
  store float %b, float* %vec.1, align 4
  %ptrs = getelementptr inbounds float, float addrspace(1)* %buf, <2 x i64> <i64 0, i64 1>
  %ptr.1 = extractelement <2 x float addrspace(1)*> %ptrs, i32 1
  %second = load float, float addrspace(1)* %ptr.1, align 4
  %tg.p = getelementptr inbounds [64 x float], [64 x float] addrspace(3)* @tg_scratch, i64 0, i64 %idx
  store float %second, float addrspace(3)* %tg.p, align 4

  ; vector element ops
  %v = load <4 x float>, <4 x float>* %vec, align 16
  %v.ins = insertelement <4 x float> %v, float %second, i32 3
  %v.shuf = shufflevector <4 x float> %v.ins, <4 x float> %v, <8 x i32> <i32 0, i32 5, i32 undef, i32 7, i32 3, i32 2, i32 1, i32 0>
  %v.lo = shufflevector <8 x float> %v.shuf, <8 x float> poison, <2 x i32> <i32 0, i32 1>
  %v.e = extractelement <2 x float> %v.lo, i64 1
  %v.dyn = extractelement <4 x float> %v.ins, i32 %i

  ; aggregate ops
  %pair.0 = insertvalue %struct.Pair undef, i32 %n, 0
  %pair = insertvalue %struct.Pair %pair.0, float %v.e, 1
  store %struct.Pair %pair, %struct.Pair* %pair.slot, align 4
  %pair.f.p = getelementptr inbounds %struct.Pair, %struct.Pair* %pair.slot, i64 0, i32 1
  %pair.f = load float, float* %pair.f.p, align 4, !tbaa !53
  %nested.0 = insertvalue { %struct.Pair, [2 x float] } undef, %struct.Pair %pair, 0
  %nested = insertvalue { %struct.Pair, [2 x float] } %nested.0, float %pair.f, 1, 1
  %deep = extractvalue { %struct.Pair, [2 x float] } %nested, 1, 1
  %pair.i = extractvalue { %struct.Pair, [2 x float] } %nested, 0, 0
  %pair.if = sitofp i32 %pair.i to float
  %pd = load float, float addrspace(1)* %p.ld, align 4
  %s.0 = fadd float %deep, %pair.if
  %s.1 = fadd float %s.0, %v.dyn
  %s = fadd float %s.1, %pd
  ret float %s
}

; ------------------------------------------------------------ control flow
define internal float @control(i32 noundef %n, float noundef %x) #1 {
entry:
  %fx = freeze float %x
  %is.pos = icmp sgt i32 %n, 0
  br i1 %is.pos, label %loop, label %exit, !prof !54

loop:                                             ; preds = %loop, %entry
  %i = phi i32 [ 0, %entry ], [ %i.next, %loop ]
  %acc = phi fast float [ %fx, %entry ], [ %acc.next, %loop ]
  %if = sitofp i32 %i to float
  %acc.next = fadd fast float %acc, %if
  %i.next = add nuw nsw i32 %i, 1
  %again = icmp slt i32 %i.next, %n
  br i1 %again, label %loop, label %exit, !llvm.loop !55

exit:                                             ; preds = %loop, %entry
  %res = phi float [ %fx, %entry ], [ %acc.next, %loop ]
  %vc = insertelement <2 x i1> <i1 true, i1 false>, i1 %is.pos, i32 1
  %vsel = select <2 x i1> %vc, <2 x float> <float 1.000000e+00, float 2.000000e+00>, <2 x float> zeroinitializer
  %vs = extractelement <2 x float> %vsel, i32 1
  %neg = icmp slt i32 %n, -1000000
  br i1 %neg, label %dead, label %done

dead:                                             ; preds = %exit
  unreachable

done:                                             ; preds = %exit
  %fn = freeze i32 %n
  %fn.f = sitofp i32 %fn to float
  %r.0 = fadd float %res, %vs
  %r = fadd float %r.0, %fn.f
  ret float %r
}

; ------------------------------------------------------------ numbered values only
define internal i32 @numbered(i32 %0, i32 %1) #1 {
  %3 = add i32 %0, %1
  %4 = icmp ult i32 %3, 100
  br i1 %4, label %5, label %7

5:                                                ; preds = %2
  %6 = shl i32 %3, 1
  br label %7

7:                                                ; preds = %5, %2
  %8 = phi i32 [ %6, %5 ], [ %3, %2 ]
  ret i32 %8
}

; ------------------------------------------------------------ varargs (parser coverage)
define internal i32 @sum_va(i32 %count, ...) #1 {
entry:
  %ap = alloca i8*, align 8
  %ap.i8 = bitcast i8** %ap to i8*
  call void @llvm.va_start(i8* %ap.i8)
  call void @llvm.va_end(i8* %ap.i8)
  %sum.0 = add i32 %count, %count
  %sum = add i32 %sum.0, %count
  ret i32 %sum
}

; ------------------------------------------------------------ call targets
define internal noundef float @twice(float noundef %x) #1 {
entry:
  %r = fmul float %x, 2.000000e+00
  ret float %r
}

define internal noundef float @thrice(float noundef %x) #1 {
entry:
  %r = fmul float %x, 3.000000e+00
  ret float %r
}

define internal void @sink(float addrspace(1)* nocapture noundef writeonly %p, float noundef %v) #1 {
entry:
  store float %v, float addrspace(1)* %p, align 4
  ret void
}

define internal zeroext i16 @narrow(i32 signext %x) #1 {
entry:
  %t = trunc i32 %x to i16
  ret i16 %t
}

; ------------------------------------------------------------ kernel
define void @all_instructions_kernel(float addrspace(1)* noundef "air-buffer-no-alias" %buf, i32 addrspace(1)* noundef "air-buffer-no-alias" %ibuf, float addrspace(1)* nocapture noundef writeonly "air-buffer-no-alias" %out, i32 noundef %tid) local_unnamed_addr #0 {
entry:
  %gid = zext i32 %tid to i64
  %x.p = getelementptr inbounds float, float addrspace(1)* %buf, i64 %gid
  %x = load float, float addrspace(1)* %x.p, align 4
  %n.p = getelementptr inbounds i32, i32 addrspace(1)* %ibuf, i64 %gid
  %n = load i32, i32 addrspace(1)* %n.p, align 4

  ; plain, tail and notail calls; call-site attributes
  %i = call i32 @int_ops(i32 noundef %n, i32 noundef %tid)
  %f = tail call float @fp_ops(float noundef %x, float noundef 2.500000e-01)
  %buf.bytes = bitcast float addrspace(1)* %buf to i8 addrspace(1)*
  %c = notail call i64 @casts(i64 noundef %gid, double noundef 1.500000e+00, i8 addrspace(1)* noundef nonnull %buf.bytes)
  %m = call float @memory(float addrspace(1)* noalias noundef %buf, i32 addrspace(1)* noalias noundef %ibuf, i32 noundef %tid)
  %ctl = call float @control(i32 noundef %n, float noundef %m)
  %num = call i32 @numbered(i32 %n, i32 7)
  %va = call i32 (i32, ...) @sum_va(i32 2, i32 %n, i32 %num)
  %ib = add i32 %va, 1
  ; return attributes at the call site
  %nw = call zeroext i16 @narrow(i32 signext %ib)
  %tw = call noundef float @twice(float noundef %ctl)

  ; fast-math flags on calls (intrinsic and ordinary)
  %fma = call fast float @llvm.fmuladd.f32(float %f, float %tw, float %ctl)
  %abs = tail call nnan ninf float @llvm.fabs.f32(float %fma)
  %tr = call reassoc nsz float @thrice(float %abs)

  ; indirect call through a function pointer chosen by select
  %use.twice = icmp ult i32 %tid, 16
  %fn = select i1 %use.twice, float (float)* @twice, float (float)* @thrice
  %ind = call float %fn(float %tr)

  ; intrinsic with align attributes and an immarg operand
  %tmp = alloca [4 x float], align 16
  %tmp.i8 = bitcast [4 x float]* %tmp to i8*
  %buf.i8 = bitcast float addrspace(1)* %buf to i8 addrspace(1)*
  call void @llvm.memcpy.p0i8.p1i8.i64(i8* noundef nonnull align 16 dereferenceable(16) %tmp.i8, i8 addrspace(1)* noundef align 4 dereferenceable(16) %buf.i8, i64 16, i1 false)
  %tmp.0 = getelementptr inbounds [4 x float], [4 x float]* %tmp, i64 0, i64 0
  %t0 = load float, float* %tmp.0, align 16

  %i.f = sitofp i32 %i to float
  %c.f = uitofp i64 %c to float
  %nw.f = uitofp i16 %nw to float
  %sum.0 = fadd float %ind, %i.f
  %sum.1 = fadd float %sum.0, %c.f
  %sum.2 = fadd float %sum.1, %nw.f
  %sum = fadd float %sum.2, %t0
  %out.p = getelementptr inbounds float, float addrspace(1)* %out, i64 %gid
  call void @sink(float addrspace(1)* nocapture noundef writeonly %out.p, float noundef %sum)
  ret void
}

declare float @llvm.fmuladd.f32(float, float, float) #2

declare float @llvm.fabs.f32(float) #2

declare void @llvm.memcpy.p0i8.p1i8.i64(i8* noalias nocapture writeonly, i8 addrspace(1)* noalias nocapture readonly, i64, i1 immarg) #3

declare void @llvm.va_start(i8*) #4

declare void @llvm.va_end(i8*) #4

attributes #0 = { convergent mustprogress nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #1 = { nounwind "frame-pointer"="none" "no-builtins" }
attributes #2 = { nofree nosync nounwind readnone speculatable willreturn }
attributes #3 = { argmemonly nofree nounwind willreturn }
attributes #4 = { nofree nosync nounwind willreturn }

!air.kernel = !{!0}
!llvm.module.flags = !{!7, !8, !9, !10, !11, !12, !13}
!air.compile_options = !{!14, !15, !16}
!llvm.ident = !{!17}
!air.version = !{!18}
!air.language_version = !{!19}
!air.source_file_name = !{!20}

!0 = !{void (float addrspace(1)*, i32 addrspace(1)*, float addrspace(1)*, i32)* @all_instructions_kernel, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"buf"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"int", !"air.arg_name", !"ibuf"}
!5 = !{i32 2, !"air.buffer", !"air.location_index", i32 2, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"out"}
!6 = !{i32 3, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid"}
!7 = !{i32 1, !"wchar_size", i32 4}
!8 = !{i32 7, !"air.max_device_buffers", i32 31}
!9 = !{i32 7, !"air.max_constant_buffers", i32 31}
!10 = !{i32 7, !"air.max_threadgroup_buffers", i32 31}
!11 = !{i32 7, !"air.max_textures", i32 128}
!12 = !{i32 7, !"air.max_read_write_textures", i32 8}
!13 = !{i32 7, !"air.max_samplers", i32 16}
!14 = !{!"air.compile.denorms_disable"}
!15 = !{!"air.compile.fast_math_disable"}
!16 = !{!"air.compile.framebuffer_fetch_enable"}
!17 = !{!"airlink test corpus (hand-written)"}
!18 = !{i32 2, i32 8, i32 0}
!19 = !{!"Metal", i32 4, i32 0, i32 0}
!20 = !{!"all_instructions.ll"}

; function-level attachment target: a distinct node
!40 = distinct !{!"airlink.note: function-level attachment"}
; !fpmath: max error 2.5 ulp
!41 = !{float 2.500000e+00}
; struct-path TBAA: root, omnipotent char, scalar types, access tags
!42 = !{!43, !43, i64 0}
!43 = !{!"float", !44, i64 0}
!44 = !{!"omnipotent char", !52, i64 0}
!45 = !{!56, !56, i64 0}
!46 = !{i32 0, i32 1024, i32 2048, i32 4096}
!47 = !{}
!48 = !{i32 1}
!49 = !{i64 4}
; alias scopes: a distinct domain and two distinct scopes in it
!50 = !{!57}
!51 = !{!58}
!52 = !{!"Simple C++ TBAA"}
!53 = !{!59, !43, i64 4}
!54 = !{!"branch_weights", i32 90, i32 10}
!55 = distinct !{!55, !60}
!56 = !{!"int", !44, i64 0}
!57 = distinct !{!57, !61, !"memory: buf"}
!58 = distinct !{!58, !61, !"memory: ibuf"}
!59 = !{!"Pair", !56, i64 0, !43, i64 4}
!60 = !{!"llvm.loop.mustprogress"}
!61 = distinct !{!61, !"memory"}
