"""The links found by link/ as triples: places, project <-> goal entries, inferred codes, and
the policy documents and standards every text cites."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox

from budgetkg.iris import DCT, ORG, RDFS, SKOS, XSD, concept, term
from budgetkg.link.codes import infer
from budgetkg.link.policy import Citations, Decision, Finder, Standard
from budgetkg.map.graph import Context, lit, zh
from budgetkg.vocab import codelists


def regions(ctx: Context) -> None:
    """The department's places, each within the one before it, with its division code."""
    g, last = ctx.graph, ""
    for place in ctx.doc.links.regions:
        region = ctx.iri.place(place.key)
        g.a(region, term("Region"), DCT + "Location")
        g.add(region, RDFS + "label", zh(place.name))
        g.add(region, SKOS + "prefLabel", zh(place.name))
        if place.code:
            g.add(region, term("divisionCode"), lit(place.code))
        if place.within:
            g.add(region, term("withinRegion"), ctx.iri.place(place.within))
        last = region
    if last:
        g.add(ctx.iri.org, term("region"), last)


def project_links(ctx: Context) -> None:
    """Project <-> performance entry both ways; an unmatched project's nearest candidate."""
    g, iris = ctx.graph, ctx.projects
    for match in ctx.doc.links.projects:
        project = iris[(match.project.table, match.project.row)]
        g.add(project, term("nameSimilarity"), lit(match.similarity))
        if match.entry is not None:
            entry = iris[(match.entry.table, match.entry.row)]
            g.add(project, term("goalEntry"), entry)
            g.add(entry, term("expenditureEntry"), project)
            g.add(entry, term("nameSimilarity"), lit(match.similarity))
        elif match.nearest is not None:
            g.add(project, term("nearestEntry"), iris[(match.nearest.table, match.nearest.row)])


def inferred_codes(ctx: Context) -> None:
    """A code for each row printed without one, from its name and place (link/codes.py)."""
    names = codelists().names
    floor = Decimal(str(ctx.mappings.links["code_inference"]["min_similarity"]))
    for (_, _, scheme_name), rows in sorted(ctx.classified.items()):
        listed = {iri.removeprefix(concept(scheme_name, "")): name for iri, name in names.items()
                  if iri.startswith(concept(scheme_name, ""))}
        for code, name in ctx.printed_codes.get(scheme_name, {}).items():
            listed.setdefault(code, name)
        for inference in infer(rows, listed, floor):
            g = ctx.graph
            g.add(inference.key, term("inferredCode"), concept(scheme_name, inference.code))
            g.add(inference.key, term("inferenceReason"), zh(inference.reason_zh))
            g.add(inference.key, term("inferenceReason"), ox.Literal(inference.reason_en,
                                                                     language="en"))


def citations(ctx: Context) -> None:
    """Every text of the graph (and each narrative paragraph citing one) links to the policy
    documents and standards it cites; the document cites them all."""
    g, document = ctx.graph, ctx.iri.document
    finder = Finder(ctx.mappings, tuple(p.name for p in ctx.doc.links.regions))
    texts = sorted({(t.subject.value, t.object.value) for t in g.triples
                    if isinstance(t.object, ox.Literal) and isinstance(t.subject, ox.NamedNode)
                    and _is_text(t.object)})
    texts += [(document, text) for text in ctx.doc.links.narrative]
    found: dict[str, Citations] = {}
    for subject, text in texts:
        if text not in found:
            found[text] = finder.find(text)
        cited = [_decision(ctx, d) for d in found[text].decisions]
        cited += [_standard(ctx, s) for s in found[text].standards]
        for iri in cited:
            g.add(subject, term("cites"), iri)
            g.add(document, term("cites"), iri)


def _is_text(literal: ox.Literal) -> bool:
    return bool(literal.language) or literal.datatype.value == XSD + "string"


def _decision(ctx: Context, decision: Decision) -> str:
    """The one resource of a decision, whatever document cites it and however."""
    g = ctx.graph
    policy = ctx.iri.policy(decision.number)
    g.a(policy, term("PolicyDocument"))
    g.add(policy, RDFS + "label", zh(decision.number))
    g.add(policy, DCT + "identifier", lit(decision.number))
    g.add(policy, term("issuerCode"), lit(decision.issuer_code))
    g.add(policy, DCT + "issued", lit(decision.year, "gYear"))
    g.add(policy, term("documentNumber"), lit(decision.serial))
    if decision.title:
        g.add(policy, DCT + "title", zh(decision.title))
    if decision.printed != decision.number:
        g.add(policy, SKOS + "altLabel", zh(decision.printed))
    if decision.issuer is not None:
        issuer = ctx.iri.organisation_named(decision.issuer.name_zh)
        g.a(issuer, ORG + "FormalOrganization")
        g.add(issuer, RDFS + "label", zh(decision.issuer.name_zh))
        g.add(issuer, RDFS + "label", ox.Literal(decision.issuer.name_en, language="en"))
        g.add(policy, DCT + "publisher", issuer)
    return policy


def _standard(ctx: Context, standard: Standard) -> str:
    """The one resource of a standard number, whatever edition or spelling is printed."""
    g = ctx.graph
    iri = ctx.iri.standard(standard.number)
    g.a(iri, term("Standard"), DCT + "Standard")
    g.add(iri, RDFS + "label", lit(standard.number))
    g.add(iri, DCT + "identifier", lit(standard.number))
    if standard.printed != standard.number:
        g.add(iri, SKOS + "altLabel", lit(standard.printed))
    return iri
