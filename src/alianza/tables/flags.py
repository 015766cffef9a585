"""Improper solutions and results the engine could not give, made visible wherever results are read.

A fitted model's JSON (alianza.sem's SemFit.to_dict: `converged`, `warnings`, `parameters`)
is read for non-convergence, negative variances, a non-positive-definite covariance matrix of
the latent variables and standardized values beyond 1 (lavaan's post-fit checks). Tables put
MARK on the rows that rest on such a solution and a note naming the problem and the
parameter; hypotheses and invariance steps resting on one are "not assessable", never
"supported". Texts are in Spanish and English.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:      # the table type, for the annotation only (apa imports nothing from here)
    from .apa import ApaTable

MARK = "†"
# numerical slack before a value counts as beyond its bound (lavaan's post-check uses eps^0.75)
TOL = float(np.finfo(float).eps ** 0.75)

TEXT: dict[str, dict[str, str]] = {
    "not_converged": {"es": "el modelo no convergió", "en": "the model did not converge"},
    "negative_variance": {"es": "varianza negativa de {parameter} ({value})",
                          "en": "negative variance of {parameter} ({value})"},
    "std_beyond_1": {"es": "valor estandarizado mayor que 1 en valor absoluto en {parameter} ({value})",
                     "en": "standardized value beyond 1 in absolute value for {parameter} ({value})"},
    "latent_cov_not_pd": {"es": "la matriz de covarianzas de las variables latentes no es definida positiva",
                          "en": "the covariance matrix of the latent variables is not positive definite"},
    "reported": {"es": "{parameter}", "en": "{parameter}"},  # the engine's own (English) words
    "improper_note": {"es": "{mark} Solución impropia ({where}): {problems}. Sus estimaciones no deben "
                            "interpretarse.",
                      "en": "{mark} Improper solution ({where}): {problems}. Its estimates should not be "
                            "interpreted."},
    "not_assessable": {"es": "no evaluable: solución impropia", "en": "not assessable: improper solution"},
    "console_header": {"es": "Soluciones impropias (revise antes de interpretar):",
                       "en": "Improper solutions (check before interpreting):"},
    "report_notice": {"es": "Atención: {k} resultado(s) descansan en soluciones impropias; están marcados con {mark} "
                            "en las tablas.",
                      "en": "Warning: {k} result(s) rest on improper solutions; they are marked {mark} in the "
                            "tables."},
    "inv_untested_row": {"es": "No evaluada", "en": "Not tested"},
    "inv_untested_note": {"es": "La invarianza de medición compara al menos dos grupos; {group} tiene {k} grupo(s) "
                                "con datos suficientes{listed}, por lo que no se evaluó.",
                          "en": "Measurement invariance compares at least two groups; {group} has {k} group(s) "
                                "with enough data{listed}, so it was not tested."},
}


def text(key: str, lang: str, **fields) -> str:
    entry = TEXT[key]
    return entry.get(lang, entry["en"]).format(**fields)


@dataclass(frozen=True)
class Problem:
    """One reason a solution is improper; `parameter` in lavaan notation ("x1 ~~ x1")."""

    kind: str  # not_converged | negative_variance | std_beyond_1 | latent_cov_not_pd | reported
    parameter: str = ""
    value: float | None = None

    def describe(self, lang: str) -> str:
        value = "" if self.value is None else f"{self.value:.3f}".replace("-", "−")
        return text(self.kind, lang, parameter=self.parameter, value=value)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "parameter": self.parameter, "value": self.value}


def _name(p: dict, multigroup: bool) -> str:
    name = f"{p['lhs']} {p['op']} {p['rhs']}"
    return f"{name} [{p.get('group')}]" if multigroup else name


def _num(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


def improper_problems(result: dict | None) -> list[Problem]:
    """What makes a fitted model's solution improper, from its JSON (converged flag and parameter table)."""
    if not result:
        return []
    out: list[Problem] = []
    if result.get("converged") is False:
        out.append(Problem("not_converged"))
    params = [p for p in result.get("parameters") or [] if p.get("op") in ("=~", "~", "~~")]
    groups = {p.get("group") for p in params}
    multi = len(groups) > 1
    flagged = set()
    for p in params:
        est = _num(p.get("est"))
        if p["op"] == "~~" and p["lhs"] == p["rhs"] and est is not None and est < -TOL:
            out.append(Problem("negative_variance", _name(p, multi), est))
            flagged.add(_name(p, multi))
    for p in params:
        std = _num(p.get("std_all"))
        if std is not None and abs(std) > 1 + TOL and _name(p, multi) not in flagged:
            out.append(Problem("std_beyond_1", _name(p, multi), std))
    latent = {p["lhs"] for p in params if p["op"] == "=~"}
    negative_latent = any(p["op"] == "~~" and p["lhs"] == p["rhs"] and p["lhs"] in latent
                          and (_num(p.get("est")) or 0) < -TOL for p in params)
    for group in [] if negative_latent else sorted(groups, key=str):  # as lavaan: a negative variance says it
        if not latent_cov_is_pd([p for p in params if p.get("group") == group]):
            out.append(Problem("latent_cov_not_pd"))
            break
    if not any(p.kind == "latent_cov_not_pd" for p in out) and any(
            "latent variables is not positive definite" in str(w) for w in result.get("warnings") or []):
        out.append(Problem("latent_cov_not_pd"))
    return out


