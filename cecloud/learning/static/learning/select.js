/* 在线选课: submit-once for the confirmation form (the service is safe anyway), tidy the preview modal. */
(function () {
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute("data-once")) return;
    if (form.dataset.sent) { e.preventDefault(); return; }
    form.dataset.sent = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (b) {
      b.disabled = true;
      b.innerHTML = '<span class="spinner-border spinner-border-sm"></span> 提交中…';
    });
  });
  document.addEventListener("hidden.bs.modal", function (e) {
    if (e.target.id === "previewModal") {
      document.getElementById("preview-body").innerHTML = '<div class="text-center text-muted py-5">加载中…</div>';
    }
  });
})();
