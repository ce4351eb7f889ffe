"""The recognise stage: Source -> Recognised. What the document is (its heading: year, phase,
scope, organisation), what each table is (its kind, header and column roles, by what its words
mean: mappings/kinds.yaml, mappings/vocabulary.yaml) and every figure its narrative states.

Nothing is dropped: a table of no known kind is kept as a generic table, a table the contents
list but the document does not print is a notice, a document without any known table still
gives its narrative and its generic tables.
"""

from __future__ import annotations

from budgetkg.mapping import Mappings
from budgetkg.recognise import narrative
from budgetkg.recognise.heading import read_heading
from budgetkg.recognise.tables import recognise_table
from budgetkg.tables import Notice, Recognised, Source


def recognise(source: Source, mappings: Mappings) -> Recognised:
    """Recognise a read document; NotABudgetDocument when it names no year or organisation."""
    paragraphs = narrative.paragraphs(source.narrative, mappings.document)
    heading, notices = read_heading([f.path for f in source.files], paragraphs, source.tables,
                                    mappings.document["heading"], mappings.links["region"])
    tables = tuple(recognise_table(raw, number, heading.organisation, mappings)
                   for number, raw in enumerate(source.tables, start=1))
    found = {t.kind for t in tables}
    listed = {k.id: (title, k) for title in reversed(source.contents)
              if (k := mappings.kind_for_title(title, heading.organisation)) is not None}
    for kind_id, (title, kind) in sorted(listed.items(),
                                         key=lambda item: source.contents.index(item[1][0])):
        if kind_id not in found:
            notices.append(Notice("table-missing", "contents",
                                  f"the contents list {title} ({kind.label_zh}, {kind_id}) but "
                                  "the document prints no such table"))
    if not tables:
        notices.append(Notice("no-table-recognised", "", "it prints no table: the narrative is "
                                                         "kept"))
    elif all(t.kind == mappings.unrecognised.id for t in tables):
        notices.append(Notice("no-table-recognised", "",
                              f"no table of a known kind among its {len(tables)} table(s): the "
                              "narrative and the generic tables are kept"))
    organisation = narrative.organisation(heading.organisation, paragraphs, mappings.document,
                                          mappings.narrative)
    statements = narrative.statements(paragraphs, mappings.document, mappings.narrative,
                                      heading.organisation)
    return Recognised(source, heading, organisation, tables, statements, paragraphs,
                      tuple(notices))
