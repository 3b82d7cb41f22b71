"""Print the [[tool.mypy.overrides]] baseline of pyproject.toml from the output of a mypy run (stdin).

Usage: .venv/bin/mypy | python3 tools/mypy_baseline.py -- one block per set of error codes, listing its modules.
"""
import re
import sys
from collections import defaultdict
codes = defaultdict(set)
for line in sys.stdin:
    m = re.match(r"^(mliter/[\w/]+)\.py:\d+: error: .*\[([a-z-]+)\]$", line.strip())
    if m:
        mod = m.group(1).replace("/", ".")
        codes[mod].add(m.group(2))
by_codes = defaultdict(list)
for mod, cs in codes.items():
    by_codes[tuple(sorted(cs))].append(mod)
for cs, mods in sorted(by_codes.items()):
    print("[[tool.mypy.overrides]]")
    print("module = [" + ", ".join(f'"{m}"' for m in sorted(mods)) + "]")
    print("disable_error_code = [" + ", ".join(f'"{c}"' for c in cs) + "]")
    print()
