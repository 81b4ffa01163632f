@echo off
rem ==========================================================================================
rem Cài máy chủ kiểm điểm trên một máy Windows của văn phòng (Windows 10/11 hoặc Server).
rem Chạy bằng quyền quản trị: chuột phải tệp này, chọn "Run as administrator".
rem Cần: Python 3.10 trở lên cho mọi người dùng (python.org, có chọn "py launcher").
rem Đặt cạnh tệp này: tệp kiemdiem-*.whl; nếu máy không có Internet, thêm thư mục "goi" chứa
rem các gói (.whl) của máy chủ (xem HUONG_DAN.md, mục Windows).
rem Làm: tạo C:\KiemDiem (chương trình + dữ liệu), cài gói, tạo cơ sở dữ liệu, chạy máy chủ
rem khi khởi động máy (Task Scheduler), mở cổng trên tường lửa, lịch sao lưu hằng ngày.
rem ==========================================================================================
chcp 65001 >nul
setlocal
rem --- có thể sửa ---------------------------------------------------------------------------
set "THU_MUC=C:\KiemDiem"
set "CONG=8080"
rem ------------------------------------------------------------------------------------------
set "NGUON=%~dp0"

net session >nul 2>&1
if errorlevel 1 (
  echo Cần chạy bằng quyền quản trị: chuột phải tệp này, chọn "Run as administrator".
  pause & exit /b 1
)
py -3 -c "import sys; sys.exit(sys.version_info < (3, 10))" >nul 2>&1
if errorlevel 1 (
  echo Chưa có Python 3.10 trở lên. Cài Python từ python.org cho mọi người dùng rồi chạy lại.
  pause & exit /b 1
)

mkdir "%THU_MUC%" 2>nul
mkdir "%THU_MUC%\du-lieu" 2>nul
mkdir "%THU_MUC%\nhat-ky" 2>nul
mkdir "%THU_MUC%\sao-luu" 2>nul
copy /y "%NGUON%chay-may-chu.bat" "%THU_MUC%\" >nul
copy /y "%NGUON%sao-luu.bat" "%THU_MUC%\" >nul
if not exist "%THU_MUC%\cau-hinh.bat" copy "%NGUON%cau-hinh.bat" "%THU_MUC%\" >nul

echo == Tạo môi trường Python riêng: %THU_MUC%\venv
if not exist "%THU_MUC%\venv\Scripts\python.exe" py -3 -m venv "%THU_MUC%\venv" || goto loi

echo == Cài chương trình
set "GOI="
for %%f in ("%NGUON%kiemdiem-*.whl") do set "GOI=%%~ff"
if not defined GOI (
  echo Không thấy tệp kiemdiem-*.whl cạnh tệp cài đặt.
  goto loi
)
if exist "%NGUON%goi\" (
  rem máy không có Internet: chỉ lấy gói trong thư mục "goi"
  "%THU_MUC%\venv\Scripts\python.exe" -m pip install --no-index --find-links "%NGUON%goi" "%GOI%[server]" || goto loi
) else (
  "%THU_MUC%\venv\Scripts\python.exe" -m pip install "%GOI%[server]" || goto loi
)

echo == Tạo hoặc nâng cấp cơ sở dữ liệu
call "%THU_MUC%\cau-hinh.bat"
"%THU_MUC%\venv\Scripts\flask.exe" --app server init-db || goto loi

echo == Chạy máy chủ mỗi khi khởi động máy (Task Scheduler, tài khoản SYSTEM)
schtasks /Create /F /TN "KiemDiem\May chu" /SC ONSTART /RU SYSTEM /RL HIGHEST ^
  /TR "\"%THU_MUC%\chay-may-chu.bat\"" >nul || goto loi

echo == Sao lưu hằng ngày lúc 12:30 và 23:30
schtasks /Create /F /TN "KiemDiem\Sao luu trua" /SC DAILY /ST 12:30 /RU SYSTEM ^
  /TR "\"%THU_MUC%\sao-luu.bat\"" >nul || goto loi
schtasks /Create /F /TN "KiemDiem\Sao luu toi" /SC DAILY /ST 23:30 /RU SYSTEM ^
  /TR "\"%THU_MUC%\sao-luu.bat\"" >nul || goto loi

echo == Mở cổng %CONG% trên tường lửa (mạng nội bộ: Domain, Private)
netsh advfirewall firewall delete rule name="KiemDiem may chu" >nul 2>&1
netsh advfirewall firewall add rule name="KiemDiem may chu" dir=in action=allow ^
  protocol=TCP localport=%CONG% profile=domain,private >nul || goto loi

echo == Khởi động máy chủ
schtasks /Run /TN "KiemDiem\May chu" >nul
echo.
echo Xong. Máy chủ chạy ở http://%COMPUTERNAME%:%CONG%/ (trên máy này: http://localhost:%CONG%/).
echo Dữ liệu: %THU_MUC%\du-lieu   Sao lưu: %THU_MUC%\sao-luu   Nhật ký: %THU_MUC%\nhat-ky
echo Tạo tài khoản quản trị: mở cmd, chạy
echo   call %THU_MUC%\cau-hinh.bat
echo   %THU_MUC%\venv\Scripts\flask.exe --app server create-user TEN --admin
pause
exit /b 0

:loi
echo.
echo Cài đặt chưa xong: xem thông báo lỗi phía trên, sửa rồi chạy lại tệp này (chạy lại an toàn).
pause
exit /b 1
