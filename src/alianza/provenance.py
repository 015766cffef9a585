"""Provenance record: what a reviewer needs to check that a reproduction is the same run."""
from __future__ import annotations

import hashlib
import platform
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

# The packages whose versions change numbers or outputs.
KEY_PACKAGES = [
    "alianza", "semopy", "numpy", "scipy", "pandas", "statsmodels", "pingouin",
    "factor_analyzer", "snakemake", "pyreadstat", "openpyxl", "xlrd", "pyarrow", "matplotlib", "python-docx",
]


def sha256(path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def package_versions(names=KEY_PACKAGES) -> dict[str, str | None]:
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def provenance_record(inputs, config: dict, *, now: datetime | None = None, unread=()) -> dict:
    """Software versions, the config (with its seeds), SHA-256 of every input file, and the files in
    the raw folder that were not read (each {file, reason}), so a wave left out is visible."""
    now = now or datetime.now(timezone.utc)
    return {
        "created": now.isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": package_versions(),
        "config": config,
        "seeds": {"seed": config.get("seed")},
        # the survey design every fit used (weights, cluster) and the strata it describes
        "design": config.get("design") or None,
        "inputs": {str(p): {"sha256": sha256(p), "bytes": Path(p).stat().st_size} for p in inputs},
        "unread_raw_files": [dict(u) for u in unread],
    }
