/* Taskboard page behaviour: card placement, live updates, connection state, dialogs.
 * Every action also works without this file, as a plain form POST. */
(function () {
  "use strict";

  var RECONNECT_CAP_MS = 30000;
  // The first attempts come within about a second (jittered, so a thousand screens do
  // not return in the same instant); only a server that stays away gets longer waits.
  var QUICK_ATTEMPTS = 3;
  // Final closes: access to the board ended (4403) or never was (4404), or too many
  // sockets (4429). 4401 (signed out), 4409 (role changed) and 4410 (board archived or
  // deleted) reload the page instead, which then says what happened.
  var ACCESS_REFUSED = [4403, 4404, 4429];
  var RELOAD = [4401, 4409, 4410];
  var RELOAD_REASONS = { 4401: "Signed out", 4409: "Your role changed: reloading…",
    4410: "This board was archived or deleted: reloading…" };
  var reconnectAttempts = 0;
  var reconnectTimer = null;
  var lastResumeAsk = 0;
  var socket = null; // the ws extension's socket wrapper, once connected
  var socketOpen = false;
  // This tab's id (the page was rendered with it, and its socket's URL names it): its
  // writes carry it, and their events come back to this tab's socket marked "own".
  var board = document.getElementById("board") || document.getElementById("task-page");
  var tabId = board && board.dataset.tabId ? board.dataset.tabId : "";
  var applyingOwnEcho = false;

  // The Content-Security-Policy allows no eval and no inline <style>: no hx-on, hx-vals
  // "js:" or hx-trigger filter may be used, and no indicator styles are injected (no
  // page uses .htmx-indicator). Set here, before htmx initialises on DOMContentLoaded.
  htmx.config.allowEval = false;
  htmx.config.includeIndicatorStyles = false;
  // The attempt count is this file's, not the ws extension's: it resets only once the
  // server has answered (a message), not on every open, so a server that accepts and
  // closes at once (1013) still gets longer and longer waits.
  function reconnectDelay() {
    if (reconnectAttempts <= QUICK_ATTEMPTS) return 200 + Math.random() * 1000;
    var ceiling = Math.min(RECONNECT_CAP_MS, 1000 * Math.pow(2, reconnectAttempts - QUICK_ATTEMPTS));
    return 500 + Math.random() * ceiling;
  }
  htmx.config.wsReconnectDelay = reconnectDelay;
  // Refusals (403, 404, 409) and validation errors (422) carry the markup to show.
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "403", swap: true },
    { code: "404", swap: true },
    { code: "409", swap: true },
    { code: "422", swap: true },
    { code: "[45]..", swap: false, error: true },
  ];

  function boardSeq() {
    var el = document.getElementById("board-seq");
    return el ? parseInt(el.dataset.seq, 10) || 0 : 0;
  }

  function setPill(state, text) {
    var pill = document.getElementById("connection-pill");
    if (!pill) return;
    pill.className = "pill pill-" + state;
    pill.textContent = text;
  }

  function cardSortKey(card) {
    return [parseInt(card.dataset.position, 10) || 0, parseInt(card.dataset.taskId, 10) || 0];
  }

  function insertSorted(column, card) {
    var key = cardSortKey(card);
    var cards = column.querySelectorAll(":scope > .card");
    for (var i = 0; i < cards.length; i++) {
      var other = cardSortKey(cards[i]);
      if (other[0] > key[0] || (other[0] === key[0] && other[1] > key[1])) {
        column.insertBefore(card, cards[i]);
        return;
      }
    }
    column.appendChild(card);
  }

  /* Cards arrive in #card-inbox (from htmx responses and WebSocket events alike).
   * Each replaces the card on the board unless the board already shows a newer version. */
  function placeInboxCards() {
    var inbox = document.getElementById("card-inbox");
    if (!inbox) return;
    Array.prototype.slice.call(inbox.children).forEach(function (card) {
      card.remove();
      if (!card.dataset || !card.dataset.taskId) return;
      var existing = document.querySelector('.cards [data-task-id="' + card.dataset.taskId + '"]');
      var hadFocus = false;
      if (existing) {
        var incoming = parseInt(card.dataset.version, 10);
        var shown = parseInt(existing.dataset.version, 10);
        var fromResponse = card.dataset.origin === "response";
        if (incoming < shown || (incoming === shown && !fromResponse)) return;
        hadFocus = existing.contains(document.activeElement);
        existing.remove();
      }
      var column = document.getElementById("cards-" + card.dataset.status);
      if (!column) return;
      insertSorted(column, card);
      htmx.process(card);
      card.classList.add("card-changed");
      setTimeout(function () { card.classList.remove("card-changed"); }, 2500);
      if (hadFocus) {
        var target = card.querySelector(".card-actions button") || card;
        target.focus();
      }
    });
  }

  function askResume(socketWrapper) {
    var now = Date.now();
    if (now - lastResumeAsk < 1000) return;
    lastResumeAsk = now;
    socketWrapper.send(JSON.stringify({ type: "resume", after: boardSeq() }));
  }

  var SEQ_PATTERN = /id="board-seq" data-seq="(\d+)"( data-refresh)?/;
  var ORIGIN_PATTERN = /id="board-seq" data-seq="\d+" data-origin="([^"]*)"/;

  // The page's one card-action form (board/_columns.html) is sent again and again
  // without a reload, so each request gets an idempotency key of its own. Without
  // JavaScript every action reloads the page, and its form a fresh key.
  function freshKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  document.addEventListener("htmx:configRequest", function (evt) {
    if (tabId) evt.detail.headers["X-Realtime-Origin"] = tabId;
    if (evt.detail.elt.id === "card-action") evt.detail.parameters.idempotency_key = freshKey();
  });

  // The echo of this tab's own change: its card is already placed (same version), and
  // it was already announced, so the screen reader is not told twice.
  document.addEventListener("htmx:oobBeforeSwap", function (evt) {
    if (applyingOwnEcho && evt.detail.target && evt.detail.target.id === "board-status") {
      evt.preventDefault();
    }
  });
  document.addEventListener("htmx:wsAfterMessage", function () {
    applyingOwnEcho = false;
    reconnectAttempts = 0;
  });

  document.addEventListener("htmx:wsBeforeMessage", function (evt) {
    var match = SEQ_PATTERN.exec(evt.detail.message);
    if (!match || match[2]) return;
    var seq = parseInt(match[1], 10);
    var last = boardSeq();
    var origin = ORIGIN_PATTERN.exec(evt.detail.message);
    applyingOwnEcho = Boolean(origin && origin[1] === "own");
    if (seq <= last) {
      evt.preventDefault(); // already applied
    } else if (seq > last + 1) {
      evt.preventDefault(); // a gap: fetch what was missed, in order
      askResume(evt.detail.socketWrapper);
    }
  });

  document.addEventListener("htmx:wsOpen", function (evt) {
    lastResumeAsk = 0;
    socket = evt.detail.socketWrapper;
    socketOpen = true;
    setPill("live", "Live");
    askResume(evt.detail.socketWrapper);
  });

  document.addEventListener("htmx:wsConnecting", function () {
    if (reconnectAttempts > 0) setPill("reconnecting", "Reconnecting…");
  });

  document.addEventListener("htmx:wsClose", function (evt) {
    var code = evt.detail.event.code;
    socketOpen = false;
    socket = evt.detail.socketWrapper;
    if (RELOAD.indexOf(code) >= 0) {
      setPill("offline", RELOAD_REASONS[code]);
      window.location.reload();
      return;
    }
    if (ACCESS_REFUSED.indexOf(code) >= 0) {
      setPill("offline", code === 4429 ? "Offline: too many open tabs"
        : "Offline: you no longer have access to this board");
      return;
    }
    reconnectAttempts += 1;
    setPill(navigator.onLine === false ? "offline" : "reconnecting",
      navigator.onLine === false ? "Offline" : "Reconnecting…");
    // The ws extension retries by itself only after 1006/1011/1012/1013.
    if ([1006, 1011, 1012, 1013].indexOf(code) < 0) {
      clearTimeout(reconnectTimer);
      reconnectTimer = setTimeout(function () { socket.reconnect(); }, reconnectDelay());
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible") return;
    if (!socket) return;
    if (socketOpen) {
      askResume(socket);
    } else {
      clearTimeout(reconnectTimer);
      socket.reconnect();
    }
  });

  window.addEventListener("online", function () { setPill("reconnecting", "Reconnecting…"); });
  window.addEventListener("offline", function () { setPill("offline", "Offline"); });

  document.addEventListener("htmx:afterSwap", function (evt) {
    var dialog = document.getElementById("task-dialog");
    if (dialog && evt.detail.target && evt.detail.target.id === "dialog-body" && !dialog.open) {
      dialog.showModal();
      var first = dialog.querySelector("input, textarea, select");
      if (first) first.focus();
    }
  });

  // A card's Edit link opens the form in the dialog (one listener for every card, so a
  // card carries no htmx attributes for it); without JavaScript it opens the edit page.
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest && evt.target.closest("a.card-edit");
    if (!link || evt.button !== 0 || evt.metaKey || evt.ctrlKey || evt.shiftKey) return;
    evt.preventDefault();
    htmx.ajax("GET", link.href, { source: link, target: "#dialog-body" });
  });

  document.addEventListener("taskboard:dialog-close", function () {
    var dialog = document.getElementById("task-dialog");
    if (dialog && dialog.open) dialog.close();
  });

  document.addEventListener("click", function (evt) {
    var closer = evt.target.closest && evt.target.closest("[data-dialog-close]");
    var dialog = document.getElementById("task-dialog");
    if (closer && dialog && dialog.contains(closer)) {
      evt.preventDefault();
      dialog.close();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var inbox = document.getElementById("card-inbox");
    if (inbox) new MutationObserver(placeInboxCards).observe(inbox, { childList: true });
  });
})();
