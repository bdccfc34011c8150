// The token form: what applies to the choices made (custom dates, the permission
// matrix, the scopes' policies, when the token would end), "all Read / all Write"
// on the matrix, and, on Save, a message at each field still to fill in. Without
// it, everything shows and the server says what is missing; it checks either way.
(() => {
  const form = document.querySelector("[data-token-form]");
  if (!form) return;
  const customDates = form.querySelector("[data-custom-dates]");
  const matrix = form.querySelector("[data-custom-permissions]");
  const from = form.querySelector("#valid_from");
  const to = form.querySelector("#valid_to");
  const name = form.querySelector("#name");
  const preview = form.querySelector("[data-duration-preview]");
  const saveHint = form.querySelector("[data-save-hint]");
  const checked = (selector) => form.querySelector(selector + ":checked");
  const today = () => new Date().toISOString().slice(0, 10);

  // The policies of the scopes ticked, as they are ticked.
  const policyHint = form.querySelector("[data-policy-hint]");
  function showPolicies() {
    if (!policyHint) return;
    const ticked = new Set([...form.querySelectorAll('input[name="scopes"]:checked')].map((box) => box.value));
    let shown = 0;
    for (const policy of policyHint.querySelectorAll("[data-policy-of]")) {
      policy.hidden = !ticked.has(policy.dataset.policyOf);
      if (!policy.hidden) shown += 1;
    }
    policyHint.hidden = shown === 0;
  }

  // When the token would end, as the duration is picked; a warning on no end.
  function showEnd(duration) {
    const days = { "7d": 7, "30d": 30, "90d": 90 }[duration ? duration.value : ""];
    const end = days ? new Date(Date.now() + days * 86400000).toISOString() : "";
    const never = duration !== null && duration.value === "unlimited";
    preview.textContent = days
      ? `Ends on ${end.slice(0, 10)} at ${end.slice(11, 16)} UTC.`
      : never
        ? "Never ends: a leaked copy works until someone revokes it. Choose an end unless its client cannot be given a new token."
        : duration !== null && duration.value === "custom" && to.value ? `Ends at the end of ${to.value} (UTC).` : "";
    preview.hidden = preview.textContent === "";
    preview.classList.toggle("warning-text", never);
  }

  // "All Read" and "All Write": ticked when every module has the action, half-ticked
  // when some have.
  const columns = [...form.querySelectorAll("[data-all-action]")];
  const boxesOf = (action) => [...form.querySelectorAll(`input[name="permissions"][value$=":${action}"]`)];
  function showColumns() {
    for (const all of columns) {
      const ticked = boxesOf(all.dataset.allAction).filter((box) => box.checked).length;
      all.checked = ticked > 0 && ticked === boxesOf(all.dataset.allAction).length;
      all.indeterminate = ticked > 0 && !all.checked;
    }
  }
  for (const all of columns) {
    all.hidden = false;
    // On input, which comes before the form's own update reads the boxes.
    all.addEventListener("input", () => {
      for (const box of boxesOf(all.dataset.allAction)) box.checked = all.checked;
    });
  }

  function update() {
    const duration = checked("input[name=duration]");
    showEnd(duration);
    const type = checked("input[name=token_type]");
    customDates.hidden = !(duration && duration.value === "custom");
    matrix.hidden = !(type && type.value === "custom");
    to.min = from.value && from.value > (from.min || "") ? from.value : from.min;
    showPolicies();
    showColumns();
  }

  // What is still missing, field by field, in the server's words.
  function problems() {
    const found = [];
    const duration = checked("input[name=duration]");
    const type = checked("input[name=token_type]");
    const min = from.min || today();
    if (name.value.trim() === "") found.push(["name", "Name is required."]);
    if (!checked("input[name=scopes]")) found.push(["scopes", "Choose at least one scope."]);
    if (!duration) found.push(["duration", "Choose how long the token is valid."]);
    if (duration && duration.value === "custom") {
      if (from.value && (from.validity.badInput || from.value < min)) found.push(["valid_from", "The start cannot be in the past."]);
      if (to.value && (to.validity.badInput || to.value < min)) found.push(["valid_to", "The end cannot be in the past."]);
      else if (from.value && to.value && to.value < from.value) found.push(["valid_to", "The end must be on or after the start."]);
    }
    if (!type) found.push(["token_type", "Choose a token type."]);
    if (type && type.value === "custom" && !checked("input[name=permissions]")) {
      found.push(["permissions", "Tick at least one module and action."]);
    }
    return found;
  }

  function clearMessages() {
    for (const message of form.querySelectorAll("[data-client-error]")) message.remove();
    for (const input of form.querySelectorAll("[data-client-invalid]")) settle(input);
    saveHint.hidden = true;
  }

  // A field's own hint comes back when its message goes.
  function settle(input) {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("data-client-invalid");
    if (input.dataset.hint) input.setAttribute("aria-describedby", input.dataset.hint);
    else input.removeAttribute("aria-describedby");
  }

  function showMessages(found) {
    for (const [field, text] of found) {
      const inputs = [...form.querySelectorAll(`[name="${field}"]`)].filter((input) => input.type !== "hidden");
      const message = document.createElement("p");
      message.className = "field-error";
      message.id = `${field}-client-error`;
      message.dataset.clientError = "";
      message.textContent = text;
      const alone = ["name", "valid_from", "valid_to"].includes(field);
      (alone ? inputs[0] : inputs[0].closest(".choice-grid, .segmented, .choice-list, .matrix")).after(message);
      for (const input of inputs) {
        input.dataset.hint = input.getAttribute("aria-describedby") || "";
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("data-client-invalid", "");
        input.setAttribute("aria-describedby", `${input.dataset.hint} ${message.id}`.trim());
      }
    }
    saveHint.textContent = found.length === 1 ? "One field needs your attention." : `${found.length} fields need your attention.`;
    saveHint.hidden = false;
  }

  form.addEventListener("submit", (event) => {
    if (event.submitter && event.submitter.name === "intent") return;
    clearMessages();
    const found = problems();
    if (found.length === 0) return;
    event.preventDefault();
    showMessages(found);
    form.querySelector("[data-client-invalid]").focus();
  });
  form.addEventListener("input", update);
  form.addEventListener("change", () => {
    update();
    // A message goes once its field is right; the others stay until Save.
    if (form.querySelector("[data-client-error]")) {
      const still = new Set(problems().map(([field]) => field));
      for (const message of form.querySelectorAll("[data-client-error]")) {
        const field = message.id.replace("-client-error", "");
        if (!still.has(field)) {
          message.remove();
          for (const input of form.querySelectorAll(`[name="${field}"][data-client-invalid]`)) settle(input);
        }
      }
      if (!form.querySelector("[data-client-error]")) saveHint.hidden = true;
    }
  });
  update();
})();
