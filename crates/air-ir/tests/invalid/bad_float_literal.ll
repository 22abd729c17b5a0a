define float @f() {
entry:
  ret float 0.1
}
