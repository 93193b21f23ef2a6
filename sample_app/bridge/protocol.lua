-- Poco "std" wire format: each message is a 4-byte little-endian length, then UTF-8 JSON-RPC 2.0.
local M = {}

function M.pack(text)
	local n = #text
	return string.char(n % 256, math.floor(n / 256) % 256, math.floor(n / 65536) % 256,
		math.floor(n / 16777216) % 256) .. text
end

--- Take every complete frame out of `buffer`; returns frames, rest.
function M.unpack(buffer)
	local frames = {}
	while #buffer >= 4 do
		local b1, b2, b3, b4 = buffer:byte(1, 4)
		local n = b1 + b2 * 256 + b3 * 65536 + b4 * 16777216
		if #buffer < 4 + n then break end
		frames[#frames + 1] = buffer:sub(5, 4 + n)
		buffer = buffer:sub(5 + n)
	end
	return frames, buffer
end

function M.result(id, result)
	return json.encode({ jsonrpc = "2.0", id = id, result = result })
end

function M.error(id, code, message)
	return json.encode({ jsonrpc = "2.0", id = id, error = { code = code, message = message } })
end

return M
