declare void @h() #0

define void @k(i32 %x) #1 {
  call void @h() #2, !note !1
  ret void, !note !0
}

attributes #0 = { convergent "a"="1" "b" }
attributes #1 = { nounwind willreturn }
attributes #2 = { nounwind }

!named.b = !{!0}
!named.a = !{!1, !2}

!0 = distinct !{!0}
!1 = !{!"twelve", !2}
!2 = !{i32 5}
