"""The HTTP face of `budgetkg serve`: the SPARQL 1.1 Protocol at /sparql (with its service
description and VoID), dereferenceable IRIs with pages, the query page and static assets."""

from __future__ import annotations

import hmac
import json
from collections.abc import AsyncIterator, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import quoteattr

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from budgetkg import jsonld, publish, resources
from budgetkg.serve import describe, engine, formats
from budgetkg.serve.pool import Pool, Timeout, WorkerLost
from budgetkg.serve.site import EXTENSIONS
from budgetkg.serve.sparql_text import has_dataset_clause, service_targets, with_using

STATIC = Path(__file__).parent / "static"
FORM = "application/x-www-form-urlencoded"
_DOWNLOADS = {".ttl": "text/turtle", ".nt": "application/n-triples", ".nq": "application/n-quads",
              ".trig": "application/trig", ".jsonld": "application/ld+json", ".csv": "text/csv",
              ".json": "application/json"}
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"


@dataclass
class Config:
    """What the server allows: the update token, SERVICE endpoints and the body size."""

    update_token: str | None = None
    allowed_services: frozenset[str] = frozenset()
    max_body: int = 10 * 1024 * 1024
    folder: Path | None = None  # the served folder: its files are the downloads under /dumps/
    statistics: dict[str, dict[str, int]] = field(default_factory=dict)


