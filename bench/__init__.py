"""idrs-sim benchmarks: speed, memory and scale, printed as figures (never assertions).

`python -m bench` (`make bench`) runs every suite and writes bench/RESULTS.md; each suite
also runs alone (`python -m bench.posting --modules 100000`...).  See docs/benchmarks.md.
"""
