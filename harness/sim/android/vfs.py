"""An in-memory file tree: what ``sync:`` and the emulated shell see as the device's storage.

Paths are always device paths (absolute, ``/``-separated); nothing here touches the host disk,
so a hostile path such as ``/tmp/x`` only ever names a node in this dict.
"""

from __future__ import annotations

import posixpath
import stat as statmod
import threading
import time
from dataclasses import dataclass, field

from harness.sim.device_api import FileStat

DIR_MODE = statmod.S_IFDIR | 0o771
FILE_MODE = statmod.S_IFREG | 0o644
LINK_MODE = statmod.S_IFLNK | 0o777


@dataclass
class Node:
    mode: int
    mtime: int
    data: bytes = b""
    children: dict[str, Node] = field(default_factory=dict)
    target: str | None = None  # symlink target
    owner: str = "root"
    group: str = "root"

    @property
    def is_dir(self) -> bool:
        return statmod.S_ISDIR(self.mode)

    @property
    def is_link(self) -> bool:
        return statmod.S_ISLNK(self.mode)


class FsError(OSError):
    """A failed operation, with the errno text toybox prints (``No such file or directory`` …)."""


ENOENT = "No such file or directory"
ENOTDIR = "Not a directory"
EISDIR = "Is a directory"
EEXIST = "File exists"
ENOTEMPTY = "Directory not empty"

SYSTEM_BINARIES = (
    "sh am pm cmd getprop setprop settings input wm screencap logcat log dumpsys monkey ps pgrep pidof kill "
    "ls cat rm rmdir mkdir touch echo printf stat cp mv chmod chown md5sum sha1sum sha256sum "
    "grep egrep fgrep "
    "head tail wc sort which id whoami true false sleep uptime date env printenv test [ sync "
    "toybox toolbox run-as "
    "app_process linker64 uiautomator content service"
).split()


