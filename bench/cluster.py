"""The benchmarks' scaled-out site: tests/support/cluster.py on the bench database.

Used by bench/fanout.py --two-nodes and bench/soak.py. The store is RUNOFSHOW_BENCH_POSTGRES_URL, by default the
`runofshow_bench` database on localhost, made once with `su postgres -c "createdb -O runofshow runofshow_bench"`.
Every benchmark empties it and stores its own event (`fresh_store`).
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.cluster import Cluster

BENCH_POSTGRES_URL = os.environ.get(
    "RUNOFSHOW_BENCH_POSTGRES_URL", "postgresql+psycopg://runofshow:runofshow@127.0.0.1:5432/runofshow_bench")


def bench_cluster(workdir: Path, speed: float = 0.0) -> Cluster:
    """A cluster (not started) on the bench database; `speed` > 0 for a rehearsal."""
    return Cluster(workdir, BENCH_POSTGRES_URL, speed=speed, secret="bench-cluster")
