"""``python -m game_server``: run the game server on 127.0.0.1 (flags or environment variables)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from game_server.app import create_app
from game_server.background import LOOPBACK, bind_loopback
from game_server.settings import PRODUCTION_RUSTORE_URL, SAMPLE_PACKAGE, GameServerSettings

ENV = {
    "port": "GAME_SERVER_PORT",
    "db": "GAME_SERVER_DB",
    "rustore_url": "RUSTORE_PUBLIC_API_URL",
    "key_id": "RUSTORE_KEY_ID",
    "private_key": "RUSTORE_PRIVATE_KEY_FILE",
    "package": "GAME_SERVER_PACKAGE",
}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m game_server",
        description="Sample game server: validates RuStore purchases (binds 127.0.0.1 only).",
        epilog="Every flag falls back to its environment variable: "
        + ", ".join(f"--{k.replace('_', '-')} ${v}" for k, v in ENV.items()),
    )
    env = os.environ.get
    parser.add_argument("--port", type=int, default=int(env(ENV["port"], "8980")), help="0 picks a free port")
    parser.add_argument("--db", type=Path, default=env(ENV["db"]), help="SQLite file of entitlements")
    parser.add_argument(
        "--rustore-url",
        default=env(ENV["rustore_url"], PRODUCTION_RUSTORE_URL),
        help="RuStore public API base",
    )
    parser.add_argument("--key-id", default=env(ENV["key_id"]), help="console keyId")
    parser.add_argument(
        "--private-key", type=Path, default=env(ENV["private_key"]), help="PKCS#8 PEM file of the console key"
    )
    parser.add_argument(
        "--package", default=env(ENV["package"], SAMPLE_PACKAGE), help="expected application_code"
    )
    parser.add_argument("--log-level", default=env("GAME_SERVER_LOG_LEVEL", "info"))
    args = parser.parse_args(argv)
    missing = [name for name in ("db", "key_id", "private_key", "package") if not getattr(args, name)]
    if missing:
        parser.error("missing " + ", ".join(f"--{m.replace('_', '-')} (or ${ENV[m]})" for m in missing))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    try:
        settings = GameServerSettings(
            rustore_base_url=args.rustore_url,
            key_id=args.key_id,
            private_key_pem=Path(args.private_key).read_text(),
            package_name=args.package,
        )
        app = create_app(Path(args.db), settings)
    except (OSError, ValueError) as exc:  # unreadable key file, not a PEM RSA key, bad db path
        print(f"game_server: cannot start: {exc}", file=sys.stderr)
        return 2
    sock = bind_loopback(args.port)
    port = sock.getsockname()[1]
    # One machine-readable line first, so a launcher that asked for port 0 learns the URL.
    print(f"game_server listening on http://{LOOPBACK}:{port}", flush=True)
    config = uvicorn.Config(app, log_level=args.log_level.lower(), access_log=False, log_config=None)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
