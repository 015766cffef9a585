"""The survey instrument (config/codebook.yaml): load, validate, and answer questions about it.

Everything ingestion, simulation and the tables know about items, scales,
reverse keys, missing codes and context variables comes from here. The
codebook is validated first against workflow/schemas/codebook.schema.yaml
(structure, types) and then for cross-references the schema cannot express
(unique ids, scales that exist, codes that do not collide); each failure is
one ConfigError naming the file and the key path, e.g.
``constructs.E2.items[1].reverse``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError
from .headers import check_unique_keys, header_key
from .schemas import SCHEMA_DIR
from .schemas import validate_schema as _validate
from .yamlfiles import load_yaml

# The schema ships with the workflow (Snakemake validates config with the same files).
SCHEMA_PATH = SCHEMA_DIR / "codebook.schema.yaml"


def normalize_text(value: str) -> str:
    """Compare labels ignoring case, accents and spacing: 'Totalmente de  Acuerdo' == 'totalmente de acuerdo'."""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("\u2019", "'").replace("\u2018", "'")  # typographic apostrophes from word processors
    text = re.sub(r"\s+", " ", text.casefold()).strip()
    return re.sub(r"\s*/\s*", "/", text)


@dataclass(frozen=True)
class Variable:
    """One column the codebook describes, with what its values may be."""

    name: str
    role: str  # id | item | attention | context | consent
    type: str  # id | scale | categorical | integer | number
    label: dict
    key: str  # where it is defined in the codebook (for messages)
    aliases: tuple = ()
    required: bool = True
    construct: str | None = None
    reverse: bool = False
    scale: str | None = None
    # coded variables (scale, categorical): code -> {"es", "en", "value"?, "name"?}
    code_labels: dict = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    missing_codes: tuple = ()

    @property
    def coded(self) -> bool:
        return self.type in ("scale", "categorical")

    @property
    def codes(self) -> list[int]:
        return list(self.code_labels)


def validate_schema(data, source, schema_path=None) -> None:
    """The codebook against workflow/schemas/codebook.schema.yaml (or another schema file)."""
    _validate(data, source, Path(schema_path) if schema_path else SCHEMA_PATH)


class Codebook:
    """A validated codebook. Build with load_codebook(path) or Codebook(dict, source)."""

    def __init__(self, data: dict, source="codebook", *, schema_path=None):
        validate_schema(data, source, schema_path)
        self.data = data
        self.source = source
        self._build()
        self._check_references()

    # ----------------------------------------------------------------- building
    def _build(self) -> None:
        d, src = self.data, self.source
        self.scales = {}
        for name, sc in d["scales"].items():
            self.scales[name] = self._code_labels(sc["points"], f"scales.{name}.points")
        self.missing_codes = tuple(d["missing"]["codes"])
        self.missing_labels = tuple(d["missing"]["labels"])

        idv = d["id"]
        self.id = Variable(
            name=idv["name"], role="id", type="id", label=idv["label"], key="id",
            aliases=tuple(idv.get("aliases", ())), required=True,
        )
        self.wave_name = d["wave"]["name"]
        self.wave_label = d["wave"]["label"]

        self._items: list[Variable] = []
        for cname, con in d["constructs"].items():
            scale = self._scale(con["scale"], f"constructs.{cname}.scale")
            for i, it in enumerate(con["items"]):
                self._items.append(Variable(
                    name=it["id"], role="item", type="scale", label=it["text"],
                    key=f"constructs.{cname}.items[{i}]", aliases=tuple(it.get("aliases", ())),
                    required=True, construct=cname, reverse=it["reverse"], scale=con["scale"],
                    code_labels=scale, missing_codes=self.missing_codes,
                ))

        att = d.get("attention")
        self.attention: Variable | None = None
        if att:
            self.attention = Variable(
                name=att["id"], role="attention", type="scale", label=att["text"], key="attention",
                aliases=tuple(att.get("aliases", ())), required=att.get("required", False),
                scale=att["scale"], code_labels=self._scale(att["scale"], "attention.scale"),
                missing_codes=self.missing_codes,
            )

        self.context: list[Variable] = []
        for i, cv in enumerate(d.get("context", []) or []):
            key = f"context[{i}]"
            common = dict(
                name=cv["id"], role="context", type=cv["type"], label=cv["label"], key=key,
                aliases=tuple(cv.get("aliases", ())), required=cv.get("required", False),
            )
            if cv["type"] == "categorical":
                var = Variable(**common, code_labels=self._code_labels(cv["categories"], f"{key}.categories"),
                               missing_codes=self.missing_codes)
            elif cv["type"] == "scale":
                var = Variable(**common, scale=cv["scale"], code_labels=self._scale(cv["scale"], f"{key}.scale"),
                               missing_codes=self.missing_codes)
            else:
                if cv["min"] > cv["max"]:
                    raise ConfigError(f"min {cv['min']} is greater than max {cv['max']}", file=src, key=f"{key}.min")
                var = Variable(**common, minimum=cv["min"], maximum=cv["max"],
                               missing_codes=tuple(cv.get("missing_codes", ())))
            self.context.append(var)
        self.ignore_columns = tuple(d.get("ignore_columns", ()) or ())

        con = d.get("consent")
        self.consent: Variable | None = None
        if con:
            self.consent = Variable(
                name=con["id"], role="consent", type="consent", label=con["text"], key="consent",
                aliases=tuple(con.get("aliases", ())), required=con.get("required", False),
                code_labels=self._code_labels(con["accept"], "consent.accept"),
            )
        # Columns holding personal data (names, phones, free text): never in processed data or reports.
        self.personal = [
            {"id": p["id"], "label": p["label"], "aliases": tuple(p.get("aliases", ())), "key": f"personal[{i}]"}
            for i, p in enumerate(d.get("personal", []) or [])
        ]
        self.quality = d["quality"]

    def _scale(self, name, key) -> dict:
        if name not in self.scales:
            raise ConfigError(f"unknown scale {name!r} (defined: {', '.join(self.scales)})", file=self.source, key=key)
        return self.scales[name]

    def _code_labels(self, points, key) -> dict:
        out = {}
        for j, p in enumerate(points):
            if p["code"] in out:
                raise ConfigError(f"code {p['code']} appears twice", file=self.source, key=f"{key}[{j}].code")
            out[p["code"]] = {k: p[k] for k in ("es", "en", "value", "name") if k in p}
        return out

    def _check_references(self) -> None:
        src = self.source
        # Every column name, alias and question text must match one variable only, after normalisation.
        seen: dict[str, tuple[str, str]] = {header_key(self.wave_name): ("wave.name", self.wave_name)}
        for var in self.variables():
            for j, name in enumerate((var.name, *var.aliases)):
                norm = header_key(name)
                where = f"{var.key}.{'id' if var.role != 'id' else 'name'}" if j == 0 else f"{var.key}.aliases[{j - 1}]"
                if norm in seen and seen[norm][1] != var.key:
                    raise ConfigError(f"column name {name!r} is also used at {seen[norm][0]}", file=src, key=where)
                seen[norm] = (where, var.key)
        check_unique_keys(self)
        keys = {header_key(n) for _, names, texts in self.header_sources() for n in (*names, *texts)}
        for j, name in enumerate(self.ignore_columns):
            if header_key(name) in keys:
                raise ConfigError(f"ignored column {name!r} is a codebook variable", file=src, key=f"ignore_columns[{j}]")

        for var in self.variables():
            if not var.coded:
                continue
            collide = sorted(set(var.missing_codes) & set(var.codes))
            if collide:
                raise ConfigError(
                    f"missing-data code {collide[0]} is also a valid answer of {var.name!r}", file=src, key="missing.codes"
                )
            self.label_map(var)  # raises if two answers share a normalised label

        for name, codes in self.scales.items():
            c = sorted(codes)
            if any(c[i] + c[-1 - i] != c[0] + c[-1] for i in range(len(c))) and any(
                it.reverse and it.scale == name for it in self._items
            ):
                raise ConfigError(
                    "reverse-keyed items need a symmetric scale (codes like 1..5)", file=src, key=f"scales.{name}.points"
                )

        att = self.attention
        if att is not None:
            if self.data["attention"]["expected"] not in att.codes:
                raise ConfigError(
                    f"expected answer {self.data['attention']['expected']} is not a code of scale {att.scale!r}",
                    file=src, key="attention.expected",
                )
            after = self.data["attention"].get("after")
            if after is not None and after not in self.items():
                raise ConfigError(f"{after!r} is not an item id", file=src, key="attention.after")

    # ---------------------------------------------------------------- questions
    @property
    def version(self) -> str:
        return self.data["instrument"]["version"]

    @property
    def instrument_id(self) -> str:
        return self.data["instrument"]["id"]

    @property
    def constructs(self) -> list[str]:
        return list(self.data["constructs"])

    def items(self, construct: str | None = None) -> list[str]:
        """Item ids in codebook order, of one construct or all."""
        if construct is not None and construct not in self.data["constructs"]:
            raise KeyError(construct)
        return [v.name for v in self._items if construct is None or v.construct == construct]

    def item_variables(self) -> list[Variable]:
        return list(self._items)

    def construct_items(self) -> dict[str, list[str]]:
        return {c: self.items(c) for c in self.constructs}

    @property
    def reverse_items(self) -> list[str]:
        return [v.name for v in self._items if v.reverse]

    def construct_label(self, construct: str, lang: str = "es") -> str:
        return self.data["constructs"][construct]["label"][lang]

    def variable(self, name: str) -> Variable:
        for var in self.variables():
            if var.name == name:
                return var
        raise KeyError(name)

    def variables(self) -> list[Variable]:
        """Every column a delivered file may carry: id, context, items and the attention check."""
        out = [self.id, *self.context, *self._items]
        if self.attention is not None:
            out.append(self.attention)
        return out

    def label(self, name: str, lang: str = "es") -> str:
        """Label of a variable (item text for items) in es or en."""
        if name == self.wave_name:
            return self.wave_label[lang]
        return self.variable(name).label[lang]

    def code_label(self, name: str, code: int, lang: str = "es") -> str:
        return self.variable(name).code_labels[code][lang]

    def scale_range(self, name: str) -> tuple[int, int]:
        codes = self.variable(name).codes
        return min(codes), max(codes)

    def label_map(self, var: Variable) -> dict[str, int | None]:
        """Normalised text answer -> code (None for 'don't know / no answer'), Spanish and English labels."""
        out: dict[str, int | None] = {}
        origin: dict[str, str] = {}

        def add(text, code, where):
            norm = normalize_text(text)
            if norm in out and out[norm] != code:
                raise ConfigError(
                    f"answer label {text!r} of {var.name!r} is also {origin[norm]}", file=self.source, key=where
                )
            out[norm], origin[norm] = code, where

        for j, lab in enumerate(self.missing_labels):
            for lang in ("es", "en"):
                add(lab[lang], None, f"missing.labels[{j}].{lang}")
        prefix = f"scales.{var.scale}.points" if var.type == "scale" else f"{var.key}.categories"
        for k, (code, labels) in enumerate(var.code_labels.items()):
            for lang in ("value", "name", "es", "en"):
                if lang in labels:
                    add(labels[lang], code, f"{prefix}[{k}].{lang}")
        return out

    @property
    def personal_ids(self) -> list[str]:
        return [p["id"] for p in self.personal]

    def header_sources(self):
        """(target id, names, texts) of every column a delivered file may carry: what header matching knows."""
        for var in self.variables() + ([self.consent] if self.consent is not None else []):
            yield var.name, (var.name, *var.aliases), tuple(var.label[lang] for lang in ("es", "en"))
        for p in self.personal:
            yield p["id"], (p["id"], *p["aliases"]), (p["label"]["es"], p["label"]["en"])

    def consents(self, cell) -> bool:
        """Whether a delivered consent answer is one of the accepted ones (by code, label or choice name)."""
        if self.consent is None:
            return True
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            return float(cell) in {float(c) for c in self.consent.code_labels}
        text = normalize_text(str(cell))
        if re.fullmatch(r"[-+]?\d+(\.0*)?", text):
            return float(text) in {float(c) for c in self.consent.code_labels}
        return any(text == normalize_text(lab[k]) for lab in self.consent.code_labels.values() for k in lab)

    @property
    def output_columns(self) -> list[str]:
        """Columns of processed data, in order."""
        return [self.id.name, self.wave_name, *(v.name for v in self.context), *self.items()]

    def layout(self) -> list[Variable]:
        """Questionnaire order of a delivered file: id, context, items with the attention check in place."""
        out = [self.id, *self.context]
        after = self.data.get("attention", {}).get("after") if self.attention else None
        for var in self._items:
            out.append(var)
            if var.name == after:
                out.append(self.attention)
        if self.attention is not None and after is None:
            out.append(self.attention)
        return out


def load_codebook(path, *, schema_path=None) -> Codebook:
    """Read and validate config/codebook.yaml (ConfigError naming the file and key on any problem)."""
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError("the codebook must be a mapping of sections (instrument, scales, constructs, ...)", file=path)
    return Codebook(data, source=str(path), schema_path=schema_path)
