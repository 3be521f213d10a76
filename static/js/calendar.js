// The calendar: drag a post onto another day to move it there, keeping its time of day.
// The drop fills the post's own Move form (the keyboard's way to do the same) and sends it,
// so the server checks a drop exactly as it checks the form. Listeners sit on the document,
// so they keep working after htmx swaps the page in.
(function () {
  "use strict";

  function dayOf(target) {
    return target instanceof Element ? target.closest(".cal-day[data-date]") : null;
  }

  function clearMarks() {
    document.querySelectorAll(".cal-drop-here").forEach(function (day) { day.classList.remove("cal-drop-here"); });
    document.querySelectorAll(".cal-dragging").forEach(function (item) { item.classList.remove("cal-dragging"); });
  }

  var dragged = null;

  document.addEventListener("dragstart", function (event) {
    var item = event.target instanceof Element ? event.target.closest("[data-move-post]") : null;
    if (!item) { return; }
    dragged = item.getAttribute("data-move-post");
    event.dataTransfer.setData("text/plain", dragged);
    event.dataTransfer.effectAllowed = "move";
    item.classList.add("cal-dragging");
  });

  document.addEventListener("dragend", function () {
    dragged = null;
    clearMarks();
  });

  document.addEventListener("dragover", function (event) {
    var day = dayOf(event.target);
    if (!day || !dragged) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!day.classList.contains("cal-drop-here")) {
      clearMarks();
      day.classList.add("cal-drop-here");
    }
  });

  document.addEventListener("drop", function (event) {
    var day = dayOf(event.target);
    if (!day || !dragged) { return; }
    event.preventDefault();
    var form = document.getElementById("move-" + dragged);
    dragged = null;
    clearMarks();
    if (!form) { return; }
    var date = form.querySelector("input[name=date]");
    if (date.value === day.getAttribute("data-date")) { return; }
    date.value = day.getAttribute("data-date");
    form.requestSubmit();
  });
})();
