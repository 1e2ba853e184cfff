// Camera scanning for code fields (issue 7 item 2). An input marked
// data-scan gets a "scan" button when the browser can read QR codes itself
// (the BarcodeDetector API) and has a camera; otherwise the field is typed
// as before. No library, no build step, nothing leaves the phone.
(function () {
  "use strict";
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia) {
    return;
  }
  var label = document.documentElement.lang === "en" ? "Scan" : "扫码";
  var stopLabel = document.documentElement.lang === "en" ? "Stop" : "停止";

  function attach(input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "scan";
    button.textContent = label;
    button.setAttribute("aria-label", label);
    input.insertAdjacentElement("afterend", button);
    var video = null;
    var stream = null;
    var timer = null;

    function stop() {
      if (timer) { clearTimeout(timer); timer = null; }
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
      if (video) { video.remove(); video = null; }
      stream = null;
      button.textContent = label;
    }

    button.addEventListener("click", function () {
      if (stream) { stop(); return; }
      var detector = new window.BarcodeDetector({
        formats: ["qr_code", "data_matrix", "code_128", "ean_13"],
      });
      navigator.mediaDevices
        .getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (s) {
          stream = s;
          video = document.createElement("video");
          video.className = "scan-view";
          video.setAttribute("playsinline", "");
          video.muted = true;
          video.srcObject = s;
          button.insertAdjacentElement("afterend", video);
          button.textContent = stopLabel;
          return video.play();
        })
        .then(function look() {
          if (!stream || !video) { return; }
          detector.detect(video).then(function (codes) {
            if (codes.length && codes[0].rawValue) {
              input.value = codes[0].rawValue.trim();
              stop();
              input.dispatchEvent(new Event("change", { bubbles: true }));
              if (input.form && input.hasAttribute("data-scan-submit")) {
                input.form.requestSubmit ? input.form.requestSubmit() : input.form.submit();
              }
            } else {
              timer = setTimeout(look, 150);
            }
          }, function () { timer = setTimeout(look, 300); });
        })
        .catch(function () { stop(); });
    });
  }

  document.querySelectorAll("input[data-scan]").forEach(attach);
})();
