"""Benchmarks: scripts that print timings and memory; never timed asserts in tests."""
