// Behaviour every page shares; no script is written inline (Content-Security-Policy: script-src 'self').
document.addEventListener("DOMContentLoaded", () => {
  // The language menu sends its form on change (the button inside <noscript> does it without JS).
  for (const select of document.querySelectorAll("select[data-submit-on-change]")) {
    select.addEventListener("change", () => select.form.submit());
  }

  // An action that cannot be undone asks first (form[data-confirm]). Without script the
  // server asks on a page of its own; here a dialog asks, and confirming sends confirm=1.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      const confirmField = form.querySelector("input[name=confirm]");
      if (!confirmField || confirmField.value === "1" || typeof HTMLDialogElement !== "function") return;
      event.preventDefault();
      askFirst(form, confirmField, event.submitter);
    });
  }
});

function askFirst(form, confirmField, submitter) {
  const dialog = document.createElement("dialog");
  dialog.className = "confirm-dialog";
  dialog.setAttribute("aria-labelledby", "confirm-dialog-question");
  const question = document.createElement("p");
  question.id = "confirm-dialog-question";
  question.textContent = form.dataset.confirm;
  const actions = document.createElement("div");
  actions.className = "actions";
  const yes = document.createElement("button");
  yes.type = "button";
  yes.className = "danger";
  yes.textContent = form.dataset.confirmButton || (submitter && submitter.textContent) || "OK";
  const no = document.createElement("button");
  no.type = "button";
  no.className = "secondary";
  no.textContent = form.dataset.confirmBack || "Cancel";
  actions.append(yes, no);
  dialog.append(question, actions);
  document.body.append(dialog);
  const close = () => { dialog.close(); dialog.remove(); };
  no.addEventListener("click", close);
  dialog.addEventListener("cancel", () => dialog.remove());
  yes.addEventListener("click", () => {
    confirmField.value = "1";
    close();
    form.requestSubmit(submitter || undefined);
  });
  dialog.showModal();
  no.focus();
}
