"""langdetect, seeded, with profile subsets loaded once per process.

langdetect is random unless its factory has a seed, reads every profile it
ships (55 languages) and gets slower with each one. Here each script gets a
factory holding only the profiles that script can produce, built on first use
and kept for the life of the process; every detector is seeded, so the same
text always gets the same answer.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping, Sequence

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

logger = logging.getLogger(__name__)

SEED = 0
# How much of a block langdetect reads: it samples n-grams until it converges,
# so a longer text costs more without changing a clear answer.
SAMPLE_CHARS = 400

PROFILE_SETS: dict[str, tuple[str, ...]] = {
    "latin": (
        "en",
        "fr",
        "de",
        "es",
        "it",
        "pt",
        "nl",
        "tr",
        "id",
        "sv",
        "da",
        "no",
        "fi",
        "pl",
        "ro",
        "cs",
        "sk",
        "hu",
        "ca",
        "hr",
        "sl",
        "lt",
        "lv",
        "et",
        "sq",
        "vi",
        "tl",
        "sw",
        "so",
        "af",
        "cy",
    ),
    "arabic": ("ar", "fa", "ur"),
    "cyrillic": ("ru", "uk", "bg", "mk"),
    "devanagari": ("hi", "mr", "ne"),
    "han": ("zh-cn", "zh-tw", "ja", "ko"),
}

_lock = threading.Lock()
_factories: dict[str, DetectorFactory] = {}


def _factory(profile_set: str) -> DetectorFactory:
    factory = _factories.get(profile_set)
    if factory is not None:
        return factory
    with _lock:
        factory = _factories.get(profile_set)
        if factory is None:
            factory = DetectorFactory()
            factory.seed = SEED  # an instance attribute: the class-wide seed stays untouched
            profiles = []
            for lang in PROFILE_SETS[profile_set]:
                path = os.path.join(PROFILES_DIRECTORY, lang)
                with open(path, encoding="utf-8") as handle:
                    profiles.append(handle.read())
            factory.load_json_profile(profiles)
            logger.debug("loaded %d langdetect profiles for %s", len(profiles), profile_set)
            _factories[profile_set] = factory
    return factory


# Answers by (text read, profile set, priors): a page's boilerplate lines ("Read also: ...",
# bylines, captions) come back page after page and are the lines langdetect is asked about
# most. Detection is seeded, so a cached answer is the answer. Cleared when full.
_CACHE: dict[tuple[str, str, tuple[tuple[str, float], ...]], dict[str, float]] = {}
_CACHE_MAX = 4096


def detect_probabilities(
    text: str, profile_set: str, priors: Mapping[str, float] | None = None
) -> dict[str, float]:
    """langdetect's probabilities for ``text`` among ``profile_set``'s languages.

    Reads at most :data:`SAMPLE_CHARS` characters. Returns ``{}`` when
    langdetect finds no features (digits, punctuation only).
    """
    sample = text[: SAMPLE_CHARS * 2]
    key = (sample, profile_set, tuple(priors.items()) if priors else ())
    cached = _CACHE.get(key)
    if cached is not None:
        return dict(cached)
    detector = _factory(profile_set).create()
    detector.set_max_text_length(SAMPLE_CHARS)
    if priors:
        known = {lang: p for lang, p in priors.items() if lang in detector.langlist and p > 0}
        if known:
            # langdetect multiplies priors in, so languages without one must keep a floor.
            floor = 0.5 / len(detector.langlist)
            detector.set_prior_map({lang: known.get(lang, floor) for lang in detector.langlist})
    detector.append(sample)
    try:
        result = {item.lang: item.prob for item in detector.get_probabilities()}
    except LangDetectException:
        result = {}
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.clear()
    _CACHE[key] = result
    return dict(result)


def preload(profile_sets: Sequence[str] = ("latin", "arabic")) -> None:
    """Load these profile sets now (a worker's start) rather than on the first text that
    needs them."""
    for profile_set in profile_sets:
        _factory(profile_set)


def loaded_profile_sets() -> Sequence[str]:
    """Which profile sets this process has loaded (for tests and the benchmark)."""
    return tuple(_factories)
