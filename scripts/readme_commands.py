"""Rewrite the README's command table from the CLI's own help (`budgetkg.cli.command_table`);
tests/test_cli.py fails while the two differ."""

from __future__ import annotations

from pathlib import Path

from budgetkg.cli import command_table

README = Path(__file__).resolve().parents[1] / "README.md"
START = "<!-- commands: generated from `budgetkg --help` by scripts/readme_commands.py -->\n"
END = "<!-- end of commands -->\n"


def rewritten(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + START + command_table() + END + tail


if __name__ == "__main__":
    README.write_text(rewritten(README.read_text(encoding="utf-8")), encoding="utf-8")
