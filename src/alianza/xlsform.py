"""The codebook as an XLSForm (KoboToolbox / ODK), both ways.

Export (`codebook_to_xlsform`): one sheet row per question, Spanish and English
labels, one group per construct (``grupo_<construct>``), the context variables in
their own group, one choice list per scale (and per categorical variable) with the
missing-data choice ("No sabe / No contesta") appended, required answers and range
constraints. Choice names are the codes (or a point's ``name``), so a Kobo export
"with XML values" carries the codes the codebook knows.

What XLSForm has no column for travels with the form so that import gives back a
codebook that ingests the same data to the same values: extra survey columns
(``construct``, ``reverse``, ``role``, ``expected``), extra choice columns (``code``
where a choice name is not its code, ``codebook_value``, ``missing``) and a
``codebook`` sheet of key / JSON value rows (instrument note, missing codes, wave,
quality rules, aliases ...). pyxform ignores all of them.

Import (`xlsform_to_codebook`) reads the form with pyxform's own parser (groups,
translated labels, choice lists), never with hand-written format rules; it works
on forms made elsewhere too: constructs from groups or a ``construct`` column,
reverse keys from a ``reverse`` column, scales from choice lists. Sections a
foreign form cannot hold (wave, quality rules) come from a base codebook.
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

SURVEY, CHOICES, SETTINGS, EXTRAS = "survey", "choices", "settings", "codebook"
# Kobo shows these names in its language menu; the ISO code in brackets is what ODK keys on.
LANGUAGES = {"es": "Español (es)", "en": "English (en)"}
CONTEXT_GROUP = "grupo_contexto"
TEXTS = {
    "context_group": {"es": "Datos del negocio", "en": "About the business"},
    "range": {"es": "Escriba un número entre {lo} y {hi}", "en": "Enter a number between {lo} and {hi}"},
    "imported_note": {
        "es": "Libro de códigos importado del XLSForm {form}.",
        "en": "Codebook imported from the XLSForm {form}.",
    },
}
# Codebook sections the survey, choices and settings sheets express; the others go to the codebook sheet.
FORM_SECTIONS = ("scales", "constructs", "context", "id", "attention")
# Keys of each variable the form expresses; the rest (aliases, ordered ...) go to the codebook sheet.
FORM_KEYS = {
    "id": {"name", "label"},
    "item": {"id", "reverse", "text"},
    "attention": {"id", "scale", "expected", "required", "after", "text"},
    "context": {"id", "type", "required", "label", "categories", "scale", "min", "max", "missing_codes"},
    "construct": {"label", "scale", "items"},
    "scale": {"points"},
}
NUMERIC_TYPES = {"integer": "integer", "number": "decimal"}
# Question types whose answers never reach a data column of their own, or that the tools treat as metadata.
SKIPPED_TYPES = {"note", "start", "end", "today", "deviceid", "username", "phonenumber", "simserial",
                 "subscriberid", "audit", "start-geopoint", "background-audio"}
TRUE_WORDS = {"yes", "true", "true()", "1", "si", "sí", "y"}


@dataclass
class XLSForm:
    """The sheets of an XLSForm as rows of column -> value, in sheet order."""

    survey: list[dict] = field(default_factory=list)
    choices: list[dict] = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    extras: dict = field(default_factory=dict)  # codebook key -> JSON-able value


def group_name(construct: str) -> str:
    return f"grupo_{construct.lower()}"


def _labels(column: str, text: dict) -> dict:
    return {f"{column}::{LANGUAGES[lang]}": text[lang] for lang in LANGUAGES}


def _leftover(spec: dict, kind: str) -> dict:
    return {k: v for k, v in spec.items() if k not in FORM_KEYS[kind]}


def range_constraint(lo, hi, missing_codes=()) -> str:
    """'. >= 1 and . <= 10', with '. = 99' alternatives for a numeric variable's own missing codes."""
    rng = f". >= {_num(lo)} and . <= {_num(hi)}"
    if not missing_codes:
        return rng
    return " or ".join([f"({rng})", *(f". = {_num(c)}" for c in missing_codes)])


def _num(value):
    return int(value) if float(value).is_integer() else value


