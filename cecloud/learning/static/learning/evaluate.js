/* 课程评价: each star field shows the title of the chosen star ("很满意" …) or asks for a rating. */
(function () {
  "use strict";
  document.querySelectorAll(".star-field").forEach(function (field) {
    var hint = field.querySelector(".star-hint");
    function show() {
      var checked = field.querySelector("input:checked");
      hint.textContent = checked ? checked.nextElementSibling.getAttribute("title") : "请点击星星评分";
    }
    field.addEventListener("change", show);
    show();
  });
})();
