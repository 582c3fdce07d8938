"""Vietnamese messages of the web interface's small helpers (merged by i18n_vi.py)."""

VI_UI = {
    "Skip to the content": "Chuyển đến nội dung chính",
    "Selected file:": "Tệp đã chọn:",
}
