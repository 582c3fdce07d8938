"""Search benchmark and relevance measurement (prints JSON lines).

    python bench/search.py                      # 20,000 synthetic documents
    python bench/search.py --docs 100000        # the full measurement
    python bench/search.py --sharded            # one index per agency, same interface
    python bench/search.py --relevance          # bigrams vs word segmentation (ALQAC)

Synthetic documents are recombined from the ALQAC 2022 law articles in
../shared/corpora/vn-legal (~2 KB each, 50 agencies). ``--relevance`` needs pyvi and
underthesea importable (a separate virtualenv is fine: PYTHONPATH=. other/bin/python).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search import analysis  # noqa: E402
from search.index import IndexDocument, SearchQuery, Viewer  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "vn-legal" / "alqac2022"
DOC_TYPES = [
    ("Quyết định", "QĐ"),
    ("Công văn", ""),
    ("Tờ trình", "TTr"),
    ("Kế hoạch", "KH"),
    ("Thông báo", "TB"),
    ("Báo cáo", "BC"),
    ("Chỉ thị", "CT"),
    ("Nghị quyết", "NQ"),
]
ISSUERS = [
    ("UBND", "Ủy ban nhân dân tỉnh"),
    ("STC", "Sở Tài chính"),
    ("SNV", "Sở Nội vụ"),
    ("STNMT", "Sở Tài nguyên và Môi trường"),
    ("SYT", "Sở Y tế"),
    ("SGDĐT", "Sở Giáo dục và Đào tạo"),
    ("SXD", "Sở Xây dựng"),
    ("CA", "Công an tỉnh"),
]
SIGNERS = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Hoàng Cường",
    "Phạm Đức Dũng",
    "Đặng Thu Hà",
    "Võ Minh Khoa",
    "Bùi Thị Lan",
    "Đỗ Quang Minh",
]
STATUSES = ["draft", "registered", "in_progress", "issued", "archived"]


def emit(**record) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def load_articles() -> list[tuple[str, str, str]]:
    """(law id, article id, text) for every ALQAC article."""
    laws = json.loads((CORPUS / "law.json").read_text(encoding="utf-8"))
    return [
        (law["id"], a["id"], analysis.nfc(a["text"]))
        for law in laws
        for a in law["articles"]
    ]


def synthetic_docs(n: int, agencies: int, seed: int = 7):
    """``n`` reproducible documents recombined from article paragraphs."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    articles = load_articles()
    titles = [t.split("\n", 1)[0] for _, _, t in articles]
    paragraphs = [
        p.strip() for _, _, t in articles for p in t.split("\n") if len(p) > 40
    ]
    for i in range(n):
        dtype, abbrev = rng.choice(DOC_TYPES)
        issuer_code, issuer = rng.choice(ISSUERS)
        agency = f"a{rng.randrange(agencies)}"
        body, size = [], rng.randint(1200, 2800)
        while sum(map(len, body)) < size:
            body.append(rng.choice(paragraphs))
        day = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3900))
        number = f"{i + 1}/{abbrev + '-' if abbrev else ''}{issuer_code}"
        yield IndexDocument(
            id=f"d{i}",
            version="1",
            agency_id=agency,
            subject=f"{dtype} về {rng.choice(titles).lower()}",
            content="\n".join(body),
            number=number,
            issuer=f"{issuer} ({agency})",
            doc_type=dtype,
            signer=rng.choice(SIGNERS),
            issued_date=day,
            status=rng.choice(STATUSES),
            department_ids=(f"{agency}-p{rng.randrange(6)}",),
            user_ids=(f"{agency}-u{rng.randrange(40)}",),
            public_in_agency=rng.random() < 0.7,
        )


