"""Personal data at ingestion: the options from config, and salted pseudonyms.

Mexico's personal-data law (LFPDPPP) makes a replication package that carries
e-mails, names, phone numbers or GPS points a liability: those columns are
dropped, or replaced by a keyed hash (HMAC-SHA-256 with a secret salt) so rows
of one person stay linkable without the value being recoverable. The salt is
read from an environment variable and never written anywhere.
"""
from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from .errors import ConfigError
from .schemas import SCHEMA_DIR
from .yamlfiles import load_yaml


@dataclass(frozen=True)
class IngestOptions:
    unknown_columns: str  # carry | error
    personal_data: str  # drop | pseudonymise
    pseudonymise_id: bool
    salt: str | None = None  # the secret itself: only in memory

    @property
    def hashing(self) -> bool:
        return self.personal_data == "pseudonymise" or self.pseudonymise_id


def ingest_options(cfg: dict | None = None, environ=None) -> IngestOptions:
    """The config's `ingest` section, with the defaults of workflow/schemas/config.schema.yaml."""
    schema = load_yaml(SCHEMA_DIR / "config.schema.yaml")["properties"]["ingest"]["properties"]
    values = {k: spec["default"] for k, spec in schema.items()}
    values.update(cfg or {})
    environ = os.environ if environ is None else environ
    opts = IngestOptions(values["unknown_columns"], values["personal_data"], bool(values["pseudonymise_id"]))
    if opts.hashing:
        salt = environ.get(values["salt_env"], "")
        if len(salt) < 16:
            raise ConfigError(
                f"pseudonymising needs a secret salt of at least 16 characters in the environment variable "
                f"{values['salt_env']} (keep it out of the repository)", key="ingest.salt_env",
            )
        opts = IngestOptions(opts.unknown_columns, opts.personal_data, opts.pseudonymise_id, salt)
    return opts


def pseudonym(value, salt: str) -> str | None:
    """A stable 16-hex-digit pseudonym of a value (None stays None)."""
    if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
        return None
    return hmac.new(salt.encode("utf-8"), str(value).strip().encode("utf-8"), hashlib.sha256).hexdigest()[:16]
