"""Validation of config files against the JSON schemas in workflow/schemas/, as one-line errors."""
from __future__ import annotations

from pathlib import Path

from .errors import ConfigError
from .yamlfiles import load_yaml

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "workflow" / "schemas"


def key_path(path) -> str:
    """jsonschema path (deque of keys and indices) -> 'constructs.E2.items[1].reverse'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def validate_schema(data, source, schema_path) -> None:
    """Structural validation; the first (most relevant) error as one line naming file and key."""
    import jsonschema
    from jsonschema.exceptions import best_match

    schema_path = Path(schema_path)
    if not schema_path.is_file():
        raise ConfigError("schema not found (is the package installed from the repository?)", file=schema_path)
    validator = jsonschema.Draft202012Validator(load_yaml(schema_path))
    errors = list(validator.iter_errors(data))
    if not errors:
        return
    err = best_match(errors)
    more = f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    raise ConfigError(f"{err.message}{more}", file=source, key=key_path(err.absolute_path))


def validate_config(config: dict, source="config/config.yaml") -> None:
    """The pipeline's config/config.yaml against workflow/schemas/config.schema.yaml."""
    validate_schema(config, source, SCHEMA_DIR / "config.schema.yaml")
