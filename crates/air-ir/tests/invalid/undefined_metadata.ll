!air.kernel = !{!0}
!0 = !{!1}
