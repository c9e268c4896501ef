"""Labelled pages that are not news articles, from the same corpus and outlets' chrome as
:mod:`bench.extract.pages`: a reader forum thread, a section listing, a service page (about and
contact) and a product page of the outlet's shop. Their expected text is what a reader came
for: every post of the thread (published when its first post was), every teaser (headline and
summary) of the listing, the service page's text, and the product's description and
specifications; never the menus, the forum's reply buttons, the shop's basket or the related
products.

Designs:

* ``forum``: posts in ``div.post`` with author, date and action links, a rules sidebar;
* ``listing``: a section front of teasers (``article.teaser``: linked headline, summary, date);
* ``service``: an about page with paragraphs, a heading, a contact list;
* ``product``: a description, a specification table, a price, a basket form and related items.
"""

from __future__ import annotations

import random

from .pages import _WORDS, LANGS, Expected, Page, _e, _Source

DESIGNS = ("forum", "listing", "service", "product")

_LABELS = {
    "en": ("Reply", "Quote", "Report", "Forum rules: be civil, stay on topic.", "Contact us",
           "Add to basket", "Price", "You may also like", "Pages", "Format", "Posted"),
    "ar": ("رد", "اقتباس", "إبلاغ", "قواعد المنتدى: كن مهذباً والتزم بالموضوع.", "اتصل بنا",
           "أضف إلى السلة", "السعر", "قد يعجبك أيضاً", "الصفحات", "الصيغة", "نشر"),
    "fa": ("پاسخ", "نقل قول", "گزارش", "قوانین انجمن: مؤدب باشید و از موضوع خارج نشوید.",
           "تماس با ما", "افزودن به سبد", "قیمت", "شاید بپسندید", "صفحه‌ها", "قالب", "ارسال"),
}
_NAMES = {
    "en": ("reader_42", "Farid T.", "nora.k", "M. Said", "oldtimer"),
    "ar": ("قارئ_٤٢", "فريد ت.", "نورة ك.", "م. سعيد", "أبو علي"),
    "fa": ("خواننده_۴۲", "فرید ت.", "نورا ک.", "م. سعیدی", "قدیمی"),
}


def _page(lang: str, design: str, title: str, outlet: str, main: str) -> str:
    words = _WORDS[lang]
    direction = "ltr" if lang == "en" else "rtl"
    menu = "".join(f'<li><a href="/{i}/">{_e(s)}</a></li>' for i, s in enumerate(words.sections))
    return (f'<!DOCTYPE html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
            f"<title>{_e(title)} | {_e(outlet)}</title></head><body>"
            f'<header class="site-header"><div class="logo"><a href="/">{_e(outlet)}</a></div>'
            f'<nav class="menu"><ul><li><a href="/">{_e(words.home)}</a></li>{menu}</ul></nav>'
            f"</header>{main}"
            f'<footer class="site-footer"><p>{_e(words.rights.format(outlet))}</p></footer>'
            "</body></html>")


def _forum(lang: str, source: _Source, outlet: str) -> tuple[str, Expected]:
    labels = _LABELS[lang]
    title = " ".join(source.pick(source.short, 1)[0].split()[:8])
    posts = [" ".join(source.pick(source.sentences, source.rng.randint(1, 3)))
             for _ in range(source.rng.randint(4, 7))]
    names = _NAMES[lang]
    body = "".join(
        f'<div class="post" id="post-{i}"><div class="post-author">{_e(names[i % len(names)])}'
        f'</div><div class="post-date">{labels[10]} 2026-0{1 + i % 9}-1{i % 9}</div>'
        f'<div class="post-body"><p>{_e(post)}</p></div><div class="post-actions">'
        + " | ".join(f'<a href="#r{i}">{_e(label)}</a>' for label in labels[:3])
        + "</div></div>" for i, post in enumerate(posts))
    main = (f'<main class="forum"><div class="thread"><h1>{_e(title)}</h1>{body}</div></main>'
            f'<aside class="forum-rules"><p>{_e(labels[3])}</p></aside>')
    # A thread is published when its first post is.
    return _page(lang, "forum", title, outlet, main), Expected("\n".join(posts), title,
                                                              published="2026-01-10")


