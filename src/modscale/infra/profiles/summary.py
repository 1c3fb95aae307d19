"""Parameters of the reproduction summary page (it computes nothing; it reads the build's logs)."""

from dataclasses import dataclass

from . import field, register


@dataclass(frozen=True)
class SummaryConfig:
    show_figures: bool = field(True, help="embed the figures this build exported "
                                          "(paper_figures/), when available")


register("summary", SummaryConfig, {"smoke": {}, "book": {}, "paper": {}})
