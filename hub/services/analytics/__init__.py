"""Analytics: rollups, figures and the responses CSV export."""
