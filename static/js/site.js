// Small enhancements; every feature works without this file.
(function () {
  "use strict";
  // Quick exit (GOV.UK "Exit this page"): hide the page at once, then replace it with a
  // neutral site so Back does not return here. Shift pressed 3 times within 5 seconds
  // does the same; each press is announced, and the count expires after 5 seconds.
  var exitLink = document.querySelector("[data-quick-exit]");
  var exitStatus = document.querySelector("[data-quick-exit-status]");
  function quickExit(event) {
    if (event) { event.preventDefault(); }
    document.documentElement.className += " exiting";
    document.title = exitLink.dataset.neutralTitle || "";
    window.location.replace(exitLink.href);
  }
  function announce(text, presses) {
    if (!exitStatus) { return; }
    exitStatus.textContent = text;
    exitStatus.setAttribute("data-presses", String(presses));
  }
  if (exitLink) {
    exitLink.addEventListener("click", quickExit);
    var shiftPresses = 0;
    var expiry = null;
    var combined = false;
    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift" || combined) { return; }
      shiftPresses += 1;
      clearTimeout(expiry);
      if (shiftPresses >= 3) { shiftPresses = 0; quickExit(); return; }
      announce(shiftPresses === 1 ? exitLink.dataset.twoMore : exitLink.dataset.oneMore, shiftPresses);
      expiry = setTimeout(function () {
        shiftPresses = 0;
        announce(exitLink.dataset.expired, 0);
      }, 5000);
    });
    // Any other key in between starts the count again (typing capitals is not an exit).
    document.addEventListener("keydown", function (event) {
      if (event.key === "Shift") { combined = false; return; }
      combined = true;
      if (shiftPresses) { shiftPresses = 0; clearTimeout(expiry); announce("", 0); }
    });
    // A page restored from the back/forward cache must not stay blank.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) { document.documentElement.className = document.documentElement.className.replace(/ ?exiting/g, ""); }
    });
  }
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

  // Comment form on a cached page: it carries no ticket (the signed time the form was
  // opened, which tells people from robots). Fetch a fresh one when the form is first
  // used; without it the form still works, with a second step (posts/forms.py).
  document.querySelectorAll("form[data-ticket-url]").forEach(function (form) {
    var ticket = form.querySelector("input[name=issued]");
    if (!ticket || !window.fetch) { return; }
    var pending = null;
    function fetchTicket() {
      pending = pending || fetch(form.dataset.ticketUrl, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
        return response.ok ? response.text() : "";
      }).then(function (value) {
        if (value && !ticket.value) { ticket.value = value; }
      }).catch(function () { /* the second step covers it */ });
    }
    form.addEventListener("focusin", fetchTicket);
    // Sent before the ticket arrived: send it once it has.
    form.addEventListener("submit", function (event) {
      if (ticket.value || !pending) { return; }
      event.preventDefault();
      pending.then(function () { form.submit(); });
    });
  });

  // Newsletter signup: submit in place and show the answer without leaving the page.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-signup-form]") || !window.fetch) { return; }
    var section = form.closest("[data-signup]");
    if (!section) { return; }
    event.preventDefault();
    form.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok && response.status !== 429) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var replacement = holder.querySelector("[data-signup]");
      if (!replacement) { throw new Error("no answer"); }
      section.replaceWith(replacement);
      var focus = replacement.querySelector("[data-signup-status], [aria-invalid='true']");
      if (focus) { focus.focus(); }
    }).catch(function () {
      // Anything unexpected: fall back to the ordinary form submission.
      form.removeAttribute("aria-busy");
      form.submit();
    });
  });
})();
