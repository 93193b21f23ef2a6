"""The sample game's IAP layer: every row of CONTRACT §10's mapping table, with a test-double
RuStore plugin (registered through the engine's extension hook) and a scripted game server."""

from __future__ import annotations

import json
import socket

import pytest

from harness.sim.defold.extensions import ExtensionModule

from .rustore_double import RuStoreDouble

PAID_INFO = {
    "purchaseId": "p-1",
    "productId": "con1",
    "purchaseState": "PAID",
    "subscriptionToken": "inv1.user",
}
SUCCESS = json.dumps(
    {
        "type": "Success",
        "data": {
            "invoiceId": "inv1",
            "productId": "con1",
            "purchaseId": "p-1",
            "sandbox": True,
            "subscriptionToken": "inv1.user",
        },
    }
)


def error(name: str, message: str = "boom") -> str:
    return json.dumps({"detailMessage": message, "simpleName": name})


def buy_scripted(plugin: RuStoreDouble, *emissions: tuple[str, str]) -> None:
    plugin.script["purchase_product"] = list(emissions)


def happy_plugin(info_state: str = "PAID") -> RuStoreDouble:
    plugin = RuStoreDouble()
    buy_scripted(plugin, ("rustore_on_purchase_product_success", SUCCESS))
    plugin.script["get_purchase_info"] = [
        ("rustore_on_get_purchase_info_success", json.dumps({**PAID_INFO, "purchaseState": info_state}))
    ]
    plugin.script["confirm_purchase"] = [("rustore_on_confirm_purchase_success", '{"purchaseId": "p-1"}')]
    return plugin


def test_init_order_and_happy_purchase_delivers_only_after_consumed(start_game, game_server):
    plugin = happy_plugin()
    game = start_game(plugin)
    names = [c[0] for c in plugin.calls]
    assert names[:3] == ["set_theme", "set_error_handling", "init"], "channels first, then theme/errors/init"
    assert plugin.calls[2][1] == ("2063590001", "rustoresample", True)
    connected = {ch for ch, _, _ in plugin._subscribers}
    assert len(connected) == 19 and "rustore_check_purchases_available_success" in connected
    game.request("buy", "con1")
    game.run(lambda: "Delivered" in game.status())
    calls = [c[0] for c in plugin.calls]
    assert calls[3:] == ["purchase_product", "get_purchase_info", "confirm_purchase"]
    assert plugin.calls[3][1][0] == "con1" and json.loads(plugin.calls[3][1][1]) == {
        "quantity": 1,
        "payload": "sample:con1",
    }
    game.settle(5)
    assert [path for path, _ in game_server.requests] == ["/v1/purchases/validate", "/v1/purchases/consume"]
    assert game_server.requests[0][1] == {
        "purchaseId": "p-1",
        "productId": "con1",
        "subscriptionToken": "inv1.user",
    }
    assert game.iap_lines() == []
    assert game.rt.eval_in("/main#script", 'return require("main.iap.state").inventory.con1') == 1


def test_non_consumable_confirmed_is_delivered_without_confirm(start_game):
    plugin = happy_plugin(info_state="CONFIRMED")
    game = start_game(plugin)
    game.request("buy", "con1")
    game.run(lambda: "Delivered" in game.status())
    assert "confirm_purchase" not in [c[0] for c in plugin.calls]


# (row, how the plugin answers, the action, the expected code and name)
ROWS = [
    (
        "network exception",
        {
            "get_products": [
                ("rustore_on_get_products_failure", error("RuStorePaymentNetworkException", "50001"))
            ]
        },
        "products",
        100,
        "NETWORK_TIMEOUT",
    ),
    (
        "unauthorized",
        {
            "check_purchases_availability": [
                (
                    "rustore_check_purchases_available_success",
                    '{"isAvailable": false, "cause": ' + error("RuStoreUserUnauthorizedException") + "}",
                )
            ]
        },
        "check",
        101,
        "AUTHORIZATION_ERROR",
    ),
    (
        "user banned",
        {
            "check_purchases_availability": [
                (
                    "rustore_check_purchases_available_success",
                    '{"isAvailable": false, "cause": ' + error("RuStoreUserBannedException") + "}",
                )
            ]
        },
        "check",
        101,
        "AUTHORIZATION_ERROR",
    ),
    (
        "app banned",
        {
            "purchase_product": [
                (
                    "rustore_on_purchase_product_failure",
                    '{"productId": "con1", "cause": ' + error("RuStoreApplicationBannedException") + "}",
                )
            ]
        },
        "buy",
        101,
        "AUTHORIZATION_ERROR",
    ),
    (
        "outdated",
        {
            "check_purchases_availability": [
                (
                    "rustore_check_purchases_available_success",
                    '{"isAvailable": false, "cause": ' + error("RuStoreOutdatedException") + "}",
                )
            ]
        },
        "check",
        102,
        "UNSUPPORTED_DEVICE",
    ),
    (
        "not installed",
        {
            "check_purchases_availability": [
                (
                    "rustore_check_purchases_available_success",
                    '{"isAvailable": false, "cause": ' + error("RuStoreNotInstalledException") + "}",
                )
            ]
        },
        "check",
        103,
        "UNSUPPORTED_MARKET",
    ),
    (
        "cancelled",
        {
            "purchase_product": [
                (
                    "rustore_on_purchase_product_success",
                    '{"type":"Cancelled","data":{"purchaseId":"p-1","sandbox":true}}',
                )
            ]
        },
        "buy",
        104,
        "USER_CANCEL",
    ),
    (
        "availability failure",
        {
            "check_purchases_availability": [
                ("rustore_check_purchases_available_failure", error("RuStoreException"))
            ]
        },
        "check",
        108,
        "INAPP_INITIALIZED_ERROR",
    ),
    (
        "Failure other code",
        {
            "purchase_product": [
                (
                    "rustore_on_purchase_product_success",
                    '{"type":"Failure","data":{"errorCode":40005,"sandbox":true}}',
                )
            ]
        },
        "buy",
        109,
        "INAPP_PURCHASE_ERROR",
    ),
    (
        "InvalidPaymentState",
        {
            "purchase_product": [
                ("rustore_on_purchase_product_success", '{"type":"InvalidPaymentState","data":{}}')
            ]
        },
        "buy",
        109,
        "INAPP_PURCHASE_ERROR",
    ),
    (
        "purchase failure channel, raw id breaking JSON",
        {
            "purchase_product": [
                (
                    "rustore_on_purchase_product_failure",
                    '{"productId": "con"1", "cause": ' + error("RuStorePaymentCommonException") + "}",
                )
            ]
        },
        "buy",
        109,
        "INAPP_PURCHASE_ERROR",
    ),
]


