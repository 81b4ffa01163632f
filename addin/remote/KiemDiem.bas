Attribute VB_Name = "KiemDiem"
Option Explicit
' The "Kiem diem" ribbon of the add-in without Python on the PC (issue 20).
' Each button sends the open workbook to the collecting server with xlwings' remote client
' (RunRemotePython in the Remote module, from the pinned xlwings); the server checks it and
' answers with the actions Excel applies (marks, notes, the report sheet, a message).
' Settings (server address, unit token) live on this PC (SaveSetting: the current user's
' registry), never in a workbook. Text in "..." is UTF-8 here; the build turns every literal
' that is not plain ASCII into U("\uXXXX...") so the VBA module stays in one code page.

Public Const APP_KEY As String = "KiemDiem"
Public Const SETTINGS As String = "CaiDat"
Public Const KEY_SERVER As String = "MayChu"
Public Const KEY_TOKEN As String = "MaTruyCap"
Public Const PATH_KIEM_TRA As String = "/api/v1/xlwings/kiem-tra"
Public Const PATH_GUI_BIEU As String = "/api/v1/xlwings/gui-bieu"

#If Mac Then
#ElseIf VBA7 Then
Private Declare PtrSafe Function MessageBoxW Lib "user32" (ByVal hWnd As LongPtr, _
    ByVal lpText As LongPtr, ByVal lpCaption As LongPtr, ByVal uType As Long) As Long
#Else
Private Declare Function MessageBoxW Lib "user32" (ByVal hWnd As Long, _
    ByVal lpText As Long, ByVal lpCaption As Long, ByVal uType As Long) As Long
#End If

' --- ribbon callbacks ---------------------------------------------------------------------

Public Sub KiemTraBieu(control As IRibbonControl)
    ChayMayChu PATH_KIEM_TRA
End Sub

Public Sub GuiBieu(control As IRibbonControl)
    ChayMayChu PATH_GUI_BIEU
End Sub

Public Sub CaiDat(control As IRibbonControl)
    HoiCaiDat
End Sub

' --- the call -----------------------------------------------------------------------------

Private Sub ChayMayChu(ByVal path As String)
    Dim server As String, token As String
    If ActiveWorkbook Is Nothing Then
        ThongBao "Chưa có sổ tính nào đang mở. Hãy mở biểu cần kiểm tra rồi bấm lại.", True
        Exit Sub
    End If
    server = GetSetting(APP_KEY, SETTINGS, KEY_SERVER, "")
    token = GetSetting(APP_KEY, SETTINGS, KEY_TOKEN, "")
    If server = "" Or token = "" Then
        ThongBao "Máy này chưa có địa chỉ máy chủ và mã truy cập của đơn vị. " & _
            "Hãy nhập hai thông tin này (văn phòng cấp trên cung cấp).", True
        If Not HoiCaiDat() Then Exit Sub
        server = GetSetting(APP_KEY, SETTINGS, KEY_SERVER, "")
        token = GetSetting(APP_KEY, SETTINGS, KEY_TOKEN, "")
    End If
    Do While Right$(server, 1) = "/"
        server = Left$(server, Len(server) - 1)
    Loop
    On Error GoTo Failed
    Application.StatusBar = "Đang gửi sổ tính đến máy chủ để kiểm tra..."
    RunRemotePython server & path, auth:="Bearer " & token
    Application.StatusBar = False
    Exit Sub
Failed:
    Application.StatusBar = False
    ThongBao "Không kết nối được máy chủ " & server & " (" & Err.Description & "). " & _
        "Kiểm tra mạng và địa chỉ máy chủ (nút «Cài đặt») rồi bấm lại. Sổ tính không bị thay đổi.", True
End Sub

Public Function HoiCaiDat() As Boolean
    Dim v As Variant, t As Variant
    v = Application.InputBox("Địa chỉ máy chủ nhận báo cáo (ví dụ https://kiemdiem.tinhuy.vn):", _
        "Cài đặt Kiểm điểm", GetSetting(APP_KEY, SETTINGS, KEY_SERVER, "https://"), Type:=2)
    If VarType(v) = vbBoolean Then Exit Function
    v = Trim$(CStr(v))
    If Not (LCase$(Left$(v, 7)) = "http://" Or LCase$(Left$(v, 8)) = "https://") Then
        ThongBao "Địa chỉ máy chủ phải bắt đầu bằng http:// hoặc https://. Chưa lưu.", True
        Exit Function
    End If
    t = Application.InputBox("Mã truy cập (token) của đơn vị, do văn phòng cấp trên cấp:", _
        "Cài đặt Kiểm điểm", "", Type:=2)
    If VarType(t) = vbBoolean Then Exit Function
    t = Trim$(CStr(t))
    If t = "" Then Exit Function
    SaveSetting APP_KEY, SETTINGS, KEY_SERVER, v
    SaveSetting APP_KEY, SETTINGS, KEY_TOKEN, t
    ThongBao "Đã lưu địa chỉ máy chủ và mã truy cập trên máy này.", False
    HoiCaiDat = True
End Function

' --- messages in Vietnamese (MsgBox shows only the ANSI code page) ------------------------

Public Function HopThoai(ByVal text As String, ByVal title As String, ByVal style As Long) As Long
    #If Mac Then
        HopThoai = MsgBox(text, style, title)
    #Else
        HopThoai = MessageBoxW(Application.Hwnd, StrPtr(text), StrPtr(title), style)
    #End If
End Function

Public Sub ThongBao(ByVal text As String, ByVal critical As Boolean)
    If critical Then
        HopThoai text, "Kiểm điểm", vbOKOnly + vbCritical
    Else
        HopThoai text, "Kiểm điểm", vbOKOnly + vbInformation
    End If
End Sub

Public Function U(ByVal s As String) As String
    ' "\u1EC3" -> the character U+1EC3 (the build writes Vietnamese literals this way)
    Dim i As Long, out As String
    i = 1
    Do While i <= Len(s)
        If Mid$(s, i, 2) = "\u" And i + 5 <= Len(s) Then
            out = out & ChrW$(Val("&H" & Mid$(s, i + 2, 4) & "&"))
            i = i + 6
        Else
            out = out & Mid$(s, i, 1)
            i = i + 1
        End If
    Loop
    U = out
End Function