def latent_cov_is_pd(params: list[dict]) -> bool:
    """Whether the model-implied covariance matrix of the latent variables, (I - B)^-1 Psi (I - B)^-T
    from one group's parameter table, has no negative eigenvalue."""
    lv = list(dict.fromkeys(p["lhs"] for p in params if p["op"] == "=~"))
    if not lv:
        return True
    idx = {v: i for i, v in enumerate(lv)}
    k = len(lv)
    beta, psi = np.zeros((k, k)), np.zeros((k, k))
    for p in params:
        est = _num(p.get("est"))
        if est is None or p["lhs"] not in idx or p["rhs"] not in idx:
            continue
        i, j = idx[p["lhs"]], idx[p["rhs"]]
        if p["op"] == "~":
            beta[i, j] = est
        elif p["op"] == "~~":
            psi[i, j] = psi[j, i] = est
    try:
        inv = np.linalg.inv(np.eye(k) - beta)
    except np.linalg.LinAlgError:
        return False
    cov = inv @ psi @ inv.T
    return bool(np.linalg.eigvalsh((cov + cov.T) / 2).min() >= -TOL)


def improper_parameters(result: dict | None) -> set[str]:
    """The parameters ("lhs op rhs") a problem names, for marking their rows."""
    return {p.parameter for p in improper_problems(result) if p.parameter}


def improper_note(where: str, problems: list[Problem], lang: str) -> str:
    listed = "; ".join(dict.fromkeys(p.describe(lang) for p in problems))
    return text("improper_note", lang, mark=MARK, where=where, problems=listed)


def not_assessable(lang: str) -> str:
    return text("not_assessable", lang)


def improper_summary(results: dict[str, dict | None]) -> dict[str, list[dict]]:
    """name -> its problems (as dicts), for the names whose solution is improper."""
    out = {}
    for name, res in results.items():
        problems = improper_problems(res)
        if problems:
            out[name] = [p.to_dict() for p in problems]
    return out


