"""What a ``scenario`` or ``sweep`` argument is: a path, TOML text, or a dict written as TOML."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import Any, Dict, Mapping, NamedTuple, Optional, Union

import tomli_w

from ._errors import ScenarioError

Source = Union[str, "os.PathLike[str]", Mapping[str, Any]]
"""A path (``str`` or ``pathlib.Path``), TOML text (a ``str`` with a newline or ``=``), or a dict
with the structure of the TOML file."""

DICT_NAME = "<dict>"
STRING_NAME = "<string>"


class Resolved(NamedTuple):
    """A source as the native module takes it."""

    path: Optional[str]
    text: Optional[str]
    file: str
    dir: str


def _is_text(s: str) -> bool:
    """A string is TOML text, not a path, when it holds a newline or an ``=``."""
    return "\n" in s or "=" in s


def _plain(value: Any, field: str) -> Any:
    """``value`` as the types TOML has (numpy scalars unwrapped, tuples as lists), or a
    ScenarioError naming ``field``."""
    if isinstance(value, Mapping):
        out: Dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise _dict_error(field, f"key {k!r} is not a string")
            out[k] = _plain(v, f"{field}.{k}" if field else k)
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(v, f"{field}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, (bool, int, float, str, _dt.date, _dt.time)):
        return value
    item = getattr(value, "item", None)  # numpy and pandas scalars
    if callable(item):
        try:
            return _plain(item(), field)
        except (TypeError, ValueError):
            pass
    kind = "None" if value is None else type(value).__name__
    raise _dict_error(field, f"{kind} has no TOML form (expected a string, number, boolean, date, list or table)")


def _dict_error(field: str, message: str) -> ScenarioError:
    text = f"error: {DICT_NAME}: {field}: {message}" if field else f"error: {DICT_NAME}: {message}"
    return ScenarioError(text, [(DICT_NAME, field, None, None, message)])


def to_toml(d: Mapping[str, Any]) -> str:
    """A scenario or sweep dict as TOML text; a value TOML cannot hold raises ScenarioError naming its field."""
    return tomli_w.dumps(_plain(d, ""))


def resolve(source: Optional[Source]) -> Resolved:
    """The path or text of ``source``; relative paths of a text or dict count from the current directory."""
    cwd = os.getcwd()
    if source is None:
        return Resolved(None, None, "", cwd)
    if isinstance(source, Mapping):
        return Resolved(None, to_toml(source), DICT_NAME, cwd)
    if isinstance(source, os.PathLike):
        return Resolved(os.fspath(source), None, os.fspath(source), cwd)
    if isinstance(source, str):
        if _is_text(source):
            return Resolved(None, source, STRING_NAME, cwd)
        return Resolved(source, None, source, cwd)
    raise TypeError(f"expected a path, a TOML string or a dict, got {type(source).__name__}")


def as_path(p: Union[str, "os.PathLike[str]"]) -> Path:
    """``p`` as a Path."""
    return Path(os.fspath(p))
