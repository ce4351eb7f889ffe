"""budgetkg: Chinese department budgets and final accounts as a linked open-data knowledge graph."""

__version__ = "0.1.0"