def invariance_untested(doc: dict, codebook, lang: str, *, value_labels: dict | None = None) -> "ApaTable":
    """The table of a grouping variable with fewer than two usable groups (alianza.invariance's
    skipped_result): its groups and why invariance was not tested, instead of no table at all.
    Groups are named as the invariance table names them (`value_labels`: the waves' labels)."""
    import pandas as pd

    from ..i18n import t
    from .apa import ApaTable, Column
    from .structural import group_name, group_value

    group = str(doc.get("group", ""))
    name = group_name(codebook, group, lang)
    groups = doc.get("groups") or {}
    shown = {g: (value_labels or {}).get(g) or group_value(codebook, group, g, lang) for g in groups}
    rows = [{"label": f"{shown[g]} (<i>n</i> = {n})", "decision": text("inv_untested_row", lang)}
            for g, n in groups.items()]
    rows = rows or [{"label": "—", "decision": text("inv_untested_row", lang)}]
    listed = f" ({', '.join(f'{shown[g]}: <i>n</i> = {n}' for g, n in groups.items())})" if groups else ""
    note = text("inv_untested_note", lang, group=name, k=len(groups), listed=listed)
    columns = [Column("label", t("col.level", lang), kind="text"),
               Column("decision", t("col.decision", lang), kind="text")]
    title = t("title.invariance", lang, group=name.lower() if lang == "es" else name)
    raw = pd.DataFrame({"group": list(groups) or [None], "n": list(groups.values()) or [None],
                        "decision": "not tested"})
    return ApaTable(name=f"invariance_{group}", title=title, columns=columns, body=pd.DataFrame(rows), lang=lang,
                    notes=[note], raw=raw)


def step_problems(step: dict | None) -> list[Problem]:
    """Problems of a result that carries only `converged` and `warnings` (an invariance step)."""
    if not step:
        return []
    out = [Problem("not_converged")] if step.get("converged") is False else []
    for w in map(str, step.get("warnings") or []):
        if "improper solution:" in w:  # "improper solution: ..." or, per group, "group a: improper solution: ..."
            before, after = w.split("improper solution:", 1)
            out.append(Problem("reported", f"{before}{after.strip()}".strip()))
    return out


def _mark(tb, hit, column: str) -> None:
    hit = np.asarray(hit, bool)
    if hit.any() and column in tb.body:
        tb.body.loc[hit, column] = tb.body.loc[hit, column].astype(str) + MARK


def _add_note(tb, note: str) -> None:
    # the general note comes first and the probability note last (apa.ApaTable.notes)
    tb.notes = [*tb.notes[:1], note, *tb.notes[1:]] if tb.notes else [note]


def annotate(tb, inputs, lang: str) -> None:
    """Mark the rows of one manuscript table that rest on an improper solution and name the problems
    in a note; hypotheses and invariance steps resting on one lose their decision ("not assessable").
    `inputs`: the sample's catalog.TableInputs."""
    models = dict(inputs.models)
    source = {"model_comparison": inputs.comparison, "hypotheses": inputs.hypotheses,
              "indirect_effects": inputs.indirect}.get(tb.name)
    for notice in (source or {}).get("notices", []) if isinstance(source, dict) else []:
        _add_note(tb, notice.get(lang) or notice.get("en", ""))
    if tb.name in ("fit_indices", "model_comparison") and "model" in tb.body:
        bad = {m: improper_problems(models.get(m)) for m in tb.body["model"].unique()}
        bad = {m: p for m, p in bad.items() if p}
        _mark(tb, tb.body["model"].isin(list(bad)), "label")
        for m, problems in bad.items():
            _add_note(tb, improper_note(m, problems, lang))
    elif tb.name == "cfa_loadings":
        problems = improper_problems(inputs.measurement)
        if problems:
            names = {p.parameter for p in problems}
            hit = (tb.body["lhs"] + " =~ " + tb.body["rhs"]).isin(names) | (
                tb.body["rhs"] + " ~~ " + tb.body["rhs"]).isin(names)
            _mark(tb, hit, "rhs")
            _add_note(tb, improper_note((inputs.measurement or {}).get("estimator", "ML"), problems, lang))
    elif tb.name == "hypotheses" and "hypothesis" in tb.body:
        # alianza.hypotheses records the problems of the fit each hypothesis rests on
        recs = (inputs.hypotheses or {}).get("hypotheses", []) if isinstance(inputs.hypotheses, dict) else []
        bad = {str(r.get("hypothesis")): r for r in recs if r.get("improper")}
        hit = tb.body["hypothesis"].isin(list(bad))
        if hit.any():
            tb.body["supported"] = tb.body["supported"].astype(object).where(~hit, None)
            _mark(tb, hit, "hypothesis")
            for model in dict.fromkeys(r.get("model") for r in bad.values()):
                problems = [Problem(**d) for d in next(r["improper"] for r in bad.values() if r.get("model") == model)]
                _add_note(tb, f"{improper_note(str(model), problems, lang)} {not_assessable(lang).capitalize()}.")
    elif tb.name == "effects" and "label" in tb.body:
        # every effect is a function of the path model's estimates: all rest on its solution
        model = (inputs.effects or {}).get("model")
        problems = improper_problems(models.get(model))
        if problems:
            _mark(tb, np.ones(len(tb.body), bool), "label")
            _add_note(tb, improper_note(str(model), problems, lang))
    elif tb.name.startswith("invariance_") and "step" in tb.body:
        doc = inputs.invariance.get(tb.name.removeprefix("invariance_")) or {}
        steps = doc.get("models") or {}
        comps = {c.get("model"): c for c in doc.get("comparisons", [])}
        bad = {s: step_problems(m) + step_problems(steps.get((comps.get(s) or {}).get("against")))
               for s, m in steps.items()}
        bad = {s: p for s, p in bad.items() if p}
        hit = tb.body["step"].isin(list(bad))
        if hit.any():
            tb.body.loc[hit, "decision"] = not_assessable(lang)
            _mark(tb, hit, "label")
            for s, problems in bad.items():
                _add_note(tb, improper_note(s, problems, lang))


