"""The processing reports of NĐ 30/2020 Phụ lục VI, used weekly to chase late work.

- ``incoming.py``: Báo cáo tình hình giải quyết văn bản đến (per unit, per person in
  charge, and the documents behind each figure).
- ``outgoing.py``: Báo cáo giải quyết văn bản đi (per drafting unit and document type,
  and the documents or recipient agencies behind each figure).
- ``export.py``: both as PDF (the register's printed table) and CSV; ``views.py``: pages.

Every figure is one SQL aggregate over the documents the reader may see (the
documents' own ``visible_clause``), narrowed to the reader's scope: leaders and
records officers their agency, department heads their department.
"""
