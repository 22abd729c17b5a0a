define void @f(float addrspace(1)* %p) {
entry:
  store i32 1, float addrspace(1)* %p, align 4
  ret void
}
