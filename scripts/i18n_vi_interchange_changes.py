"""Vietnamese messages of revocation, update and replacement sent by docflow (merged by i18n_vi.py)."""

VI_INTERCHANGE_CHANGES = {
    "Give the reason.": "Hãy nêu lý do.",
    "Signer's name as published": "Họ tên người ký (như đã ban hành)",
    "The signer's name is required.": "Cần nhập họ tên người ký.",
    "Signer's position as published": "Chức vụ người ký (như đã ban hành)",
    "Due date for the recipients": "Hạn xử lý",
    "Number of pages": "Số trang",
    "The page count is a number from 1 to 10000.": "Số trang là một số từ 1 đến 10000.",
    "Only the agency's records officers revoke or update documents.": (
        "Chỉ văn thư của cơ quan được thu hồi hoặc cập nhật văn bản."
    ),
    "Only issued documents can be revoked or updated.": (
        "Chỉ thu hồi hoặc cập nhật được văn bản đã ban hành."
    ),
    "This document has been revoked.": "Văn bản này đã bị thu hồi.",
    "The subject is too long (500 characters at most).": (
        "Trích yếu quá dài (tối đa 500 ký tự)."
    ),
    "The signer's name (50 characters) or position (100) is too long.": (
        "Họ tên người ký (tối đa 50 ký tự) hoặc chức vụ (tối đa 100 ký tự) quá dài."
    ),
    "Nothing to update: change at least one field.": (
        "Không có gì để cập nhật: hãy sửa ít nhất một thông tin."
    ),
    "A due date or page count already sent cannot be removed.": (
        "Không thể xóa hạn xử lý hoặc số trang đã gửi đi."
    ),
    "Revocation": "Thu hồi",
    "Correction": "Cập nhật",
    "Document revoked; the revocation went to %(count)d recipient(s).": (
        "Đã thu hồi văn bản; đã gửi thông báo thu hồi tới %(count)d nơi nhận."
    ),
    "Correction saved; it went to %(count)d recipient(s).": (
        "Đã lưu nội dung cập nhật và gửi tới %(count)d nơi nhận."
    ),
    "Replaces the issued document": "Thay thế văn bản đã ban hành",
    "Only an issued document of your agency can be replaced.": (
        "Chỉ thay thế được văn bản đã ban hành của cơ quan mình."
    ),
    "A revoked document cannot be replaced.": "Không thể thay thế văn bản đã bị thu hồi.",
    "This document has already been replaced by %(number)s.": (
        "Văn bản này đã được thay thế bởi văn bản %(number)s."
    ),
    "Only the drafter or a records officer says what the document replaces.": (
        "Chỉ người soạn thảo hoặc văn thư được chọn văn bản bị thay thế."
    ),
    "An issued document cannot change what it replaces.": (
        "Văn bản đã ban hành không thể đổi văn bản bị thay thế."
    ),
    "asked the recipients to give it back": "yêu cầu nơi nhận trả lại văn bản",
    "revoked it": "thu hồi văn bản",
    "corrected its published information": "cập nhật thông tin văn bản đã ban hành",
    "replaced it by": "thay thế văn bản bằng",
    "marked it as replacing": "chọn văn bản bị thay thế",
    "Choose an issued document of your agency.": (
        "Hãy chọn một văn bản đã ban hành của cơ quan."
    ),
    "Saved.": "Đã lưu.",
    "Changes after issue": "Thu hồi, cập nhật văn bản đã ban hành",
    "Secret document: the change is recorded here and never sent electronically; "
    "tell the recipients on paper.": (
        "Văn bản mật: thay đổi chỉ được ghi nhận tại đây, không gửi điện tử; "
        "hãy thông báo cho nơi nhận bằng văn bản giấy."
    ),
    "Correct the published information (cập nhật)": "Cập nhật thông tin văn bản",
    "Send the correction to the recipients": "Gửi nội dung cập nhật tới nơi nhận",
    "Revoke the document (thu hồi)": "Thu hồi văn bản",
    "Revoke and tell the recipients": "Thu hồi và thông báo cho nơi nhận",
    "Changes sent": "Thu hồi, cập nhật đã gửi",
    "Replaced by": "Được thay thế bởi",
    "When issued, the recipients are told that it replaces this document (thay thế).": (
        "Khi ban hành, nơi nhận được thông báo văn bản này thay thế văn bản đã chọn."
    ),
    "Revoked by %(name)s on %(when)s": "Bị thu hồi bởi %(name)s lúc %(when)s",
    "Replaces": "Thay thế văn bản",
    "as published": "như đã ban hành",
    "Revocation or correction packet": "Gói tin thu hồi hoặc cập nhật",
}
