"""``dumpsys``: the sections clients parse (activity, window, package) in Android's layout."""

from __future__ import annotations

from typing import Any

from harness.sim.android.processes import uid_name
from harness.sim.android.shell.context import Ctx
from harness.sim.android.shell.package_cmd import dump_package
from harness.sim.android.shell.registry import command

KNOWN_SERVICES = (
    "activity",
    "window",
    "package",
    "meminfo",
    "battery",
    "display",
    "input",
    "power",
    "input_method",
    "settings",
    "statusbar",
    "SurfaceFlinger",
    "cpuinfo",
    "gfxinfo",
)


def _hex(value: Any) -> str:
    return f"{abs(hash(value)) & 0xFFFFFFF:x}"


def _pid_text(am: Any, package: str) -> str:
    app = am.processes.get(package)
    return str(app.process.pid) if app is not None else "(not running)"


LAUNCH_MODES = ("standard", "singleTop", "singleTask", "singleInstance", "singleInstancePerTask")


def _proc_record(app: Any) -> str:
    p = app.process
    return f"ProcessRecord{{{app.token} {p.pid}:{p.name}/{uid_name(p.uid).replace('_', '')}}}"


@command("dumpsys")
async def cmd_dumpsys(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    if not args:
        await ctx.out("Currently running services:\n" + "".join(f"  {s}\n" for s in KNOWN_SERVICES))
        return 0
    service, rest = args[0], args[1:]
    if service == "-l":
        await ctx.out("Currently running services:\n" + "".join(f"  {s}\n" for s in KNOWN_SERVICES))
        return 0
    if service == "activity":
        return await _activity(ctx, [a for a in rest if not a.startswith("-")])
    if service == "window":
        what = rest[0] if rest else ""
        await ctx.out(_window_policy() if what == "policy" else _window(ctx, what))
        return 0
    if service == "power":
        await ctx.out(
            "POWER MANAGER (dumpsys power)\n\nPower Manager State:\n  mWakefulness=Awake\n"
            "  mWakefulnessChanging=false\n  mIsPowered=true\n  mStayOn=false\n"
            "  mHoldingDisplaySuspendBlocker=true\n"
            "Display Power: state=ON\n"
        )
        return 0
    if service == "input_method":
        await ctx.out(
            "Current Input Method Manager state:\n  mCurMethodId=com.android.inputmethod.latin/.LatinIME\n"
            "  mInputShown=false\n  mIsInteractive=true\n"
        )
        return 0
    if service == "package":
        names = [a for a in rest if not a.startswith("-")]
        return await dump_package(ctx, names[0] if names else None)
    if service == "display":
        w, h = ctx.device.display.size
        await ctx.out(
            f'DISPLAY MANAGER (dumpsys display)\n  mDisplayId=0\n  mBaseDisplayInfo=DisplayInfo{{"Built-in '
            f'Screen", displayId 0, real {w} x {h}, density {ctx.device.display.density}}}\n'
        )
        return 0
    if service in KNOWN_SERVICES:
        return 0
    await ctx.err(f"Can't find service: {service}\n")
    return 0


async def _activity(ctx: Ctx, rest: list[str]) -> int:
    what = rest[0] if rest else "activities"
    am = ctx.device.activities
    if what in ("processes", "p"):
        await ctx.out(_processes(ctx, rest[1] if len(rest) > 1 else None))
    elif what in ("activities", "a", "recents", "r"):
        await ctx.out(_activities(ctx))
    elif what == "top":
        top = am.focused
        out = ["TASK ", "null" if top is None else f"{top.package.name} id={top.task.task_id} userId=0", "\n"]
        if top is not None:
            out.append(
                f"  ACTIVITY {top.component.flatten_short()} {top.token} pid="
                f"{_pid_text(am, top.package.name)}\n"
            )
        await ctx.out("".join(out))
    elif what in ("services", "s"):
        await ctx.out(_services(ctx, rest[1] if len(rest) > 1 else None))
    elif what in ("broadcasts", "b", "intents", "i", "providers", "prov", "permissions", "perm"):
        await ctx.out(f"ACTIVITY MANAGER {what.upper()} (dumpsys activity {what})\n  (nothing)\n")
    else:
        await ctx.out(_activities(ctx))
    return 0


def _services(ctx: Ctx, wanted: str | None) -> str:
    """Started services of running processes; ``wanted`` is a package or a (short) component."""
    am = ctx.device.activities
    out = ["ACTIVITY MANAGER SERVICES (dumpsys activity services)\n"]
    records = []
    for app in sorted(am.processes.values(), key=lambda a: a.process.pid):
        for cls, foreground in getattr(app.runtime, "services", {}).items():
            pkg = app.package.name
            short = f"{pkg}/{cls[len(pkg) :] if cls.startswith(pkg + '.') else cls}"
            if wanted is not None and wanted not in (pkg, short, f"{pkg}/{cls}"):
                continue
            records.append(
                f"  * ServiceRecord{{{_hex((pkg, cls))} u0 {short}}}\n"
                f"    intent={{cmp={short}}}\n"
                f"    packageName={pkg}\n    processName={app.process.name}\n"
                f"    app={_proc_record(app)}\n"
                f"    isForeground={'true' if foreground else 'false'} "
                f"foregroundId={1 if foreground else 0} foregroundNoti=null\n"
                f"    startRequested=true delayedStop=false stopIfKilled=false callStart=true lastStartId=1\n"
            )
    if records:
        out.append("  User 0 active services:\n")
        out.extend(records)
    else:
        out.append("  (nothing)\n")
    return "".join(out)


def _processes(ctx: Ctx, package: str | None) -> str:
    am = ctx.device.activities
    apps = [a for a in am.processes.values() if package is None or a.package.name == package]
    out = ["ACTIVITY MANAGER RUNNING PROCESSES (dumpsys activity processes)\n", "  All known processes:\n"]
    focused = am.focused
    for app in sorted(apps, key=lambda a: a.process.pid):
        p = app.process
        kind = "*PERS*" if p.uid < 10000 else "*APP*"
        out.append(f"  {kind} UID {p.uid} {_proc_record(app)}\n")
        out.append(f"    user #0 uid={p.uid} gids={{50{p.uid % 1000}, 20{p.uid % 1000}, 9997}}\n")
        out.append(f"    pid={p.pid} starting=0\n")
        top = focused is not None and focused.package.name == app.package.name
        out.append(
            f"    curProcState={2 if top else 10} mRepProcState={2 if top else 10} "
            f"mPssProcState={2 if top else 10}\n"
        )
    out.append(f"  Process LRU list (sorted by oom_adj, {len(apps)} total, non-act at 0, non-svc at 0):\n")
    for i, app in enumerate(sorted(apps, key=lambda a: -a.process.pid)):
        top = focused is not None and focused.package.name == app.package.name
        p = app.process
        out.append(
            f"    Proc #{i:2d}: {'fg' if top else 'cch'}     {'T/A/TOP ' if top else 'B/ /CEM '} "
            f"LCM  t: 0 {p.pid}:{p.name}/{uid_name(p.uid).replace('_', '')} "
            f"({'top-activity' if top else 'cch-empty'})\n"
        )
    out.append("  PID mappings:\n")
    for app in sorted(apps, key=lambda a: a.process.pid):
        out.append(f"    PID #{app.process.pid}: {_proc_record(app)}\n")
    return "".join(out)


def _activities(ctx: Ctx) -> str:
    am = ctx.device.activities
    out = [
        "ACTIVITY MANAGER ACTIVITIES (dumpsys activity activities)\n",
        "Display #0 (activities from top to bottom):\n",
    ]
    focused = am.focused
    for task in reversed(am.tasks):
        kind = "home" if task.home else "standard"
        root = task.root
        out.append(
            f"  * Task{{{_hex(task.task_id)} #{task.task_id} type={kind} A={root.package.uid if root else 0}:"
            f"{task.affinity} U=0 visible={str(task.top is focused).lower()} mode=fullscreen "
            f"translucent=false sz={len(task.records)}}}\n"
        )
        if task.top is not None and task.top.state == "RESUMED":
            out.append(f"    topResumedActivity={task.top.describe()}\n")
        for i, r in reversed(list(enumerate(task.records))):
            app = am.processes.get(r.package.name)
            out.append(f"    * Hist  #{i}: {r.describe()}\n")
            out.append(f"      packageName={r.package.name} processName={r.package.name}\n")
            out.append(f"      launchedFromUid={r.launched_from_uid} launchedFromPackage=null userId=0\n")
            out.append(f"      app={_proc_record(app) if app else 'null'}\n")
            out.append(f"      {r.intent}\n")
            out.append(f"      launchMode={LAUNCH_MODES.index(r.info.launch_mode)} state={r.state}\n")
    out.append("\n")
    if focused is not None:
        out.append(f"  ResumedActivity: {focused.describe()}\n")
        out.append(f"  mFocusedApp={focused.describe()}\n")
    return "".join(out)


def _window_policy() -> str:
    """What Appium's isScreenLocked reads: an unlocked, awake phone."""
    return (
        "WINDOW MANAGER POLICY STATE (dumpsys window policy)\n"
        "    mShowingDream=false mDreamingLockscreen=false\n"
        "    mShowingLockscreen=false\n"
        "    isStatusBarKeyguard=false\n"
        "    KeyguardServiceDelegate\n      showing=false\n      showingAndNotOccluded=false\n"
        "      inputRestricted=false\n      occluded=false\n      secure=false\n      dreaming=false\n"
        "      systemIsReady=true\n      deviceHasKeyguard=false\n      enabled=true\n"
        "      offAfterTimeout=false\n      interactiveState=INTERACTIVE_STATE_AWAKE\n"
        "      screenState=SCREEN_STATE_ON\n"
    )


def _window(ctx: Ctx, what: str) -> str:
    am = ctx.device.activities
    focused = am.focused
    w, h = ctx.device.display.size
    if focused is None:
        current, app = "null", "null"
    else:
        current = f"Window{{{focused.token[:7]} u0 {focused.component.flatten()}}}"
        app = focused.describe()
    header = {
        "displays": "WINDOW MANAGER DISPLAY CONTENTS (dumpsys window displays)\n",
        "windows": "WINDOW MANAGER WINDOWS (dumpsys window windows)\n",
    }.get(what, "WINDOW MANAGER WINDOWS (dumpsys window windows)\n")
    lines = [
        header,
        f"  Display: mDisplayId=0 rootTasks=1\n    init={ctx.device.display.physical_width}x"
        f"{ctx.device.display.physical_height} {ctx.device.display.physical_density}dpi cur={w}x{h} "
        f"app={w}x{h} rng={min(w, h)}x{min(w, h)}-{max(w, h)}x{max(w, h)}\n",
    ]
    for r in am.records():
        lines.append(
            f"  Window #{am.records().index(r)} Window{{{r.token[:7]} u0 {r.component.flatten()}}}:\n"
        )
        lines.append(f"    mOwnerUid={r.package.uid} showForAllUsers=false package={r.package.name}\n")
    lines.append(f"\n  mCurrentFocus={current}\n")
    lines.append(f"  mFocusedApp={app}\n")
    return "".join(lines)
