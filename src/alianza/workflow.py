"""Pure helpers the Snakemake rules and script adapters share.

The Snakefile stays declarative: wave discovery, model assembly and the
one-line error convention live here, where they can be unit-tested.
"""
from __future__ import annotations

import sys
import threading
import warnings
from pathlib import Path

from .errors import AlianzaError, ConfigError

RESERVED_SAMPLES = {"pooled"}


def fail(exc: AlianzaError) -> None:
    """Stop with the one-line message of a user error, not a traceback."""
    print(f"alianza: error: {exc.oneline()}", file=sys.stderr)
    raise SystemExit(1)


def load_codebook_or_fail(path):
    from .codebook import load_codebook

    try:
        return load_codebook(path)
    except AlianzaError as exc:
        fail(exc)


def discover_waves(waves_cfg: dict) -> dict[str, str]:
    """Wave id -> raw file. Discovered files (by extension) plus any listed explicitly."""
    raw_dir = Path(waves_cfg["raw_dir"])
    exts = {e.lower() for e in waves_cfg["extensions"]}
    found: dict[str, str] = {}
    if waves_cfg.get("discover", True):
        if not raw_dir.is_dir():
            raise ConfigError("raw data folder does not exist", file=raw_dir)
        for path in sorted(raw_dir.iterdir()):
            if path.is_file() and path.suffix.lower().lstrip(".") in exts and not path.name.startswith((".", "~$")):
                wave = path.stem
                if wave in found:
                    raise ConfigError(
                        f"two files give wave id {wave!r}: {found[wave]} and {path}; rename one",
                        file=raw_dir,
                    )
                found[wave] = str(path)
    for wave, path in (waves_cfg.get("files") or {}).items():
        if not Path(path).is_file():
            raise ConfigError(f"wave {wave!r} points to a missing file", file=path, key=f"waves.files.{wave}")
        found[wave] = str(path)
    for wave in found:
        if wave in RESERVED_SAMPLES:
            raise ConfigError(f"wave id {wave!r} is reserved for the pooled sample; rename the file", file=found[wave])
        if not wave.replace("_", "").replace("-", "").isalnum():
            raise ConfigError(
                f"wave id {wave!r} must use only letters, digits, '_' and '-'; rename the file", file=found[wave]
            )
    if not found:
        raise ConfigError(f"no survey waves found (extensions {sorted(exts)})", file=raw_dir)
    return found


def unread_files(waves_cfg: dict, waves: dict[str, str]) -> list[dict]:
    """Files in the raw folder the pipeline does not read, each with why: named in a warning and in provenance.
    READMEs, hidden files and the waves' column maps are not listed."""
    from .ingest import COLUMN_MAP_SUFFIX, column_map_path

    raw_dir = Path(waves_cfg["raw_dir"])
    if not raw_dir.is_dir():
        return []
    read = {Path(p).resolve() for p in waves.values()}
    read |= {column_map_path(p).resolve() for p in waves.values()}
    exts = {e.lower() for e in waves_cfg["extensions"]}
    out = []
    for path in sorted(raw_dir.iterdir()):
        if not path.is_file() or path.resolve() in read or path.name.startswith(".") or path.stem.upper() == "README":
            continue
        ext = path.suffix.lower().lstrip(".")
        if path.name.startswith("~$"):
            why = "an office lock file"
        elif path.name.endswith(COLUMN_MAP_SUFFIX):
            why = "a column map without a wave of the same name"
        elif ext in exts:
            why = "not a wave: discovery is off and waves.files does not list it"
        else:
            why = f"extension .{ext} is not in waves.extensions" if ext else "no extension"
        out.append({"file": str(path), "reason": why})
    return out


def wave_column_map(wave_file) -> list[str]:
    """The wave's column map as a rule input ([] when there is none): only that wave reruns when it changes."""
    from .ingest import column_map_path

    path = column_map_path(wave_file)
    return [str(path)] if path.is_file() else []


def wave_labels(waves_cfg: dict, waves) -> dict[str, dict[str, str]]:
    """Display name of every wave, {wave: {es, en}}, from waves.labels (default: the wave id).
    The one place table writers take wave names from."""
    labels = waves_cfg.get("labels") or {}  # labels of waves not present (a pinned subset) are unused
    return {w: dict(labels.get(w) or {"es": w, "en": w}) for w in waves}


def warn_unread(unread: list[dict]) -> None:
    for item in unread:
        print(f"alianza: warning: file {item['file']}: not read ({item['reason']})", file=sys.stderr)


def model_text(files) -> str:
    """A model is the concatenation of its lavaan-syntax files (measurement part written once)."""
    from .yamlfiles import read_text

    return "\n".join(read_text(f) for f in files)


def load_model_files(files):
    """(syntax, ParsedModel) of the concatenated model files; a missing file or a syntax error
    is one line naming the file it is in and the line within that file."""
    from .errors import InputError, ModelSyntaxError
    from .sem import parse_model
    from .yamlfiles import read_text

    files = [Path(f) for f in files]
    for f in files:
        if not f.is_file():
            raise InputError("no such model file", file=f)
    texts = [read_text(f) for f in files]
    text = "\n".join(texts)
    try:
        return text, parse_model(text)
    except ModelSyntaxError as exc:
        line = exc.row
        for f, t in zip(files, texts):
            n_lines = len(t.split("\n"))
            if line is not None and line <= n_lines:
                raise ModelSyntaxError(exc.detail, file=f, row=line) from None
            line = None if line is None else line - n_lines
        raise ModelSyntaxError(exc.detail, file=" + ".join(map(str, files))) from None


