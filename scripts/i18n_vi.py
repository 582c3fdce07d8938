"""Vietnamese catalogue for docflow: ``python scripts/i18n_vi.py`` rebuilds vi/LC_MESSAGES.

Extracts messages with Babel, applies the translations below, writes the .po and the
compiled .mo. A test checks that every message has a translation and the .mo is current.
"""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docflow" / "translations" / "vi" / "LC_MESSAGES"

# Messages built at run time (not seen by the extractor).
EXTRA: list[str] = []
VI = {
    "Form expired": "Biểu mẫu đã hết hạn",
    "The form has expired or was not sent from this site. Reload the page and try again.": "Biểu mẫu đã hết hạn hoặc không được gửi từ trang này. Hãy tải lại trang và thử lại.",
    "Not allowed": "Không được phép",
    "You do not have permission to open this page.": "Bạn không có quyền mở trang này.",
    "Not found": "Không tìm thấy",
    "The page you asked for does not exist or you cannot see it.": "Trang bạn yêu cầu không tồn tại hoặc bạn không có quyền xem.",
    "File too large": "Tệp quá lớn",
    "The file is larger than %(mb)d MB.": "Tệp lớn hơn %(mb)d MB.",
    "Too many attempts": "Quá nhiều lần thử",
    "Too many sign-in attempts from this address. Wait a minute and try again.": "Có quá nhiều lần đăng nhập từ địa chỉ này. Vui lòng chờ một phút rồi thử lại.",
    "Something went wrong": "Đã xảy ra lỗi",
    "The request could not be completed. Nothing was changed. Try again later.": "Không thể hoàn tất yêu cầu. Chưa có thay đổi nào được ghi. Vui lòng thử lại sau.",
    "Central body": "Cơ quan trung ương",
    "Province": "Cấp tỉnh",
    "Commune": "Cấp xã",
    "Administrator": "Quản trị",
    "Records officer": "Văn thư",
    "Leader": "Lãnh đạo",
    "Department head": "Trưởng phòng",
    "Specialist": "Chuyên viên",
    "Identifier (QCVN 102:2016)": "Mã định danh (QCVN 102:2016)",
    "Identifier (QĐ 20/2020)": "Mã định danh (QĐ 20/2020)",
    "Name": "Tên",
    "Short name in notations": "Tên viết tắt trong ký hiệu",
    "Level": "Cấp",
    "Parent agency": "Cơ quan cấp trên",
    "Address": "Địa chỉ",
    "Phone": "Điện thoại",
    "Email": "Thư điện tử",
    "Website": "Trang thông tin điện tử",
    "Active": "Đang hoạt động",
    "Inactive": "Ngừng hoạt động",
    "Invalid identifier: %(problem)s.": "Mã định danh không hợp lệ: %(problem)s.",
    "Invalid identifier: expected e.g. H56.12 or H01.151.01.": "Mã định danh không hợp lệ: cần có dạng như H56.12 hoặc H01.151.01.",
    "User name": "Tên đăng nhập",
    "Full name": "Họ và tên",
    "Position": "Chức vụ",
    "Role": "Vai trò",
    "Department": "Phòng ban",
    "New password": "Mật khẩu mới",
    "Use only letters a-z, digits, dot, dash and underscore.": "Chỉ dùng chữ cái a-z, chữ số, dấu chấm, gạch ngang và gạch dưới.",
    "This identifier is already used by another agency.": "Mã định danh này đã được cơ quan khác sử dụng.",
    "Agency created.": "Đã tạo cơ quan.",
    "An agency cannot be its own parent.": "Cơ quan không thể là cấp trên của chính nó.",
    "Changes saved.": "Đã lưu thay đổi.",
    "This agency already has a department with this name.": "Cơ quan đã có phòng ban với tên này.",
    "A first password is required.": "Cần nhập mật khẩu ban đầu.",
    "This user name is taken.": "Tên đăng nhập này đã được sử dụng.",
    "Password": "Mật khẩu",
    "Current password": "Mật khẩu hiện tại",
    "Repeat the new password": "Nhập lại mật khẩu mới",
    "The two passwords differ.": "Hai mật khẩu không khớp nhau.",
    "Sign-in failed: the user name or password is wrong, or the account is temporarily locked after too many attempts.": "Đăng nhập không thành công: tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang tạm khóa do đăng nhập sai quá nhiều lần.",
    "You have signed out.": "Bạn đã đăng xuất.",
    "The current password is wrong.": "Mật khẩu hiện tại không đúng.",
    "Your password has been changed.": "Đã đổi mật khẩu.",
    "Document management": "Quản lý văn bản",
    "Documents and work dossiers": "Quản lý văn bản và hồ sơ công việc",
    "Administration": "Quản trị",
    "Change password": "Đổi mật khẩu",
    "Sign out": "Đăng xuất",
    "docflow — paperless document management for state agencies": "docflow — quản lý văn bản điện tử cho cơ quan nhà nước",
    "Back to the home page": "Về trang chủ",
    "Agency": "Cơ quan",
    "Departments": "Phòng ban",
    "Users": "Người dùng",
    "All agencies": "Tất cả cơ quan",
    "Agencies": "Cơ quan, đơn vị",
    "New agency": "Thêm cơ quan",
    "Identifier": "Mã định danh",
    "Short name": "Tên viết tắt",
    "Status": "Trạng thái",
    "No agencies yet.": "Chưa có cơ quan nào.",
    "Only the system administrator can change the identifier, level and parent agency.": "Chỉ quản trị hệ thống mới được thay đổi mã định danh, cấp và cơ quan cấp trên.",
    "13 characters, DDD.CC.BB.Xnn, e.g. 000.00.00.H56": "13 ký tự, dạng DDD.CC.BB.Xnn, ví dụ 000.00.00.H56",
    "Optional, e.g. H56.12": "Không bắt buộc, ví dụ H56.12",
    "Used in document notations, e.g. UBND, SNV": "Dùng trong ký hiệu văn bản, ví dụ UBND, SNV",
    "Save": "Lưu",
    "New department": "Thêm phòng ban",
    "Used in notations of outgoing documents, e.g. VX in 12/UBND-VX": "Dùng trong ký hiệu văn bản đi, ví dụ VX trong 12/UBND-VX",
    "No departments yet.": "Chưa có phòng ban nào.",
    "New user": "Thêm người dùng",
    "Leave empty to keep the current password.": "Để trống nếu giữ nguyên mật khẩu hiện tại.",
    "At least 10 characters, mixing letters, digits and symbols.": "Ít nhất 10 ký tự, gồm chữ cái, chữ số và ký hiệu.",
    "No users yet.": "Chưa có người dùng nào.",
    "Sign in": "Đăng nhập",
    "Home": "Trang chủ",
    "Hello, %(name)s": "Xin chào, %(name)s",
    "Assigned to my department": "Giao cho phòng tôi",
    "Drafts to review": "Dự thảo chờ cho ý kiến",
    "Overdue": "Quá hạn",
    "Waiting for my decision": "Chờ tôi cho ý kiến chỉ đạo",
    "Incoming documents to assign.": "Văn bản đến chờ phân công xử lý.",
    "Waiting for my signature": "Chờ tôi ký",
    "Outgoing documents approved for signing.": "Văn bản đi đã được trình ký.",
    "Waiting to be registered": "Chờ vào sổ",
    "Incoming documents received on paper or from other agencies.": "Văn bản đến nhận bản giấy hoặc từ cơ quan khác gửi đến.",
    "Waiting to be issued": "Chờ ban hành",
    "Signed outgoing documents to number, seal and send.": "Văn bản đi đã ký, chờ cấp số, đóng dấu và phát hành.",
    "Assigned to me, by deadline": "Được giao cho tôi, theo hạn xử lý",
    "My drafts": "Dự thảo của tôi",
    "Password must be at least %(n)d characters long.": "Mật khẩu phải có ít nhất %(n)d ký tự.",
    "Password must not contain the user name.": "Mật khẩu không được chứa tên đăng nhập.",
    "Password must mix at least three of: lower case, upper case, digits, symbols.": "Mật khẩu phải có ít nhất ba loại: chữ thường, chữ hoa, chữ số, ký hiệu.",
    "The file %(name)s is empty.": "Tệp %(name)s không có nội dung.",
    "The file %(name)s is larger than %(mb)d MB.": "Tệp %(name)s lớn hơn %(mb)d MB.",
    "The file %(name)s is not an accepted type (%(kinds)s).": "Tệp %(name)s không thuộc định dạng được chấp nhận (%(kinds)s).",
    "File storage unavailable": "Kho lưu trữ tệp không truy cập được",
    "The file storage cannot be reached right now. Nothing was saved. Try again in a few minutes.": "Hiện không kết nối được kho lưu trữ tệp. Chưa có dữ liệu nào được lưu. Vui lòng thử lại sau ít phút.",
    "File storage error": "Lỗi kho lưu trữ tệp",
    "The file could not be read or written. Nothing was saved. The operators have been told.": "Không đọc hoặc ghi được tệp. Chưa có dữ liệu nào được lưu. Bộ phận quản trị đã được thông báo.",
}


