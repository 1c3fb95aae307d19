"""What a chapter's cells share: its name, validated config, profile and device.

A chapter starts with ``ch = chapter("<name>", globals())`` right after its parameters cell;
then ``ch.cfg`` is the validated config, ``ch.profile`` and ``ch.device`` what it runs at, and
the exports and records carry them without a ``profile=`` or ``device=`` argument per call::

    ch.export_figure(fig, "fig2_loss_trends", wall_time_s=wall)
    ch.record("sine_grid", models_trained=n, wall_time_s=wall, seeds=cfg.n_seeds)
    ch.judge(verdict, setting="today's regime")
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Chapter:
    """A chapter's shared state (see the module doc). ``device`` is a ``torch.device``."""

    name: str
    cfg: Any
    profile: str
    device: Any

    def export_figure(self, fig: Any, name: str, **kw: Any) -> Any:
        """:func:`modscale.report.export.export_figure` at this chapter's profile and device."""
        from modscale.report.export import export_figure

        return export_figure(fig, name, profile=self.profile, device=self.device, **kw)

    def export_table(self, df: Any, name: str, **kw: Any) -> Any:
        """:func:`modscale.report.export.export_table` at this chapter's profile and device."""
        from modscale.report.export import export_table

        return export_table(df, name, profile=self.profile, device=self.device, **kw)

    def record(self, experiment: str, **kw: Any) -> None:
        """:func:`modscale.report.runlog.record` for this chapter (profile and device)."""
        from modscale.report import runlog

        kw.setdefault("device", self.device)
        runlog.record(self.name, experiment, profile=self.profile, **kw)

    def judge(self, verdict: Any, **kw: Any) -> None:
        """:func:`modscale.report.verdicts.record` at this chapter's profile."""
        from modscale.report.verdicts import record

        record(verdict, profile=self.profile, **kw)

    def compute_plan(self) -> int:
        """Compute (or find stored) every result of this chapter's plan (:mod:`modscale.plans`)
        on its device, with the upstream chapters' values as they last ran; the cells then
        load them. Returns the number of results."""
        from modscale import plans

        return plans.compute(self.name, self.cfg, plans.upstream(self.name, self.profile),
                             device=self.device)

    def sensitivity(self, dev_id: str, run: str, outcome: str) -> None:
        """:func:`modscale.report.deviations.record_sensitivity` at this chapter's profile."""
        from modscale.report.deviations import record_sensitivity

        record_sensitivity(dev_id, run, outcome, profile=self.profile)


def chapter(name: str, namespace: Mapping[str, Any]) -> Chapter:
    """Validate the parameters in ``namespace`` (a notebook's ``globals()``:
    :func:`modscale.infra.profiles.notebook_config`, which also publishes them for downstream
    chapters), resolve the device, set the plot style and seed everything with ``cfg.seed``
    (where the chapter has one)."""
    from modscale.infra.device import resolve_device
    from modscale.infra.profiles import notebook_config
    from modscale.report.style import seed_everything, set_style

    cfg = notebook_config(name, namespace)
    device = resolve_device(namespace.get("device", "auto"))
    set_style()
    if hasattr(cfg, "seed"):
        seed_everything(cfg.seed)
    return Chapter(name, cfg, namespace.get("profile", "smoke"), device)
