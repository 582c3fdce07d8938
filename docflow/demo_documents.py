"""Demo documents: a province office at work, so every page of the demo has something.

Made through the same services users go through (receive, register, assign, draft,
review, sign, issue, deliver, dossiers), so the demo also exercises them. The PDFs are
printed with reportlab in the NĐ 30/2020 layout (national motto, number, date, subject)
and marked as demo documents. Created once: nothing happens if the province already
has documents.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

DEMO_MARK = "Văn bản mẫu của bản demo docflow - không có giá trị pháp lý"


@dataclass(frozen=True)
class Letter:
    """What is printed on a demo document."""

    issuer: tuple[str, ...]  #: ("ỦY BAN NHÂN DÂN", "TỈNH THANH HÓA"): top left
    place: str  #: "Thanh Hóa"
    doc_type: str  #: "Công văn", "Quyết định" ...
    subject: str
    body: tuple[str, ...]
    signer_title: tuple[str, ...]  #: ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    signer_name: str
    #: "125/SYT-KHTC"; None for a draft ("Số:" alone: docflow numbers it on issuance)
    number: str | None = None
    #: None for a draft ("Thanh Hóa," alone: the date is filled on issuance)
    day: date | None = None


def render_letter(letter: Letter) -> bytes:
    """One A4 page in the layout of NĐ 30/2020 Phụ lục I (simplified), DejaVu fonts."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Frame, Paragraph

    from .registers.pdf import FONT, FONT_BOLD, register_fonts

    register_fonts()
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(letter.subject)
    pdf.setAuthor(" ".join(letter.issuer))
    width, height = A4
    left_x, right_x = 50 * mm, 140 * mm
    top = height - 20 * mm

    def centred(x: float, y: float, text: str, bold: bool = False, size: float = 12):
        pdf.setFont(FONT_BOLD if bold else FONT, size)
        pdf.drawCentredString(x, y, text)

    for n, line in enumerate(letter.issuer):
        centred(left_x, top - n * 6 * mm, line.upper(), bold=n > 0, size=12)
    centred(right_x, top, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
    centred(right_x, top - 6 * mm, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13)
    pdf.setFont(FONT, 13)
    pdf.drawString(25 * mm, top - 16 * mm, f"Số: {letter.number or ''}".strip())
    day = letter.day
    when = f"{letter.place}, ngày {day:%d} tháng {day:%m} năm {day:%Y}" if day else ""
    pdf.drawString(105 * mm, top - 16 * mm, when or f"{letter.place},")
    style = ParagraphStyle("body", fontName=FONT, fontSize=13, leading=18)
    title = ParagraphStyle(
        "title", parent=style, fontName=FONT_BOLD, alignment=1, spaceAfter=6
    )
    story = [
        Paragraph(letter.doc_type.upper(), title),
        Paragraph(letter.subject, ParagraphStyle("s", parent=title, fontSize=13)),
        *(
            Paragraph(text, ParagraphStyle("p", parent=style, firstLineIndent=10 * mm))
            for text in letter.body
        ),
    ]
    Frame(20 * mm, 95 * mm, width - 40 * mm, 140 * mm, showBoundary=0).addFromList(
        story, pdf
    )
    for n, line in enumerate(letter.signer_title):
        centred(right_x, 85 * mm - n * 6 * mm, line.upper(), bold=True, size=13)
    if letter.day is not None:  # a draft's signature appearance carries the name
        centred(right_x, 45 * mm, letter.signer_name, bold=True, size=13)
    pdf.setFont(FONT, 8)
    pdf.drawString(20 * mm, 12 * mm, DEMO_MARK)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


# Incoming paper documents (bản giấy scanned by the records officer) from outside the
# province's directory: issuer, code, notation, type, subject, signer, days ago.
INCOMING = [
    (
        "Bộ Nội vụ",
        "000.00.00.G09",
        "5210",
        "BNV-CQĐP",
        "Công văn",
        "Về việc hướng dẫn sắp xếp tổ chức bộ máy chính quyền địa phương hai cấp",
        "Thứ trưởng",
        "Nguyễn Duy Thăng",
        6,
    ),
    (
        "Văn phòng Chính phủ",
        "000.00.00.G22",
        "8817",
        "VPCP-KSTT",
        "Công văn",
        "Về việc đẩy mạnh cung cấp dịch vụ công trực tuyến toàn trình",
        "Phó Chủ nhiệm",
        "Nguyễn Sỹ Hiệp",
        4,
    ),
    (
        "Bộ Tài chính",
        "000.00.00.G12",
        "112",
        "TB-BTC",
        "Thông báo",
        "Thông báo kết luận hội nghị về giải ngân vốn đầu tư công năm 2026",
        "Thứ trưởng",
        "Bùi Văn Khắng",
        3,
    ),
    (
        "Bộ Y tế",
        "000.00.00.G18",
        "1450",
        "QĐ-BYT",
        "Quyết định",
        "Về việc ban hành hướng dẫn phòng, chống dịch bệnh mùa đông xuân",
        "Thứ trưởng",
        "Đỗ Xuân Tuyên",
        1,
    ),
    (
        "Bộ Giáo dục và Đào tạo",
        "000.00.00.G10",
        "98",
        "KH-BGDĐT",
        "Kế hoạch",
        "Kế hoạch chuyển đổi số ngành giáo dục giai đoạn 2026 - 2030",
        "Thứ trưởng",
        "Phạm Ngọc Thưởng",
        0,
    ),
]
BODY = (
    "Thực hiện chỉ đạo của Chính phủ, Thủ tướng Chính phủ về công tác văn thư, lưu trữ "
    "và chuyển đổi số trong các cơ quan hành chính nhà nước, đề nghị các cơ quan, đơn vị "
    "nghiên cứu, triển khai thực hiện các nội dung nêu trên.",
    "Đề nghị báo cáo kết quả thực hiện trước ngày 15 của tháng cuối quý để tổng hợp, "
    "báo cáo cấp có thẩm quyền. Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, "
    "đề nghị phản ánh kịp thời để được hướng dẫn, giải quyết./.",
)


def _users(agency_id: int) -> dict[str, Any]:
    from .auth.models import User
    from .extensions import db

    return {
        u.username: u
        for u in db.session.scalars(select(User).where(User.agency_id == agency_id))
    }


def create_demo_documents(province: Any, today: date | None = None) -> int:
    """Documents for the demo province; returns how many were made (0 if done before)."""
    from .documents import services as inc
    from .documents.models import IncomingDocument
    from .documents.vocab import Secrecy, Urgency
    from .extensions import db

    already = db.session.scalar(
        select(func.count(IncomingDocument.id)).where(
            IncomingDocument.agency_id == province.id
        )
    )
    if already:
        return 0
    today = today or inc.today()
    people = _users(province.id)
    clerk, leader = people["vanthu"], people["lanhdao"]
    head, specialist = people["truongphong"], people["chuyenvien"]
    made = []
    for n, row in enumerate(INCOMING):
        issuer, code, number, notation, doc_type, subject, title, signer, ago = row
        issued = today - timedelta(days=ago + 2)
        pdf = render_letter(
            Letter(
                issuer=(issuer,),
                place="Hà Nội",
                number=f"{number}/{notation}",
                doc_type=doc_type,
                subject=subject,
                body=BODY,
                signer_title=("KT. BỘ TRƯỞNG", title)
                if issuer.startswith("Bộ")
                else ("KT. CHỦ NHIỆM", title),
                signer_name=signer,
                day=issued,
            )
        )
        doc = inc.receive(clerk, io.BytesIO(pdf), f"{number}-{notation}.pdf")
        made.append(doc)
        if n >= 3:
            continue  # the last two wait in "Chờ vào sổ"
        inc.register(
            clerk,
            doc,
            {
                "issuer_name": issuer,
                "issuer_code": code,
                "code_number": number,
                "code_notation": notation,
                "doc_type": doc_type,
                "subject": subject,
                "signer_name": signer,
                "signer_position": title,
                "issued_date": issued,
                "page_count": 1,
                "urgency": Urgency.URGENT if n == 1 else Urgency.NORMAL,
                "secrecy": Secrecy.NONE,
            },
            presented_to=leader,
        )
        if n == 2:
            continue  # presented to the leader, waiting for an assignment
        plan = inc.AssignmentPlan(
            lead=inc.Target(user_id=specialist.id),
            coordinate=[inc.Target(user_id=head.id)],
            # One due today (shown as due soon), one due in a week.
            deadline=today if n == 0 else today + timedelta(days=7),
            instruction="Giao Phòng Kinh tế chủ trì tham mưu, báo cáo kết quả.",
        )
        inc.assign(leader, doc, plan)
    made += _outgoing(province, people, today)
    _dossier(people, made, today)
    db.session.commit()
    return len(made)


def _outgoing(province: Any, people: dict[str, Any], today: date) -> list[Any]:
    """A draft in review, one waiting for the leader's signature, one issued and sent."""
    from .agencies.models import Agency
    from .documents.vocab import Secrecy, Urgency
    from .extensions import db
    from .outgoing import services as out
    from .outgoing.models import RecipientKind

    clerk, leader = people["vanthu"], people["lanhdao"]
    head, specialist = people["truongphong"], people["chuyenvien"]
    sends_to = list(
        db.session.scalars(
            select(Agency)
            .where(Agency.code.in_(("000.00.01.H56", "000.00.42.H56")))
            .order_by(Agency.code)
        )
    )
    drafts = [
        (
            "Công văn",
            "Về việc đôn đốc triển khai dịch vụ công trực tuyến toàn trình",
            "submit",
        ),
        (
            "Kế hoạch",
            "Kế hoạch kiểm tra công tác văn thư, lưu trữ năm 2026",
            "approve",
        ),
        (
            "Công văn",
            "Về việc báo cáo tình hình sắp xếp đơn vị hành chính cấp xã",
            "issue",
        ),
    ]
    made = []
    for doc_type, subject, stage in drafts:
        pdf = render_letter(
            Letter(
                issuer=("ỦY BAN NHÂN DÂN", "TỈNH THANH HÓA"),
                place="Thanh Hóa",
                doc_type=doc_type,
                subject=subject,
                body=BODY,
                signer_title=("KT. CHỦ TỊCH", leader.position or "PHÓ CHỦ TỊCH"),
                signer_name=leader.full_name,
            )
        )
        values = out.DraftValues(
            doc_type=doc_type,
            subject=subject,
            urgency=Urgency.NORMAL,
            secrecy=Secrecy.NONE,
            department_id=specialist.department_id,
            recipients=[
                *(
                    out.RecipientSpec(RecipientKind.AGENCY, agency_id=a.id)
                    for a in sends_to
                ),
                out.RecipientSpec(RecipientKind.PLACE, name="Lưu: VT, KT."),
            ],
        )
        doc = out.create_draft(specialist, values, io.BytesIO(pdf), "du-thao.pdf")
        out.submit(specialist, doc, [head.id], leader.id)
        made.append(doc)
        if stage == "submit":
            continue  # waiting for the head of unit's review
        out.review(head, doc, True, "Đồng ý, trình lãnh đạo ký.")
        out.review(leader, doc, True)
        if stage == "approve":
            continue  # waiting for the leader's signature
        out.sign(leader, doc)
        out.issue(clerk, doc)  # numbered, sealed, delivered to the two agencies
    return made


def _dossier(people: dict[str, Any], docs: list[Any], today: date) -> None:
    from .dossiers import services as ds
    from .outgoing.models import OutgoingDocument

    specialist = people["chuyenvien"]
    dossier = ds.create_dossier(
        specialist,
        notation="05.KT",
        title="Hồ sơ về sắp xếp tổ chức bộ máy chính quyền địa phương hai cấp",
        retention_years=20,
        section="II. Kinh tế",
        start_date=today - timedelta(days=10),
        year=today.year,
    )
    for doc in docs[:2]:
        ds.add_document(specialist, dossier, "incoming", doc.id)
    issued = [d for d in docs if isinstance(d, OutgoingDocument) and d.issued_at]
    for doc in issued:
        ds.add_document(specialist, dossier, "outgoing", doc.id)
