define i32 @f(i32) {
  %3 = add i32 %0, 1
  ret i32 %3
}
