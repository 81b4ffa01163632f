Attribute VB_Name = "KiemDiemActions"
Option Explicit
' The actions the kiemdiem server answers with that xlwings' Remote module does not implement.
' Application.Run action("func") in RunServerPython finds them by name in this project.
' None of them writes a cell value: fills, notes, widths, wrap, bold, hidden columns.

Sub setRangeColors(wb As Workbook, action As Dictionary)
    ' args(1): rows of "#rrggbb" (paint), "keep" (leave as is) or null (no fill)
    Dim matrix As Collection, colours As Collection
    Dim i As Long, j As Long, first As Range
    Set first = GetRange(wb, action).Cells(1, 1)
    Set matrix = action("args")(1)
    For i = 1 To matrix.Count
        Set colours = matrix(i)
        For j = 1 To colours.Count
            If IsNull(colours(j)) Then
                first.Offset(i - 1, j - 1).Interior.ColorIndex = xlNone
            ElseIf colours(j) <> "keep" Then
                first.Offset(i - 1, j - 1).Interior.Color = HexToRgb(colours(j))
            End If
        Next j
    Next i
End Sub

Sub addNote(wb As Workbook, action As Dictionary)
    ' never replaces a note the user wrote (the server cannot see notes)
    Dim cell As Range
    Set cell = wb.Worksheets(action("sheet_position") + 1).Range(action("args")(1))
    If cell.Comment Is Nothing Then cell.AddComment CStr(action("args")(2))
End Sub

Sub deleteNote(wb As Workbook, action As Dictionary)
    Dim cell As Range
    Set cell = wb.Worksheets(action("sheet_position") + 1).Range(action("args")(1))
    If Not cell.Comment Is Nothing Then cell.Comment.Delete
End Sub

Sub setColumnWidth(wb As Workbook, action As Dictionary)
    GetRange(wb, action).ColumnWidth = action("args")(1)
End Sub

Sub setWrapText(wb As Workbook, action As Dictionary)
    GetRange(wb, action).WrapText = action("args")(1)
End Sub

Sub setColumnHidden(wb As Workbook, action As Dictionary)
    GetRange(wb, action).EntireColumn.Hidden = action("args")(1)
End Sub

Sub setFontProperty(wb As Workbook, action As Dictionary)
    Select Case action("args")(1)
    Case "bold"
        GetRange(wb, action).Font.Bold = action("args")(2)
    Case "italic"
        GetRange(wb, action).Font.Italic = action("args")(2)
    Case "size"
        GetRange(wb, action).Font.Size = action("args")(2)
    Case "color"
        GetRange(wb, action).Font.Color = HexToRgb(action("args")(2))
    End Select
End Sub
