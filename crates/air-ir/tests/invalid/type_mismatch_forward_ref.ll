define void @f() {
entry:
  br label %next
next:
  %a = add i32 %b, 1
  %b = fadd float 1.0, 2.0
  ret void
}
