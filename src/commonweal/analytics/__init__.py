"""Analytics as Ibis expressions, run on DuckDB by default and on PySpark where a council outgrows one machine."""
