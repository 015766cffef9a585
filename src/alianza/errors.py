"""User-facing errors: one line that names the file, the column and the row."""
from __future__ import annotations


class AlianzaError(Exception):
    """An error the user can fix (bad input, bad config). Shown as one line, no traceback."""

    row_word = "row"  # a data row; model files count lines

    def __init__(self, message: str, *, file=None, column=None, row=None, key=None):
        self.file, self.column, self.row, self.key = file, column, row, key
        self.detail = message
        super().__init__(self.oneline())

    def oneline(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"file {self.file}")
        if self.key is not None:
            where.append(f"key {self.key}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.row is not None:
            where.append(f"{self.row_word} {self.row}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.detail}" if prefix else self.detail


class ConfigError(AlianzaError):
    """Config, codebook or model file does not validate."""


class InputError(AlianzaError):
    """A data file that cannot be ingested at all (file-level error)."""


class ModelSyntaxError(AlianzaError):
    """lavaan-syntax model that cannot be parsed; names the line."""

    row_word = "line"


class OutputError(AlianzaError):
    """An output that cannot be written (read-only or full folder, a path under a file); names the path."""
