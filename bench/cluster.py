"""Three nodes behind nginx on one PostgreSQL database: reservations sent without pause while the node
running the coordinated processor is killed (SIGKILL) and the next one stopped (SIGTERM), and a bundle
deployed to one node. Prints the figures: requests sent and their answers, reservations settled (each
exactly once), the processor's failover and handover times, and how long the bundle took to be served
by every node.

The scenario is the one ``tests/cluster`` checks (``tests/cluster/scenario.py``); nginx comes from
Debian (``apt-get install -y nginx-light``). Run: ``python bench/cluster.py [--seconds 10] [--clients 16]``
with PostgreSQL on loopback, or ``INTERLACE_TEST_POSTGRES_URL`` naming another database.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.addresses import POSTGRES
from tests.cluster.scenario import run_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the load runs at least")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients sending reservations")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="interlace-cluster-") as folder:
        figures = asyncio.run(
            run_scenario(Path(folder), POSTGRES.url, load_seconds=args.seconds, clients=args.clients)
        )
    print("\n".join(figures.lines()))


if __name__ == "__main__":
    main()