#: A msgid translated differently by two catalogues: give one of them its own msgid.
CONFLICTS: list[str] = []


def _merge_domain_catalogues() -> None:
    """Each domain keeps its messages in scripts/i18n_vi_<domain>.py as a dict named VI_<DOMAIN>."""
    import importlib.util

    for path in sorted(Path(__file__).resolve().parent.glob("i18n_vi_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, table in vars(module).items():
            if name.startswith("VI_") and isinstance(table, dict):
                for key, value in table.items():
                    if key in VI and VI[key] != value:
                        CONFLICTS.append(
                            f"{key!r}: {VI[key]!r} vs {value!r} ({path.name})"
                        )
                    VI.setdefault(key, value)


_merge_domain_catalogues()


def extract() -> Catalog:
    pot = ROOT / "build" / "messages.pot"
    pot.parent.mkdir(exist_ok=True)
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "N_",
            "-k",
            "_require:2",
            "-k",
            "ActionRefused",
            "-k",
            "UploadRejected",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    with pot.open("rb") as fh:
        template = read_po(fh)
    for msg in EXTRA:
        template.add(msg)
    return template


def build(template: Catalog) -> tuple[bytes, bytes, list[str]]:
    # Fixed dates keep the compiled catalogue byte-for-byte reproducible.
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    catalog = Catalog(
        locale="vi",
        project="docflow",
        fuzzy=False,
        creation_date=stamp,
        revision_date=stamp,
    )
    missing = []
    for message in template:
        if not message.id:
            continue
        translation = VI.get(message.id)
        if translation is None:
            missing.append(message.id)
        catalog.add(message.id, translation or "")
    po, mo = io.BytesIO(), io.BytesIO()
    write_po(po, catalog, omit_header=False, sort_output=True, width=100)
    write_mo(mo, catalog)
    return po.getvalue(), mo.getvalue(), missing


def main() -> int:
    po, mo, missing = build(extract())
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "messages.po").write_bytes(po)
    (OUT / "messages.mo").write_bytes(mo)
    for m in missing:
        print(f"missing translation: {m!r}", file=sys.stderr)
    for c in CONFLICTS:
        print(f"conflicting translations: {c}", file=sys.stderr)
    return 1 if missing or CONFLICTS else 0


if __name__ == "__main__":
    sys.exit(main())
