-- LuaSocket's TCP subset, as Defold bundles it (`socket` global): bind/tcp/accept/receive/send/
-- settimeout/close, with LuaSocket's return conventions. The Python engine owns the sockets.
local py = ...

socket = { _VERSION = "LuaSocket 3.0-rc1 (virtual)" }

local sock_mt = {}
sock_mt.__index = sock_mt
sock_mt.__tostring = function(s) return s._kind .. "{" .. (s._handle and "open" or "closed") .. "}" end

local function wrap(kind, handle)
    return setmetatable({ _kind = kind, _handle = handle, _host = nil, _port = nil }, sock_mt)
end

function sock_mt:settimeout(t) if self._handle then py.sock_settimeout(self._handle, t) end return 1 end
function sock_mt:setoption() return 1 end
function sock_mt:bind(host, port)
    self._host, self._port = host, port
    return 1
end
function sock_mt:listen(backlog)
    local h, err = py.sock_bind(tostring(self._host or "*"), self._port or 0, backlog or 32)
    if not h then return nil, err end
    self._handle, self._kind = h, "tcp{server}"
    return 1
end
function sock_mt:accept()
    if not self._handle then return nil, "closed" end
    local h, err = py.sock_accept(self._handle)
    if not h then return nil, err end
    return wrap("tcp{client}", h)
end
function sock_mt:receive(pattern, prefix)
    if not self._handle then return nil, "closed" end
    return py.sock_receive(self._handle, pattern, prefix)
end
function sock_mt:send(data, i, j)
    if not self._handle then return nil, "closed", 0 end
    return py.sock_send(self._handle, data, i, j)
end
function sock_mt:close()
    if self._handle then py.sock_close(self._handle); self._handle = nil end
    return 1
end
function sock_mt:getsockname()
    if not self._handle then return nil, "closed" end
    return py.sock_sockname(self._handle)
end
function sock_mt:getpeername()
    if not self._handle then return nil, "closed" end
    return py.sock_peername(self._handle)
end
function sock_mt:getfd() return self._handle or -1 end
function sock_mt:shutdown() return 1 end

function socket.tcp() return wrap("tcp{master}", nil) end
socket.tcp4 = socket.tcp
function socket.bind(host, port, backlog)
    local s = socket.tcp()
    s:bind(host, port)
    local ok, err = s:listen(backlog)
    if not ok then return nil, err end
    return s
end
function socket.gettime() return py.sock_gettime() end
function socket.sleep() end
