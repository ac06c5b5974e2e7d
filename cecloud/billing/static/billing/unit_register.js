/* 单位报名: count the ticked workers and total their prices (data-price on each box); no order without
   a worker. 全选 (data-check-all, js/cecloud.js) ticks the boxes before this listener runs. */
(function () {
  "use strict";
  var checks = Array.prototype.slice.call(document.querySelectorAll(".worker-check"));
  var submit = document.getElementById("unit-submit");
  if (!submit) { return; }
  function update() {
    var count = 0, cents = 0;
    checks.forEach(function (c) { if (c.checked) { count += 1; cents += Math.round(parseFloat(c.dataset.price) * 100); } });
    document.getElementById("sel-count").textContent = count;
    document.getElementById("sel-total").textContent = (cents / 100).toFixed(2);
    submit.disabled = count === 0;
  }
  document.addEventListener("change", function (e) {
    if (e.target.classList.contains("worker-check") || e.target.id === "check-all") { update(); }
  });
  update();
})();
