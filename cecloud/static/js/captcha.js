// Clicking the captcha image fetches a new one (django-simple-captcha's refresh view, whose URL
// the script tag carries as data-refresh-url) and puts its key into the hidden field.
(function () {
  var refreshUrl = document.currentScript.dataset.refreshUrl;
  document.querySelectorAll('.captcha-row img.captcha').forEach(function (img) {
    img.title = '看不清？点击换一张';
    img.addEventListener('click', function () {
      fetch(refreshUrl, {headers: {'X-Requested-With': 'XMLHttpRequest'}})
        .then(function (r) { return r.json(); })
        .then(function (d) { img.src = d.image_url; document.querySelector('input[name="captcha_0"]').value = d.key; });
    });
  });
})();
