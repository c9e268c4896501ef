"""`akhbar captures`, `show`, `diff`, `reindex`, `verify`, `export-wacz`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from crawler import service
from crawler.cli.main import Obj, cli, echo_err, fmt_size, pass_obj

CAPTURE_FIELDS = ["urlkey", "timestamp", "url", "mime", "status", "digest", "length", "offset",
                  "filename"]


def _capture_dict(line: Any, fields: list[str]) -> dict[str, Any]:
    full = {"urlkey": line.urlkey, "timestamp": line.timestamp, **line.fields}
    return {name: full.get(name) for name in fields}


@cli.command()
@click.argument("url")
@click.option("--match", "match_type", type=click.Choice(["exact", "prefix", "host", "domain"]),
              default="exact", show_default=True, help="CDX API matchType.")
@click.option("--from", "from_", help="Earliest time: ISO date/time or timestamp prefix.")
@click.option("--to", help="Latest time (inclusive): ISO date/time or timestamp prefix.")
@click.option("--closest", help="Sort by distance to this time.")
@click.option("--limit", type=int, help="At most N captures (the last N when negative).")
@click.option("--filter", "filters", multiple=True,
              help="[!][~|=]field:value, e.g. status:200, '!mime:warc/revisit'. Repeatable.")
@click.option("--outlet", help="Only this outlet's index.")
@click.option("--fl", help="Fields to print, comma-separated (default: all).")
@click.option("--output", "output", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text: one line per capture; json: one object per line.")
@pass_obj
def captures(obj: Obj, url: str, match_type: str, from_: str | None, to: str | None,
             closest: str | None, limit: int | None, filters: tuple[str, ...],
             outlet: str | None, fl: str | None, output: str) -> None:
    """Every capture of URL (or, with --match, of many URLs), from the CDXJ index."""
    query = service.CaptureQuery(
        url, match_type=match_type, from_=service.parse_timestamp(from_),
        to=service.parse_timestamp(to), closest=service.parse_timestamp(closest),
        limit=limit, filters=filters, outlet=outlet)
    fields = [f.strip() for f in fl.split(",")] if fl else CAPTURE_FIELDS
    found = service.find_captures(obj.ctx, query)
    for line in found:
        data = _capture_dict(line, fields)
        if output == "json":
            click.echo(json.dumps(data, ensure_ascii=False))
        else:
            click.echo(" ".join("-" if v is None else str(v) for v in data.values()))
    if not found:
        echo_err(f"no captures of {url} (match {match_type})")
        sys.exit(1)


@cli.command()
@click.argument("url")
@click.option("--at", help="The capture closest to this time (default: the latest).")
@click.option("--outlet", help="Only this outlet's captures.")
@click.option("--raw", "mode", flag_value="raw",
              help="The archived HTTP payload, byte for byte as received.")
@click.option("--text", "mode", flag_value="text", help="The extracted text and metadata.")
@click.option("--headers", "mode", flag_value="headers", help="The WARC and HTTP headers.")
@click.option("--json", "as_json", is_flag=True, help="With --text or no mode: JSON.")
@pass_obj
def show(obj: Obj, url: str, at: str | None, outlet: str | None, mode: str | None,
         as_json: bool) -> None:
    """One capture of URL: where it is, its payload, headers or extracted text."""
    shown = service.show_capture(obj.ctx, url, at, outlet=outlet,
                                 with_text=mode in (None, "text"))
    if mode == "raw":
        sys.stdout.buffer.write(shown.raw_payload)
        sys.stdout.buffer.flush()
        return
    if mode == "headers":
        click.echo(shown.headers_text(), nl=False)
        return
    if mode == "text":
        if shown.article is None:
            echo_err(f"no article text was extracted from the capture of {url} at "
                     f"{shown.capture.timestamp} (not an article page?); try --headers or --raw")
            sys.exit(1)
        if as_json:
            click.echo(json.dumps(shown.article, ensure_ascii=False, indent=2))
            return
        art = shown.article
        for name in ("url", "title", "author", "published", "published_source", "modified",
                     "section", "keywords", "tags", "lead_image", "extractor", "language",
                     "language_confidence", "captured_at", "version", "latest_version",
                     "warc_file", "warc_offset", "warc_length"):
            value = art.get(name)
            if isinstance(value, list):
                value = ", ".join(value) or None
            click.echo(f"{name + ':':21} {value if value is not None else '-'}")
        click.echo(f"{'languages:':21} {json.dumps(art.get('languages'), ensure_ascii=False)}")
        click.echo("")
        click.echo(art["text"])
        return
    summary = shown.summary()
    if shown.article:
        summary["article"] = {k: shown.article.get(k) for k in ("url", "title", "language",
                                                                "published", "version")}
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    for name, value in summary.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        click.echo(f"{name + ':':14} {value}")


@cli.command()
@click.argument("url")
@click.option("--from", "old", type=int, help="Older version number (default: newer - 1).")
@click.option("--to", "new", type=int, help="Newer version number (default: the latest).")
@click.option("--json", "as_json", is_flag=True)
@pass_obj
def diff(obj: Obj, url: str, old: int | None, new: int | None, as_json: bool) -> None:
    """What changed in an article's text between two versions (unified diff)."""
    result = service.diff_versions(obj.ctx, url, old, new)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    elif result.changed:
        click.echo(result.diff, nl=False)
    else:
        echo_err(f"versions {result.old_version} and {result.new_version} of {result.url} "
                 "have the same text")


