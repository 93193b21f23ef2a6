"""toybox file commands over the in-memory file system (ls, cat, rm, mkdir, stat, cp, …)."""

from __future__ import annotations

import hashlib
import stat as statmod
from datetime import datetime

from harness.sim.android.shell.context import Ctx
from harness.sim.android.shell.registry import command
from harness.sim.android.vfs import FsError


def _split_flags(args: list[str]) -> tuple[set[str], list[str]]:
    flags: set[str] = set()
    rest: list[str] = []
    for a in args:
        if a.startswith("-") and len(a) > 1 and not rest and a != "--":
            flags.update(a[1:])
        elif a != "--":
            rest.append(a)
    return flags, rest


def _path(ctx: Ctx, name: str) -> str:
    return str(ctx.device.fs.normalize(name, ctx.shell.cwd))


def _mode_string(mode: int) -> str:
    return statmod.filemode(mode)


def _long_line(ctx: Ctx, name: str, path: str) -> str:
    fs = ctx.device.fs
    node = fs.get_node(path, follow=False)
    st = fs.lstat(path)
    assert st is not None and node is not None
    when = datetime.fromtimestamp(st.mtime, ctx.device.zone()).strftime("%Y-%m-%d %H:%M")
    links = 2 if statmod.S_ISDIR(st.mode) else 1
    line = f"{_mode_string(st.mode)} {links:2d} {node.owner:<6s} {node.group:<6s} {st.size:8d} {when} {name}"
    if node.is_link:
        line += f" -> {node.target}"
    return line


@command("ls")
async def cmd_ls(ctx: Ctx) -> int:
    flags, names = _split_flags(ctx.argv[1:])
    fs = ctx.device.fs
    status = 0
    targets = names or ["."]
    for i, name in enumerate(targets):
        path = _path(ctx, name)
        lnode = fs.get_node(path, follow=False)
        node = fs.get_node(path)
        if lnode is None or node is None:
            await ctx.err(f"ls: {name}: No such file or directory\n")
            status = 1
            continue
        if "l" in flags and lnode.is_link and names and not name.endswith(("/", ".")):
            await ctx.out(_long_line(ctx, name, path) + "\n")
            continue
        if not node.is_dir or "d" in flags:
            await ctx.out((_long_line(ctx, name, path) if "l" in flags else name) + "\n")
            continue
        if len(targets) > 1:
            await ctx.out(("\n" if i else "") + f"{name}:\n")
        entries = [n for n, _ in fs.listdir(path) or []]
        if "a" in flags:
            entries = [".", "..", *entries]
        elif "A" not in flags:
            entries = [n for n in entries if not n.startswith(".")]
        if "l" in flags:
            await ctx.out(f"total {len(entries) * 8}\n")
            for entry in entries:
                real = fs.realpath(path)
                child = {".": real, "..": fs.normalize("..", real)}.get(entry) or fs.normalize(entry, real)
                await ctx.out(_long_line(ctx, entry, child) + "\n")
        else:
            await ctx.out("".join(f"{e}\n" for e in entries))
    return status


@command("cat")
async def cmd_cat(ctx: Ctx) -> int:
    _, names = _split_flags(ctx.argv[1:])
    if not names:
        while (chunk := await ctx.stdin.read()) is not None:
            await ctx.out(chunk)
        return 0
    status = 0
    for name in names:
        if name == "-":
            await ctx.out(await ctx.read_all())
            continue
        path = _path(ctx, name)
        if ctx.device.fs.is_dir(path):
            await ctx.err(f"cat: {name}: Is a directory\n")
            status = 1
            continue
        data = ctx.device.fs.read(path)
        if data is None:
            await ctx.err(f"cat: {name}: No such file or directory\n")
            status = 1
            continue
        await ctx.out(data)
    return status


