"""Vietnamese messages of the document interchange (QCVN 102:2016 status names; merged by i18n_vi.py)."""

VI_INTERCHANGE = {
    "Electronic delivery": "Gửi văn bản điện tử",
    "Recipient": "Nơi nhận",
    "Delivery": "Tình trạng gửi",
    "Latest status from the recipient": "Trạng thái mới nhất từ nơi nhận",
    "Not sent yet": "Chưa gửi",
    "Sent": "Đã gửi",
    "Delivery failed": "Gửi không thành công",
    "Returned by the recipient": "Bị nơi nhận trả lại",
    "Slow to be received": "Chậm tiếp nhận",
    "Arrived, not yet registered": "Đã đến",
    "Refused by the recipient": "Từ chối tiếp nhận",
    "Received and registered": "Đã tiếp nhận",
    "Assigned for processing": "Phân công",
    "Being processed": "Đang xử lý",
    "Processing completed": "Hoàn thành",
    "Recall requested": "Lấy lại",
    "Recall or update agreed": "Đồng ý lấy lại/cập nhật",
    "Recall or update refused": "Từ chối lấy lại/cập nhật",
}
