"""HTML, feeds and sitemaps of the generated site, weighted like real news pages.

Article pages carry what makes real ones heavy: a mega-menu, inline CSS and a JavaScript
state blob, JSON-LD, a related-links sidebar, a most-read list and reader comments. In-page
links are root-relative, so the HTML does not depend on the server's port; feeds, sitemaps and
robots.txt are absolute and rendered for a base URL when the server starts.
"""

from __future__ import annotations

import json
import random
from functools import cache
from html import escape
from xml.sax.saxutils import escape as xml_escape

from . import text
from .model import SECTION_KEYS, SITE_NAMES, STATIC_PAGES, UI, ArticleRef, Site, _rng

_PIXEL = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


@cache
def _css(seed: int) -> str:
    rng = random.Random(f"{seed}:css")
    rules = []
    for k in range(150):
        sel = f".c-{rng.choice(['card', 'nav', 'teaser', 'ad', 'grid', 'hero'])}-{k}"
        props = "; ".join(f"{p}: {rng.randint(0, 64)}px" for p in
                          rng.sample(["margin", "padding", "top", "left", "width", "gap",
                                      "font-size", "line-height", "border-radius"], 4))
        rules.append(f"{sel} {{ {props}; color: #{rng.randrange(16**6):06x} }}")
    return "\n".join(rules)


@cache
def _analytics(seed: int) -> str:
    rng = random.Random(f"{seed}:js")
    funcs = []
    for k in range(60):
        funcs.append(f"function t{k}(e,n){{var r=e||{{}};"
                     f"if(!r.k{k})r.k{k}=n*{rng.randint(2, 99)};"
                     "return window.dataLayer&&window.dataLayer.push("
                     f"{{event:'ev{k}',v:r.k{k}}}),r}}")
    return ";".join(funcs)


def _head(site: Site, lang: str, title: str, canonical: str, extra: str = "") -> list[str]:
    name = SITE_NAMES[lang]
    alt = "".join(f'<link rel="alternate" hreflang="{code}" href="/{code}/">'
                  for code in UI if code != lang)
    rtl = ' dir="rtl"' if lang != "en" else ""
    return [
        f'<!DOCTYPE html>\n<html lang="{lang}"{rtl}>\n<head>\n<meta charset="utf-8">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{escape(title)} | {escape(name)}</title>\n",
        f'<link rel="canonical" href="{canonical}">\n{alt}\n',
        f'<link rel="alternate" type="application/rss+xml" href="/{lang}/feed.xml">\n',
        '<link rel="icon" href="/static/logo.png">\n',
        f'<meta property="og:site_name" content="{escape(name)}">\n{extra}',
        f"<style>\n{_css(site.spec.seed)}\n</style>\n",
        f"<script>{_analytics(site.spec.seed)}</script>\n</head>\n<body>\n",
    ]


def _nav(site: Site, lang: str) -> list[str]:
    ui, idx, labels = UI[lang], site.langs[lang], site.section_labels[lang]
    out = ['<header class="site-header"><a class="logo" href="/">',
           f'<img src="/static/logo.png" alt="{escape(SITE_NAMES[lang])}"></a>\n',
           f'<nav class="mega-menu"><ul><li><a href="/{lang}/">{ui["home"]}</a></li>'
           f'<li><a href="/{lang}/news/">{ui["news"]}</a></li>\n']
    for key in SECTION_KEYS:
        out.append(f'<li class="menu-section"><a href="/{lang}/section/{key}/">{labels[key]}</a>'
                   '<div class="submenu"><ul>')
        out += [f'<li><a href="/{lang}/tag/{t}/">{escape(label)}</a></li>'
                for t, label in idx.tags.items()]
        out.append("</ul></div></li>\n")
    out.append("</ul></nav>")
    out += [f'<a class="lang-switch" href="/{code}/">{code}</a>' for code in UI if code != lang]
    out.append(f'<form action="/search/"><input name="q" placeholder="{ui["search"]}"></form>'
               "</header>\n")
    return out


