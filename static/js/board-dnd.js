/* Drag and drop (SortableJS) and keyboard moves on the board page.
 * Each drop sends one card with its expected version, never a column's order; the
 * response card (or the refusal's current card) is placed by taskboard.js. */
(function () {
  "use strict";

  var COLUMNS = ["UNASSIGNED", "IN_PROGRESS", "DONE"];

  function canEdit() {
    var board = document.getElementById("board");
    return board && board.dataset.role !== "viewer";
  }

  // The board names one task's move URL (task 0's); each card's is that with its id.
  function moveUrl(card) {
    var board = document.getElementById("board");
    return board.dataset.taskMoveUrl.replace("/0/", "/" + card.dataset.taskId + "/");
  }

  function sendMove(card, status, index) {
    htmx.ajax("POST", moveUrl(card), {
      source: card,
      swap: "none",
      values: { status: status, index: index, expected_version: card.dataset.version },
    });
  }

  function indexInColumn(card) {
    return Array.prototype.indexOf.call(card.parentElement.querySelectorAll(":scope > .card"), card);
  }

  function initSortable() {
    if (!canEdit() || typeof Sortable === "undefined") return;
    document.querySelectorAll(".cards").forEach(function (column) {
      Sortable.create(column, {
        group: "cards",
        draggable: ".card",
        animation: 150,
        delay: 250, // on touch screens a short press starts a drag, so swiping still scrolls
        delayOnTouchOnly: true,
        // The title's link is part of the card's handle: a press that moves drags the
        // card, a click opens the task (the link is draggable="false", so the browser
        // drags the card, not a URL). The buttons keep their clicks.
        filter: "button, .card-actions a, input, textarea, select",
        preventOnFilter: false,
        ghostClass: "card-ghost",
        onEnd: function (evt) {
          if (evt.from === evt.to && evt.oldIndex === evt.newIndex) return;
          sendMove(evt.item, evt.to.dataset.status, indexInColumn(evt.item));
        },
      });
    });
  }

  function onKeydown(evt) {
    if (!evt.altKey || !canEdit()) return;
    var card = evt.target.closest && evt.target.closest(".cards .card");
    if (!card) return;
    var status = card.dataset.status;
    var index = indexInColumn(card);
    var column = COLUMNS.indexOf(status);
    if (evt.key === "ArrowUp" && index > 0) {
      sendMove(card, status, index - 1);
    } else if (evt.key === "ArrowDown") {
      sendMove(card, status, index + 1);
    } else if (evt.key === "ArrowLeft" && column > 0) {
      sendMove(card, COLUMNS[column - 1], 100000);
    } else if (evt.key === "ArrowRight" && column < COLUMNS.length - 1) {
      sendMove(card, COLUMNS[column + 1], 100000);
    } else {
      return;
    }
    evt.preventDefault();
  }

  document.addEventListener("DOMContentLoaded", initSortable);
  document.addEventListener("keydown", onKeydown);
})();
