declare void @f(i32 frobby)
