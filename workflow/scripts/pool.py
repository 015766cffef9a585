"""Adapter: all processed waves -> the pooled sample (each row keeps its wave)."""
import pandas as pd

from alianza.atomic import write_frame
from alianza.workflow import run_step


def step():
    frames = [pd.read_parquet(p) for p in snakemake.input]
    write_frame(snakemake.output[0], pd.concat(frames, ignore_index=True))


run_step(snakemake.log[0], step)
