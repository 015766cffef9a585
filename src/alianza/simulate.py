"""Simulate survey waves from the population model, with the defects real files carry.

Pure functions; randomness comes from an explicit seed (numpy Generator),
split into independent streams for responses, defects and rendering, so the
same seed gives the same file and changing the defects does not change the
answers.

- simulate_continuous: latent scores and continuous item responses y*;
- simulate_responses: a clean wave as answered (codes; reverse-keyed items as
  the respondent answered them, i.e. not yet recoded);
- inject_defects: duplicates, out-of-range codes, missing codes, straight-
  liners, failed attention checks, partial completes, with a log of each;
- render_wave / write_wave: codes or Spanish text labels, the delivered
  header, and the file (format from the extension);
- simulate_wave: one bundled wave exactly as population.yaml describes it.
"""
from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import atomic_path
from .codebook import Codebook
from .errors import InputError
from .population import Population, category_code, latent_residual_variances, loading_matrix

# Fixed timestamp for XLSX internals so a wave is byte-identical on every run.
_XLSX_EPOCH = (1980, 1, 1, 0, 0, 0)
_XLSX_DATE = "2019-01-01T00:00:00Z"


def _streams(seed: int, n: int = 3) -> list[np.random.Generator]:
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n)]


# --------------------------------------------------------------- responses
def simulate_continuous(pop: Population, n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(latent scores, continuous responses y* in the construct's direction), n rows each."""
    cb = pop.codebook
    names = list(cb.constructs)
    psi = latent_residual_variances(pop)
    eta = pd.DataFrame(0.0, index=range(n), columns=names)
    zeta = rng.standard_normal((n, len(names)))
    for c in pop.latents:  # causal order: parents are already drawn
        j = names.index(c)
        value = np.sqrt(psi[c]) * zeta[:, j]
        for (a, b), beta in pop.betas.items():
            if b == c:
                value = value + beta * eta[a].to_numpy()
        eta[c] = value
    L = loading_matrix(pop)
    lam = L.to_numpy()
    theta = 1.0 - (lam ** 2).sum(axis=1)
    eps = rng.standard_normal((n, len(L.index))) * np.sqrt(theta)
    ystar = eta[L.columns].to_numpy() @ lam.T + eps
    return eta, pd.DataFrame(ystar, columns=L.index)


def discretize(ystar: np.ndarray, thresholds: np.ndarray, codes: list[int]) -> np.ndarray:
    """Category of each y* between the thresholds, as the scale's codes."""
    return np.asarray(codes)[np.searchsorted(thresholds, ystar, side="right")]


def simulate_responses(pop: Population, n: int, seed: int, *, context: dict | None = None,
                       id_prefix: str = "F") -> pd.DataFrame:
    """A clean wave of n respondents as answered: firm_id, context codes, items, attention check.

    context: per-variable overrides of the population's context distributions
    (e.g. a wave of one municipality). Reverse-keyed items are answered on -y*.
    """
    rng_latent, rng_context, _ = _streams(seed)
    cb = pop.codebook
    _, ystar = simulate_continuous(pop, n, rng_latent)
    out: dict[str, object] = {cb.id.name: [f"{id_prefix}-{i:04d}" for i in range(1, n + 1)]}
    specs = dict(pop.data.get("context") or {})
    specs.update(context or {})
    for var in cb.context:
        spec = specs.get(var.name)
        out[var.name] = _draw_context(var, spec, n, rng_context) if spec else [None] * n
    for var in cb.item_variables():
        y = ystar[var.name].to_numpy()
        out[var.name] = discretize(-y if var.reverse else y, pop.thresholds(var.name), sorted(var.codes)).tolist()
    if cb.attention is not None:
        out[cb.attention.name] = [cb.data["attention"]["expected"]] * n
    df = pd.DataFrame(out)
    return df[[v.name for v in cb.layout()]].astype(object)


def _draw_context(var, spec: dict, n: int, rng: np.random.Generator) -> list:
    if "probabilities" in spec:
        probs = spec["probabilities"]
        values = [category_code(var, v) for v in probs]
        p = np.array(list(probs.values()), dtype=float)
        picks = rng.choice(len(values), size=n, p=p / p.sum())
        return [values[k] for k in picks]
    ln = spec["lognormal"]
    x = rng.lognormal(ln["meanlog"], ln["sdlog"], size=n)
    step = spec.get("round", 1.0)
    x = np.round(x / step) * step
    x = np.clip(x, spec.get("min", var.minimum), spec.get("max", var.maximum))
    if var.type == "integer":
        return [int(v) for v in x]
    return [float(v) for v in x]


# ----------------------------------------------------------------- defects
@dataclass
class Defected:
    data: pd.DataFrame  # the wave as delivered (codes; missing values as given)
    log: pd.DataFrame  # source_row, firm_id, defect, column, value


def _count(spec, kind) -> int:
    d = spec.get(kind, 0)
    return d if isinstance(d, int) else int(d.get("count", 0))


def added_rows(spec: dict) -> int:
    """Rows the duplicates add: a wave of n delivered rows starts from n - added_rows clean ones."""
    return _count(spec, "exact_duplicates") + _count(spec, "conflicting_duplicates")


def inject_defects(df: pd.DataFrame, spec: dict, seed: int, codebook: Codebook) -> Defected:
    """Copy of df with the defects of spec; each row-level defect on its own rows.

    Duplicates are inserted after their original; missing codes go to rows with
    no other defect (one cell per row), so those rows stay kept with an NA.
    """
    rng = _streams(seed)[1]
    cb = codebook
    items = cb.items()
    df = df.copy().reset_index(drop=True)
    n = len(df)
    idname = cb.id.name
    kinds = ["exact_duplicates", "conflicting_duplicates", "out_of_range", "straight_liners",
             "failed_attention", "partial_completes"]
    need = sum(_count(spec, k) for k in kinds) + _count(spec, "missing_codes")
    if need > n:
        raise InputError(f"{need} defective rows asked for but only {n} respondents")
    order = rng.permutation(n)
    targets, pos = {}, 0
    for k in [*kinds, "missing_codes"]:
        c = _count(spec, k)
        targets[k] = sorted(int(i) for i in order[pos:pos + c])
        pos += c
    log = []

    def values_of(kind):
        return spec[kind]["values"]

    for j, i in enumerate(targets["out_of_range"]):
        col = items[int(rng.integers(len(items)))]
        v = values_of("out_of_range")[j % len(values_of("out_of_range"))]
        df.at[i, col] = v
        log.append((i, "out_of_range", col, v))
    for j, i in enumerate(targets["straight_liners"]):
        v = values_of("straight_liners")[j % len(values_of("straight_liners"))]
        for col in items:
            df.at[i, col] = v
        log.append((i, "straight_lining", None, v))
    for j, i in enumerate(targets["failed_attention"]):
        v = values_of("failed_attention")[j % len(values_of("failed_attention"))]
        df.at[i, cb.attention.name] = v
        log.append((i, "failed_attention_check", cb.attention.name, v))
    for i in targets["partial_completes"]:
        share = spec["partial_completes"]["blank_share"]
        k = int(np.ceil(share * len(items)))
        for col in rng.choice(items, size=k, replace=False):
            df.at[i, str(col)] = None
        log.append((i, "partial_complete", None, k))
    for j, i in enumerate(targets["missing_codes"]):
        col = items[int(rng.integers(len(items)))]
        v = values_of("missing_codes")[j % len(values_of("missing_codes"))]
        df.at[i, col] = v
        log.append((i, "missing_code", col, v))

    # Duplicates: a sort key puts each copy somewhere after its original.
    keys = list(map(float, range(n)))
    rows = [df.iloc[i].to_dict() for i in range(n)]
    extra = []
    for i in targets["exact_duplicates"]:
        extra.append((i, dict(rows[i]), "exact_duplicate", None))
    scale_codes = sorted(cb.item_variables()[0].codes)
    for i in targets["conflicting_duplicates"]:
        copy = dict(rows[i])
        changed = [str(c) for c in rng.choice(items, size=3, replace=False)]
        for col in changed:
            old = copy[col]
            copy[col] = scale_codes[(scale_codes.index(old) + 1 + int(rng.integers(len(scale_codes) - 1))) % len(scale_codes)]
        extra.append((i, copy, "conflicting_duplicate", ",".join(changed)))
        log.append((i, "conflicting_duplicate", None, None))
    for i, copy, kind, detail in extra:
        keys.append(float(rng.uniform(i + 0.5, n)))
        rows.append(copy)
        log.append((len(rows) - 1, kind, detail, None))
    final_order = np.argsort(np.asarray(keys), kind="stable")
    new_pos = {int(old): new for new, old in enumerate(final_order)}
    # dtype=object keeps integer codes as ints next to blanks (None) and text missing labels
    out = pd.DataFrame([rows[k] for k in final_order], columns=df.columns, dtype=object)
    log_df = pd.DataFrame(
        [(new_pos[i] + 1, out.at[new_pos[i], idname], kind, col, val) for i, kind, col, val in log],
        columns=["source_row", idname, "defect", "column", "value"], dtype=object,
    ).sort_values(["source_row", "defect"], kind="stable").reset_index(drop=True)
    return Defected(data=out, log=log_df)


# --------------------------------------------------------------- rendering
def _strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _title_words(text: str) -> str:
    small = {"de", "en", "ni", "o", "y", "la", "el"}
    words = text.split(" ")
    return " ".join(w if (k and w.lower() in small) else w[:1].upper() + w[1:] for k, w in enumerate(words))


def _is_code(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and float(v).is_integer()


_VARIANTS = (str.lower, _strip_accents, _title_words, lambda t: _strip_accents(t).lower(), str.upper)


def render_wave(df: pd.DataFrame, codebook: Codebook, *, labels: bool = False, label_variants: float = 0.0,
                headers: dict | None = None, header_case: str = "as_is", seed: int = 0) -> pd.DataFrame:
    """The wave as a person would deliver it: codes or Spanish labels (some typed differently), delivered header."""
    rng = _streams(seed)[2]
    out = df.copy()
    if labels:
        for var in codebook.variables():
            if not var.coded or var.name not in out.columns:
                continue
            col = []
            for v in out[var.name].tolist():
                if _is_code(v) and int(v) in var.code_labels:
                    text = var.code_labels[int(v)]["es"]
                    if label_variants and rng.random() < label_variants:
                        text = _VARIANTS[int(rng.integers(len(_VARIANTS)))](text)
                    col.append(text)
                else:
                    col.append(v)  # missing code/label or an out-of-range number, as given
            out[var.name] = pd.Series(col, index=out.index, dtype=object)
    names = []
    for col in out.columns:
        name = (headers or {}).get(col)
        if name is None:
            name = {"lower": str.lower, "upper": str.upper, "title": str.capitalize}.get(header_case, str)(col)
        names.append(name)
    out.columns = names
    return out


def _csv_cell(v, decimal: str) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return str(int(v)) if v.is_integer() else repr(v).replace(".", decimal)
    return str(v)


def write_wave(df: pd.DataFrame, path, codebook: Codebook, *, delimiter: str = ",", encoding: str = "utf-8",
               decimal: str = ".", line_terminator: str = "\n", sheet: str = "Sheet1") -> Path:
    """Write a rendered wave; the format follows the extension (.csv .xlsx .sav .dta .parquet).

    CSV and XLSX are byte-reproducible. SPSS/Stata store codes with the
    codebook's Spanish value labels (their headers carry a timestamp, so those
    files are reproducible in content, not bytes).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".sav", ".dta", ".parquet"):
        raise InputError(f"cannot write format {suffix!r}; use .csv, .xlsx, .sav, .dta or .parquet", file=path)
    with atomic_path(path) as tmp:  # a failed write leaves no truncated wave
        if suffix == ".csv":
            buf = io.StringIO()
            w = csv.writer(buf, delimiter=delimiter, lineterminator=line_terminator)
            w.writerow(list(df.columns))
            for row in df.itertuples(index=False):
                w.writerow([_csv_cell(v, decimal) for v in row])
            tmp.write_bytes(buf.getvalue().encode(encoding))
        elif suffix == ".xlsx":
            tmp.write_bytes(_xlsx_bytes(df, sheet))
        elif suffix in (".sav", ".dta"):
            _write_stat(df, tmp, codebook, suffix)
        elif suffix == ".parquet":
            table = df.copy()
            for col in table.columns:
                vals = table[col].tolist()
                if any(isinstance(v, str) for v in vals):
                    table[col] = pd.array([None if v is None else _csv_cell(v, ".") for v in vals], dtype="string")
                elif all(v is None or float(v).is_integer() for v in vals):
                    table[col] = pd.array([None if v is None else int(v) for v in vals], dtype="Int64")
                else:
                    table[col] = pd.array(vals, dtype="Float64")
            table.to_parquet(tmp, index=False)
    return path


def _xlsx_bytes(df: pd.DataFrame, sheet: str) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append([None if v is None else (v.item() if isinstance(v, np.generic) else v) for v in row])
    stamp = datetime.datetime(2019, 1, 1)
    wb.properties.created = stamp
    wb.properties.creator = "alianza simulate"
    raw = io.BytesIO()
    wb.save(raw)
    # openpyxl stamps the save time into docProps/core.xml and every zip entry: pin both.
    src = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    # Same zlib -> same bytes; another zlib build (e.g. zlib-ng) may compress differently,
    # the members (what Excel reads) stay identical.
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + _XLSX_DATE.encode() + rb"\g<2>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=_XLSX_EPOCH)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, data)
    return out.getvalue()


def _write_stat(df: pd.DataFrame, path: Path, codebook: Codebook, suffix: str) -> None:
    import pyreadstat

    from .headers import match_headers

    # headers may be delivered variants ('Antigüedad', 'Folio'): find each one's variable as ingestion would
    variable_of = {header: name for name, header in match_headers(list(df.columns), codebook, path).columns.items()}
    table = pd.DataFrame(index=df.index)
    value_labels, col_labels = {}, {}
    for col in df.columns:
        var = codebook.variable(variable_of[col])
        vals = df[col].tolist()
        if var.type == "id":
            table[col] = [("" if v is None else str(v)) for v in vals]
        else:
            if any(isinstance(v, str) for v in vals):
                raise InputError(f"column {col!r} has text answers; SPSS/Stata files carry codes (omit --labels)", file=path)
            table[col] = np.array([np.nan if v is None else float(v) for v in vals])
            if var.coded:
                value_labels[col] = {int(c): lab["es"] for c, lab in var.code_labels.items()}
        col_labels[col] = var.label["es"][:80]
    if suffix == ".sav":
        missing = {c: list(codebook.missing_codes) for c in value_labels}
        pyreadstat.write_sav(table, str(path), column_labels=col_labels, variable_value_labels=value_labels,
                             missing_ranges=missing)
    else:
        pyreadstat.write_dta(table, str(path), column_labels=col_labels, variable_value_labels=value_labels)


# ------------------------------------------------------------------- waves
def simulate_dataset(pop: Population, n: int, seed: int, *, defects: dict | None = None,
                     context: dict | None = None, id_prefix: str = "F") -> Defected:
    """n delivered rows: n - (duplicates) clean respondents, then the defects."""
    spec = defects or {}
    clean = simulate_responses(pop, n - added_rows(spec), seed, context=context, id_prefix=id_prefix)
    if not spec:
        return Defected(data=clean, log=pd.DataFrame(columns=["source_row", pop.codebook.id.name, "defect", "column", "value"]))
    return inject_defects(clean, spec, seed, pop.codebook)


def simulate_wave(pop: Population, name: str, outdir) -> tuple[Path, Defected]:
    """Regenerate one wave of population.yaml exactly (same seed -> same bytes)."""
    waves = pop.waves
    if name not in waves:
        raise InputError(f"no wave {name!r} in the population file (waves: {', '.join(waves) or 'none'})",
                         file=pop.source)
    w = waves[name]
    result = simulate_dataset(pop, w["n"], w["seed"], defects=w.get("defects"), context=w.get("context"),
                              id_prefix=w.get("id_prefix", "F"))
    rendered = render_wave(result.data, pop.codebook, labels=w["answers"] == "labels",
                           label_variants=w.get("label_variants", 0.0), headers=w.get("headers"),
                           header_case=w.get("header_case", "as_is"), seed=w["seed"])
    opts = w.get("csv", {}) or {}
    path = write_wave(rendered, Path(outdir) / w["file"], pop.codebook,
                      delimiter=opts.get("delimiter", ","), encoding=opts.get("encoding", "utf-8"),
                      decimal=opts.get("decimal", "."), line_terminator=opts.get("line_terminator", "\n"),
                      sheet=w.get("sheet", "Sheet1"))
    return path, result


def expected_quarantine(log: pd.DataFrame) -> dict[str, int]:
    """Rows ingestion must quarantine for each reason, from an injection log."""
    counts = {}
    for kind in ("exact_duplicate", "conflicting_duplicate", "out_of_range", "failed_attention_check",
                 "straight_lining", "partial_complete"):
        counts[kind] = int(log.loc[log["defect"] == kind, "source_row"].nunique())
    return counts
