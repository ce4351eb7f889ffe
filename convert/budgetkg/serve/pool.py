"""Worker processes that own the store. Readers open it read-only (many at once); one writer
holds it read-write for authorised updates. A job that overruns its time is stopped by killing
its process, which is then replaced; the event loop only waits on pipes, so a heavy query never
delays another client."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from budgetkg.serve import engine
from budgetkg.serve.cache import AnswerCache
from budgetkg.serve.site import Site

_CONTEXT = multiprocessing.get_context("spawn")


@dataclass(frozen=True)
class Settings:
    store: Path
    site: Site
    limits: engine.Limits


def _main(conn: Connection, settings: Settings, writer: bool) -> None:
    """A worker's loop: (generation, job) in, Answer out. The writer opens the store read-write
    for each update and closes it after, so no compaction runs behind the readers' backs; a
    reader reopens its read-only view when a write has produced a new generation."""
    store: ox.Store | None = None
    seen = -1
    while True:
        try:
            generation, job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if writer or store is None or generation != seen:
            store = None  # close the old view before opening the new one
            store = ox.Store(str(settings.store)) if writer else ox.Store.read_only(
                str(settings.store))
            seen = generation
        try:
            answer = engine.run(store, job, settings.site, settings.limits)
        except Exception as exc:  # a bug must not take the worker down; the log keeps the trace
            traceback.print_exc()
            answer = engine.error(500, f"internal error: {type(exc).__name__}: {exc}")
        if writer:
            store = None
        conn.send(answer)


class _Worker:
    def __init__(self, settings: Settings, writer: bool) -> None:
        self.conn, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=_main, args=(child, settings, writer), daemon=True)
        self.process.start()
        child.close()

    def call(self, generation: int, job: engine.Job) -> engine.Answer:
        self.conn.send((generation, job))
        answer: engine.Answer = self.conn.recv()
        return answer

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


class Timeout(Exception):
    """A job ran past its time and its process was stopped."""


class WorkerLost(Exception):
    """A worker process ended while running a job (it is replaced)."""


class Pool:
    """`size` readers and a writer started on the first update; `run` gives each job its own
    deadline."""

    def __init__(self, settings: Settings, size: int, timeout: float,
                 cache_bytes: int = 0) -> None:
        self.settings, self.size, self.timeout = settings, size, timeout
        self.cache = AnswerCache(cache_bytes)
        self._threads = ThreadPoolExecutor(max_workers=size + 2, thread_name_prefix="job")
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._writer: _Worker | None = None
        self._write_lock = asyncio.Lock()
        self._generation = 0
        self._workers: set[_Worker] = set()

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        workers = await asyncio.gather(*(loop.run_in_executor(self._threads, self._spawn, False)
                                         for _ in range(self.size)))
        for worker in workers:
            self._idle.put_nowait(worker)

    def _spawn(self, writer: bool) -> _Worker:
        worker = _Worker(self.settings, writer)
        self._workers.add(worker)
        return worker

    async def run(self, job: engine.Job) -> engine.Answer:
        """Run a job on a reader (or, for an update, the writer) within the timeout."""
        if isinstance(job, engine.Update):
            return await self._write(job)
        key = (self._generation, job)
        cached = self.cache.get(key) if self.cache.max_bytes else None
        if cached is not None:
            return replace(cached, headers={**cached.headers, "X-Cache": "hit"})
        worker = await self._idle.get()
        try:
            answer = await self._call(worker, job)
        except BaseException:
            worker = await self._replace(worker, writer=False)
            raise
        finally:
            self._idle.put_nowait(worker)
        if self.cache.max_bytes:
            self.cache.put(key, answer)
        return answer

    async def _write(self, job: engine.Update) -> engine.Answer:
        """Updates wait until no reader is busy and keep them idle meanwhile: a read-only view
        must not be opened while the writer changes the files under it."""
        async with self._write_lock:
            readers = [await self._idle.get() for _ in range(self.size)]
            try:
                return await self._write_alone(job)
            finally:
                for reader in readers:
                    self._idle.put_nowait(reader)

    async def _write_alone(self, job: engine.Update) -> engine.Answer:
        if self._writer is None:
            self._writer = await asyncio.get_running_loop().run_in_executor(
                self._threads, self._spawn, True)
        try:
            return await self._call(self._writer, job)
        except BaseException:
            await self._replace(self._writer, writer=True)
            self._writer = None
            raise
        finally:
            self._generation += 1  # a killed update may still have committed

    async def _call(self, worker: _Worker, job: engine.Job) -> engine.Answer:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._threads, worker.call, self._generation, job)
        future.add_done_callback(_consume)
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.timeout)
        except TimeoutError as exc:
            raise Timeout(f"stopped after the {self.timeout:g} s time limit") from exc
        except (EOFError, OSError) as exc:
            raise WorkerLost(f"the worker process ended while running it ({exc!r})") from exc

    async def _replace(self, worker: _Worker, writer: bool) -> _Worker:
        loop = asyncio.get_running_loop()
        self._workers.discard(worker)
        await loop.run_in_executor(self._threads, worker.kill)
        if writer:
            return worker
        return await loop.run_in_executor(self._threads, self._spawn, False)

    def close(self) -> None:
        for worker in list(self._workers):
            worker.kill()
        self._workers.clear()
        self._threads.shutdown(wait=False, cancel_futures=True)


def _consume(future: asyncio.Future[engine.Answer]) -> None:
    """A call whose worker was killed ends in an error nobody awaits any more."""
    if not future.cancelled():
        future.exception()


def default_size() -> int:
    return max(2, os.cpu_count() or 1)
