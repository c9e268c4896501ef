"""Full-text search: indexing rate and query latency over a synthetic catalog."""
