"""Read YAML config files strictly: syntax errors and duplicate keys stop with file and line.

PyYAML silently keeps the last of two equal keys; in a codebook that would
quietly replace an item, so duplicates are an error here.
"""
from __future__ import annotations

import codecs
from pathlib import Path

import yaml

from .errors import ConfigError


# libyaml's parser when PyYAML has it (same values, marks and resolver; about ten times faster: the
# workflow reads config and codebook before any job can start)
class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


def _construct_mapping(loader, node, deep=False):
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise ConfigError(
                f"duplicate key {key!r} (first at line {seen[key]}, again at line {key_node.start_mark.line + 1})"
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_text(path) -> str:
    """A config, codebook or model file as text, newlines normalized: UTF-8 (with or without BOM),
    UTF-16 with its BOM, or Windows-1252 / Latin-1 as Spanish-locale editors save them. Anything
    else is one line naming the file and asking for UTF-8."""
    from .readers import decode_bytes

    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("no such file", file=path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", file=path) from None
    text = None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in raw:  # NUL bytes: UTF-16/32 without a BOM, or not text at all
        decoded, encoding = decode_bytes(raw)
        # latin-1 is decode_bytes' last resort: bytes that are not text in Windows-1252 either
        text = decoded if encoding != "latin-1" else None
    if text is None:
        raise ConfigError("cannot tell the text encoding of this file; save it as UTF-8", file=path)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_yaml(path) -> object:
    """Parse one YAML file; ConfigError naming the file (and line) if it cannot be read."""
    path = Path(path)
    text = read_text(path)
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except ConfigError as exc:
        raise ConfigError(exc.detail, file=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}invalid YAML: {problem}", file=path) from None


def require_utf8(path) -> None:
    """For files another program reads as UTF-8 only (Snakemake's `configfile:`): one line naming
    the file and the encoding it seems to be in, asking for UTF-8."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError:
        return  # the reader reports a missing or unreadable file itself
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        read_text(path)  # not text at all: its own message
        seems = "UTF-16" if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "Windows-1252/Latin-1"
        raise ConfigError(f"saved as {seems}, but Snakemake reads this file as UTF-8: save it as UTF-8",
                          file=path) from None
