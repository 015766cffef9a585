"""alianza.startup: a scipy import must not drag in numpy's f2py and testing (see startup.py)."""
import subprocess
import sys

import pytest


def modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


@pytest.mark.parametrize("scipy_module", ["scipy.special", "scipy.linalg", "scipy.stats"])
def test_the_defect_a_bare_scipy_import_loads_numpys_developer_tools(scipy_module):
    # if this fails, scipy no longer clones numpy's lazy submodules and startup.py can go
    loaded = modules_after(f"import {scipy_module}")
    assert {"numpy.f2py", "numpy.testing"} <= loaded


@pytest.mark.parametrize("scipy_module", ["scipy.special", "scipy.linalg", "scipy.stats"])
def test_after_importing_alianza_scipy_loads_without_them(scipy_module):
    loaded = modules_after(f"import alianza\nimport {scipy_module}")
    assert scipy_module in loaded
    assert "numpy.f2py" not in loaded and "numpy.testing" not in loaded


def test_numpy_is_left_as_it_was():
    code = ("import alianza, numpy\nbefore = (list(numpy.__all__), sorted(dir(numpy)))\n"
            "import scipy.special\nassert (list(numpy.__all__), sorted(dir(numpy))) == before\n"
            "import numpy.testing\nassert numpy.testing.assert_allclose\n"
            "from scipy._lib.array_api_compat import numpy as xp\nassert xp.asarray and xp.linalg.inv\n"
            "import alianza.startup as s, sys\nassert not any(isinstance(f, s.OneModuleFinder) for f in sys.meta_path)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_pyarrows_allocator_is_told_to_give_back_freed_pages_unless_the_user_said_otherwise():
    import json
    import os
    from alianza.startup import ALLOCATOR_SETTINGS

    code = "import alianza, os, json; print(json.dumps({k: os.environ.get(k) for k in %r}))" % list(ALLOCATOR_SETTINGS)
    env = {k: v for k, v in os.environ.items() if k not in ALLOCATOR_SETTINGS}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert json.loads(out) == ALLOCATOR_SETTINGS
    env["MIMALLOC_PURGE_DELAY"] = "500"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert json.loads(out)["MIMALLOC_PURGE_DELAY"] == "500"


def test_as_a_program_pandas_strings_are_stored_in_python_objects_and_only_then():
    # the command line: set when pandas loads (after `alianza --help` it is not even imported)
    code = ("import sys\nfrom alianza.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'pandas' not in sys.modules\nimport pandas\n"
            "assert pandas.get_option('mode.string_storage') == 'python'\n"
            "assert str(pandas.Series(['a']).dtype) == 'str'")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    # a pipeline step with pandas already imported
    code = ("import pandas, tempfile, os\nfrom alianza.workflow import run_step\n"
            "run_step(os.path.join(tempfile.mkdtemp(), 'x.log'), lambda: None)\n"
            "assert pandas.get_option('mode.string_storage') == 'python'")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    # a user's own session that imports alianza keeps pandas' own default
    code = "import alianza, alianza.sem, pandas\nassert pandas.get_option('mode.string_storage') != 'python'"
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_the_pipeline_runs_one_blas_thread_unless_the_user_set_one():
    from alianza.startup import PIPELINE_THREADS, pipeline_environment

    env = pipeline_environment({"PATH": "/bin", "OMP_NUM_THREADS": "4"})
    assert env["PATH"] == "/bin" and env["OMP_NUM_THREADS"] == "4"
    assert all(env[k] == "1" for k in PIPELINE_THREADS if k != "OMP_NUM_THREADS")