@pytest.mark.parametrize(("row", "script", "action", "code", "name"), ROWS, ids=[r[0] for r in ROWS])
def test_plugin_outcome_maps_to_iap_code(start_game, row, script, action, code, name):
    plugin = RuStoreDouble()
    plugin.script.update(script)
    game = start_game(plugin)
    game.request(action, "con1" if action == "buy" else None)
    game.run(lambda: bool(game.iap_lines()))
    game.settle(3)
    assert game.iap_lines() == [f"iap code={code} name={name} seq=1"]
    assert f"Error {code} {name}" == game.status()


def test_billing_call_before_init_is_105_without_an_sdk_call(start_game):
    plugin = RuStoreDouble()
    # rustorebilling is an empty table (as on a platform without the plugin): init never ran
    game = start_game(
        plugin, extensions={"rustorecore": plugin.core, "rustorebilling": lambda ctx: ExtensionModule({})}
    )
    game.request("buy", "con1")
    game.run(lambda: bool(game.iap_lines()))
    assert game.iap_lines() == ["iap code=105 name=IAP_INITIALIZED_ERROR seq=- call=purchase_product"]


@pytest.mark.parametrize(
    ("status", "body", "code", "name"),
    [
        (500, {"code": 9000, "type": "INTERNAL_ERROR"}, 106, "IAP_SERVER_UNKNOWN_ERROR"),
        (200, {"code": 5000, "type": "CONSUME_FAILED", "reason": "NOT_PAID"}, 107, "IAP_RESPONSE_ON_FAILED"),
        (
            200,
            {"code": 5000, "type": "CONSUME_FAILED", "reason": "TOKEN_MISMATCH"},
            110,
            "INAPP_VERIFY_SIGNATURE_ERROR",
        ),
        (200, "not json", 107, "IAP_RESPONSE_ON_FAILED"),
    ],
    ids=["106-non-200", "107-failure-body", "110-token-mismatch", "107-not-json"],
)
def test_server_validation_outcomes(start_game, game_server, status, body, code, name):
    plugin = happy_plugin()
    game_server.answers["/v1/purchases/validate"] = (status, body)
    game = start_game(plugin)
    game.request("buy", "con1")
    game.run(lambda: bool(game.iap_lines()))
    server = f" server={body['code']}" if isinstance(body, dict) else ""  # the server's own code, logged
    assert game.iap_lines() == [f"iap code={code} name={name} seq=1 src=server status={status}{server}"]
    assert "confirm_purchase" not in [c[0] for c in plugin.calls], "never confirm an unvalidated purchase"
    assert game.rt.eval_in("/main#script", 'return require("main.iap.state").inventory.con1') is None


def test_server_unreachable_is_113(start_game):
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    port = dead.getsockname()[1]
    dead.close()
    game = start_game(happy_plugin(), config={"rustore_harness.game_server_url": f"http://127.0.0.1:{port}"})
    game.request("buy", "con1")
    game.run(lambda: bool(game.iap_lines()))
    assert game.iap_lines() == ["iap code=113 name=SERVER_NETWORK_FAIL seq=1 src=server status=0"]


def test_confirm_failure_is_111(start_game):
    plugin = happy_plugin()
    plugin.script["confirm_purchase"] = [
        (
            "rustore_on_confirm_purchase_failure",
            '{"purchaseId": "p-1", "cause": ' + error("RuStoreException") + "}",
        )
    ]
    game = start_game(plugin)
    game.request("buy", "con1")
    game.run(lambda: bool(game.iap_lines()))
    # seq: 1 purchase result, 2 purchase info, 3 confirm failure
    assert game.iap_lines() == ["iap code=111 name=INAPP_CONSUME_ERROR seq=3"]
    assert game.rt.eval_in("/main#script", 'return require("main.iap.state").inventory.con1') is None