def run_step(log_path, step) -> None:
    """Run one pipeline step: its messages go to the rule's log, a user error stops it with one line.

    Inside the Snakemake process (a `run:` job, see run_adapter) the log gets this thread's records
    only, and a user error fails the job instead of ending the process."""
    from alianza.startup import as_program

    as_program()
    if getattr(_IN_PROCESS, "active", False):
        _run_step_in_process(log_path, step)
        return
    import logging

    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        handlers=[logging.FileHandler(log_path, mode="w", encoding="utf-8")],
        force=True,
    )
    logging.captureWarnings(True)
    try:
        step()
    except OSError as exc:  # an output folder that cannot be written, a full disk: the path, in one line
        err = _output_error(exc)
        logging.error(err.oneline())
        fail(err)
    except AlianzaError as exc:
        logging.error(exc.oneline())
        fail(exc)


def _output_error(exc: OSError) -> AlianzaError:
    from .atomic import output_error

    return output_error(exc, exc.filename, "cannot read or write")


# Set while run_adapter runs an adapter in this thread; the lock runs one adapter at a time, since
# they share the process' logging, warnings and matplotlib state.
_IN_PROCESS = threading.local()
_ADAPTER_LOCK = threading.Lock()


def run_adapter(script, **job) -> None:
    """Run a workflow/scripts adapter inside the Snakemake process, from a rule's `run:` block.

    A job of its own costs a new Python process importing numpy, pandas and scipy (about 0.5 s of CPU)
    for steps that take a few hundredths of a second; Snakemake has those imported already. job holds
    what the adapter reads from its `snakemake` object (input, output, params, wildcards, log, threads,
    config)."""
    import runpy
    from types import SimpleNamespace

    # catch_warnings: each job shows its warnings again (not once per process) and leaves no filter behind
    with _ADAPTER_LOCK, warnings.catch_warnings():
        _IN_PROCESS.active = True
        try:
            runpy.run_path(str(script), init_globals={"snakemake": SimpleNamespace(**job)})
        finally:
            _IN_PROCESS.active = False
            _reset_matplotlib()


def _reset_matplotlib() -> None:
    """The next in-process job draws with matplotlib's settings as a new process has them (a figure
    module sets rcParams globally), and no figure is left open."""
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        mpl.rc_file_defaults()
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")


def _log_warning(message, category, filename, lineno, file=None, line=None) -> None:
    import logging

    logging.getLogger("py.warnings").warning("%s", warnings.formatwarning(message, category, filename, lineno, line))


def _run_step_in_process(log_path, step) -> None:
    import logging

    from snakemake.exceptions import WorkflowError

    handler = logging.FileHandler(log_path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    thread = threading.get_ident()
    handler.addFilter(lambda record: record.thread == thread)  # not Snakemake's own messages
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # warnings to the log as logging.captureWarnings does; run_adapter's catch_warnings puts showwarning back
    warnings.showwarning = _log_warning
    try:
        step()
    except (OSError, AlianzaError) as exc:
        err = _output_error(exc) if isinstance(exc, OSError) else exc
        logging.error(err.oneline())
        raise WorkflowError(f"alianza: error: {err.oneline()}") from None
    finally:
        root.setLevel(level)
        root.removeHandler(handler)
        handler.close()


def stale_outputs(waves, samples, root=".") -> list[Path]:
    """Outputs of waves and samples the config no longer has (a wave file removed from data/raw,
    per-wave samples switched off): processed data and every per-sample folder or file under
    reports/. Snakemake never deletes them itself, and reports/ must show only the current study."""
    root = Path(root)
    processed, reports = root / "data" / "processed", root / "reports"
    out = []
    if processed.is_dir():
        for summary in sorted(processed.glob("*.summary.json")):
            wave = summary.name.removesuffix(".summary.json")
            if wave not in waves:
                out += [p for p in (processed / f"{wave}.parquet", processed / f"{wave}.quarantine.csv", summary)
                        if p.exists()]
    known = set(waves_seen(root)) | RESERVED_SAMPLES  # sample folders a run made, not a user's own
    for folder in ("models", "bootstrap", "tables", "figures"):
        out += [p for p in sorted((reports / folder).glob("*"))
                if p.is_dir() and p.name in known and p.name not in samples]
    out += [p for p in sorted((reports / "validity").glob("*.json")) if p.stem not in samples]
    return out


def waves_seen(root=".") -> list[str]:
    """Every wave id a run has processed or reported on (data/processed, reports/models)."""
    root = Path(root)
    seen = [p.name.removesuffix(".summary.json") for p in (root / "data" / "processed").glob("*.summary.json")]
    seen += [p.name for p in (root / "reports" / "models").glob("*") if p.is_dir()]
    return sorted(set(seen))


def remove_stale_outputs(waves, samples, root=".") -> list[Path]:
    """Delete stale_outputs() and say so on stderr, one line per removed path."""
    import shutil

    removed = stale_outputs(waves, samples, root)
    for path in removed:
        shutil.rmtree(path) if path.is_dir() else path.unlink()
        print(f"alianza: removed {path}: its wave or sample is no longer in the study", file=sys.stderr)
    return removed
