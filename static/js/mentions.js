/* @mention suggestions in textareas marked `data-mentions-url`: typing @ shows the
 * board's members in a listbox under the field. Arrow keys choose, Enter or Tab
 * picks, Escape closes; the textarea keeps the focus and names the chosen option
 * with aria-activedescendant. Suggestions come from the board's mentions endpoint. */
(function () {
  "use strict";

  var TOKEN = /(^|[\s(\[{>"'*_~,;:!?])@([\w.+-]{0,150})$/;
  var DEBOUNCE_MS = 120;
  var state = null; // {textarea, list, start, options, active}
  var timer = null;
  var asked = 0;

  function listFor(textarea) {
    var id = (textarea.id || "mention-field") + "-mentions";
    var list = document.getElementById(id);
    if (!list) {
      list = document.createElement("ul");
      list.id = id;
      list.className = "mention-list";
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", "People on this board");
      list.hidden = true;
      textarea.parentElement.classList.add("mention-wrap");
      textarea.insertAdjacentElement("afterend", list);
      textarea.setAttribute("aria-autocomplete", "list");
      textarea.setAttribute("aria-controls", id);
      textarea.setAttribute("aria-expanded", "false");
    }
    return list;
  }

  function close() {
    if (!state) return;
    state.list.hidden = true;
    state.list.textContent = "";
    state.textarea.setAttribute("aria-expanded", "false");
    state.textarea.removeAttribute("aria-activedescendant");
    state = null;
  }

  function highlight(index) {
    state.active = index;
    Array.prototype.forEach.call(state.list.children, function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    var chosen = state.list.children[index];
    state.textarea.setAttribute("aria-activedescendant", chosen.id);
    chosen.scrollIntoView({ block: "nearest" });
  }

  function show(textarea, start, members) {
    if (!members.length) { close(); return; }
    var list = listFor(textarea);
    list.textContent = "";
    members.forEach(function (member, i) {
      var option = document.createElement("li");
      option.id = list.id + "-" + i;
      option.setAttribute("role", "option");
      option.dataset.username = member.username;
      option.textContent = "@" + member.username + " ";
      var name = document.createElement("span");
      name.className = "muted";
      name.textContent = member.name;
      option.appendChild(name);
      list.appendChild(option);
    });
    list.hidden = false;
    textarea.setAttribute("aria-expanded", "true");
    state = { textarea: textarea, list: list, start: start, active: 0 };
    highlight(0);
  }

  function pick(index) {
    var textarea = state.textarea;
    var username = state.list.children[index].dataset.username;
    var caret = textarea.selectionStart;
    var before = textarea.value.slice(0, state.start) + "@" + username + " ";
    textarea.value = before + textarea.value.slice(caret);
    textarea.setSelectionRange(before.length, before.length);
    close();
    textarea.focus();
  }

  function suggest(textarea) {
    var caret = textarea.selectionStart;
    var match = TOKEN.exec(textarea.value.slice(0, caret));
    if (!match || textarea.selectionEnd !== caret) { close(); return; }
    var start = caret - match[2].length - 1;
    var ask = ++asked;
    var url = textarea.dataset.mentionsUrl + "?q=" + encodeURIComponent(match[2]);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { members: [] }; })
      .then(function (data) { if (ask === asked) show(textarea, start, data.members || []); })
      .catch(close);
  }

  document.addEventListener("input", function (evt) {
    var textarea = evt.target;
    if (!textarea.matches || !textarea.matches("textarea[data-mentions-url]")) return;
    clearTimeout(timer);
    timer = setTimeout(function () { suggest(textarea); }, DEBOUNCE_MS);
  });

  document.addEventListener("keydown", function (evt) {
    if (!state || evt.target !== state.textarea) return;
    var count = state.list.children.length;
    if (evt.key === "ArrowDown") highlight((state.active + 1) % count);
    else if (evt.key === "ArrowUp") highlight((state.active - 1 + count) % count);
    else if (evt.key === "Enter" || evt.key === "Tab") pick(state.active);
    else if (evt.key === "Escape") close();
    else return;
    evt.preventDefault();
    evt.stopPropagation();
  }, true);

  // mousedown, not click: the textarea must not lose its focus (and close the list).
  document.addEventListener("mousedown", function (evt) {
    if (!state) return;
    var option = evt.target.closest && evt.target.closest(".mention-list [role=option]");
    if (option && state.list.contains(option)) {
      evt.preventDefault();
      pick(Array.prototype.indexOf.call(state.list.children, option));
    } else if (evt.target !== state.textarea) {
      close();
    }
  });

  document.addEventListener("focusout", function (evt) {
    if (state && evt.target === state.textarea) setTimeout(close, 0);
  });
})();
