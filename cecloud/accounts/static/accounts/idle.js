// Idle-timeout warning. The server logs a session out after a period without requests (30 minutes
// for staff, 2 hours for learners; security_middleware.py); this script warns before that happens:
// "您已长时间未操作，将于 N 分钟后退出" with a 继续 button that pings the keep-alive endpoint. Before
// warning it asks the server how long is really left (another tab or the video player's heartbeats
// may have kept the session alive); that question does not count as activity.
(function () {
  var tag = document.currentScript, cfg = tag.dataset;
  var timeoutMs = Number(cfg.timeout) * 1000, warningMs = Number(cfg.warning) * 1000;
  var timer = null, ticker = null, box = null, deadline = 0;

  function schedule(leftMs) {
    deadline = Date.now() + leftMs;
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(1000, leftMs - warningMs));
  }

  function ask(url, method) {
    var headers = {'Accept': 'application/json', 'X-Requested-With': 'XMLHttpRequest'};
    if (method === 'POST') { headers['X-CSRFToken'] = cfg.csrf; }
    return fetch(url, {method: method, headers: headers, credentials: 'same-origin'})
      .then(function (r) { return r.json(); });
  }

  function check() {
    ask(cfg.statusUrl, 'GET').then(function (d) {
      var leftMs = (d.remaining || 0) * 1000;
      if (leftMs <= 0) { window.location.reload(); return; }  // the server sends the page to login
      if (leftMs > warningMs + 5000) { hide(); schedule(leftMs); return; }
      show(leftMs);
    }).catch(function () { schedule(Math.min(warningMs, 60000)); });
  }

  function minutesLeft() { return Math.max(1, Math.ceil((deadline - Date.now()) / 60000)); }

  function build() {
    box = document.createElement('div');
    box.className = 'idle-warning';
    box.setAttribute('role', 'alertdialog');
    box.setAttribute('aria-live', 'assertive');
    var text = document.createElement('p');
    text.className = 'idle-warning-text';
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'btn btn-sm btn-primary';
    button.textContent = '继续';
    button.addEventListener('click', keepAlive);
    box.appendChild(text);
    box.appendChild(button);
    document.body.appendChild(box);
  }

  function render() {
    box.querySelector('.idle-warning-text').textContent = '您已长时间未操作，将于 ' + minutesLeft() + ' 分钟后退出';
  }

  function show(leftMs) {
    deadline = Date.now() + leftMs;
    if (!box) { build(); }
    render();
    box.hidden = false;
    box.querySelector('button').focus();
    clearInterval(ticker);
    ticker = setInterval(render, 10000);
    clearTimeout(timer);
    timer = setTimeout(check, leftMs + 1000);  // at the end, ask again: reload to the login page if it is over
  }

  function hide() {
    clearInterval(ticker);
    if (box) { box.hidden = true; }
  }

  function keepAlive() {
    ask(cfg.keepaliveUrl, 'POST').then(function (d) {
      if (!d.remaining) { window.location.reload(); return; }
      hide();
      schedule(d.remaining * 1000);
    }).catch(function () { window.location.reload(); });
  }

  window.cecloudIdle = {check: check};  // for tests: ask the server now
  schedule(timeoutMs);
})();
