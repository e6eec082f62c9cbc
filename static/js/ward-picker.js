// A search box over a long <select> of wards: type part of a name with or without
// diacritics ("phu dien" finds "Phường Phú Diễn"), or a code; the list narrows as you
// type; Enter or ↓ moves to the list. Without this script the plain <select> still works.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d").toLowerCase();
  }

  // Every word typed is a whole word of the name, but the last one, which may be
  // the start of a word still being typed: "phu dien" finds Phú Diễn, not Phúc Diễn.
  function matches(words, tokens) {
    return tokens.every(function (token, index) {
      var last = index === tokens.length - 1;
      return words.some(function (word) { return last ? word.indexOf(token) === 0 : word === token; });
    });
  }

  function enhance(select) {
    var options = Array.prototype.slice.call(select.options).filter(function (o) { return o.value; });
    options.forEach(function (o) { o.dataset.words = JSON.stringify(fold(o.text).split(/[^a-z0-9]+/)); });
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control mb-2";
    box.id = select.id + "-search";
    box.placeholder = select.dataset.placeholder || "";
    box.setAttribute("aria-controls", select.id);
    box.setAttribute("autocomplete", "off");
    var count = document.createElement("div");
    count.className = "form-text mb-1";
    count.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(count, select);
    select.size = Math.min(10, options.length + 1);

    function filter() {
      var tokens = fold(box.value).split(/[^a-z0-9]+/).filter(Boolean);
      var shown = 0, first = null;
      options.forEach(function (o) {
        var ok = !tokens.length || matches(JSON.parse(o.dataset.words), tokens);
        o.hidden = !ok;
        o.disabled = !ok;
        if (ok) { shown += 1; if (!first) { first = o; } }
      });
      count.textContent = (select.dataset.countLabel || "%s").replace("%s", shown);
      var current = select.options[select.selectedIndex];
      if (tokens.length && first && (!select.value || !current || current.hidden)) {
        first.selected = true;  // the first match is chosen: Enter, then "Register"
      }
    }

    box.addEventListener("input", filter);
    box.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        select.focus();
      } else if (event.key === "Enter") {
        event.preventDefault();  // choose the first match, do not submit yet
        select.focus();
      }
    });
    filter();
  }

  document.querySelectorAll("select[data-ward-picker]").forEach(enhance);
})();
