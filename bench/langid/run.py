"""Benchmark the language tagger on the labelled corpus in ``corpus/``.

Run from the project root: ``python -m bench.langid`` or ``python bench/langid/run.py``.
Prints accuracy per language and length, the Arabic/Persian confusions, the mixed
pages' primary/secondary accuracy, the confusers' false-tag rate and texts per
second on one core, each against its target. ``--errors`` lists what went wrong;
``--check`` exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.langid.corpus import Item, load  # noqa: E402
else:
    from .corpus import Item, load

from crawler.language import tag_languages  # noqa: E402

MAIN = ("en", "ar", "fa")
KINDS = ("paragraph", "sentence", "short")
TARGETS = {"paragraph": 1.0, "sentence": 0.998, "short": 0.99}
MIXED_TARGET = 0.995
CONFUSER_MAX_FALSE_TAG = 0.02
PARAGRAPHS_PER_SECOND = 1000.0


def _mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def _throughput(texts: Sequence[str], repeat: int) -> float:
    # langdetect's answers are cached by text: a pass must not reuse the previous pass's.
    from crawler.language import profiles

    profiles._CACHE.clear()
    start = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            tag_languages(text)
    elapsed = time.perf_counter() - start
    return len(texts) * repeat / elapsed if elapsed else float("inf")


def run(items: Sequence[Item], repeat: int, show_errors: bool) -> bool:
    tag_languages("warm up the profiles once")  # profile loading is not what we time
    got = {id(item): tag_languages(item.text) for item in items}
    all_ok = True
    errors: list[str] = []

    print("Accuracy by language and length (und counts as wrong)")
    print(f"{'kind':<10}" + "".join(f"{lang:>16}" for lang in MAIN) + f"{'all':>16}  target")
    confusions: Counter[str] = Counter()
    paragraph_confusions = 0
    for kind in KINDS:
        row, total, right = f"{kind:<10}", 0, 0
        for lang in MAIN:
            subset = [i for i in items if i.kind == kind and i.lang == lang]
            ok = sum(got[id(i)].lang == lang for i in subset)
            total, right = total + len(subset), right + ok
            row += f"{ok:>6}/{len(subset):<4}{ok / max(len(subset), 1):>6.1%}"
            for item in subset:
                answer = got[id(item)].lang
                if answer != lang:
                    errors.append(f"{item.source}: want {lang} got {answer}: {item.text[:90]}")
                if {answer, lang} == {"ar", "fa"}:
                    confusions[f"{lang}->{answer}"] += 1
                    paragraph_confusions += kind == "paragraph"
        accuracy = right / max(total, 1)
        met = accuracy >= TARGETS[kind]
        all_ok &= met
        print(row + f"{ok_rate(right, total):>16}  >= {TARGETS[kind]:.1%} {_mark(met)}")
    met = paragraph_confusions == 0
    all_ok &= met
    print(
        f"\nArabic/Persian confusions: ar->fa {confusions['ar->fa']}, fa->ar {confusions['fa->ar']}"
        f" (in paragraphs: {paragraph_confusions}, target 0 {_mark(met)})"
    )

    mixed = [i for i in items if i.kind == "mixed"]
    primary = sum(got[id(i)].lang == i.lang for i in mixed)
    both = 0
    for item in mixed:
        result = got[id(item)]
        if result.lang == item.lang and result.secondary == item.secondary:
            both += 1
        else:
            errors.append(
                f"{item.source}: want {item.lang}/{item.secondary} got "
                f"{result.lang}/{result.secondary} {result.shares}"
            )
    met = both / max(len(mixed), 1) >= MIXED_TARGET
    all_ok &= met
    print(
        f"\nMixed pages ({len(mixed)}): primary right {ok_rate(primary, len(mixed))}, "
        f"primary and secondary right {ok_rate(both, len(mixed))}  >= {MIXED_TARGET:.1%} "
        f"{_mark(met)}"
    )

    print("\nConfusers (other Arabic-script languages)")
    print(f"{'lang':<6}{'own code':>14}{'tagged fa/ar':>16}   answers")
    false_total = confuser_total = 0
    for lang in sorted({i.lang for i in items if i.kind == "confuser"}):
        subset = [i for i in items if i.kind == "confuser" and i.lang == lang]
        answers = Counter(got[id(i)].lang for i in subset)
        false = answers["fa"] + answers["ar"]
        false_total, confuser_total = false_total + false, confuser_total + len(subset)
        print(
            f"{lang:<6}{ok_rate(answers[lang], len(subset)):>14}{ok_rate(false, len(subset)):>16}"
            f"   {dict(answers)}"
        )
        errors.extend(
            f"{i.source}: want {lang} got {got[id(i)].lang}: {i.text[:90]}"
            for i in subset
            if got[id(i)].lang != lang
        )
    rate = false_total / max(confuser_total, 1)
    met = rate < CONFUSER_MAX_FALSE_TAG
    all_ok &= met
    print(
        f"{'all':<6}{'':>14}{ok_rate(false_total, confuser_total):>16}   "
        f"target < {CONFUSER_MAX_FALSE_TAG:.0%} {_mark(met)}"
    )

    print(f"\nSpeed on one core (texts per second, best of {repeat} passes)")
    by_kind: dict[str, list[str]] = defaultdict(list)
    for item in items:
        by_kind[item.kind].append(item.text)
    for kind in (*KINDS, "mixed", "confuser"):
        texts = by_kind[kind]
        rate_ = max(_throughput(texts, 1) for _ in range(repeat))
        line = f"{kind:<10}{rate_:>10,.0f}/s  ({len(texts)} texts"
        if kind == "paragraph":
            met = rate_ >= PARAGRAPHS_PER_SECOND
            all_ok &= met
            line += f", mean {sum(map(len, texts)) / len(texts):.0f} chars; target >= "
            line += f"{PARAGRAPHS_PER_SECOND:,.0f}/s {_mark(met)}"
        print(line + ")")

    articles = _articles([i for i in items if i.kind == "paragraph"])
    rate_ = max(_throughput(articles, 1) for _ in range(repeat))
    print(
        f"{'article':<10}{rate_:>10,.0f}/s  ({len(articles)} texts of 8 paragraphs, mean "
        f"{sum(map(len, articles)) / len(articles):,.0f} chars)"
    )
    paragraphs = by_kind["paragraph"]
    print(
        f"plain langdetect (55 profiles, seeded), for comparison: "
        f"{_langdetect_rate(paragraphs):,.0f} paragraphs/s, "
        f"{_langdetect_rate(articles):,.0f} articles/s"
    )

    if show_errors and errors:
        print("\nErrors")
        for error in errors:
            print("  " + error)
    print(f"\nAll targets met: {all_ok}")
    return all_ok


def _articles(paragraphs: Sequence[Item], size: int = 8) -> list[str]:
    """Whole articles: runs of ``size`` paragraphs of one language, blank-line separated."""
    articles = []
    for lang in MAIN:
        texts = [i.text for i in paragraphs if i.lang == lang]
        articles.extend("\n\n".join(texts[k : k + size]) for k in range(0, len(texts), size))
    return articles


def _langdetect_rate(texts: Sequence[str]) -> float:
    from langdetect import DetectorFactory, detect

    DetectorFactory.seed = 0
    detect("warm up")
    start = time.perf_counter()
    for text in texts:
        detect(text)
    return len(texts) / (time.perf_counter() - start)


def ok_rate(right: int, total: int) -> str:
    return f"{right}/{total} {right / max(total, 1):.1%}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list every wrong answer")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--repeat", type=int, default=3, help="timing passes (best is kept)")
    args = parser.parse_args(argv)
    items = load()
    counts = Counter((i.kind, i.lang) for i in items)
    print("Corpus: " + ", ".join(f"{k}/{lang} {n}" for (k, lang), n in sorted(counts.items())))
    print()
    ok = run(items, max(1, args.repeat), args.errors)
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
