"""Reading outlet files and ``akhbar.yaml``; every mistake becomes a :class:`ConfigError`."""

from __future__ import annotations

import logging
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # types-PyYAML is not in the venv
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from crawler.errors import ConfigError
from crawler.outlets.schema import OutletConfig
from crawler.outlets.service import ServiceConfig
from crawler.outlets.values import AKHBAR_ERROR_TYPE, show, suggest

logger = logging.getLogger(__name__)

SERVICE_FILE = "akhbar.yaml"
OUTLET_SUFFIXES = (".yaml", ".yml")
#: A config file larger than this is refused unread: a real outlet file is a few KB, and a
#: 50 MB one (a million feed URLs) made every crawl process spend a minute and 860 MB on it.
MAX_CONFIG_BYTES = 1024 * 1024
_YAML_HINT = (
    "Check the indentation (spaces, not tabs) and quote values that contain ': ' or ' #' "
    'or start with * & ! [ { such as "*/5 * * * *"'
)
_OUTLET_HINT = (
    "An outlet file is a YAML mapping with at least id, name, homepage, languages and "
    "discovery; see config/outlets/examples/"
)


@dataclass(frozen=True)
class LoadResult:
    """The valid outlets by id (sorted) and an error for every problem found."""

    outlets: dict[str, OutletConfig] = field(default_factory=dict)
    errors: list[ConfigError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _StrictLoader(yaml.SafeLoader):  # type: ignore[misc]  # yaml is untyped here
    """SafeLoader that rejects a key given twice (PyYAML silently keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, typing.Hashable):
                continue  # SafeLoader refuses it below, with a YAML error
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"found key '{key}' twice",
                    key_node.start_mark,
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def _read_bytes(path: Path) -> bytes:
    """The file's bytes; ``OSError`` when it cannot be read, :class:`_TooLarge` past the cap.

    The cap is checked on what is read, not only on the size stat reports, so a file that
    grows (or a FIFO) cannot make the loader hold more than the cap."""
    with path.open("rb") as handle:
        data = handle.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise _TooLarge(path.stat().st_size if path.is_file() else len(data))
    return data


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def _read_yaml(path: Path) -> tuple[Any, list[ConfigError]]:
    """The parsed document, or errors naming the file (and line) when it cannot be read."""
    try:
        text = _read_bytes(path).decode("utf-8-sig")
    except OSError as exc:
        return None, [ConfigError(f"cannot read the file: {exc.strerror or exc}", file=path)]
    except _TooLarge as exc:
        return None, [
            ConfigError(
                f"the file is {exc.size:,} bytes, over the limit of {MAX_CONFIG_BYTES:,} "
                f"({MAX_CONFIG_BYTES // 1024 ** 2} MB)",
                file=path,
                hint="An outlet file names a few feeds, sitemaps and listing pages; list many "
                "article URLs in a sitemap on the site and give its URL under discovery.sitemaps",
            )
        ]
    except UnicodeDecodeError as exc:
        return None, [
            ConfigError(
                f"the file is not UTF-8 (byte {exc.start})",
                file=path,
                hint="Save it as UTF-8; Arabic and Persian text is fine in UTF-8",
            )
        ]
    try:
        return yaml.load(text, Loader=_StrictLoader), []  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        detail = f"{problem} ({context})" if context else problem
        twice = isinstance(problem, str) and problem.startswith("found key")
        return None, [
            ConfigError(
                f"YAML syntax error: {detail}",
                file=path,
                hint="Keep one of the two and delete the other" if twice else _YAML_HINT,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            )
        ]


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if (found := _model_of(arg)) is not None:
                return found
    return None


def _walk(
    model: type[BaseModel], loc: tuple[int | str, ...]
) -> tuple[type[BaseModel] | None, FieldInfo | None]:
    """The model that owns the last field named in ``loc``, and that field's info."""
    current: type[BaseModel] | None = model
    info: FieldInfo | None = None
    for part in loc:
        if isinstance(part, int):
            continue
        if current is None or part not in current.model_fields:
            return None, None
        info = current.model_fields[part]
        current = _model_of(info.annotation)
    return current, info


def _dotted(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _kind(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"the text {show(value)}"


def _convert(
    exc: ValidationError, model: type[BaseModel], file: Path | None, outlet: str | None
) -> list[ConfigError]:
    errors = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind, ctx = err["type"], err.get("ctx") or {}
        description = ""
        if loc:
            _, info = _walk(model, loc)
            description = (info.description or "") if info else ""
        if kind == AKHBAR_ERROR_TYPE:
            problem, hint = ctx["problem"], ctx["hint"]
        elif kind == "extra_forbidden":
            key, parent = loc[-1], loc[:-1]
            owner = _walk(model, parent)[0] if parent else model
            allowed = list(owner.model_fields) if owner else []
            guess = suggest(str(key), allowed)
            problem = f"unknown key '{key}'"
            under = f" under '{_dotted(parent)}'" if parent else ""
            hint = (f"Did you mean '{guess}'? " if guess else "") + (
                f"Allowed keys{under}: " + ", ".join(allowed)
            )
        elif kind == "missing":
            problem = "required field is missing"
            hint = f"Add '{loc[-1]}:' with {description}" if description else ""
        elif kind in ("model_type", "dict_type", "model_attributes_type"):
            problem = f"expected a mapping of keys, got {_kind(err['input'])}"
            hint = f"Give {description}" if description else ""
        elif kind == "list_type":
            problem = f"expected a list such as [a, b], got {_kind(err['input'])}"
            hint = f"Give {description}" if description else ""
        else:
            message = err["msg"].replace("Input should be", "should be")
            problem = f"{show(err['input'])} {message[:1].lower()}{message[1:]}"
            hint = f"Expected {description}" if description else ""
        errors.append(
            ConfigError(problem, file=file, outlet=outlet, field=_dotted(loc) or None, hint=hint)
        )
    return errors


def check_outlet_file(path: Path) -> tuple[OutletConfig | None, list[ConfigError]]:
    """Validate one outlet file; the config only when there is no error, and every error."""
    path = Path(path)
    data, errors = _read_yaml(path)
    if errors:
        return None, [_with_outlet(e, path.stem) for e in errors]
    if data is None:
        return None, [
            ConfigError("the file is empty", file=path, outlet=path.stem, hint=_OUTLET_HINT)
        ]
    if not isinstance(data, dict):
        return None, [
            ConfigError(
                f"expected a mapping of keys, found {_kind(data)}",
                file=path,
                outlet=path.stem,
                hint=_OUTLET_HINT,
            )
        ]
    raw_id = data.get("id")
    outlet = raw_id if isinstance(raw_id, str) and raw_id.strip() else path.stem
    try:
        config: OutletConfig | None = OutletConfig.model_validate(data)
    except ValidationError as exc:
        config = None
        errors = _convert(exc, OutletConfig, path, outlet)
    if isinstance(raw_id, str) and raw_id != path.stem:
        errors.append(
            ConfigError(
                f"id '{raw_id}' does not match the file name '{path.name}'",
                file=path,
                outlet=outlet,
                field="id",
                hint=f"Rename the file to {raw_id}{path.suffix} or set id: {path.stem}",
            )
        )
    return (config if not errors else None), errors


def _with_outlet(err: ConfigError, outlet: str) -> ConfigError:
    err.outlet = err.outlet or outlet
    return err


def load_outlet_file(path: Path) -> OutletConfig:
    """Validate one outlet file; raise the first ConfigError (the others in ``.others``)."""
    config, errors = check_outlet_file(path)
    if errors:
        first = errors[0]
        first.others = tuple(errors[1:])
        raise first
    assert config is not None
    return config


def _outlet_files(config_dir: Path) -> list[Path]:
    outlets_dir = config_dir / "outlets"
    # Given an outlets directory itself (e.g. config/outlets/examples), read it directly.
    directory = outlets_dir if outlets_dir.is_dir() else config_dir
    if not directory.is_dir():
        return []
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix in OUTLET_SUFFIXES
        and not p.name.startswith(".")
        and not (directory == config_dir and p.stem == Path(SERVICE_FILE).stem)
        and p.is_file()
    )


def outlet_file(config_dir: Path, outlet_id: str) -> Path | None:
    """The file of outlet ``outlet_id`` in ``config_dir`` (see :func:`load_outlets` for where
    outlet files are looked for), or None. An outlet's file is named after its id."""
    outlets_dir = Path(config_dir) / "outlets"
    directory = outlets_dir if outlets_dir.is_dir() else Path(config_dir)
    if Path(outlet_id).name != outlet_id or outlet_id.startswith("."):
        return None  # not a file name: never a path out of the directory
    for suffix in OUTLET_SUFFIXES:
        path = directory / f"{outlet_id}{suffix}"
        if path.is_file():
            return path
    return None


def load_outlet(config_dir: Path, outlet_id: str) -> OutletConfig:
    """Outlet ``outlet_id``, reading its own file only (a crawl needs no other outlet's).

    Raises :class:`ConfigError`: the file's first error (the others in ``.others``), or that
    there is no such outlet."""
    path = outlet_file(config_dir, outlet_id)
    if path is None:
        raise ConfigError(
            f"no outlet '{outlet_id}' in {Path(config_dir) / 'outlets'}",
            hint="`akhbar outlets list` shows the configured outlets",
        )
    return load_outlet_file(path)


def load_outlets(config_dir: Path) -> LoadResult:
    """Every outlet in ``config_dir/outlets/*.yaml|*.yml`` (not subdirectories).

    When ``config_dir`` has no ``outlets/`` subdirectory it is read as an outlets directory
    itself. A bad file is reported in ``errors`` and never stops the others.
    """
    found: dict[str, tuple[OutletConfig, Path]] = {}
    errors: list[ConfigError] = []
    for path in _outlet_files(Path(config_dir)):
        config, file_errors = check_outlet_file(path)
        errors.extend(file_errors)
        if config is None:
            continue
        if config.id in found:
            errors.append(
                ConfigError(
                    f"outlet id '{config.id}' is already defined in {found[config.id][1]}",
                    file=path,
                    outlet=config.id,
                    field="id",
                    hint=f"Each outlet needs its own file and id; remove {path} or "
                    f"{found[config.id][1]}",
                )
            )
            continue
        found[config.id] = (config, path)
    for err in errors:
        logger.debug("outlet config error: %s", err)
    return LoadResult(outlets={key: found[key][0] for key in sorted(found)}, errors=errors)


def load_service_config(config_dir: Path) -> ServiceConfig:
    """``config_dir/akhbar.yaml``, or the defaults when the file does not exist."""
    path = Path(config_dir) / SERVICE_FILE
    if not path.exists():
        logger.debug("no %s; using the default service settings", path)
        return ServiceConfig()
    data, errors = _read_yaml(path)
    if not errors and data is not None and not isinstance(data, dict):
        errors = [
            ConfigError(
                f"expected a mapping of keys, found {_kind(data)}",
                file=path,
                hint="See the commented config/akhbar.yaml for the keys",
            )
        ]
    if not errors:
        try:
            return ServiceConfig.model_validate(data or {})
        except ValidationError as exc:
            errors = _convert(exc, ServiceConfig, path, None)
    first = errors[0]
    first.others = tuple(errors[1:])
    raise first
