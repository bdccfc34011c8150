// The reference's side navigation: a search that narrows the endpoints as it is
// typed (their method, summary or path), folded on a narrow screen. Without the
// script, every endpoint is listed.
(() => {
  const search = document.querySelector("[data-api-search]");
  if (!search) return;
  const fold = document.querySelector("[data-api-fold]");
  if (window.matchMedia("(max-width: 900px)").matches) fold.open = false;
  const none = document.querySelector("[data-api-none]");
  search.hidden = false;
  search.addEventListener("input", () => {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const group of document.querySelectorAll("[data-api-group]")) {
      let inGroup = 0;
      for (const entry of group.querySelectorAll("[data-api-entry]")) {
        const text = `${entry.textContent} ${entry.dataset.path}`.toLowerCase();
        entry.hidden = !words.every((word) => text.includes(word));
        if (!entry.hidden) inGroup += 1;
      }
      group.hidden = inGroup === 0;
      shown += inGroup;
    }
    none.hidden = shown > 0;
  });
})();
