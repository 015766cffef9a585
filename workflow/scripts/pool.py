"""Adapter: all processed waves -> the pooled sample (each row keeps its wave; display names in the metadata)."""
import pandas as pd

from alianza.atomic import write_frame
from alianza.workflow import run_step


def step():
    frames = [pd.read_parquet(p) for p in snakemake.input]
    pooled = pd.concat(frames, ignore_index=True)
    pooled.attrs["wave_labels"] = {w: dict(lab) for w, lab in snakemake.params.labels.items()}
    write_frame(snakemake.output[0], pooled)


run_step(snakemake.log[0], step)