class VirtualFs:
    """Implements :class:`harness.sim.device_api.VirtualFileSystem` plus the shell's needs."""

    def __init__(self) -> None:
        now = int(time.time())
        self._lock = threading.RLock()
        self.root = Node(DIR_MODE | 0o755, now)
        for d in (
            "/acct",
            "/cache",
            "/config",
            "/data/app",
            "/data/data",
            "/data/local/tmp",
            "/data/system",
            "/dev",
            "/mnt",
            "/proc",
            "/product/app",
            "/storage/emulated/0/Android/data",
            "/storage/self",
            "/storage/emulated/0/Download",
            "/storage/emulated/0/DCIM",
            "/storage/emulated/0/Pictures",
            "/system/app",
            "/system/bin",
            "/system/etc",
            "/system/framework",
            "/vendor/bin",
        ):
            self.makedirs(d)
        self.symlink("/sdcard", "/storage/emulated/0")
        self.symlink("/storage/self/primary", "/storage/emulated/0")
        self.symlink("/etc", "/system/etc")
        self.symlink("/bin", "/system/bin")
        for name in SYSTEM_BINARIES:
            self.write(f"/system/bin/{name}", b"\x7fELF", mode=statmod.S_IFREG | 0o755, mtime=1230768000)
        self.write("/system/etc/hosts", b"127.0.0.1       localhost\n::1             ip6-localhost\n")
        self.write("/dev/null", b"", mode=statmod.S_IFCHR | 0o666)
        self.get_node("/data/local/tmp").owner = "shell"  # type: ignore[union-attr]
        self.get_node("/data/local/tmp").group = "shell"  # type: ignore[union-attr]

    # --- path resolution ----------------------------------------------------------------------------
    @staticmethod
    def normalize(path: str, cwd: str = "/") -> str:
        joined = posixpath.join(cwd, path) if not path.startswith("/") else path
        norm = posixpath.normpath(joined)
        return "/" + norm.lstrip("/") if norm != "/" else "/"

    def _resolve(self, path: str, follow_last: bool = True, depth: int = 0) -> Node | None:
        if depth > 16:
            return None
        parts = [p for p in self.normalize(path).split("/") if p]
        node = self.root
        for i, part in enumerate(parts):
            if not node.is_dir:
                return None
            child = node.children.get(part)
            if child is None:
                return None
            last = i == len(parts) - 1
            if child.is_link and (follow_last or not last):
                assert child.target is not None
                rest = "/".join(parts[i + 1 :])
                return self._resolve(
                    posixpath.join(child.target, rest) if rest else child.target, follow_last, depth + 1
                )
            node = child
        return node

    def realpath(self, path: str, depth: int = 0) -> str:
        """The path with every symlink resolved (``/sdcard/x`` → ``/storage/emulated/0/x``)."""
        parts = [p for p in self.normalize(path).split("/") if p]
        node = self.root
        for i, part in enumerate(parts):
            child = node.children.get(part) if node.is_dir else None
            if child is None:
                return self.normalize(path)
            if child.is_link and depth < 16:
                assert child.target is not None
                rest = "/".join(parts[i + 1 :])
                return self.realpath(posixpath.join(child.target, rest) if rest else child.target, depth + 1)
            node = child
        return self.normalize(path)

    def get_node(self, path: str, follow: bool = True) -> Node | None:
        with self._lock:
            return self._resolve(path, follow)

    def _parent(self, path: str) -> tuple[Node, str]:
        real = self.realpath(posixpath.dirname(self.normalize(path)))
        name = posixpath.basename(self.normalize(path))
        parent = self._resolve(real)
        if parent is None:
            raise FsError(ENOENT)
        if not parent.is_dir:
            raise FsError(ENOTDIR)
        return parent, name

    # --- VirtualFileSystem protocol --------------------------------------------------------------------
    def stat(self, path: str) -> FileStat | None:
        node = self.get_node(path)
        if node is None:
            return None
        return FileStat(mode=node.mode, size=len(node.data) if not node.is_dir else 4096, mtime=node.mtime)

    def lstat(self, path: str) -> FileStat | None:
        node = self.get_node(path, follow=False)
        if node is None:
            return None
        size = len(node.target or "") if node.is_link else (4096 if node.is_dir else len(node.data))
        return FileStat(mode=node.mode, size=size, mtime=node.mtime)

    def listdir(self, path: str) -> list[tuple[str, FileStat]] | None:
        with self._lock:
            node = self._resolve(path)
            if node is None or not node.is_dir:
                return None
            out = []
            for name, child in sorted(node.children.items()):
                size = (
                    len(child.target or "") if child.is_link else (4096 if child.is_dir else len(child.data))
                )
                out.append((name, FileStat(mode=child.mode, size=size, mtime=child.mtime)))
            return out

    def read(self, path: str) -> bytes | None:
        node = self.get_node(path)
        if node is None or node.is_dir:
            return None
        return node.data

    def write(self, path: str, data: bytes, mode: int = FILE_MODE, mtime: int | None = None) -> None:
        with self._lock:
            self.makedirs(posixpath.dirname(self.normalize(path)))
            parent, name = self._parent(path)
            existing = parent.children.get(name)
            if existing is not None and existing.is_dir:
                raise FsError(EISDIR)
            if not statmod.S_IFMT(mode):
                mode |= statmod.S_IFREG
            when = int(time.time()) if mtime is None else int(mtime)
            if existing is not None and statmod.S_ISCHR(existing.mode):
                return  # /dev/null swallows writes
            parent.children[name] = Node(mode, when, bytes(data))

    # --- shell helpers ------------------------------------------------------------------------------
    def append(self, path: str, data: bytes) -> None:
        with self._lock:
            node = self.get_node(path)
            if node is not None and statmod.S_ISCHR(node.mode):
                return
            old = node.data if node is not None and not node.is_dir else b""
            self.write(path, old + data, mode=node.mode if node is not None else FILE_MODE)

    def exists(self, path: str) -> bool:
        return self.get_node(path) is not None

    def is_dir(self, path: str) -> bool:
        node = self.get_node(path)
        return node is not None and node.is_dir

    def mkdir(self, path: str, parents: bool = False) -> None:
        with self._lock:
            if parents:
                self.makedirs(path)
                return
            parent, name = self._parent(path)
            if name in parent.children:
                raise FsError(EEXIST)
            parent.children[name] = Node(DIR_MODE, int(time.time()))

    def makedirs(self, path: str) -> None:
        with self._lock:
            node = self.root
            current = "/"
            for part in [p for p in self.normalize(path).split("/") if p]:
                current = posixpath.join(current, part)
                child = node.children.get(part)
                if child is not None and child.is_link:
                    resolved = self._resolve(current)
                    if resolved is None:
                        raise FsError(ENOENT)
                    child = resolved
                if child is None:
                    child = Node(DIR_MODE, int(time.time()))
                    node.children[part] = child
                if not child.is_dir:
                    raise FsError(ENOTDIR)
                node = child

    def symlink(self, link: str, target: str) -> None:
        with self._lock:
            parent, name = self._parent(link)
            parent.children[name] = Node(LINK_MODE, int(time.time()), target=target)

    def remove(self, path: str, recursive: bool = False) -> None:
        with self._lock:
            parent, name = self._parent(path)
            node = parent.children.get(name)
            if node is None:
                raise FsError(ENOENT)
            if node.is_dir and not recursive:
                raise FsError(EISDIR)
            del parent.children[name]

    def rmdir(self, path: str) -> None:
        with self._lock:
            parent, name = self._parent(path)
            node = parent.children.get(name)
            if node is None:
                raise FsError(ENOENT)
            if not node.is_dir:
                raise FsError(ENOTDIR)
            if node.children:
                raise FsError(ENOTEMPTY)
            del parent.children[name]

    def touch(self, path: str) -> None:
        with self._lock:
            node = self.get_node(path)
            if node is None:
                parent, name = self._parent(path)
                parent.children[name] = Node(FILE_MODE, int(time.time()))
            else:
                node.mtime = int(time.time())

    def copy(self, src: str, dst: str) -> None:
        with self._lock:
            node = self.get_node(src)
            if node is None:
                raise FsError(ENOENT)
            if node.is_dir:
                raise FsError(EISDIR)
            if self.is_dir(dst):
                dst = posixpath.join(dst, posixpath.basename(self.normalize(src)))
            parent, name = self._parent(dst)
            parent.children[name] = Node(node.mode, int(time.time()), node.data)

    def move(self, src: str, dst: str) -> None:
        with self._lock:
            sparent, sname = self._parent(src)
            node = sparent.children.get(sname)
            if node is None:
                raise FsError(ENOENT)
            if self.is_dir(dst):
                dst = posixpath.join(dst, sname)
            dparent, dname = self._parent(dst)
            del sparent.children[sname]
            dparent.children[dname] = node
