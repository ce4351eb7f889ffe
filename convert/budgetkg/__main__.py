"""`python -m budgetkg`: the command line."""

from budgetkg.cli import app

app()