def _footer(site: Site, lang: str) -> list[str]:
    ui, idx, labels = UI[lang], site.langs[lang], site.section_labels[lang]
    out = ['<footer class="site-footer"><div class="footer-cols"><ul>']
    out += [f'<li><a href="/{lang}/section/{k}/">{labels[k]}</a></li>' for k in SECTION_KEYS]
    out.append("</ul><ul>")
    out += [f'<li><a href="/{lang}/author/{k}/">{escape(v)}</a></li>'
            for k, v in idx.authors.items()]
    out.append("</ul><ul>")
    out += [f'<li><a href="/{lang}/page/{k}/">{k}</a></li>' for k in STATIC_PAGES]
    out.append(f'<li><a href="/{lang}/feed.xml">RSS</a></li></ul></div>'
               f'<p class="copyright">© 2026 {escape(SITE_NAMES[lang])}. {ui["rights"]}</p>'
               "</footer>\n</body>\n</html>\n")
    return out


def _teaser(site: Site, ref: ArticleRef, summary: bool = True) -> str:
    author = site.langs[ref.lang].authors[ref.author]
    blurb = ""
    if summary:
        blurb = f'<p class="summary">{escape(text.sentence(_rng(0, "t", ref.id), ref.lang))}</p>'
    return (f'<div class="teaser c-card-{ref.id % 400}"><h3><a href="{ref.path}">'
            f'{escape(ref.title)}</a></h3>{blurb}<p class="meta">'
            f'<a href="/{ref.lang}/author/{ref.author}/">{escape(author)}</a> · '
            f'<time datetime="{ref.published.isoformat()}">{ref.published:%Y-%m-%d}</time>'
            "</p></div>\n")


def _link_list(title: str, css: str, refs: list[ArticleRef]) -> str:
    items = "".join(f'<li><a href="{r.path}">{escape(r.title)}</a></li>' for r in refs)
    return f'<section class="{css}"><h3>{title}</h3><ol>{items}</ol></section>\n'


def article_html(site: Site, ref: ArticleRef) -> bytes:
    lang, ui = ref.lang, UI[ref.lang]
    rng = _rng(site.spec.seed, "body", ref.id)
    author = site.langs[lang].authors[ref.author]
    paragraphs = [text.paragraph(rng, lang, (3, 6)) for _ in range(rng.randint(8, 20))]
    related = site.neighbours(ref, 12, "related")
    most_read = site.neighbours(ref, 10, "most")
    description = paragraphs[0][:160]
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": ref.title,
          "inLanguage": lang, "datePublished": ref.published.isoformat(),
          "dateModified": ref.published.isoformat(), "mainEntityOfPage": ref.path,
          "author": {"@type": "Person", "name": author},
          "publisher": {"@type": "Organization", "name": SITE_NAMES[lang]},
          "description": description}
    meta = (f'<meta name="description" content="{escape(description)}">\n'
            f'<meta property="og:type" content="article">\n'
            f'<meta property="og:title" content="{escape(ref.title)}">\n'
            f'<meta property="article:published_time" content="{ref.published.isoformat()}">\n'
            f'<meta name="author" content="{escape(author)}">\n'
            '<script type="application/ld+json">'
            f"{json.dumps(ld, ensure_ascii=False)}</script>\n")
    out = _head(site, lang, ref.title, ref.path, meta) + _nav(site, lang)
    out.append(_link_list(ui["trending"], "trending", site.latest(lang, 10)))
    out.append(f'<main><article class="post"><nav class="breadcrumb"><a href="/{lang}/">'
               f'{ui["home"]}</a> › <a href="/{lang}/section/{ref.section}/">'
               f'{site.section_labels[lang][ref.section]}</a></nav>\n'
               f'<h1 class="headline">{escape(ref.title)}</h1>\n<p class="byline">{ui["by"]} '
               f'<a rel="author" href="/{lang}/author/{ref.author}/">{escape(author)}</a> | '
               f'<time datetime="{ref.published.isoformat()}">{ref.published:%Y-%m-%d %H:%M}'
               f'</time></p>\n<div class="share">{ui["share"]}: '
               + "".join(f'<button data-net="{n}">{n}</button>' for n in
                         ("x", "facebook", "telegram", "whatsapp"))
               + f'</div>\n<figure><img src="{_PIXEL}" data-src="/media/{ref.id}.jpg" alt="">'
               f"<figcaption>{escape(text.sentence(rng, lang, 5, 12))}</figcaption></figure>\n"
               '<div class="article-body">\n')
    middle = len(paragraphs) // 2
    for k, para in enumerate(paragraphs):
        out.append(f"<p>{escape(para)}</p>\n")
        if k == middle and related:
            out.append(f'<p class="read-also">{ui["read_also"]}: <a href="{related[0].path}">'
                       f"{escape(related[0].title)}</a></p>\n")
    out.append('</div>\n<ul class="tags">')
    out += [f'<li><a rel="tag" href="/{lang}/tag/{t}/">{escape(site.langs[lang].tags[t])}</a>'
            "</li>" for t in ref.tags]
    out.append(f'</ul></article>\n<section class="comments"><h3>{ui["comments"]}</h3>\n')
    for _ in range(rng.randint(3, 25)):
        out.append(f'<div class="comment"><p class="comment-author">{escape(text.name(rng, lang))}'
                   f'</p><p class="comment-text">{escape(text.sentence(rng, lang, 6, 30))}</p>'
                   "</div>\n")
    out.append(f'</section><section class="newsletter"><h3>{ui["newsletter"]}</h3><form '
               f'action="/newsletter/" method="post"><input type="email" name="email">'
               f'<button>{ui["subscribe"]}</button></form></section></main>\n<aside>')
    out.append(_link_list(ui["related"], "related", related))
    out.append(_link_list(ui["most_read"], "most-read", most_read))
    out.append("</aside>\n")
    tail = _footer(site, lang)
    page = "".join(out)
    size = len(page.encode("utf-8")) + sum(len(t.encode("utf-8")) for t in tail)
    out.append(_state_blob(site, ref, rng, ref.size - size))
    return "".join(out + tail).encode("utf-8")


