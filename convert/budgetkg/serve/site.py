"""How IRIs map to paths on the server: data IRIs under the build's base, vocabulary IRIs
(ontology, code lists, structures, shapes) under /vocab/."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote

from budgetkg.iris import DEFAULT_BASE, VOCAB

VOCAB_PATH = "/vocab/"

# Representations a dereferenced IRI can be asked for by extension.
EXTENSIONS = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
    ".html": "text/html",
}


@dataclass(frozen=True)
class Site:
    """The served site: `base` is the data base IRI (as given to `budgetkg build --base`)."""

    base: str = DEFAULT_BASE
    title: str = "budgetkg"

    def href(self, iri: str) -> str:
        """The link to an IRI's page: a local path when the server answers for it, else the IRI."""
        for prefix, path in ((self.base, "/"), (VOCAB, VOCAB_PATH)):
            if iri.startswith(prefix):
                return path + quote(iri[len(prefix):], safe="/-._~（）")
        return iri

    def iri(self, path: str) -> str | None:
        """The IRI a request path names (None for a path outside the data and the vocabulary)."""
        path = unquote(path)
        if path.startswith(VOCAB_PATH):
            return VOCAB + path[len(VOCAB_PATH):]
        if path.startswith("/") and len(path) > 1:
            return self.base + path[1:]
        return None
