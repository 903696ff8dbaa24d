"""Nianbao: reads, checks and aggregates annual reports on government information disclosure."""
