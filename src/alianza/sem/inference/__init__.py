"""Standard errors and tests: robust corrections, fit measures, score tests, modification indices, bootstrap."""
