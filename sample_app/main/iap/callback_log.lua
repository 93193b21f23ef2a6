-- Writes every RuStore callback to logcat in the harness's framed, chunked format
-- (docs/callback-log-format.md, version 1): byte-exact payloads that survive logcat's entry
-- limit and interleaving, readable as text by a person running `adb logcat -s RuStoreHarness`.
local M = {}

M.TAG = "RuStoreHarness"
M.MAX_CHUNK = 1800

local seq = 0

local CRC_TABLE = {}
for i = 0, 255 do
	local c = i
	for _ = 1, 8 do
		if bit.band(c, 1) == 1 then
			c = bit.bxor(bit.rshift(c, 1), 0xEDB88320)
		else
			c = bit.rshift(c, 1)
		end
	end
	CRC_TABLE[i] = c
end

--- CRC-32 (IEEE, zlib's) of a byte string as 8 lowercase hex digits.
function M.crc32(s)
	local crc = 0xFFFFFFFF
	for i = 1, #s do
		crc = bit.bxor(bit.rshift(crc, 8), CRC_TABLE[bit.band(bit.bxor(crc, s:byte(i)), 0xFF)])
	end
	return bit.tohex(bit.bxor(crc, 0xFFFFFFFF))
end

local ESCAPES = { ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r" }
local function escape(s)
	return (s:gsub("[\\\n\r]", ESCAPES))
end

local function write(message)
	if rustorecore and rustorecore.log_info then
		rustorecore.log_info(M.TAG, message)
	else
		print(M.TAG .. ": " .. message)
	end
end

--- Split a payload into pieces of at most MAX_CHUNK bytes, never before a UTF-8 continuation byte
--- when moving the cut back by up to 3 bytes avoids it.
function M.pieces(value)
	local len, off, out = #value, 0, {}
	repeat
		local stop = math.min(off + M.MAX_CHUNK, len)
		if stop < len then
			local back = 0
			while back < 3 do
				local b = value:byte(stop - back + 1)
				if b < 0x80 or b > 0xBF then break end
				back = back + 1
			end
			local b = value:byte(stop - back + 1)
			if b >= 0x80 and b <= 0xBF then back = 0 end
			if stop - back > off then stop = stop - back end
		end
		out[#out + 1] = { off = off, text = value:sub(off + 1, stop) }
		off = stop
	until off >= len
	return out
end

--- Log one callback; returns its sequence number.
function M.callback(channel, value)
	seq = seq + 1
	value = value or ""
	local len, crc = #value, M.crc32(value)
	local parts = M.pieces(value)
	for i, p in ipairs(parts) do
		write(string.format("cb seq=%d part=%d/%d off=%d len=%d crc=%s ch=%s |%s",
			seq, i, #parts, p.off, len, crc, channel, escape(p.text)))
	end
	return seq
end

--- Log one IAP code mapping; `cause_seq` is the callback that caused it (nil → "-").
function M.iap(code, name, cause_seq, extra)
	local line = string.format("iap code=%d name=%s seq=%s", code, name, cause_seq and tostring(cause_seq) or "-")
	if extra then line = line .. " " .. extra end
	write(line)
end

function M.reset_for_tests()
	seq = 0
end

return M
