/* The Mini App's one way to the server: initData from Telegram, or from the URL's
   #tgWebAppData= in a plain browser (the sandbox's link), sent as Authorization: tma.
   Kept for the tab's session, so moving between the app's pages keeps it. */
"use strict";
var Dojo = (function () {
  var tg = window.Telegram && window.Telegram.WebApp;
  var hash = new URLSearchParams(location.hash.slice(1)).get("tgWebAppData");
  var initData = (tg && tg.initData) || hash || sessionStorage.getItem("dojo.initData") || "";
  if (initData) sessionStorage.setItem("dojo.initData", initData);
  if (tg && tg.initData) { tg.ready(); tg.expand(); }

  function call(method, path, body) {
    var init = {method: method, headers: {"Authorization": "tma " + initData}};
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (r) {
      return r.json().then(function (j) { j.status = r.status; return j; },
        function () { return {status: r.status, error: "HTTP " + r.status}; });
    });
  }
  /* Numbers as the learner's language writes them. */
  var fmt = {lang: "en"};
  function setLocale(locale) {
    fmt.lang = locale.lang;
    fmt.decimal = locale.decimal;
    document.documentElement.lang = locale.lang;
    document.documentElement.dir = locale.dir || "ltr";
  }
  function seconds(ms, t) {
    var s = new Intl.NumberFormat(fmt.lang, {minimumFractionDigits: 1, maximumFractionDigits: 1});
    return t.seconds.replace("{seconds}", s.format(Math.round(ms / 100) / 10));
  }
  function percent(x) {
    return new Intl.NumberFormat(fmt.lang, {style: "percent", maximumFractionDigits: 0})
      .format(Math.floor(x * 100) / 100);
  }
  function integer(n) { return new Intl.NumberFormat(fmt.lang).format(n); }
  function median(values) {
    if (!values.length) return null;
    var v = values.slice().sort(function (a, b) { return a - b; });
    var m = v.length >> 1;
    return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
  }
  function text(id, value) { document.getElementById(id).textContent = value; }
  return {tg: tg, initData: initData, get: function (p) { return call("GET", p); },
          post: function (p, b) { return call("POST", p, b); }, setLocale: setLocale,
          seconds: seconds, percent: percent, integer: integer, median: median, text: text,
          fmt: fmt};
})();
