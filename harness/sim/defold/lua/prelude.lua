-- The engine-side Lua of the virtual Defold runtime: the parts of Defold's script API that are
-- pure Lua values (hash, vmath, url, node handles) and thin wrappers that turn them into plain
-- strings and numbers before calling the Python engine (`py`). Keeping userdata handling here
-- means the Python side never has to interpret Lua objects.
local py = ...

local rawget, rawset, setmetatable, getmetatable, type, tostring, error, pairs, ipairs, select =
      rawget, rawset, setmetatable, getmetatable, type, tostring, error, pairs, ipairs, select

-- The host must never be reachable from game code: no processes, no host files.
os.execute, os.exit, os.remove, os.rename, os.tmpname, os.getenv = nil, nil, nil, nil, nil, nil
io = nil
loadfile, dofile = nil, nil
package.loadlib = nil
package.cpath = ""
package.path = ""

local engine = {}

---------------------------------------------------------------------------------------------
-- hash: interned userdata, so `hash("a") == hash("a")` and hashes work as table keys.
---------------------------------------------------------------------------------------------
local HASH_PROTO = newproxy(true)
local hash_mt = getmetatable(HASH_PROTO)
local hash_names = setmetatable({}, { __mode = "k" })
local hash_cache = {}
hash_mt.__tostring = function(h) return "hash: [" .. hash_names[h] .. "]" end
hash_mt.__concat = function(a, b) return tostring(a) .. tostring(b) end

local function is_hash(v) return type(v) == "userdata" and hash_names[v] ~= nil end

function hash(s)
    if is_hash(s) then return s end
    if type(s) == "number" then s = tostring(s) end
    if type(s) ~= "string" then
        error("bad argument #1 to 'hash' (string expected, got " .. type(s) .. ")", 2)
    end
    local h = hash_cache[s]
    if h == nil then
        h = newproxy(HASH_PROTO)
        hash_names[h] = s
        hash_cache[s] = h
    end
    return h
end

function hash_to_hex(h)
    if not is_hash(h) then error("bad argument #1 to 'hash_to_hex' (hash expected)", 2) end
    return py.hash_hex(hash_names[h])
end

function engine.hash_name(h)
    if is_hash(h) then return hash_names[h] end
    return nil
end
engine.is_hash = is_hash

local function id_string(v, what)
    if type(v) == "string" then return v end
    if is_hash(v) then return hash_names[v] end
    error((what or "id") .. " must be a string or a hash", 3)
end

---------------------------------------------------------------------------------------------
-- vmath: vector3 / vector4 as userdata with arithmetic.
---------------------------------------------------------------------------------------------
vmath = {}
local vec_data = setmetatable({}, { __mode = "k" })
local V3_PROTO, V4_PROTO = newproxy(true), newproxy(true)
local v3_mt, v4_mt = getmetatable(V3_PROTO), getmetatable(V4_PROTO)
local V3_FIELDS = { x = 1, y = 2, z = 3 }
local V4_FIELDS = { x = 1, y = 2, z = 3, w = 4 }

local function new_vec(proto, a, b, c, d)
    local u = newproxy(proto)
    vec_data[u] = { a, b, c, d }
    return u
end
local function is_v3(v) return type(v) == "userdata" and getmetatable(v) == v3_mt end
local function is_v4(v) return type(v) == "userdata" and getmetatable(v) == v4_mt end
engine.is_v3, engine.is_v4 = is_v3, is_v4

local function fmt(n)
    return string.format("%g", n)
end