def _state_blob(site: Site, ref: ArticleRef, rng: random.Random, budget: int) -> str:
    """A framework's hydration state, like __NEXT_DATA__: what pads real pages to 100 KB."""
    items: list[dict[str, object]] = []
    state: dict[str, object] = {"page": {"id": ref.id, "section": ref.section, "lang": ref.lang},
                                "ads": [{"slot": f"div-gpt-{k}", "sizes": [[300, 250], [728, 90]],
                                         "targeting": {"s": ref.section, "pos": k}}
                                        for k in range(8)],
                                "recirculation": items}
    used = len(json.dumps(state)) + 80
    ids = site.langs[ref.lang].ids
    while used < budget:
        other = site.articles[rng.choice(ids)]
        item = {"id": other.id, "url": other.path, "title": other.title,
                "image": f"/media/{other.id}.jpg?w=640&h=360&fit=crop",
                "hash": f"{rng.getrandbits(64):016x}", "section": other.section}
        items.append(item)
        used += len(json.dumps(item).encode("utf-8")) + 2
    body = json.dumps(state, separators=(",", ":"))
    return f'<script id="__NEXT_DATA__" type="application/json">{body}</script>\n'


def listing_html(site: Site, lang: str, heading: str, canonical: str,
                 refs: list[ArticleRef], pages: list[tuple[int, str]], page: int) -> bytes:
    extra = '<meta property="og:type" content="website">\n'
    out = _head(site, lang, heading, canonical, extra) + _nav(site, lang)
    out.append(f'<main><section class="listing"><h1>{escape(heading)}</h1>\n')
    out += [_teaser(site, r) for r in refs]
    if pages:
        out.append('<nav class="pagination">')
        out += [f'<a href="{href}">{n}</a>' if n != page else f"<span>{n}</span>"
                for n, href in pages]
        if page < len(pages):
            out.append(f'<a rel="next" href="{pages[page][1]}">{UI[lang]["next"]}</a>')
        out.append("</nav>")
    out.append("</section></main>\n<aside>")
    out.append(_link_list(UI[lang]["most_read"], "most-read", site.latest(lang, 10)))
    out.append("</aside>\n")
    return "".join(out + _footer(site, lang)).encode("utf-8")


