"""Vietnamese messages of the REST API and the API tokens page (merged by i18n_vi.py)."""

VI_API = {
    # tokens page
    "API tokens": "Khóa truy cập API",
    "Other systems use a token to call the docflow REST API on your behalf, with your permissions. "
    "Send it in the header %(header)s.": "Hệ thống khác dùng khóa truy cập để gọi REST API của docflow thay cho bạn, với đúng quyền của bạn. "
    "Gửi khóa trong tiêu đề %(header)s.",
    "API description (OpenAPI)": "Mô tả API (OpenAPI)",
    "Your new token": "Khóa truy cập mới của bạn",
    "Token created. Copy it now: it will not be shown again.": "Đã tạo khóa truy cập. Hãy sao chép ngay: khóa sẽ không được hiển thị lại.",
    "Token revoked.": "Đã thu hồi khóa truy cập.",
    "Token name": "Tên khóa truy cập",
    "Valid until (optional)": "Có hiệu lực đến ngày (không bắt buộc)",
    "The date cannot be in the past.": "Ngày không được ở quá khứ.",
    "Created": "Ngày tạo",
    "Last used": "Lần dùng gần nhất",
    "Valid until": "Hiệu lực đến",
    "Until revoked": "Đến khi thu hồi",
    "Revoked": "Đã thu hồi",
    "Expired": "Đã hết hạn",
    "Revoke": "Thu hồi",
    "You have no API tokens.": "Bạn chưa có khóa truy cập API nào.",
    "New token": "Tạo khóa truy cập mới",
    "For example: the one-stop-shop software of the province.": "Ví dụ: phần mềm một cửa của tỉnh.",
    "Leave empty for a token valid until you revoke it.": "Để trống nếu khóa có hiệu lực đến khi bạn thu hồi.",
    "Create token": "Tạo khóa",
    # API errors
    "The request is malformed.": "Yêu cầu không đúng định dạng.",
    "Missing, invalid, expired or revoked API token.": "Thiếu khóa truy cập API, hoặc khóa không hợp lệ, đã hết hạn hay đã bị thu hồi.",
    "You are not allowed to do this.": "Bạn không có quyền thực hiện thao tác này.",
    "Not found, or you cannot see it.": "Không tìm thấy, hoặc bạn không có quyền xem.",
    "This method is not allowed here.": "Phương thức này không được phép ở đây.",
    "The request is larger than %(mb)d MB.": "Yêu cầu lớn hơn %(mb)d MB.",
    "Send JSON (Content-Type: application/json).": "Hãy gửi JSON (Content-Type: application/json).",
    "Too many API calls with this token. Wait a minute and try again.": "Khóa truy cập này đã gọi API quá nhiều lần. Vui lòng chờ một phút rồi thử lại.",
    "Some fields are missing or invalid.": "Một số trường còn thiếu hoặc không hợp lệ.",
    "The body is not valid JSON.": "Nội dung yêu cầu không phải JSON hợp lệ.",
    "The body must be a JSON object.": "Nội dung yêu cầu phải là một đối tượng JSON.",
    # field validation
    "Expected text.": "Cần nhập văn bản.",
    "This field is required.": "Trường này là bắt buộc.",
    "At most %(n)d characters.": "Tối đa %(n)d ký tự.",
    "Expected a date as YYYY-MM-DD.": "Cần một ngày theo dạng YYYY-MM-DD.",
    "Expected a whole number.": "Cần một số nguyên.",
    "Expected a number from %(min)d to %(max)d.": "Cần một số từ %(min)d đến %(max)d.",
    "Expected true or false.": "Cần giá trị true hoặc false.",
    "Expected one of: %(choices)s.": "Cần một trong các giá trị: %(choices)s.",
    "Unknown field.": "Trường không được hỗ trợ.",
    'Expected {"user_id": n} or {"department_id": n}.': 'Cần có dạng {"user_id": n} hoặc {"department_id": n}.',
    "Expected a list.": "Cần một danh sách.",
    "A document with the same issuer, number and notation is already registered (arrival no. %(n)s). "
    "Send confirm_duplicate: true to register it anyway.": "Đã có văn bản cùng cơ quan ban hành, số và ký hiệu được vào sổ (số đến %(n)s). "
    "Gửi confirm_duplicate: true nếu vẫn muốn vào sổ.",
}
