// Small enhancements; every feature works without this file.
(function () {
  "use strict";
  // Video facades: create the player only when the visitor asks for it.
  document.querySelectorAll(".video[data-embed]").forEach(function (figure) {
    var facade = figure.querySelector(".video-facade");
    if (!facade) { return; }
    facade.addEventListener("click", function (event) {
      event.preventDefault();
      var frame = document.createElement("iframe");
      frame.src = figure.dataset.embed + (figure.dataset.embed.indexOf("?") < 0 ? "?" : "&") + "autoplay=1";
      frame.title = figure.dataset.title || "Video";
      frame.allow = "autoplay; fullscreen; picture-in-picture";
      frame.setAttribute("allowfullscreen", "");
      frame.referrerPolicy = "strict-origin";
      facade.replaceWith(frame);
      frame.focus();
    });
  });
  // Publication filters: leave unused filters out of the address, so shared links stay short.
  document.querySelectorAll("form.pub-filters").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("select").forEach(function (select) {
        if (!select.value) { select.disabled = true; }
      });
    });
    // Coming back with the Back button must find every filter usable again.
    window.addEventListener("pageshow", function () {
      form.querySelectorAll("select").forEach(function (select) { select.disabled = false; });
    });
  });
})();
