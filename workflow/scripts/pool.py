"""Adapter: all processed waves -> the pooled sample (each row keeps its wave; display names in the metadata)."""
import pandas as pd

from alianza.workflow import run_step


def step():
    frames = [pd.read_parquet(p) for p in snakemake.input]
    pooled = pd.concat(frames, ignore_index=True)
    pooled.attrs["wave_labels"] = {w: dict(lab) for w, lab in snakemake.params.labels.items()}
    pooled.to_parquet(snakemake.output[0], index=False)


run_step(snakemake.log[0], step)
