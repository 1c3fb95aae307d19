"""The registry of the reproduction's deviations from the paper: one entry per reconstruction.

The entries are data, one TOML file per chapter (``deviation_data/<chapter>.toml``, read by
:func:`load`). Each :class:`Deviation` says what the paper states or leaves unstated (with the
tag of ``SPEC.md`` saying how sure that is), the book's choice, the parameters that change it,
the claims (:data:`modscale.report.paper_items.ITEMS`) whose verdicts depend on it, and the
sensitivity run made for it, if any. Its ``note`` is the text of the chapter's *Reproduction
note* box.

Two things render from this one registry, so they cannot disagree:

- the boxes in the chapters: a chapter writes ``{deviation} <id>`` as a MyST directive fence and
  :func:`expand_notes` (called by ``tools/build_book.py`` on every executed notebook) replaces it
  with the box (an unknown id is an error; an unexpanded fence fails the strict build);
- the page *Deviations from the paper* (``book/deviations.md``), :func:`page_markdown`, with this
  build's verdicts (from the run log) and the outcome of each sensitivity run, recorded by the
  chapter that ran it through :func:`record_sensitivity`.

Display only: no cached result depends on this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from modscale.report.notebook import value_text
from modscale.report.paper_items import CHAPTERS, ITEMS

SPEC_TAGS = {
    "V": "verbatim text of the paper",
    "A": "the authors' own material (project page, figures)",
    "F": "digitised from the authors' figures",
    "R": "reviewers' descriptions, not the paper",
    "T": "third-party study notes (low confidence)",
    "I": "an inference, not confirmed",
    "U": "commonly reported, not confirmed from the paper",
}
"""The confidence tags of ``SPEC.md`` (its section 0)."""


@dataclass(frozen=True)
class Deviation:
    """One reconstruction choice: what the paper says, what the book does, what depends on it."""

    id: str
    chapter: str
    title: str
    note_class: str
    tag: str
    spec: str
    paper: str
    choice: str
    parameters: tuple[str, ...]
    claims: tuple[str, ...]
    sensitivity: str | None
    note: str | None

    def __post_init__(self) -> None:
        if self.chapter not in CHAPTERS:
            raise ValueError(f"deviation {self.id!r}: chapter must be one of {CHAPTERS}")
        if self.tag not in SPEC_TAGS:
            raise ValueError(f"deviation {self.id!r}: tag must be one of {sorted(SPEC_TAGS)}")
        unknown = [c for c in self.claims if c not in ITEMS]
        if unknown:
            raise ValueError(f"deviation {self.id!r}: unknown claims {unknown}; allowed "
                             f"values: {', '.join(ITEMS)}")
        if self.note_class not in ("note", "warning"):
            raise ValueError(f"deviation {self.id!r}: note_class must be 'note' or 'warning'")


DATA = Path(__file__).with_name("deviation_data")
"""The registry's data: ``<chapter>.toml`` per chapter, one ``[[deviation]]`` table per entry."""


def load(folder: Path = DATA) -> tuple[Deviation, ...]:
    """Every entry of ``folder``'s ``<chapter>.toml`` files, chapters in the book's order
    (:data:`~modscale.report.paper_items.CHAPTERS`), each checked by :class:`Deviation`; an
    unknown or missing field, or an entry filed under another chapter, is an error naming the
    file and the allowed fields."""
    import tomllib

    names = [f.name for f in fields(Deviation)]
    optional = {"sensitivity": None, "note": None}
    out = []
    for chapter in CHAPTERS:
        path = folder / f"{chapter}.toml"
        if not path.exists():
            continue
        for entry in tomllib.loads(path.read_text())["deviation"]:
            bad = sorted(set(entry) - set(names))
            missing = sorted(set(names) - set(entry) - set(optional))
            if bad or missing:
                raise ValueError(f"{path.name}: deviation {entry.get('id')!r}: unknown fields "
                                 f"{bad}, missing fields {missing}; allowed: {', '.join(names)}")
            if entry["chapter"] != chapter:
                raise ValueError(f"{path.name}: deviation {entry['id']!r} names chapter "
                                 f"{entry['chapter']!r}; file it in {entry['chapter']}.toml")
            out.append(Deviation(**{**optional, **entry, "parameters": tuple(entry["parameters"]),
                                    "claims": tuple(entry["claims"])}))
    return tuple(out)


_DEVIATIONS = load()

# Deviation id -> Deviation, in the book's reading order (a comment, not a docstring: the API
# page would print the whole registry as the value).
DEVIATIONS: dict[str, Deviation] = {d.id: d for d in _DEVIATIONS}

if len(DEVIATIONS) != len(_DEVIATIONS):
    raise RuntimeError("duplicate deviation ids")

FENCE = re.compile(r"^```\{deviation\}[ \t]+(?P<id>[\w-]+)[ \t]*\n```[ \t]*$", re.M)
"""A chapter's placeholder for a note box: a ``{deviation}`` directive fence naming its id."""


def get(dev_id: str) -> Deviation:
    """The registry entry ``dev_id``; an unknown id is an error listing the known ones."""
    if dev_id not in DEVIATIONS:
        raise ValueError(f"unknown deviation {dev_id!r}; allowed values: {', '.join(DEVIATIONS)}")
    return DEVIATIONS[dev_id]


def ids_in(markdown: str) -> list[str]:
    """The deviation ids whose boxes a chapter's markdown asks for, in order."""
    return [m.group("id") for m in FENCE.finditer(markdown)]


