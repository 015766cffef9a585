"""alianza: scale validation and SEM for the five-stage strategic-alliance model.

Pure functions live in the submodules; the `alianza` command line (cli.py)
and the Snakemake adapters (workflow/scripts) sit on top of them.
"""
__version__ = "0.1.0"

from alianza import startup as _startup  # noqa: E402  (before any scipy import: see startup.py)

_startup.install()
