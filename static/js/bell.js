/* The header's notification bell: its own socket (/ws/me/) sends the unread count as
 * an out-of-band fragment whenever it changes, and on every (re)connect. A plain
 * WebSocket, not the ws extension, so that the board page's socket handlers
 * (taskboard.js) never see this one's events. */
(function () {
  "use strict";

  var bell = document.getElementById("notification-bell");
  if (!bell || !window.WebSocket || !window.htmx) return;
  var path = bell.dataset.socket;
  // Signed out (4401) or too many sockets (4429): reconnecting would not help.
  var FINAL = [4401, 4403, 4404, 4429];
  var RECONNECT_CAP_MS = 30000;
  var attempts = 0;
  var timer = null;
  var socket = null;

  // Jittered, so that the pages of a restarted server do not all return at once.
  function delay() {
    var ceiling = Math.min(RECONNECT_CAP_MS, 1000 * Math.pow(2, attempts));
    return 200 + Math.random() * ceiling;
  }

  function connect() {
    clearTimeout(timer);
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + path);
    socket.onmessage = function (evt) {
      attempts = 0;
      htmx.swap(document.body, evt.data, { swapStyle: "none" });
    };
    socket.onclose = function (evt) {
      socket = null;
      if (FINAL.indexOf(evt.code) >= 0) return;
      attempts += 1;
      timer = setTimeout(connect, delay());
    };
  }

  // A background tab's socket may have been killed (mobile browsers): come back now.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && socket === null && timer !== null) connect();
  });

  connect();
})();
