; LightSpeed NSIS hooks, included by electron-builder (nsis.include in electron-builder.yml).
;
; A per-machine install (the capture-mode build, or a user who chose "all users" and elevated) adds a
; Windows Firewall rule so the UDP tunnel's replies reach the app without a prompt mid-game. A per-user
; install cannot change the firewall; Windows asks on first use instead.

!macro customInstall
  ${if} $installMode == "all"
    nsExec::Exec 'netsh advfirewall firewall delete rule name="LightSpeed"'
    Pop $0
    nsExec::Exec 'netsh advfirewall firewall add rule name="LightSpeed" dir=in action=allow protocol=UDP program="$INSTDIR\${APP_EXECUTABLE_FILENAME}" enable=yes profile=any'
    Pop $0
  ${endif}
!macroend

!macro customUnInstall
  ${if} $installMode == "all"
    nsExec::Exec 'netsh advfirewall firewall delete rule name="LightSpeed"'
    Pop $0
  ${endif}
!macroend
