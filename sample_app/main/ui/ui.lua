-- Screens: top menu (availability, products, purchases), products with a Buy per product,
-- purchases with Confirm / Delete / Info, a theme switch, an error-dialog switch, a status line.
-- Buttons are found by picking the node under the touch; dynamic rows are clones with ids.
local state = require "main.iap.state"
local codes = require "main.iap.codes"
local poco = require "bridge.poco"

local M = {}

local IAP = "main:/main#script"
local buttons = {} -- { id = node id string, action = function }
local rows = {} -- cloned row nodes of the current list
local screen = "menu"

local function request(action, id, value)
	msg.post(IAP, "iap_request", { action = action, id = id, value = value })
end

local function add_button(id, action)
	buttons[#buttons + 1] = { id = id, action = action }
end

local function clear_rows()
	for i = #rows, 1, -1 do
		-- rows[] lists each clone's root first; deleting a root removes its children too
		local ok = pcall(gui.get_id, rows[i])
		if ok then gui.delete_node(rows[i]) end
	end
	rows = {}
	local keep = {}
	for _, b in ipairs(buttons) do
		if not b.dynamic then keep[#keep + 1] = b end
	end
	buttons = keep
end

local function show(name)
	screen = name
	gui.set_enabled(gui.get_node("panel_products"), name == "products")
	gui.set_enabled(gui.get_node("panel_purchases"), name == "purchases")
end

local function product_text(p)
	return string.format("%s  %s", p.productId or "?", p.priceLabel or "")
end

local function purchase_text(p)
	return string.format("%s  %s", p.productId or "?", p.purchaseState or "?")
end

--- Clone the `ids[1]` subtree once per item; clone ids become "<id>_<key>" so tools can find them.
local function build_list(ids, items, key_of, text_of, step, row_buttons, label_id)
	local template = gui.get_node(ids[1])
	local base = gui.get_position(template)
	for i, item in ipairs(items) do
		local key = key_of(item)
		local clone = gui.clone_tree(template)
		for _, id in ipairs(ids) do
			local node = clone[hash(id)]
			gui.set_id(node, id .. "_" .. key)
			rows[#rows + 1] = node
		end
		local row = clone[hash(ids[1])]
		gui.set_enabled(row, true)
		gui.set_position(row, vmath.vector3(base.x, base.y - (i - 1) * step, base.z))
		gui.set_text(clone[hash(label_id)], text_of(item))
		for button_id, action in pairs(row_buttons) do
			buttons[#buttons + 1] = { id = button_id .. "_" .. key, dynamic = true, action = function() action(key) end }
		end
	end
end

local PRODUCT_ROW = { "product_row", "product_label", "btn_buy", "lbl_buy" }
local PURCHASE_ROW = { "purchase_row", "purchase_label", "btn_confirm", "lbl_confirm", "btn_delete", "lbl_delete",
	"btn_info", "lbl_info" }

local function refresh()
	gui.set_text(gui.get_node("status"), state.status or "")
	gui.set_text(gui.get_node("lbl_theme"), state.theme == 0 and "Theme: Dark" or "Theme: Light")
	gui.set_text(gui.get_node("lbl_errors"), state.error_dialogs and "Error dialogs: on" or "Error dialogs: off")
	local code = state.last_code
	gui.set_text(gui.get_node("last_code"), code and string.format("IAP %d %s", code, codes.NAMES[code] or "") or "")
	clear_rows()
	if screen == "products" then
		build_list(PRODUCT_ROW, state.products, function(p) return p.productId end, product_text, 110,
			{ btn_buy = function(id) request("buy", id) end }, "product_label")
	elseif screen == "purchases" then
		build_list(PURCHASE_ROW, state.purchases, function(p) return p.purchaseId end, purchase_text, 140, {
			btn_confirm = function(id) request("confirm", id) end,
			btn_delete = function(id) request("delete", id) end,
			btn_info = function(id) request("info", id) end,
		}, "purchase_label")
	end
end

--- The button under a point in action coordinates (the topmost enabled one), or nil.
function M.button_at(x, y)
	for i = #buttons, 1, -1 do
		local b = buttons[i]
		local ok, node = pcall(gui.get_node, b.id)
		if ok and gui.is_enabled(node, true) and gui.pick_node(node, x, y) then return b end
	end
	return nil
end

--- A tap in action coordinates: what a touch release or the bridge's Click does.
function M.click(x, y)
	local b = M.button_at(x, y)
	if b then
		print("ui: click " .. b.id)
		b.action()
		return b.id
	end
	return nil
end

function M.init(self)
	msg.post(".", "acquire_input_focus")
	add_button("btn_check", function() show("menu"); request("check") end)
	add_button("btn_products", function() show("products"); request("products"); refresh() end)
	add_button("btn_purchases", function() show("purchases"); request("purchases"); refresh() end)
	add_button("btn_theme", function() request("theme", nil, state.theme == 0 and 1 or 0) end)
	add_button("btn_errors", function() request("error_dialogs", nil, not state.error_dialogs) end)
	show("menu")
	refresh()
	if sys.get_engine_info().is_debug then
		poco.start(tonumber(sys.get_config("rustore_harness.bridge_port", "15004")), {
			root = "root",
			click = M.click,
		})
	end
end

function M.update(self, dt)
	poco.update()
end

function M.on_message(self, message_id, message, sender)
	if message_id == hash("iap_changed") then refresh() end
end

function M.on_input(self, action_id, action)
	if action_id == hash("touch") and action.released then
		return M.click(action.x, action.y) ~= nil
	end
	return false
end

function M.final(self)
	poco.stop()
end

return M