def page_html(site: Site, path: str) -> bytes | None:
    """The HTML at ``path``, or None when there is no such page."""
    if path == "/":
        out = _head(site, "en", SITE_NAMES["en"], "/") + _nav(site, "en")
        for lang in UI:
            out.append(_link_list(UI[lang]["news"], f"front-{lang}", site.latest(lang, 10)))
        return "".join(out + _footer(site, "en")).encode("utf-8")
    parts = path.strip("/").split("/")
    lang = parts[0]
    if lang not in UI:
        return None
    ui, idx = UI[lang], site.langs[lang]
    if len(parts) == 1:
        return listing_html(site, lang, SITE_NAMES[lang], path, site.latest(lang, 30), [], 1)
    kind = parts[1]
    if kind == "news":
        page = int(parts[3]) if len(parts) == 4 and parts[2] == "page" else 1
        count = site.listing_pages(lang)
        if not 1 <= page <= count or (len(parts) not in (2, 4)):
            return None
        pages = [(p, f"/{lang}/news/" if p == 1 else f"/{lang}/news/page/{p}/")
                 for p in range(1, count + 1)]
        return listing_html(site, lang, ui["news"], path, site.listing_chunk(lang, page),
                            pages, page)
    if len(parts) == 3 and kind in ("section", "tag", "author"):
        labels = {"section": site.section_labels[lang], "tag": idx.tags,
                  "author": idx.authors}[kind]
        if parts[2] not in labels:
            return None
        refs = site.latest(lang, 20, where=kind, value=parts[2])
        return listing_html(site, lang, labels[parts[2]], path, refs, [], 1)
    if len(parts) == 3 and kind == "page" and parts[2] in STATIC_PAGES:
        rng = _rng(site.spec.seed, "static", path)
        body = "".join(f"<p>{escape(text.paragraph(rng, lang))}</p>\n" for _ in range(4))
        out = _head(site, lang, parts[2], path) + _nav(site, lang)
        out.append(f"<main><h1>{parts[2]}</h1>\n{body}</main>\n")
        return "".join(out + _footer(site, lang)).encode("utf-8")
    return None


# -- machine-readable, absolute URLs --------------------------------------------------------
def feed_xml(site: Site, lang: str, base: str) -> bytes:
    refs = site.latest(lang, site.spec.feed_size)
    items = []
    for ref in refs:
        summary = xml_escape(text.sentence(_rng(0, "t", ref.id), lang))
        items.append(f"<item><title>{xml_escape(ref.title)}</title><link>{base}{ref.path}"
                     f"?utm_source=rss</link><guid>{base}{ref.path}</guid>"
                     f"<pubDate>{ref.published:%a, %d %b %Y %H:%M:%S +0000}</pubDate>"
                     f"<description>{summary}</description></item>\n")
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{xml_escape(SITE_NAMES[lang])}</title><link>{base}/{lang}/</link>\n"
            + "".join(items) + "</channel></rss>\n").encode("utf-8")


def sitemap_names(site: Site) -> list[str]:
    names = []
    for lang, idx in site.langs.items():
        chunks = max(1, -(-len(idx.ids) // site.spec.sitemap_size))
        names += [f"{lang}-{k}.xml" for k in range(1, chunks + 1)]
        names.append(f"news-{lang}.xml")
    return names


def sitemap_index_xml(site: Site, base: str) -> bytes:
    entries = "".join(f"<sitemap><loc>{base}/sitemaps/{name}</loc></sitemap>\n"
                      for name in sitemap_names(site))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps'
            f'.org/schemas/sitemap/0.9">\n{entries}</sitemapindex>\n').encode()


def sitemap_xml(site: Site, name: str, base: str) -> bytes | None:
    stem = name.removesuffix(".xml")
    kind, _, lang_or_k = stem.partition("-")
    if kind == "news" and lang_or_k in site.langs:
        refs = site.latest(lang_or_k, 100)
    elif kind in site.langs and lang_or_k.isdigit():
        size = site.spec.sitemap_size
        ids = site.langs[kind].ids[(int(lang_or_k) - 1) * size: int(lang_or_k) * size]
        refs = [site.articles[i] for i in ids]
    else:
        return None
    urls = "".join(f"<url><loc>{base}{r.path}</loc><lastmod>{r.published.isoformat()}"
                   "</lastmod></url>\n" for r in refs)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
            f'schemas/sitemap/0.9">\n{urls}</urlset>\n').encode()


def robots_txt(base: str) -> bytes:
    return f"User-agent: *\nDisallow: /search/\nSitemap: {base}/sitemap_index.xml\n".encode()