# ---------------------------------------------------------------------- export
def codebook_to_xlsform(data: dict) -> XLSForm:
    """A validated codebook dict -> the sheets of its XLSForm."""
    form = XLSForm()
    missing_choice = _missing_choice(data["missing"])
    lists: dict[str, list[dict]] = {}

    def choice_list(name, points):
        rows = []
        for p in points:
            row = {"list_name": name, "name": p.get("name", str(p["code"])), **_labels("label", p)}
            if row["name"] != str(p["code"]):
                row["code"] = p["code"]
            if "value" in p:
                row["codebook_value"] = p["value"]
            rows.append(row)
        if missing_choice:
            rows.append({"list_name": name, **missing_choice})
        lists[name] = rows

    for sname, scale in data["scales"].items():
        choice_list(sname, scale["points"])
        if _leftover(scale, "scale"):
            form.extras[f"scales.{sname}"] = _leftover(scale, "scale")

    idv = data["id"]
    form.survey.append({"type": "text", "name": idv["name"], **_labels("label", idv["label"]),
                        "required": "yes", "role": "id"})
    if _leftover(idv, "id"):
        form.extras[f"variables.{idv['name']}"] = _leftover(idv, "id")

    context = data.get("context") or []
    if context:
        form.survey.append({"type": "begin_group", "name": CONTEXT_GROUP, **_labels("label", TEXTS["context_group"])})
        for cv in context:
            form.survey.append(_context_row(cv, data, lists, choice_list))
            if _leftover(cv, "context"):
                form.extras[f"variables.{cv['id']}"] = _leftover(cv, "context")
        form.survey.append({"type": "end_group", "name": CONTEXT_GROUP})

    att = data.get("attention")
    for cname, con in data["constructs"].items():
        form.survey.append({"type": "begin_group", "name": group_name(cname), **_labels("label", con["label"]),
                            "construct": cname})
        if _leftover(con, "construct"):
            form.extras[f"constructs.{cname}"] = _leftover(con, "construct")
        for item in con["items"]:
            form.survey.append({"type": f"select_one {con['scale']}", "name": item["id"],
                                **_labels("label", item["text"]), "required": "yes", "construct": cname,
                                "reverse": "yes" if item["reverse"] else "no"})
            if _leftover(item, "item"):
                form.extras[f"variables.{item['id']}"] = _leftover(item, "item")
            if att and att.get("after") == item["id"]:
                form.survey.append(_attention_row(att))
        form.survey.append({"type": "end_group", "name": group_name(cname)})
    if att and att.get("after") is None:
        form.survey.append(_attention_row(att))
    if att and _leftover(att, "attention"):
        form.extras[f"variables.{att['id']}"] = _leftover(att, "attention")

    form.choices = [row for rows in lists.values() for row in rows]
    inst = data["instrument"]
    form.settings = {"form_title": inst["name"]["es"], "form_id": inst["id"], "version": inst["version"],
                     "default_language": LANGUAGES["es"]}
    for key, value in data.items():
        if key not in FORM_SECTIONS:
            form.extras[key] = value
    return form


def _missing_choice(missing: dict) -> dict | None:
    # One "don't know" option per list: the first code with the first label (the others stay valid
    # answers of ingestion through the codebook sheet, they are just not offered twice).
    if not missing["codes"] or not missing["labels"]:
        return None
    return {"name": str(missing["codes"][0]), **_labels("label", missing["labels"][0]), "missing": "yes"}


def _context_row(cv: dict, data: dict, lists: dict, choice_list) -> dict:
    row = {"name": cv["id"], **_labels("label", cv["label"]), "required": "yes" if cv.get("required") else "no",
           "role": "context"}
    if cv["type"] == "scale":
        row["type"] = f"select_one {cv['scale']}"
    elif cv["type"] == "categorical":
        list_name = cv["id"]
        while list_name in lists or list_name in data["scales"]:
            list_name += "_opciones"
        choice_list(list_name, cv["categories"])
        row["type"] = f"select_one {list_name}"
    else:
        row["type"] = NUMERIC_TYPES[cv["type"]]
        row["constraint"] = range_constraint(cv["min"], cv["max"], cv.get("missing_codes", ()))
        msg = {lang: TEXTS["range"][lang].format(lo=_num(cv["min"]), hi=_num(cv["max"])) for lang in LANGUAGES}
        row.update(_labels("constraint_message", msg))
    return row


def _attention_row(att: dict) -> dict:
    # The expected answer is not a constraint: forcing it would make every respondent pass the check.
    return {"type": f"select_one {att['scale']}", "name": att["id"], **_labels("label", att["text"]),
            "required": "yes" if att.get("required") else "no", "role": "attention", "expected": att["expected"]}


