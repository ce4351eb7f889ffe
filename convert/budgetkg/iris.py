"""Mints every IRI: deterministic, independent of row order, under a configurable base.

Vocabulary (ontology, code lists, structures) lives under the fixed https://w3id.org/budgetkg/;
data (organisations, documents, tables, rows, observations …) under the configurable base.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

VOCAB = "https://w3id.org/budgetkg/"
ONTOLOGY = VOCAB + "ontology#"
CODELIST = VOCAB + "codelist/"
STRUCTURE = VOCAB + "structure/"
DEFAULT_BASE = "https://data.budgetkg.org/"

# The standard vocabularies, named once for every module.
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = RDF + "type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
QB = "http://purl.org/linked-data/cube#"
SH = "http://www.w3.org/ns/shacl#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
DQV = "http://www.w3.org/ns/dqv#"
FOAF = "http://xmlns.com/foaf/0.1/"
OA = "http://www.w3.org/ns/oa#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
SD = "http://www.w3.org/ns/sparql-service-description#"
SPDX = "http://spdx.org/rdf/terms#"
VOID = "http://rdfs.org/ns/void#"

_UNSAFE = re.compile(r"[^\w\-.（）]+")


def slug(text: str) -> str:
    """A readable IRI segment: word characters (CJK included) kept, anything else a hyphen."""
    return _UNSAFE.sub("-", text.strip()).strip("-") or "_"


def digest(*parts: str, size: int = 12) -> str:
    """A short stable key for content that is too long or too free-form for a segment."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:size]


def concept(scheme: str, notation: str) -> str:
    return f"{CODELIST}{scheme}/{notation}"


def scheme(name: str) -> str:
    return f"{CODELIST}{name}"


def structure(kind: str) -> str:
    return f"{STRUCTURE}{kind}"


def term(local: str) -> str:
    return ONTOLOGY + local


def place(base: str, key: str) -> str:
    """A place under `base`, by its division code or full name (Minter.place)."""
    return f"{base}place/{slug(key)}"


@dataclass(frozen=True)
class Minter:
    """IRIs of one document's resources."""

    base: str
    organisation: str
    year: int
    phase: str
    scope: str = "department"

    @property
    def org(self) -> str:
        """The department: the same IRI in every year and phase, made from the one form of its
        name (link.organisation_key; the name starts with its region, so it identifies it)."""
        return self.organisation_named(self.organisation)

    def organisation_named(self, name: str) -> str:
        """Any organisation by its full name (a department, the issuer of a policy document)."""
        return f"{self.base}org/{slug(name)}"

    def place(self, key: str) -> str:
        """A place, by its 6-digit administrative division code where it has one
        (place/310107), else by its name in full (place/上海市普陀区万里街道): the same IRI in
        the data and in the catalogue."""
        return place(self.base, key)

    def policy(self, number: str) -> str:
        """A policy document by its canonical number
        (豫财科〔2025〕56号 -> policy/豫财科-2025-56号)."""
        return f"{self.base}policy/{slug(number)}"

    def standard(self, number: str) -> str:
        """A standard by its number without edition (GB/T 5461 -> standard/GB-T-5461)."""
        return f"{self.base}standard/{slug(number)}"

    def unit(self, code: str, name: str = "") -> str:
        return f"{self.org}/unit/{slug(code) if code else slug(name)}"

    def division(self, name: str) -> str:
        return f"{self.org}/division/{slug(name)}"

    @property
    def document(self) -> str:
        """The document: a department's own (部门预算) and a unit's own (单位预算) of one
        organisation and year are two documents."""
        phase = self.phase if self.scope == "department" else f"{self.scope}-{self.phase}"
        return f"{self.base}doc/{slug(self.organisation)}/{self.year}/{phase}"

    @property
    def graph(self) -> str:
        return f"{self.document}/graph"

    @property
    def source(self) -> str:
        return f"{self.document}/source"

    @property
    def conversion(self) -> str:
        return f"{self.document}/conversion"

    def table(self, kind: str, occurrence: int = 1) -> str:
        suffix = "" if occurrence == 1 else f"-{occurrence}"
        return f"{self.document}/table/{kind}{suffix}"

    def column(self, table: str, number: int) -> str:
        return f"{table}/column/{number}"

    def row(self, table: str, key: str) -> str:
        return f"{table}/row/{key}"

    def observation(self, table: str, row_key: str, column: int) -> str:
        return f"{table}/obs/{row_key}-{column}"

    def cell(self, table: str, row_key: str, column: int) -> str:
        return f"{table}/cell/{row_key}-{column}"

    @property
    def facts(self) -> str:
        """The document's set of fiscal facts."""
        return f"{self.document}/facts"

    def fact(self, key: str) -> str:
        """A fiscal fact of the document, by the digest of its dimensions."""
        return f"{self.document}/fact/{key}"

    def statement(self, key: str) -> str:
        return f"{self.document}/statement/{key}"

    def prior(self, statement: str, year: int) -> str:
        """The earlier year's figure a statement's amount and its stated change imply."""
        return f"{statement}/prior/{year}"

    def project(self, key: str) -> str:
        return f"{self.document}/project/{key}"

    def task(self, key: str) -> str:
        return f"{self.document}/task/{key}"

    def indicator(self, owner: str, key: str) -> str:
        return f"{owner}/indicator/{key}"
