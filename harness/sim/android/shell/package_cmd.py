"""``pm`` and ``cmd package``: install (streamed, from a path, or in sessions), list, path, dump…"""

from __future__ import annotations

from datetime import datetime

from harness.sim.android.packages import InstalledPackage, InstallError
from harness.sim.android.shell.context import Ctx, UsageError
from harness.sim.android.shell.intent_args import parse_intent
from harness.sim.android.shell.registry import command

RESOLVE_HEAD = "priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=false\n"
LAUNCH_MODES = ("standard", "singleTop", "singleTask", "singleInstance", "singleInstancePerTask")
_INSTALL_VALUED = {
    "-i",
    "--user",
    "--abi",
    "-S",
    "--install-location",
    "--install-reason",
    "-p",
    "--originating-uri",
    "--referrer",
    "--pkg",
    "--force-uuid",
    "--update-ownership",
    "--enable-rollback",
    "--staged-ready-timeout",
    "--dexopt-compiler-filter",
}


@command("pm")
async def cmd_pm(ctx: Ctx) -> int:
    return await run_package(ctx, ctx.argv[1:])


def _install_flags(args: list[str]) -> tuple[dict[str, str | bool], list[str]]:
    opts: dict[str, str | bool] = {}
    rest: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in _INSTALL_VALUED and i + 1 < len(args):
            opts[a] = args[i + 1]
            i += 2
            continue
        if a.startswith("-") and a != "-":
            opts[a] = True
        else:
            rest.append(a)
        i += 1
    return opts, rest


def _do_install(ctx: Ctx, apk: bytes, opts: dict[str, str | bool]) -> InstalledPackage:
    installer = opts.get("-i")
    pkg: InstalledPackage = ctx.device.install_apk(
        apk,
        allow_downgrade=bool(opts.get("-d")),
        replace=not opts.get("-R"),
        installer=installer if isinstance(installer, str) else None,
    )
    return pkg


