"""The console's catalog (apps, products, default user flags) read from ``sample_app/products.yaml``.

Loading is an upsert: descriptive fields follow the file, while flags a test changed through the
control API (product inactive/deleted, app banned) survive a restart on the same database.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_CATALOG = Path(__file__).resolve().parents[3] / "sample_app" / "products.yaml"
DEFAULT_LANGUAGE = "ru-RU"


@dataclass(frozen=True)
class UserDefaults:
    tester: bool = True
    banned: bool = False
    authorized: bool = True


def read_catalog(path: Path | None) -> dict[str, Any]:
    source = path or DEFAULT_CATALOG
    with open(source, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict) or not data.get("apps"):
        raise ValueError(f"{source}: a catalog needs at least one app")
    return data


def load_catalog(conn: sqlite3.Connection, data: dict[str, Any]) -> UserDefaults:
    """Upsert the catalog's apps and products (every product belongs to every listed app)."""
    apps = data["apps"]
    default_ids = [str(a["appId"]) for a in apps if a.get("default")] or [str(apps[0]["appId"])]
    for app in apps:
        conn.execute(
            """INSERT INTO apps (app_id, package_name, name, owner_code, owner_name, image_url,
                                 active, purchases_enabled, banned, is_default)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (app_id) DO UPDATE SET package_name=excluded.package_name,
                   name=excluded.name, owner_code=excluded.owner_code,
                   owner_name=excluded.owner_name, image_url=excluded.image_url,
                   is_default=excluded.is_default""",
            (
                str(app["appId"]),
                app["packageName"],
                app.get("name", app["packageName"]),
                str(app.get("ownerCode", "0")),
                app.get("ownerName", ""),
                app.get("imageUrl"),
                int(app.get("active", True)),
                int(app.get("purchasesEnabled", True)),
                int(app.get("banned", False)),
                int(str(app["appId"]) == default_ids[0]),
            ),
        )
        for product in data.get("products", []):
            upsert_product(conn, str(app["appId"]), product, keep_flags=True)
    users = data.get("users") or {}
    return UserDefaults(
        tester=bool(users.get("tester", True)),
        banned=bool(users.get("banned", False)),
        authorized=bool(users.get("authorized", True)),
    )


def upsert_product(
    conn: sqlite3.Connection, app_id: str, product: dict[str, Any], *, keep_flags: bool
) -> None:
    descriptive = {
        key: product.get(key) for key in ("imageUrl", "promoImageUrl", "localizations", "subscription")
    }
    flags_sql = "" if keep_flags else ", status=excluded.status, deleted=excluded.deleted"
    conn.execute(
        f"""INSERT INTO products (app_id, product_id, product_type, price, currency, status, deleted, data)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (app_id, product_id) DO UPDATE SET product_type=excluded.product_type,
                price=excluded.price, currency=excluded.currency, data=excluded.data{flags_sql}""",
        (
            app_id,
            str(product["productId"]),
            str(product["type"]),
            int(product["price"]),
            product.get("currency", "RUB"),
            product.get("status", "ACTIVE"),
            int(bool(product.get("deleted", False))),
            json.dumps(descriptive, ensure_ascii=False),
        ),
    )


def localized(data: dict[str, Any], language: str | None) -> tuple[str, dict[str, str]]:
    """The language actually served and its texts (falls back to ru-RU, then to any)."""
    locs: dict[str, dict[str, str]] = data.get("localizations") or {}
    for lang in (language, DEFAULT_LANGUAGE):
        if lang and lang in locs:
            return lang, locs[lang]
    if locs:
        lang = next(iter(locs))
        return lang, locs[lang]
    return language or DEFAULT_LANGUAGE, {}


def format_amount(kopecks: int, currency: str, language: str) -> str:
    """A price label in the style of the catalog's priceLabel ("49 ₽" / "RUB 49.00")."""
    rubles, kop = divmod(kopecks, 100)
    if language.startswith("ru"):
        symbol = "₽" if currency == "RUB" else currency
        whole = f"{rubles:,}".replace(",", "\u00a0")
        return f"{whole} {symbol}" if kop == 0 else f"{whole},{kop:02d} {symbol}"
    return f"{currency} {rubles:,}.{kop:02d}"
