"""``python -m rehabdata bench``: each page's KPI set timed on rehabdata, naive pandas and DuckDB."""
