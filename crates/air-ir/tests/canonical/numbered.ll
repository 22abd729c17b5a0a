; Unnamed arguments, an unnamed entry block (it takes %2) and numbered
; values; the printer must keep LLVM's numbering and name the arguments.
define float @g(float, float) {
  %3 = fadd fast float %0, %1
  br label %4
4:
  %5 = phi float [ %3, %2 ]
  ret float %5
}
