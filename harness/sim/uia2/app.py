"""The UiAutomator2 server's HTTP API, as a Starlette app bound to one virtual device.

Routes, payloads and errors follow appium-uiautomator2-server (the routes its
``AppiumServlet`` registers), because the real UiAutomator2 driver proxies these requests
unchanged: sessions, finding native views, element commands, page source, screenshots,
W3C actions, settings, alerts, keys and orientation. Everything is answered from the
device's window manager and input dispatcher, on the device's own event loop.
"""

from __future__ import annotations

import base64
import io
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from harness.sim.android.input import KEYCODE_BACK
from harness.sim.latency import LatencyMiddleware, delay_of
from harness.sim.ui import locate
from harness.sim.ui.locate import Found, InvalidSelector
from harness.sim.ui.views import View, Window, WindowKind
from harness.sim.uia2 import alerts, gestures
from harness.sim.uia2.actions import ActionPerformer
from harness.sim.uia2.elements import ELEMENT_KEY, ElementCache
from harness.sim.uia2.errors import (
    WebDriverError,
    invalid_argument,
    invalid_selector,
    invalid_session,
    no_such_element,
    stale_element,
)
from harness.sim.uia2.settings import CAPABILITY_SETTINGS, fresh

SERVER_PACKAGE = "io.appium.uiautomator2.server"
STATUS_BAR_DP = 24
ORIENTATIONS = {0: "PORTRAIT", 1: "LANDSCAPE", 2: "PORTRAIT", 3: "LANDSCAPE"}

Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class SessionState:
    """The one session the server holds at a time (a new POST /session replaces it)."""

    session_id: str
    capabilities: dict[str, Any]
    settings: dict[str, Any] = field(default_factory=fresh)
    elements: ElementCache = field(default_factory=ElementCache)


