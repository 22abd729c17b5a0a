declare void @air.wg.barrier(i32)

define void @f() {
entry:
  call void @air.wg.barrier(i32 2)
  ret void
}
