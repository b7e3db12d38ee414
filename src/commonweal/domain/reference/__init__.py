"""Reference data the domain rules need, shipped as plain Python data with its source."""
