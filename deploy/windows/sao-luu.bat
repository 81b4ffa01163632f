@echo off
rem Sao lưu máy chủ kiểm điểm vào %NOI_LUU%\NĂM-THÁNG-NGÀY_GIỜPHÚT, kiểm tra bản vừa sao lưu,
rem rồi xóa các bản cũ hơn %GIU_NGAY% ngày. Chạy được khi máy chủ đang nhận biểu.
chcp 65001 >nul
call "%~dp0cau-hinh.bat"
for /f %%d in ('powershell -NoProfile -Command "Get-Date -Format yyyy-MM-dd_HHmm"') do set "NGAY=%%d"
set "DICH=%NOI_LUU%\%NGAY%"
"%~dp0venv\Scripts\flask.exe" --app server backup "%DICH%" >> "%~dp0nhat-ky\sao-luu.log" 2>&1 || exit /b 1
"%~dp0venv\Scripts\flask.exe" --app server verify "%DICH%" >> "%~dp0nhat-ky\sao-luu.log" 2>&1 || exit /b 1
rem chỉ xóa bản cũ khi bản mới đã kiểm tra xong
forfiles /p "%NOI_LUU%" /d -%GIU_NGAY% /c "cmd /c if @isdir==TRUE rmdir /s /q @path" >nul 2>&1
exit /b 0
