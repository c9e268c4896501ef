"""Helpers the tests share (not fixtures)."""

from __future__ import annotations

from pathlib import Path


def write_demo_config(config_dir: Path, base_url: str, outlet_ids: list[str] | None = None) -> Path:
    from crawler.demosite import OUTLETS, outlet_yaml

    (config_dir / "outlets").mkdir(parents=True, exist_ok=True)
    (config_dir / "akhbar.yaml").write_text("max_concurrent_crawls: 2\n", encoding="utf-8")
    for outlet in OUTLETS:
        if outlet_ids is None or outlet["id"] in outlet_ids:
            (config_dir / "outlets" / f"{outlet['id']}.yaml").write_text(
                outlet_yaml(outlet["id"], base_url), encoding="utf-8")
    return config_dir
