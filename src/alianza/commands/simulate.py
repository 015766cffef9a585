"""`alianza simulate`: synthetic survey waves from the population model.

Three modes:
  --n N --out FILE          one wave of N delivered rows (format from the extension)
  --wave NAME               one bundled wave exactly as config/population.yaml describes it
  --all-waves               every bundled wave (how data/raw/*_synthetic.* are made)
"""
from __future__ import annotations


def add_parser(subparsers):
    p = subparsers.add_parser(
        "simulate",
        help="simulate survey waves from the population model (synthetic data)",
        description=__doc__,
        formatter_class=__import__("argparse").RawDescriptionHelpFormatter,
    )
    p.add_argument("--population", default="config/population.yaml", help="population model (default: %(default)s)")
    p.add_argument("--codebook", default="config/codebook.yaml", help="instrument (default: %(default)s)")
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--out", metavar="FILE", help="write one wave to FILE (.csv .xlsx .sav .dta .parquet)")
    mode.add_argument("--wave", metavar="NAME", help="regenerate one wave of the population file")
    mode.add_argument("--all-waves", action="store_true", help="regenerate every wave of the population file")
    p.add_argument("--n", type=int, help="rows as delivered (with --out)")
    p.add_argument("--seed", type=int, help="random seed (with --out; default: the population file's seed)")
    p.add_argument("--defects", action="store_true", help="inject the population file's default defects (with --out)")
    p.add_argument("--labels", action="store_true", help="write Spanish text labels instead of codes (with --out)")
    p.add_argument("--outdir", default="data/raw", help="folder for --wave / --all-waves (default: %(default)s)")
    p.add_argument("--truth", metavar="FILE", help="also write the true parameter table (CSV)")
    p.add_argument("--log", metavar="FILE", help="also write the log of injected defects (CSV)")
    return p


def run(args) -> int:
    from ..codebook import load_codebook
    from ..errors import InputError
    from ..population import load_population, true_parameters
    from ..atomic import write_frame
    from ..simulate import render_wave, simulate_dataset, simulate_wave, write_wave

    codebook = load_codebook(args.codebook)
    pop = load_population(args.population, codebook)
    written = []
    logs = []
    if args.out:
        if args.n is None or args.n < 1:
            raise InputError("--out needs --n (a positive number of rows)")
        seed = pop.seed if args.seed is None else args.seed
        defects = (pop.data.get("defects") or {}) if args.defects else None
        result = simulate_dataset(pop, args.n, seed, defects=defects)
        rendered = render_wave(result.data, codebook, labels=args.labels, seed=seed)
        written.append(write_wave(rendered, args.out, codebook))
        logs.append(result.log)
    else:
        for name in ([args.wave] if args.wave else list(pop.waves)):
            path, result = simulate_wave(pop, name, args.outdir)
            written.append(path)
            logs.append(result.log.assign(wave=name))
    if args.truth:
        write_frame(args.truth, true_parameters(pop))
    if args.log:
        import pandas as pd

        write_frame(args.log, pd.concat(logs, ignore_index=True))
    for path in written:
        print(f"wrote {path} (SYNTHETIC data)")
    return 0
