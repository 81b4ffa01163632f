@echo off
rem ==========================================================================================
rem Cài add-in Kiểm điểm cho Excel từ gói cài đặt offline (máy không cần Internet).
rem Cần: Windows 64-bit, Python {pythons} bản 64-bit đã cài (python.org, có "py launcher").
rem Trước khi chạy: đóng hẳn Excel; điền địa chỉ máy chủ và mã truy cập vào cau-hinh.txt
rem (bỏ trống thì tệp này sẽ hỏi).
rem ==========================================================================================
chcp 65001 >nul
setlocal
set "GOC=%~dp0"
set "MAY_CHU="
set "MA="
set "CO_SO=tot"
rem đọc cau-hinh.txt: mỗi dòng TÊN=giá trị, dòng bắt đầu bằng # là ghi chú
if exist "%GOC%cau-hinh.txt" (
  for /f "usebackq eol=# tokens=1,* delims==" %%a in ("%GOC%cau-hinh.txt") do set "%%a=%%b"
)

rem chọn Python 64-bit mới nhất trong các bản có gói sẵn
set "PY="
for %%v in ({pythons_desc}) do (
  if not defined PY (
    py -%%v -c "import struct, sys; sys.exit(struct.calcsize('P') != 8)" >nul 2>&1 && set "PY=py -%%v"
  )
)
if not defined PY (
  echo Máy chưa có Python {pythons} bản 64-bit. Cài Python từ bộ cài đi kèm hoặc python.org
  echo ^(Windows installer 64-bit, đánh dấu "Add python.exe to PATH"^) rồi chạy lại tệp này.
  goto loi
)
echo == Dùng %PY%

echo == Cài chương trình từ thư mục goi (không cần Internet)
%PY% -m pip install --disable-pip-version-check --no-index --find-links "%GOC%goi" --upgrade kiemdiem || goto loi

if "%MAY_CHU%"=="" set /p "MAY_CHU=Địa chỉ máy chủ (ví dụ https://kiemdiem.tinhuy.vn): "
if "%MA%"=="" set /p "MA=Mã truy cập (token) của đơn vị: "

echo == Ghi cấu hình và cài kiemdiem.xlam vào Excel
%PY% -m addin cai-dat --may-chu "%MAY_CHU%" --ma "%MA%" --co-so %CO_SO% || goto loi
echo.
echo Xong. Mở Excel: thẻ «Kiểm điểm» có nút «Kiểm tra biểu».
pause
exit /b 0

:loi
echo.
echo Cài đặt chưa xong: xem thông báo phía trên, sửa rồi chạy lại tệp này (chạy lại an toàn).
pause
exit /b 1