local function define_vector(mt, proto, fields, n, name)
    mt.__index = function(v, k)
        local i = fields[k]
        if i then return vec_data[v][i] end
        error(name .. " has no field '" .. tostring(k) .. "'", 2)
    end
    mt.__newindex = function(v, k, value)
        local i = fields[k]
        if not i then error(name .. " has no field '" .. tostring(k) .. "'", 2) end
        if type(value) ~= "number" then error("number expected for " .. name .. "." .. k, 2) end
        vec_data[v][i] = value
    end
    mt.__tostring = function(v)
        local d = vec_data[v]
        local parts = {}
        for i = 1, n do parts[i] = fmt(d[i]) end
        return "vmath." .. name .. "(" .. table.concat(parts, ", ") .. ")"
    end
    mt.__concat = function(a, b) return tostring(a) .. tostring(b) end
    local function op(f)
        return function(a, b)
            local da, db = vec_data[a], vec_data[b]
            if not da or not db or getmetatable(a) ~= getmetatable(b) then
                error("attempt to combine a " .. name .. " with another type", 2)
            end
            local r = {}
            for i = 1, n do r[i] = f(da[i], db[i]) end
            return new_vec(proto, r[1], r[2], r[3], r[4])
        end
    end
    mt.__add = op(function(x, y) return x + y end)
    mt.__sub = op(function(x, y) return x - y end)
    mt.__mul = function(a, b)
        local s, v = a, b
        if type(a) ~= "number" then s, v = b, a end
        if type(s) ~= "number" then error("a " .. name .. " can only be multiplied by a number", 2) end
        local d = vec_data[v]
        return new_vec(proto, d[1] * s, d[2] * s, d[3] * s, d[4] and d[4] * s)
    end
    mt.__div = function(a, s)
        if type(s) ~= "number" then error("a " .. name .. " can only be divided by a number", 2) end
        local d = vec_data[a]
        return new_vec(proto, d[1] / s, d[2] / s, d[3] / s, d[4] and d[4] / s)
    end
    mt.__unm = function(a)
        local d = vec_data[a]
        return new_vec(proto, -d[1], -d[2], -d[3], d[4] and -d[4])
    end
    mt.__eq = function(a, b)
        local da, db = vec_data[a], vec_data[b]
        if not da or not db then return false end
        for i = 1, n do if da[i] ~= db[i] then return false end end
        return true
    end
end
define_vector(v3_mt, V3_PROTO, V3_FIELDS, 3, "vector3")
define_vector(v4_mt, V4_PROTO, V4_FIELDS, 4, "vector4")

function vmath.vector3(x, y, z)
    if x == nil then return new_vec(V3_PROTO, 0, 0, 0) end
    if is_v3(x) then local d = vec_data[x]; return new_vec(V3_PROTO, d[1], d[2], d[3]) end
    if y == nil then return new_vec(V3_PROTO, x, x, x) end
    return new_vec(V3_PROTO, x, y, z)
end

function vmath.vector4(x, y, z, w)
    if x == nil then return new_vec(V4_PROTO, 0, 0, 0, 0) end
    if is_v4(x) then local d = vec_data[x]; return new_vec(V4_PROTO, d[1], d[2], d[3], d[4]) end
    if y == nil then return new_vec(V4_PROTO, x, x, x, x) end
    return new_vec(V4_PROTO, x, y, z, w)
end

local function comps(v)
    local d = vec_data[v]
    if not d then error("vector expected", 3) end
    return d, (d[4] ~= nil) and 4 or 3
end
function vmath.dot(a, b)
    local da, n = comps(a)
    local db = comps(b)
    local s = 0
    for i = 1, n do s = s + da[i] * db[i] end
    return s
end
function vmath.length_sqr(v) return vmath.dot(v, v) end
function vmath.length(v) return math.sqrt(vmath.dot(v, v)) end
function vmath.normalize(v) return v / vmath.length(v) end
function vmath.lerp(t, a, b)
    if type(a) == "number" then return a + (b - a) * t end
    return a + (b - a) * t
end
function vmath.cross(a, b)
    local x, y = vec_data[a], vec_data[b]
    return vmath.vector3(x[2] * y[3] - x[3] * y[2], x[3] * y[1] - x[1] * y[3], x[1] * y[2] - x[2] * y[1])