def xlsform_workbook(form: XLSForm):
    """The sheets as an openpyxl workbook (survey, choices, settings, codebook)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, SURVEY, form.survey)
    _sheet(wb, CHOICES, form.choices)
    _sheet(wb, SETTINGS, [form.settings])
    _sheet(wb, EXTRAS, [{"key": k, "value": json.dumps(v, ensure_ascii=False)} for k, v in form.extras.items()])
    return wb


def _sheet(wb, title, rows):
    ws = wb.create_sheet(title)
    columns = list(dict.fromkeys(k for row in rows for k in row))
    ws.append(columns)
    for row in rows:
        ws.append([row.get(c) for c in columns])


def xlsform_bytes(form: XLSForm) -> bytes:
    buf = io.BytesIO()
    xlsform_workbook(form).save(buf)
    return buf.getvalue()


def convert_xlsform(xlsx: bytes | str | Path, source="XLSForm"):
    """pyxform's conversion to an XForm (its ConvertResult); a form pyxform rejects is a ConfigError."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    try:
        return convert(xlsform=io.BytesIO(xlsx) if isinstance(xlsx, bytes) else str(xlsx), file_type=".xlsx")
    except PyXFormError as exc:
        raise ConfigError(f"pyxform cannot convert the form: {' '.join(str(exc).split())}", file=source) from None


