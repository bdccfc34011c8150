// Usage charts: the numbers of the bar pointed at or focused, read out beside the
// chart; the arrow keys move between bars (one tab stop per chart).
(() => {
  "use strict";

  function setUpChart(chart) {
    const bars = Array.from(chart.querySelectorAll(".chart-bar"));
    const readout = chart.closest("figure")?.querySelector("[data-chart-readout]");
    if (bars.length === 0 || !readout) return;
    const show = (bar) => {
      readout.textContent = bar.getAttribute("aria-label");
    };
    bars.forEach((bar, index) => {
      bar.addEventListener("mouseenter", () => show(bar));
      bar.addEventListener("focus", () => show(bar));
      bar.addEventListener("keydown", (event) => {
        const moves = { ArrowLeft: -1, ArrowRight: 1, Home: -index, End: bars.length - 1 - index };
        const move = moves[event.key];
        if (move === undefined) return;
        event.preventDefault();
        const next = bars[Math.min(bars.length - 1, Math.max(0, index + move))];
        bar.setAttribute("tabindex", "-1");
        next.setAttribute("tabindex", "0");
        next.focus();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-chart]").forEach(setUpChart);
  });
})();
