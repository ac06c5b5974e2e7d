/* Site-wide behaviours, loaded by base.html on every page. The Content-Security-Policy allows no inline
   script or event-handler attribute, so pages ask for these through data- attributes:
     <form data-confirm="确定…？">                 asks before submitting
     <select data-autosubmit>                       submits its form when changed
     <input type="checkbox" data-check-all=".sel">  checks or clears every enabled box matching the selector
                                                   (page scripts that total the boxes listen on document) */
(function () {
  "use strict";

  // Phones: the learner-centre menu scrolls sideways; bring the active item into view.
  var menu = document.querySelector(".center-menu");
  var active = menu && menu.querySelector(".active");
  if (active && menu.scrollWidth > menu.clientWidth) {
    menu.scrollLeft = active.offsetLeft - (menu.clientWidth - active.offsetWidth) / 2;
  }

  document.addEventListener("submit", function (e) {
    var question = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { e.preventDefault(); }
  });

  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.hasAttribute("data-autosubmit") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
      return;
    }
    var selector = el.getAttribute("data-check-all");
    if (selector) {
      document.querySelectorAll(selector).forEach(function (box) {
        if (!box.disabled) { box.checked = el.checked; }
      });
    }
  });
})();
