"""Vietnamese messages of the processing reports (merged by i18n_vi.py).

The report names follow NĐ 30/2020 Phụ lục VI: Báo cáo tình hình giải quyết văn bản
đến, Báo cáo giải quyết văn bản đi.
"""

VI_REPORTS = {
    "Reports": "Báo cáo",
    "Enter a date between 1900 and 2100.": "Nhập một ngày trong khoảng từ năm 1900 đến năm 2100.",
    "Incoming documents processing report": "Báo cáo tình hình giải quyết văn bản đến",
    "Outgoing documents report": "Báo cáo giải quyết văn bản đi",
    "Documents received": "Số văn bản nhận",
    "Completed on time": "Đã giải quyết đúng hạn",
    "Completed late": "Đã giải quyết quá hạn",
    "In progress, within the deadline": "Đang giải quyết trong hạn",
    "Overdue, not completed": "Quá hạn chưa giải quyết",
    "No deadline": "Không có thời hạn",
    "Drafts created": "Dự thảo tạo mới",
    "Issued electronically": "Ban hành điện tử",
    "Issued on paper only": "Chỉ ban hành giấy",
    "Sending failed": "Gửi lỗi",
    "Returned by the receiver": "Bị bên nhận trả lại",
    "Download CSV": "Tải tệp CSV",
    "Leads without a unit": "Chủ trì không thuộc đơn vị nào",
    "All units": "Tất cả đơn vị",
    "Documents received from %(start)s to %(end)s and assigned, as they stand on %(day)s.": "Văn bản nhận từ ngày %(start)s đến ngày %(end)s đã được phân công, tình hình tính đến ngày %(day)s.",
    "Person in charge": "Người chủ trì",
    "Lead unit": "Đơn vị chủ trì",
    "Total": "Tổng cộng",
    "The unit, not given to a person": "Giao cho đơn vị, chưa giao cá nhân",
    "Received in the period and waiting for a leader's assignment: %(n)d.": "Văn bản nhận trong kỳ đang chờ lãnh đạo phân công: %(n)d.",
    "A document is counted once, in its lead unit and with its first person in charge. On time means completed by the end of the deadline day; overdue means the deadline has passed and it is not completed.": "Mỗi văn bản được tính một lần, cho đơn vị chủ trì và người chủ trì đầu tiên. Đúng hạn là hoàn thành trước khi hết ngày của thời hạn giải quyết; quá hạn là đã qua thời hạn mà chưa hoàn thành.",
    "Back to the report": "Quay lại báo cáo",
    "%(n)d documents.": "%(n)d văn bản.",
    "Arrival number": "Số đến",
    "No documents.": "Không có văn bản nào.",
    "%(n)d results.": "%(n)d kết quả.",
    "From %(start)s to %(end)s: drafts created and documents issued in the period; recipient agencies of the documents issued in the period, sent electronically.": "Từ ngày %(start)s đến ngày %(end)s: dự thảo tạo mới và văn bản ban hành trong kỳ; cơ quan nhận văn bản ban hành trong kỳ qua liên thông điện tử.",
    "Recipient agencies (interchange)": "Cơ quan nhận (liên thông)",
    "No drafting unit": "Không thuộc đơn vị soạn thảo nào",
    "Issued electronically: at least one unit or agency received it through the system. Delivered includes documents recalled later; waiting means queued or retrying.": "Ban hành điện tử: ít nhất một đơn vị hoặc cơ quan nhận văn bản qua hệ thống. Đã gửi đến gồm cả văn bản bị lấy lại sau đó; chờ gửi là đang xếp hàng hoặc đang thử gửi lại.",
}
