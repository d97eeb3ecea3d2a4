/* "Bob is editing": while this tab has a task's edit form open, the board's socket
 * says so every few seconds; the others' notices (realtime/editing.py) show on their
 * cards and edit forms until they stop or their time-to-live passes. */
(function () {
  "use strict";

  var REPEAT_MS = 5000;
  var socket = null;
  var socketOpen = false;
  var mine = null; // the task whose edit form is open in this tab
  var others = {}; // "task:connection" -> { task, name, expires }

  function send(task, editing) {
    if (socket && socketOpen) {
      socket.send(JSON.stringify({ type: "editing", task: parseInt(task, 10), editing: editing }));
    }
  }

  function openFormTask() {
    var form = document.getElementById("task-edit-form");
    if (!form) return null;
    var dialog = form.closest("dialog");
    return dialog && !dialog.open ? null : form.dataset.taskId;
  }

  function announce(repeat) {
    var task = openFormTask();
    if (task !== mine) {
      if (mine) send(mine, false);
      mine = task;
      if (mine) send(mine, true);
    } else if (repeat && mine) {
      send(mine, true);
    }
  }

  function sentence(names) {
    if (names.length === 1) return names[0] + " is editing";
    return names.slice(0, -1).join(", ") + " and " + names[names.length - 1] + " are editing";
  }

  // A board card gets its badge when someone first edits it: 300 cards need not each
  // carry an empty one. (The task page has its own, in its markup.)
  function badgeEnsure(taskId) {
    var card = document.getElementById("task-" + taskId);
    if (!card || !card.classList.contains("card") || card.querySelector("[data-editing-for]")) return;
    var badge = document.createElement("p");
    badge.className = "editing-badge";
    badge.dataset.editingFor = taskId;
    badge.setAttribute("aria-live", "polite");
    badge.hidden = true;
    card.querySelector(".card-meta").after(badge);
  }

  function render() {
    var now = Date.now();
    var byTask = {};
    Object.keys(others).forEach(function (key) {
      var entry = others[key];
      if (entry.expires < now) { delete others[key]; return; }
      (byTask[entry.task] = byTask[entry.task] || []).push(entry.name);
    });
    Object.keys(byTask).forEach(badgeEnsure);
    document.querySelectorAll("[data-editing-for]").forEach(function (badge) {
      var names = byTask[badge.dataset.editingFor];
      var text = names ? sentence(names.filter(function (n, i, all) { return all.indexOf(n) === i; })) : "";
      if (badge.textContent !== text) badge.textContent = text;
      badge.hidden = !names;
    });
  }

  function take(notice) {
    var key = notice.dataset.task + ":" + notice.dataset.conn;
    if (notice.dataset.editing === "1") {
      var ttl = parseFloat(notice.dataset.ttl) || 15;
      others[key] = { task: notice.dataset.task, name: notice.dataset.name, expires: Date.now() + ttl * 1000 };
    } else {
      delete others[key];
    }
    notice.remove();
  }

  document.addEventListener("htmx:wsOpen", function (evt) {
    socket = evt.detail.socketWrapper;
    socketOpen = true;
    mine = null; // say it again to the new connection
    announce(false);
  });
  document.addEventListener("htmx:wsClose", function () { socketOpen = false; });
  // Cards and forms swapped in come without their badge's text.
  document.addEventListener("htmx:afterSettle", function () { announce(false); render(); });
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("editing-notices");
    if (!box) return;
    new MutationObserver(function () {
      Array.prototype.slice.call(box.children).forEach(take);
      render();
    }).observe(box, { childList: true });
    setInterval(function () { announce(true); render(); }, REPEAT_MS);
    setInterval(render, 1000);
  });
  // A closed dialog keeps its form: its "close" (which does not bubble) ends the edit.
  document.addEventListener("close", function () { announce(false); }, true);
  window.addEventListener("pagehide", function () { if (mine) send(mine, false); });
})();
