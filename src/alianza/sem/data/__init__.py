"""The data a fit reads: sample moments, polychoric statistics, missing-data patterns and EM, survey designs."""