end

function engine.vec_components(v)
    local d = vec_data[v]
    if not d then return nil end
    return d[1], d[2], d[3], d[4] or 0
end

---------------------------------------------------------------------------------------------
-- url: socket / path / fragment as hashes; tostring like Defold.
---------------------------------------------------------------------------------------------
local URL_PROTO = newproxy(true)
local url_mt = getmetatable(URL_PROTO)
local url_data = setmetatable({}, { __mode = "k" })
local function is_url(v) return type(v) == "userdata" and url_data[v] ~= nil end
engine.is_url = is_url

local function make_url(socket, path, fragment)
    local u = newproxy(URL_PROTO)
    url_data[u] = {
        socket = (socket ~= nil and socket ~= "") and hash(socket) or nil,
        path = (path ~= nil and path ~= "") and hash(path) or nil,
        fragment = (fragment ~= nil and fragment ~= "") and hash(fragment) or nil,
    }
    return u
end
engine.make_url = make_url

url_mt.__index = function(u, k)
    local d = url_data[u]
    if k == "socket" or k == "path" or k == "fragment" then return d[k] end
    error("url has no field '" .. tostring(k) .. "'", 2)
end
url_mt.__newindex = function(u, k, v)
    if k ~= "socket" and k ~= "path" and k ~= "fragment" then error("url has no field '" .. tostring(k) .. "'", 2) end
    if v ~= nil then v = hash(v) end
    url_data[u][k] = v
end
local function url_parts(u)
    local d = url_data[u]
    return d.socket and hash_names[d.socket] or "", d.path and hash_names[d.path] or "",
           d.fragment and hash_names[d.fragment] or ""
end
engine.url_parts = url_parts
url_mt.__tostring = function(u)
    local s, p, f = url_parts(u)
    local text = ""
    if s ~= "" then text = s .. ":" end
    text = text .. p
    if f ~= "" then text = text .. "#" .. f end
    return "url: [" .. text .. "]"
end
url_mt.__concat = function(a, b) return tostring(a) .. tostring(b) end
url_mt.__eq = function(a, b)
    local sa, pa, fa = url_parts(a)
    local sb, pb, fb = url_parts(b)
    return sa == sb and pa == pb and fa == fb
end

---------------------------------------------------------------------------------------------
-- Deep copy of message tables (Defold serialises messages at post time).
---------------------------------------------------------------------------------------------
local function copy_value(v, depth)
    if depth > 32 then error("message table too deep", 0) end
    if type(v) == "table" then
        local t = {}
        for k, x in pairs(v) do t[copy_value(k, depth + 1)] = copy_value(x, depth + 1) end
        return t
    elseif is_v3(v) then return vmath.vector3(v)
    elseif is_v4(v) then return vmath.vector4(v)
    elseif is_url(v) then return make_url(url_parts(v))
    elseif type(v) == "function" or type(v) == "thread" then
        error("unsupported value type in message: " .. type(v), 0)
    end
    return v
end
function engine.copy_message(t)
    if t == nil then return {} end
    if type(t) ~= "table" then error("message must be a table", 3) end
    return copy_value(t, 0)
end

---------------------------------------------------------------------------------------------
-- Script loading and protected calls with Defold-like tracebacks.
---------------------------------------------------------------------------------------------
local LIFECYCLE = { init = true, final = true, update = true, fixed_update = true, on_message = true,
                    on_input = true, on_reload = true }

local function traceback(e)
    return debug.traceback(tostring(e))
end
engine.traceback = traceback

function engine.load_script(source, chunkname)
    local fn, err = loadstring(source, "@" .. chunkname)
    if not fn then return nil, err end
    local env = setmetatable({}, {
        __index = _G,
        __newindex = function(t, k, v)
            if LIFECYCLE[k] then rawset(t, k, v) else _G[k] = v end
        end,
    })
    setfenv(fn, env)
    local ok, e = xpcall(fn, traceback)
    if not ok then return nil, e end
    return env, false
