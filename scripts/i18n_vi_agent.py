"""Vietnamese messages of browser signing with the USB token (docflow-agent; merged by i18n_vi.py)."""

VI_AGENT = {
    # pages
    "Sign with my USB token": "Ký bằng USB token của tôi",
    "Connecting to the signing agent…": "Đang kết nối với phần mềm ký số…",
    "The signing agent does not answer. Start docflow-agent on this computer and check its address.":
        "Phần mềm ký số không phản hồi. Hãy chạy docflow-agent trên máy tính này và kiểm tra địa chỉ.",
    "Signing agent ready. Certificates on the token:": "Phần mềm ký số sẵn sàng. Chứng thư số trên token:",
    "Enter the PIN in the signing agent window…": "Hãy nhập mã PIN trong cửa sổ phần mềm ký số…",
    "Signing": "Đang ký",
    "Finished": "Hoàn tất",
    "Signed — signature valid": "Đã ký — chữ ký hợp lệ",
    "Choose the documents to sign.": "Hãy chọn văn bản cần ký.",
    "The signature is made on your own USB token by the signing agent running on this computer "
    "(docflow-agent). The PIN is entered in the agent, never on this page.":
        "Chữ ký được tạo trên USB token của chính bạn bởi phần mềm ký số chạy trên máy tính này "
        "(docflow-agent). Mã PIN được nhập trong phần mềm ký số, không bao giờ nhập trên trang này.",
    "Signing agent address": "Địa chỉ phần mềm ký số",
    "Check the agent": "Kiểm tra phần mềm ký số",
    "You have not registered a token certificate yet.": "Bạn chưa đăng ký chứng thư số của token.",
    "Register my certificate": "Đăng ký chứng thư số",
    "Registered certificates": "Chứng thư số đã đăng ký",
    "manage": "quản lý",
    "Waiting for my signature": "Chờ tôi ký",
    "Select all": "Chọn tất cả",
    "Subject": "Trích yếu",
    "Document type": "Loại văn bản",
    "Drafted by": "Người soạn thảo",
    "Signing result": "Kết quả ký",
    "Sign the selected documents": "Ký số các văn bản đã chọn",
    "No document is waiting for your signature.": "Không có văn bản nào chờ bạn ký.",
    "My token certificates": "Chứng thư số trên token của tôi",
    "Register the certificate": "Đăng ký chứng thư số",
    "serial": "số hiệu",
    "valid until": "hiệu lực đến",
    "Remove the certificate": "Gỡ bỏ chứng thư số",
    "None yet.": "Chưa có.",
    "From the USB token": "Từ USB token",
    "Read the certificates on my token": "Đọc chứng thư số trên token",
    "Upload a certificate file": "Tải lên tệp chứng thư số",
    "Certificate (PEM or DER)": "Chứng thư số (PEM hoặc DER)",
    "Certificate registered.": "Đã đăng ký chứng thư số.",
    "Certificate removed.": "Đã gỡ bỏ chứng thư số.",
    "No signed file was sent.": "Không nhận được tệp đã ký.",
    "Signed. The signature is valid.": "Đã ký. Chữ ký hợp lệ.",
    # certificates
    "This is not a certificate file (PEM or DER).": "Tệp này không phải chứng thư số (PEM hoặc DER).",
    "This certificate is already registered to another user.": "Chứng thư số này đã được đăng ký cho người dùng khác.",
    "The certificate is not issued by a trusted authority.": "Chứng thư số không do tổ chức chứng thực tin cậy cấp.",
    "The certificate is revoked.": "Chứng thư số đã bị thu hồi.",
    "The certificate is expired or not yet valid.": "Chứng thư số đã hết hạn hoặc chưa có hiệu lực.",
    "The certificate does not allow digital signatures.": "Chứng thư số không cho phép ký số.",
    "No such certificate.": "Không có chứng thư số này.",
    # upload checks
    "This signing link is not valid.": "Liên kết ký số không hợp lệ.",
    "This signing link was already used. Start the signature again.":
        "Liên kết ký số đã được sử dụng. Hãy thực hiện ký lại.",
    "This signing link has expired. Start the signature again.": "Liên kết ký số đã hết hạn. Hãy thực hiện ký lại.",
    "The document changed since the signature was started: it is no longer the approved version waiting "
    "for your signature.":
        "Văn bản đã thay đổi từ lúc bắt đầu ký: không còn là phiên bản đã duyệt đang chờ bạn ký.",
    "The signed file is not the approved version: its content was changed.":
        "Tệp đã ký không phải phiên bản đã duyệt: nội dung đã bị thay đổi.",
    "The signed file adds more than one signature to the approved version.":
        "Tệp đã ký thêm nhiều hơn một thay đổi vào phiên bản đã duyệt.",
    "The signed file must add exactly one signature.": "Tệp đã ký phải có đúng một chữ ký mới.",
    "The new signature does not cover the whole document.": "Chữ ký mới không bao trùm toàn bộ văn bản.",
    "The signed file changes the approved version beyond adding a signature.":
        "Tệp đã ký thay đổi phiên bản đã duyệt ngoài việc thêm chữ ký.",
    "The signed file cannot be read.": "Không đọc được tệp đã ký.",
    "The signature is not in the approval signature field.": "Chữ ký không nằm ở ô ký duyệt.",
    "The signature is broken: the file was altered after signing.":
        "Chữ ký không toàn vẹn: tệp đã bị sửa sau khi ký.",
    "The signer's certificate is revoked.": "Chứng thư số của người ký đã bị thu hồi.",
    "The signer's certificate is not issued by a trusted authority.":
        "Chứng thư số của người ký không do tổ chức chứng thực tin cậy cấp.",
    "The signature is not valid: %(details)s": "Chữ ký không hợp lệ: %(details)s",
    "The signing certificate is not registered to you. Register your token's certificate first.":
        "Chứng thư số dùng để ký không được đăng ký cho bạn. Hãy đăng ký chứng thư số của token trước.",
    "The document cannot be signed now: %(details)s": "Hiện không thể ký văn bản: %(details)s",
}
