// Tessera: progressive enhancement only. Every action works without this file:
// confirmations fall back to their own pages, copy buttons stay hidden.
"use strict";

(() => {
  const toastElement = document.getElementById("toast");
  let toastTimer = 0;

  function toast(message) {
    if (!toastElement) return;
    toastElement.textContent = message;
    toastElement.classList.add("toast-visible");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => toastElement.classList.remove("toast-visible"), 2600);
  }

  async function copyText(text, what) {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Older browsers, or a page not served from a secure origin.
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.append(area);
      area.select();
      const copied = document.execCommand("copy");
      area.remove();
      if (!copied) {
        toast(`Could not copy the ${what}; select it and copy it by hand.`);
        return;
      }
    }
    toast(`${what} copied to the clipboard.`);
  }

  function textOf(id) {
    const element = document.getElementById(id);
    if (!element) return "";
    return "value" in element ? element.value : element.textContent;
  }

  function setUpCopyButtons() {
    document.querySelectorAll("[data-copy], [data-copy-from]").forEach((button) => {
      button.hidden = false;
      button.addEventListener("click", () => {
        const text = button.dataset.copy ?? textOf(button.dataset.copyFrom);
        copyText(text, button.dataset.copyWhat || "Text");
      });
    });
  }

  function setUpMaskToggles() {
    document.querySelectorAll("[data-toggle-mask]").forEach((button) => {
      const target = document.getElementById(button.dataset.toggleMask);
      if (!target) return;
      const masked = target.textContent;
      button.hidden = false;
      button.addEventListener("click", () => {
        const showing = button.getAttribute("aria-pressed") === "true";
        target.textContent = showing ? masked : target.dataset.masked;
        button.setAttribute("aria-pressed", String(!showing));
        button.setAttribute("aria-label", showing ? "Show the token hint" : "Hide the token hint");
      });
    });
  }

  // One <dialog> for every confirmation. showModal() makes the page behind it
  // inert (focus stays inside) and Escape closes it; focus returns to the opener.
  function setUpConfirmations() {
    const dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") return;
    const form = dialog.querySelector("form");
    const title = dialog.querySelector("#confirm-dialog-title");
    const body = dialog.querySelector("#confirm-dialog-body");
    const version = form.querySelector("input[name=version]");
    const grace = dialog.querySelector("[data-grace]");
    const confirm = dialog.querySelector("[data-dialog-confirm]");
    const cancel = dialog.querySelector("[data-dialog-cancel]");
    let opener = null;

    document.querySelectorAll("a[data-confirm]").forEach((link) => {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        opener = link;
        form.action = link.href;
        title.textContent = link.dataset.confirm;
        body.textContent = link.dataset.confirmBody || "";
        confirm.textContent = link.dataset.confirmButton || "Confirm";
        confirm.className = "button " + (link.hasAttribute("data-confirm-danger") ? "button-danger" : "button-primary");
        version.value = link.dataset.version || "";
        grace.hidden = !link.hasAttribute("data-confirm-grace");
        dialog.showModal();
        cancel.focus();
      });
    });
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      if (opener) opener.focus();
      opener = null;
    });
  }

  // The one-time page: a reload must not post the form again, and must not show the
  // secret again, so the address becomes the token's page.
  function setUpReveal() {
    const reveal = document.querySelector("[data-reveal]");
    if (reveal && reveal.dataset.detailsUrl) {
      history.replaceState(null, "", reveal.dataset.detailsUrl);
    }
  }

  function today() {
    const now = new Date();
    return now.toISOString().slice(0, 10);
  }

  // The token form: show what applies, and keep Save disabled until the required
  // fields are filled and the dates are valid. The server checks everything again.
  function setUpTokenForm() {
    const form = document.querySelector("[data-token-form]");
    if (!form) return;
    const save = form.querySelector("[data-save]");
    const saveHint = form.querySelector("[data-save-hint]");
    const customDates = form.querySelector("[data-custom-dates]");
    const matrix = form.querySelector("[data-custom-permissions]");
    const from = form.querySelector("#valid_from");
    const to = form.querySelector("#valid_to");
    const name = form.querySelector("#name");

    const checked = (selector) => form.querySelector(selector + ":checked");

    function datesValid() {
      const min = from.min || today();
      if (from.value && (from.validity.badInput || from.value < min)) return false;
      if (to.value && (to.validity.badInput || to.value < min)) return false;
      if (from.value && to.value && to.value < from.value) return false;
      return true;
    }

    function update() {
      const duration = checked("input[name=duration]");
      const type = checked("input[name=token_type]");
      const custom = duration && duration.value === "custom";
      customDates.hidden = !custom;
      matrix.hidden = !(type && type.value === "custom");
      to.min = from.value && from.value > (from.min || "") ? from.value : from.min;
      const valid =
        name.value.trim() !== "" &&
        checked("input[name=scopes]") !== null &&
        duration !== null &&
        (!custom || datesValid()) &&
        type !== null &&
        (type.value !== "custom" || checked("input[name=permissions]") !== null);
      save.disabled = !valid;
      saveHint.hidden = valid;
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();

    const newGuid = form.querySelector("[data-new-guid]");
    const guid = form.querySelector("#guid");
    if (newGuid && guid && window.crypto && typeof crypto.randomUUID === "function") {
      newGuid.addEventListener("click", (event) => {
        event.preventDefault();
        guid.value = crypto.randomUUID();
        toast("A new GUID was generated.");
      });
    }
  }

  function focusFirstError() {
    const invalid = document.querySelector("[aria-invalid='true']");
    if (invalid) invalid.focus();
  }

  document.addEventListener("DOMContentLoaded", () => {
    setUpCopyButtons();
    setUpMaskToggles();
    setUpConfirmations();
    setUpReveal();
    setUpTokenForm();
    focusFirstError();
  });
})();
