Attribute VB_Name = "XlwingsCompat"
Option Explicit
' What xlwings' Remote client expects from the rest of the xlwings add-in, reduced to the
' remote route: its version, its settings reader and a GUID maker. RunPython does not exist
' here (no Python on this PC).

Public Const XLWINGS_VERSION As String = "{{XLWINGS_VERSION}}"

Function GetConfig(configKey As String, Optional default As String = "", Optional source As String = "") As Variant
    ' Remote's own settings (proxy, timeout, include/exclude) come from this PC only, never from
    ' a sheet or a file beside the open workbook: a workbook must not redirect the unit's token.
    If UCase$(configKey) = "TIMEOUT" Then
        GetConfig = GetSetting("KiemDiem", "CaiDat", "ThoiGianCho", "120000")
    ElseIf UCase$(configKey) = "PROXY_SERVER" Then
        GetConfig = GetSetting("KiemDiem", "CaiDat", "Proxy", default)
    Else
        GetConfig = default
    End If
End Function

Public Function CreateGUID() As String
    Dim s As String
    Randomize
    Do While Len(s) < 32
        s = s & Hex$(Int(Rnd * 16))
    Loop
    CreateGUID = Mid$(s, 1, 8) & "-" & Mid$(s, 9, 4) & "-" & Mid$(s, 13, 4) & "-" & _
        Mid$(s, 17, 4) & "-" & Mid$(s, 21, 12)
End Function

Function GetMacDir(Name As String, Normalize As Boolean) As String
    GetMacDir = Environ("HOME") & "/"
End Function

Public Function RunPython(PythonCommand As String)
    Err.Raise vbObjectError + 513, "KiemDiem", "RunPython is not part of this add-in"
End Function

Public Function RunFrozenPython(Executable As String, Optional Args As String)
    Err.Raise vbObjectError + 513, "KiemDiem", "RunFrozenPython is not part of this add-in"
End Function
