"""The parameter table every output reads, standardized solution, the result type and its summary."""
