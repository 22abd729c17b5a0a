define void @f() {
entry:
  %a = alloca [4 x i32, align 4
  ret void
}
