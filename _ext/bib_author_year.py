"""Sphinx extension: author-year labels in the bibliography, matching the author-year citations.

Registers the pybtex label style ``author_year`` ("Boopathy et al. 2025") and the formatting
style ``unsrt_author_year`` (pybtex's ``unsrt`` with those labels), used by book/references.md.
"""

from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            names = [" ".join(p.last_names) for p in people]
            if not names:
                who = entry.fields.get("title", entry.key)
            elif len(names) == 1:
                who = names[0]
            elif len(names) == 2:
                who = f"{names[0]} and {names[1]}"
            else:
                who = f"{names[0]} et al."
            yield f"{who} {entry.fields.get('year', '')}".strip()


class UnsrtAuthorYearStyle(UnsrtStyle):
    default_label_style = "author_year"


def setup(app):
    register_plugin("pybtex.style.labels", "author_year", AuthorYearLabelStyle)
    register_plugin("pybtex.style.formatting", "unsrt_author_year", UnsrtAuthorYearStyle)
    return {"parallel_read_safe": True}
