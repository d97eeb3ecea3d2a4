/* Wall display: clock, last change, stale banner, revoked screen, fit-to-screen and a
 * daily safety reload. Live updates and reconnects come from taskboard.js. */
(function () {
  "use strict";

  var STALE_AFTER_MS = 30000;
  var DAILY_RELOAD_MS = 24 * 60 * 60 * 1000;
  // From roomiest to tightest (display.css): titles wrap to two lines until the last.
  var FIT_LEVELS = [[], ["compact-1"], ["compact-2"], ["compact-3"], ["compact-3", "titles-one-line"]];
  var FIT_CLASSES = ["compact-1", "compact-2", "compact-3", "titles-one-line"];
  var offlineSince = null;
  var staleTimer = null;

  function hhmm(date) {
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function tickClock() {
    var clock = document.getElementById("clock");
    if (clock) clock.textContent = hhmm(new Date());
  }

  function columnsOverflow() {
    return Array.prototype.some.call(document.querySelectorAll(".cards"), function (column) {
      return column.scrollHeight > column.clientHeight + 1;
    });
  }

  function fitToScreen() {
    var board = document.getElementById("board");
    for (var level = 0; level < FIT_LEVELS.length; level++) {
      FIT_CLASSES.forEach(function (name) {
        board.classList.toggle(name, FIT_LEVELS[level].indexOf(name) >= 0);
      });
      if (!columnsOverflow()) return;
    }
  }

  function showStale() {
    var banner = document.getElementById("stale-banner");
    document.getElementById("stale-since").textContent = hhmm(offlineSince);
    banner.hidden = false;
  }

  function markOnline() {
    offlineSince = null;
    clearTimeout(staleTimer);
    document.getElementById("stale-banner").hidden = true;
  }

  function markOffline() {
    if (offlineSince) return;
    offlineSince = new Date();
    clearTimeout(staleTimer);
    staleTimer = setTimeout(showStale, STALE_AFTER_MS);
  }

  function safetyReload() {
    // Reload only when the server answers, so that a reload never strands the screen
    // on a browser error page.
    fetch(window.location.href, { method: "HEAD", cache: "no-store" })
      .then(function (response) {
        if (response.ok) window.location.reload();
        else setTimeout(safetyReload, 5 * 60 * 1000);
      })
      .catch(function () { setTimeout(safetyReload, 5 * 60 * 1000); });
  }

  document.addEventListener("htmx:wsOpen", markOnline);
  document.addEventListener("htmx:wsClose", function (evt) {
    var code = evt.detail.event.code;
    if ([4401, 4403, 4404, 4410].indexOf(code) >= 0) {
      var screen = document.getElementById("revoked-screen");
      var closed = code === 4410;
      screen.hidden = false;
      screen.querySelector("h2").textContent = closed ? "This board was archived or deleted" : "Display key revoked";
      screen.querySelector("p").textContent = closed ? "Ask a board admin which board to show now." : "Ask a board admin for a new display link.";
      document.getElementById("connection-pill").textContent =
        closed ? "Board archived or deleted" : "Display key revoked";
      return;
    }
    markOffline();
  });
  document.addEventListener("htmx:wsAfterMessage", function (evt) {
    if (/id="board-seq"/.test(evt.detail.message) && !/data-refresh/.test(evt.detail.message)) {
      document.getElementById("last-change-time").textContent = hhmm(new Date());
    }
    requestAnimationFrame(fitToScreen);
  });
  document.addEventListener("DOMContentLoaded", function () {
    var lastChange = document.getElementById("last-change-time");
    if (lastChange.getAttribute("datetime")) {
      lastChange.textContent = hhmm(new Date(lastChange.getAttribute("datetime")));
    }
    tickClock();
    setInterval(tickClock, 1000);
    fitToScreen();
    window.addEventListener("resize", fitToScreen);
    setTimeout(safetyReload, DAILY_RELOAD_MS);
  });
})();
