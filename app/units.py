"""The units a KPI is measured in, and how many decimals its figures show.

Shared by the KPI catalogue (kpis.models, which names them for people) and the number formatting
(formatting.fnumber), so neither has to import the other's package.
"""
PERCENT, COUNT, HOURS, CURRENCY, SCORE = "percent", "count", "hours", "currency", "score"

# Orders are whole, money to the fen, rates and scores to a tenth, hours to a hundredth.
# Trailing zeros are dropped when shown (95, not 95.0).
DECIMALS = {COUNT: 0, CURRENCY: 2, PERCENT: 1, SCORE: 1, HOURS: 2}
DEFAULT_DECIMALS = 2
