/* 试听: stop at the preview limit and when the day's window ends (the server enforces both too). */
(function () {
  function fmt(s) { var m = Math.floor(s / 60); var r = s % 60; return (m ? m + " 分 " : "") + r + " 秒"; }
  function init(root) {
    root.querySelectorAll("video.preview-video:not([data-ready])").forEach(function (video) {
      video.setAttribute("data-ready", "1");
      var limit = parseFloat(video.dataset.limit || "0");
      var box = video.closest("[data-preview-box]");
      var ended = box && box.querySelector(".preview-ended");
      var counter = box && box.querySelector(".preview-countdown");
      var left = parseInt(video.dataset.secondsLeft || "0", 10);
      function stop() {
        video.pause();
        if (ended) ended.classList.remove("d-none");
      }
      video.addEventListener("timeupdate", function () { if (limit && video.currentTime >= limit - 0.05) { stop(); } });
      video.addEventListener("seeking", function () { if (limit && video.currentTime > limit) { video.currentTime = 0; } });
      var timer = setInterval(function () {
        if (!document.body.contains(video)) { clearInterval(timer); return; }
        left = Math.max(0, left - 1);
        if (counter) counter.textContent = fmt(left);
        if (left <= 0) { clearInterval(timer); stop(); video.removeAttribute("src"); video.load(); }
      }, 1000);
      if (counter) counter.textContent = fmt(left);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
  document.addEventListener("hidden.bs.modal", function (e) {
    e.target.querySelectorAll("video").forEach(function (v) { v.pause(); });
  });
})();
