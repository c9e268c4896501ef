"""Arabic, Persian and their neighbours in Arabic script, short texts above all."""

from __future__ import annotations

import pytest

from crawler.language import tag_languages


@pytest.mark.parametrize(
    "text",
    [
        "وصل الرئيس إلى بغداد",
        "انخفاض أسعار النفط",
        "الحكومة تعلن ميزانية جديدة",
        "قالت الشرطة إن الحادث وقع ليلاً",
        "مباراة كرة القدم تأجلت",
        "مقتل ثلاثة جنود في هجوم",
    ],
)
def test_short_arabic(text: str) -> None:
    assert tag_languages(text).lang == "ar"


@pytest.mark.parametrize(
    "text",
    [
        "رئیس‌جمهور به بغداد رسید",
        "کاهش قیمت نفت",
        "دولت بودجه جدید را اعلام کرد",
        "پلیس گفت حادثه شب رخ داد",
        "مسابقه فوتبال به تعویق افتاد",
        "سه سرباز در حمله کشته شدند",
    ],
)
def test_short_persian(text: str) -> None:
    assert tag_languages(text).lang == "fa"


@pytest.mark.parametrize(
    "text",
    [
        # Arabic typed on a Persian keyboard: ی and ک where Arabic has ي and ك.
        "قال المتحدث باسم الخارجیة إن المفاوضات مستمرة",
        "أکد الرئیس علی ضرورة التعاون بین البلدین",
        "وزیر الخارجیة یزور دمشق",
        "التی عقدت فی طهران",
    ],
)
def test_arabic_typed_with_persian_letters(text: str) -> None:
    assert tag_languages(text).lang == "ar"


@pytest.mark.parametrize(
    "text",
    [
        # Persian with tanwin (and, in the last two, Arabic ي/ك from an old keyboard).
        "او حتماً فردا برمی‌گردد",
        "این طرح تقریباً شکست خورد",
        "قيمت‌ها واقعاً بالا رفته است",
        "مردم كاملاً از اين تصميم ناراضي هستند",
    ],
)
def test_persian_with_tanwin_or_arabic_keyboard(text: str) -> None:
    assert tag_languages(text).lang == "fa"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("د کابل ښار کې د اوبو کمښت ورځ تر بلې زیاتیږي", "ps"),
        ("طالبانو ویلي چې ښوونځي به ژر پرانیستل شي", "ps"),
        ("حکومەتی هەرێمی کوردستان بودجەی نوێی ڕاگەیاند", "ckb"),
        ("لە شاری سلێمانی باران بارییەوە", "ckb"),
        ("وزیر اعظم نے کہا کہ مہنگائی کم ہو رہی ہے", "ur"),
        ("کراچی میں شدید بارش کے بعد سڑکیں ڈوب گئیں", "ur"),
    ],
)
def test_other_arabic_script_languages_keep_their_own_codes(text: str, lang: str) -> None:
    assert tag_languages(text).lang == lang


def test_persian_text_quoting_a_pashto_name_stays_persian() -> None:
    text = (
        "سخنگوی وزارت خارجه افغانستان در نشستی خبری در کابل گفت که هیئت ننګرهار "
        "هفته آینده برای گفت‌وگو درباره آب رودخانه هیرمند به تهران سفر می‌کند."
    )
    assert tag_languages(text).lang == "fa"


def test_persian_paragraph_is_confident() -> None:
    text = (
        "بانک مرکزی روز سه‌شنبه اعلام کرد که نرخ تورم نقطه‌به‌نقطه در ماه گذشته برای "
        "نخستین بار در دو سال اخیر به زیر چهل درصد رسیده است، هرچند قیمت مواد غذایی "
        "همچنان با سرعت بیشتری افزایش می‌یابد."
    )
    result = tag_languages(text)
    assert result.lang == "fa"
    assert result.confidence > 0.95


def test_arabic_paragraph_is_confident() -> None:
    text = (
        "أعلنت وزارة الصحة في بيان صدر مساء الأحد أن عدد الإصابات بالكوليرا في المحافظات "
        "الجنوبية ارتفع إلى أكثر من ألفي حالة، داعية المواطنين إلى غلي مياه الشرب."
    )
    result = tag_languages(text)
    assert result.lang == "ar"
    assert result.confidence > 0.95
