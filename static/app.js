// Tessera: progressive enhancement only. Every action works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Focus the first field with an error, so keyboard and screen reader users land on it.
  const invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) invalid.focus();
});
