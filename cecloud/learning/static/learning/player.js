/* 课程学习 player: plays chapters and reports what was watched with heartbeats.
 *
 * The server decides what counts (cecloud/learning/services/playback.py). This page only makes an
 * honest learner's life easy: it sends the segment played since the last acknowledged beat, keeps
 * that segment when a beat is refused or lost (the next beat covers it once the server clock
 * allows), blocks seeking beyond the furthest point on first viewing, keeps the speed at 1.0×,
 * pauses when the page is hidden, shows the server's attention checks and stops when the session
 * is superseded by another page ("已在其他页面播放").
 */
(function () {
  "use strict";
  var root = document.getElementById("player-root");
  var configEl = document.getElementById("player-config");
  var video = document.getElementById("player-video");
  if (!root || !configEl || !video) return;
  var cfg = JSON.parse(configEl.textContent);
  var csrf = root.getAttribute("data-csrf");

  var chapters = {};
  var order = [];
  cfg.chapters.forEach(function (c) { chapters[c.id] = c; order.push(c.id); });

  var state = {
    token: null,
    chapterId: null,
    segStart: 0,      // start of the segment not yet acknowledged by the server
    lastTime: 0,      // position before a seek (timeupdate)
    gen: 0,           // bumps on every seek / chapter change: stale answers do not move segStart
    inFlight: false,
    loading: false,
    stopped: false,
    check: null,
    retries: 0,
    retryTimer: null,
    review: cfg.review,
    hls: null
  };

  var statusEl = document.getElementById("player-status");
  var nowPlaying = document.getElementById("now-playing");
  var attention = document.getElementById("attention-overlay");
  var stoppedOverlay = document.getElementById("stopped-overlay");

  var stickyUntil = 0;
  function setStatus(text, tone, sticky) {
    if (!statusEl) return;
    var now = Date.now();
    if (!sticky && now < stickyUntil) return;  // keep an important message readable for a while
    stickyUntil = sticky ? now + 5000 : 0;
    statusEl.textContent = text;
    statusEl.className = "player-status small" + (tone ? " text-" + tone : "");
  }

  function fmt(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  function percentText(p) {
    if (p >= 100) return "100";
    if (p <= 0) return "0";
    return (Math.floor(p * 100) / 100).toFixed(2).replace(/\.?0+$/, "");
  }

  function post(url, body, keepalive) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "X-Requested-With": "fetch" },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }

  // --- Progress display -------------------------------------------------------------------------

  function courseProgress() {
    var total = 0, done = 0, complete = true;
    order.forEach(function (id) {
      var c = chapters[id];
      if (!(c.duration > 0)) return;
      total += c.duration;
      if (c.complete) { done += c.duration; } else { complete = false; done += Math.min(c.watched, c.duration); }
    });
    if (!total) return 0;
    if (complete) return 100;
    return Math.min(99.99, Math.floor(done / total * 10000) / 100);
  }

  function renderChapter(id) {
    var c = chapters[id];
    var button = document.querySelector('.chapter-item[data-chapter="' + id + '"]');
    if (!button || !c) return;
    var pct = c.complete ? 100 : c.percent;
    button.querySelector("[data-percent]").textContent = percentText(pct);
    button.querySelector(".chapter-bar span").style.width = pct + "%";
    button.classList.toggle("complete", !!c.complete);
    var icon = button.querySelector(".chapter-icon i");
    icon.className = "bi " + (c.complete ? "bi-check-circle-fill" : (id === state.chapterId ? "bi-play-circle-fill" : "bi-play-circle"));
  }

  function renderCourse() {
    var p = courseProgress();
    document.getElementById("course-progress").textContent = percentText(p);
    var bar = document.getElementById("course-progress-bar");
    bar.style.width = p + "%";
    bar.parentElement.setAttribute("aria-valuenow", String(Math.floor(p)));
    var link = document.getElementById("quiz-link");
    if (p >= 100 && link && link.classList.contains("disabled") && link.getAttribute("data-href")) {
      link.classList.remove("disabled");
      link.removeAttribute("aria-disabled");
      link.setAttribute("href", link.getAttribute("data-href"));
      var note = document.getElementById("quiz-note");
      if (note) note.textContent = "课程进度已达 100%，可以进行课后测验";
    }
  }

  function applyServerChapter(info) {
    if (!info || !chapters[info.id]) return;
    var c = chapters[info.id];
    c.watched = info.watched;
    c.furthest = info.furthest;
    c.percent = info.percent;
    c.complete = info.complete;
    renderChapter(info.id);
    renderCourse();
  }

  // --- Heartbeats -------------------------------------------------------------------------------

  function sendBeat(kind, keepalive) {
    if (!state.token || state.stopped || state.check || state.loading || state.chapterId === null) return;
    if (kind === "tick" && state.inFlight) return;
    var position = video.currentTime;
    if (video.ended && video.duration) position = video.duration;
    var start = Math.min(state.segStart, position);
    var gen = state.gen, chapterId = state.chapterId;
    state.inFlight = true;
    post(cfg.urls.beat, { token: state.token, chapter: chapterId, start: start, position: position, event: kind }, keepalive)
      .then(function (res) { handleBeat(res, gen, chapterId, position); })
      .catch(function () { setStatus("网络连接中断，恢复后将继续记录学习进度", "warning"); })
      .then(function () { state.inFlight = false; });
  }

  function scheduleRetry() {
    if (state.retryTimer || state.retries >= 6) return;
    state.retries += 1;
    state.retryTimer = setTimeout(function () {
      state.retryTimer = null;
      if (video.paused || video.ended) sendBeat("retry");
    }, Math.max(1000, cfg.heartbeat * 1000));
  }

  function handleBeat(res, gen, chapterId, position) {
    var data = res.data || {};
    if (res.status === 409) { stop(data.message || "已在其他页面播放", true); return; }
    if (res.status === 403 || res.status === 401) { stop(data.message || data.detail || "当前不能学习该课程", false); return; }
    if (data.chapter) applyServerChapter(data.chapter);
    if (data.accepted) {
      state.retries = 0;
      if (gen === state.gen && chapterId === state.chapterId) state.segStart = position;
      var c = chapters[chapterId];
      if (c && c.complete) setStatus("本讲已学完，学习进度已记录", "success");
      else setStatus("学习进度已记录（已学 " + percentText(c ? c.percent : 0) + "%）");
    } else if (data.reason === "too_fast") {
      scheduleRetry();
    } else if (data.reason === "ahead") {
      var info = chapters[chapterId];
      if (gen === state.gen && chapterId === state.chapterId && info) {
        state.segStart = Math.min(video.currentTime, info.furthest);
        if (!info.complete && video.currentTime > info.furthest + 1) video.currentTime = info.furthest;
      }
      setStatus(data.message || "首次观看不能快进", "warning");
    }
    if (data.check) showCheck(data.check.id);
  }

  setInterval(function () {
    if (!video.paused && !video.ended) sendBeat("tick");
  }, Math.max(1000, cfg.heartbeat * 1000));

  // --- Attention checks and stopping --------------------------------------------------------------

  function showCheck(id) {
    state.check = id;
    video.pause();
    attention.classList.remove("d-none");
    document.getElementById("attention-continue").focus();
  }

  document.getElementById("attention-continue").addEventListener("click", function () {
    var id = state.check;
    post(cfg.urls.attention, { token: state.token, check: id }).then(function (res) {
      if (res.status === 409) { stop("已在其他页面播放", true); return; }
      attention.classList.add("d-none");
      state.check = null;
      setStatus("已确认，继续学习");
      video.play().catch(function () {});
    });
  });

  function stop(message, superseded) {
    state.stopped = true;
    video.pause();
    attention.classList.add("d-none");
    document.getElementById("stopped-title").textContent = superseded ? "已在其他页面播放" : "已停止播放";
    document.getElementById("stopped-text").textContent = superseded
      ? "同一帐号同一时间只能在一个页面学习，本页面已停止播放。"
      : message;
    document.getElementById("resume-here").classList.toggle("d-none", !superseded);
    stoppedOverlay.classList.remove("d-none");
    setStatus(message, "danger", true);
  }

  document.getElementById("resume-here").addEventListener("click", function () {
    startSession().then(function (ok) {
      if (!ok) return;
      stoppedOverlay.classList.add("d-none");
      state.stopped = false;
      state.gen += 1;
      state.segStart = Math.min(video.currentTime, chapters[state.chapterId].furthest);
      setStatus("已在此页面继续学习");
    });
  });

  function startSession() {
    return post(cfg.urls.start, {}).then(function (res) {
      if (res.status !== 200) { stop((res.data && res.data.detail) || "当前不能学习该课程", false); return false; }
      state.token = res.data.token;
      (res.data.chapters || []).forEach(function (c) { if (chapters[c.id]) applyServerChapter(c); });
      if (res.data.check) showCheck(res.data.check.id);
      return true;
    }).catch(function () { setStatus("网络连接失败，请刷新页面重试", "danger"); return false; });
  }

  // --- Chapters -----------------------------------------------------------------------------------

  function attachSource(c) {
    if (state.hls) { state.hls.destroy(); state.hls = null; }
    if (c.hls && window.Hls && window.Hls.isSupported()) {
      state.hls = new window.Hls({ xhrSetup: function (xhr) { xhr.withCredentials = true; } });
      state.hls.loadSource(c.hls);
      state.hls.attachMedia(video);
    } else if (c.hls && video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = c.hls;
    } else {
      video.src = c.src;
    }
  }

  function loadChapter(id, options) {
    options = options || {};
    var c = chapters[id];
    if (!c) return;
    if (state.chapterId !== null && state.chapterId !== id && !video.paused) video.pause();
    if (state.chapterId !== null && state.chapterId !== id) sendBeat("switch");
    var previous = state.chapterId;
    state.chapterId = id;
    state.gen += 1;
    state.loading = true;
    state.retries = 0;
    var startAt = options.start !== undefined ? options.start : c.resume;
    if (!c.complete) startAt = Math.min(startAt, c.furthest);
    document.querySelectorAll(".chapter-item").forEach(function (b) {
      b.classList.toggle("active", Number(b.getAttribute("data-chapter")) === id);
      b.setAttribute("aria-current", Number(b.getAttribute("data-chapter")) === id ? "true" : "false");
    });
    if (previous !== null) renderChapter(previous);
    renderChapter(id);
    if (nowPlaying) nowPlaying.textContent = c.title;
    video.addEventListener("loadedmetadata", function onMeta() {
      video.removeEventListener("loadedmetadata", onMeta);
      if (startAt > 0.5 && startAt < (video.duration || c.duration) - 0.5) {
        video.currentTime = startAt;
      }
      state.loading = false;
      state.segStart = video.currentTime;
      state.lastTime = video.currentTime;
      if (options.autoplay) video.play().catch(function () {});
    });
    attachSource(c);
  }

  document.getElementById("chapter-list").addEventListener("click", function (event) {
    var button = event.target.closest(".chapter-item");
    if (!button || button.disabled) return;
    state.review = null;
    loadChapter(Number(button.getAttribute("data-chapter")), { autoplay: true });
  });

  // --- Player events ----------------------------------------------------------------------------------

  video.addEventListener("timeupdate", function () {
    if (!video.seeking && !state.loading) state.lastTime = video.currentTime;
    var r = state.review;
    if (r && r.chapter === state.chapterId && video.currentTime >= r.end) {
      video.pause();
      state.review = null;
      setStatus("回看讲解结束（" + fmt(r.start) + "–" + fmt(r.end) + "）", "success", true);
    }
  });

  video.addEventListener("seeking", function () {
    if (state.loading) return;
    var c = chapters[state.chapterId];
    var target = video.currentTime;
    var allowed = Math.max(c.furthest, state.lastTime, state.segStart) + 1;
    if (!c.complete && target > allowed) {
      video.currentTime = Math.max(state.lastTime, state.segStart);
      setStatus("首次观看不能快进，已看过的部分可以回看", "warning", true);
      return;
    }
    if (Math.abs(target - state.lastTime) < 0.3) return;
    if (state.lastTime > state.segStart + 0.3) {
      // report the segment played before the seek, then start a new one at the target
      var played = state.lastTime;
      var gen = state.gen, chapterId = state.chapterId, start = state.segStart;
      post(cfg.urls.beat, { token: state.token, chapter: chapterId, start: start, position: played, event: "seek" })
        .then(function (res) { handleBeat(res, gen, chapterId, played); })
        .catch(function () {});
    }
    state.gen += 1;
    state.segStart = target;
    state.lastTime = target;
  });

  video.addEventListener("ratechange", function () {
    if (video.playbackRate !== 1) video.playbackRate = 1;
  });

  video.addEventListener("pause", function () {
    if (!video.ended) sendBeat("pause", document.hidden);
  });

  video.addEventListener("play", function () {
    if (state.stopped || state.check) { video.pause(); return; }
    if (!state.token) { video.pause(); setStatus("正在连接，请稍候…"); }
  });

  video.addEventListener("ended", function () {
    sendBeat("ended");
    var index = order.indexOf(state.chapterId);
    var next = order[index + 1];
    if (next !== undefined && !state.review) {
      setStatus("本讲播放结束，即将播放下一讲");
      setTimeout(function () {
        if (!state.stopped && !state.check && video.ended) loadChapter(next, { autoplay: true, start: chapters[next].complete ? 0 : undefined });
      }, 1500);
    } else {
      setStatus("本讲播放结束");
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (document.hidden && !video.paused) {
      video.pause();
      setStatus("页面切换到后台，已暂停播放", "warning", true);
    }
  });

  window.addEventListener("pagehide", function () { sendBeat("hide", true); });

  // --- Start -------------------------------------------------------------------------------------------

  startSession().then(function (ok) {
    if (!ok) return;
    var r = state.review;
    if (r && chapters[r.chapter]) {
      loadChapter(r.chapter, { start: r.start, autoplay: true });
      setStatus("正在回看讲解：" + fmt(r.start) + "–" + fmt(r.end));
    } else if (cfg.initial !== null) {
      loadChapter(cfg.initial, {});
    }
  });
})();