@cli.command()
@click.option("--replace", is_flag=True,
              help="Delete the catalog's captures and articles first (default: refuse unless "
                   "the catalog is empty).")
@click.option("--search", "search_only", is_flag=True,
              help="Only rebuild the full-text search index from the stored texts.")
@pass_obj
def reindex(obj: Obj, replace: bool, search_only: bool) -> None:
    """Rebuild the catalog (captures, articles, versions, tags) and the CDXJ index from the
    WARC files alone; with --search, only the search index."""
    if search_only:
        click.echo(f"search index: {service.reindex_search(obj.ctx)} version(s) indexed")
        return
    report = service.reindex(obj.ctx, replace=replace)
    click.echo(f"{report.files} WARC file(s): {report.captures} captures, {report.articles} "
               f"articles, {report.versions} versions ({report.unchanged} unchanged recaptures)")
    for name, count in report.index_lines.items():
        click.echo(f"index/{name}.cdxj: {count} lines")
    for problem in report.problems:
        echo_err(f"problem: {problem}")
    if report.problems:
        sys.exit(1)


@cli.command()
@click.option("--repair", is_flag=True,
              help="First end the runs of dead owners, close WARC files a killed crawl left "
                   "open, and add to the catalog and the index what the WARC files hold and "
                   "they lack; then verify.")
@pass_obj
def verify(obj: Obj, repair: bool) -> None:
    """Check every WARC file (gzip members, digests, closed) against the catalog and the
    index; exit 1 when anything is missing, extra or corrupt."""
    if repair:
        fixed = service.repair(obj.ctx)
        for run_id in fixed.runs_ended:
            click.echo(f"ended run {run_id}: its owner had died")
        for name in fixed.warcs_closed:
            click.echo(f"closed {name}: cut after its last whole record")
        click.echo(f"repaired: {fixed.captures_added} capture(s), {fixed.articles_added} "
                   f"article(s) and {fixed.versions_added} version(s) added from the WARC files")
        for unreadable in fixed.problems:
            click.echo(f"could not read all of {unreadable}")
    report = service.verify(obj.ctx)
    for problem in report.problems:
        click.echo(str(problem))
    click.echo(f"verified {report.files} WARC file(s), {report.records} captures: "
               f"{len(report.problems) or 'no'} problem(s)")
    if not report.ok:
        sys.exit(1)


@cli.command("export-wacz")
@click.option("--outlet", "outlets", multiple=True,
              help="An outlet to take (repeat for more; default: every outlet).")
@click.option("--query", "-q", help="Only article versions matching this search "
              "(the syntax of `akhbar search`).")
@click.option("--from", "from_", help="Captures from this time (ISO or timestamp prefix).")
@click.option("--to", help="Captures up to this time (inclusive).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="The .wacz file (default <outlet>.wacz, or akhbar.wacz).")
@pass_obj
def export_wacz(obj: Obj, outlets: tuple[str, ...], query: str | None, from_: str | None,
                to: str | None, output: Path | None) -> None:
    """Package a selection of the archive (outlets, a time range, a search) with its WARCs,
    index and pages (title, text, metadata) as a WACZ (opens in ReplayWeb.page)."""
    default = Path(f"{outlets[0]}.wacz" if len(outlets) == 1 else "akhbar.wacz")
    result = service.export_wacz(obj.ctx, output or default, outlets=list(outlets),
                                 query=query, from_=from_, to=to)
    click.echo(f"{result.path}: {len(result.warc_files)} WARC file(s), {result.pages} pages, "
               f"{fmt_size(result.path.stat().st_size)}")
