"""Tables built from the pipeline's results (never recomputing a number)."""
