-- The game's cross-store IAP layer, RuStore backend. Every RuStore callback is logged for the
-- harness (callback_log), every failure is mapped to an IAP client code (mapping, CONTRACT §10)
-- and logged once; a purchase is validated with the game's server before it is confirmed, and
-- the goods are delivered only once RuStore says CONSUMED (consumables) or CONFIRMED (others).
local codes = require "main.iap.codes"
local mapping = require "main.iap.mapping"
local callback_log = require "main.iap.callback_log"
local rustore = require "main.iap.rustore"
local server = require "main.iap.server"
local state = require "main.iap.state"

local M = {}

local notify = function() end
local flows = {} -- purchaseId → purchase being validated/confirmed
local handlers = {}
local INFO_RETRIES = 20 -- bounded: 20 looks 0.5 s apart, then the purchase is reported as 109
local INFO_RETRY_DELAY = 0.5

local function changed()
	notify()
end

local function status(text)
	state.status = text
	changed()
end

--- Log and show an IAP client code; `seq` is the callback that caused it (nil for none).
function M.report(code, seq, extra)
	state.last_code = code
	callback_log.iap(code, codes.NAMES[code] or "UNKNOWN", seq, extra)
	status(string.format("Error %d %s", code, codes.NAMES[code] or "UNKNOWN"))
end

local function finish_flight()
	state.in_flight = nil
end

--- A billing call; before init it never reaches the SDK (105).
local function call(name, ...)
	if not state.initialized or not rustore.available() then
		M.report(codes.IAP_INITIALIZED_ERROR, nil, "call=" .. name)
		return false
	end
	rustorebilling[name](...)
	return true
end

local function product_title(product_id)
	for _, p in ipairs(state.products) do
		if p.productId == product_id then return p.title or product_id end
	end
	return product_id
end

local function deliver(purchase)
	flows[purchase.purchaseId] = nil
	state.inventory[purchase.productId] = (state.inventory[purchase.productId] or 0) + 1
	if state.in_flight == purchase.productId then finish_flight() end
	status("Delivered " .. product_title(purchase.productId))
end

--- Settle first, then validate: ask RuStore for the purchase's state (refetching while a bank-app
--- payment still shows INVOICE_CREATED, CONTRACT §4 and §10 #8), and only once it is PAID or CONFIRMED
--- ask the game's server to validate it; the server would rightly answer "not paid" before that.
local function process_purchase(purchase, seq)
	purchase.seq = seq
	purchase.info_attempts = 0
	purchase.validated = false
	flows[purchase.purchaseId] = purchase
	status("Checking " .. tostring(purchase.productId) .. "…")
	call("get_purchase_info", purchase.purchaseId)
end

local function drop_flow(flow)
	flows[flow.purchaseId] = nil
	if state.in_flight == flow.productId then finish_flight() end
end

--- Log fields for a game-server outcome: where it came from and the server's own code, if any.
local function server_fields(response)
	local server_code = mapping.server_code(response)
	local fields = "src=server status=" .. tostring(response.status or 0)
	if server_code then fields = fields .. " server=" .. tostring(server_code) end
	return fields
end

--- The purchase is PAID (confirm it) or CONFIRMED (deliver it): validate with the server once, then act.
local function settled(flow, purchase_state)
	local act = function()
		if purchase_state == "PAID" then
			call("confirm_purchase", flow.purchaseId)
		else
			deliver(flow)
		end
	end
	if flow.validated then
		act()
		return
	end
	status("Validating " .. tostring(flow.productId) .. "…")
	server.validate(flow, function(response)
		if flows[flow.purchaseId] ~= flow then return end -- finished or replaced meanwhile
		local code = mapping.server_validate(response)
		if code then
			drop_flow(flow)
			M.report(code, flow.seq, server_fields(response))
			return
		end
		flow.validated = true
		act()
	end)
end

