"""What one extraction worker spends on the many-outlets bench's articles, in one process.

``python -m bench.crawl.worker_cost [--n 2000] [--outlets 5] [--repeat 3] [--profile]``
renders the articles ``bench.crawl --outlets K`` serves (gzipped, as served) and runs each
through the worker's task as a crawl does (:data:`crawler.crawl.workers.PROCESS_PAGE` with the
outlet's hints, its learned boilerplate fed by every article before it, requisites asked for),
the task's arguments and its reply pickled and unpickled as the pool's pipes carry them. It
prints the CPU (``process_time``) per article of the worker's side: unpickling the task,
the task, pickling the reply; the best of ``--repeat`` passes and their range. ``--profile``
prints cProfile's top lines (one more pass, under the profiler).

``--dump FILE`` writes every page's result (the article's fields, the requisites, the error)
as JSON lines; ``--compare FILE`` says which pages' results differ from such a file: the check
that a faster worker gives the same articles (run ``--dump`` on the old code first).
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import json
import pickle
import pstats
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from crawler.crawl.processing import warm_up
from crawler.crawl.workerloop import resolve
from crawler.crawl.workers import PROCESS_PAGE

from .model import Site
from .multisite import OutletsSpec
from .render import article_html

CONTENT_TYPE = "text/html; charset=utf-8"
HINTS = ("en", "ar", "fa")
MAX_SIZE = 2**62


@dataclasses.dataclass(frozen=True)
class Page:
    outlet: int | str
    url: str
    gzipped: bytes
    content_type: str | None = CONTENT_TYPE


def bench_pages(n: int, outlets: int) -> list[Page]:
    """Every article of the bench's outlets, in each outlet's id order, gzipped as served
    (rendered once, then read from the bench's cache directory)."""
    import gzip

    from .site import GENERATOR_VERSION, cache_dir

    cached = cache_dir(OutletsSpec(n, outlets).sites()[0]).parent / (
        f"worker-pages-n{n}-o{outlets}-g{GENERATOR_VERSION}.pickle")
    if cached.exists():
        return [Page(*row) for row in pickle.loads(cached.read_bytes())]
    pages = []
    for k, spec in enumerate(OutletsSpec(n, outlets).sites()):
        site = Site(spec)
        base = f"http://127.0.0.1:{18500 + k}"
        for ref in site.articles:
            raw = article_html(site, ref)
            pages.append(Page(k, base + ref.path, gzip.compress(raw, 6, mtime=0)))
    cached.parent.mkdir(parents=True, exist_ok=True)
    rows = [dataclasses.astuple(page) for page in pages]  # not the class: it may be __main__'s
    cached.write_bytes(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))
    return pages


def labelled_pages() -> list[Page]:
    """The pages of ``bench.extract`` (English, Arabic and Persian in five designs, each
    design an outlet) and the HTML fixtures of tests/extraction (their charset sniffed)."""
    import gzip

    from bench.extract.pages import build_pages

    pages = [Page(page.design, page.url, gzip.compress(page.body, 6, mtime=0),
                  page.content_type) for page in build_pages()]
    fixtures = Path(__file__).resolve().parents[2] / "tests" / "extraction" / "fixtures"
    for path in sorted(fixtures.glob("*.html")):
        pages.append(Page("fixtures", f"https://fixtures.example/{path.name}",
                          gzip.compress(path.read_bytes(), 6, mtime=0), None))
    return pages


def _results(pages: list[Page], task: Callable[..., Any],
             timer: Callable[[], float] = time.process_time
             ) -> Iterator[tuple[Page, Any, float]]:
    """Each page's result and the worker-side CPU it took, the outlets' learned boilerplate
    fed as the extraction pipeline feeds it."""
    from crawler.extraction import RepeatedLines

    repeats: dict[int | str, RepeatedLines] = {}
    for page in pages:
        learned = repeats.setdefault(page.outlet, RepeatedLines())
        payload = pickle.dumps((page.gzipped, page.url, page.content_type, HINTS, MAX_SIZE,
                                learned.learned, True), protocol=pickle.HIGHEST_PROTOCOL)
        start = timer()
        reply = pickle.dumps((True, task(*pickle.loads(payload))),
                             protocol=pickle.HIGHEST_PROTOCOL)
        spent = timer() - start
        result = pickle.loads(reply)[1]
        article = result.article
        if article is not None:
            learned.add(article.canonical_url, [*article.text.split("\n"), *article.boilerplate])
        yield page, result, spent


def _record(page: Page, result: Any) -> dict[str, Any]:
    article = result.article
    return {"url": page.url, "error": result.error, "requisites": result.requisites,
            "article": dataclasses.asdict(article) if article is not None else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl.worker_cost",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--outlets", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--labelled", action="store_true",
                        help="bench.extract's pages and the extraction fixtures instead")
    parser.add_argument("--every", type=int, default=1,
                        help="every K-th article only (a quicker sample, under valgrind say)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--profile-out", type=Path, help="write the pstats file here")
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args(argv)

    if args.labelled:
        pages = labelled_pages()[::max(args.every, 1)]
    else:
        print(f"rendering {args.n} articles of {args.outlets} outlets ...", file=sys.stderr)
        pages = bench_pages(args.n, args.outlets)[::max(args.every, 1)]
    task = resolve(PROCESS_PAGE)
    warm_up()
    passes: list[float] = []
    records: list[dict[str, Any]] = []
    # A pass at least when its results are to be dumped or compared.
    for k in range(max(args.repeat, 1 if args.dump or args.compare else 0)):
        total = 0.0
        for page, result, spent in _results(pages, task):
            total += spent
            if k == 0 and (args.dump or args.compare):
                records.append(_record(page, result))
        passes.append(total * 1000 / len(pages))
    if passes:
        print(f"worker CPU ms/article over {len(pages)} articles: best {min(passes):.2f}, "
              f"passes {', '.join(f'{p:.2f}' for p in passes)}")
    if args.profile:
        profiler = cProfile.Profile()

        def profiled(*task_args: Any) -> Any:
            # The worker's side only: not the learned boilerplate's counting (the crawl's).
            profiler.enable()
            try:
                return task(*task_args)
            finally:
                profiler.disable()

        for _ in _results(pages, profiled):
            pass
        if args.profile_out:
            profiler.dump_stats(args.profile_out)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        print(f"wrote {len(records)} results to {args.dump}")
    if args.compare:
        return compare(records, args.compare)
    return 0


def compare(records: list[dict[str, Any]], path: Path) -> int:
    """Print the pages whose results differ from the dump at ``path``; 1 if any does."""
    old = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    differ = 0
    for before, after in zip(old, records, strict=True):
        after = json.loads(json.dumps(after, ensure_ascii=False, sort_keys=True))
        if before != after:
            differ += 1
            if differ <= 10:
                keys = sorted(k for k in (before.get("article") or {})
                              if (before.get("article") or {}).get(k)
                              != (after.get("article") or {}).get(k))
                print(f"differs: {after['url']} (article fields: {', '.join(keys) or '-'})")
    print(f"{len(records) - differ} of {len(records)} results identical to {path}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
