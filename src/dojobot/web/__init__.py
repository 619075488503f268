"""The Mini App: web pages inside Telegram, served by the bot's own tornado server.

Layer: between jobs and app (tests/test_layers.py). It may use handlers' texts, storage,
the engine, display and i18n; app.py passes `routes.build_rules(bot_data)` to the ops
runtime, which serves them on DOJOBOT_WEB_PORT (one server with /metrics when the ports are
equal), in polling and webhook mode alike.

How another page plugs in:

1. Write a module here (say `dashboard.py`) with `rules(data: BotData) -> list` returning
   tornado rules: its HTML page as `(r"/dashboard", PageHandler, {"data": data,
   "page": "dashboard.html"})` and its API as subclasses of `server.ApiHandler`
   (`(r"/api/dashboard/...", Handler, {"data": data})`).
2. An ApiHandler has `self.learner` (the user from the checked initData, nobody else),
   the learner's language active for `_()`, `self.db`, `self.now_ms()`, `self.json_body()`
   and `self.reply(dict)`; raise `server.ApiError(status, reason)` to refuse in one line.
3. Put its HTML, JS and CSS in static/ (shipped in the wheel by pyproject's package-data).
   In the HTML, load `/static/app.js?v={{v}}` and the like: `{{v}}` becomes a hash of the
   static files, so they are cached safely. The page's script reads initData from
   Telegram.WebApp (or the URL's `#tgWebAppData=` in a plain browser) and sends it as
   `Authorization: tma <initData>` (static/api.js does this).
4. Add the module to `routes.PAGES`, and a browser test beside tests/web/.
"""