def _listing(lang: str, source: _Source, outlet: str) -> tuple[str, Expected]:
    section = source.rng.choice(_WORDS[lang].sections)
    teasers = [(" ".join(h.split()[:9]), s) for h, s in zip(
        source.pick(source.short, 8), source.pick(source.sentences, 8), strict=True)]
    items = "".join(
        f'<article class="teaser"><h2><a href="/story/{i}">{_e(head)}</a></h2>'
        f'<p class="summary">{_e(summary)}</p><time datetime="2026-11-{10 + i}">2026-11-{10 + i}'
        "</time></article>" for i, (head, summary) in enumerate(teasers))
    main = (f'<main class="section-front"><h1>{_e(section)}</h1>'
            f'<div class="teasers">{items}</div><nav class="pager"><a href="?page=2">2</a> '
            '<a href="?page=3">3</a></nav></main>')
    text = [line for head, summary in teasers for line in (head, summary)]
    return _page(lang, "listing", section, outlet, main), Expected("\n".join(text), section)


def _service(lang: str, source: _Source, outlet: str) -> tuple[str, Expected]:
    labels = _LABELS[lang]
    title = labels[4]
    paragraphs = source.pick(source.paragraphs, 2)
    contacts = source.pick(source.short, 3)
    heading = source.pick(source.short, 1)[0]
    main = (f'<main class="page"><h1>{_e(title)}</h1>'
            + "".join(f"<p>{_e(p)}</p>" for p in paragraphs)
            + f"<h2>{_e(heading)}</h2><ul class=\"contact\">"
            + "".join(f"<li>{_e(c)}</li>" for c in contacts) + "</ul></main>")
    text = [*paragraphs, heading, *contacts]
    return _page(lang, "service", title, outlet, main), Expected("\n".join(text), title)


def _product(lang: str, source: _Source, outlet: str) -> tuple[str, Expected]:
    labels = _LABELS[lang]
    title = " ".join(source.pick(source.short, 1)[0].split()[:6])
    description = source.pick(source.sentences, source.rng.randint(2, 4))
    specs = [(labels[8], str(source.rng.randint(120, 480))), (labels[9], source.short[3])]
    related = source.pick(source.short, 3)
    main = (f'<main class="shop"><div class="product"><h1>{_e(title)}</h1>'
            f'<div class="price">{_e(labels[6])}: 24.90</div><div class="description">'
            + "".join(f"<p>{_e(d)}</p>" for d in description)
            + '</div><table class="specs">'
            + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in specs)
            + f'</table><form class="basket"><button>{_e(labels[5])}</button></form></div>'
            f'<aside class="related-products"><h3>{_e(labels[7])}</h3><ul>'
            + "".join(f'<li><a href="/shop/{i}">{_e(r)}</a></li>' for i, r in enumerate(related))
            + "</ul></aside></main>")
    text = [*description, *(f"{k} {v}" for k, v in specs)]
    return _page(lang, "product", title, outlet, main), Expected("\n".join(text), title)


_BUILDERS = {"forum": _forum, "listing": _listing, "service": _service, "product": _product}


def build_other_pages(per_set: int = 8, seed: int = 18) -> list[Page]:
    """``per_set`` non-article pages for each language and design."""
    pages = []
    for lang in LANGS:
        source = _Source(lang, random.Random(f"{seed}-{lang}-other"))
        for design in DESIGNS:
            outlet = f"{_WORDS[lang].outlet} {design}"
            for serial in range(per_set):
                markup, expected = _BUILDERS[design](lang, source, outlet)
                url = f"https://{design}-{lang}.news.example/{design}/{serial:04d}.html"
                pages.append(Page(lang, design, url, markup.encode("utf-8"),
                                  "text/html; charset=utf-8", expected))
    return pages
