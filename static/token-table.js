// The token list: "/" goes to the search (not while typing elsewhere), and the
// column chooser remembers hidden columns in this browser. A column the window
// has no room for (the stylesheet hides it at this width) shows as half-ticked,
// "no room", rather than as shown.
"use strict";

(() => {
  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    const search = document.getElementById("filter-q");
    if (!search) return;
    event.preventDefault();
    search.focus();
  });
  const chooser = document.querySelector("[data-columns]");
  const table = document.querySelector(".token-table");
  if (!chooser || !table) return;
  const KEY = "tessera.token-list.hidden-columns";
  let hidden = [];
  try {
    hidden = JSON.parse(localStorage.getItem(KEY) || "[]");
  } catch (_) {
    hidden = [];
  }
  const boxes = [...chooser.querySelectorAll("input[type=checkbox]")];
  function apply() {
    boxes.forEach((box) => {
      box.checked = !hidden.includes(box.value);
      table.classList.toggle("hide-" + box.value, !box.checked);
      const heading = table.querySelector("th.col-" + box.value);
      const noRoom = box.checked && heading !== null && getComputedStyle(heading).display === "none";
      box.indeterminate = noRoom;
      box.closest("label").title = noRoom ? "Chosen, but there is no room for it at this width" : "";
      box.closest("label").classList.toggle("menu-no-room", noRoom);
    });
  }
  boxes.forEach((box) => {
    box.addEventListener("change", (event) => {
      event.stopPropagation();
      hidden = boxes.filter((b) => !b.checked).map((b) => b.value);
      try {
        localStorage.setItem(KEY, JSON.stringify(hidden));
      } catch (_) {
        // Private windows may refuse: the choice then lasts for this page.
      }
      apply();
    });
  });
  window.addEventListener("resize", apply);
  chooser.addEventListener("toggle", apply);
  apply();
  chooser.hidden = false;
})();
