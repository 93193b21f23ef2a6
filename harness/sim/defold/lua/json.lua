-- json.encode with the behaviour of Defold's lua-cjson based encoder:
-- compact output, "/" escaped as "\/", control characters as \u00XX, non-ASCII bytes passed
-- through untouched, numbers with "%.14g", a table whose keys are all positive integers is an
-- array (holes become null, excessively sparse arrays are an error), an empty table is "{}".
-- json.decode is done by the Python engine (`py.json_decode`).
local py, engine = ...

json = {}
json.null = newproxy(false)

local ESCAPES = {
    ['"'] = '\\"', ["\\"] = "\\\\", ["/"] = "\\/", ["\b"] = "\\b", ["\f"] = "\\f",
    ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
}
local function escape_char(c)
    return ESCAPES[c] or string.format("\\u%04x", string.byte(c))
end
local function encode_string(s)
    return '"' .. string.gsub(s, '[%c"\\/]', escape_char) .. '"'
end

local function encode_number(n)
    if n ~= n or n == math.huge or n == -math.huge then
        error("Cannot serialise number: must not be NaN or Infinity", 0)
    end
    return string.format("%.14g", n)
end

local function array_length(t)
    local max, items = 0, 0
    for k in pairs(t) do
        if type(k) == "number" and k > 0 and math.floor(k) == k then
            if k > max then max = k end
            items = items + 1
        else
            return -1
        end
    end
    if max > items * 2 and max > 10 then
        error("Cannot serialise table: excessively sparse array", 0)
    end
    return max
end

local encode_value
local function encode_table(t, depth, out, empty_as_object)
    if depth > 1000 then error("Cannot serialise, excessive nesting (" .. depth .. ")", 0) end
    local n = array_length(t)
    if n == 0 and empty_as_object then
        out[#out + 1] = "{}"
        return
    end
    if n >= 0 then
        out[#out + 1] = "["
        for i = 1, n do
            if i > 1 then out[#out + 1] = "," end
            encode_value(t[i], depth + 1, out, empty_as_object)
        end
        out[#out + 1] = "]"
        return
    end
    out[#out + 1] = "{"
    local first = true
    for k, v in pairs(t) do
        if not first then out[#out + 1] = "," end
        first = false
        if type(k) == "string" then
            out[#out + 1] = encode_string(k)
        elseif type(k) == "number" then
            out[#out + 1] = '"' .. encode_number(k) .. '"'
        else
            error("Cannot serialise " .. type(k) .. ": table key must be a number or string", 0)
        end
        out[#out + 1] = ":"
        encode_value(v, depth + 1, out, empty_as_object)
    end
    out[#out + 1] = "}"
end

encode_value = function(v, depth, out, empty_as_object)
    local tv = type(v)
    if tv == "string" then out[#out + 1] = encode_string(v)
    elseif tv == "number" then out[#out + 1] = encode_number(v)
    elseif tv == "boolean" then out[#out + 1] = v and "true" or "false"
    elseif v == nil or v == json.null then out[#out + 1] = "null"
    elseif tv == "table" then encode_table(v, depth, out, empty_as_object)
    else error("Cannot serialise " .. tv .. ": type not supported", 0) end
end

function json.encode(value, options)
    local empty_as_object = true
    if type(options) == "table" and options.encode_empty_table_as_object == false then empty_as_object = false end
    local out = {}
    local ok, err = pcall(encode_value, value, 1, out, empty_as_object)
    if not ok then error(err, 2) end
    return table.concat(out)
end

function json.decode(text, options)
    if text == nil then error("json.decode requires one argument.", 2) end
    if type(text) ~= "string" then error("bad argument #1 to 'decode' (string expected, got " .. type(text) .. ")", 2) end
    local null_as_userdata = type(options) == "table" and options.decode_null_as_userdata == true
    local ok, value, err = py.json_decode(text, null_as_userdata)
    if not ok then error(err, 2) end
    return value
end
