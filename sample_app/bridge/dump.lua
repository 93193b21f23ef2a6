-- The GUI as Poco's node tree: every attribute Poco's selectors and AirtestIDE's inspector read
-- (name, type, text, visible, enabled, pos/size as fractions of the screen with y down,
-- anchorPoint, zOrders, scale), positions worked out with Defold's documented layout rules.
local M = {}

local ANCHORS = {
	[gui.PIVOT_CENTER] = { 0.5, 0.5 }, [gui.PIVOT_N] = { 0.5, 0 }, [gui.PIVOT_NE] = { 1, 0 },
	[gui.PIVOT_E] = { 1, 0.5 }, [gui.PIVOT_SE] = { 1, 1 }, [gui.PIVOT_S] = { 0.5, 1 },
	[gui.PIVOT_SW] = { 0, 1 }, [gui.PIVOT_W] = { 0, 0.5 }, [gui.PIVOT_NW] = { 0, 0 },
}

--- The node's adjust scale: FIT min, ZOOM max, STRETCH per axis of its reference scale, where a
--- root's reference is screen/project and a child's is its parent's adjust scale.
local function adjust_scale(node, sw, sh)
	local parent = gui.get_parent(node)
	local rx, ry
	if parent then
		rx, ry = adjust_scale(parent, sw, sh)
	else
		rx, ry = sw / gui.get_width(), sh / gui.get_height()
	end
	local mode = gui.get_adjust_mode(node)
	if mode == gui.ADJUST_FIT then
		local m = math.min(rx, ry)
		return m, m
	elseif mode == gui.ADJUST_ZOOM then
		local m = math.max(rx, ry)
		return m, m
	end
	return rx, ry
end

local function world_scale(node, sw, sh)
	local ax, ay = adjust_scale(node, sw, sh)
	local n = node
	while n do
		local s = gui.get_scale(n)
		ax, ay = ax * s.x, ay * s.y
		n = gui.get_parent(n)
	end
	return ax, ay
end

--- Screen rectangle of a node in pixels, y down: x, y (top-left), width, height.
function M.bounds(node)
	local sw, sh = window.get_size()
	local sx, sy = world_scale(node, sw, sh)
	local size = gui.get_size(node)
	local w, h = size.x * sx, size.y * sy
	local p = gui.get_screen_position(node)
	local a = ANCHORS[gui.get_pivot(node)] or ANCHORS[gui.PIVOT_CENTER]
	local top_left_x = p.x - a[1] * w
	local top_left_y = (sh - p.y) - a[2] * h
	return top_left_x, top_left_y, w, h
end

local function node_type(node, id, clickable)
	if clickable then return "Button" end
	local t = gui.get_type(node)
	if t == gui.TYPE_TEXT then return "Text" end
	if t == gui.TYPE_BOX then return "Box" end
	return "Node"
end

--- Build the tree under `root_id`; `is_clickable(id)` says which ids are buttons.
function M.tree(root_id, only_visible, is_clickable)
	local sw, sh = window.get_size()
	local counter = 0
	local root = gui.get_node(root_id)
	local by_parent = {}
	for _, node in pairs(gui.get_tree(root)) do
		local parent = gui.get_parent(node)
		if parent then
			by_parent[parent] = by_parent[parent] or {}
			table.insert(by_parent[parent], node)
		end
	end
	local function build(node, local_index)
		local id = gui.get_id(node)
		local name = M.name_of(id)
		local visible = gui.is_enabled(node, true) and gui.get_color(node).w > 0
		local clickable = is_clickable(name)
		local x, y, w, h = M.bounds(node)
		local a = ANCHORS[gui.get_pivot(node)] or ANCHORS[gui.PIVOT_CENTER]
		local sx, sy = world_scale(node, sw, sh)
		counter = counter + 1
		local payload = {
			name = name,
			type = node_type(node, name, clickable),
			visible = visible,
			enabled = visible and clickable,
			pos = { (x + a[1] * w) / sw, (y + a[2] * h) / sh },
			size = { w / sw, h / sh },
			anchorPoint = { a[1], a[2] },
			zOrders = { global = counter, ["local"] = local_index },
			scale = { sx, sy },
		}
		if gui.get_type(node) == gui.TYPE_TEXT then payload.text = gui.get_text(node) end
		local children = {}
		local kids = by_parent[node] or {}
		table.sort(kids, function(a, b) return M.name_of(gui.get_id(a)) < M.name_of(gui.get_id(b)) end)
		for i, child in ipairs(kids) do
			if not only_visible or gui.is_enabled(child, true) then
				children[#children + 1] = build(child, i)
			end
		end
		local out = { name = name, payload = payload }
		if #children > 0 then out.children = children end
		return out
	end
	return {
		name = "<Root>",
		payload = {
			name = "<Root>", type = "Root", visible = true, enabled = true, pos = { 0.5, 0.5 }, size = { 1, 1 },
			anchorPoint = { 0.5, 0.5 }, zOrders = { global = 0, ["local"] = 0 }, scale = { 1, 1 },
		},
		children = { build(root, 1) },
	}
end

--- A node id's text: debug builds (the only ones running the bridge) can reverse hashes.
function M.name_of(id)
	local text = tostring(id)
	return text:match("^hash: %[(.*)%]$") or text
end

return M
