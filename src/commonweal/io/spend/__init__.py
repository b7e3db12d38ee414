"""Published council spend files in: the tolerant reader, its layouts and values, and the Parquet store."""
