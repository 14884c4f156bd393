/* The campaign page's "Send a test" and "Send to all confirmed subscribers…" use the
   saved campaign and leave the page: with changes not saved yet in the campaign's form
   (a field, or the body in its editor), they would be lost. Each stops instead and
   says to save first (the text is the section's data-unsaved, translated). */
(function () {
  "use strict";

  function state(form) {
    return new URLSearchParams(new FormData(form)).toString();
  }

  function editorsChanged() {
    var editors = window.CKEDITOR ? window.CKEDITOR.instances : {};
    return Object.keys(editors).some(function (name) {
      return editors[name].checkDirty();
    });
  }

  window.addEventListener("load", function () {
    var form = document.getElementById("campaign_form");
    var section = document.getElementById("campaign-sending");
    if (!form || !section) {
      return;
    }
    var saved = state(form);

    function stopIfUnsaved(event) {
      if (state(form) === saved && !editorsChanged()) {
        return;
      }
      event.preventDefault();
      var alert = section.querySelector("[role=alert]");
      if (!alert) {
        alert = document.createElement("p");
        alert.className = "errornote";
        alert.setAttribute("role", "alert");
        section.querySelector("h2").after(alert);
      }
      alert.textContent = section.dataset.unsaved;
    }

    section.querySelectorAll("form").forEach(function (testForm) {
      testForm.addEventListener("submit", stopIfUnsaved);
    });
    section.querySelectorAll("a.button").forEach(function (link) {
      link.addEventListener("click", stopIfUnsaved);
    });
  });
})();