async def run_package(ctx: Ctx, args: list[str]) -> int:
    if not args:
        await ctx.out("Package manager (package) commands:\n  help\n    Print this help text.\n")
        return 0
    verb, rest = args[0], args[1:]
    pm = ctx.device.packages
    if verb == "install":
        opts, files = _install_flags(rest)
        size = opts.get("-S")
        try:
            if isinstance(size, str):
                apk = await ctx.read_exactly(int(size))
                if len(apk) != int(size):
                    raise InstallError(
                        "INSTALL_FAILED_INVALID_APK",
                        f"Failed to stream, expected {size} bytes but got {len(apk)}",
                    )
            elif files and files[0] != "-":
                data = ctx.device.fs.read(ctx.device.fs.normalize(files[0], ctx.shell.cwd))
                if data is None:
                    await ctx.err(
                        f"Error: Can't open file: {files[0]}\nException occurred while executing 'install':\n"
                        f"java.lang.IllegalArgumentException: Error: Can't open file: {files[0]}\n"
                    )
                    return 1
                apk = data
            else:
                apk = await ctx.read_all()
            _do_install(ctx, apk, opts)
        except InstallError as exc:
            await ctx.out(exc.line + "\n")
            return 1
        await ctx.out("Success\n")
        return 0
    if verb == "install-create":
        opts, _ = _install_flags(rest)
        size = opts.get("-S")
        sid = pm.create_session(int(size) if isinstance(size, str) and size.isdigit() else 0)
        await ctx.out(f"Success: created install session [{sid}]\n")
        return 0
    if verb == "install-write":
        opts, positional = _install_flags(rest)
        if len(positional) < 2:
            raise UsageError("Error: must specify session ID and split name", 255)
        sid, name = int(positional[0]), positional[1]
        path = positional[2] if len(positional) > 2 else "-"
        size = opts.get("-S")
        if path == "-":
            data = await ctx.read_exactly(int(size)) if isinstance(size, str) else await ctx.read_all()
        else:
            read = ctx.device.fs.read(ctx.device.fs.normalize(path, ctx.shell.cwd))
            if read is None:
                raise UsageError(f"Error: Can't open file: {path}", 1)
            data = read
        try:
            pm.write_session(sid, name, data)
        except InstallError as exc:
            await ctx.out(exc.line + "\n")
            return 1
        await ctx.out(f"Success: streamed {len(data)} bytes\n")
        return 0
    if verb == "install-commit":
        try:
            sid = int(rest[-1])
            pkg = pm.commit_session(sid)
            ctx.device.logcat.write(
                "I",
                "PackageManager",
                f"installPackageLI: {pkg.name}",
                pid=ctx.device.system_server_pid,
                uid=1000,
            )
        except (InstallError, ValueError, IndexError) as exc:
            line = exc.line if isinstance(exc, InstallError) else "Failure [INSTALL_FAILED_INTERNAL_ERROR]"
            await ctx.out(line + "\n")
            return 1
        await ctx.out("Success\n")
        return 0
    if verb == "install-abandon":
        ok = bool(rest) and rest[-1].isdigit() and pm.abandon_session(int(rest[-1]))
        await ctx.out("Success\n" if ok else "Failure [INSTALL_FAILED_INTERNAL_ERROR]\n")
        return 0 if ok else 1
    if verb == "uninstall":
        names = [a for a in rest if not a.startswith("-") and not a.isdigit()]
        if not names:
            raise UsageError("Error: package name not specified", 255)
        try:
            if pm.get(names[0]) is not None and names[0] in ctx.device.activities.processes:
                ctx.device.activities.force_stop(names[0], ctx.device.shell_pid())
            pm.uninstall(names[0], keep_data="-k" in rest)
        except InstallError as exc:
            await ctx.out(exc.line + "\n")
            return 1
        await ctx.out("Success\n")
        return 0
    if verb == "clear":
        names = [a for a in rest if not a.startswith("-") and not a.isdigit()]
        if names and pm.get(names[0]) is not None:
            ctx.device.activities.force_stop(names[0], ctx.device.shell_pid())
            pm.clear(names[0])
            await ctx.out("Success\n")
            return 0
        await ctx.out("Failed\n")
        return 1
    if verb == "path":
        names = [a for a in rest if not a.startswith("-") and not a.isdigit()]
        pkg = pm.get(names[0]) if names else None
        if pkg is None:
            return 1
        await ctx.out(f"package:{pkg.apk_path}\n")
        return 0
    if verb == "list":
        return await _list(ctx, rest)
    if verb == "dump":
        names = [a for a in rest if not a.startswith("-")]
        return await dump_package(ctx, names[0] if names else None)
    if verb in ("resolve-activity", "query-activities"):
        return await _resolve(ctx, verb, rest)
    if verb in ("grant", "revoke"):
        names = [a for a in rest if not a.startswith("-") and not a.isdigit()]
        if not names or pm.get(names[0]) is None:
            raise UsageError(
                f"Exception occurred while executing '{verb}':\njava.lang.IllegalArgumentException: "
                f"Unknown package: {names[0] if names else ''}",
                255,
            )
        return 0
    if verb in ("set-install-location", "trim-caches", "compile", "reconcile-secondary-dexfiles"):
        return 0
    if verb in ("enable", "disable", "disable-user", "disable-until-used", "default-state"):
        names = [a for a in rest if not a.startswith("-") and not a.isdigit()]
        pkg = pm.get(names[0]) if names else None
        if pkg is None:
            raise UsageError(
                f"Exception occurred while executing '{verb}':\njava.lang.IllegalArgumentException: "
                f"Unknown package: {names[0] if names else ''}",
                255,
            )
        pkg.enabled = verb in ("enable", "default-state")
        state = "enabled" if pkg.enabled else ("disabled-user" if verb == "disable-user" else "disabled")
        await ctx.out(f"Package {pkg.name} new state: {state}\n")
        return 0
    if verb == "get-max-users":
        await ctx.out("Maximum supported users: 4\n")
        return 0
    if verb == "help":
        await ctx.out("Package manager (package) commands:\n")
        return 0
    await ctx.err(f"Unknown command: {verb}\n")
    return 255


