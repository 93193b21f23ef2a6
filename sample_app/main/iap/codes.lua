-- The IAP client error codes of the cross-store IAP layer (CONTRACT.md §5.3 / §10).
local M = {
	NETWORK_TIMEOUT = 100,
	AUTHORIZATION_ERROR = 101,
	UNSUPPORTED_DEVICE = 102,
	UNSUPPORTED_MARKET = 103,
	USER_CANCEL = 104,
	IAP_INITIALIZED_ERROR = 105,
	IAP_SERVER_UNKNOWN_ERROR = 106,
	IAP_RESPONSE_ON_FAILED = 107,
	INAPP_INITIALIZED_ERROR = 108,
	INAPP_PURCHASE_ERROR = 109,
	INAPP_VERIFY_SIGNATURE_ERROR = 110,
	INAPP_CONSUME_ERROR = 111,
	INAPP_VERIFY_CONSUME_ERROR = 112,
	SERVER_NETWORK_FAIL = 113,
	APP_STORE_REMAINS_PAYMENT = 116,
	IAP_IN_PROGRESS_ERROR = 117,
}

M.NAMES = {}
for name, code in pairs(M) do
	if type(code) == "number" then M.NAMES[code] = name end
end

--- RuStore exception simpleName → client code (nil when the exception has no code of its own).
local BY_EXCEPTION = {
	RuStorePaymentNetworkException = M.NETWORK_TIMEOUT,
	RuStoreUserUnauthorizedException = M.AUTHORIZATION_ERROR,
	RuStoreUserBannedException = M.AUTHORIZATION_ERROR,
	RuStoreApplicationBannedException = M.AUTHORIZATION_ERROR,
	RuStoreOutdatedException = M.UNSUPPORTED_DEVICE,
	RuStoreNotInstalledException = M.UNSUPPORTED_MARKET,
}

function M.for_exception(simple_name, fallback)
	return BY_EXCEPTION[simple_name or ""] or fallback
end

return M