local function purchase_id_of(value)
	local data = mapping.decode(value)
	if data and data.purchaseId then return data.purchaseId end
	return value and value:match('"purchaseId"%s*:%s*"(.-)"%s*[,}]')
end

-- ---- channel handlers -------------------------------------------------------------------------
handlers.rustore_check_purchases_available_success = function(value, seq, channel)
	local code = mapping.availability(channel, value)
	state.available = code == nil
	if code then M.report(code, seq) else status("RuStore purchases are available") end
end
handlers.rustore_check_purchases_available_failure = handlers.rustore_check_purchases_available_success

handlers.rustore_on_get_products_success = function(value, seq)
	state.products = mapping.decode(value) or {}
	status(string.format("%d products", #state.products))
end

handlers.rustore_on_get_purchases_success = function(value, seq)
	state.purchases = mapping.decode(value) or {}
	if state.recovering then
		local product_id = state.recovering
		state.recovering = nil
		for _, p in ipairs(state.purchases) do
			if p.productId == product_id and p.purchaseState == "PAID" then process_purchase(p, seq) end
		end
		return
	end
	status(string.format("%d purchases", #state.purchases))
end

for _, name in ipairs({ "rustore_on_get_products_failure", "rustore_on_get_purchases_failure" }) do
	handlers[name] = function(value, seq)
		M.report(mapping.call_failure(value, codes.INAPP_PURCHASE_ERROR), seq)
	end
end

handlers.rustore_on_purchase_product_success = function(value, seq)
	local kind, code, data = mapping.purchase_result(value)
	if kind == "success" then
		process_purchase({
			purchaseId = data.purchaseId, productId = data.productId, invoiceId = data.invoiceId,
			subscriptionToken = data.subscriptionToken,
		}, seq)
		return
	end
	local product_id = state.in_flight
	finish_flight()
	M.report(code, seq)
	if kind == "remains" and product_id then
		-- An unconsumed PAID purchase blocks a new one: finish it, then ask to buy again.
		state.recovering = product_id
		call("get_purchases")
		status("Completing your previous payment — then buy again")
	end
end

handlers.rustore_on_purchase_product_failure = function(value, seq)
	finish_flight()
	M.report(mapping.purchase_failure(value), seq)
end

handlers.rustore_on_get_purchase_info_success = function(value, seq)
	local purchase = mapping.decode(value) or {}
	local flow = purchase.purchaseId and flows[purchase.purchaseId]
	if not flow then
		status(string.format("%s: %s", tostring(purchase.productId), tostring(purchase.purchaseState)))
		return
	end
	local st = purchase.purchaseState
	if st == "PAID" or st == "CONFIRMED" then
		settled(flow, st)
	elseif st == "CONSUMED" then
		deliver(flow)
	elseif st == "INVOICE_CREATED" and flow.info_attempts < INFO_RETRIES then
		-- the bank may settle a moment after the return (CONTRACT §4, §10 #8): look again shortly
		flow.info_attempts = flow.info_attempts + 1
		status("Waiting for the bank to settle " .. tostring(flow.productId) .. "…")
		timer.delay(INFO_RETRY_DELAY, false, function()
			if flows[flow.purchaseId] == flow then call("get_purchase_info", flow.purchaseId) end
		end)
	else
		drop_flow(flow)
		M.report(codes.INAPP_PURCHASE_ERROR, seq, "state=" .. tostring(st))
	end
end

handlers.rustore_on_get_purchase_info_failure = function(value, seq)
	local id = purchase_id_of(value)
	if id and flows[id] then
		flows[id] = nil
		finish_flight()
	end
	M.report(mapping.call_failure(value, codes.INAPP_PURCHASE_ERROR), seq)
end

handlers.rustore_on_confirm_purchase_success = function(value, seq)
	local id = purchase_id_of(value)
	local flow = id and flows[id]
	if not flow then
		status("Confirmed " .. tostring(id))
		return
	end
	deliver(flow) -- CONSUMED: the goods are the player's now
	server.consume(flow, function(response)
		local code = mapping.server_consume(response)
		if code then M.report(code, seq, server_fields(response)) end
	end)
end

handlers.rustore_on_confirm_purchase_failure = function(value, seq)
	local id = purchase_id_of(value)
	if id and flows[id] then flows[id] = nil end
	finish_flight()
	M.report(mapping.confirm_failure(value), seq)
end

handlers.rustore_on_delete_purchase_success = function(value, seq)
	status("Deleted " .. tostring(purchase_id_of(value)))
	call("get_purchases")
end

handlers.rustore_on_delete_purchase_failure = function(value, seq)
	local code = mapping.call_failure(value, nil)
	if code then M.report(code, seq) else status("Delete failed: " .. tostring(mapping.simple_name(value))) end
end

--- The single callback connected to every channel (rustorecore calls it as fn(self, channel, value)).
function M.on_callback(self, channel, value)
	local seq = callback_log.callback(channel, value)
	local handler = handlers[channel]
	if handler then handler(value, seq, channel) end
end

-- ---- requests from the UI -------------------------------------------------------------------------
function M.setup(on_change)
	notify = on_change or notify
	if not rustore.available() then
		status("RuStore billing plugin is not available on this platform")
		return false
	end
	local app_id = sys.get_config("rustore.app_id", "")
	if not app_id:match("^%d+$") then
		-- RuStore console ids are numbers: without one there is nothing to init, and every billing
		-- request is a call before init (105) rather than a request for somebody else's app.
		status("RuStore app id is not configured (rustore.app_id)")
		return false
	end
	rustore.start(M.on_callback, {
		theme = state.theme,
		error_dialogs = state.error_dialogs,
		app_id = app_id,
		scheme = sys.get_config("rustore.deeplink_scheme", ""),
		debug_logs = sys.get_config("rustore.debug_logs", "1") == "1",
	})
	state.initialized = true
	status("Ready")
	return true
end

function M.check_availability()
	call("check_purchases_availability")
end

function M.load_products()
	local ids = {}
	for id in string.gmatch(sys.get_config("rustore.product_ids", ""), "[^,%s]+") do ids[#ids + 1] = id end
	call("get_products", ids)
end

function M.load_purchases()
	call("get_purchases")
end

function M.buy(product_id)
	if state.in_flight then
		M.report(codes.IAP_IN_PROGRESS_ERROR, nil, "product=" .. tostring(product_id))
		return false
	end
	local params = json.encode({ quantity = 1, payload = "sample:" .. product_id })
	-- QA switch (game.project rustore_harness.purchase_params = omit): call the plugin without
	-- params, the way a careless integration does, to reproduce its crash (CONTRACT §9.11).
	local omit = sys.get_config("rustore_harness.purchase_params", "json") == "omit"
	local ok
	if omit then ok = call("purchase_product", product_id) else ok = call("purchase_product", product_id, params) end
	if ok then
		state.in_flight = product_id
		status("Buying " .. product_title(product_id) .. "…")
		return true
	end
	return false
end

function M.confirm(purchase_id)
	for _, p in ipairs(state.purchases) do
		if p.purchaseId == purchase_id then
			if p.purchaseState ~= "PAID" then
				status("Only PAID purchases wait for confirmation")
				return
			end
			process_purchase({ purchaseId = p.purchaseId, productId = p.productId,
				subscriptionToken = p.subscriptionToken, invoiceId = p.invoiceId }, nil)
			return
		end
	end
	status("Unknown purchase " .. tostring(purchase_id))
end

function M.delete(purchase_id)
	call("delete_purchase", purchase_id)
end

function M.info(purchase_id)
	call("get_purchase_info", purchase_id)
end

function M.set_theme(theme)
	state.theme = theme
	if state.initialized then rustorebilling.set_theme(theme) end
	changed()
end

function M.set_error_dialogs(flag)
	state.error_dialogs = flag
	if state.initialized then rustorebilling.set_error_handling(flag) end
	changed()
end

return M