async def _list(ctx: Ctx, args: list[str]) -> int:
    if not args:
        raise UsageError("Error: didn't specify type of data to list", 255)
    what, rest = args[0], args[1:]
    flags = {a for a in rest if a.startswith("-")}
    words = [a for a in rest if not a.startswith("-")]
    if "--user" in rest:
        idx = rest.index("--user")
        if idx + 1 < len(rest) and rest[idx + 1] in words:
            words.remove(rest[idx + 1])
    pm = ctx.device.packages
    if what == "packages":
        lines = []
        for pkg in sorted(pm.packages.values(), key=lambda p: p.name):
            if ("-3" in flags and pkg.system) or ("-s" in flags and not pkg.system):
                continue
            if ("-d" in flags and pkg.enabled) or ("-e" in flags and not pkg.enabled):
                continue
            if words and words[0] not in pkg.name:
                continue
            line = "package:"
            if "-f" in flags:
                line += f"{pkg.apk_path if not pkg.system else pkg.code_path + '.apk'}="
            line += pkg.name
            if "--show-versioncode" in flags:
                line += f" versionCode:{pkg.manifest.version_code}"
            if "-i" in flags:
                line += f"  installer={pkg.installer}"
            if "-U" in flags:
                line += f" uid:{pkg.uid}"
            lines.append(line + "\n")
        await ctx.out("".join(lines))
        return 0
    if what == "instrumentation":
        lines = []
        for pkg in sorted(pm.packages.values(), key=lambda p: p.name):
            for inst in pkg.manifest.instrumentations:
                if words and inst.target_package != words[0]:
                    continue
                path = f"{pkg.apk_path}=" if "-f" in flags else ""
                lines.append(f"instrumentation:{path}{pkg.name}/{inst.name} (target={inst.target_package})\n")
        await ctx.out("".join(lines))
        return 0
    if what == "users":
        await ctx.out("Users:\n\tUserInfo{0:Owner:c13} running\n")
        return 0
    if what == "features":
        await ctx.out(
            "".join(
                f"feature:{f}\n"
                for f in (
                    "android.hardware.touchscreen",
                    "android.hardware.wifi",
                    "android.software.webview",
                    "reqGlEsVersion=0x30002",
                )
            )
        )
        return 0
    if what in ("libraries", "permission-groups", "permissions"):
        return 0
    raise UsageError(f"Error: unknown list type '{what}'", 255)


async def _resolve(ctx: Ctx, verb: str, args: list[str]) -> int:
    options: dict[str, object] = {}
    intent = parse_intent(args, options, {"--brief", "--components"}, {"--user", "--query-flags"})
    am = ctx.device.activities
    if verb == "query-activities":
        matches = am.query(intent, require_default=False)
        if not matches:
            await ctx.out("No activities found\n")
            return 0
        for pkg, act, _ in matches:
            await ctx.out(
                f"{pkg.name}/{act.name}\n"
                if "--components" in options or "--brief" in options
                else f"Activity #0:\n  priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 "
                f"isDefault=false\n  ActivityInfo:\n    name={act.name}\n    packageName={pkg.name}\n"
            )
        return 0
    resolved = am.resolve(intent, require_default=False)
    if resolved is None:
        await ctx.out("No activity found\n")
        return 0
    pkg, act = resolved
    if "--brief" in options or "--components" in options:
        await ctx.out(f"{RESOLVE_HEAD}{pkg.name}/{act.name}\n")
    else:
        await ctx.out(
            f"{RESOLVE_HEAD}ActivityInfo:\n  name={act.name}\n  packageName={pkg.name}\n"
            f"  enabled=true exported={str(act.is_exported).lower()} directBootAware=false\n"
            f"  taskAffinity={act.task_affinity or pkg.name} targetActivity=null "
            f"persistableMode=PERSIST_ROOT_ONLY\n  launchMode={LAUNCH_MODES.index(act.launch_mode)}"
            " flags=0x0 privateFlags=0x0 theme=0x0\n"
        )
    return 0


def _when(ts: float, ctx: Ctx) -> str:
    return datetime.fromtimestamp(ts, ctx.device.zone()).strftime("%Y-%m-%d %H:%M:%S")


