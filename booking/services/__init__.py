"""Use cases: the only place that commits. Each converts rows to and from rules/ values."""
