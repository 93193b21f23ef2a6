"""``am`` and ``monkey``: starting activities, stopping apps, instrumentation and broadcasts."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from harness.sim.android.apk import ACTION_MAIN, CATEGORY_LAUNCHER
from harness.sim.android.instrumentation import InstrumentationRun
from harness.sim.android.intents import (
    FLAG_ACTIVITY_NEW_TASK,
    FLAG_ACTIVITY_RESET_TASK_IF_NEEDED,
    ComponentName,
    Intent,
)
from harness.sim.android.shell.context import Ctx, UsageError
from harness.sim.android.shell.intent_args import parse_intent
from harness.sim.android.shell.registry import command

_START_FLAGS = {
    "-W",
    "-S",
    "-D",
    "-N",
    "--track-allocation",
    "--streaming",
    "--attach-agent-bind",
    "--suspend",
    "--activity-task-on-home",
    "--dismiss-keyguard",
    "--lock-task",
}
_START_VALUED = {
    "--user",
    "-P",
    "--start-profiler",
    "--sampling",
    "-R",
    "--receiver-permission",
    "--display",
    "--windowingMode",
    "--activityType",
    "--task",
    "--attach-agent",
    "--splashscreen-icon",
}

AM_HELP = """Activity manager (activity) commands:
  help
      Print this help text.
  start-activity [-D] [-N] [-W] [-P <FILE>] [--start-profiler <FILE>]
          [--sampling INTERVAL] [--streaming] [-R COUNT] [-S]
          [--track-allocation] [--user <USER_ID> | current] <INTENT>
      Start an Activity.
  instrument [-r] [-e <NAME> <VALUE>] [-p <FILE>] [-w] <COMPONENT>
      Start an Instrumentation.
  force-stop [--user <USER_ID> | all | current] <PACKAGE>
      Completely stop the given application package.
  kill [--user <USER_ID> | all | current] <PACKAGE>
      Kill all background processes associated with the given application.
  broadcast [--user <USER_ID> | all | current] <INTENT>
      Send a broadcast Intent.
