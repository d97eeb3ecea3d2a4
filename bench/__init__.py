"""Benchmarks: one command each (`python -m bench.fanout`, `bench.claims`,
`bench.board_page`, `bench.catchup`); see docs/benchmarks.md.

Every run starts what it measures itself (its own PostgreSQL database, a private
redis-server, daphne processes) and stops it again, so it disturbs nobody else.
"""
