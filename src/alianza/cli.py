"""The `alianza` command line: a thin layer over the package's pure functions.

Each subcommand lives in alianza/commands/<name>.py and exposes
`add_parser(subparsers)` and `run(args) -> int`.  User errors (AlianzaError)
print one line on stderr and exit 2, never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from .atomic import output_error
from .errors import AlianzaError

# Order is the order of `alianza --help`; each command module adds its name here.
COMMANDS: list[str] = ["run", "simulate", "ingest", "codebook", "fit", "validity", "invariance", "power", "tables",
                      "compare"]


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(prog="alianza", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"alianza {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f".commands.{name}", __package__)
        sp = module.add_parser(sub)
        sp.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    from alianza.startup import as_program

    as_program()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with _single_threaded_blas():
            return int(args._run(args) or 0)
    except AlianzaError as exc:
        print(f"alianza {args.command}: error: {exc.oneline()}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader went away (`alianza fit ... | head`): not an error of ours, nothing to say
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # an output folder that cannot be written, a full disk: the path, in one line
        err = output_error(exc, exc.filename, "cannot read or write")
        print(f"alianza {args.command}: error: {err.oneline()}", file=sys.stderr)
        return 2


def _single_threaded_blas():
    """BLAS threads slow down the small matrix work of SEM (and fight with our own workers)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
