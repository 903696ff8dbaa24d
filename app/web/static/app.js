// A little script: drop a file, check without leaving the page, highlight a finding's cells.
(function () {
  "use strict";

  function clearHighlight(root) {
    root.querySelectorAll("td.hl, td.hl-primary").forEach(function (td) {
      td.classList.remove("hl", "hl-primary");
    });
    root.querySelectorAll(".finding-btn[aria-pressed='true']").forEach(function (b) {
      b.setAttribute("aria-pressed", "false");
      b.closest("tr").classList.remove("selected");
    });
  }

  function cellsOf(root, codes) {
    return codes.split(" ").filter(Boolean).map(function (code) {
      return root.querySelector('td[data-cell="' + code.replace(/"/g, "") + '"]');
    }).filter(Boolean);
  }

  // Clicking a finding marks the cells it reads; its reported cell darker. Click again to clear.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".finding-btn");
    if (!button) return;
    var root = document.getElementById("main");
    var wasOn = button.getAttribute("aria-pressed") === "true";
    clearHighlight(root);
    if (wasOn) return;
    button.setAttribute("aria-pressed", "true");
    button.closest("tr").classList.add("selected");
    var cells = cellsOf(root, button.dataset.cells || "");
    cells.forEach(function (td) { td.classList.add("hl"); });
    cellsOf(root, button.dataset.primary || "").forEach(function (td) { td.classList.add("hl-primary"); });
    if (cells.length) cells[0].scrollIntoView({ block: "nearest", inline: "nearest", behavior: "smooth" });
  });

  var form = document.getElementById("check-form");
  if (!form) return;
  var drop = document.getElementById("drop");
  var input = document.getElementById("file");
  var result = document.getElementById("result");
  var busy = document.getElementById("busy");

  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (event) { event.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function () { drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
    }
  });

  // Another file: the fields read from the last one no longer apply.
  input.addEventListener("change", function () {
    var stated = document.getElementById("stated");
    if (stated) stated.remove();
  });

  // Check or save without reloading, so the chosen file stays chosen for 保存 after 检查.
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    // the 核对意见 is a file: the browser downloads it and the page stays as it is
    if (submitter && submitter.value === "export") return;
    if (!window.fetch || !window.FormData) return;
    event.preventDefault();
    var data = new FormData(form);
    data.set("action", submitter && submitter.value === "save" ? "save" : "check");
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    busy.hidden = false;
    fetch(form.getAttribute("action"), { method: "POST", body: data, headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.text(); })
      .then(function (html) { result.innerHTML = html; })
      .catch(function () {
        result.innerHTML = '<div class="problem" role="alert"><p>无法连接服务，请稍后重试。</p></div>';
      })
      .finally(function () {
        buttons.forEach(function (b) { b.disabled = false; });
        busy.hidden = true;
        var heading = result.querySelector("h2");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus({ preventScroll: false }); }
      });
  });
})();
