// The bulk bar of the token list: how many rows are checked, a box that checks
// the whole page, and only the fields the chosen action needs. Without it, every
// field shows and the server says what is missing.
(() => {
  const form = document.querySelector("[data-bulk]");
  if (!form) return;
  const boxes = () => [...document.querySelectorAll('input[name="tokens"][form="bulk-form"]')];
  const page = document.querySelector("[data-bulk-page]");
  const select = form.querySelector("[data-bulk-select]");
  const count = form.querySelector("[data-bulk-count]");
  const action = form.querySelector("[data-bulk-action]");
  const fold = form.querySelector("[data-bulk-fold]");
  if (window.matchMedia("(max-width: 640px)").matches) fold.open = false;

  const update = () => {
    const all = boxes();
    const checked = all.filter((box) => box.checked).length;
    count.textContent = select.value === "rows"
      ? (checked === 1 ? "1 row checked" : `${checked} rows checked`)
      : "";
    if (page) {
      page.checked = checked > 0 && checked === all.length;
      page.indeterminate = checked > 0 && checked < all.length;
    }
    for (const field of form.querySelectorAll("[data-bulk-needs]")) {
      field.hidden = !field.dataset.bulkNeeds.split(" ").includes(action.value);
    }
  };

  if (page) {
    page.hidden = false;
    page.addEventListener("change", () => {
      for (const box of boxes()) box.checked = page.checked;
      if (page.checked) select.value = "rows";
      update();
    });
  }
  document.addEventListener("change", (event) => {
    if (!event.target.matches('input[name="tokens"]')) return;
    if (event.target.checked) {
      select.value = "rows";
      fold.open = true;
    }
    update();
  });
  select.addEventListener("change", update);
  action.addEventListener("change", update);
  form.addEventListener("submit", (event) => {
    if (select.value === "rows" && !boxes().some((box) => box.checked)) {
      event.preventDefault();
      count.textContent = "Check some rows first, or choose all the tokens the filters match.";
    }
  });
  update();
})();
