"""Load the labelled corpus in ``corpus/`` (see ``corpus/README.md`` for the format)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CORPUS_DIR = Path(__file__).parent / "corpus"


@dataclass(frozen=True)
class Item:
    text: str
    lang: str
    kind: str  # paragraph | sentence | short | mixed | confuser
    secondary: str | None = None
    source: str = ""  # file:line, to find an item that went wrong


def _lines(path: Path) -> list[tuple[int, str]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            rows.append((number, line.strip()))
    return rows


def load(corpus_dir: Path = CORPUS_DIR) -> list[Item]:
    items: list[Item] = []
    kinds = {
        "paragraphs": "paragraph",
        "sentences": "sentence",
        "short": "short",
        "confusers": "confuser",
    }
    for path in sorted(corpus_dir.glob("*.*.txt")):
        stem, lang = path.stem.split(".", 1)
        kind = kinds[stem]
        for number, line in _lines(path):
            items.append(Item(line, lang, kind, None, f"{path.name}:{number}"))
    items.extend(_mixed(corpus_dir / "mixed.txt"))
    return items


def _mixed(path: Path) -> list[Item]:
    items: list[Item] = []
    header: tuple[str, str | None, int] | None = None
    body: list[str] = []

    def flush() -> None:
        if header is not None:
            primary, secondary, number = header
            items.append(
                Item("\n".join(body), primary, "mixed", secondary, f"{path.name}:{number}")
            )

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("%%"):
            flush()
            primary, secondary = line[2:].split()
            header = (primary, None if secondary == "-" else secondary, number)
            body = []
        elif line.startswith("#"):
            continue
        elif header is not None:
            body.append(line)
    flush()
    return items
