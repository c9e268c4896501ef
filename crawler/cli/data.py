"""`akhbar export`, `akhbar search`, `akhbar detect-lang`."""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime
from typing import TextIO

import click

from crawler import service
from crawler.cli.main import Obj, cli, pass_obj

CSV_FIELDS = [
    "url",
    "outlet",
    "language",
    "title",
    "author",
    "published",
    "captured_at",
    "warc_file",
    "warc_offset",
    "warc_length",
    "version",
]


def parse_since(value: str | None) -> datetime | None:
    try:
        return service.parse_since(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@click.option("--outlet")
@click.option("--lang", help="Primary language code, e.g. fa.")
@click.option("--since", help="Only articles seen since this ISO date/time.")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-")
@pass_obj
def export(
    obj: Obj,
    fmt: str,
    outlet: str | None,
    lang: str | None,
    since: str | None,
    output: TextIO,
) -> None:
    """Export the latest version of every article: one JSON object per line, or CSV."""
    query = service.ArticleQuery(outlet=outlet, lang=lang, since=parse_since(since))
    count = 0
    writer = csv.DictWriter(output, CSV_FIELDS, extrasaction="ignore") if fmt == "csv" else None
    if writer:
        writer.writeheader()
    for rec in service.iter_articles(obj.ctx, query):
        if writer:
            writer.writerow(rec)
        else:
            output.write(json.dumps(rec, ensure_ascii=False) + "\n")
        count += 1
    click.echo(f"exported {count} article(s)", err=True)


@cli.command()
@click.argument("words")
@click.option("--outlet")
@click.option("--lang")
@click.option("--limit", default=20, show_default=True)
@pass_obj
def search(obj: Obj, words: str, outlet: str | None, lang: str | None, limit: int) -> None:
    """Articles whose title or text contains WORDS."""
    query = service.ArticleQuery(outlet=outlet, lang=lang, text=words, limit=limit)
    for rec in service.iter_articles(obj.ctx, query):
        click.echo(
            f"[{rec['language']}] {rec['published'] or '----------'} {rec['title']}\n"
            f"      {rec['url']}"
        )


@cli.command("detect-lang")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "text"]),
    default="jsonl",
    show_default=True,
    help="jsonl: {id, text} objects in; text: one text per line.",
)
def detect_lang(fmt: str) -> None:
    """Tag the language of texts read on standard input."""
    from crawler.language.cli import detect_lang_stream

    sys.exit(detect_lang_stream(sys.stdin, sys.stdout, fmt))
