-- The RuStore billing plugin as the game talks to it: channel names exactly as the plugin emits
-- them (CONTRACT §1.4) and the documented call order (connect everything, theme, error
-- handling, then init).
local M = {}

M.CHANNELS = {
	"rustore_check_purchases_available_success",
	"rustore_check_purchases_available_failure",
	"rustore_on_get_products_success",
	"rustore_on_get_products_failure",
	"rustore_on_purchase_product_success",
	"rustore_on_purchase_product_failure",
	"rustore_on_get_purchases_success",
	"rustore_on_get_purchases_failure",
	"rustore_on_confirm_purchase_success",
	"rustore_on_confirm_purchase_failure",
	"rustore_on_delete_purchase_success",
	"rustore_on_delete_purchase_failure",
	"rustore_on_get_purchase_info_success",
	"rustore_on_get_purchase_info_failure",
	"rustore_on_payment_logger_debug",
	"rustore_on_payment_logger_error",
	"rustore_on_payment_logger_info",
	"rustore_on_payment_logger_verbose",
	"rustore_on_payment_logger_warning",
}

--- Is the plugin there with its billing functions? (On non-Android builds its tables are empty.)
function M.available()
	return type(rustorebilling) == "table" and type(rustorebilling.init) == "function"
		and type(rustorecore) == "table" and type(rustorecore.connect) == "function"
end

--- Connect every channel to `handler(self, channel, value)`, then configure and init.
function M.start(handler, settings)
	for _, channel in ipairs(M.CHANNELS) do
		rustorecore.connect(channel, handler)
	end
	rustorebilling.set_theme(settings.theme)
	rustorebilling.set_error_handling(settings.error_dialogs)
	rustorebilling.init(settings.app_id, settings.scheme, settings.debug_logs)
end

return M
