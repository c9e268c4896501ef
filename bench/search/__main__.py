"""Search over N synthetic articles in English, Arabic and Persian: indexing rate and query
latency (p50, p95) for single words, phrases and filtered queries, on SQLite or PostgreSQL.

Articles are made of the demo site's paragraphs (three per article, drawn at random) and a
line of words drawn from their vocabulary, so every article differs; written straight into
the catalog's tables (not timed), then indexed by ``catch_up`` (timed).

    python -m bench.search [--n 1000000] [--queries 200] [--database-url URL]
                           [--catalog FILE] [--fill-only]

``--catalog FILE`` keeps the SQLite catalog in FILE; run again on it, the articles already
there are not written again (nor indexed again, unless the index is behind), so query
latency can be measured before and after a change on the same million articles.
``--fill-only`` stops before indexing (a filled catalog to copy and index many times).

Targets (issue 12): p95 at most 50 ms on SQLite with 1 M articles; indexing at least
2,000 articles/s.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from crawler.catalog import Article, ArticleVersion, Catalog, sqlite_url
from crawler.demosite import load_content
from crawler.search import ArticleQuery, catch_up, search

T0 = datetime(2025, 1, 1, tzinfo=UTC)
LANGS = {"demo_en": "en", "demo_ar": "ar", "demo_fa": "fa"}


@dataclass(frozen=True)
class Corpus:
    paragraphs: dict[str, list[str]]  # by language
    words: dict[str, list[str]]


def corpus() -> Corpus:
    paragraphs: dict[str, list[str]] = {}
    for outlet in load_content().outlets:
        if outlet.id in LANGS:
            paragraphs[LANGS[outlet.id]] = [p for a in outlet.articles for p in a.paragraphs]
    words = {lang: sorted({w for p in ps for w in p.split() if len(w) > 3})
             for lang, ps in paragraphs.items()}
    return Corpus(paragraphs, words)


def articles(n: int, data: Corpus, rnd: random.Random) -> Iterator[tuple[dict, dict]]:
    langs = sorted(data.paragraphs)
    for i in range(1, n + 1):
        lang = langs[i % len(langs)]
        body = "\n".join(rnd.sample(data.paragraphs[lang], 3)
                         + [" ".join(rnd.choices(data.words[lang], k=12))])
        day = (T0 + timedelta(days=i % 730)).date().isoformat()
        seen = T0 + timedelta(seconds=i)
        yield ({"id": i, "outlet_id": f"bench_{lang}", "url": f"https://{lang}.example/{i}",
                "first_seen": seen, "last_seen": seen, "latest_version": 1, "language": lang,
                "published": day},
               {"id": i, "article_id": i, "version": 1, "captured_at": seen,
                "fetched_url": f"https://{lang}.example/{i}", "title": body[:60], "text": body,
                "text_digest": hashlib.sha1(body.encode()).hexdigest(), "language": lang,
                "published": day, "languages": {}})


def fill(catalog: Catalog, n: int, data: Corpus, seed: int = 1) -> None:
    rnd = random.Random(seed)
    batch: list[tuple[dict, dict]] = []
    for pair in articles(n, data, rnd):
        batch.append(pair)
        if len(batch) == 5000:
            _write(catalog, batch)
            batch = []
    _write(catalog, batch)


def _write(catalog: Catalog, batch: list[tuple[dict, dict]]) -> None:
    if batch:
        with catalog.engine.begin() as conn:
            conn.execute(insert(Article), [a for a, _ in batch])
            conn.execute(insert(ArticleVersion), [v for _, v in batch])


def latency(run: Callable[[ArticleQuery], object],
            queries: list[ArticleQuery]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each query. CPU is this process's: all of a SQLite
    search, only the client side of a PostgreSQL one. On a busy machine the wall clock
    counts the time other processes held the cores; the CPU time does not."""
    wall, cpu = [], []
    for query in queries:
        start, start_cpu = time.perf_counter(), time.process_time()
        run(query)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def _present(catalog: Catalog) -> int:
    with catalog.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Article)).scalar_one()


def measure(url: str, n: int, n_queries: int, *, fill_only: bool = False) -> dict[str, float]:
    """The figures over a catalog of ``n`` articles at ``url`` (written unless there already;
    a catalog holding other articles is an error)."""
    data = corpus()
    catalog = Catalog(url)
    try:
        present = _present(catalog)
        if present not in (0, n):
            raise SystemExit(f"the catalog holds {present:,} articles, not {n:,}: "
                             f"give an empty one, or --n {present}")
        if not present:
            fill(catalog, n, data)
        if fill_only:
            return {"articles": float(n)}
        start = time.perf_counter()
        indexed = catch_up(catalog)
        # 0 when the index was already up to date: nothing was indexed, nothing timed.
        rate = indexed / (time.perf_counter() - start) if indexed else 0.0
        rnd = random.Random(2)
        langs = sorted(data.words)
        words = [rnd.choice(data.words[rnd.choice(langs)]) for _ in range(n_queries)]
        phrases = []
        for _ in range(n_queries):
            para = rnd.choice(data.paragraphs[rnd.choice(langs)]).split()
            at = rnd.randrange(len(para) - 1)
            phrases.append(f'"{para[at]} {para[at + 1]}"')
        since = date(2026, 6, 1)
        kinds = {
            "word": [ArticleQuery(text=w) for w in words],
            "phrase": [ArticleQuery(text=ph) for ph in phrases],
            "filtered": [ArticleQuery(text=w, lang=langs[i % 3], published_from=since)
                         for i, w in enumerate(words)],
        }
        out = {"articles": float(n), "index_rate": rate}
        for kind, queries in kinds.items():
            times, cpu = latency(lambda q: search(catalog, q), queries)
            out[f"{kind}_p50"], out[f"{kind}_p95"] = p(times, 50), p(times, 95)
            out[f"{kind}_cpu_p50"], out[f"{kind}_cpu_p95"] = p(cpu, 50), p(cpu, 95)
        return out
    finally:
        catalog.dispose()


def report(backend: str, r: dict[str, float]) -> str:
    indexed = (f"indexed at {r['index_rate']:,.0f} articles/s (target >= 2,000)"
               if r.get("index_rate") else "not indexed (--fill-only)" if "word_p50" not in r
               else "index already up to date (rate not measured)")
    lines = [f"{backend}: {int(r['articles']):,} articles, {indexed}"]
    if "word_p50" not in r:
        return lines[0]
    for kind in ("word", "phrase", "filtered"):
        lines.append(f"  {kind:9} p50 {r[kind + '_p50']:7.1f} ms   p95 {r[kind + '_p95']:7.1f} ms"
                     f"   (CPU of this process p50 {r[kind + '_cpu_p50']:6.1f}, "
                     f"p95 {r[kind + '_cpu_p95']:6.1f} ms)"
                     + ("   target p95 <= 50 ms at 1 M on SQLite" if kind == "word" else ""))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--database-url", help="a PostgreSQL URL (default: a new SQLite file)")
    parser.add_argument("--catalog", type=Path, help="a SQLite file to keep (and reuse)")
    parser.add_argument("--fill-only", action="store_true", help="write the articles, stop")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or sqlite_url(args.catalog or Path(tmp) / "bench.sqlite")
        backend = "postgresql" if args.database_url else "sqlite"
        print(f"load average {os.getloadavg()[0]:.1f} at the start", flush=True)
        print(report(backend, measure(url, args.n, args.queries, fill_only=args.fill_only)))
        print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
