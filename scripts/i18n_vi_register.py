"""Vietnamese messages of the incoming register page (merged by i18n_vi.py).

Column names follow the form of NĐ 30/2020 Phụ lục IV (Sổ đăng ký văn bản đến).
"""

VI_REGISTER = {
    "Incoming documents register": "Sổ đăng ký văn bản đến",
    "The agency has no register yet: the first registered document creates it.": "Cơ quan chưa có sổ văn bản đến: sổ được tạo khi vào sổ văn bản đầu tiên.",
    "Register book": "Sổ văn bản",
    "secret": "mật",
    "closed": "đã khóa sổ",
    "From": "Từ ngày",
    "To": "Đến ngày",
    "Show": "Xem",
    "Download PDF": "Tải bản PDF",
    "The period holds more than %(n)d documents: choose a shorter period to print it.": "Khoảng thời gian này có hơn %(n)d văn bản: hãy chọn khoảng thời gian ngắn hơn để in sổ.",
    "From %(start)s to %(end)s: %(n)d documents.": "Từ ngày %(start)s đến ngày %(end)s: %(n)d văn bản.",
    "Secret documents have their own numbering; only their registration data is shown here.": "Văn bản mật được đánh số đến riêng; ở đây chỉ hiển thị thông tin đăng ký.",
    "Arrival date": "Ngày đến",
    "Author (issuing agency)": "Tác giả (cơ quan ban hành)",
    "Document date": "Ngày tháng văn bản",
    "Type and subject": "Tên loại và trích yếu nội dung",
    "Unit or person receiving": "Đơn vị hoặc người nhận",
    "Date transferred": "Ngày chuyển",
    "Signature": "Ký nhận",
    "No documents arrived in this register during the period.": "Không có văn bản đến nào được vào sổ này trong khoảng thời gian đã chọn.",
    "Enter a date as dd/mm/yyyy.": "Nhập ngày theo dạng ngày/tháng/năm (dd/mm/yyyy).",
    "The end date is before the start date.": "Ngày kết thúc đứng trước ngày bắt đầu.",
    "Choose a period of at most one year.": "Hãy chọn khoảng thời gian không quá một năm.",
}
