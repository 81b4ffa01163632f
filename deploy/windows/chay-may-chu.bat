@echo off
rem Chạy máy chủ kiểm điểm bằng waitress (Task Scheduler gọi khi khởi động máy).
rem waitress nhận trọn yêu cầu trước khi chuyển cho chương trình, và đóng kết nối im lặng quá
rem 60 giây (--channel-timeout): máy khách chậm không giữ được máy chủ.
chcp 65001 >nul
cd /d "%~dp0"
call "%~dp0cau-hinh.bat"
"%~dp0venv\Scripts\flask.exe" --app server init-db >> "%~dp0nhat-ky\may-chu.log" 2>&1
"%~dp0venv\Scripts\waitress-serve.exe" --listen=*:%CONG% --threads=8 --channel-timeout=60 ^
  --connection-limit=200 --max-request-body-size=10485760 --call server:create_app ^
  >> "%~dp0nhat-ky\may-chu.log" 2>&1
