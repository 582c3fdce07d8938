"""Plain-language messages (Vietnamese, English) for indications and file-level reasons.

Verification software must show success and failure in Vietnamese (Nghị định
23/2025 and its circular); keep the text NFC and short enough for a table cell.
"""

from __future__ import annotations

#: ETSI EN 319 102-1 sub-indication -> (vi, en)
SUB_INDICATION_MESSAGES: dict[str, tuple[str, str]] = {
    "PASSED": ("Chữ ký số hợp lệ.", "The signature is valid."),
    "HASH_FAILURE": (
        "Nội dung đã ký bị thay đổi: giá trị băm không khớp.",
        "The signed content was altered: the digest does not match.",
    ),
    "SIG_CRYPTO_FAILURE": (
        "Giá trị chữ ký không đúng về mặt mật mã.",
        "The signature value is cryptographically invalid.",
    ),
    "REVOKED": (
        "Chứng thư số của người ký đã bị thu hồi trước thời điểm ký.",
        "The signer's certificate was revoked before the signing time.",
    ),
    "REVOKED_NO_POE": (
        "Chứng thư số của người ký đã bị thu hồi và không có dấu thời gian chứng minh "
        "chữ ký được tạo trước khi thu hồi.",
        "The signer's certificate is revoked and no timestamp proves the signature "
        "existed before the revocation.",
    ),
    "REVOKED_CA_NO_POE": (
        "Chứng thư số của tổ chức cấp đã bị thu hồi và không có bằng chứng "
        "thời điểm ký.",
        "An issuing CA certificate is revoked and there is no proof of signing time.",
    ),
    "NO_CERTIFICATE_CHAIN_FOUND": (
        "Không xây dựng được chuỗi chứng thư số đến tổ chức chứng thực gốc tin cậy.",
        "No certificate chain to a trusted root could be built.",
    ),
    "NO_SIGNING_CERTIFICATE_FOUND": (
        "Không tìm thấy chứng thư số của người ký trong chữ ký.",
        "The signer's certificate was not found in the signature.",
    ),
    "OUT_OF_BOUNDS_NO_POE": (
        "Chứng thư số đã hết hạn hoặc chưa có hiệu lực và không có dấu thời gian chứng "
        "minh chữ ký được tạo trong thời hạn hiệu lực.",
        "The certificate is expired or not yet valid and no timestamp proves the "
        "signature was made within its validity period.",
    ),
    "OUT_OF_BOUNDS_NOT_REVOKED": (
        "Chứng thư số đã hết hạn (không bị thu hồi) và không có bằng chứng "
        "thời điểm ký.",
        "The certificate has expired (not revoked) and there is no proof of signing "
        "time.",
    ),
    "REVOCATION_OUT_OF_BOUNDS_NO_POE": (
        "Thông tin thu hồi nằm ngoài thời hạn của chứng thư số và không có bằng chứng "
        "thời điểm ký.",
        "Revocation information is outside the certificate's validity and there is no "
        "proof of existence.",
    ),
    "EXPIRED": ("Chứng thư số đã hết hạn.", "The certificate has expired."),
    "NOT_YET_VALID": (
        "Chứng thư số chưa có hiệu lực tại thời điểm ký.",
        "The certificate was not yet valid at the signing time.",
    ),
    "TRY_LATER": (
        "Không kiểm tra được tình trạng thu hồi của chứng thư số (OCSP/CRL); hãy thử "
        "lại sau.",
        "The revocation status (OCSP/CRL) could not be checked; try again later.",
    ),
    "FORMAT_FAILURE": (
        "Chữ ký hoặc tệp không đúng định dạng.",
        "The signature or the file is malformed.",
    ),
    "CHAIN_CONSTRAINTS_FAILURE": (
        "Chứng thư số không đáp ứng ràng buộc của chuỗi chứng thực (ví dụ mục đích sử "
        "dụng khóa).",
        "The certificate chain does not meet the constraints (e.g. key usage).",
    ),
    "SIG_CONSTRAINTS_FAILURE": (
        "Chữ ký không đáp ứng các ràng buộc của chính sách kiểm tra (ví dụ mục đích sử "
        "dụng khóa).",
        "The signature does not meet the validation policy's constraints (e.g. key "
        "usage).",
    ),
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": (
        "Lỗi khi kiểm tra chuỗi chứng thư số.",
        "The certificate chain could not be validated.",
    ),
    "CRYPTO_CONSTRAINTS_FAILURE": (
        "Thuật toán mật mã của chữ ký không còn đủ an toàn.",
        "The signature uses a cryptographic algorithm that is no longer accepted.",
    ),
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": (
        "Thuật toán mật mã không còn đủ an toàn và không có bằng chứng thời điểm ký.",
        "The algorithm is no longer accepted and there is no proof of signing time.",
    ),
    "TIMESTAMP_ORDER_FAILURE": (
        "Thứ tự các dấu thời gian không hợp lệ.",
        "The timestamps are not in a valid order.",
    ),
    "NO_POE": (
        "Không có bằng chứng về thời điểm tồn tại của chữ ký.",
        "There is no proof of existence for the signature.",
    ),
    "SIGNED_DATA_NOT_FOUND": (
        "Không tìm thấy dữ liệu đã ký.",
        "The signed data could not be found.",
    ),
    "POLICY_PROCESSING_ERROR": (
        "Lỗi khi xử lý chính sách chữ ký.",
        "The signature policy could not be processed.",
    ),
    "SIGNATURE_POLICY_NOT_AVAILABLE": (
        "Không có chính sách chữ ký được yêu cầu.",
        "The signature policy is not available.",
    ),
    "GENERIC": (
        "Không xác định được tính hợp lệ của chữ ký.",
        "The signature's validity could not be determined.",
    ),
}

