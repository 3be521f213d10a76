// The composer: "use this time" buttons in the preview fill the time field,
// and the per-account text boxes show only for the chosen accounts.
(function () {
  "use strict";
  var form = document.getElementById("compose-form");
  if (!form) { return; }

  function showOverrides() {
    var chosen = {};
    form.querySelectorAll("[name=accounts]:checked").forEach(function (box) { chosen[box.value] = true; });
    form.querySelectorAll("[data-override-for]").forEach(function (row) {
      row.hidden = !chosen[row.getAttribute("data-override-for")];
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".use-time");
    if (!button) { return; }
    var input = form.querySelector("[name=scheduled_at]");
    input.value = button.getAttribute("data-time");
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
  form.addEventListener("change", showOverrides);
  showOverrides();
})();
