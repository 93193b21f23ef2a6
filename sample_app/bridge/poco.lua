-- An in-game Poco SDK for Defold (debug builds only): serves Poco's "std" protocol on a device
-- port so pocoui's StdPoco and AirtestIDE's inspector can drive the game through `adb forward`.
-- Methods: Dump(onlyVisibleNode), GetScreenSize(), GetSDKVersion(), Screenshot(width),
-- Click(x, y) with x, y as fractions of the screen (y down).
-- Runs inside the GUI script's update(): non-blocking LuaSocket, partial sends carried over.
local protocol = require "bridge.protocol"
local dump = require "bridge.dump"
local base64 = require "bridge.base64"

local M = { VERSION = "defold-poco-std-1.0" }

local server
local clients = {}
local options = {}

function M.start(port, opts)
	options = opts or {}
	local err
	server, err = socket.bind("*", port or 15004)
	if not server then
		print("poco: cannot listen on port " .. tostring(port) .. ": " .. tostring(err))
		return false
	end
	server:settimeout(0)
	local _, bound = server:getsockname()
	print("poco: listening on port " .. tostring(bound))
	return true
end

local function clickable(name)
	return options.is_clickable and options.is_clickable(name) or name:match("^btn_") ~= nil
end

local METHODS = {}

METHODS.Dump = function(only_visible)
	return dump.tree(options.root or "root", only_visible ~= false, clickable)
end

METHODS.GetScreenSize = function()
	local w, h = window.get_size()
	return { w, h }
end

METHODS.GetSDKVersion = function()
	return M.VERSION
end

METHODS.Screenshot = function(width)
	if not (screenshot and screenshot.png) then error("the screenshot extension is not in this build") end
	local png = screenshot.png()
	return { base64.encode(png), "png" }
end

METHODS.Click = function(x, y)
	local gx, gy = x * gui.get_width(), (1 - y) * gui.get_height()
	local hit = options.click and options.click(gx, gy)
	return hit ~= nil
end

local function handle(text)
	local ok, request = pcall(json.decode, text)
	if not ok or type(request) ~= "table" then return protocol.error(json.null, -32700, "Parse error") end
	local method = METHODS[request.method or ""]
	if not method then return protocol.error(request.id, -32601, "Method not found: " .. tostring(request.method)) end
	local params = request.params or {}
	local called, result = pcall(method, unpack(params))
	if not called then return protocol.error(request.id, -32000, tostring(result)) end
	return protocol.result(request.id, result)
end

local function serve(client)
	local data, err, partial = client.sock:receive(65536)
	local chunk = data or partial
	if chunk and #chunk > 0 then client.inbox = client.inbox .. chunk end
	if err == "closed" then return false end
	local frames
	frames, client.inbox = protocol.unpack(client.inbox)
	for _, frame in ipairs(frames) do
		client.outbox = client.outbox .. protocol.pack(handle(frame))
	end
	if #client.outbox > 0 then
		local sent, send_err, last = client.sock:send(client.outbox)
		local done = sent or last or 0
		client.outbox = client.outbox:sub(done + 1)
		if send_err == "closed" then return false end
	end
	return true
end

function M.update()
	if not server then return end
	while true do
		local sock = server:accept()
		if not sock then break end
		sock:settimeout(0)
		clients[#clients + 1] = { sock = sock, inbox = "", outbox = "" }
	end
	for i = #clients, 1, -1 do
		if not serve(clients[i]) then
			clients[i].sock:close()
			table.remove(clients, i)
		end
	end
end

function M.stop()
	for _, c in ipairs(clients) do c.sock:close() end
	clients = {}
	if server then server:close() end
	server = nil
end

return M