class Uia2Server:
    """Request handlers over one device; ``on_session_deleted`` ends the instrumentation."""

    def __init__(self, device: Any, on_session_deleted: Callable[[], None]) -> None:
        self.device = device
        self.on_session_deleted = on_session_deleted
        self.session: SessionState | None = None

    # --- plumbing ----------------------------------------------------------------------------
    def app(self) -> Starlette:
        s = "/session/{sid}"
        e = f"{s}/element/{{eid}}"
        routes = [
            Route("/status", self._wrap(self.status, session=False), methods=["GET"]),
            Route("/sessions", self._wrap(self.sessions, session=False), methods=["GET"]),
            Route("/session", self._wrap(self.new_session, session=False), methods=["POST"]),
            Route(s, self._wrap(self.session_details), methods=["GET"]),
            Route(s, self._wrap(self.delete_session), methods=["DELETE"]),
            Route(f"{s}/element", self._wrap(self.find_element), methods=["POST"]),
            Route(f"{s}/elements", self._wrap(self.find_elements), methods=["POST"]),
            Route(f"{s}/element/active", self._wrap(self.active_element), methods=["GET"]),
            Route(f"{e}/click", self._wrap(self.click), methods=["POST"]),
            Route(f"{e}/clear", self._wrap(self.clear), methods=["POST"]),
            Route(f"{e}/value", self._wrap(self.send_keys_to_element), methods=["POST"]),
            Route(f"{e}/text", self._wrap(self.element_text), methods=["GET"]),
            Route(f"{e}/name", self._wrap(self.element_name), methods=["GET"]),
            Route(f"{e}/attribute/{{name}}", self._wrap(self.element_attribute), methods=["GET"]),
            Route(f"{e}/rect", self._wrap(self.element_rect), methods=["GET"]),
            Route(f"{e}/size", self._wrap(self.element_size), methods=["GET"]),
            Route(f"{e}/location", self._wrap(self.element_location), methods=["GET"]),
            Route(f"{e}/displayed", self._wrap(self.element_displayed), methods=["GET"]),
            Route(f"{e}/enabled", self._wrap(self.element_enabled), methods=["GET"]),
            Route(f"{e}/selected", self._wrap(self.element_selected), methods=["GET"]),
            Route(f"{e}/screenshot", self._wrap(self.element_screenshot), methods=["GET"]),
            Route(f"{s}/source", self._wrap(self.source), methods=["GET"]),
            Route(f"{s}/screenshot", self._wrap(self.screenshot), methods=["GET"]),
            Route(f"{s}/window/{{handle}}/size", self._wrap(self.window_size), methods=["GET"]),
            Route(f"{s}/appium/device/info", self._wrap(self.device_info), methods=["GET"]),
            Route(f"{s}/appium/device/pixel_ratio", self._wrap(self.pixel_ratio), methods=["GET"]),
            Route(f"{s}/appium/device/system_bars", self._wrap(self.system_bars), methods=["GET"]),
            Route(f"{s}/appium/device/display_density", self._wrap(self.density), methods=["GET"]),
            Route(f"{s}/appium/device/battery_info", self._wrap(self.battery), methods=["GET"]),
            Route(f"{s}/appium/settings", self._wrap(self.get_settings), methods=["GET"]),
            Route(f"{s}/appium/settings", self._wrap(self.update_settings), methods=["POST"]),
            Route(f"{s}/alert/text", self._wrap(self.alert_text), methods=["GET"]),
            Route(f"{s}/alert/accept", self._wrap(self.alert_accept), methods=["POST"]),
            Route(f"{s}/alert/dismiss", self._wrap(self.alert_dismiss), methods=["POST"]),
            Route(f"{s}/back", self._wrap(self.back), methods=["POST"]),
            Route(f"{s}/keys", self._wrap(self.keys), methods=["POST"]),
            Route(f"{s}/appium/device/press_keycode", self._wrap(self.press_keycode), methods=["POST"]),
            Route(f"{s}/appium/device/long_press_keycode", self._wrap(self.press_keycode), methods=["POST"]),
            Route(f"{s}/orientation", self._wrap(self.get_orientation), methods=["GET"]),
            Route(f"{s}/orientation", self._wrap(self.set_orientation), methods=["POST"]),
            Route(f"{s}/rotation", self._wrap(self.get_rotation), methods=["GET"]),
            Route(f"{s}/actions", self._wrap(self.actions), methods=["POST"]),
            Route(f"{s}/actions", self._wrap(self.release_actions), methods=["DELETE"]),
            Route(f"{s}/appium/gestures/click", self._wrap(self.gesture_click), methods=["POST"]),
            Route(f"{s}/appium/gestures/long_click", self._wrap(self.gesture_long_click), methods=["POST"]),
            Route(
                f"{s}/appium/gestures/double_click", self._wrap(self.gesture_double_click), methods=["POST"]
            ),
            Route(f"{s}/appium/gestures/drag", self._wrap(self.gesture_drag), methods=["POST"]),
            Route(f"{s}/appium/gestures/swipe", self._wrap(self.gesture_swipe), methods=["POST"]),
        ]
        app = Starlette(routes=routes)
        app.add_middleware(LatencyMiddleware, delay=lambda _scope: delay_of(self.device.props, "appium"))
        app.add_exception_handler(404, self._unknown_command)
        app.add_exception_handler(405, self._unknown_method)
        return app

    async def _unknown_command(self, request: Request, _exc: Exception) -> Response:
        return WebDriverError(
            "unknown command", f"The requested resource could not be found: {request.url.path}"
        ).response()

    async def _unknown_method(self, request: Request, _exc: Exception) -> Response:
        return WebDriverError(
            "unknown method", f"{request.method} is not supported for {request.url.path}"
        ).response()

    def _wrap(self, handler: Handler, *, session: bool = True) -> Handler:
        async def endpoint(request: Request) -> Response:
            sid = request.path_params.get("sid")
            try:
                if session and (self.session is None or sid != self.session.session_id):
                    raise invalid_session(str(sid))
                return await handler(request)
            except WebDriverError as exc:
                return exc.response(sid)
            except Exception as exc:  # any bug becomes a W3C "unknown error", like the real server
                return WebDriverError("unknown error", f"{type(exc).__name__}: {exc}").response(sid)

        return endpoint

    def _ok(self, value: Any = None, *, background: BackgroundTask | None = None) -> JSONResponse:
        sid = self.session.session_id if self.session else None
        return JSONResponse({"sessionId": sid, "value": value}, background=background)

    @staticmethod
    async def _body(request: Request) -> dict[str, Any]:
        raw = await request.body()
        if not raw.strip():
            return {}
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise invalid_argument(f"the request body is not JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise invalid_argument("the request body must be a JSON object")
        return body

    @property
    def _session(self) -> SessionState:
        assert self.session is not None
        return self.session

    def _windows(self) -> list[Window]:
        windows: list[Window] = self.device.windows.windows()
        return windows

    def _size(self) -> tuple[int, int]:
        width, height = self.device.display.size
        return int(width), int(height)

    # --- status and sessions --------------------------------------------------------------------
    async def status(self, _request: Request) -> Response:
        pkg = self.device.packages.get(SERVER_PACKAGE)
        build = {
            "version": pkg.manifest.version_name if pkg else "unknown",
            "versionCode": pkg.manifest.version_code if pkg else 0,
        }
        message = "UiAutomator2 Server is ready to accept commands"
        return JSONResponse({"sessionId": None, "value": {"ready": True, "message": message, "build": build}})

    async def sessions(self, _request: Request) -> Response:
        if self.session is None:
            return JSONResponse({"sessionId": None, "value": []})
        value = [{"id": self.session.session_id, "capabilities": self.session.capabilities}]
        return JSONResponse({"sessionId": None, "value": value})

    async def new_session(self, request: Request) -> Response:
        body = await self._body(request)
        caps = body.get("capabilities")
        if not isinstance(caps, dict):
            raise WebDriverError("session not created", "'capabilities' are mandatory for session creation")
        merged: dict[str, Any] = dict(caps.get("alwaysMatch") or {})
        first = caps.get("firstMatch") or [{}]
        if isinstance(first, list) and first and isinstance(first[0], dict):
            merged.update(first[0])
        state = SessionState(str(uuid.uuid4()), merged)
        for name in CAPABILITY_SETTINGS:
            for key in (name, f"appium:{name}"):
                if key in merged:
                    state.settings[name] = merged[key]
        self.session = state
        value = {"capabilities": merged, "sessionId": state.session_id}
        return JSONResponse({"sessionId": state.session_id, "value": value})

    async def session_details(self, _request: Request) -> Response:
        return self._ok(self._session.capabilities)

    async def delete_session(self, _request: Request) -> Response:
        self.session = None
        # The real server shuts its HTTP server down once the answer is delivered.
        return JSONResponse({"sessionId": None, "value": None}, background=BackgroundTask(self._end))

    async def _end(self) -> None:
        self.on_session_deleted()

    # --- finding --------------------------------------------------------------------------------
    def _find(self, body: dict[str, Any]) -> list[Found]:
        strategy = body.get("strategy")
        selector = body.get("selector")
        if not isinstance(strategy, str) or not isinstance(selector, str):
            raise invalid_argument("'strategy' and 'selector' must be strings")
        windows = self._windows()
        width, height = self._size()
        try:
            if strategy == "id":
                found = locate.by_id(windows, selector, self._app_package())
            elif strategy == "accessibility id":
                found = locate.by_accessibility_id(windows, selector)
            elif strategy == "class name":
                found = locate.by_class_name(windows, selector)
            elif strategy == "xpath":
                found = locate.by_xpath(windows, selector, width, height)
            elif strategy == "-android uiautomator":
                found = locate.by_ui_selector(windows, selector)
            else:
                raise invalid_selector(f"Locator strategy '{strategy}' is not supported on Android")
        except InvalidSelector as exc:
            raise invalid_selector(str(exc)) from exc
        context = body.get("context")
        if context:
            parent = self._element(str(context))
            inside = {id(v) for v in parent.view.walk()} - {id(parent.view)}
            found = [f for f in found if id(f.view) in inside]
        return found

    def _app_package(self) -> str:
        caps = self._session.capabilities
        return str(caps.get("appPackage") or caps.get("appium:appPackage") or "")

    def _element_json(self, found: Found) -> dict[str, str]:
        element_id = self._session.elements.add(found)
        return {"ELEMENT": element_id, ELEMENT_KEY: element_id}

    async def find_element(self, request: Request) -> Response:
        body = await self._body(request)
        found = self._find(body)
        if not found:
            raise no_such_element()
        return self._ok(self._element_json(found[0]))

    async def find_elements(self, request: Request) -> Response:
        found = self._find(await self._body(request))
        return self._ok([self._element_json(f) for f in found])

    async def active_element(self, _request: Request) -> Response:
        for window in reversed(self._windows()):
            focused = next((v for v in window.root.walk() if v.focused and v.visible), None)
            if focused is not None:
                return self._ok(self._element_json(Found(window, focused)))
        raise no_such_element("No element is focused")

    def _element(self, element_id: str) -> Found:
        elements = self._session.elements
        if not elements.known(element_id):
            raise stale_element(element_id)
        found = elements.resolve(element_id, self._windows())
        if found is None:
            raise stale_element(element_id)
        return found

    def _centre(self, element_id: str) -> tuple[int, int]:
        return self._visible_centre(self._element(element_id).view)

    def _visible_centre(self, view: View) -> tuple[int, int]:
        width, height = self._size()
        left, top, right, bottom = view.bounds
        left, top = max(left, 0), max(top, 0)
        right, bottom = min(right, width), min(bottom, height)
        return (left + right) // 2, (top + bottom) // 2

    # --- element commands -------------------------------------------------------------------------
    async def click(self, request: Request) -> Response:
        x, y = self._centre(request.path_params["eid"])
        self.device.input.tap(x, y)
        return self._ok()

    async def clear(self, request: Request) -> Response:
        self._element(request.path_params["eid"]).view.text = ""
        return self._ok()

    async def send_keys_to_element(self, request: Request) -> Response:
        body = await self._body(request)
        view = self._element(request.path_params["eid"]).view
        text = _keys_text(body)
        view.text = text if body.get("replace") else view.text + text
        return self._ok()

    async def element_text(self, request: Request) -> Response:
        return self._ok(self._element(request.path_params["eid"]).view.text)

    async def element_name(self, request: Request) -> Response:
        return self._ok(self._element(request.path_params["eid"]).view.class_name)

    async def element_attribute(self, request: Request) -> Response:
        found = self._element(request.path_params["eid"])
        return self._ok(_attribute(found, request.path_params["name"]))

    async def element_rect(self, request: Request) -> Response:
        left, top, right, bottom = self._element(request.path_params["eid"]).view.bounds
        return self._ok({"x": left, "y": top, "width": right - left, "height": bottom - top})

    async def element_size(self, request: Request) -> Response:
        left, top, right, bottom = self._element(request.path_params["eid"]).view.bounds
        return self._ok({"width": right - left, "height": bottom - top})

    async def element_location(self, request: Request) -> Response:
        left, top, _, _ = self._element(request.path_params["eid"]).view.bounds
        return self._ok({"x": left, "y": top})

    async def element_displayed(self, request: Request) -> Response:
        return self._ok(self._element(request.path_params["eid"]).view.visible)

    async def element_enabled(self, request: Request) -> Response:
        return self._ok(self._element(request.path_params["eid"]).view.enabled)

    async def element_selected(self, request: Request) -> Response:
        return self._ok(self._element(request.path_params["eid"]).view.selected)

    async def element_screenshot(self, request: Request) -> Response:
        left, top, right, bottom = self._element(request.path_params["eid"]).view.bounds
        image = self.device.screenshot().crop((left, top, right, bottom))
        return self._ok(_png_base64(image))

    # --- screen -------------------------------------------------------------------------------------
    async def source(self, _request: Request) -> Response:
        return self._ok(self.device.windows.page_source())

    async def screenshot(self, _request: Request) -> Response:
        return self._ok(_png_base64(self.device.screenshot()))

    async def window_size(self, _request: Request) -> Response:
        width, height = self._size()
        return self._ok({"width": width, "height": height})

    async def device_info(self, _request: Request) -> Response:
        props = self.device.props
        width, height = self._size()
        info = {
            "androidId": self.device.settings.get("secure", "android_id") or "",
            "manufacturer": props.get("ro.product.manufacturer", ""),
            "model": props.get("ro.product.model", ""),
            "brand": props.get("ro.product.brand", ""),
            "apiVersion": props.get("ro.build.version.sdk", ""),
            "platformVersion": props.get("ro.build.version.release", ""),
            "carrierName": "",
            "realDisplaySize": f"{width}x{height}",
            "displayDensity": int(self.device.display.density),
            "networks": [],
            "locale": props.get("persist.sys.locale", "en-US").replace("-", "_"),
            "timeZone": props.get("persist.sys.timezone", "UTC"),
            "bluetooth": {"state": "OFF"},
        }
        return self._ok(info)

    async def pixel_ratio(self, _request: Request) -> Response:
        return self._ok(self.device.display.density / 160)

    async def system_bars(self, _request: Request) -> Response:
        return self._ok({"statusBar": round(STATUS_BAR_DP * self.device.display.density / 160)})

    async def density(self, _request: Request) -> Response:
        return self._ok(int(self.device.display.density))

    async def battery(self, _request: Request) -> Response:
        return self._ok({"level": 1.0, "state": 5})  # BATTERY_STATUS_FULL

    async def get_settings(self, _request: Request) -> Response:
        return self._ok(dict(self._session.settings))

    async def update_settings(self, request: Request) -> Response:
        body = await self._body(request)
        settings = body.get("settings")
        if not isinstance(settings, dict):
            raise invalid_argument("'settings' must be an object")
        self._session.settings.update(settings)
        return self._ok()

    # --- alerts ---------------------------------------------------------------------------------
    async def alert_text(self, _request: Request) -> Response:
        return self._ok(alerts.text(self._dialogs()))

    async def alert_accept(self, request: Request) -> Response:
        body = await self._body(request)
        alerts.press(self.device, self._dialogs(), accept=True, label=body.get("buttonLabel"))
        return self._ok()

    async def alert_dismiss(self, request: Request) -> Response:
        body = await self._body(request)
        alerts.press(self.device, self._dialogs(), accept=False, label=body.get("buttonLabel"))
        return self._ok()

    def _dialogs(self) -> list[Window]:
        return [w for w in self._windows() if w.kind is WindowKind.DIALOG]

    # --- keys, orientation, actions -----------------------------------------------------------------
    async def back(self, _request: Request) -> Response:
        self.device.input.key(KEYCODE_BACK)
        return self._ok()

    async def keys(self, request: Request) -> Response:
        self.device.input.text(_keys_text(await self._body(request)))
        return self._ok()

    async def press_keycode(self, request: Request) -> Response:
        body = await self._body(request)
        keycode = body.get("keycode")
        if not isinstance(keycode, int) or isinstance(keycode, bool):
            raise invalid_argument("'keycode' must be an integer")
        self.device.input.key(keycode)
        return self._ok()

    async def get_orientation(self, _request: Request) -> Response:
        return self._ok(ORIENTATIONS.get(self.device.display.rotation % 4, "PORTRAIT"))

    async def set_orientation(self, request: Request) -> Response:
        body = await self._body(request)
        wanted = str(body.get("orientation", "")).upper()
        if wanted not in ("PORTRAIT", "LANDSCAPE"):
            raise invalid_argument(f"orientation must be PORTRAIT or LANDSCAPE, not {wanted!r}")
        self.device.display.rotation = 0 if wanted == "PORTRAIT" else 1
        return self._ok(wanted)

    async def get_rotation(self, _request: Request) -> Response:
        return self._ok({"x": 0, "y": 0, "z": (self.device.display.rotation % 4) * 90})

    async def actions(self, request: Request) -> Response:
        body = await self._body(request)
        await ActionPerformer(self.device, self._centre).perform(body.get("actions"))
        return self._ok()

    async def release_actions(self, _request: Request) -> Response:
        return self._ok()

    # --- mobile: *Gesture ------------------------------------------------------------------------
    def _bounds(self, element_id: str) -> tuple[int, int, int, int]:
        return self._element(element_id).view.bounds

    async def _run(self, sources: list[dict[str, Any]]) -> Response:
        await ActionPerformer(self.device, self._centre).perform(sources)
        return self._ok()

    async def gesture_click(self, request: Request) -> Response:
        body = await self._body(request)
        return await self._run(gestures.tap(gestures.point(body, "offset", self._bounds)))

    async def gesture_long_click(self, request: Request) -> Response:
        body = await self._body(request)
        hold = body.get("duration") or gestures.LONG_CLICK_MS
        return await self._run(gestures.tap(gestures.point(body, "offset", self._bounds), float(hold)))

    async def gesture_double_click(self, request: Request) -> Response:
        body = await self._body(request)
        return await self._run(gestures.tap(gestures.point(body, "offset", self._bounds), times=2))

    async def gesture_drag(self, request: Request) -> Response:
        body = await self._body(request)
        if gestures.origin_id(body) is not None:  # from the element's centre
            start = gestures.point({"origin": body["origin"]}, "offset", self._bounds)
        else:
            start = gestures.point(body, "start", self._bounds)
        end = gestures.point({"offset": body.get("end")}, "offset", self._bounds)
        speed = float(body.get("speed") or gestures.DRAG_SPEED * self.device.display.density / 160)
        return await self._run(gestures.stroke(start, end, speed))

    async def gesture_swipe(self, request: Request) -> Response:
        body = await self._body(request)
        start, end = gestures.swipe_points(
            gestures.area(body, self._bounds), body.get("direction"), body.get("percent")
        )
        speed = float(body.get("speed") or gestures.SWIPE_SPEED * self.device.display.density / 160)
        return await self._run(gestures.stroke(start, end, speed))


def _keys_text(body: dict[str, Any]) -> str:
    text = body.get("text")
    if text is None and isinstance(body.get("value"), list):
        text = "".join(str(part) for part in body["value"])
    if not isinstance(text, str):
        raise invalid_argument("'text' must be a string")
    return text


def _attribute(found: Found, name: str) -> str | None:
    view = found.view
    flags: dict[str, bool] = {
        "checkable": view.checkable,
        "checked": view.checked,
        "clickable": view.clickable,
        "enabled": view.enabled,
        "focusable": view.focusable,
        "focused": view.focused,
        "long-clickable": view.long_clickable,
        "longClickable": view.long_clickable,
        "password": view.password,
        "scrollable": view.scrollable,
        "selected": view.selected,
        "displayed": view.visible,
    }
    if name in flags:
        return "true" if flags[name] else "false"
    left, top, right, bottom = view.bounds
    texts: dict[str, str] = {
        "text": view.text,
        "name": view.content_desc or view.text,
        "content-desc": view.content_desc,
        "contentDescription": view.content_desc,
        "resource-id": view.resource_id,
        "resourceId": view.resource_id,
        "class": view.class_name,
        "className": view.class_name,
        "package": found.window.package,
        "bounds": f"[{left},{top}][{right},{bottom}]",
        "hint": view.hint,
    }
    return texts.get(name)


def _png_base64(image: Any) -> str:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode("ascii")
