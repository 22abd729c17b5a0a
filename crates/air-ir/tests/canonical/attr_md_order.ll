; Attribute groups and metadata numbered out of order: the canonical form
; renumbers groups by first use (function attributes, then call sites) and
; metadata depth-first from the named lists, then attachments.
declare void @h() #2

define void @k(i32 %x) #7 {
  call void @h() #9, !note !12
  ret void, !note !3
}

attributes #9 = { nounwind }
attributes #2 = { "b" "a"="1" convergent }
attributes #7 = { willreturn nounwind }

!named.b = !{!3}
!named.a = !{!12, !5}
!12 = !{!"twelve", !5}
!5 = !{i32 5}
!3 = distinct !{!3}