end

function engine.pcall(fn, ...)
    local ok, value = xpcall(fn, traceback, ...)
    return ok, value
end

function engine.lifecycle(env, name)
    return rawget(env, name)
end

-- require() of the project's Lua modules (`require "main.iap"` → main/iap.lua).
table.insert(package.loaders, 2, function(name)
    local path = string.gsub(name, "%.", "/") .. ".lua"
    local source = py.read_module(path)
    if source == nil then return "\n\tno file '" .. path .. "' in the project" end
    local fn, err = loadstring(source, "@" .. path)
    if not fn then error(err, 0) end
    return fn
end)

---------------------------------------------------------------------------------------------
-- print / pprint → logcat (Defold prints "DEBUG:SCRIPT: …").
---------------------------------------------------------------------------------------------
function print(...)
    local n = select("#", ...)
    local parts = {}
    for i = 1, n do parts[i] = tostring((select(i, ...))) end
    py.log(3, "DEBUG:SCRIPT: " .. table.concat(parts, "\t"))
end

local function pformat(v, indent, seen)
    if type(v) ~= "table" then
        return tostring(v)
    end
    if seen[v] then return "..." end
    seen[v] = true
    local lines = { "{" }
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b)
        local ta, tb = type(a), type(b)
        if ta ~= tb then return ta < tb end
        if ta == "number" or ta == "string" then return a < b end
        return tostring(a) < tostring(b)
    end)
    for _, k in ipairs(keys) do
        lines[#lines + 1] = indent .. "  " .. tostring(k) .. " = " .. pformat(v[k], indent .. "  ", seen) .. ","
    end
    lines[#lines + 1] = indent .. "}"
    seen[v] = nil
    return table.concat(lines, "\n")
end
function pprint(...)
    local n = select("#", ...)
    local parts = {}
    for i = 1, n do parts[i] = pformat((select(i, ...)), "", {}) end
    py.log(3, "DEBUG:SCRIPT: " .. table.concat(parts, "\t"))
end

---------------------------------------------------------------------------------------------
-- msg / go
---------------------------------------------------------------------------------------------
msg = {}

local function receiver_parts(r)
    if type(r) == "string" then return "s", r, "", "" end
    if is_hash(r) then return "h", hash_names[r], "", "" end
    if is_url(r) then
        local s, p, f = url_parts(r)
        return "u", s, p, f
    end
    error("bad receiver: string, hash or url expected, got " .. type(r), 3)
end

function msg.post(receiver, message_id, message)
    local kind, a, b, c = receiver_parts(receiver)
    local id = id_string(message_id, "message id")
    py.post(kind, a, b, c, id, engine.copy_message(message))
end

function msg.url(a, b, c)
    if a == nil then
        return make_url(py.current_url())
    end
    if b ~= nil or c ~= nil then
        local s = a
        if is_hash(s) then s = hash_names[s] end
        return make_url(s or "", b and id_string(b) or "", c and id_string(c) or "")
    end
    if is_url(a) then return make_url(url_parts(a)) end
    local s, p, f = py.resolve_url(id_string(a, "url"))
    if s == nil then error(p, 2) end
    return make_url(s, p, f)
end

go = {}
function go.get_id(path)
    local s, p = py.current_url()
    if path == nil then return hash(p) end
    local rs, rp = py.resolve_url(id_string(path, "path"))
    if rs == nil then error(rp, 2) end
    return hash(rp)
end
function go.property(name, value)
    py.declare_property(name, value)
end
go.PLAYBACK_ONCE_FORWARD = 1
go.EASING_LINEAR = 0

---------------------------------------------------------------------------------------------
-- gui: nodes are interned userdata handles; Python keeps the scene.
---------------------------------------------------------------------------------------------
gui = {}
local NODE_PROTO = newproxy(true)
local node_mt = getmetatable(NODE_PROTO)
local node_ids = setmetatable({}, { __mode = "k" })
local node_cache = {}
node_mt.__tostring = function(n) return "box@(node " .. tostring(node_ids[n]) .. ")" end
node_mt.__concat = function(a, b) return tostring(a) .. tostring(b) end

local function node_handle(nid)
    if nid == nil then return nil end
    local n = node_cache[nid]
    if n == nil then
        n = newproxy(NODE_PROTO)
        node_ids[n] = nid
        node_cache[nid] = n
    end
    return n
end
local function nid_of(n)
    local nid = type(n) == "userdata" and node_ids[n]
    if not nid then error("bad argument: node expected, got " .. tostring(n), 3) end
    if not py.gui_node_alive(nid) then error("Deleted node", 3) end
    return nid
end
function engine.forget_node(nid)
    local n = node_cache[nid]
    if n then node_cache[nid] = nil end
end
engine.node_handle = node_handle

function gui.get_node(id)
    local name = id_string(id, "node id")
    local nid = py.gui_get_node(name)
    if nid == nil then error("No such node: " .. name, 2) end
    return node_handle(nid)
end
function gui.get_id(node) return hash(py.gui_get_id(nid_of(node))) end
function gui.set_id(node, id) py.gui_set_id(nid_of(node), id_string(id)) end

local VEC_PROPS = { position = 3, size = 3, scale = 3, rotation = 3, color = 4, outline = 4, shadow = 4 }
for prop, n in pairs(VEC_PROPS) do
    gui["get_" .. prop] = function(node)
        local x, y, z, w = py.gui_get_vec(nid_of(node), prop)
        if n == 4 then return vmath.vector4(x, y, z, w) end
        return vmath.vector3(x, y, z)
    end
    gui["set_" .. prop] = function(node, v)
        local nid = nid_of(node)
        local x, y, z, w
        if type(v) == "number" and (prop == "scale") then x, y, z, w = v, v, v, 0
        else x, y, z, w = engine.vec_components(v) end
        if x == nil then error("vector expected for gui.set_" .. prop, 2) end
        if n == 3 then
            local _, _, _, ow = py.gui_get_vec(nid, prop)
            w = ow
        end
        py.gui_set_vec(nid, prop, x, y, z, w)
    end
end
function gui.get_text(node) return py.gui_get_text(nid_of(node)) end
function gui.set_text(node, text) py.gui_set_text(nid_of(node), tostring(text)) end
function gui.is_enabled(node, recursive) return py.gui_is_enabled(nid_of(node), recursive and true or false) end
function gui.set_enabled(node, enabled) py.gui_set_enabled(nid_of(node), enabled and true or false) end
function gui.get_visible(node) return py.gui_get_flag(nid_of(node), "visible") end
function gui.set_visible(node, v) py.gui_set_flag(nid_of(node), "visible", v and true or false) end
function gui.get_alpha(node) local _, _, _, w = py.gui_get_vec(nid_of(node), "color"); return w end
function gui.set_alpha(node, a)
    local nid = nid_of(node)
    local x, y, z = py.gui_get_vec(nid, "color")
    py.gui_set_vec(nid, "color", x, y, z, a)
end
function gui.get_pivot(node) return py.gui_get_enum(nid_of(node), "pivot") end
function gui.set_pivot(node, v) py.gui_set_enum(nid_of(node), "pivot", v) end
function gui.get_xanchor(node) return py.gui_get_enum(nid_of(node), "xanchor") end
function gui.set_xanchor(node, v) py.gui_set_enum(nid_of(node), "xanchor", v) end
function gui.get_yanchor(node) return py.gui_get_enum(nid_of(node), "yanchor") end
function gui.set_yanchor(node, v) py.gui_set_enum(nid_of(node), "yanchor", v) end
function gui.get_adjust_mode(node) return py.gui_get_enum(nid_of(node), "adjust_mode") end
function gui.set_adjust_mode(node, v) py.gui_set_enum(nid_of(node), "adjust_mode", v) end
function gui.get_type(node) return py.gui_get_enum(nid_of(node), "type") end
function gui.get_parent(node) return node_handle(py.gui_get_parent(nid_of(node))) end
function gui.set_parent(node, parent, keep_scene_transform)
    py.gui_set_parent(nid_of(node), parent and nid_of(parent) or nil, keep_scene_transform and true or false)
end
function gui.pick_node(node, x, y) return py.gui_pick_node(nid_of(node), x, y) end
function gui.get_screen_position(node)
    local x, y, z = py.gui_screen_position(nid_of(node))
    return vmath.vector3(x, y, z)
end
function gui.set_render_order(order) py.gui_set_render_order(order) end
function gui.get_width() local w = py.gui_scene_size(); return w end
function gui.get_height() local _, h = py.gui_scene_size(); return h end
function gui.new_box_node(pos, size)
    local px, py_, pz = engine.vec_components(pos)
    local sx, sy, sz = engine.vec_components(size)
    return node_handle(py.gui_new_node("box", px, py_, pz, sx, sy, sz, ""))
end
function gui.new_text_node(pos, text)
    local px, py_, pz = engine.vec_components(pos)
    return node_handle(py.gui_new_node("text", px, py_, pz, 0, 0, 0, tostring(text)))
end
function gui.clone(node) return node_handle(py.gui_clone(nid_of(node), false)) end
function gui.clone_tree(node)
    local ids = py.gui_clone_tree(nid_of(node))
    local out = {}
    for old, new in pairs(ids) do out[hash(old)] = node_handle(new) end
    return out
end
function gui.delete_node(node)
    local removed = py.gui_delete_node(nid_of(node))
    for _, nid in pairs(removed) do engine.forget_node(nid) end
end
function gui.get_tree(node)
    local ids = py.gui_get_tree(nid_of(node))
    local out = {}
    for name, nid in pairs(ids) do out[hash(name)] = node_handle(nid) end
    return out
end
function gui.get_children(node)
    local list = py.gui_get_children(nid_of(node))
    local out = {}
    for i, nid in ipairs(list) do out[i] = node_handle(nid) end
    return out
end
function gui.get_root_nodes()
    -- Not in Defold's API; the automation bridge uses its own registry. Kept for engine tests.
    local list = py.gui_root_nodes()
    local out = {}
    for i, nid in ipairs(list) do out[i] = node_handle(nid) end
    return out
end
function gui.animate(node, property, to, easing, duration, delay, complete_function, playback)
    local nid = nid_of(node)
    local prop = id_string(property, "property")
    local x, y, z, w
    if type(to) == "number" then x, y, z, w = to, nil, nil, nil
    else x, y, z, w = engine.vec_components(to) end
    py.gui_animate(nid, prop, x, y, z, w, duration or 0, delay or 0, complete_function)
end
function gui.cancel_animation(node, property) py.gui_cancel_animation(nid_of(node), id_string(property)) end
function gui.cancel_animations(node, property) gui.cancel_animation(node, property) end

gui.PIVOT_CENTER, gui.PIVOT_N, gui.PIVOT_NE, gui.PIVOT_E, gui.PIVOT_SE, gui.PIVOT_S, gui.PIVOT_SW,
gui.PIVOT_W, gui.PIVOT_NW = 0, 1, 2, 3, 4, 5, 6, 7, 8
gui.ANCHOR_NONE, gui.ANCHOR_LEFT, gui.ANCHOR_RIGHT, gui.ANCHOR_TOP, gui.ANCHOR_BOTTOM = 0, 1, 2, 1, 2
gui.ADJUST_FIT, gui.ADJUST_ZOOM, gui.ADJUST_STRETCH = 0, 1, 2
gui.TYPE_BOX, gui.TYPE_TEXT, gui.TYPE_PIE, gui.TYPE_TEMPLATE, gui.TYPE_SPINE, gui.TYPE_PARTICLEFX,
gui.TYPE_CUSTOM = 0, 1, 2, 3, 4, 5, 6
gui.PLAYBACK_ONCE_FORWARD, gui.PLAYBACK_ONCE_BACKWARD, gui.PLAYBACK_ONCE_PINGPONG = 0, 1, 2
gui.PLAYBACK_LOOP_FORWARD, gui.PLAYBACK_LOOP_BACKWARD, gui.PLAYBACK_LOOP_PINGPONG = 3, 4, 5
for i, name in ipairs({ "LINEAR", "INQUAD", "OUTQUAD", "INOUTQUAD", "OUTINQUAD", "INCUBIC", "OUTCUBIC",
                        "INOUTCUBIC", "OUTINCUBIC", "INSINE", "OUTSINE", "INOUTSINE" }) do
    gui["EASING_" .. name] = i - 1
end
for _, p in ipairs({ "position", "rotation", "scale", "color", "outline", "shadow", "size" }) do
    gui["PROP_" .. string.upper(p)] = hash(p)
end

window = {
    WINDOW_EVENT_FOCUS_LOST = 0, WINDOW_EVENT_FOCUS_GAINED = 1, WINDOW_EVENT_RESIZED = 2,
    WINDOW_EVENT_ICONFIED = 3, WINDOW_EVENT_DEICONIFIED = 4,
}
function window.get_size() return py.window_size() end
function window.set_listener(callback)
    if callback ~= nil and type(callback) ~= "function" then error("bad argument #1 to 'set_listener'", 2) end
    py.window_set_listener(callback)
end

---------------------------------------------------------------------------------------------
-- timer
---------------------------------------------------------------------------------------------
timer = { INVALID_TIMER_HANDLE = 0 }
function timer.delay(delay, repeating, callback)
    if type(delay) ~= "number" then error("bad argument #1 to 'delay' (number expected)", 2) end
    if type(callback) ~= "function" then error("bad argument #3 to 'delay' (function expected)", 2) end
    return py.timer_delay(delay, repeating and true or false, callback)
end
function timer.cancel(handle) return py.timer_cancel(handle) end
function timer.trigger(handle) return py.timer_trigger(handle) end

---------------------------------------------------------------------------------------------
-- sys
---------------------------------------------------------------------------------------------
sys = {}
function sys.get_sys_info() return py.sys_info() end
function sys.get_config(key, default)
    local v = py.get_config(key)
    if v == nil then return default end
    return v
end
sys.get_config_string = sys.get_config
function sys.get_config_int(key, default)
    local v = py.get_config(key)
    if v == nil then return default or 0 end
    return math.floor(tonumber(v) or 0)
end
function sys.get_config_number(key, default)
    local v = py.get_config(key)
    if v == nil then return default or 0 end
    return tonumber(v) or 0
end
function sys.get_engine_info()
    return { version = "1.9.0", version_sha1 = "virtual", is_debug = true }
end
function sys.open_url(url) return py.open_url(tostring(url)) end
function sys.get_save_file(app, name) return "/data/data/app/files/" .. app .. "/" .. name end

---------------------------------------------------------------------------------------------
-- http
---------------------------------------------------------------------------------------------
http = {}
function http.request(url, method, callback, headers, post_data, options)
    if type(url) ~= "string" then error("bad argument #1 to 'request' (string expected)", 2) end
    if type(method) ~= "string" then error("bad argument #2 to 'request' (string expected)", 2) end
    local h = {}
    if headers ~= nil then
        for k, v in pairs(headers) do h[tostring(k)] = tostring(v) end
    end
    local timeout = 0
    if type(options) == "table" and options.timeout then timeout = options.timeout end
    return py.http_request(url, method, callback, h, post_data or "", timeout)
end

return engine
