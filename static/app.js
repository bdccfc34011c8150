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
        return false;
      }
    }
    toast(`${what} copied to the clipboard.`);
    return true;
  }

  function textOf(id) {
    const element = document.getElementById(id);
    if (!element) return "";
    return "value" in element ? element.value : element.textContent;
  }

  function setUpCopyButtons() {
    document.querySelectorAll("[data-copy], [data-copy-from]").forEach((button) => {
      button.hidden = false;
      button.addEventListener("click", async () => {
        const text = button.dataset.copy ?? textOf(button.dataset.copyFrom);
        const copied = await copyText(text, button.dataset.copyWhat || "Text");
        // A labelled button says so itself for a moment ("Copied ✓").
        if (copied && button.dataset.copiedLabel) {
          const label = button.querySelector("[data-copy-label]");
          label.textContent = button.dataset.copiedLabel;
          setTimeout(() => (label.textContent = button.dataset.copyLabel), 2500);
        }
      });
    });
  }

  // A token's stored value on its General tab: show, hide and copy, after the
  // password when the server asks for it; hidden again by itself. Without this,
  // the form posts and the server answers with a page that hides it again.
  function setUpValueReveal() {
    const form = document.querySelector("[data-reveal-form]");
    if (!form) return;
    const value = form.querySelector("#token-value");
    const show = form.querySelector("[data-reveal-show]");
    const copy = form.querySelector("[data-reveal-copy]");
    const dialog = document.getElementById("confirm-password-dialog");
    const masked = value.dataset.maskedText;
    const hideAfter = Number(form.dataset.hideAfter || 30) * 1000;
    let secret = null;
    let hideTimer = 0;
    copy.hidden = false;

    function hide() {
      secret = null;
      clearTimeout(hideTimer);
      value.textContent = masked;
      value.classList.remove("token-revealed");
      show.setAttribute("aria-pressed", "false");
      show.setAttribute("aria-label", "Show the token");
    }

    function remember(token, seconds) {
      secret = token;
      clearTimeout(hideTimer);
      hideTimer = setTimeout(() => {
        hide();
        toast("The token is hidden again.");
      }, seconds ? seconds * 1000 : hideAfter);
    }

    function display() {
      value.textContent = secret;
      value.classList.add("token-revealed");
      show.setAttribute("aria-pressed", "true");
      show.setAttribute("aria-label", "Hide the token");
    }

    function askPassword(message) {
      return new Promise((resolve) => {
        if (!dialog || typeof dialog.showModal !== "function") return resolve(null);
        const input = dialog.querySelector("input[name=password]");
        const error = dialog.querySelector(".field-error");
        const dialogForm = dialog.querySelector("form");
        error.hidden = !message;
        error.textContent = message || "";
        input.setAttribute("aria-invalid", message ? "true" : "false");
        input.value = "";
        const done = (password) => {
          dialogForm.removeEventListener("submit", onSubmit);
          dialog.removeEventListener("close", onClose);
          resolve(password);
        };
        const onSubmit = (event) => {
          event.preventDefault();
          const password = input.value;
          dialog.close();
          done(password);
        };
        const onClose = () => done(null);
        dialogForm.addEventListener("submit", onSubmit);
        dialog.addEventListener("close", onClose);
        dialog.querySelector("[data-dialog-cancel]").onclick = () => dialog.close();
        dialog.showModal();
        input.focus();
      });
    }

    async function fetchValue(purpose) {
      let password = null;
      let prompt = null;
      for (;;) {
        const body = new URLSearchParams(new FormData(form));
        body.set("purpose", purpose);
        if (password !== null) body.set("password", password);
        let response;
        try {
          response = await fetch(form.action, {
            method: "POST",
            headers: { Accept: "application/json" },
            body,
            credentials: "same-origin",
            cache: "no-store",
          });
        } catch {
          toast("Tessera could not be reached. Try again.");
          return null;
        }
        const answer = await response.json().catch(() => ({}));
        if (response.ok) {
          remember(answer.token, answer.hide_after_seconds);
          return answer.token;
        }
        if (response.status === 401 && answer.code === "confirm_password") {
          prompt = password === null ? null : answer.message;
          password = await askPassword(prompt);
          if (password === null) return null;
          continue;
        }
        toast(answer.message || "The token could not be shown. Reload the page and try again.");
        return null;
      }
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const purpose = event.submitter === copy ? "copy" : "show";
      if (purpose === "show" && show.getAttribute("aria-pressed") === "true") {
        hide();
        return;
      }
      const token = secret ?? (await fetchValue(purpose));
      if (token === null) return;
      if (purpose === "copy") {
        await copyText(token, "API token");
      } else {
        display();
      }
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

    // Without JavaScript, links lead to a confirmation page; forms are asked here.
    document.querySelectorAll("a[data-confirm], form[data-confirm]").forEach((link) => {
      const isForm = link.tagName === "FORM";
      link.addEventListener(isForm ? "submit" : "click", (event) => {
        event.preventDefault();
        // A row's menu closes behind the question; focus comes back to its button.
        const menu = link.closest("details");
        if (menu) menu.open = false;
        opener = menu ? menu.querySelector("summary") : isForm ? link.querySelector("[type=submit]") : link;
        form.action = isForm ? link.action : link.href;
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
  // secret again, so the address becomes the token's page. Leaving before the
  // secret was copied asks first.
  function setUpReveal() {
    const reveal = document.querySelector("[data-reveal]");
    if (!reveal) return;
    if (reveal.dataset.detailsUrl) {
      history.replaceState(null, "", reveal.dataset.detailsUrl);
    }
    let copied = false;
    const done = () => (copied = true);
    reveal.querySelector("[data-copy-from=secret]")?.addEventListener("click", done);
    document.getElementById("secret")?.addEventListener("copy", done);
    reveal.querySelector("[data-copied-it]")?.addEventListener("click", done);
    window.addEventListener("beforeunload", (event) => {
      if (copied) return;
      event.preventDefault();
      event.returnValue = "";
    });
  }

  // Menus made of <details> (the account menu, each token's actions): one open at
  // a time, closed on Escape and on a click elsewhere, as menus do.
  function setUpMenus() {
    const menus = [...document.querySelectorAll("[data-account-menu], [data-row-menu], [data-columns]")];
    if (menus.length === 0) return;
    document.addEventListener("click", (event) => {
      menus.forEach((menu) => {
        if (menu.open && !menu.contains(event.target)) menu.open = false;
      });
    });
    menus.forEach((menu) => {
      menu.addEventListener("toggle", () => {
        if (menu.open) menus.forEach((other) => other !== menu && (other.open = false));
      });
      menu.addEventListener("keydown", (event) => {
        if (event.key === "Escape" && menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    });
  }

  // The list's filters apply as soon as one changes (Apply is for pages without
  // the script); on a phone they start folded behind their button.
  function setUpFilters() {
    const form = document.querySelector("[data-filters]");
    if (!form) return;
    const apply = form.querySelector("[data-apply]");
    apply.hidden = true;
    if (apply.parentElement.children.length === 1) apply.parentElement.hidden = true;
    form.addEventListener("change", () => form.requestSubmit());
    // Fields of the form placed elsewhere on the page (the page size).
    document.querySelectorAll(`[form="${form.id}"]`).forEach((field) => {
      field.addEventListener("change", () => form.requestSubmit());
    });
    const fold = form.querySelector("[data-filters-fold]");
    if (window.matchMedia("(max-width: 640px)").matches) fold.open = false;
  }

  // A new GUID on the token form, without sending it.
  function setUpNewGuid() {
    const form = document.querySelector("[data-token-form]");
    if (!form) return;
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

  // A one-time sign-in link carries its code after "#", which never reaches a
  // server or its logs: it fills the form, and leaves the address bar.
  function codeFromFragment() {
    const form = document.querySelector("[data-code-from-fragment]");
    const code = location.hash.slice(1);
    if (!form || !code) return;
    form.querySelector("[name=code]").value = decodeURIComponent(code);
    history.replaceState(null, "", location.pathname);
  }

  document.addEventListener("DOMContentLoaded", () => {
    setUpCopyButtons();
    setUpValueReveal();
    setUpMenus();
    setUpFilters();
    setUpConfirmations();
    setUpReveal();
    setUpNewGuid();
    focusFirstError();
    codeFromFragment();
  });
})();
