"""Adapter: invariance result of one grouping variable -> its APA table, numbered within the pooled set."""
from alianza.codebook import load_codebook
from alianza.tables.catalog import OutputOptions, load_json, load_table_inputs, provenance_line, sample_tables
from alianza.tables.writers import write_table
from alianza.workflow import run_step


def step():
    inp, par, out = snakemake.input, snakemake.params, snakemake.output
    opts = OutputOptions.from_config(par.config)
    # the whole set is rebuilt (cheap) so that this table gets the same number as in tables.docx
    inputs = load_table_inputs(inp, par, snakemake.wildcards.sample)
    tables = sample_tables(inputs, load_codebook(inp.codebook), opts,
                           provenance=provenance_line(load_json(inp.provenance), inp.provenance, opts.lang))
    name = f"invariance_{snakemake.wildcards.group}"
    table = next(tb for tb in tables if tb.name == name)
    write_table(table, {key.rsplit("_", 1)[1]: path for key, path in out.items()})


run_step(snakemake.log[0], step)
