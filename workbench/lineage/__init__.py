"""Column-level lineage. `sql.py` turns one SQL statement into column edges."""
