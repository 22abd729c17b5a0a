define void @f() {
entry:
  %a = add i32 1, 2
}
