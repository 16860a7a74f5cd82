# mk/web.mk - the dashboard (web/): `make web` builds web/dist, running `npm ci` first when
# web/node_modules is missing or older than package.json / package-lock.json;
# `make web-test` runs its CTest tests (Vitest components + the browser e2e test);
# `make web-screenshots` refreshes docs/img/ from a browser e2e run; `make web-dev` serves
# the dashboard with hot reload, proxying the API to a `yaa serve` on :8000.
WEB_DIR := web
WEB_STAMP := $(WEB_DIR)/node_modules/.package-lock.json

.PHONY: web-deps web-test web-dev web-screenshots

$(WEB_STAMP): $(WEB_DIR)/package.json $(WEB_DIR)/package-lock.json
	cd $(WEB_DIR) && npm ci --no-audit --no-fund
	@touch $@

web-deps: $(WEB_STAMP)

web: $(WEB_STAMP)
	cd $(WEB_DIR) && npm run --silent build

web-test: build web
	cd $(BUILD) && ctest $(CTEST_FLAGS) -L web

web-dev: $(WEB_STAMP)
	cd $(WEB_DIR) && npx vite

web-screenshots: build web
	YAA_DOCS_SCREENSHOTS=1 YAA_BIN=$(BUILD)/yaa node $(WEB_DIR)/e2e/run.mjs
