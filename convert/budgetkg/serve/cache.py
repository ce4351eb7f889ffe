"""Answers of read jobs kept while the store is unchanged: the same named query, page or
description asked again is answered without running it. Keys carry the store's generation, so
an update makes every older answer unreachable; the least recently used answers go first when
the byte budget is spent."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from budgetkg.serve.engine import Answer


class AnswerCache:
    def __init__(self, max_bytes: int, max_entry: int = 8 * 2**20) -> None:
        self.max_bytes, self.max_entry = max_bytes, min(max_entry, max_bytes)
        self._entries: OrderedDict[Hashable, Answer] = OrderedDict()
        self._bytes = 0
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> Answer | None:
        answer = self._entries.get(key)
        if answer is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return answer

    def put(self, key: Hashable, answer: Answer) -> None:
        """Keep a successful answer that fits the budget."""
        size = len(answer.body)
        if answer.status != 200 or size > self.max_entry or key in self._entries:
            return
        self._entries[key] = answer
        self._bytes += size
        while self._bytes > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= len(dropped.body)