async def dump_package(ctx: Ctx, name: str | None) -> int:
    """``dumpsys package PKG`` / ``pm dump PKG``: resolver table and the package's state."""
    pm = ctx.device.packages
    pkg = pm.get(name) if name else None
    if pkg is None:
        if name is not None:
            await ctx.out(f"Unable to find package: {name}\n")
        return 0
    out = ["Activity Resolver Table:\n"]
    schemes: dict[str, list[str]] = {}
    actions: dict[str, list[str]] = {}
    for act in pkg.manifest.activities:
        for i, f in enumerate(pkg.manifest.activities and act.intent_filters):
            filt = f"{abs(hash((act.name, i))) & 0xFFFFFFF:x}"
            block = [f"        {abs(hash(act.name)) & 0xFFFFFFF:x} {pkg.name}/{act.name} filter {filt}\n"]
            block += [f'          Action: "{a}"\n' for a in f.actions]
            block += [f'          Category: "{c}"\n' for c in f.categories]
            for d in f.data:
                if d.scheme:
                    block.append(f'          Scheme: "{d.scheme}"\n')
                if d.host:
                    block.append(f'          Authority: "{d.host}": {d.port or -1}\n')
                if d.path or d.path_prefix or d.path_pattern:
                    kind, value = (
                        ("LITERAL", d.path)
                        if d.path
                        else (("PREFIX", d.path_prefix) if d.path_prefix else ("GLOB", d.path_pattern))
                    )
                    block.append(f'          Path: "PatternMatcher{{{kind}: {value}}}"\n')
            if f.data and any(d.scheme for d in f.data):
                for d in f.data:
                    if d.scheme:
                        schemes.setdefault(d.scheme, []).extend(block)
                        break
            else:
                for a in f.actions:
                    actions.setdefault(a, []).extend(block)
    if schemes:
        out.append("  Schemes:\n")
        for scheme, lines in schemes.items():
            out.append(f"      {scheme}:\n")
            out.extend(lines)
        out.append("\n")
    if actions:
        out.append("  Non-Data Actions:\n")
        for action, lines in actions.items():
            out.append(f"      {action}:\n")
            out.extend(lines)
        out.append("\n")
    m = pkg.manifest
    out += [
        "Packages:\n",
        f"  Package [{pkg.name}] ({abs(hash(pkg.name)) & 0xFFFFFFF:x}):\n",
        f"    userId={pkg.uid}\n",
        f"    pkg=Package{{{abs(hash(pkg.name)) & 0xFFFFFFF:x} {pkg.name}}}\n",
        f"    codePath={pkg.code_path}\n",
        f"    resourcePath={pkg.code_path}\n",
        "    legacyNativeLibraryDir=" + f"{pkg.code_path}/lib\n",
        f"    primaryCpuAbi={ctx.device.profile.abi}\n",
        f"    versionCode={m.version_code} minSdk={m.min_sdk} targetSdk={m.target_sdk}\n",
        f"    versionName={m.version_name}\n",
        f"    flags=[ HAS_CODE ALLOW_CLEAR_USER_DATA{' SYSTEM' if pkg.system else ''}"
        f"{' TEST_ONLY' if m.test_only else ''} ]\n",
        f"    dataDir={pkg.data_dir}\n",
        f"    timeStamp={_when(pkg.last_update_time, ctx)}\n",
        f"    firstInstallTime={_when(pkg.first_install_time, ctx)}\n",
        f"    lastUpdateTime={_when(pkg.last_update_time, ctx)}\n",
        f"    installerPackageName={pkg.installer or 'null'}\n",
    ]
    if m.uses_permissions:
        out.append("    requested permissions:\n")
        out += [f"      {p}\n" for p in m.uses_permissions]
    out.append(
        f"    User 0: ceDataInode=0 installed=true hidden=false suspended=false distractionFlags=0 "
        f"stopped={str(pkg.stopped).lower()} notLaunched=false enabled={0 if pkg.enabled else 2} "
        "instant=false virtual=false\n"
    )
    out.append("    activities:\n")
    out += [
        f"      {a.name} launchMode={a.launch_mode} exported={str(a.is_exported).lower()}\n"
        for a in m.activities
    ]
    if m.meta_data:
        out.append("    metaData:\n")
        out += [f"      {k}={v}\n" for k, v in sorted(m.meta_data.items())]
    await ctx.out("".join(out))
    return 0


@command("cmd")
async def cmd_cmd(ctx: Ctx) -> int:
    """``cmd SERVICE ARGS…`` (also what ``abb_exec:`` runs)."""
    if len(ctx.argv) < 2:
        await ctx.err(
            "cmd: No service specified; use -l to list all running services. "
            "Use -w to start and wait for a service.\n"
        )
        return 20
    service, args = ctx.argv[1], ctx.argv[2:]
    if service == "-l":
        await ctx.out("Currently running services:\n" + "".join(f"  {s}\n" for s in sorted(SERVICES)))
        return 0
    if service in ("package", "settings", "activity", "window", "input"):
        from harness.sim.android.shell import activity_cmd, system

        if service == "package":
            return await run_package(ctx, args)
        if service == "settings":
            return await system.run_settings(ctx, args)
        if service == "activity":
            return await activity_cmd.run_am(ctx, args)
        sub = ctx.shell.subshell()
        return await sub.run_argv(
            ["wm" if service == "window" else "input", *args], ctx.stdin, ctx.stdout, ctx.stderr, ctx.closed
        )
    if service in ("appops", "notification"):
        from harness.sim.android.shell import appops_cmd

        run = appops_cmd.run_appops if service == "appops" else appops_cmd.run_notification
        return await run(ctx, args)
    await ctx.err(f"cmd: Can't find service: {service}\n")
    return 20


SERVICES = (
    "activity",
    "package",
    "settings",
    "window",
    "input",
    "statusbar",
    "power",
    "display",
    "appops",
    "notification",
)
