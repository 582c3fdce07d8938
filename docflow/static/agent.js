/* docflow: talk to the signing agent (docflow-agent, or VGCA Sign Service) on 127.0.0.1.
   The request/response shape is VGCA's: one JSON request when the socket opens; one
   answer ({Status, Message, FileServer}); for /SignFiles one progress message per file,
   then a final answer with Results. The PIN is entered in the agent, never here. */
(function () {
  "use strict";
  var STORE = "docflow.agentUrl";

  function agentUrl(root) {
    var input = document.getElementById("agent-url");
    var url = (input && input.value.trim()) || localStorage.getItem(STORE) || root.dataset.agentUrl;
    return url.replace(/\/+$/, "");
  }

  function rememberUrl(root) {
    var input = document.getElementById("agent-url");
    if (!input) return;
    var saved = localStorage.getItem(STORE);
    if (saved) input.value = saved;
    input.addEventListener("change", function () { localStorage.setItem(STORE, input.value.trim()); });
  }

  /* Open <agent>/<endpoint>, send the request, call onMessage for every answer;
     resolves with the last answer when the agent closes the socket. */
  function callAgent(root, endpoint, request, onMessage) {
    return new Promise(function (resolve, reject) {
      var ws, last = null;
      try { ws = new WebSocket(agentUrl(root) + "/" + endpoint); } catch (e) { reject(e); return; }
      ws.onopen = function () { ws.send(JSON.stringify(request)); };
      ws.onmessage = function (event) {
        last = JSON.parse(event.data);
        if (onMessage) onMessage(last);
      };
      ws.onerror = function () { if (!last) reject(new Error("agent unreachable")); };
      ws.onclose = function () { if (last) resolve(last); else reject(new Error("agent closed")); };
    });
  }

  function setText(el, text, cls) {
    if (!el) return;
    el.textContent = text;
    el.className = (el.className.replace(/\b(ok|error|pending)\b/g, "").trim() + " " + (cls || "")).trim();
  }

  function checkAgent(root) {
    var status = document.getElementById("agent-status");
    setText(status, root.dataset.msgConnecting, "pending");
    return callAgent(root, "GetCertificates", {}).then(function (answer) {
      if (answer.Status !== 0) { setText(status, answer.Message, "error"); return answer; }
      var names = (answer.Certificates || []).map(function (c) { return c.CommonName || c.Subject; });
      setText(status, root.dataset.msgAgentOk + " " + names.join("; "), "ok");
      return answer;
    }, function () { setText(status, root.dataset.msgNoAgent, "error"); throw new Error("no agent"); });
  }

  function postJson(url, csrf, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json"},
      body: JSON.stringify(body)
    }).then(function (r) { return r.json().then(function (data) { data.httpStatus = r.status; return data; }); });
  }

  function metaList(meta) {
    return Object.keys(meta).map(function (k) { return {Key: k, Value: meta[k]}; });
  }

  function showResult(row, answer, root) {
    var cell = row && row.querySelector(".result");
    if (!cell) return;
    if (answer.Status === 0) {
      var info = {};
      try { info = JSON.parse(answer.FileServer || "{}"); } catch (e) { info = {}; }
      setText(cell, root.dataset.msgValid + (info.signer ? " (" + info.signer + ")" : ""), "ok");
      cell.dataset.state = "signed";
      cell.dataset.indication = info.indication || "";
      var box = row.querySelector("input[type=checkbox]");
      if (box) { box.checked = false; box.disabled = true; }
    } else {
      setText(cell, answer.Message, "error");
      cell.dataset.state = "failed";
    }
  }

  function initBatch(root) {
    rememberUrl(root);
    var form = document.getElementById("batch-form");
    var all = document.getElementById("select-all");
    document.getElementById("agent-check").addEventListener("click", function () { checkAgent(root).catch(function () {}); });
    if (all) all.addEventListener("change", function () {
      form.querySelectorAll("input[name=doc]:not(:disabled)").forEach(function (box) { box.checked = all.checked; });
    });
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var ids = Array.prototype.map.call(form.querySelectorAll("input[name=doc]:checked"), function (b) { return +b.value; });
      var summary = document.getElementById("batch-summary");
      var progress = document.getElementById("batch-progress");
      var button = document.getElementById("sign-selected");
      if (!ids.length) { setText(summary, root.dataset.msgNone, "error"); return; }
      button.disabled = true;
      setText(summary, root.dataset.msgConnecting, "pending");
      postJson(root.dataset.ticketsUrl, root.dataset.csrf, {documents: ids}).then(function (data) {
        (data.refused || []).forEach(function (r) {
          showResult(form.querySelector("tr[data-doc='" + r.document_id + "']"), {Status: -1, Message: r.message}, root);
        });
        var tickets = data.tickets || [];
        if (!tickets.length) { setText(summary, data.message || "", "error"); return null; }
        progress.hidden = false; progress.max = tickets.length; progress.value = 0;
        setText(summary, root.dataset.msgWaiting, "pending");
        tickets.forEach(function (t) {
          setText(form.querySelector("tr[data-doc='" + t.document_id + "'] .result"), root.dataset.msgSigning + "…", "pending");
        });
        var rowOf = function (id) { return form.querySelector("tr[data-doc='" + id + "']"); };
        if (tickets.length === 1) {  // the plain VGCA call, as vgca_sign_approved does
          var t = tickets[0];
          return callAgent(root, "SignApproved", {
            FileUploadHandler: t.upload_url, SessionId: "", JWTToken: "", FileName: t.file_url,
            MetaData: metaList(Object.assign({FileName: t.subject}, t.meta))
          }).then(function (answer) {
            progress.value = 1;
            showResult(rowOf(t.document_id), answer, root);
            setText(summary, root.dataset.msgDone + ": " + answer.Message, answer.Status === 0 ? "ok" : "error");
          });
        }
        return callAgent(root, "SignFiles", {
          FileUploadHandler: "", SessionId: "", JWTToken: "", MetaData: [{Key: "SignType", Value: "approved"}],
          Files: tickets.map(function (t) {
            return {FileID: String(t.document_id), FileName: t.subject, URL: t.file_url,
                    FileUploadHandler: t.upload_url, MetaData: metaList(t.meta)};
          })
        }, function (message) {
          if (message.Progress) {
            progress.value = message.Progress.Done;
            setText(summary, root.dataset.msgSigning + " " + message.Progress.Done + "/" + message.Progress.Total, "pending");
            showResult(rowOf(message.FileID), message, root);
          }
        }).then(function (final) {
          (final.Results || []).forEach(function (r) { showResult(rowOf(r.FileID), r, root); });
          setText(summary, root.dataset.msgDone + ": " + final.Message, final.Status === 0 ? "ok" : "error");
        });
      }).catch(function () {
        setText(summary, root.dataset.msgNoAgent, "error");
      }).then(function () { button.disabled = false; });
    });
  }

  function initCertificates(root) {
    rememberUrl(root);
    document.getElementById("read-token").addEventListener("click", function () {
      var list = document.getElementById("token-certs");
      list.textContent = "";
      checkAgent(root).then(function (answer) {
        (answer.Certificates || []).forEach(function (c) {
          var li = document.createElement("li");
          li.dataset.sha256 = c.Sha256;
          li.textContent = c.Subject + " — " + c.Issuer + " (" + c.SerialNumber + ") ";
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = root.dataset.msgRegister;
          button.addEventListener("click", function () {
            postJson(root.dataset.registerUrl, root.dataset.csrf, {certificate: c.Certificate}).then(function (data) {
              if (data.status === "ok") { window.location.reload(); }
              else { setText(li, c.Subject + " — " + data.message, "error"); }
            });
          });
          li.appendChild(button);
          list.appendChild(li);
        });
      }).catch(function () {});
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var batch = document.getElementById("agent-page");
    if (batch) initBatch(batch);
    var certs = document.getElementById("agent-certs");
    if (certs) initCertificates(certs);
  });
})();