CHANGED_AFTER_SIGNING = (
    "Tài liệu đã bị thay đổi sau khi ký",
    "The document was changed after signing",
)

#: file-level reason -> (vi, en)
REPORT_MESSAGES: dict[str, tuple[str, str]] = {
    "NO_SIGNATURE": ("Tệp không có chữ ký số.", "The file has no digital signature."),
    "NOT_PDF": ("Tệp không phải là PDF.", "The file is not a PDF."),
    "ENCRYPTED": (
        "Tệp PDF được mã hóa; không kiểm tra được chữ ký.",
        "The PDF is encrypted; its signatures cannot be checked.",
    ),
    "MALFORMED": (
        "Tệp PDF bị lỗi cấu trúc; không đọc được chữ ký.",
        "The PDF is malformed; its signatures cannot be read.",
    ),
    "TIMEOUT": (
        "Quá thời gian cho phép khi kiểm tra chữ ký.",
        "Validation took longer than allowed.",
    ),
    "RESOURCE_LIMIT": (
        "Tệp vượt quá giới hạn tài nguyên khi kiểm tra chữ ký.",
        "Validation exceeded its resource limits.",
    ),
    "TOO_LARGE": ("Tệp quá lớn để kiểm tra.", "The file is too large to validate."),
    "UNREADABLE": ("Không đọc được tệp.", "The file could not be read."),
    "CONFIG_ERROR": (
        "Cấu hình kiểm tra chữ ký không hợp lệ (chứng thư số gốc tin cậy).",
        "The validation configuration (trusted root certificates) is invalid.",
    ),
    "INTERNAL_ERROR": (
        "Lỗi trong quá trình kiểm tra chữ ký.",
        "An error occurred while validating the signatures.",
    ),
}


def sub_indication_message(sub_indication: str | None) -> tuple[str, str]:
    return SUB_INDICATION_MESSAGES.get(
        sub_indication or "PASSED", SUB_INDICATION_MESSAGES["GENERIC"]
    )