# ---------------------------------------------------------------------- import
def read_xlsform(path) -> tuple[dict, dict]:
    """pyxform's JSON of the form, and the codebook sheet (key -> value) when the form has one."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import parse_file_to_json

    path = Path(path)
    if not path.is_file():
        raise ConfigError("no such file", file=path)
    warnings: list[str] = []
    try:
        survey = parse_file_to_json(str(path), warnings=warnings)
    except PyXFormError as exc:
        raise ConfigError(f"not a valid XLSForm: {' '.join(str(exc).split())}", file=path) from None
    return survey, _read_extras(path)


def _read_extras(path: Path) -> dict:
    from openpyxl import load_workbook

    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return {}  # export-xlsform writes .xlsx; other formats are forms made elsewhere
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        if EXTRAS not in wb.sheetnames:
            return {}
        rows = [tuple(row) + (None, None) for row in wb[EXTRAS].iter_rows(values_only=True)]
    finally:
        wb.close()
    extras = {}
    for n, (key, value, *_) in enumerate(rows[1:], start=2):
        if key is None:
            continue
        try:
            extras[str(key)] = json.loads(value) if isinstance(value, str) else value
        except json.JSONDecodeError as exc:
            raise ConfigError(f"sheet {EXTRAS!r}: value of {key!r} is not JSON ({exc.msg})", file=path, row=n) from None
    return extras


@dataclass
class _Question:
    node: dict  # pyxform's JSON of the question
    group: dict | None  # the enclosing group's JSON


def xlsform_to_codebook(survey: dict, extras: dict | None = None, *, base: dict | None = None,
                        source="XLSForm") -> tuple[dict, list[str]]:
    """pyxform's JSON of a form (+ its codebook sheet, + a base codebook) -> (codebook dict, warnings).

    The form wins where both speak; the codebook sheet, then the base, supply what XLSForm
    cannot say. The result still has to be validated (alianza.codebook.Codebook).
    """
    reader = _FormReader(survey, extras or {}, source)
    reader.read_questions()
    scales, shown_missing = reader.scales()
    sections = _sections(survey, reader.extras, base, source)
    missing = sections.get("missing") or {"codes": [], "labels": []}
    out = {
        "instrument": sections["instrument"],
        "scales": scales,
        "missing": {"codes": _union(missing["codes"], [c for c, _ in shown_missing]),
                    "labels": _union(missing["labels"], [t for _, t in shown_missing])},
        "id": reader.id_spec(),
        "wave": sections.get("wave"),
        "constructs": reader.constructs(),
    }
    if reader.attention:
        out["attention"] = reader.attention
    out["context"] = reader.context
    # codebook sections the questions do not define (consent, personal data ...) come along as they are;
    # a free-text question the codebook already declares personal is not ignored but kept personal
    personal = {p["id"] for p in sections.get("personal") or []} | \
        {a for p in sections.get("personal") or [] for a in p.get("aliases", [])}
    ignored = [c for c in _union(sections.get("ignore_columns") or [], reader.ignore) if c not in personal]
    if ignored or "ignore_columns" in sections:
        out["ignore_columns"] = ignored
    out["quality"] = sections.get("quality")
    for key, value in sections.items():
        if key not in out and key not in FORM_SECTIONS and value is not None:
            out[key] = value
    absent = [k for k, v in out.items() if v is None]
    if absent:
        raise ConfigError(f"the form does not say {', '.join(absent)} (a form made by export-xlsform carries them "
                          "in its codebook sheet); give a base codebook with --base", file=source, key=absent[0])
    for key, value in sections.items():
        out.setdefault(key, value)
    unused = [k for k in reader.extras if "." in k]
    if unused:
        reader.warnings.append(f"codebook sheet rows for what the form no longer has were left out: "
                               f"{', '.join(unused)}")
    return out, reader.warnings


class _FormReader:
    """One pass over the questions of a form, sorting them into id, items, attention and context."""

    def __init__(self, survey: dict, extras: dict, source):
        self.source, self.extras, self.warnings = source, dict(extras), []
        self.labels = _LabelReader(source, self.warnings)
        self.choices = survey.get("choices", {})
        self.questions = list(_walk(survey.get("children", []), None, source))
        self.id_question = _find_id(self.questions, source)
        self.items: dict[str, list[dict]] = {}
        self.construct_specs: dict[str, dict] = {}
        self.scales_used: list[str] = []
        self.context: list[dict] = []
        self.ignore: list[str] = []
        self.attention: dict | None = None

    def read_questions(self) -> None:
        # a select_one on a list that items use (or the codebook sheet calls a scale) is a scale, else categorical
        scale_lists = {k.split(".", 1)[1] for k in self.extras if k.startswith("scales.")}
        for list_name in scale_lists:  # a scale no question uses is still part of the instrument
            if list_name in self.choices:
                self._use_scale(list_name)
        scale_lists |= {_list_name(q.node) for q in self.questions if _role(q) in ("item", "attention")}
        last_item = None
        for q in self.questions:
            role = _role(q)
            if q is self.id_question or role == "skip":
                continue
            name, where = q.node["name"], f"survey question {q.node['name']!r}"
            if role == "other":
                self.ignore.append(name)
                self.warnings.append(f"{where} (type {q.node['type']!r}) is not a codebook variable: "
                                     "listed under ignore_columns")
                continue
            leftover = self.extras.pop(f"variables.{name}", {})
            if role == "item":
                self._item(q, where, leftover)
                last_item = name
            elif role == "attention":
                self._attention(q, where, leftover, last_item)
            else:
                spec = _context_variable(q, self.choices, scale_lists, self.labels, self.source, leftover)
                self.context.append(spec)
                if spec["type"] == "scale":
                    self._use_scale(spec["scale"])
        if not self.items:
            raise ConfigError("no construct items found: put select_one questions in a group per construct, "
                              "or name their construct in a `construct` column", file=self.source, key="survey")

    def _use_scale(self, list_name):
        if list_name not in self.scales_used:
            self.scales_used.append(list_name)

    def _item(self, q: _Question, where, leftover) -> None:
        node, cname, list_name = q.node, _construct_of(q), _list_name(q.node)
        spec = self.construct_specs.get(cname)
        if spec is None:
            group = q.group if q.group is not None and _construct_of(q, group_only=True) == cname else None
            label = group["label"] if group else {"es": cname, "en": cname}
            self.construct_specs[cname] = {"label": self.labels.text(label, f"group {group['name']!r}" if group
                                                                     else where), "scale": list_name}
        elif spec["scale"] != list_name:
            raise ConfigError(f"construct {cname!r} mixes choice lists {spec['scale']!r} and {list_name!r}; "
                              "a construct's items share one scale", file=self.source, key=where)
        self._use_scale(list_name)
        self.items.setdefault(cname, []).append({"id": node["name"], "reverse": _truthy(node.get("reverse")),
                                                 "text": self.labels.text(node.get("label"), where), **leftover})

    def _attention(self, q: _Question, where, leftover, after) -> None:
        node = q.node
        if node.get("expected") in (None, ""):
            raise ConfigError("the attention item needs its expected answer in an `expected` column",
                              file=self.source, key=where)
        self._use_scale(_list_name(node))
        self.attention = {"id": node["name"], "scale": _list_name(node),
                          "expected": _int(node["expected"], self.source, where), "required": _required(node),
                          **({"after": after} if after else {}),
                          "text": self.labels.text(node.get("label"), where), **leftover}

    def scales(self) -> tuple[dict, list[tuple]]:
        """Scales in choices-sheet order, and the missing-data choices the form shows (code, labels)."""
        order = list(self.choices)
        scales, shown = {}, []
        for list_name in sorted(self.scales_used, key=lambda n: order.index(n) if n in order else len(order)):
            points, miss = _points(self.choices.get(list_name), list_name, self.labels, self.source)
            spec = self.extras.pop(f"scales.{list_name}", {})
            scales[list_name] = {"label": spec.pop("label", {"es": list_name, "en": list_name}), **spec,
                                 "points": points}
            shown += miss
        for cv in self.context:
            shown += cv.pop("_missing", [])
        return scales, shown

    def constructs(self) -> dict:
        return {cname: {"label": spec["label"], **self.extras.pop(f"constructs.{cname}", {}),
                        "scale": spec["scale"], "items": self.items[cname]}
                for cname, spec in self.construct_specs.items()}

    def id_spec(self) -> dict:
        node = self.id_question.node
        return {"name": node["name"], "label": self.labels.text(node.get("label"), f"survey question {node['name']!r}"),
                **self.extras.pop(f"variables.{node['name']}", {})}


def _union(first, second) -> list:
    out = list(first)
    for x in second:
        if x not in out:
            out.append(x)
    return out


def _walk(children, group, source):
    for node in children:
        kind = node.get("type")
        if kind == "group":
            if node.get("name") == "meta":  # pyxform's own instanceID block
                continue
            yield from _walk(node.get("children", []), node, source)
        elif kind == "repeat":
            raise ConfigError("repeat groups are not supported: a wave has one row per firm",
                              file=source, key=f"survey question {node.get('name')!r}")
        else:
            yield _Question(node, group)


def _role(q: _Question) -> str:
    node = q.node
    declared = str(node.get("role") or "").strip().lower()
    kind = node.get("type", "")
    if kind in SKIPPED_TYPES:
        return "skip"
    if declared in ("id", "attention", "context", "item"):
        return declared
    if kind == "select one":
        return "item" if (node.get("construct") or q.group is not None) else "context"
    if kind in ("integer", "decimal"):
        return "context"
    return "other"


def _find_id(questions, source) -> _Question:
    declared = [q for q in questions if str(q.node.get("role") or "").strip().lower() == "id"]
    if len(declared) > 1:
        raise ConfigError("more than one question has role id", file=source, key=f"survey question "
                                                                                  f"{declared[1].node['name']!r}")
    if declared:
        return declared[0]
    for q in questions:  # else the first free-text or whole-number question outside any group
        if q.group is None and q.node.get("type") in ("text", "integer"):
            return q
    raise ConfigError("no firm identifier: mark its question with `id` in a `role` column", file=source, key="survey")


def _construct_of(q: _Question, group_only=False) -> str:
    if not group_only and q.node.get("construct"):
        return str(q.node["construct"]).strip()
    group = q.group
    if group is None:
        return ""
    if group.get("construct"):
        return str(group["construct"]).strip()
    # grupo_e1 -> E1: constructs are the latent-variable codes of the models.
    return re.sub(r"^(grupo|group)_", "", group["name"]).upper()


def _list_name(node) -> str:
    return node.get("list_name") or node.get("itemset") or ""


def _truthy(value) -> bool:
    return str(value or "").strip().casefold() in TRUE_WORDS


def _required(node) -> bool:
    return _truthy(node.get("bind", {}).get("required"))


def _int(value, source, where) -> int:
    try:
        number = float(str(value).strip())
    except ValueError:
        number = float("nan")
    if not number.is_integer():
        raise ConfigError(f"{value!r} is not a whole-number code", file=source, key=where)
    return int(number)


class _LabelReader:
    """Bilingual texts from pyxform's labels ({'Español (es)': ..} or a plain string)."""

    def __init__(self, source, warnings):
        self.source, self.warnings = source, warnings

    def text(self, label, where) -> dict:
        if isinstance(label, dict) and set(label) == {"es", "en"}:
            return dict(label)
        found = {}
        if isinstance(label, dict):
            for key, value in label.items():
                lang = _language(key)
                if lang and value:
                    found.setdefault(lang, str(value))
        elif label:
            found["es"] = str(label)
        if not found:
            raise ConfigError("no label", file=self.source, key=where)
        for lang in LANGUAGES:
            if lang not in found:
                other = next(iter(found.values()))
                self.warnings.append(f"{where}: no {LANGUAGES[lang]} label; the other language's text is used")
                found[lang] = other
        return {"es": found["es"], "en": found["en"]}


