// 恢复码 page: the 打印 button prints the page (the print style shows only the codes).
(function () {
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.addEventListener('click', function () { window.print(); });
  });
})();
