"""modscale: an executable reproduction of Boopathy et al., "Breaking Neural Network Scaling
Laws with Modularity" (ICLR 2025).

Modules (one topic each):

- :mod:`modscale.profiles`  - ``smoke`` / ``book`` / ``paper`` profiles of every chapter.
- :mod:`modscale.cache`     - per-configuration result cache with provenance (resumable sweeps).
- :mod:`modscale.export`    - writes ``paper_figures/`` (figures, tables, JSON provenance sidecars).
- :mod:`modscale.style`     - plot style, seeding, plain-text progress bars, device selection.
- :mod:`modscale.paper_data`- numbers reported by the paper (digitised from its figures; see SPEC).
- :mod:`modscale.theory`    - closed-form train/test loss of the linear (NTK-style) model.
"""

__version__ = "0.1.0"