def note_markdown(dev_id: str) -> str:
    """The chapter's *Reproduction note* box of ``dev_id`` (MyST), with a link to its entry on
    the deviations page and its label ``dev-note-<id>`` (the page links back)."""
    d = get(dev_id)
    if d.note is None:
        raise ValueError(f"deviation {dev_id!r} has no chapter note")
    return (f"(dev-note-{d.id})=\n```{{admonition}} Reproduction note: {d.title}\n"
            f":class: {d.note_class}\n{d.note.strip()}\n\n"
            f"*Registry entry* {{ref}}`{d.id} <dev-{d.id}>`: the verdicts it touches and its "
            "sensitivity run.\n```")


def expand_notes(markdown: str) -> str:
    """``markdown`` with every ``{deviation} <id>`` fence replaced by :func:`note_markdown`."""
    return FENCE.sub(lambda m: note_markdown(m.group("id")), markdown)


def of_claim(claim_id: str) -> list[Deviation]:
    """The deviations whose choice the verdict on ``claim_id`` depends on."""
    if claim_id not in ITEMS:
        raise ValueError(f"unknown claim {claim_id!r}; allowed values: {', '.join(ITEMS)}")
    return [d for d in DEVIATIONS.values() if claim_id in d.claims]


def record_sensitivity(dev_id: str, run: str, outcome: str, *, profile: str) -> None:
    """Record in the run log the outcome of a sensitivity run for ``dev_id`` (read by the
    deviations page). ``run`` names the run in a few words; ``outcome`` is a sentence built
    from the run's computed values."""
    from modscale.report import runlog

    get(dev_id)
    runlog.sensitivity(dev_id, run, outcome, profile=profile)


def parameter_values(d: Deviation) -> list[tuple[str, str, str]]:
    """``(parameter, book value, paper value)`` for every parameter of ``d``."""
    from modscale.infra.profiles import get_config

    book, paper = get_config(d.chapter, "book"), get_config(d.chapter, "paper")
    out = []
    for p in d.parameters:
        if not hasattr(book, p):
            raise AttributeError(f"deviation {d.id!r}: chapter {d.chapter!r} has no "
                                 f"parameter {p!r}")
        out.append((p, value_text(getattr(book, p)), value_text(getattr(paper, p))))
    return out


def page_markdown(verdicts: Mapping[str, str], sensitivities: Mapping[str, list[dict]],
                  *, built: Iterable[str], titles: Mapping[str, str], profile: str) -> str:
    """The body of the deviations page (MyST): one section per deviation, grouped by chapter.

    ``verdicts`` maps claim ids to this build's verdicts; ``sensitivities`` maps deviation ids
    to the run-log records of their sensitivity runs (:func:`record_sensitivity`); ``built`` are
    the chapters of this build (links to others would not resolve), ``titles`` their titles.
    """
    built = set(built)
    lines: list[str] = []
    chapter = None
    for d in DEVIATIONS.values():
        if d.chapter != chapter:
            chapter = d.chapter
            name = titles.get(chapter, chapter)
            link = f"{{doc}}`{name} <{chapter}>`" if chapter in built else name
            lines += [f"## {name}", "", f"Choices made in {link}.", ""]
        lines += [f"(dev-{d.id})=", f"### {d.title[0].upper()}{d.title[1:]}", ""]
        lines += ["What the paper gives", f": {d.paper} *[{d.tag}: {SPEC_TAGS[d.tag]}; "
                  f"{d.spec}]*", ""]
        lines += ["The book's choice", f": {d.choice}", ""]
        params = "; ".join(f"`{p}` = `{b}` (paper profile: `{pp}`)" if b != pp else
                           f"`{p}` = `{b}`" for p, b, pp in parameter_values(d))
        lines += ["Parameters (book profile)", f": {params}", ""]
        if d.claims:
            cl = []
            for cid in d.claims:
                it = ITEMS[cid]
                text = f"{it.item}: {it.claim}"
                if it.chapter in built and it.figure:
                    ref = f"{{ref}}`{text} <{it.figure}>`"
                elif it.chapter in built:
                    ref = f"{{doc}}`{text} <{it.chapter}>`"
                else:
                    ref = text
                cl.append(f"{ref} (**{verdicts.get(cid, 'not run')}**)")
            lines += ["Verdicts that depend on it", ": " + "; ".join(cl), ""]
        else:
            lines += ["Verdicts that depend on it", ": none (it sets an exploratory figure)",
                      ""]
        runs = sensitivities.get(d.id, [])
        if d.sensitivity is None:
            sens = "none made"
        elif runs:
            sens = d.sensitivity + ". Outcome at the " + profile + " profile: " + " ".join(
                f"{r['run']}: {r['outcome'].rstrip('.')}." for r in runs)
        else:
            sens = (d.sensitivity + f". Not run in this build (its chapter did not record an "
                    f"outcome at the {profile} profile).")
        lines += ["Sensitivity run", f": {sens}", ""]
        if d.note is not None and d.chapter in built:
            lines += ["Chapter note", f": {{ref}}`Reproduction note: {d.title} "
                      f"<dev-note-{d.id}>`", ""]
    return "\n".join(lines)


__all__ = ["SPEC_TAGS", "Deviation", "DEVIATIONS", "FENCE", "get", "ids_in", "note_markdown",
           "expand_notes", "of_claim", "record_sensitivity", "parameter_values",
           "page_markdown"]
