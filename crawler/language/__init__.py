"""Language tagging for akhbar: pure functions, no Scrapy, no network.

``tag_languages(text, hints=(), html_lang=None)`` returns a :class:`LanguageResult`:
the primary language and its confidence, each language's share of the text and
the parts (paragraphs or blocks) in each. English, Arabic and Persian are told
apart by script, letters and words with langdetect (seeded, profiles loaded once
per process) weighed in; Pashto (``ps``), Sorani Kurdish (``ckb``), Urdu (``ur``),
Sindhi (``sd``) and Uyghur (``ug``) are recognised by their own letters; text too
short to tell is ``und``.
"""

from .result import UNDETERMINED, LanguagePart, LanguageResult
from .tagger import normalize_lang, tag_languages

__all__ = ["UNDETERMINED", "LanguagePart", "LanguageResult", "normalize_lang", "tag_languages"]
