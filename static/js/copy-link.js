// Copy buttons for invite links (templates/workspace/_copy_link.html). Without
// JavaScript, or without a clipboard, the link stays a read-only input to select.
(function () {
  "use strict";

  function say(status, text) {
    if (status) status.textContent = text;
  }

  function setUp(button) {
    const input = document.getElementById(button.dataset.copyFor);
    if (!input) return;
    const status = document.getElementById(input.id + "_status");
    if (navigator.clipboard && window.isSecureContext) button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(
        function () { say(status, "Copied to the clipboard."); },
        function () {
          input.focus();
          input.select();
          say(status, "Copying was not allowed: press Ctrl+C (⌘C) to copy the selected link.");
        }
      );
    });
  }

  function init() {
    document.querySelectorAll("[data-copy-source]").forEach(function (input) {
      input.addEventListener("focus", function () { input.select(); });
    });
    document.querySelectorAll("[data-copy-for]").forEach(setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
