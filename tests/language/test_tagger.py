"""tag_languages on whole texts: primary, shares, parts, hints, boilerplate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.language import UNDETERMINED, LanguagePart, LanguageResult, tag_languages
from tests.support import python_output

FIXTURES = Path(__file__).parent / "fixtures"
SEED = (FIXTURES / "seed_irangate_en_fa.txt").read_text(encoding="utf-8")
PERSIAN_LINE = "جهت مشاهده مطالب تفکیک شده مرتبط با انتخابات آمریکا سال ۲۰۲۲"

PERSIAN_PAGE = (
    "وزارت نیرو اعلام کرد که ذخایر آب سدهای تهران به پایین‌ترین سطح ده سال گذشته رسیده است.\n"
    "به گفته مدیرعامل شرکت آب منطقه‌ای، اگر بارش‌های پاییزی کم باشد، جیره‌بندی آب در برخی "
    "مناطق پایتخت اجتناب‌ناپذیر خواهد بود.\n"
    "کارشناسان می‌گویند مصرف آب در بخش کشاورزی باید هرچه زودتر مدیریت شود."
)


def test_seed_article_is_english_with_a_persian_footer_line() -> None:
    result = tag_languages(SEED)
    assert result.lang == "en"
    assert result.confidence > 0.9
    assert result.secondary == "fa"
    assert result.shares["en"] > 0.9
    fa_parts = [part for part in result.parts if part.lang == "fa"]
    assert len(fa_parts) == 1
    assert PERSIAN_LINE in SEED[fa_parts[0].start : fa_parts[0].end]
    assert "Share This" not in SEED[fa_parts[0].start : fa_parts[0].end]


def test_seed_article_byline_is_undetermined_not_guessed() -> None:
    result = tag_languages(SEED)
    spans = {SEED[part.start : part.end]: part.lang for part in result.parts}
    assert spans["IranGate"] == UNDETERMINED


def test_parts_cover_the_blocks_with_exact_offsets() -> None:
    text = (
        "  First line of English text here, a whole sentence.\n\n"
        "دومین خط متن فارسی است که خوانده می‌شود\n"
    )
    result = tag_languages(text)
    assert [part.lang for part in result.parts] == ["en", "fa"]
    assert text[result.parts[0].start : result.parts[0].end].startswith("First line")
    assert text[result.parts[1].start : result.parts[1].end].endswith("می‌شود")
    assert abs(sum(result.shares.values()) - 1.0) < 1e-9


def test_adjacent_blocks_in_one_language_merge() -> None:
    text = "The court adjourned until Monday.\nLawyers for both sides said they were ready."
    result = tag_languages(text)
    assert len(result.parts) == 1
    assert (result.parts[0].start, result.parts[0].end) == (0, len(text))


@pytest.mark.parametrize("text", ["IranGate", "2026-11-29", "12345", "", "   \n\n", "— · —"])
def test_bare_names_dates_and_numbers_are_undetermined(text: str) -> None:
    result = tag_languages(text)
    assert result.lang == UNDETERMINED
    assert result.confidence == 0.0
    assert result.shares == {}
    assert result.secondary is None


def test_persian_page_declared_english_is_still_persian() -> None:
    result = tag_languages(PERSIAN_PAGE, hints=["en"], html_lang="en")
    assert result.lang == "fa"
    assert result.shares == {"fa": 1.0}


def test_hints_are_priors_on_an_ambiguous_short_text() -> None:
    # Two names: nothing in their letters or words says Arabic or Persian.
    text = "حسن عباس"
    assert tag_languages(text, hints=["fa"]).lang == "fa"
    assert tag_languages(text, hints=["ar"]).lang == "ar"
    assert tag_languages(text, html_lang="fa-IR").lang == "fa"


def test_short_latin_line_without_evidence_follows_a_hinted_latin_language() -> None:
    assert tag_languages("Nouvelles brèves aujourd'hui", hints=["fr"]).lang == "fr"
    assert tag_languages("Crowds gather downtown").lang == "en"


def test_boilerplate_lines_do_not_outvote_the_body() -> None:
    menu = "\n".join(
        ["صفحه اصلی", "تماس با ما", "درباره ما", "آرشیو خبرها", "ورود کاربران", "جستجو"]
    )
    body = (
        "The central bank kept its benchmark rate unchanged on Thursday, saying that "
        "inflation was easing faster than it had expected earlier in the year."
    )
    result = tag_languages(menu + "\n" + body)
    assert result.lang == "en"
    assert result.shares["en"] > 0.9
    assert [part.lang for part in result.parts][-1] == "en"


def test_persian_page_with_an_english_quote() -> None:
    quote = (
        "\u201cWe are not going to accept any deadline imposed from outside,\u201d "
        "he told reporters."
    )
    result = tag_languages(PERSIAN_PAGE + "\n" + quote)
    assert result.lang == "fa"
    assert result.secondary == "en"
    assert [part.lang for part in result.parts] == ["fa", "en"]


def test_result_to_dict_shape() -> None:
    data = tag_languages("El gobierno anunció nuevas medidas para contener la inflación.").to_dict()
    assert set(data) == {"lang", "confidence", "secondary", "shares", "parts"}
    assert data["lang"] == "es"
    assert set(data["parts"][0]) == {"start", "end", "lang", "confidence"}


def test_secondary_needs_two_percent() -> None:
    result = LanguageResult("en", 0.9, {"en": 0.985, "fa": 0.015}, [LanguagePart(0, 1, "en", 0.9)])
    assert result.secondary is None
    result.shares = {"en": 0.9, "fa": 0.07, "ar": 0.03}
    assert result.secondary == "fa"


SAMPLES = [SEED, PERSIAN_PAGE, "حسن عباس", "ذهب الوزیر إلی الاجتماع", "Markets rally after vote"]


def test_same_answer_in_a_fresh_process() -> None:
    script = (
        "import json, sys\n"
        "from crawler.language import tag_languages\n"
        "texts = json.load(sys.stdin)\n"
        "print(json.dumps([tag_languages(t).to_dict() for t in texts]))\n"
    )
    runs = [python_output(script, stdin=json.dumps(SAMPLES)) for _ in range(2)]
    assert runs[0] == runs[1]
    assert json.loads(runs[0]) == [tag_languages(t).to_dict() for t in SAMPLES]


def test_tagging_imports_no_scrapy() -> None:
    script = (
        "import sys, crawler.language; crawler.language.tag_languages('x y z'); "
        "print('scrapy' in sys.modules, 'twisted' in sys.modules)"
    )
    assert python_output(script).split() == ["False", "False"]


def test_a_line_quoting_a_persian_sentence_gets_a_persian_part() -> None:
    text = (
        "Asked about the sanctions, the shopkeeper shrugged and said: "
        "«ما دیگر به این وضع عادت کرده‌ایم و چاره‌ای نداریم»"
    )
    result = tag_languages(text)
    assert result.lang == "en"
    assert result.secondary == "fa"
    fa = [part for part in result.parts if part.lang == "fa"]
    assert len(fa) == 1 and text[fa[0].start : fa[0].end].startswith("«ما دیگر")


def test_a_brand_name_inside_a_persian_line_does_not_split_it() -> None:
    text = "فروشندگان می‌گویند قیمت گوشی‌های Samsung و Apple در یک ماه دو برابر شده است"
    result = tag_languages(text)
    assert [part.lang for part in result.parts] == ["fa"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("https://www.example.com/2026/11/29/news-story", UNDETERMINED),
        ("newsroom@example.com", UNDETERMINED),
        ("Read the statement at https://example.org/statement today", "en"),
        ("国家统计局公布了最新的经济数据", "zh-cn"),
        ("Министерство обороны опубликовало новое заявление", "ru"),
        ("Der Bundestag hat das Gesetz mit großer Mehrheit beschlossen.", "de"),
    ],
)
def test_addresses_and_other_scripts(text: str, lang: str) -> None:
    assert tag_languages(text).lang == lang


def test_langdetect_profiles_are_loaded_once() -> None:
    from crawler.language import profiles

    tag_languages("Le conseil municipal a voté le budget de la ville pour l'année prochaine.")
    first = profiles._factory("latin")
    tag_languages(
        "La ville a présenté son nouveau plan de transport pour les dix prochaines années."
    )
    assert profiles._factory("latin") is first
    assert first.seed == profiles.SEED
