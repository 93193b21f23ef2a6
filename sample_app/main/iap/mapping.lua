-- Pure mapping from RuStore outcomes (channel payloads, game-server answers) to the IAP client
-- codes of CONTRACT.md §10. No side effects: the IAP layer logs and acts on what this returns.
local codes = require "main.iap.codes"

local M = {}

--- Decode a payload that may not be valid JSON (CONTRACT §2.14): nil when it is not.
function M.decode(value)
	if type(value) ~= "string" then return nil end
	local ok, data = pcall(json.decode, value)
	if ok and type(data) == "table" then return data end
	return nil
end

--- The exception class name in a failure payload: bare SimpleError, {cause = SimpleError}, or
--- found textually when the wrapper is broken JSON (raw ids with quotes).
function M.simple_name(value)
	local data = M.decode(value)
	if data then
		if type(data.cause) == "table" and data.cause.simpleName then return data.cause.simpleName end
		if data.simpleName then return data.simpleName end
	end
	if type(value) == "string" then
		return value:match('"simpleName"%s*:%s*"([^"]*)"')
	end
	return nil
end

--- rustore_check_purchases_available_success / _failure → nil when billing is available.
function M.availability(channel, value)
	if channel == "rustore_check_purchases_available_failure" then
		return codes.INAPP_INITIALIZED_ERROR
	end
	local data = M.decode(value)
	if data and data.isAvailable == true then return nil end
	return codes.for_exception(M.simple_name(value), codes.INAPP_INITIALIZED_ERROR)
end

--- rustore_on_purchase_product_success → kind, code, data
---   kind: "success" | "cancelled" | "remains" | "failure" | "invalid"
function M.purchase_result(value)
	local result = M.decode(value)
	if not result then return "failure", codes.INAPP_PURCHASE_ERROR, nil end
	local data = type(result.data) == "table" and result.data or {}
	if result.type == "Success" then
		return "success", nil, data
	elseif result.type == "Cancelled" then
		return "cancelled", codes.USER_CANCEL, data
	elseif result.type == "Failure" then
		if data.errorCode == 40010 then return "remains", codes.APP_STORE_REMAINS_PAYMENT, data end
		return "failure", codes.INAPP_PURCHASE_ERROR, data
	end
	return "invalid", codes.INAPP_PURCHASE_ERROR, data
end

--- Any *_failure channel of a billing call: the exception's own code, else `fallback`.
function M.call_failure(value, fallback)
	return codes.for_exception(M.simple_name(value), fallback)
end

function M.purchase_failure(value)
	return M.call_failure(value, codes.INAPP_PURCHASE_ERROR)
end

function M.confirm_failure(value)
	return codes.for_exception(M.simple_name(value), codes.INAPP_CONSUME_ERROR)
end

--- The game server's answer to POST /v1/purchases/validate → nil when the purchase is genuine.
function M.server_validate(response)
	if response.status == 0 then return codes.SERVER_NETWORK_FAIL end
	if response.status ~= 200 then return codes.IAP_SERVER_UNKNOWN_ERROR end
	local body = M.decode(response.response)
	if not body then return codes.IAP_RESPONSE_ON_FAILED end
	if body.code == 0 then return nil end
	if body.reason == "TOKEN_MISMATCH" then return codes.INAPP_VERIFY_SIGNATURE_ERROR end
	return codes.IAP_RESPONSE_ON_FAILED
end

--- The game server's own error code in its answer (1100, 5000, 5003…), for the log; nil when none.
function M.server_code(response)
	local body = M.decode(response.response)
	if body and type(body.code) == "number" and body.code ~= 0 then return math.floor(body.code) end
	return nil
end

--- The game server's answer to POST /v1/purchases/consume → nil when recorded.
function M.server_consume(response)
	if response.status == 0 then return codes.SERVER_NETWORK_FAIL end
	local body = M.decode(response.response)
	if response.status == 200 and body and body.code == 0 then return nil end
	return codes.INAPP_VERIFY_CONSUME_ERROR
end

return M