def _language(key: str) -> str | None:
    m = re.search(r"\(([A-Za-z]{2})\)\s*$", key)
    code = m.group(1).lower() if m else None
    if code in LANGUAGES:
        return code
    name = key.strip().casefold()
    if name in ("es", "español", "espanol", "spanish"):
        return "es"
    if name in ("en", "english", "inglés", "ingles"):
        return "en"
    return "es" if name == "default" else None


def _points(choices, list_name, labels, source) -> tuple[list[dict], list[tuple]]:
    """Choice list -> scale points (code, name where it is not the code, labels) and missing choices."""
    if not choices:
        raise ConfigError(f"choice list {list_name!r} is empty or absent", file=source, key="choices")
    points, missing = [], []
    for pos, ch in enumerate(choices, start=1):
        name = str(ch["name"])
        where = f"choices {list_name}/{name}"
        if ch.get("code") not in (None, ""):
            code = _int(ch["code"], source, where)
        elif re.fullmatch(r"[-+]?\d+", name):
            code = int(name)
        else:
            code = pos  # a list of named choices: codes are their positions
        text = labels.text(ch.get("label"), where)
        if _truthy(ch.get("missing")):
            missing.append((code, text))
            continue
        point = {"code": code}
        if name != str(code):
            point["name"] = name
        if ch.get("codebook_value") not in (None, ""):
            point["value"] = str(ch["codebook_value"])
        points.append({**point, **text})
    return points, missing


