"""`budgetkg serve`: a folder of RDF dumps behind a SPARQL endpoint and a linked-data site."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from budgetkg.errors import BudgetKGError
from budgetkg.iris import DEFAULT_BASE
from budgetkg.serve import app, engine, load
from budgetkg.serve.pool import Pool, Settings, default_size
from budgetkg.serve.site import Site


@dataclass(frozen=True)
class Options:
    host: str = "127.0.0.1"
    port: int = 8000
    base: str = DEFAULT_BASE
    store: Path | None = None  # default: FOLDER/.budgetkg-store
    workers: int = field(default_factory=default_size)
    timeout: float = 30.0
    max_rows: int = 10_000
    max_body: int = 10 * 1024 * 1024
    cache_bytes: int = 64 * 1024 * 1024  # answers kept while the store is unchanged
    update_token: str | None = None
    allowed_services: frozenset[str] = frozenset()
    lifetime: float | None = None  # stop by itself after this many seconds


def listen(host: str, port: int) -> socket.socket:
    """The listening socket; taken before the store is loaded, so that a port in use is said
    at once rather than after minutes of loading."""
    try:
        return socket.create_server((host, port))
    except OSError as exc:
        raise BudgetKGError(None, f"cannot listen on {host}:{port}: {exc.strerror or exc} "
                            "(choose another --port, or --port 0 for any free one)") from exc


def serve(folder: Path, options: Options, progress: Callable[[str], None] = lambda _: None,
          ready: Callable[[str], None] = lambda _: None,
          sock: socket.socket | None = None) -> None:
    """Take the port (unless `sock` is given), load (or reuse) the store of the folder or dump
    file, and answer HTTP until interrupted or the lifetime ends."""
    sock = sock or listen(options.host, options.port)
    try:
        store = load.prepare(folder, options.base, options.store, progress)
    except BaseException:
        sock.close()
        raise
    host, port = sock.getsockname()[:2]
    settings = Settings(store, Site(options.base), engine.Limits(options.max_rows))
    pool = Pool(settings, options.workers, options.timeout, options.cache_bytes)
    config = app.Config(options.update_token, options.allowed_services, options.max_body,
                        folder if folder.is_dir() else None)
    server = uvicorn.Server(uvicorn.Config(
        app.build(pool, config, lambda: ready(f"http://{host}:{port}/")),
        log_level="warning", lifespan="on", timeout_graceful_shutdown=5))
    with sock:
        asyncio.run(_serve(server, sock, options.lifetime))


async def _serve(server: uvicorn.Server, sock: socket.socket, lifetime: float | None) -> None:
    if lifetime:
        asyncio.get_running_loop().call_later(lifetime, setattr, server, "should_exit", True)
    await server.serve(sockets=[sock])
