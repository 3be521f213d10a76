// Behaviour every page shares; no script is written inline (Content-Security-Policy: script-src 'self').
document.addEventListener("DOMContentLoaded", () => {
  // The language menu sends its form on change (the button inside <noscript> does it without JS).
  for (const select of document.querySelectorAll("select[data-submit-on-change]")) {
    select.addEventListener("change", () => select.form.submit());
  }
});
