%S = type { i32, %Missing }
@g = global %S zeroinitializer