"""


@command("am")
async def cmd_am(ctx: Ctx) -> int:
    return await run_am(ctx, ctx.argv[1:])


async def run_am(ctx: Ctx, args: list[str]) -> int:
    if not args or args[0] in ("help", "-h"):
        await ctx.out(AM_HELP)
        return 0
    verb, rest = args[0], args[1:]
    am = ctx.device.activities
    if verb in ("start", "start-activity"):
        return await _start(ctx, rest)
    if verb == "force-stop":
        names = _positional(rest)
        if not names:
            raise UsageError(
                "Exception occurred while executing 'force-stop':\n"
                'java.lang.IllegalArgumentException: Argument expected after "force-stop"',
                255,
            )
        am.force_stop(names[0], ctx.device.shell_pid())
        return 0
    if verb == "kill":
        names = _positional(rest)
        if names:
            am.kill_background(names[0])
        return 0
    if verb == "kill-all":
        for name in [p for p in list(am.processes) if am.focused is None or am.focused.package.name != p]:
            if not ctx.device.packages.get(name).system:
                am.kill_background(name)
        return 0
    if verb == "instrument":
        return await _instrument(ctx, rest)
    if verb == "broadcast":
        options: dict[str, Any] = {}
        intent = parse_intent(
            rest, options, set(), {"--user", "--receiver-permission", "--allow-background-activity-starts"}
        )
        intent.flags |= 0x400000  # FLAG_RECEIVER_INCLUDE_BACKGROUND, as am adds
        await ctx.out(f"Broadcasting: {intent}\n")
        ctx.device.broadcast(intent)
        await ctx.out("Broadcast completed: result=0\n")
        return 0
    if verb in ("start-service", "startservice", "start-foreground-service", "stop-service", "stopservice"):
        options = {}
        intent = parse_intent(rest, options, set(), {"--user"})
        await ctx.out(f"Starting service: {intent}\n")
        await ctx.err("Error: Not found; no service started.\n")
        return 0
    if verb == "get-current-user":
        await ctx.out("0\n")
        return 0
    if verb == "stack" and rest[:1] == ["list"]:
        for task in reversed(am.tasks):
            top = task.top
            if top is not None:
                await ctx.out(
                    f"taskId={task.task_id}: {top.component.flatten()} bounds=[0,0]"
                    f"[{ctx.device.display.size[0]},{ctx.device.display.size[1]}] userId=0 visible=true\n"
                )
        return 0
    await ctx.err(f"Unknown command: {verb}\n")
    return 255


def _positional(args: list[str]) -> list[str]:
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a == "--user":
            skip = True
            continue
        if not a.startswith("-"):
            out.append(a)
    return out


FIRST_FRAME_TIMEOUT_S = 10.0


async def _start(ctx: Ctx, args: list[str]) -> int:
    options: dict[str, Any] = {}
    intent = parse_intent(args, options, _START_FLAGS, _START_VALUED)
    am = ctx.device.activities
    await ctx.out(f"Starting: {intent}\n")
    if options.get("-S"):
        if intent.component is not None:
            package = intent.component.package
        else:
            matches = am.query(intent, require_default=not (set(intent.categories) & {CATEGORY_LAUNCHER}))
            if not matches:
                await ctx.err(f"Error: Intent does not match any activities: {intent}\n")
                return 1
            if len({m[0].name for m in matches}) > 1:
                await ctx.err(f"Error: Intent matches multiple activities; can't stop: {intent}\n")
                return 1
            package = matches[0][0].name
        am.force_stop(package, ctx.device.shell_pid())
    launch = intent.copy()
    launch.flags |= FLAG_ACTIVITY_NEW_TASK
    result = am.start(launch, caller_uid=2000)
    wait = bool(options.get("-W"))
    out = ctx.out if wait else ctx.err
    if result.outcome == "CLASS_NOT_FOUND":
        assert intent.component is not None
        await out("Error type 3\n")
        await out(f"Error: Activity class {intent.component.short_string()} does not exist.\n")
        return 1
    if result.outcome == "NOT_RESOLVED":
        await out(f"Error: Activity not started, unable to resolve {launch}\n")
        return 1
    if result.outcome == "PERMISSION":
        await ctx.err(
            f"Exception occurred while executing 'start-activity':\njava.lang.SecurityException: "
            f"{result.detail}\n\tat com.android.server.wm.ActivityTaskSupervisor."
            "checkStartAnyActivityPermission(ActivityTaskSupervisor.java:1153)\n"
        )
        return 255
    if result.outcome == "DELIVERED_TO_TOP":
        await ctx.out(
            "Warning: Activity not started, intent has been delivered to currently running"
            " top-most instance.\n"
        )
    elif result.outcome == "TASK_TO_FRONT":
        await ctx.out("Warning: Activity not started, its current task has been brought to the front\n")
    if wait:
        # Like ActivityTaskManager, -W reports once the launched activity has drawn its first frame.
        shown = am.focused
        if shown is not None and shown.instance is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(FIRST_FRAME_TIMEOUT_S):
                    await shown.instance.wait_drawn()
        state = result.launch_state
        lines = ["Status: ok\n", f"LaunchState: {state if state != 'UNKNOWN' else 'UNKNOWN (0)'}\n"]
        if result.component is not None:
            lines.append(f"Activity: {result.component.flatten_short()}\n")
        if result.total_time >= 0:
            lines.append(f"TotalTime: {result.total_time}\n")
        lines += [f"WaitTime: {result.wait_time}\n", "Complete\n"]
        await ctx.out("".join(lines))
    return 0


async def _instrument(ctx: Ctx, args: list[str]) -> int:
    wait = False
    extras: dict[str, str] = {}
    component_text: str | None = None
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-w":
            wait = True
        elif a == "-e" and i + 2 < len(args):
            extras[args[i + 1]] = args[i + 2]
            i += 2
        elif a in ("-p", "--user", "--abi", "-i"):
            i += 1
        elif a.startswith("-"):
            pass
        else:
            component_text = a
        i += 1
    component = ComponentName.parse(component_text or "")
    if component is None:
        raise UsageError(
            "Error: No instrumentation component specified\n"
            "Exception occurred while executing 'instrument':\njava.lang.IllegalArgumentException: "
            f"Bad component name: {component_text}",
            255,
        )
    device = ctx.device
    test_pkg = device.packages.get(component.package)
    inst = None
    if test_pkg is not None:
        inst = next((x for x in test_pkg.manifest.instrumentations if x.name == component.cls), None)
    target = device.packages.get(inst.target_package) if inst is not None else None
    if inst is None or target is None:
        await ctx.out(
            f"INSTRUMENTATION_STATUS: Error=Unable to find instrumentation info for: "
            f"ComponentInfo{{{component.flatten()}}}\nINSTRUMENTATION_STATUS_CODE: -1\n"
        )
        await ctx.err(f"android.util.AndroidException: INSTRUMENTATION_FAILED: {component.flatten()}\n")
        return 1
    app, _ = device.activities.process_for(target, "added application", None)

    async def write(text: str) -> None:
        if wait:
            await ctx.out(text)

    run = InstrumentationRun(device, component, target.name, extras, app.process, write)
    run.on_finish = lambda: _end_run(device, run)
    device.instrumentation.running.append(run)
    handler = device.instrumentation.handler_for(component) or _default_instrumentation
    task = asyncio.ensure_future(handler(run))
    device.keep_task(task)
    if not wait:
        task.add_done_callback(lambda _t: _end_run(device, run))
        return 0
    gone = asyncio.ensure_future(ctx.closed.wait())
    stopped = asyncio.ensure_future(run.stopped.wait())
    try:
        await asyncio.wait({task, gone, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
        stopped.cancel()
    code = 0
    if run.killed and not ctx.closed.is_set():
        await ctx.out("INSTRUMENTATION_RESULT: shortMsg=Process crashed.\nINSTRUMENTATION_CODE: 0\n")
    if not task.done():
        run.stopped.set()
        with contextlib.suppress(TimeoutError, asyncio.CancelledError, Exception):
            await asyncio.wait_for(asyncio.shield(task), timeout=2.0)
        if not task.done():
            task.cancel()
    elif task.exception() is not None:
        await ctx.out(f"INSTRUMENTATION_RESULT: shortMsg={task.exception()}\nINSTRUMENTATION_CODE: 0\n")
        code = 1
    _end_run(device, run)
    return code


def _end_run(device: Any, run: InstrumentationRun) -> None:
    if run in device.instrumentation.running:
        device.instrumentation.running.remove(run)
    run.stopped.set()
    focused = device.activities.focused
    if focused is None or focused.package.name != run.target_package:
        device.activities._kill_process(run.target_package, destroy=False)


async def _default_instrumentation(run: InstrumentationRun) -> int:
    """No handler registered: behave like a runner that finds no tests."""
    await run.write(
        "INSTRUMENTATION_RESULT: stream=\nTime: 0.001\n\nOK (0 tests)\n\n\nINSTRUMENTATION_CODE: -1\n"
    )
    return 0


@command("monkey")
async def cmd_monkey(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    packages: list[str] = []
    categories: list[str] = []
    i = 0
    count = 0
    while i < len(args):
        a = args[i]
        if a == "-p" and i + 1 < len(args):
            packages.append(args[i + 1])
            i += 1
        elif a == "-c" and i + 1 < len(args):
            categories.append(args[i + 1])
            i += 1
        elif a in (
            "-s",
            "--throttle",
            "--pct-touch",
            "--pct-motion",
            "--pct-syskeys",
            "--pct-appswitch",
        ) and i + 1 < len(args):
            i += 1
        elif a.isdigit():
            count = int(a)
        i += 1
    trace = "".join(f"  bash arg: {a}\n" for a in args)
    trace += "args: [" + ", ".join(args) + "]\n" + "".join(f' arg: "{a}"\n' for a in args)
    trace += "".join(f'data="{p}"\n' for p in packages) + "".join(f'data="{c}"\n' for c in categories)
    await ctx.out(trace)
    if not packages or count < 1:
        await ctx.err("** Error: Count not specified\n" if count < 1 else "")
        return 1 if count < 1 else 0
    am = ctx.device.activities
    cats = categories or [CATEGORY_LAUNCHER]
    matches = [
        m for m in am.query(Intent(ACTION_MAIN, cats[:1]), require_default=False) if m[0].name in packages
    ]
    if not matches:
        await ctx.err("** No activities found to run, monkey aborted.\n")
        return 252
    for _ in range(count):
        pkg, act, _prio = matches[0]
        intent = Intent(
            ACTION_MAIN,
            [cats[0]],
            component=ComponentName(pkg.name, act.name),
            flags=FLAG_ACTIVITY_NEW_TASK | FLAG_ACTIVITY_RESET_TASK_IF_NEEDED,
        )
        am.start(intent, caller_uid=2000)
    await ctx.out(
        f"Events injected: {count}\n"
        "## Network stats: elapsed time=14ms (0ms mobile, 0ms wifi, 14ms not connected)\n"
    )
    return 0