def test_server_refusing_consumption_is_112_after_delivery(start_game, game_server):
    game_server.answers["/v1/purchases/consume"] = (
        200,
        {"code": 5000, "type": "CONSUME_FAILED", "reason": "NOT_VALIDATED"},
    )
    game = start_game(happy_plugin())
    game.request("buy", "con1")
    game.run(lambda: bool(game.iap_lines()))
    line = "iap code=112 name=INAPP_VERIFY_CONSUME_ERROR seq=3 src=server status=200 server=5000"
    assert game.iap_lines() == [line]
    assert game.rt.eval_in("/main#script", 'return require("main.iap.state").inventory.con1') == 1


def test_remaining_paid_purchase_is_116_then_completed(start_game):
    plugin = happy_plugin()
    buy_scripted(
        plugin,
        (
            "rustore_on_purchase_product_success",
            '{"type":"Failure","data":{"errorCode":40010,"productId":"con1","sandbox":true}}',
        ),
    )
    plugin.script["get_purchases"] = [
        (
            "rustore_on_get_purchases_success",
            json.dumps([PAID_INFO, {**PAID_INFO, "purchaseId": "p-other", "productId": "con2"}]),
        )
    ]
    game = start_game(plugin)
    game.request("buy", "con1")
    game.run(lambda: "Delivered" in game.status())
    assert game.iap_lines() == ["iap code=116 name=APP_STORE_REMAINS_PAYMENT seq=1"]
    assert [c for c in plugin.calls if c[0] == "confirm_purchase"] == [("confirm_purchase", ("p-1",))]


def test_second_purchase_while_one_is_in_flight_is_117_without_sdk_call(start_game):
    plugin = RuStoreDouble()  # the first purchase never answers: it stays in flight
    game = start_game(plugin)
    game.request("buy", "con1")
    game.request("buy", "con2")
    game.settle(3)
    assert [c[1][0] for c in plugin.calls if c[0] == "purchase_product"] == ["con1"]
    assert game.iap_lines() == ["iap code=117 name=IAP_IN_PROGRESS_ERROR seq=- product=con2"]


def test_theme_and_error_dialog_switches_reach_the_plugin(start_game):
    plugin = RuStoreDouble()
    game = start_game(plugin)
    scene = game.rt.scenes()[0]
    for button in ("btn_theme", "btn_errors"):
        cx, cy = scene.screen_rect(scene.by_id(button).nid, game.rt.screen_size).center
        game.rt.tap(cx, game.rt.screen_size[1] - cy)
        game.settle(3)
    assert ("set_theme", (1,)) in plugin.calls and ("set_error_handling", (False,)) in plugin.calls
    texts = game.rt.eval_in(
        "/main#gui",
        'return gui.get_text(gui.get_node("lbl_theme")) .. "|" .. gui.get_text(gui.get_node("lbl_errors"))',
    )
    assert texts == "Theme: Light|Error dialogs: off"


def tap_node(game, node_id: str) -> None:
    scene = game.rt.scenes()[0]
    node = scene.by_id(node_id)
    assert node is not None and scene.effective_enabled(node.nid), node_id
    cx, cy = scene.screen_rect(node.nid, game.rt.screen_size).center
    game.rt.tap(cx, game.rt.screen_size[1] - cy)
    game.settle(3)


def test_purchases_screen_confirm_delete_info_buttons(start_game, game_server):
    plugin = happy_plugin()
    paid = {**PAID_INFO, "purchaseId": "p-1"}
    confirmed = {**PAID_INFO, "purchaseId": "p-2", "productId": "non_con1", "purchaseState": "CONFIRMED"}
    plugin.script["get_purchases"] = [("rustore_on_get_purchases_success", json.dumps([paid, confirmed]))]
    plugin.script["delete_purchase"] = [("rustore_on_delete_purchase_success", '{"purchaseId": "p-2"}')]
    game = start_game(plugin)
    tap_node(game, "btn_purchases")
    labels = game.rt.eval_in(
        "/main#gui",
        'return gui.get_text(gui.get_node("purchase_label_p-1")) .. "|" .. '
        'gui.get_text(gui.get_node("purchase_label_p-2"))',
    )
    assert labels == "con1  PAID|non_con1  CONFIRMED"

    tap_node(game, "btn_info_p-2")
    assert plugin.calls[-1] == ("get_purchase_info", ("p-2",))

    tap_node(game, "btn_confirm_p-1")  # validated with the server first, then confirmed, delivered
    game.run(lambda: "Delivered" in game.status())
    assert [p for p, _ in game_server.requests][:1] == ["/v1/purchases/validate"]
    assert ("confirm_purchase", ("p-1",)) in plugin.calls

    tap_node(game, "btn_delete_p-2")
    assert ("delete_purchase", ("p-2",)) in plugin.calls
    assert game.iap_lines() == []
