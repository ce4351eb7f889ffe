"""The code lists of ontology/codelists, checked the way qSKOS checks a SKOS vocabulary: no concept
without a Chinese label, no notation twice in a scheme, no orphan concept, no cycle of
skos:broader; the classifications are qb:HierarchicalCodeLists with their levels 类/款/项, whose
类 level is complete and says so; and a concept a document mints for a code the lists lack sits
under its parent."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from budgetkg.iris import CODELIST
from budgetkg.resources import ontology_dir

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
QB = "http://purl.org/linked-data/cube#"
XKOS = "http://rdf-vocabulary.ddialliance.org/xkos#"
BK = "https://w3id.org/budgetkg/ontology#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
CLASSIFICATIONS = ("function", "dept-economic", "gov-economic")
LAYOUTS = Path(__file__).parent / "layouts"


class Vocabulary:
    """A graph as subject -> predicate -> objects, with the SKOS questions asked of it."""

    def __init__(self, triples: list[ox.Triple]) -> None:
        self.triples = triples
        self.out: dict[str, dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]]] = (
            defaultdict(lambda: defaultdict(list)))
        for t in sorted(set(triples), key=str):  # a statement made in two graphs is one
            assert not isinstance(t.object, ox.Triple)
            self.out[str(t.subject.value)][t.predicate.value].append(t.object)

    def values(self, subject: str, predicate: str) -> list[str]:
        return [o.value for o in self.out.get(subject, {}).get(predicate, [])]

    def labels(self, subject: str, language: str) -> list[str]:
        return [o.value for o in self.out.get(subject, {}).get(SKOS + "prefLabel", [])
                if isinstance(o, ox.Literal) and o.language == language]

    def schemes(self) -> dict[str, set[str]]:
        """Each concept scheme with its concepts."""
        members: dict[str, set[str]] = defaultdict(set)
        for subject, properties in self.out.items():
            for scheme in properties.get(SKOS + "inScheme", []):
                members[scheme.value].add(subject)
        return members

    def problems(self) -> list[str]:
        """qSKOS-style findings, one line each ([] for a clean vocabulary)."""
        found = []
        for scheme, concepts in sorted(self.schemes().items()):
            notations: dict[str, list[str]] = defaultdict(list)
            for c in sorted(concepts):
                if len(self.labels(c, "zh")) != 1:
                    found.append(f"{c}: {len(self.labels(c, 'zh'))} zh prefLabels, expected 1")
                for notation in self.values(c, SKOS + "notation"):
                    notations[notation].append(c)
                broader = self.values(c, SKOS + "broader")
                top = scheme in self.values(c, SKOS + "topConceptOf")
                if not top and not any(b in concepts for b in broader):
                    found.append(f"{c}: orphan (no top concept of {scheme}, no broader in it)")
                if self._cycle(c):
                    found.append(f"{c}: skos:broader leads back to it")
            found += [f"{scheme}: notation {n!r} on {', '.join(cs)}"
                      for n, cs in sorted(notations.items()) if len(cs) > 1]
        return found

    def _cycle(self, start: str) -> bool:
        seen, frontier = set(), [start]
        while frontier:
            for b in self.values(frontier.pop(), SKOS + "broader"):
                if b == start:
                    return True
                if b not in seen:
                    seen.add(b)
                    frontier.append(b)
        return False


def _parse(*paths: Path, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> list[ox.Triple]:
    return [t for p in paths for t in ox.parse(path=str(p), format=fmt)]


@pytest.fixture(scope="module")
def lists() -> Vocabulary:
    return Vocabulary(_parse(*sorted((ontology_dir() / "codelists").glob("*.ttl"))))


def test_the_code_lists_pass_the_qskos_checks(lists: Vocabulary) -> None:
    assert len(lists.schemes()) >= 12
    assert lists.problems() == []


def test_the_checks_find_each_kind_of_problem() -> None:
    scheme, a, b = CODELIST + "s", CODELIST + "s/1", CODELIST + "s/2"

    def t(s: str, p: str, o: ox.NamedNode | ox.Literal) -> ox.Triple:
        return ox.Triple(ox.NamedNode(s), ox.NamedNode(p), o)

    broken = Vocabulary([
        t(a, SKOS + "inScheme", ox.NamedNode(scheme)),
        t(b, SKOS + "inScheme", ox.NamedNode(scheme)),
        t(a, SKOS + "notation", ox.Literal("1")), t(b, SKOS + "notation", ox.Literal("1")),
        t(a, SKOS + "prefLabel", ox.Literal("甲", language="zh")),
        t(a, SKOS + "broader", ox.NamedNode(b)), t(b, SKOS + "broader", ox.NamedNode(a)),
    ])
    assert broken.problems() == [
        f"{a}: skos:broader leads back to it",
        f"{b}: 0 zh prefLabels, expected 1",
        f"{b}: skos:broader leads back to it",
        f"{scheme}: notation '1' on {a}, {b}",
    ]
    orphan = Vocabulary([t(a, SKOS + "inScheme", ox.NamedNode(scheme)),
                         t(a, SKOS + "prefLabel", ox.Literal("甲", language="zh"))])
    assert orphan.problems() == [f"{a}: orphan (no top concept of {scheme}, no broader in it)"]


@pytest.mark.parametrize("name", CLASSIFICATIONS)
def test_each_classification_is_a_hierarchical_code_list_with_its_levels(
        lists: Vocabulary, name: str) -> None:
    scheme = CODELIST + name
    concepts = lists.schemes()[scheme]
    assert QB + "HierarchicalCodeList" in lists.values(scheme, RDF + "type")
    assert lists.values(scheme, QB + "parentChildProperty") == [SKOS + "narrower"]
    roots = set(lists.values(scheme, QB + "hierarchyRoot"))
    assert roots == set(lists.values(scheme, SKOS + "hasTopConcept")) and roots
    reached, frontier = set(roots), list(roots)
    while frontier:  # every concept is reached from a root down skos:narrower
        for child in lists.values(frontier.pop(), SKOS + "narrower"):
            assert child in concepts
            if child not in reached:
                reached.add(child)
                frontier.append(child)
    assert reached == concepts
    for c in concepts:  # narrower is the inverse of broader
        for b in lists.values(c, SKOS + "broader"):
            assert c in lists.values(b, SKOS + "narrower")
    levels = [lists.out[s] for s, p in lists.out.items() if XKOS + "depth" in p
              and s.startswith(scheme + "/level/")]
    members = [c.value for level in levels for c in level[SKOS + "member"]]
    # each code in exactly one level; the total (a fact not broken down) is a root of no level
    assert sorted(members) == sorted(concepts - {f"{scheme}/total"})
    assert int(lists.values(scheme, XKOS + "numberOfLevels")[0]) == len(levels)
    for level in levels:
        depth = int(level[XKOS + "depth"][0].value)
        zh = {o.value for o in level[SKOS + "prefLabel"]
              if isinstance(o, ox.Literal) and o.language == "zh"}
        assert zh == {("类", "款", "项")[depth - 1]}
        for member in level[SKOS + "member"]:
            (notation,) = lists.values(member.value, SKOS + "notation")
            assert len(notation) == 1 + 2 * depth


def test_concepts_carry_english_labels_where_a_translation_is_known(lists: Vocabulary) -> None:
    schemes = lists.schemes()
    for name in CLASSIFICATIONS:  # every 类
        for top in lists.values(CODELIST + name, SKOS + "hasTopConcept"):
            assert lists.labels(top, "en"), top
    # every 类, 款 and 项 of the generated lists: mappings/codes.yaml `english` names each one
    untranslated = sorted(c for name in CLASSIFICATIONS for c in schemes[CODELIST + name]
                          if not lists.labels(c, "en"))
    assert untranslated == []
    # codes.yaml's English wins over a hand-written list's for the same Chinese name
    assert lists.labels(CODELIST + "dept-economic/30217", "en") == ["official hospitality"]
    # the same Chinese name as a translated concept of a hand-written list: its English
    assert lists.labels(CODELIST + "dept-economic/301", "en") == lists.labels(
        CODELIST + "expenditure-type/wages-welfare", "en") == ["wages and welfare"]
    hand_written = {s for s in schemes if s.removeprefix(CODELIST) not in CLASSIFICATIONS}
    assert all(lists.labels(c, "en") for s in hand_written for c in schemes[s])


def test_a_concept_minted_for_an_unlisted_code_sits_under_its_parent(lists: Vocabulary) -> None:
    expected = sorted(LAYOUTS.glob("*/expected.nt"))
    data = Vocabulary(lists.triples + _parse(*expected, fmt=ox.RdfFormat.N_TRIPLES))
    unlisted = {s for s, p in data.out.items() if BK + "unlisted" in p}
    assert CODELIST + "function/2060102" in unlisted  # 20601 is unlisted too, 206 is listed
    assert data.values(CODELIST + "function/2060102", SKOS + "broader") == [
        CODELIST + "function/20601"]
    assert data.values(CODELIST + "function/20601", SKOS + "broader") == [
        CODELIST + "function/206"]
    for concept in unlisted:
        assert data.values(concept, SKOS + "broader") or data.values(
            concept, SKOS + "topConceptOf"), concept
    # the union of the lists and the documents' concepts: no orphan, cycle or duplicate (the
    # concepts printed without a name have no label: that check is the lists' own)
    assert [p for p in data.problems() if "zh prefLabels" not in p] == []


def test_the_class_level_of_each_classification_is_complete_and_says_so(
        lists: Vocabulary) -> None:
    classes = {
        # 2018 edition (财预〔2017〕98号) and the codes of the editions before it only
        "dept-economic": "301 302 303 304 305 306 307 308 309 310 311 312 313 399",
        "gov-economic": "501 502 503 504 505 506 507 508 509 510 511 512 513 514 599",
        "function": "201 202 203 204 205 206 207 208 209 210 211 212 213 214 215 216 217 219 "
                    "220 221 222 223 224 227 229 230 231 232 233 234",
    }
    for name, codes in classes.items():
        scheme = CODELIST + name
        assert lists.values(scheme, BK + "completeLevel") == [f"{scheme}/level/1"]
        members = lists.values(f"{scheme}/level/1", SKOS + "member")
        assert sorted(m.removeprefix(scheme + "/") for m in members) == codes.split()
    # an old name is the code's former name from the 2018 edition on; a code no later edition
    # lists says until when it was one
    assert lists.values(CODELIST + "dept-economic/309", BK + "formerName") == ["基本建设支出"]
    assert lists.values(CODELIST + "dept-economic/309", BK + "renamedIn") == ["2018"]
    assert any("up to 2017 only" in c
               for c in lists.values(CODELIST + "dept-economic/305", RDFS + "comment"))
