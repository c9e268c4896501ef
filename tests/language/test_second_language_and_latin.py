"""Issue 18's language cases: a one-line footer in the other script is the secondary language;
Latin-script text in another language (Kurmanji included) is never pulled into English."""

from __future__ import annotations

import pytest

from crawler.language import tag_languages

EN = ("The governor of the central bank said the new notes would enter circulation in the "
      "spring, after a pilot in three provinces.\nHe added that the old notes would remain legal "
      "tender for at least two years, and that banks would exchange them.")
AR = ("أعلن الجيش اللبناني انتشار وحداته على طول الحدود الجنوبية بعد انسحاب القوات الأجنبية.\n"
      "قال رئيس الوزراء العراقي إن حكومته لن تسمح باستخدام أراضي البلاد منطلقاً لأي هجوم.")


@pytest.mark.parametrize(("text", "primary", "secondary"), [
    (EN + "\nجميع الحقوق محفوظة لصحيفة الرافدين", "en", "ar"),
    (EN + "\nبرای مطالعه بیشتر کلیک کنید", "en", "fa"),
    (AR + "\nAll rights reserved", "ar", "en"),
    (AR + "\nRead more on our website", "ar", "en"),
    (EN + "\nتماس با ما\nدرباره ما", "en", None),  # menu items, not a line of text
    (EN, "en", None),
])
def test_a_one_line_footer_in_the_other_script_is_the_secondary(text: str, primary: str,
                                                                secondary: str | None) -> None:
    result = tag_languages(text)
    assert (result.lang, result.secondary) == (primary, secondary)
    assert result.to_dict()["secondary"] == secondary


@pytest.mark.parametrize("text", ["Guten Morgen", "Vielen Dank", "Wo ist der Bahnhof",
                                  "Bonjour madame", "Merci beaucoup", "Très bien",
                                  "Die Regierung hat am Montag neue Sanktionen angekündigt"])
def test_german_and_french_are_never_english(text: str) -> None:
    assert tag_languages(text).lang in ("de", "fr", "und")


@pytest.mark.parametrize("text", ["Ez te hez dikim", "Spas ji bo alîkariya we",
                                  "Hikûmetê îro biryarek nû da ku bacê zêde bike",
                                  "Kurdistan û Rojhilata Navîn"])
def test_kurmanji_is_kurmanji(text: str) -> None:
    assert tag_languages(text).lang == "kmr"


@pytest.mark.parametrize("text", ["Oil prices fall", "Related stories", "Continue reading"])
def test_short_english_stays_english(text: str) -> None:
    assert tag_languages(text).lang == "en"
