-- What the IAP layer knows, shared with the UI (messages only say "something changed": Defold
-- messages are size-limited, product lists are not).
local M = {
	initialized = false,
	available = nil,
	products = {},
	purchases = {},
	inventory = {},
	status = "Starting…",
	last_code = nil,
	theme = 0, -- 0 dark, 1 light (rustorebilling.set_theme)
	error_dialogs = true,
	in_flight = nil,
}
return M
