"""Vietnamese messages of the outgoing register, the outgoing home tiles and pages
(merged by i18n_vi.py).

Column names follow the form of NĐ 30/2020 Phụ lục IV (Sổ đăng ký văn bản đi).
"""

VI_OUTGOING_REGISTER = {
    "Outgoing documents register": "Sổ đăng ký văn bản đi",
    "The agency has no outgoing register yet: issuing the first document creates it.": "Cơ quan chưa có sổ văn bản đi: sổ được tạo khi ban hành văn bản đầu tiên.",
    "Secret documents are numbered apart; only their register data is shown here.": "Văn bản mật được đánh số riêng; ở đây chỉ hiển thị thông tin đăng ký.",
    "Unit or person keeping the file copy": "Đơn vị, người nhận bản lưu",
    "Number of copies": "Số lượng bản",
    "No documents were issued in this register during the period.": "Không có văn bản đi nào được ban hành trong sổ này trong khoảng thời gian đã chọn.",
    # Home tiles
    "Outgoing documents approved for my signature.": "Văn bản đi đã được duyệt, chờ tôi ký số.",
    "Outgoing drafts waiting for my opinion.": "Dự thảo văn bản đi chờ tôi cho ý kiến.",
    # Review steps on the document page
    "Waiting": "Đang chờ",
    "Approved": "Đã đồng ý",
    "Cancelled": "Đã hủy",
    "Only the agency's records officers send documents.": "Chỉ văn thư cơ quan được gửi văn bản.",
}
