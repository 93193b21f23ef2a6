"""The billing API the virtual RuStore SDK calls (one route per SDK operation).

Every call names the console application id and the RuStore user id. Errors are
``{"errorCode", "message", "simpleName"}`` with the HTTP status of CONTRACT §5.1.
"""

from __future__ import annotations

from fastapi import APIRouter, Query

from .control_store import Sandbox
from .schemas import (
    AvailabilityResult,
    Caller,
    ConfirmRequest,
    CreatePurchaseRequest,
    CreatePurchaseResult,
    ErrorBody,
    PayRequest,
    PayResult,
    ProductsRequest,
    ProductsResult,
    Purchase,
    PurchasesResult,
)

ERRORS = {
    400: {"model": ErrorBody, "description": "A §5.1 errorCode (40001-40018)"},
    403: {"model": ErrorBody, "description": "Payments unavailable: simpleName of the exception"},
    404: {"model": ErrorBody, "description": "40401: no such purchase for this user"},
    409: {"model": ErrorBody, "description": "40015: the state machine refuses this change"},
    500: {"model": ErrorBody, "description": "50xxx: forced internal error"},
}


def build_router(sandbox: Sandbox) -> APIRouter:
    router = APIRouter(prefix="/billing/v1", tags=["billing (virtual SDK)"], responses=ERRORS)  # type: ignore[arg-type]

    @router.post("/availability", summary="checkPurchasesAvailability: user/app flags")
    def availability(req: Caller) -> AvailabilityResult:
        return sandbox.availability(req.appId, req.userId)

    @router.post("/products", summary="getProducts: products by ids (at most 100)")
    def products(req: ProductsRequest) -> ProductsResult:
        return ProductsResult(products=sandbox.products(req.appId, req.userId, req.productIds, req.language))

    @router.post("/purchases", summary="purchaseProduct: create a purchase and its invoice")
    def create_purchase(req: CreatePurchaseRequest) -> CreatePurchaseResult:
        return sandbox.create_purchase(req)

    @router.get("/purchases", summary="getPurchases: the purchases that need attention or are owned")
    def list_purchases(
        app_id: str = Query(alias="appId", min_length=1), user_id: str = Query(alias="userId", min_length=1)
    ) -> PurchasesResult:
        return PurchasesResult(purchases=sandbox.purchases(app_id, user_id))

    @router.get("/purchases/{purchase_id}", summary="getPurchaseInfo")
    def purchase_info(
        purchase_id: str,
        app_id: str = Query(alias="appId", min_length=1),
        user_id: str = Query(alias="userId", min_length=1),
    ) -> Purchase:
        return sandbox.purchase_info(purchase_id, app_id, user_id)

    @router.post("/purchases/{purchase_id}/pay", summary="The payment sheet: pay the invoice with a method")
    def pay(purchase_id: str, req: PayRequest) -> PayResult:
        return sandbox.pay(purchase_id, req)

    @router.post("/purchases/{purchase_id}/confirm", summary="confirmPurchase: PAID consumable -> CONSUMED")
    def confirm(purchase_id: str, req: ConfirmRequest) -> Purchase:
        return sandbox.confirm(purchase_id, req.appId, req.userId, req.developerPayload)

    @router.post("/purchases/{purchase_id}/delete", summary="deletePurchase: cancel an unfinished purchase")
    def delete(purchase_id: str, req: Caller) -> Purchase:
        return sandbox.delete(purchase_id, req.appId, req.userId)

    return router
