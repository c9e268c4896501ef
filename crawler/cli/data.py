"""`akhbar export`, `akhbar search`, `akhbar detect-lang`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, BinaryIO

import click

from crawler import service
from crawler.cli.main import Obj, cli, pass_obj

if TYPE_CHECKING:
    from crawler.service.exports import ExportFormat

#: Export formats (crawler.service.exports, which loads pyarrow, is imported on first use).
FORMATS = ("jsonl", "csv", "parquet")


def parse_since(value: str | None) -> datetime | None:
    try:
        return service.parse_since(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def filters(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options search and export share: what to find, in which versions."""
    options = [
        click.option("--outlet", help="Only this outlet (its id)."),
        click.option("--lang", help="Only this language code, e.g. fa."),
        click.option("--since", help="Only articles seen since this ISO date/time."),
        click.option("--from", "from_", help="Published on or after this ISO date."),
        click.option("--to", help="Published on or before this ISO date."),
        click.option("--captured-from", help="Versions captured since this ISO date/time."),
        click.option("--captured-to", help="Versions captured until this ISO date/time."),
        click.option("--all-versions", is_flag=True,
                     help="Every version of each article, not only the latest."),
        click.option("--exact", is_flag=True,
                     help="Match the words as typed (folded), without light stemming."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def article_query(text: str | None, outlet: str | None, lang: str | None, since: str | None,
                  from_: str | None, to: str | None, captured_from: str | None,
                  captured_to: str | None, all_versions: bool, exact: bool,
                  **more: Any) -> service.ArticleQuery:
    return service.ArticleQuery(
        text=text, outlet=outlet, lang=lang, since=parse_since(since),
        published_from=service.parse_day("from", from_),
        published_to=service.parse_day("to", to),
        captured_from=parse_since(captured_from), captured_to=parse_since(captured_to),
        all_versions=all_versions, exact=exact, **more)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl",
              show_default=True)
@click.option("--excel", is_flag=True,
              help="CSV: start with a UTF-8 byte-order mark, so spreadsheets read Arabic and "
                   "Persian right.")
@click.option("--query", "-q", "text", help="Only articles matching this search query.")
@filters
@click.option("--output", "-o", type=click.File("wb"), default="-")
@pass_obj
def export(obj: Obj, fmt: ExportFormat, excel: bool, text: str | None, output: BinaryIO,
           **options: Any) -> None:
    """Export articles (the latest version of each, or all versions): one JSON object per
    line, CSV with every field including the text, or Parquet."""
    query = article_query(text, **options)
    count = service.export_articles(obj.ctx, query, fmt, output, excel=excel)
    click.echo(f"exported {count} article(s)", err=True)


@cli.command()
@click.argument("words")
@filters
@click.option("--sort", type=click.Choice(["rank", "date"]), default="rank",
              show_default=True, help="Best match first, or newest published first.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0))
@click.option("--json", "as_json", is_flag=True, help="The page as one JSON object.")
@pass_obj
def search(obj: Obj, words: str, sort: str, limit: int, offset: int, as_json: bool,
           **options: Any) -> None:
    """Articles matching WORDS: all words must match; "a phrase", OR, -word, prefix*.
    Arabic and Persian spellings (ي/ی, ك/ک, hamza, vowel marks, digits) are folded."""
    query = article_query(words, sort=sort, limit=limit, offset=offset, **options)
    page = service.search_articles(obj.ctx, query)
    if as_json:
        click.echo(json.dumps(page.to_dict(), ensure_ascii=False, indent=2))
        return
    color = sys.stdout.isatty()
    for hit in page.hits:
        version = f" v{hit.version}" if hit.version != hit.latest_version else ""
        mark = (("\x1b[1m", "\x1b[0m") if color else ("[", "]"))
        click.echo(f"[{hit.language}] {hit.published or '----------'} {hit.title}{version}\n"
                   f"      {hit.url}\n      {hit.snippet.marked(*mark)}")
    shown = f"{offset + 1}-{offset + len(page.hits)}" if page.hits else "none"
    more = f"; next: --offset {page.next_offset}" if page.next_offset is not None else ""
    total = f"{page.total:,}" if page.total_exact else f"about {page.total:,}"
    click.echo(f"{total} match(es), showing {shown}{more}", err=True)


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
