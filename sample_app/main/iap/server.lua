-- The game's own server (sample_app/server): purchase validation before confirm, consumption
-- after delivery. Plain JSON over http.request.
local M = {}

local function url(path)
	local base = sys.get_config("rustore_harness.game_server_url", "http://127.0.0.1:8980")
	return (base:gsub("/+$", "")) .. path
end

local HEADERS = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }

function M.validate(purchase, callback)
	local body = json.encode({
		purchaseId = purchase.purchaseId,
		productId = purchase.productId,
		subscriptionToken = purchase.subscriptionToken,
	})
	http.request(url("/v1/purchases/validate"), "POST", function(self, _, response)
		callback(response)
	end, HEADERS, body, { timeout = 15 })
end

function M.consume(purchase, callback)
	local body = json.encode({ purchaseId = purchase.purchaseId, subscriptionToken = purchase.subscriptionToken })
	http.request(url("/v1/purchases/consume"), "POST", function(self, _, response)
		callback(response)
	end, HEADERS, body, { timeout = 15 })
end

return M
