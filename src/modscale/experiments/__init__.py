"""Experiments: specs, runs and the registry of stored results."""
