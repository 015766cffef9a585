"""Options (the estimator registry), the optimiser, the fits of every estimator, and fit()."""
