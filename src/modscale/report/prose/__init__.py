"""The sentences a chapter's results choose, one module per chapter (``prose/<chapter>.py``):
each function takes measured values and returns the sentence (or the word) the page glues,
beside the verdicts (:mod:`modscale.report.verdicts`) and tested like them, so that no page
holds a decision rule in an ``if``."""
