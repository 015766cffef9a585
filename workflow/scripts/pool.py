"""Adapter: all processed waves -> the pooled sample (each row keeps its wave)."""
import pandas as pd

from alianza.workflow import run_step


def step():
    frames = [pd.read_parquet(p) for p in snakemake.input]
    pd.concat(frames, ignore_index=True).to_parquet(snakemake.output[0], index=False)


run_step(snakemake.log[0], step)
