// Reception's kiosk: a typed code always works; where the browser can read QR codes
// from the camera (BarcodeDetector), "Use the camera" reads one and checks it in.
(function () {
  "use strict";
  var button = document.getElementById("camera");
  var video = document.getElementById("viewfinder");
  var form = document.getElementById("kiosk-form");
  var input = document.getElementById("code");
  if (!button || !("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } })
      .then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        return video.play().then(function () {
          function look() {
            detector.detect(video).then(function (codes) {
              if (codes.length) {
                stream.getTracks().forEach(function (track) { track.stop(); });
                input.value = codes[0].rawValue;
                form.submit();
              } else {
                window.requestAnimationFrame(look);
              }
            }).catch(function () { window.requestAnimationFrame(look); });
          }
          look();
        });
      })
      .catch(function () { button.hidden = true; input.focus(); });
  });
})();
