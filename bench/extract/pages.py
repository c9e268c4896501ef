"""The labelled pages of ``bench.extract``: article pages in English, Arabic and Persian, in
several page designs, each with the body text and metadata a reader expects from it.

The pages are built from the language benchmark's corpus (``bench/langid/corpus/``: news
paragraphs, sentences and short lines written for akhbar) inside templates that copy how news
sites are laid out, boilerplate included: share bars, "read also" boxes, newsletter boxes,
related lists, comment forms and an outlet blurb repeated on every page; the ``wordpress``
and ``magazine`` outlets also promote their app inside the body in words of their own, which
no rule knows (:mod:`crawler.extraction._repeats` learns them from the repetition). The same
seed gives the same pages byte for byte (``python -m bench.extract --dump DIR`` writes them out).

Designs:

* ``wordpress``: JSON-LD ``NewsArticle`` (authors, dates with their zone, image, section,
  keywords), Open Graph, rel=canonical; the body in ``div.entry-content`` with a subheading, a
  list and boilerplate boxes inside it.
* ``magazine``: ``<article>`` with ``rel=author`` links, ``article:*`` meta (several authors and
  tags), a ``<figure>`` lead image with its caption, a block quote, an inline "read also" line
  and a newsletter box in the body.
* ``legacy``: a table layout, Windows-1256 for Arabic and Persian, ``meta name=author`` and
  the date only in the byline text (Solar Hijri with Persian digits on Persian pages).
* ``bare``: no metadata but ``<title>``; paragraphs separated by ``<br>`` in one ``div``.
* ``brief``: a short item of two short paragraphs.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from persiantools.jdatetime import JalaliDate

CORPUS = Path(__file__).resolve().parents[1] / "langid" / "corpus"
LANGS = ("en", "ar", "fa")
DESIGNS = ("wordpress", "magazine", "legacy", "bare", "brief")


@dataclass(frozen=True)
class Expected:
    text: str
    title: str
    authors: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    lead_image: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    canonical: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Page:
    lang: str
    design: str
    url: str
    body: bytes
    content_type: str
    expected: Expected


@dataclass(frozen=True)
class _Words:
    outlet: str
    authors: tuple[str, ...]
    sections: tuple[str, ...]
    share: str
    read_also: str
    newsletter: str
    blurb: str
    related: str
    comments: str
    rights: str
    by: str
    home: str
    promo: str
    digits: str = "0123456789"


_WORDS = {
    "en": _Words(
        "The Tehran Ledger",
        ("Sara Karimi", "John Miller", "Leila Ahmadi", "David Chen", "Omar Haddad"),
        ("Politics", "Economy", "World", "Culture"),
        "Share This Article",
        "Read also: {}",
        "Subscribe to our daily newsletter and get the top stories in your inbox every morning.",
        "{} is an independent news organisation. Our journalism is funded by our readers and "
        "we answer to no government or party.",
        "Related stories",
        "Leave a comment",
        "© 2026 {}. All rights reserved.",
        "By",
        "Home",
        "Get the {} app for breaking alerts, free on every phone and tablet.",
    ),
    "ar": _Words(
        "صحيفة الرافدين",
        ("أحمد السعدي", "ليلى حسن", "محمد العبيدي", "سارة الخطيب"),
        ("سياسة", "اقتصاد", "دولي", "ثقافة"),
        "شارك هذا المقال",
        "اقرأ أيضاً: {}",
        "اشترك في نشرتنا البريدية اليومية لتصلك أهم الأخبار كل صباح.",
        "{} مؤسسة إعلامية مستقلة، تمول صحافتها من قرائها ولا تتبع أي حكومة أو حزب.",
        "أخبار ذات صلة",
        "أضف تعليقاً",
        "© ٢٠٢٦ {}. جميع الحقوق محفوظة.",
        "بقلم",
        "الرئيسية",
        "حمّل تطبيق {} لتصلك الأخبار العاجلة مجاناً على هاتفك ولوحك.",
        "٠١٢٣٤٥٦٧٨٩",
    ),
    "fa": _Words(
        "خبرنامه البرز",
        ("مریم رضایی", "علی محمدی", "نرگس احمدی", "حسین کریمی"),
        ("سیاسی", "اقتصادی", "بین‌الملل", "فرهنگی"),
        "این مطلب را به اشتراک بگذارید",
        "بیشتر بخوانید: {}",
        "در خبرنامه روزانه ما عضو شوید تا مهم‌ترین خبرها هر صبح به دستتان برسد.",
        "{} رسانه‌ای مستقل است که هزینه‌هایش را خوانندگانش می‌پردازند و به هیچ دولت یا حزبی "
        "وابسته نیست.",
        "اخبار مرتبط",
        "دیدگاه خود را بنویسید",
        "© ۱۴۰۵ {}. تمامی حقوق محفوظ است.",
        "نویسنده:",
        "صفحه نخست",
        "اپلیکیشن {} را نصب کنید تا خبرهای فوری را رایگان روی گوشی خود ببینید.",
        "۰۱۲۳۴۵۶۷۸۹",
    ),
}
_ZONES = {"en": dt.UTC, "ar": dt.timezone(dt.timedelta(hours=3)),
          "fa": dt.timezone(dt.timedelta(hours=3, minutes=30))}
_MONTHS_EN = ("January February March April May June July August September October "
              "November December").split()
_MONTHS_AR = ("يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر "
              "ديسمبر").split()
_SOLAR = ("فروردین اردیبهشت خرداد تیر مرداد شهریور مهر آبان آذر دی بهمن اسفند").split()


def _corpus(kind: str, lang: str) -> list[str]:
    path = CORPUS / f"{kind}.{lang}.txt"
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


class _Source:
    """The corpus of one language, drawn from without repeating a paragraph too soon."""

    def __init__(self, lang: str, rng: random.Random) -> None:
        self.rng = rng
        self.paragraphs = _corpus("paragraphs", lang)
        self.sentences = _corpus("sentences", lang)
        self.short = _corpus("short", lang)

    def pick(self, items: list[str], k: int) -> list[str]:
        return self.rng.sample(items, k)


@dataclass
class _Article:
    lang: str
    design: str
    serial: int
    title: str
    paragraphs: list[str]
    subheading: str
    items: list[str]
    quote: str
    authors: list[str]
    section: str
    tags: list[str]
    published: dt.datetime
    modified: dt.datetime
    other_title: str
    host: str
    slug: str
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def words(self) -> _Words:
        return _WORDS[self.lang]

    @property
    def outlet(self) -> str:
        # One outlet per language and design: its boilerplate repeats on each of its pages.
        return f"{self.words.outlet} {DESIGNS.index(self.design) + 1}"

    @property
    def canonical(self) -> str:
        return f"https://{self.host}/{self.slug}"

    @property
    def image(self) -> str:
        return f"https://cdn.{self.host}/images/2026/{self.serial:04d}-lead.jpg"


def _headline(sentence: str) -> str:
    words = sentence.rstrip(".،؛!؟?").split()
    return " ".join(words[:12])


def _digits(text: str, lang: str) -> str:
    return text.translate(str.maketrans("0123456789", _WORDS[lang].digits))


def _byline_date(day: dt.date, lang: str) -> str:
    if lang == "fa":
        jalali = JalaliDate.to_jalali(day)
        return _digits(f"{jalali.day} {_SOLAR[jalali.month - 1]} {jalali.year}", lang)
    if lang == "ar":
        return _digits(f"{day.day} {_MONTHS_AR[day.month - 1]} {day.year}", lang)
    return f"{_MONTHS_EN[day.month - 1]} {day.day}, {day.year}"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _article(lang: str, design: str, serial: int, source: _Source) -> _Article:
    rng = source.rng
    words = _WORDS[lang]
    n = {"wordpress": 5, "magazine": 5, "legacy": 4, "bare": 3, "brief": 0}[design]
    paragraphs = source.pick(source.paragraphs, n + rng.randint(0, 2)) if n else []
    if design == "brief":
        paragraphs = [" ".join(source.pick(source.sentences, 2)) for _ in range(2)]
    title, other = (_headline(s) for s in source.pick(source.sentences, 2))
    published = dt.datetime(2026, rng.randint(1, 11), rng.randint(1, 28), rng.randint(6, 22),
                            rng.choice((0, 15, 30, 45)), tzinfo=_ZONES[lang])
    modified = published + dt.timedelta(hours=rng.randint(1, 30), minutes=rng.randint(0, 59))
    host = f"{design}-{lang}.news.example"
    slug = f"{rng.choice(('politics', 'economy', 'world'))}/2026/{serial:04d}-story.html"
    return _Article(
        lang=lang, design=design, serial=serial, title=title, paragraphs=paragraphs,
        subheading=source.pick(source.short, 1)[0], items=source.pick(source.short, 3),
        quote=source.pick(source.sentences, 1)[0],
        authors=rng.sample(list(words.authors), rng.choice((1, 1, 2, 2, 3))),
        section=rng.choice(words.sections), tags=source.pick(source.short, rng.randint(2, 4)),
        published=published, modified=modified, other_title=other, host=host, slug=slug)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _chrome_top(a: _Article) -> str:
    w = a.words
    return (f'<header class="site-header"><div class="logo"><a href="/">{_e(a.outlet)}</a></div>'
            f'<nav class="menu"><ul><li><a href="/">{_e(w.home)}</a></li>'
            + "".join(f'<li><a href="/{i}/">{_e(s)}</a></li>' for i, s in enumerate(w.sections))
            + '</ul></nav><div class="search"><form action="/search"><input name="q"></form>'
            "</div></header>")


def _chrome_bottom(a: _Article) -> str:
    w = a.words
    return (f'<aside class="related"><h3>{_e(w.related)}</h3><ul>'
            f'<li><a href="/r/1">{_e(a.other_title)}</a></li>'
            f'<li><a href="/r/2">{_e(a.tags[0])}</a></li></ul></aside>'
            f'<div id="comments" class="comments-area"><h3>{_e(w.comments)}</h3>'
            '<form><textarea name="c"></textarea></form></div>'
            f'<footer class="site-footer"><p>{_e(w.rights.format(a.outlet))}</p></footer>')


def _head(a: _Article, meta: str, charset: str = "utf-8") -> str:
    title = f"{a.title} | {a.outlet}" if a.design != "bare" else f"{a.title} - {a.outlet}"
    direction = "ltr" if a.lang == "en" else "rtl"
    return (f'<!DOCTYPE html><html lang="{a.lang}" dir="{direction}"><head>'
            f'<meta charset="{charset}"><title>{_e(title)}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"{meta}<style>body{{font-family:sans-serif}}</style></head>")


def _wordpress(a: _Article) -> tuple[str, Expected]:
    w = a.words
    node = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": a.outlet, "url": f"https://{a.host}/"},
            {"@type": "NewsArticle", "headline": a.title,
             "author": [{"@type": "Person", "name": n} for n in a.authors],
             "datePublished": _iso(a.published), "dateModified": _iso(a.modified),
             "image": {"@type": "ImageObject", "url": a.image},
             "articleSection": a.section, "keywords": a.tags,
             "mainEntityOfPage": a.canonical,
             "publisher": {"@type": "Organization", "name": a.outlet}},
        ],
    }
    description = a.paragraphs[0][:150]
    meta = (f'<link rel="canonical" href="{a.canonical}">'
            f'<meta property="og:type" content="article">'
            f'<meta property="og:title" content="{_e(a.title)}">'
            f'<meta property="og:site_name" content="{_e(a.outlet)}">'
            f'<meta property="og:image" content="{a.image}">'
            f'<meta name="description" content="{_e(description)}">'
            f'<script type="application/ld+json">{json.dumps(node, ensure_ascii=False)}</script>')
    half = len(a.paragraphs) // 2
    first, second = a.paragraphs[:half], a.paragraphs[half:]
    body = (
        f"<body class=\"single-post\">{_chrome_top(a)}<main><article class=\"post\">"
        f'<h1 class="entry-title">{_e(a.title)}</h1>'
        f'<div class="entry-meta"><span class="byline">{_e(w.by)} '
        + ", ".join(f'<a href="/author/{i}">{_e(n)}</a>' for i, n in enumerate(a.authors))
        + f'</span> <time datetime="{_iso(a.published)}">{a.published.date()}</time></div>'
        '<div class="entry-content">'
        + "".join(f"<p>{_e(p)}</p>" for p in first)
        + f'<div class="read-also"><strong>{_e(w.read_also.format(a.other_title))}</strong></div>'
        + f"<h2>{_e(a.subheading)}</h2>"
        + "<ul>" + "".join(f"<li>{_e(i)}</li>" for i in a.items) + "</ul>"
        + f'<p class="app-promo"><em>{_e(w.promo.format(a.outlet))}</em></p>'
        + "".join(f"<p>{_e(p)}</p>" for p in second)
        + f'<div class="newsletter-box"><p>{_e(w.newsletter)}</p>'
        '<form><input type="email"></form></div>'
        f'<div class="share-buttons"><span>{_e(w.share)}</span></div>'
        f'<p class="outlet-blurb">{_e(w.blurb.format(a.outlet))}</p>'
        "</div>"
        '<div class="tags">' + "".join(f'<a rel="tag" href="/tag/{i}">{_e(t)}</a> '
                                       for i, t in enumerate(a.tags)) + "</div>"
        f"</article></main>{_chrome_bottom(a)}</body></html>")
    text = [*first, a.subheading, *a.items, *second]
    return _head(a, meta) + body, Expected(
        "\n".join(text), a.title, tuple(a.authors), _iso(a.published), _iso(a.modified),
        a.image, a.section, tuple(a.tags), a.canonical, description)


def _magazine(a: _Article) -> tuple[str, Expected]:
    w = a.words
    meta = (f'<link rel="canonical" href="{a.canonical}">'
            '<meta property="og:type" content="article">'
            f'<meta property="og:title" content="{_e(a.title)}">'
            f'<meta property="og:url" content="{a.canonical}">'
            f'<meta property="og:image" content="{a.image}">'
            f'<meta property="article:published_time" content="{_iso(a.published)}">'
            f'<meta property="article:modified_time" content="{_iso(a.modified)}">'
            f'<meta property="article:section" content="{_e(a.section)}">'
            + "".join(f'<meta property="article:author" content="{_e(n)}">' for n in a.authors)
            + "".join(f'<meta property="article:tag" content="{_e(t)}">' for t in a.tags))
    half = max(1, len(a.paragraphs) // 2)
    first, second = a.paragraphs[:half], a.paragraphs[half:]
    body = (
        f"<body>{_chrome_top(a)}<div class=\"layout\"><article class=\"story\"><header>"
        f'<div class="kicker"><a href="/s/">{_e(a.section)}</a></div><h1>{_e(a.title)}</h1>'
        '<div class="authors">'
        + " ".join(f'<a rel="author" href="/by/{i}">{_e(n)}</a>' for i, n in enumerate(a.authors))
        + f'</div><time datetime="{_iso(a.published)}">{_byline_date(a.published.date(), a.lang)}'
        "</time></header>"
        f'<figure class="lead"><img src="{a.image}" alt=""><figcaption>{_e(a.tags[0])}'
        "</figcaption></figure>"
        '<div class="story-body">'
        + "".join(f"<p>{_e(p)}</p>" for p in first)
        + '<p class="inline-related"><a href="/r/9">'
        + f"{_e(w.read_also.format(a.other_title))}</a></p>"
        + f"<blockquote><p>{_e(a.quote)}</p></blockquote>"
        + f'<p class="promo"><a href="/app">{_e(w.promo.format(a.outlet))}</a></p>'
        + "".join(f"<p>{_e(p)}</p>" for p in second)
        + f'<aside class="newsletter"><h4>{_e(w.newsletter)}</h4></aside>'
        "</div>"
        f'<div class="social-share">{_e(w.share)}</div>'
        f"</article>"
        f'<aside class="about-outlet"><p>{_e(w.blurb.format(a.outlet))}</p></aside>'
        f"</div>{_chrome_bottom(a)}</body></html>")
    text = [*first, a.quote, *second]
    return _head(a, meta) + body, Expected(
        "\n".join(text), a.title, tuple(a.authors), _iso(a.published), _iso(a.modified),
        a.image, a.section, tuple(a.tags), a.canonical, None)


def _legacy(a: _Article) -> tuple[str, Expected]:
    w = a.words
    author = a.authors[0]
    meta = (f'<meta name="author" content="{_e(author)}">'
            f'<meta property="og:image" content="{a.image}">')
    rows = "".join(f'<tr><td class="txt"><p>{_e(p)}</p></td></tr>' for p in a.paragraphs)
    body = (
        '<body><table width="100%" cellpadding="0"><tr><td colspan="2" class="top">'
        f'{_e(a.outlet)} | <a href="/">{_e(w.home)}</a></td></tr><tr>'
        '<td width="180" class="side"><a href="/archive">'
        + "".join(f'<a href="/c/{i}">{_e(s)}</a><br>' for i, s in enumerate(w.sections))
        + '</td><td class="main"><table width="100%">'
        f'<tr><td><h1 class="title">{_e(a.title)}</h1></td></tr>'
        f'<tr><td class="date"><span class="byline">{_e(w.by)} {_e(author)} - '
        f"{_byline_date(a.published.date(), a.lang)}</span></td></tr>"
        + rows
        + f'<tr><td class="tools"><a href="#">print</a> | <a href="#">email</a> | {_e(w.share)}'
        "</td></tr></table></td></tr>"
        f'<tr><td colspan="2" class="foot">{_e(w.rights.format(a.outlet))}</td></tr>'
        "</table></body></html>")
    return _head(a, meta, "windows-1256" if a.lang != "en" else "utf-8") + body, Expected(
        "\n".join(a.paragraphs), a.title, (author,), a.published.date().isoformat(), None,
        a.image, None, (), None, None)


def _bare(a: _Article) -> tuple[str, Expected]:
    w = a.words
    story = "<br><br>".join(_e(p) for p in a.paragraphs)
    body = (f"<body>{_chrome_top(a)}<div id=\"page\"><h1>{_e(a.title)}</h1>"
            f'<div id="story">{story}</div></div>'
            f'<div class="footer">{_e(w.rights.format(a.outlet))}</div></body></html>')
    return _head(a, "") + body, Expected("\n".join(a.paragraphs), a.title)


def _brief(a: _Article) -> tuple[str, Expected]:
    node = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": a.title,
            "datePublished": _iso(a.published),
            "author": {"@type": "Person", "name": a.authors[0]}}
    meta = (f'<link rel="canonical" href="{a.canonical}">'
            '<meta property="og:type" content="article">'
            f'<script type="application/ld+json">{json.dumps(node, ensure_ascii=False)}</script>')
    body = (f"<body>{_chrome_top(a)}<main><article><h1>{_e(a.title)}</h1>"
            + "".join(f"<p>{_e(p)}</p>" for p in a.paragraphs)
            + f'<div class="share">{_e(a.words.share)}</div></article></main>'
            f"{_chrome_bottom(a)}</body></html>")
    return _head(a, meta) + body, Expected(
        "\n".join(a.paragraphs), a.title, (a.authors[0],), _iso(a.published), None, None,
        None, (), a.canonical, None)


_BUILDERS = {"wordpress": _wordpress, "magazine": _magazine, "legacy": _legacy,
             "bare": _bare, "brief": _brief}


def build_pages(per_set: int = 8, seed: int = 18) -> list[Page]:
    """``per_set`` pages for each language and design."""
    pages = []
    for lang in LANGS:
        source = _Source(lang, random.Random(f"{seed}-{lang}"))
        for design in DESIGNS:
            for serial in range(per_set):
                article = _article(lang, design, serial, source)
                markup, expected = _BUILDERS[design](article)
                charset = "windows-1256" if design == "legacy" and lang != "en" else "utf-8"
                body = markup.encode(charset, errors="xmlcharrefreplace")
                url = f"{article.canonical}?utm_source=feed"
                pages.append(Page(lang, design, url, body, f"text/html; charset={charset}",
                                  expected))
    return pages


def dump(pages: list[Page], folder: Path) -> None:
    """Write each page and its expected text and metadata (for reading them, not for the run)."""
    folder.mkdir(parents=True, exist_ok=True)
    for index, page in enumerate(pages):
        stem = folder / f"{page.lang}-{page.design}-{index:03d}"
        stem.with_suffix(".html").write_bytes(page.body)
        expected = {"url": page.url, **page.expected.__dict__}
        stem.with_suffix(".json").write_text(json.dumps(expected, ensure_ascii=False, indent=1),
                                             encoding="utf-8")
