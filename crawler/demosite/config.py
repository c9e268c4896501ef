"""Outlet configuration (YAML) for the demo outlets, pointing at a running demo site."""

from __future__ import annotations

from .model import SiteContent, load_content


def outlet_yaml(outlet_id: str, base_url: str, content: SiteContent | None = None) -> str:
    """The ``config/outlets/<id>.yaml`` text for one demo outlet served at ``base_url``."""
    outlet = (content or load_content()).outlet(outlet_id)
    if outlet is None:
        raise KeyError(f"unknown demo outlet {outlet_id!r}")
    root = f"{base_url.rstrip('/')}/{outlet.id}"
    languages = ", ".join(outlet.languages)
    # The name is quoted so that any character in it stays a plain YAML string.
    name = outlet.name.replace("\\", "\\\\").replace('"', '\\"')
    return (
        "# demo outlet: served by `akhbar demo` on 127.0.0.1\n"
        f"id: {outlet.id}\n"
        f'name: "{name}"\n'
        f"homepage: {root}/\n"
        f"languages: [{languages}]\n"
        'schedule: "0 */6 * * *"\n'
        f"timezone: {outlet.timezone}\n"
        "discovery:\n"
        f"  feeds: [{root}/feed.xml]\n"
        f"  sitemaps: [{root}/sitemap_index.xml]\n"
        f"  listings: [{root}/category/news/]\n"
        "articles:\n"
        f"  allow: ['/{outlet.id}/\\d{{4}}/\\d{{2}}/[^/]+/$']\n"
        "  deny: ['/tag/', '/author/']\n"
        "limits: {max_articles: 200, max_depth: 3, max_duration: 10m}\n"
        "politeness: {obey_robots: true, delay: 0, concurrency: 4}\n"
    )
