/* 找回密码, 验证真实性: the 获取验证码 button counts down (data-wait seconds on the button, then on the
   answer htmx swaps into #send-status); a 429 answer is shown like any other. */
(function () {
  "use strict";
  var btn = document.getElementById("send-code");
  if (!btn) { return; }
  var timer = null;
  function countdown(seconds) {
    clearInterval(timer);
    var left = parseInt(seconds, 10) || 0;
    function tick() {
      if (left <= 0) { clearInterval(timer); btn.disabled = false; btn.textContent = "获取验证码"; return; }
      btn.disabled = true; btn.textContent = left + "秒后可重新获取"; left -= 1;
    }
    tick(); timer = setInterval(tick, 1000);
  }
  countdown(btn.dataset.wait);
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target.id !== "send-status") { return; }
    var status = e.detail.target.querySelector("[data-wait]");
    if (status) { countdown(status.dataset.wait); }
  });
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.xhr.status === 429) { e.detail.shouldSwap = true; e.detail.isError = false; }
  });
})();
