-- Base64 (RFC 4648) for the bridge's Screenshot answer; Defold has no built-in encoder.
local M = {}
local ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local CHARS = {}
for i = 1, 64 do CHARS[i - 1] = ALPHABET:sub(i, i) end

function M.encode(data)
	local out, n = {}, #data
	for i = 1, n, 3 do
		local a, b, c = data:byte(i, i + 2)
		local v = a * 65536 + (b or 0) * 256 + (c or 0)
		local c1, c2 = bit.rshift(v, 18), bit.band(bit.rshift(v, 12), 63)
		local c3, c4 = bit.band(bit.rshift(v, 6), 63), bit.band(v, 63)
		out[#out + 1] = CHARS[c1] .. CHARS[c2] .. (b and CHARS[c3] or "=") .. (c and CHARS[c4] or "=")
	end
	return table.concat(out)
end

return M