class BadRequest(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.headers = status, headers or {}


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(message.strip() + "\n", status, headers, "text/plain; charset=utf-8")


def _answer(answer: engine.Answer, extra: dict[str, str] | None = None) -> Response:
    return Response(answer.body, answer.status, {**answer.headers, **(extra or {})}, answer.media)


async def _body(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise BadRequest(413, f"request body over the {cap} byte limit")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise BadRequest(413, f"request body over the {cap} byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def _utf8(data: bytes, charset: str | None) -> str:
    if charset and charset.lower().replace("-", "") != "utf8":
        raise BadRequest(415, f"charset {charset} is not supported: send UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(400, f"the request body is not UTF-8: {exc}") from exc


def _media(request: Request) -> tuple[str, str | None]:
    value = request.headers.get("content-type", "")
    media, *params = (part.strip() for part in value.split(";"))
    charset = next((p.split("=", 1)[1].strip('"') for p in params
                    if p.lower().startswith("charset=")), None)
    return media.lower(), charset


@dataclass(frozen=True)
class Operation:
    kind: str  # "query" or "update"
    text: str
    params: list[tuple[str, str]]

    def values(self, name: str) -> tuple[str, ...]:
        return tuple(v for k, v in self.params if k == name)


async def _operation(request: Request, cap: int) -> Operation | None:
    """The protocol operation a request carries (None: a GET without one, which asks for the
    service description)."""
    params = parse_qsl(request.url.query, keep_blank_values=True)
    texts: list[tuple[str, str]] = []
    if request.method == "POST":
        media, charset = _media(request)
        body = await _body(request, cap)
        if media == FORM:
            params += parse_qsl(_utf8(body, charset), keep_blank_values=True, strict_parsing=False)
        elif media in (QUERY, UPDATE):
            texts.append(("query" if media == QUERY else "update", _utf8(body, charset)))
        else:
            raise BadRequest(415, f"POST needs Content-Type {FORM}, {QUERY} or {UPDATE}"
                             f" (got {media or 'none'})")
    texts += [(k, v) for k, v in params if k in ("query", "update")]
    if request.method == "GET" and any(k == "update" for k, _ in texts):
        raise BadRequest(400, "an update must be sent with POST")
    if not texts:
        if request.method == "GET":
            return None
        raise BadRequest(400, "no query or update in the request")
    if len(texts) > 1:
        raise BadRequest(400, "exactly one query or update per request")
    return Operation(texts[0][0], texts[0][1], params)


def _dataset(op: Operation, default: str, named: str) -> engine.Dataset:
    d, n = op.values(default), op.values(named)
    return engine.Dataset(d or None, n or None) if d or n else engine.Dataset()


class Endpoint:
    """The handlers, bound to the pool of workers and the configuration."""

    def __init__(self, pool: Pool, config: Config) -> None:
        self.pool, self.config = pool, config

    async def _run(self, job: engine.Job) -> engine.Answer:
        try:
            return await self.pool.run(job)
        except Timeout as exc:
            return engine.error(503, f"query {exc} (budgetkg serve --timeout)")
        except WorkerLost as exc:
            return engine.error(500, f"internal error: {exc}")

    async def sparql(self, request: Request) -> Response:
        if request.method not in ("GET", "POST"):
            return _text(405, f"{request.method} is not a SPARQL protocol method; use GET or POST",
                         {"Allow": "GET, POST, OPTIONS"})
        try:
            op = await _operation(request, self.config.max_body)
            endpoint = str(request.url.replace(query="", fragment="")).rstrip("?")
            if op is None:
                return self._description(request, endpoint)
            if op.kind == "update":
                return await self._update(request, op, endpoint)
            return await self._query(request, op, endpoint)
        except BadRequest as exc:
            return _text(exc.status, str(exc), exc.headers)

    async def _query(self, request: Request, op: Operation, endpoint: str) -> Response:
        refused = [s for s in service_targets(op.text) if s not in self.config.allowed_services]
        if refused:
            raise BadRequest(403, f"SERVICE {', '.join(refused)} is not allowed on this server "
                             "(budgetkg serve --allow-service URL)")
        dataset = _dataset(op, "default-graph-uri", "named-graph-uri")
        job = engine.Query(op.text, dataset, request.headers.get("accept"), endpoint)
        return _answer(await self._run(job), {"Vary": "Accept"})

    async def _update(self, request: Request, op: Operation, endpoint: str) -> Response:
        token = self.config.update_token
        given = request.headers.get("authorization", "")
        if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise BadRequest(403, "this endpoint is read-only (updates need the server's "
                             "--update-token as 'Authorization: Bearer TOKEN')")
        dataset = _dataset(op, "using-graph-uri", "using-named-graph-uri")
        text = op.text
        if dataset.given:
            if has_dataset_clause(text):
                raise BadRequest(400, "using-graph-uri/using-named-graph-uri cannot be combined "
                                 "with USING or WITH in the update")
            text = with_using(text, dataset.default or (), dataset.named or ())
        answer = await self._run(engine.Update(text, endpoint))
        if answer.status < 300:
            await self.refresh()
        return _answer(answer)

    async def refresh(self) -> None:
        """Re-count the VoID figures (at start and after every update)."""
        answer = await self._run(engine.Statistics())
        if isinstance(answer.data, dict):
            self.config.statistics = answer.data

    def _description(self, request: Request, endpoint: str) -> Response:
        media = formats.negotiate(request.headers.get("accept"), (*formats.GRAPH, formats.HTML))
        if media == formats.HTML:  # a browser: the query page, not the service description
            return RedirectResponse("/query", 303, {"Vary": "Accept"})
        if media is None:
            return _text(406, "the service description is RDF: " + ", ".join(formats.GRAPH))
        media = formats.canonical(media, graph=True)
        triples = describe.service(endpoint, self.config.statistics,
                                   updates=self.config.update_token is not None)
        return Response(formats.graph(triples, media), 200, {"Vary": "Accept"},
                        f"{media}; charset=utf-8")

    async def void(self, request: Request) -> Response:
        media = formats.negotiate(request.headers.get("accept"), formats.GRAPH)
        if media is None:
            return _text(406, "VoID is RDF: " + ", ".join(formats.GRAPH))
        media = formats.canonical(media, graph=True)
        endpoint = str(request.url_for("sparql"))
        triples = describe.void(endpoint, str(request.url), self.config.statistics)
        return Response(formats.graph(triples, media), 200, {"Vary": "Accept"},
                        f"{media}; charset=utf-8")

    def _catalogue_file(self, iri: str, media: str) -> Path | None:
        """The catalogue IRI in Turtle or JSON-LD is the whole published catalogue file."""
        names = {formats.TURTLE: "catalog.ttl", formats.JSONLD: "catalog.jsonld"}
        if self.config.folder is None or iri != self.pool.settings.site.base + "catalog":
            return None
        path = self.config.folder / names.get(media, "")
        return path if media in names and path.is_file() else None

    async def download(self, request: Request) -> Response:
        """A file of the served folder (the catalogue's download URLs point here)."""
        name = request.path_params["path"]
        folder = self.config.folder
        parts = Path(name).parts
        if folder is None or not parts or any(p.startswith(".") or p == ".." for p in parts):
            return _text(404, f"no download {name}")
        path = folder.joinpath(*parts)
        media = _DOWNLOADS.get(path.suffix)
        if media is None or not path.is_file():
            return _text(404, f"no download {name}")
        return FileResponse(path, media_type=media)

    async def context(self, request: Request) -> Response:
        """The JSON-LD context at the IRI every compact JSON-LD dump names (BASE/context.jsonld):
        the served folder's copy, else the one this version writes."""
        folder = self.config.folder
        path = folder / publish.CONTEXT if folder is not None else None
        body = path.read_bytes() if path is not None and path.is_file() else (
            jsonld.context_document())
        return Response(body, 200, media_type="application/ld+json")

    async def query_page(self, request: Request) -> Response:
        """The query editor, told the data base so that result IRIs link to local pages."""
        page = (STATIC / "query.html").read_text(encoding="utf-8").replace(
            'content="https://data.budgetkg.org/"',
            f"content={quoteattr(self.pool.settings.site.base)}", 1)
        return HTMLResponse(page)

    async def index(self, request: Request) -> Response:
        return _answer(await self._run(engine.Index()))

    async def resource(self, request: Request) -> Response:
        path = request.url.path
        suffix = Path(path).suffix
        if suffix in EXTENSIONS:
            media = EXTENSIONS[suffix]
            path = path[: -len(suffix)]
        else:
            chosen = formats.negotiate(request.headers.get("accept"), formats.RESOURCE)
            if chosen is None:
                return _text(406, "offered: " + ", ".join(formats.RESOURCE), {"Vary": "Accept"})
            media = formats.canonical(chosen, graph=chosen != "application/xhtml+xml")
        iri = self.pool.settings.site.iri(path)
        if iri is None:
            return _text(404, f"no resource at {path}")
        catalogue = self._catalogue_file(iri, media)
        if catalogue is not None:
            return FileResponse(catalogue, media_type=f"{media}; charset=utf-8",
                                headers={"Vary": "Accept"})
        return _answer(await self._run(engine.Resource(iri, media)), {"Vary": "Accept"})


async def no_icon(request: Request) -> Response:
    return Response(status_code=204)


async def named_queries(request: Request) -> Response:
    """The named queries shipped with budgetkg: name, titles (zh, en), description and text."""
    entries = [{"name": q.name, "zh": q.zh, "en": q.en, "title": q.zh,
                "description": q.description, "query": q.text} for q in resources.named_queries()]
    return Response(json.dumps(entries, ensure_ascii=False), media_type="application/json")


class Cors:
    """CORS for every answer: any origin, no credentials; preflight answered here."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            response = Response(status_code=204, headers={
                "Access-Control-Allow-Origin": "*",
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": "Accept, Content-Type, Authorization",
                "Access-Control-Max-Age": "600"})
            await response(scope, receive, send)
            return

        async def send_with_cors(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []),
                                      (b"access-control-allow-origin", b"*"),
                                      (b"access-control-expose-headers",
                                       b"X-Result-Truncated, X-Result-Row-Cap"),
                                      (b"x-content-type-options", b"nosniff")]
            await send(message)

        await self.app(scope, receive, send_with_cors)


def build(pool: Pool, config: Config, ready: Callable[[], None] = lambda: None) -> ASGIApp:
    """The application: starts the workers and counts the graphs on start-up, then says so."""
    endpoint = Endpoint(pool, config)
    every = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await pool.start()
        await endpoint.refresh()
        ready()
        yield
        pool.close()

    routes = [
        Route("/sparql", endpoint.sparql, methods=every, name="sparql"),
        Route("/void", endpoint.void, name="void"),
        Route("/.well-known/void", endpoint.void),
        Route("/query", endpoint.query_page, name="query"),
        Route("/favicon.ico", no_icon),
        Route("/queries.json", named_queries),
        Route("/dumps/{path:path}", endpoint.download),
        Route("/" + publish.CONTEXT, endpoint.context),
        Route("/", endpoint.index),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        Route("/{path:path}", endpoint.resource),
    ]
    return Cors(Starlette(routes=routes, lifespan=lifespan))
