"""Reads a latency_proxy.py log and prints: calls, connections, calls on the critical path
(the longest chain of calls each starting after the one before it ended).

Usage: python critical_path.py LOG
"""

import json
import sys

exchanges = {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    exchanges[(e["conn"], e["n"])] = e
calls = sorted(exchanges.values(), key=lambda e: e["start"])
longest = []
for i, c in enumerate(calls):
    before = [longest[j] for j in range(i) if calls[j]["end"] <= c["start"] + 1e-4]
    longest.append(1 + max(before, default=0))
connections = len({c["conn"] for c in calls})
print(len(calls), connections, max(longest, default=0))