def flag_invariance(result: dict) -> dict:
    """An invariance result (alianza.invariance.invariance_report) in which every step resting on an
    improper solution (its own model or the one it is compared against) is not assessable: its
    comparison does not pass, says so in `decision` and lists the problems under `improper`; the
    supported level stops before the first such step; the notes name each one."""
    out = {**result, "comparisons": [dict(c) for c in result.get("comparisons", [])],
           "notes": list(result.get("notes") or [])}
    steps = out.get("models") or {}
    improper = {s: step_problems(m) for s, m in steps.items()}
    improper = {s: p for s, p in improper.items() if p}
    if not improper:
        return out
    for c in out["comparisons"]:
        problems = improper.get(c.get("model"), []) + improper.get(c.get("against"), [])
        if problems:
            c.update({"pass": False, "assessable": False, "decision": not_assessable("en"),
                      "improper": [p.to_dict() for p in problems]})
    order = list(steps)
    first_bad = min(order.index(s) for s in improper)
    if out.get("supported") in order and order.index(out["supported"]) >= first_bad:
        out["supported"] = order[first_bad - 1] if first_bad > 0 and order[first_bad - 1] not in improper else None
    for s, problems in improper.items():
        out["notes"].append(f"{s}: {not_assessable('en')} ({'; '.join(p.describe('en') for p in problems)})")
    out["improper"] = {s: [p.to_dict() for p in problems] for s, problems in improper.items()}
    return out


def improper_listing(models: dict[str, dict | None], invariance: dict[str, dict | None], lang: str) -> list[str]:
    """One line per improper result of a run: fitted models ("sample/model" -> JSON) and invariance
    steps (grouping column -> JSON), naming the problems."""
    lines = []
    for name, doc in models.items():
        problems = improper_problems(doc)
        if problems:
            lines.append(f"{name}: {'; '.join(p.describe(lang) for p in problems)}")
    for group, doc in invariance.items():
        for step, m in ((doc or {}).get("models") or {}).items():
            problems = step_problems(m)
            if problems:
                lines.append(f"invariance {group}/{step}: {'; '.join(p.describe(lang) for p in problems)}")
    return lines


def report_intro(template: str, lines: list[str], lang: str) -> str:
    """The report's front page (workflow/report/workflow.rst) with a warning under its title listing
    the improper results, when there are any."""
    if not lines:
        return template
    items = "\n".join(f"   - {line}" for line in lines)
    block = f"\n.. warning::\n\n   {text('report_notice', lang, k=len(lines), mark=MARK)}\n\n{items}\n"
    out = []
    for line in template.splitlines():
        out.append(line)
        if line and set(line) == {"="}:  # a title's underline (one per language branch)
            out.append(block)
    return "\n".join(out) + "\n"
