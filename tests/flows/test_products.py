"""Products (§1.4, §2): the catalogue, a subset, unknown ids, > 100 ids, inactive, fields per type."""

from __future__ import annotations

ALL = ["con1", "con2", "non_con1", "non_con2", "sub1", "sub2"]
TYPES = {"CONSUMABLE": "con", "NON_CONSUMABLE": "non_con", "SUBSCRIPTION": "sub"}


def by_id(event):
    assert event.channel == "rustore_on_get_products_success", event.describe()
    return {p["productId"]: p for p in event.parsed}


def test_all_six_products_with_their_fields(billing, catalog):
    products = by_id(billing.products(ALL))
    assert sorted(products) == sorted(ALL)
    for pid, product in products.items():
        spec = catalog[pid]
        assert product["productType"] == spec["type"]
        assert product["productId"].startswith(TYPES[spec["type"]])
        assert product["price"] == spec["price"] and product["currency"] == spec["currency"]
        assert product["productStatus"] == "ACTIVE"
        assert product["title"] in {t["title"] for t in spec["localizations"].values()}
        assert product["priceLabel"] in {t["priceLabel"] for t in spec["localizations"].values()}
        assert product["imageUrl"] == spec["imageUrl"]
        if spec["type"] == "SUBSCRIPTION":
            sub = product["subscription"]
            for key, value in spec["subscription"].items():  # periods as {years, months, days}
                assert sub[key] == value, f"{pid}.subscription.{key}: {sub.get(key)!r} != {value!r}"
            intro = {t["introductoryPrice"] for t in spec["localizations"].values()}
            assert sub["introductoryPrice"] in intro, sub
        else:
            assert product.get("subscription") is None, product
    assert billing.game.status == "6 products"


def test_a_subset(billing, game_config):
    game_config({"rustore.product_ids": "con1,sub1"})
    assert sorted(by_id(billing.products(["con1", "sub1"]))) == ["con1", "sub1"]


def test_an_unknown_id_is_left_out(billing, game_config):
    game_config({"rustore.product_ids": "con1,no_such_product"})
    assert sorted(by_id(billing.products(["con1"]))) == ["con1"]


def test_more_than_100_ids_is_40001(billing, callbacks, game_config):
    game_config({"rustore.product_ids": ",".join(f"p{i}" for i in range(101))})
    event = billing.products()
    assert event.channel == "rustore_on_get_products_failure", event.describe()
    assert "40001" in event.raw
    assert callbacks.expect_iap(100, timeout=10).seq == event.seq  # RuStorePaymentNetworkException


def test_an_inactive_product_is_listed_inactive(billing, store, own_app):
    store.set_product("con2", app_id=own_app, status="INACTIVE")
    products = by_id(billing.products(["con1", "con2"]))
    assert products["con2"]["productStatus"] == "INACTIVE"
    assert products["con1"]["productStatus"] == "ACTIVE"
