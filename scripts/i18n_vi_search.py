"""Vietnamese messages of search: the search page, its JSON twin, extraction states (merged by i18n_vi.py)."""

VI_SEARCH = {
    "Search": "Tìm kiếm",
    "Search documents": "Tìm kiếm văn bản",
    "Words, phrase in quotes, or number and notation": "Từ khóa, cụm từ trong ngoặc kép, hoặc số, ký hiệu",
    "e.g. quyết định 15/QĐ-UBND": "ví dụ: quyết định 15/QĐ-UBND",
    "Document type": "Loại văn bản",
    "Issuing agency": "Cơ quan ban hành",
    "Year": "Năm",
    "Status": "Trạng thái",
    "All": "Tất cả",
    "Sort by": "Sắp xếp theo",
    "Relevance": "Mức độ phù hợp",
    "Newest first": "Mới nhất trước",
    "Oldest first": "Cũ nhất trước",
    "%(n)d documents found.": "Tìm thấy %(n)d văn bản.",
    "(no number)": "(chưa có số)",
    "(not registered yet)": "(chưa vào sổ)",
    "No document matches. Check the spelling or remove a filter.":
        "Không có văn bản phù hợp. Hãy kiểm tra chính tả hoặc bỏ bớt điều kiện lọc.",
    "Previous": "Trang trước",
    "Next": "Trang sau",
    "Search is unavailable right now. Try again in a few minutes.":
        "Chức năng tìm kiếm tạm thời không hoạt động. Vui lòng thử lại sau ít phút.",
    "Sign in to search.": "Hãy đăng nhập để tìm kiếm.",
    "Content extracted for search.": "Đã trích xuất nội dung để tìm kiếm.",
    "No text found in the file (a scan without OCR?): only the metadata is searchable.":
        "Không tìm thấy chữ trong tệp (bản quét chưa nhận dạng ký tự?): chỉ tìm được theo thông tin văn bản.",
    "The content could not be extracted: only the metadata is searchable.":
        "Không trích xuất được nội dung: chỉ tìm được theo thông tin văn bản.",
}
