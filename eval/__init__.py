"""Evaluation scripts for adclassify: metrics, reports, baselines and robustness checks.

See ``eval/README.md`` for the commands. This package uses only the public API
of :mod:`adclassify` and never imports the training code.
"""
