// statusboard: keeps the page live. The server renders everything; this only asks for the
// changed part again when /events says something was written, and counts leases down.
(function () {
  "use strict";
  var main = document.getElementById("live");
  var state = document.getElementById("live-state");
  if (!main || !window.EventSource) { return; }

  var fetching = false;
  var again = false;
  var timer = null;

  function fragmentUrl() {
    var url = new URL(window.location.href);
    url.searchParams.set("fragment", "1");
    return url.toString();
  }

  function setState(text, cls) {
    if (!state) { return; }
    state.textContent = text;
    state.className = "live-state " + cls;
  }

  // Keeps the keyboard where it was: the focused link or control is found again by its place.
  function focusKey() {
    var el = document.activeElement;
    if (!el || !main.contains(el) || el === main) { return null; }
    var row = el.closest("[data-id]");
    return { href: el.getAttribute("href"), row: row ? row.getAttribute("data-id") : null };
  }

  function restoreFocus(key) {
    if (!key) { return; }
    var scope = key.row ? main.querySelector('[data-id="' + key.row + '"]') : main;
    var target = scope && key.href ? scope.querySelector('[href="' + key.href + '"]') : null;
    (target || main).focus({ preventScroll: true });
  }

  function swap(html) {
    var key = focusKey();
    var before = {};
    main.querySelectorAll("[data-id]").forEach(function (row) { before[row.getAttribute("data-id")] = row.textContent; });
    main.innerHTML = html;
    main.querySelectorAll("[data-id]").forEach(function (row) {
      var id = row.getAttribute("data-id");
      if (before[id] !== row.textContent) { row.classList.add("fresh"); }
    });
    restoreFocus(key);
    tick();
  }

  function refresh() {
    if (fetching) { again = true; return; }
    fetching = true;
    fetch(fragmentUrl(), { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) { swap(html); } })
      .catch(function () { /* the next event or reconnect tries again */ })
      .then(function () {
        fetching = false;
        if (again) { again = false; refresh(); }
      });
  }

  function schedule() {
    if (timer === null) {
      timer = window.setTimeout(function () { timer = null; refresh(); }, 50);
    }
  }

  function tick() {
    var now = Date.now();
    main.querySelectorAll(".lease[data-expires]").forEach(function (el) {
      var seconds = Math.floor((Date.parse(el.getAttribute("data-expires")) - now) / 1000);
      if (isNaN(seconds)) { return; }
      if (seconds <= 0) {
        el.textContent = "expired";
        el.classList.add("expired");
        return;
      }
      var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
      el.textContent = h ? h + "h " + (m < 10 ? "0" : "") + m + "m left" : m + ":" + (s < 10 ? "0" : "") + s + " left";
    });
  }

  var source = new EventSource(main.getAttribute("data-events"));
  source.onopen = function () { setState("live", "live"); };
  source.onmessage = function () { schedule(); };
  source.onerror = function () { setState("reconnecting…", "down"); };
  window.setInterval(tick, 1000);
  tick();
})();
