"""The config shipped in config/ is valid and the demo outlets match the demo site."""

from pathlib import Path

from crawler.demosite import JS_OUTLET_ID, OUTLETS, js_outlet_yaml, outlet_yaml
from crawler.outlets import load_outlets

CONFIG = Path(__file__).resolve().parents[1] / "config"
DEMO_BASE = "http://127.0.0.1:8765"


def test_shipped_outlets_are_valid() -> None:
    result = load_outlets(CONFIG)
    assert not result.errors, [str(e) for e in result.errors]
    assert {o["id"] for o in OUTLETS} | {JS_OUTLET_ID} <= set(result.outlets)
    assert result.outlets[JS_OUTLET_ID].render == "browser"


def test_demo_outlet_files_match_the_demo_site() -> None:
    # `akhbar demo` serves the site on 127.0.0.1:8765; regenerate the files with
    # crawler.demosite.outlet_yaml if the site's layout changes.
    for outlet in OUTLETS:
        shipped = (CONFIG / "outlets" / f"{outlet['id']}.yaml").read_text(encoding="utf-8")
        assert shipped == outlet_yaml(outlet["id"], DEMO_BASE)
    shipped = (CONFIG / "outlets" / f"{JS_OUTLET_ID}.yaml").read_text(encoding="utf-8")
    assert shipped == js_outlet_yaml(DEMO_BASE)