def make_queries(docs: list[IndexDocument], count: int, agencies: int, seed=11):
    """Queries per kind, sampled from the documents themselves (frequency-weighted)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    kinds: dict[str, list[SearchQuery]] = {
        k: [] for k in ("one_word", "two_words", "phrase", "number")
    }
    while min(len(v) for v in kinds.values()) < count:
        doc = rng.choice(docs)
        words = analysis.syllables(doc.content)
        at = rng.randrange(len(words) - 3)
        viewer = Viewer(
            agency_id=doc.agency_id,
            user_id=f"{doc.agency_id}-u1",
            department_ids=(f"{doc.agency_id}-p1",),
        )
        texts = {
            "one_word": words[at],
            "two_words": f"{words[at]} {words[at + 1]}",
            "phrase": '"' + " ".join(words[at : at + 3]) + '"',
            "number": analysis.fold(doc.number) if rng.random() < 0.5 else doc.number,
        }
        for kind, text in texts.items():
            if len(kinds[kind]) < count:
                kinds[kind].append(SearchQuery(text=text, viewer=viewer))
    return kinds


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run_bench(args) -> None:
    from search.whoosh_index import WhooshIndex

    tmp = Path(args.path or tempfile.mkdtemp(prefix="search-bench-"))
    shutil.rmtree(tmp, ignore_errors=True)
    if args.sharded:
        from search.sharded_index import AgencyShardedIndex

        index = AgencyShardedIndex(tmp, procs=args.procs)
    else:
        index = WhooshIndex(tmp, procs=args.procs)
    docs = list(synthetic_docs(args.docs, args.agencies))
    text_mb = sum(len(d.content.encode()) for d in docs) / 1e6
    started = time.perf_counter()
    for i in range(0, len(docs), args.batch):
        index.upsert(docs[i : i + args.batch])
    if args.optimize:
        index.optimize()
    elapsed = time.perf_counter() - started
    size = sum(f.stat().st_size for f in tmp.rglob("*") if f.is_file())
    emit(
        event="index",
        backend=type(index).__name__,
        docs=len(docs),
        text_mb=round(text_mb, 1),
        seconds=round(elapsed, 1),
        docs_per_s=round(len(docs) / elapsed),
        index_mb=round(size / 1e6, 1),
        procs=args.procs,
        agencies=args.agencies,
        optimized=args.optimize,
    )
    queries = make_queries(docs, args.queries, args.agencies)
    for facets in (True, False):
        for kind, qs in queries.items():
            times, totals = [], []
            for q in qs:
                if not facets:
                    q = SearchQuery(text=q.text, viewer=q.viewer, facets=())
                t = time.perf_counter()
                results = index.search(q)
                times.append((time.perf_counter() - t) * 1000)
                totals.append(results.total)
            emit(
                event="query",
                backend=type(index).__name__,
                docs=len(docs),
                kind=kind,
                facets=facets,
                n=len(times),
                p50_ms=round(percentile(times, 50), 1),
                p95_ms=round(percentile(times, 95), 1),
                max_ms=round(max(times), 1),
                median_hits=statistics.median(totals),
            )
    if not args.path:
        shutil.rmtree(tmp, ignore_errors=True)


# -- relevance: syllable bigrams vs word segmentation ---------------------------------


def run_relevance(args) -> None:
    from pyvi import ViTokenizer
    from underthesea import word_tokenize
    from whoosh import fields
    from whoosh import query as wq
    from whoosh.analysis import CharsetFilter, LowercaseFilter, SpaceSeparatedTokenizer
    from whoosh.support.charset import accent_map

    from search.query import MAX_REQUIRED_WORDS, parse
    from search.whoosh_index import make_schema, to_fields

    segmenters = {
        "pyvi": lambda s: ViTokenizer.tokenize(s).split(),
        "underthesea": lambda s: word_tokenize(s, format="text").split(),
    }
    seg_analyzer = (
        SpaceSeparatedTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
    )
    schema = make_schema()
    for name in segmenters:
        schema.add(f"seg_{name}", fields.TEXT(analyzer=seg_analyzer, phrase=False))

    articles = load_articles()
    tmp = tempfile.mkdtemp(prefix="search-relevance-")
    from whoosh import index as windex

    ix = windex.create_in(tmp, schema)
    started = time.perf_counter()
    seg_seconds = dict.fromkeys(segmenters, 0.0)
    with ix.writer() as w:
        for law, art, text in articles:
            title, _, body = text.partition("\n")
            doc = IndexDocument(
                id=f"{law}#{art}",
                version="1",
                agency_id="a",
                content=body.strip(),
                public_in_agency=True,
            )
            values = to_fields(doc)
            for name, seg in segmenters.items():
                t = time.perf_counter()
                values[f"seg_{name}"] = " ".join(seg(values["text"]))
                seg_seconds[name] += time.perf_counter() - t
            w.add_document(**values)
    emit(
        event="relevance_index",
        articles=len(articles),
        seconds=round(time.perf_counter() - started, 1),
        segment_seconds={k: round(v, 1) for k, v in seg_seconds.items()},
    )

    # Query sets: the 520 ALQAC questions (judged articles), and article titles as
    # short topic queries against article bodies (titles removed from the index).
    questions = json.loads((CORPUS / "question.json").read_text(encoding="utf-8"))
    qsets = {
        "questions": [
            (
                analysis.nfc(q["text"]),
                {f"{r['law_id']}#{r['article_id']}" for r in q["relevant_articles"]},
            )
            for q in questions
        ]
    }
    titles: dict[str, set[str]] = {}
    for law, art, text in articles:
        title = text.split("\n", 1)[0].strip()
        if 2 <= len(analysis.syllables(title)) <= MAX_REQUIRED_WORDS:
            titles.setdefault(title, set()).add(f"{law}#{art}")
    qsets["titles"] = [(t, rel) for t, rel in titles.items() if len(rel) == 1]
    qsets["titles_no_accents"] = [(analysis.fold(t), rel) for t, rel in qsets["titles"]]

    fold = analysis.fold

    def build(text: str, variant: str, loose: bool):
        parsed = parse(text)
        required, should = [], []
        for chunk in parsed.chunks:
            for word in chunk:
                required.append(wq.Term("text", fold(word)))
                if variant != "unigram" and word != fold(word):
                    should.append(wq.Term("text_exact", word))
            if variant == "bigram":
                should += [
                    wq.Term("text_bi", p, boost=2.0)
                    for p in analysis.bigrams([fold(w) for w in chunk])
                ]
            elif variant.startswith("seg_"):
                tokens = segmenters[variant[4:]](" ".join(chunk))
                should += [
                    wq.Term(variant, fold(t), boost=2.0) for t in tokens if "_" in t
                ]
        if loose:
            return wq.Or(required + should)
        main = wq.And(required)
        return wq.AndMaybe(main, wq.Or(should)) if should else main

    variants = ["unigram", "exact", "bigram", "seg_pyvi", "seg_underthesea"]
    with ix.searcher() as s:
        for qname, qs in qsets.items():
            for variant in variants:
                rr, hit1, hit10, times = [], 0, 0, []
                for text, relevant in qs:
                    t = time.perf_counter()
                    many = len(analysis.syllables(text)) > MAX_REQUIRED_WORDS
                    hits = s.search(build(text, variant, many), limit=10)
                    if len(hits) == 0 and not many:
                        hits = s.search(build(text, variant, True), limit=10)
                    ranked = [h["id"] for h in hits]
                    times.append((time.perf_counter() - t) * 1000)
                    rank = next(
                        (i for i, d in enumerate(ranked) if d in relevant), None
                    )
                    rr.append(0 if rank is None else 1 / (rank + 1))
                    hit1 += rank == 0
                    hit10 += rank is not None
                emit(
                    event="relevance",
                    queries=qname,
                    variant=variant,
                    n=len(qs),
                    mrr10=round(statistics.mean(rr), 3),
                    hit1=round(hit1 / len(qs), 3),
                    hit10=round(hit10 / len(qs), 3),
                    p50_ms=round(percentile(times, 50), 1),
                )
    shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--agencies", type=int, default=50)
    parser.add_argument("--queries", type=int, default=100, help="per kind")
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--optimize", action="store_true", help="merge to one segment")
    parser.add_argument("--sharded", action="store_true", help="one index per agency")
    parser.add_argument("--path", help="keep the index in this folder")
    parser.add_argument("--relevance", action="store_true")
    args = parser.parse_args()
    run_relevance(args) if args.relevance else run_bench(args)


if __name__ == "__main__":
    main()
