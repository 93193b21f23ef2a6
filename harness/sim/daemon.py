"""The virtual pool's background process: devices, the RuStore sandbox and the game's server.

Started by the farm launcher (`python -m harness.sim.daemon …`). It prints exactly one
JSON line on stdout once everything listens — the launcher's readiness signal — and
then runs until SIGTERM/SIGINT, shutting every server down cleanly. Everything binds
127.0.0.1. The sandbox and the game server keep their SQLite files in the state
directory, so their state survives a restart of the pool.

The daemon hosts the services and the first device; every further device runs in a process of
its own, forked before any thread starts (``harness.sim.device_process``), as each phone has its
own CPU. Stopping the daemon stops them; one of them ending stops the pool.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import uvicorn

from harness.sim.device_process import DeviceProcess, fork_devices, ready_entry, stop_all
from harness.sim.host import DeviceHost, HostedDevice

log = logging.getLogger("harness.sim.daemon")

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CATALOG = REPO_ROOT / "sample_app" / "products.yaml"
GIL_SWITCH_INTERVAL_S = 0.0005


def _loopback_socket() -> socket.socket:
    # IPPROTO_TCP explicitly: uvicorn sets TCP_NODELAY only on sockets that say they are TCP,
    # and without it every keep-alive request waits ~40 ms on Nagle + delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(False)
    return sock


class HttpService:
    """One ASGI app served by uvicorn on a pre-bound loopback socket (so its port is known up front)."""

    def __init__(self, name: str, app: Any) -> None:
        self.name = name
        self.sock = _loopback_socket()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Serve in the background. The socket already listens, so early clients wait in its backlog."""
        self.task = asyncio.create_task(self.server.serve(sockets=[self.sock]))

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await self.task


async def start_services(state_dir: Path, catalog: Path) -> list[HttpService]:
    """The RuStore sandbox, then the game's server configured with credentials the sandbox issued."""
    from game_server import GameServerSettings
    from game_server import create_app as create_game_server

    from harness.sim.sandbox import create_app as create_sandbox
    from harness.sim.sandbox.client import SandboxClient

    sandbox = HttpService("sandbox", create_sandbox(state_dir / "sandbox.sqlite", catalog))
    await sandbox.start()
    keys = await asyncio.to_thread(lambda: SandboxClient(sandbox.url).issue_key())
    settings = GameServerSettings(
        rustore_base_url=sandbox.url,
        key_id=keys["keyId"],
        private_key_pem=keys["privateKeyPem"],
    )
    game = HttpService("game_server", create_game_server(state_dir / "game_server.sqlite", settings))
    await game.start()
    return [sandbox, game]


#: Device properties through which the pool tells each virtual device where its services are.
#: The game reads ``rustore.harness.config.<section>.<key>`` as a game.project override.
PROP_SANDBOX_URL = "rustore.harness.sandbox_url"
PROP_GAME_SERVER_URL = "rustore.harness.config.rustore_harness.game_server_url"


async def configure_device(device: HostedDevice, services: dict[str, str], props: dict[str, str]) -> None:
    """Point one device at the pool's services and apply the pool's settings (on the host's loop)."""
    model: Any = device.model
    for key, value in props.items():
        model.set_prop(key, value)
    from harness.sim.rustore import prepare_device

    prepare_device(model)  # the RuStore app and the SBP/SberPay bank apps, as on a tester's phone
    if "sandbox_url" in services:
        model.set_prop(PROP_SANDBOX_URL, services["sandbox_url"])
    if "game_server_url" in services:
        model.set_prop(PROP_GAME_SERVER_URL, services["game_server_url"])


def parse_prop(text: str) -> tuple[str, str]:
    """``key=value`` from the command line (values may contain ``=``)."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise SystemExit(f"--prop expects KEY=VALUE, found {text!r}")
    return key, value


def register_runtimes() -> None:
    """Make installed apps runnable: the Defold runtime registers itself when imported."""
    importlib.import_module("harness.sim.defold")
    importlib.import_module("harness.sim.rustore")  # the RuStore plugin, payment sheet and bank apps
    importlib.import_module("harness.sim.android")  # the device model and the UiAutomator2 server
    importlib.import_module("harness.sim.uia2")


def _watch(children: list[DeviceProcess], stop: asyncio.Event) -> None:
    """Stop the pool when a device's process ends: its ready pipe reaches end of file."""
    loop = asyncio.get_running_loop()

    def ended(child: DeviceProcess) -> None:
        if not os.read(child.ready, 1):
            loop.remove_reader(child.ready)
            log.error("virtual device process %d exited: stopping the pool", child.pid)
            stop.set()

    for child in children:
        loop.add_reader(child.ready, ended, child)


async def run(args: argparse.Namespace, port: int, children: list[DeviceProcess]) -> int:
    """The daemon's own device and the services; the other devices run in `children`."""
    state_dir = Path(args.state_dir)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    host = DeviceHost()
    services: list[HttpService] = []
    try:
        device = host.add_device(args.profile, port=port)
        if not args.no_services:
            services = await start_services(state_dir, Path(args.catalog))
        urls = {f"{s.name}_url": s.url for s in services}
        props = dict(parse_prop(p) for p in args.prop)
        for child in children:  # they start their devices while this one is configured
            child.send_setup(urls, props)
        await asyncio.wrap_future(host.submit(configure_device(device, urls, props)))
        others = [await asyncio.to_thread(child.read_ready) for child in children]
        _watch(children, stop)
        ready = {"devices": [ready_entry(device, args.profile), *others], "services": urls}
        sys.stdout.write(json.dumps(ready) + "\n")
        sys.stdout.flush()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # release the launcher's pipe
        os.close(devnull)
        log.warning("virtual pool ready: %s", ready)
        await stop.wait()
    finally:
        for child in children:
            loop.remove_reader(child.ready)
        await asyncio.to_thread(stop_all, children)
        for service in reversed(services):
            await service.stop()
        host.close()
    log.warning("virtual pool stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.sim.daemon")
    parser.add_argument("--devices", type=int, required=True)
    parser.add_argument("--profile", default="pixel-7-api-34")
    parser.add_argument("--state-dir", required=True)
    parser.add_argument(
        "--device-port", type=int, default=0, help="first device's adb port (default: free ports)"
    )
    parser.add_argument("--catalog", default=str(DEFAULT_CATALOG))
    parser.add_argument(
        "--no-services", action="store_true", help="devices only (no sandbox, no game server)"
    )
    parser.add_argument(
        "--prop", action="append", default=[], metavar="KEY=VALUE", help="a property set on every device"
    )
    args = parser.parse_args(argv)
    for text in args.prop:
        parse_prop(text)
    Path(args.state_dir).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"
    )
    # Every device of the pool shares this process's GIL. With the default 5 ms switch interval a
    # device waiting on I/O could wait behind another device's Lua frame or UI dump for up to 5 ms
    # per wake-up, which a phone (its own CPU) never does; 4 devices at realistic latency ran
    # the flow suite ~1 s slower (benchmarks/suite_bench.py).
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    register_runtimes()  # before forking: the device processes share these imports
    ports = [args.device_port + i for i in range(args.devices)] if args.device_port else [0] * args.devices
    children = fork_devices(ports[1:], args.profile, configure_device)
    return asyncio.run(run(args, ports[0], children))


if __name__ == "__main__":
    raise SystemExit(main())
