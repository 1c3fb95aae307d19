"""Infrastructure: cache and results store, profiles, provenance, benchmarks."""
