/* The task page: live comments, watchers and history arrive as fragments over the
 * board's socket (taskboard.js runs it). Fragments are rendered once for everyone, so
 * this file shows each comment's edit and delete controls to whom they belong, keeps
 * one copy of anything that arrived twice (the author's own response and its echo),
 * and reloads when the server says the page is too far behind to catch up. */
(function () {
  "use strict";

  var page = document.getElementById("task-page");
  if (!page) return;
  var userId = page.dataset.userId;
  var isAdmin = page.dataset.role === "admin";

  function applyPermissions(root) {
    root.querySelectorAll(".comment").forEach(function (comment) {
      var own = comment.dataset.authorId !== "" && comment.dataset.authorId === userId;
      var edit = comment.querySelector(".comment-edit");
      var remove = comment.querySelector(".comment-delete");
      if (edit) edit.hidden = !own;
      if (remove) remove.hidden = !(own || isAdmin);
    });
  }

  // A comment or history line that is already on the page stays where it is.
  function dropDuplicates(records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(function (node) {
        if (node.nodeType !== 1 || !node.id) return;
        var first = document.getElementById(node.id);
        if (first && first !== node) node.remove();
      });
    });
  }

  document.addEventListener("htmx:wsBeforeMessage", function (evt) {
    if (/id="board-seq" data-seq="\d+" data-refresh/.test(evt.detail.message)) {
      evt.preventDefault();
      window.location.reload();
    }
  });

  // A refused action (board/views/_responses.py) says why, above the task.
  document.addEventListener("taskboard:refused", function (evt) {
    var notice = document.getElementById("task-notice");
    if (!notice || !evt.detail || !evt.detail.message) return;
    notice.textContent = evt.detail.message;
    notice.hidden = false;
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var notice = document.getElementById("task-notice");
    if (notice) notice.hidden = true;
  });

  document.addEventListener("htmx:afterSettle", function () { applyPermissions(page); });
  document.addEventListener("htmx:oobAfterSwap", function () { applyPermissions(page); });

  document.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail.target;
    if (!target || !target.id) return;
    var form = document.getElementById(target.id);
    if (/^comment-form-/.test(target.id) && form && !form.querySelector(".field-error")) {
      var textarea = form.querySelector("textarea");
      if (textarea) textarea.focus();
    } else if (/^comment-\d+$/.test(target.id) && form) {
      var field = form.querySelector("textarea");
      if (field) field.focus();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    applyPermissions(page);
    var observer = new MutationObserver(dropDuplicates);
    page.querySelectorAll("[data-unique-children]").forEach(function (list) {
      observer.observe(list, { childList: true });
    });
  });
})();
