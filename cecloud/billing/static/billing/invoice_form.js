/* 确认报名信息: the invoice title follows the title type. A personal invoice is made out to the learner's
   real name (read-only); a unit invoice to the unit, with its tax fields shown. The names come from the
   form's data-real-name and data-unit-name attributes. */
(function () {
  "use strict";
  var form = document.getElementById("invoice-form");
  if (!form) { return; }
  var title = form.querySelector("[name=title]");
  var realName = form.dataset.realName || "";
  var unitName = form.dataset.unitName || "";
  function sync() {
    var checked = form.querySelector("[name=title_type]:checked");
    var unit = checked && checked.value === "unit";
    form.querySelectorAll(".unit-only").forEach(function (el) { el.hidden = !unit; });
    form.querySelectorAll(".personal-only").forEach(function (el) { el.hidden = unit; });
    if (unit) {
      title.readOnly = false;
      title.placeholder = "请填写单位名称";
      if (title.value === realName) { title.value = unitName; }
    } else {
      title.value = realName;
      title.readOnly = true;
      title.placeholder = "请填写真实姓名";
    }
  }
  form.querySelectorAll("[name=title_type]").forEach(function (r) { r.addEventListener("change", sync); });
  sync();
})();
