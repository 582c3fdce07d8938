"""The registers of NĐ 30/2020 Phụ lục IV, one implementation for both kinds.

The incoming register (Sổ đăng ký văn bản đến, ``documents/register_book.py``) and the
outgoing one (Sổ đăng ký văn bản đi, ``outgoing/register_book.py``) are each described by
a ``RegisterBook``: which documents, which columns. Everything else is shared: the rows
and the count over a period (``book.py``), the printed form (``pdf.py``), the page and
its PDF export (``views.py`` and ``templates/registers/register_book.html``).
"""
