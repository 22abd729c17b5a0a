target triple = "air64_v28-apple-macosx26.0.0"

define i32 @f(i32 %x, i32 %y) {
entry:
  %s = add nsw i32 %x, %y
  %t = mul i32 %s, 2
  ret i32 %t
}