_RANGE = re.compile(r"\.\s*>=\s*([-+]?[\d.]+)\s+and\s+\.\s*<=\s*([-+]?[\d.]+)")
_EQUALS = re.compile(r"\.\s*=\s*([-+]?[\d.]+)")


def _context_variable(q: _Question, choices, scale_lists, labels, source, leftover) -> dict:
    node, name = q.node, q.node["name"]
    where = f"survey question {name!r}"
    spec = {"id": name}
    kind = node["type"]
    if kind == "select one":
        list_name = _list_name(node)
        if list_name in scale_lists:
            spec.update(type="scale", required=_required(node), label=labels.text(node.get("label"), where),
                        scale=list_name)
        else:
            points, missing = _points(choices.get(list_name), list_name, labels, source)
            spec.update(type="categorical", required=_required(node), label=labels.text(node.get("label"), where),
                        categories=points, _missing=missing)
    else:
        constraint = node.get("bind", {}).get("constraint") or ""
        m = _RANGE.search(constraint)
        if not m:
            raise ConfigError(f"a number question needs its range as a constraint like "
                              f"'{range_constraint(0, 10)}' (has {constraint!r})", file=source, key=where)
        rest = constraint[m.end():]
        spec.update(type="integer" if kind == "integer" else "number", required=_required(node),
                    label=labels.text(node.get("label"), where), min=_number(m.group(1)), max=_number(m.group(2)))
        codes = [_number(c) for c in _EQUALS.findall(rest)]
        if codes:
            spec["missing_codes"] = codes
    spec.update(leftover)
    return spec


def _number(text: str):
    value = float(text)
    return int(value) if value.is_integer() else value


def _sections(survey: dict, extras: dict, base: dict | None, source) -> dict:
    """Top-level codebook sections beyond what the questions say: codebook sheet, else base codebook."""
    out = {k: v for k, v in extras.items() if "." not in k}
    for key, value in (base or {}).items():
        if key not in FORM_SECTIONS:
            out.setdefault(key, value)
    inst = dict(out.get("instrument") or {})
    form_id = survey.get("id_string") or inst.get("id")
    title = survey.get("title")
    if title and title != survey.get("name"):
        inst["name"] = {**inst.get("name", {"en": title}), "es": title}
    inst["id"] = form_id
    version = str(survey.get("version") or "")
    if re.fullmatch(r"\d+(\.\d+)*", version):
        inst["version"] = version
    inst.setdefault("note", {lang: TEXTS["imported_note"][lang].format(form=Path(str(source)).name)
                             for lang in LANGUAGES})
    if "name" not in inst:
        inst["name"] = {"es": form_id, "en": form_id}
    if "version" not in inst:  # Kobo's own version strings ("vXyZ...") are not instrument versions
        return {**out, "instrument": None}
    out["instrument"] = {k: inst[k] for k in ("id", "version", "name", "note")} | inst
    return out


def codebook_yaml(data: dict, form_name: str) -> str:
    """The imported codebook as YAML text, with a header saying where it came from."""
    import yaml

    head = (f"# Codebook imported from the XLSForm {form_name} by `alianza codebook import-xlsform`.\n"
            "# Validated against workflow/schemas/codebook.schema.yaml; edit it like config/codebook.yaml.\n")
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)