@command("rm")
async def cmd_rm(ctx: Ctx) -> int:
    flags, names = _split_flags(ctx.argv[1:])
    recursive, force = bool(flags & {"r", "R"}), "f" in flags
    status = 0
    for name in names:
        try:
            ctx.device.fs.remove(_path(ctx, name), recursive=recursive)
        except FsError as exc:
            if force and str(exc) == "No such file or directory":
                continue
            await ctx.err(f"rm: {name}: {exc}\n")
            status = 1
    if not names and not force:
        await ctx.err('rm: Needs 1 argument (see "rm --help")\n')
        return 1
    return status


@command("rmdir")
async def cmd_rmdir(ctx: Ctx) -> int:
    status = 0
    for name in ctx.argv[1:]:
        try:
            ctx.device.fs.rmdir(_path(ctx, name))
        except FsError as exc:
            await ctx.err(f"rmdir: {name}: {exc}\n")
            status = 1
    return status


@command("mkdir")
async def cmd_mkdir(ctx: Ctx) -> int:
    flags, names = _split_flags(ctx.argv[1:])
    status = 0
    for name in names:
        try:
            ctx.device.fs.mkdir(_path(ctx, name), parents="p" in flags)
        except FsError as exc:
            await ctx.err(f"mkdir: {name}: {exc}\n")
            status = 1
    return status


@command("touch")
async def cmd_touch(ctx: Ctx) -> int:
    _, names = _split_flags(ctx.argv[1:])
    status = 0
    for name in names:
        try:
            ctx.device.fs.touch(_path(ctx, name))
        except FsError as exc:
            await ctx.err(f"touch: {name}: {exc}\n")
            status = 1
    return status


@command("cp", "mv")
async def cmd_cp_mv(ctx: Ctx) -> int:
    _, names = _split_flags(ctx.argv[1:])
    if len(names) < 2:
        await ctx.err(f"{ctx.argv[0]}: Needs 2 arguments\n")
        return 1
    *sources, dest = names
    status = 0
    for src in sources:
        try:
            if ctx.argv[0] == "cp":
                ctx.device.fs.copy(_path(ctx, src), _path(ctx, dest))
            else:
                ctx.device.fs.move(_path(ctx, src), _path(ctx, dest))
        except FsError as exc:
            await ctx.err(f"{ctx.argv[0]}: {src}: {exc}\n")
            status = 1
    return status


@command("stat")
async def cmd_stat(ctx: Ctx) -> int:
    _, names = _split_flags([a for a in ctx.argv[1:] if not a.startswith("-c")])
    status = 0
    for name in names:
        st = ctx.device.fs.stat(_path(ctx, name))
        if st is None:
            await ctx.err(f"stat: '{name}': No such file or directory\n")
            status = 1
            continue
        kind = "directory" if statmod.S_ISDIR(st.mode) else "regular file"
        when = datetime.fromtimestamp(st.mtime, ctx.device.zone()).strftime("%Y-%m-%d %H:%M:%S.000000000 %z")
        await ctx.out(
            f"  File: {name}\n  Size: {st.size}\t Blocks: {(st.size + 511) // 512}\t"
            f" IO Blocks: 4096\t{kind}\n"
            f"Access: ({statmod.S_IMODE(st.mode):04o}/{_mode_string(st.mode)})\tUid: ( 2000/   shell)\t"
            f"Gid: ( 2000/   shell)\nAccess: {when}\nModify: {when}\nChange: {when}\n"
        )
    return status


@command("chmod", "chown", "sync")
async def cmd_noop(ctx: Ctx) -> int:
    return 0


@command("md5sum", "sha1sum", "sha256sum")
async def cmd_hashsum(ctx: Ctx) -> int:
    algo = {"md5sum": "md5", "sha1sum": "sha1", "sha256sum": "sha256"}[ctx.argv[0]]
    _, names = _split_flags(ctx.argv[1:])
    if not names:
        digest = hashlib.new(algo, await ctx.read_all()).hexdigest()
        await ctx.out(f"{digest}  -\n")
        return 0
    status = 0
    for name in names:
        data = ctx.device.fs.read(_path(ctx, name))
        if data is None:
            await ctx.err(f"{ctx.argv[0]}: {name}: No such file or directory\n")
            status = 1
            continue
        await ctx.out(f"{hashlib.new(algo, data).hexdigest()}  {name}\n")
    return status
