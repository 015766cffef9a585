"""Process start-up: what every alianza process sets before its first scientific import.

Fixes around libraries; the first two are installed by `import alianza` (alianza/__init__.py).

1. Do not import numpy's developer tools.
scipy >= 1.15 vendors array_api_compat, whose numpy namespace is built by `clone_module("numpy")`:
`from numpy import *` plus `getattr` on every name of `dir(numpy)`. numpy 2 lists its lazily loaded
submodules `f2py` and `testing` in both, so the first `import scipy.<anything>` imports the Fortran
wrapper generator and the test framework (with unittest, email, socket, subprocess ...): about 0.1 s of
every process, a quarter of a whole `alianza fit`. Neither module is ever used by scipy's numpy namespace.

`install()` puts a finder on `sys.meta_path` that, while (and only while) that one scipy module executes,
hides the two names from numpy's `__all__` and `dir()`. Nothing else changes: `numpy.testing` still
imports on demand, and the finder removes itself after its one use.
tests/unit/test_startup.py shows the defect (a bare scipy import loads numpy.f2py) and the cure.

2. Let pyarrow's allocator give back what the CSV reader freed (settle_allocator, below).

3. One BLAS thread in the pipeline's jobs (pipeline_environment, below; console.run_snakemake).

4. pandas' strings in Python storage where alianza is the program (as_program, below).
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from contextlib import contextmanager

CLONING_MODULE = "scipy._lib.array_api_compat.numpy"
DEVELOPER_TOOLS = frozenset({"f2py", "testing"})


class WrappedLoader(importlib.abc.Loader):
    """Executes a module inside `around(module)`, a context manager."""

    def __init__(self, loader, around):
        self.loader, self.around = loader, around

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        with self.around(module):
            self.loader.exec_module(module)


class OneModuleFinder(importlib.abc.MetaPathFinder):
    """Wraps the loading of one module in `around`, then leaves sys.meta_path (its one use)."""

    def __init__(self, name: str, around):
        self.name, self.around = name, around

    def find_spec(self, name, path, target=None):
        if name != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = WrappedLoader(spec.loader, self.around)
        return spec


def hook(name: str, around) -> None:
    """Wrap the first loading of module `name` in `around`; nothing when it is loaded or hooked already."""
    if name in sys.modules or any(isinstance(f, OneModuleFinder) and f.name == name for f in sys.meta_path):
        return
    sys.meta_path.insert(0, OneModuleFinder(name, around))


@contextmanager
def numpy_without_developer_tools(_module):
    import numpy

    saved_all, had_dir = numpy.__all__, "__dir__" in vars(numpy)
    saved_dir = vars(numpy).get("__dir__")
    numpy.__all__ = [n for n in saved_all if n not in DEVELOPER_TOOLS]
    if had_dir:
        numpy.__dir__ = lambda: [n for n in saved_dir() if n not in DEVELOPER_TOOLS]
    try:
        yield
    finally:
        numpy.__all__ = saved_all
        if had_dir:
            numpy.__dir__ = saved_dir


# pandas 3 stores its default `str` dtype in pyarrow arrays. Every column inserted into a frame with such
# column labels concatenates arrow arrays, and the parameter table, the fit measures and every table are
# built column by column: one fit of the five-stage model takes 0.055 s that way, 0.035 s with the same
# `str` dtype stored in Python objects (bench/RESULTS.md, one fit in-process). Values and dtype are the same.
STRING_STORAGE = "python"


def python_strings(pandas) -> None:
    pandas.set_option("mode.string_storage", STRING_STORAGE)


@contextmanager
def then_python_strings(pandas):
    yield
    python_strings(pandas)


def as_program() -> None:
    """Settings of a process that alianza runs (the command line, the pipeline's Snakemake and its jobs),
    not of a user's own Python session: pandas' `str` dtype in Python storage (set when pandas loads, so
    `alianza --help` still does not import it)."""
    if "pandas" in sys.modules:
        python_strings(sys.modules["pandas"])
    else:
        hook("pandas", then_python_strings)


def install() -> None:
    """Idempotent; nothing is hooked once scipy's numpy namespace exists (it was built already)."""
    settle_allocator()
    hook(CLONING_MODULE, numpy_without_developer_tools)


# pyarrow's default allocator is mimalloc, which by default keeps freed pages committed for a while and
# commits whole arenas eagerly: reading a 44 MB CSV then holds about 75 MB more than the data it returns
# (bench/RESULTS.md, ML on 100,000 rows). mimalloc reads these when pyarrow loads it, so they are set
# before any import of pyarrow; a user's own setting wins.
ALLOCATOR_SETTINGS = {"MIMALLOC_PURGE_DELAY": "0", "MIMALLOC_ARENA_EAGER_COMMIT": "0"}


def settle_allocator() -> None:
    for key, value in ALLOCATOR_SETTINGS.items():
        os.environ.setdefault(key, value)


# The pipeline's parallelism is its jobs (`--cores`), each fitting small matrices: BLAS threads gain
# them nothing, and the idle thread pools of numpy's and scipy's OpenBLAS spin about 0.2 s of CPU at every
# job's start-up, taken from the job running beside it. One thread also keeps the last digits the same
# on any machine load (a threaded BLAS may split a sum differently). A user's own setting wins.
PIPELINE_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def pipeline_environment(environ) -> dict:
    """The environment of `alianza run`'s Snakemake and its jobs: `environ` with one BLAS thread."""
    return {**environ, **{k: environ.get(k, "1") for k in PIPELINE_THREADS}}
