"""Document -> triples of one named graph per document, using mappings/ and ontology/ terms.

The stages, in the order to_graph runs them: tables.py (the organisation, the document, every
printed cell), facts.py (each fiscal fact once, the cells stating it), narrative.py (the
statements of the text and what they restate), links.py (places, projects, inferred codes,
cited policy documents). graph.py holds what they share.
"""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox

from budgetkg.iris import Minter
from budgetkg.map import facts, links, narrative, tables
from budgetkg.map.graph import Context, Graph
from budgetkg.mapping import Mappings
from budgetkg.tables import Document


def minter(doc: Document, base: str) -> Minter:
    """The IRIs of a document's resources."""
    return Minter(base, doc.links.organisation or doc.organisation.name, doc.year, doc.phase,
                  doc.scope)


def to_graph(doc: Document, mappings: Mappings, base: str) -> tuple[str, list[ox.Triple]]:
    """(named graph IRI, sorted triples) of one document."""
    iri = minter(doc, base)
    ctx = Context(Graph(ox.NamedNode(iri.graph)), iri, doc, mappings)
    tables.organisation(ctx)
    tables.document(ctx)
    tables.structures(ctx.graph, [mappings.kind(k) for k in sorted({t.kind for t in doc.tables})])
    occurrences: Counter[str] = Counter()
    for table in doc.tables:
        occurrences[table.kind] += 1
        ctx.table_iris[table.number] = iri.table(table.kind, occurrences[table.kind])
    for table in doc.tables:
        tables.table(ctx, table, ctx.table_iris[table.number])
    statements = narrative.statements(ctx)  # first: what it restates breaks a tie of cells
    facts.build(ctx)
    links.regions(ctx)
    links.project_links(ctx)
    narrative.prior_figures(ctx, statements)
    links.inferred_codes(ctx)
    links.citations(ctx)  # last: every text of the graph is searched
    return iri.graph, ctx.graph.sorted()
