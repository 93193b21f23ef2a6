"""``python -m harness.sim.sandbox --port P --db F``: the sandbox as a standalone service."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import uvicorn

from .app import create_app
from .serve import LOOPBACK, bind_loopback


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m harness.sim.sandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="loopback port (0: any free port)")
    parser.add_argument("--db", type=Path, required=True, help="SQLite file holding the sandbox state")
    parser.add_argument("--catalog", type=Path, default=None, help="products.yaml (default: the sample's)")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    app = create_app(args.db, args.catalog)
    sock = bind_loopback(args.port)
    print(f"RuStore sandbox on http://{LOOPBACK}:{sock.getsockname()[1]} (db {args.db})", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level=args.log_level, lifespan="on"))
    asyncio.run(server.serve(sockets=[sock]))


if __name__ == "__main__":
    main()
