/* 课后测验: the answer card (answered/total by type, click to jump) and 我要交卷 with a confirmation
 * when some questions are unanswered. Scoring happens on the server only. */
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) return;
  var questions = Array.prototype.slice.call(form.querySelectorAll(".quiz-question"));
  var confirmed = false;

  function answered(q) { return q.querySelector("input:checked") !== null; }

  function refresh() {
    var total = 0;
    questions.forEach(function (q) {
      var done = answered(q);
      if (done) total += 1;
      var box = document.querySelector('.card-box[data-item="' + q.getAttribute("data-item") + '"]');
      if (box) box.classList.toggle("done", done);
      q.classList.toggle("is-answered", done);
    });
    document.getElementById("answered-count").textContent = total;
    document.querySelectorAll("[data-answered]").forEach(function (el) { el.textContent = total; });
    document.querySelectorAll(".sheet-group").forEach(function (group) {
      var boxes = group.querySelectorAll(".card-box");
      var done = group.querySelectorAll(".card-box.done").length;
      var counter = group.querySelector("[data-group-count]");
      if (counter) counter.textContent = done + "";
      group.classList.toggle("complete", done === boxes.length);
    });
    return questions.length - total;
  }

  form.addEventListener("change", refresh);
  refresh();

  document.querySelectorAll(".card-box").forEach(function (box) {
    box.addEventListener("click", function (event) {
      var target = document.querySelector(box.getAttribute("href"));
      if (!target) return;
      event.preventDefault();
      target.scrollIntoView({ behavior: "smooth", block: "center" });
      target.classList.add("flash");
      setTimeout(function () { target.classList.remove("flash"); }, 1200);
    });
  });

  var modalEl = document.getElementById("confirmSubmit");
  var modal = modalEl && window.bootstrap ? new window.bootstrap.Modal(modalEl) : null;
  form.addEventListener("submit", function (event) {
    var missing = refresh();
    if (confirmed || missing === 0 || !modal) {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      return;
    }
    event.preventDefault();
    document.getElementById("unanswered-count").textContent = missing;
    modal.show();
  });
  document.getElementById("confirm-submit").addEventListener("click", function () {
    confirmed = true;
    modal.hide();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });
})();
