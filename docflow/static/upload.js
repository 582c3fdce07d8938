/* Drag-and-drop upload for file fields inside a .dropzone.
 *
 * Progressive enhancement: the plain <input type="file"> keeps working without this
 * script. With it, a file dropped anywhere on the zone is put into the input, the zone
 * is highlighted while a file is dragged over it, and the chosen file's name and size
 * are announced. Loaded as a file from the app: the CSP allows no inline scripts.
 */
(function () {
  "use strict";

  function hasFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
  }

  function insideZone(target) {
    return !!(target && target.closest && target.closest(".dropzone"));
  }

  function formatSize(bytes) {
    var lang = document.documentElement.lang || "vi";
    return (bytes / 1024).toLocaleString(lang, { maximumFractionDigits: 1 }) + " KB";
  }

  function enhance(zone) {
    var input = zone.querySelector('input[type="file"]');
    if (!input) {
      return;
    }
    var status = zone.querySelector(".dropzone-status");
    var label = zone.getAttribute("data-selected-label") || "";
    var depth = 0; // dragenter/dragleave also fire for the zone's children

    function showChosen() {
      var file = input.files && input.files[0];
      zone.classList.toggle("has-file", !!file);
      if (!status) {
        return;
      }
      status.textContent = file ? (label + " " + file.name + " (" + formatSize(file.size) + ")").trim() : "";
      status.hidden = !file;
    }

    function put(files) {
      // One document per upload: keep the first file only.
      try {
        var transfer = new DataTransfer();
        transfer.items.add(files[0]);
        input.files = transfer.files;
      } catch (e) {
        input.files = files;
      }
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    zone.classList.add("is-enhanced");
    zone.addEventListener("dragenter", function (event) {
      if (hasFiles(event)) {
        event.preventDefault();
        depth += 1;
        zone.classList.add("is-dragover");
      }
    });
    zone.addEventListener("dragover", function (event) {
      if (hasFiles(event)) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
      }
    });
    zone.addEventListener("dragleave", function () {
      depth = Math.max(0, depth - 1);
      if (depth === 0) {
        zone.classList.remove("is-dragover");
      }
    });
    zone.addEventListener("drop", function (event) {
      if (!hasFiles(event) || !event.dataTransfer.files.length) {
        return;
      }
      event.preventDefault();
      depth = 0;
      zone.classList.remove("is-dragover");
      put(event.dataTransfer.files);
      input.focus();
    });
    input.addEventListener("change", showChosen);
    showChosen(); // a file kept by the browser after "back"
  }

  // A file dropped beside the zone would make the browser open it and lose the form.
  window.addEventListener("dragover", function (event) {
    if (hasFiles(event) && !insideZone(event.target)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "none";
    }
  });
  window.addEventListener("drop", function (event) {
    if (hasFiles(event) && !insideZone(event.target)) {
      event.preventDefault();
    }
  });

  Array.prototype.forEach.call(document.querySelectorAll(".dropzone"), enhance);
})();
