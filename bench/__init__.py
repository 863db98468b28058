"""Service Pulse benchmark harness: page render times, their SQL floor, import speed and memory.

Run it with `python -m bench.run` (see README, "Benchmark"); results land in bench/results.md
and bench/results.json.
"""
