"""The DuckDB warehouse: opening the file safely (`duck`) and loading data into it (`synthea`)."""
