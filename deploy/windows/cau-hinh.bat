@echo off
rem Cấu hình máy chủ kiểm điểm (được chay-may-chu.bat và sao-luu.bat gọi). Sửa rồi khởi động
rem lại máy chủ: schtasks /End /TN "KiemDiem\May chu" rồi schtasks /Run /TN "KiemDiem\May chu".
rem Mọi biến KIEMDIEM_X là cấu hình X của máy chủ (xem HUONG_DAN.md).

rem Thư mục dữ liệu: tệp biểu đã nhận, khóa bí mật, cơ sở dữ liệu SQLite.
set "KIEMDIEM_DATA_DIR=C:\KiemDiem\du-lieu"
rem PostgreSQL (không bắt buộc; bỏ "rem" ở dòng dưới và sửa mật khẩu):
rem set "KIEMDIEM_DATABASE_URL=postgresql+psycopg://kiemdiem:MAT_KHAU@127.0.0.1:5432/kiemdiem"
rem Cơ sở tính hạn mức 20 %% xuất sắc: tot hoặc tot_tro_len.
set "KIEMDIEM_QUOTA_BASE=tot"
rem Cổng máy chủ (khớp quy tắc tường lửa).
set "CONG=8080"
rem Nơi lưu các bản sao lưu (nên là ổ khác hoặc ổ mạng) và số ngày giữ lại.
set "NOI_LUU=C:\KiemDiem\sao-luu"
set "GIU_NGAY=30"
