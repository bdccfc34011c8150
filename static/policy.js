// The token form's hint: the policies of the scopes ticked, as they are ticked.
// Without it, every offered scope's policy shows; the server checks either way.
(() => {
  const hint = document.querySelector("[data-policy-hint]");
  if (!hint) return;
  const boxes = [...document.querySelectorAll('input[name="scopes"]')];
  const update = () => {
    const ticked = new Set(boxes.filter((box) => box.checked).map((box) => box.value));
    let shown = 0;
    for (const policy of hint.querySelectorAll("[data-policy-of]")) {
      policy.hidden = !ticked.has(policy.dataset.policyOf);
      if (!policy.hidden) shown += 1;
    }
    hint.hidden = shown === 0;
  };
  for (const box of boxes) box.addEventListener("change", update);
  update();
})();
