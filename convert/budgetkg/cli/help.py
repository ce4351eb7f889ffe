"""The help of every command, written for people: usage, what it does, each argument and option
with its default in words (no type tags); `table()` turns the same help into the README's
command table."""

from __future__ import annotations

from typing import Any

import typer
import typer.core

PROGRAM = "budgetkg"


# --- help --------------------------------------------------------------------------------------


# typer carries its own copy of click: its parameters are told apart by `param_type_name`.
def _arguments(command: Any) -> list[Any]:
    return [p for p in command.params if p.param_type_name == "argument"]


def _options(command: Any) -> list[Any]:
    return [p for p in command.params if p.param_type_name == "option" and not p.hidden]


def _synopsis(command: Any) -> str:
    """`DOCUMENT... [-o OUT] [--json]`: every argument and option, optional ones in brackets."""
    parts = []
    for param in command.params:
        if param.param_type_name == "argument":
            parts.append(param.metavar or (param.name or "").upper())
        elif param.param_type_name == "option" and not param.hidden:
            flag = min(param.opts, key=len)
            shown = flag if param.is_flag else f"{flag} {param.metavar or 'VALUE'}"
            parts.append(shown if param.required else f"[{shown}]")
    return " ".join(parts)


def _usage(command: Any, name: str) -> str:
    return f"{PROGRAM} {name} {_synopsis(command)}"


def _paragraphs(text: str | None) -> list[str]:
    return [" ".join(p.split()) for p in (text or "").split("\n\n") if p.strip()]


class Help(typer.core.TyperCommand):
    """A command whose help names each value by what it is (DOCUMENT, N, URL) and says every
    default in words, with no type tags."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        formatter.write_usage(f"{PROGRAM} {self.name}", _synopsis(self))
        for paragraph in _paragraphs(self.help):
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(paragraph)
        arguments = [(p.metavar or p.name or "", p.help or "") for p in _arguments(self)]
        options = [(", ".join(sorted(p.opts, key=len)) + (
            "" if p.is_flag else f" {p.metavar or 'VALUE'}"), p.help or "")
            for p in _options(self)]
        options.append(("-h, --help", "Show this help and exit."))
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


class Group(typer.core.TyperGroup):
    """The top-level help: what budgetkg does and one line per command."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        formatter.write_usage(PROGRAM, "COMMAND [ARGUMENTS] [OPTIONS]")
        for paragraph in _paragraphs(self.help):
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(paragraph)
        with formatter.section("Commands"):
            formatter.write_dl([(name, _paragraphs(command.help)[0])
                                for name, command in self.commands.items()])
        with formatter.section("Options"):
            formatter.write_dl([("--version", "Print the version and exit."),
                                ("-h, --help", "Show this help and exit.")])
        formatter.write_paragraph()
        formatter.write_text(f"`{PROGRAM} COMMAND --help` explains a command and its options.")


def table(app: typer.Typer) -> str:
    """The README's command table, from the commands' own help: usage, then what it does."""
    group: Any = typer.main.get_command(app)
    lines = ["| command | what it does |", "|---|---|"]
    for name, command in group.commands.items():
        usage = _usage(command, name).replace("|", "\\|")
        about = " ".join(_paragraphs(command.help)).replace("<", "&lt;").replace("|", "\\|")
        lines.append(f"| `{usage}` | {about} |")
    return "\n".join(lines) + "\n"
