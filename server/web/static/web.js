/* The little script the pages need: the upload (drag and drop, progress bar) and the live
   quota on the decisions page. Everything works without it except those two. */
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  // Vietnamese digit grouping, as the server's vn_num filter writes it: 1140 -> «1.140»
  var num = function (n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  };

  // --- an expired session: log in again in another tab, keep what was being done ------------
  var setCsrf = function (tok) {
    csrf = tok;
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { meta.content = tok; }
    document.querySelectorAll('input[name="csrf_token"]').forEach(function (i) { i.value = tok; });
  };
  var checkSession = function () {    // -> {logged_in, csrf}; a network failure: not known
    return fetch("/phien", {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.json(); });
  };
  // In `box`: why, a link that opens the login page in a new tab, and «Tiếp tục», which runs
  // `resume` once the session is back (the page, its file and its choices stay as they were).
  var askLogin = function (box, what, resume) {
    box.className = (box.className.replace(/\b(good|bad)\b/g, "") + " bad relogin").trim();
    box.textContent = "";
    var p = document.createElement("span");
    p.textContent = "Phiên đăng nhập đã hết nên " + what + " chưa được gửi; mọi thứ trên " +
      "trang vẫn được giữ nguyên. ";
    var a = document.createElement("a");
    a.href = "/dang-nhap?next=" + encodeURIComponent("/phien/xong");
    a.target = "_blank"; a.rel = "noopener";
    a.textContent = "Đăng nhập lại (mở thẻ mới)";
    var b = document.createElement("button");
    b.type = "button"; b.className = "btn light"; b.textContent = "Tiếp tục";
    b.addEventListener("click", function () {
      checkSession().then(function (s) {
        if (s.logged_in) { setCsrf(s.csrf); resume(); } else {
          p.textContent = "Vẫn chưa đăng nhập. Bấm «Đăng nhập lại», đăng nhập ở thẻ mới rồi " +
            "quay lại bấm «Tiếp tục». ";
        }
      }).catch(function () {
        p.textContent = "Không kết nối được máy chủ. Kiểm tra mạng rồi bấm «Tiếp tục». ";
      });
    });
    box.appendChild(p); box.appendChild(a); box.appendChild(document.createTextNode(" "));
    box.appendChild(b);
  };
  if (document.getElementById("relogin-done") && window.opener) {
    window.setTimeout(function () { window.close(); }, 1500);
  }
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });

  // a date box is drawn in the browser's own language: an English browser shows 01/10/2027 for
  // 10 January. The date chosen is read back beside it in words, so no one misreads a deadline.
  document.querySelectorAll('input[type="date"]').forEach(function (input) {
    var said = document.createElement("span");
    said.className = "hint date-said";
    said.setAttribute("aria-live", "polite");
    var tell = function () {
      var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.value || "");
      said.textContent = m ? "ngày " + m[3] + " tháng " + m[2] + " năm " + m[1] : "";
    };
    input.insertAdjacentElement("afterend", said);
    input.addEventListener("input", tell);
    input.addEventListener("change", tell);
    tell();
  });

  // a file chooser drawn in Vietnamese (admin.html): the chosen file's name beside the button
  document.querySelectorAll(".file-pick").forEach(function (box) {
    var input = box.querySelector("input[type=file]");
    var name = box.querySelector(".file-name");
    input.addEventListener("change", function () {
      name.textContent = input.files.length ? input.files[0].name : "Chưa chọn tệp";
    });
  });

  // --- upload -------------------------------------------------------------------------------
  var drop = document.getElementById("drop");
  if (drop) {
    var input = document.getElementById("file-input");
    var bar = document.getElementById("progress");
    var msg = document.getElementById("upload-msg");
    var send = function (file) {
      if (!file) { return; }
      if (!/\.xlsx$/i.test(file.name)) {
        msg.className = "msg bad";
        msg.textContent = "Tệp «" + file.name + "» không phải biểu Excel .xlsx. Hãy lưu biểu " +
          "dưới dạng Excel Workbook (.xlsx) rồi gửi lại.";
        return;
      }
      var fd = new FormData();
      fd.append("file", file, file.name);
      fd.append("csrf_token", csrf);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", drop.dataset.url);
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      bar.hidden = false; bar.value = 0;
      msg.className = "msg"; msg.textContent = "Đang gửi «" + file.name + "»…";
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
      };
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
        bar.value = 100;
        if (/\/dang-nhap/.test(xhr.responseURL || "") || xhr.status === 400 ||
            xhr.status === 401) {
          // the session ended (or the form token went stale after a login elsewhere): keep
          // the chosen file, ask for a login, send it again on «Tiếp tục»
          checkSession().then(function (s) {
            if (s.logged_in && !file.retried) { setCsrf(s.csrf); file.retried = true; send(file); }
            else {
              bar.hidden = true;
              askLogin(msg, "biểu «" + file.name + "»", function () { send(file); });
            }
          }).catch(function () {
            msg.className = "msg bad";
            msg.textContent = "Không kết nối được máy chủ. Kiểm tra mạng rồi gửi lại.";
          });
          return;
        }
        if (xhr.status === 413) {
          body.message = "Tệp quá lớn. Biểu mẫu thật chỉ vài chục KB; hãy xóa ảnh, sheet thừa " +
            "rồi lưu lại.";
        }
        if (body.ok) {
          msg.className = "msg " + (body.valid ? "good" : "bad");
          msg.textContent = body.message + " Đang tải lại trang…";
          window.location.assign(body.url);
        } else {
          msg.className = "msg bad";
          msg.textContent = body.message || ("Máy chủ không nhận tệp (mã " + xhr.status +
            "). Hãy tải lại trang rồi thử lại.");
        }
      };
      xhr.onerror = function () {
        msg.className = "msg bad";
        msg.textContent = "Mất kết nối tới máy chủ khi đang gửi. Kiểm tra mạng rồi gửi lại.";
      };
      xhr.send(fd);
    };
    drop.addEventListener("click", function () { input.click(); });
    drop.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); }
    });
    input.addEventListener("change", function () { send(input.files[0]); input.value = ""; });
    ["dragenter", "dragover"].forEach(function (t) {
      drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) { send(e.dataTransfer.files[0]); }
    });
  }

  // --- decisions: live quota ----------------------------------------------------------------
  var form = document.getElementById("decisions");
  if (form) {
    var box = document.getElementById("quota-body");
    var ratings = function () {   // the unit's and its committee's, as they would be saved
      var out = {ratings: {}, cap_uy: {}};
      form.querySelectorAll("tr[data-code]").forEach(function (tr) {
        var code = tr.dataset.code;
        var tick = tr.querySelector("input[type=checkbox]");
        var on = tick && tick.checked;
        out.ratings[code] = on ? tr.querySelector("select[name^='xl_']").value : tr.dataset.proposal;
        var cu = tr.querySelector("select[name^='cu_']");
        if (cu) { out.cap_uy[code] = on ? cu.value : (tr.dataset.proposalCu || ""); }
      });
      return out;
    };
    var asked = 0;
    var refresh = function () {
      var mine = ++asked;       // answers can arrive out of order: only the latest counts
      fetch(form.dataset.quotaUrl, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
        body: JSON.stringify(ratings())
      }).then(function (r) { return r.json(); }).then(function (rows) {
        if (mine !== asked) { return; }
        rows.forEach(function (row) {
          var tr = box.querySelector('tr[data-key="' + row.key + '"]');
          if (!tr) { return; }
          tr.className = row.over ? "over" : "";
          tr.querySelector(".q-xs").textContent = num(row.xs);
          tr.querySelector(".q-tot").textContent = num(row.tot);
          tr.querySelector(".q-ceiling").textContent = num(row.ceiling);
          tr.querySelector(".q-more").textContent = num(row.more);
          var m = tr.querySelector(".quota-msg");
          m.textContent = row.message;
          m.className = "quota-msg wide" + (row.over ? " over" : "");
        });
        var warn = document.getElementById("quota-warning");
        var over = rows.filter(function (r) { return r.over; });
        warn.hidden = !over.length;
        warn.textContent = "Vượt hạn mức «Hoàn thành xuất sắc» ở: " +
          over.map(function (r) { return r.label; }).join("; ") +
          ". Xem cột Ghi chú trong bảng dưới đây.";
      }).catch(function () { /* session ended: the save will ask for a login */ });
    };
    form.querySelectorAll("tr[data-code]").forEach(function (tr) {
      var tick = tr.querySelector("input[type=checkbox]");
      tr.querySelectorAll("select").forEach(function (sel) {
        sel.addEventListener("change", function () { tick.checked = true; refresh(); });
      });
      tick.addEventListener("change", refresh);
    });
    // unsaved choices: a warning before leaving, a copy in sessionStorage (survives a reload or
    // a login in this tab), and a save that first makes sure the session is still alive
    var key = "kd-quyet-dinh:" + window.location.pathname;
    var dirty = false;
    var fieldsOf = function () {
      return Array.prototype.filter.call(form.elements, function (el) {
        return el.name && el.name !== "csrf_token" && el.type !== "hidden";
      });
    };
    var keep = function () {
      var state = {};
      fieldsOf().forEach(function (el) {
        state[el.name] = el.type === "checkbox" ? el.checked : el.value;
      });
      try { window.sessionStorage.setItem(key, JSON.stringify(state)); } catch (err) { /* full */ }
    };
    var changed = function () { dirty = true; keep(); };
    form.addEventListener("change", changed);
    form.addEventListener("input", changed);
    var saved = null;
    try { saved = JSON.parse(window.sessionStorage.getItem(key) || "null"); } catch (err) { saved = null; }
    if (saved) {
      fieldsOf().forEach(function (el) {
        if (!(el.name in saved)) { return; }
        if (el.type === "checkbox") { el.checked = !!saved[el.name]; } else { el.value = saved[el.name]; }
      });
      dirty = true;
      var note = document.getElementById("restored");
      if (note) { note.hidden = false; }
      refresh();
    } else {
      // a choice or a note made before this script ran (a slow phone; the browser putting a
      // form back on «back») fired no event: a changed rating ticks its row, and everything
      // changed is counted and kept as if it had just been done
      var early = false;
      form.querySelectorAll("tr[data-code]").forEach(function (tr) {
        tr.querySelectorAll("select").forEach(function (sel) {
          var first = Array.prototype.find.call(sel.options, function (o) { return o.defaultSelected; });
          if (first && sel.value !== first.value) {
            tr.querySelector("input[type=checkbox]").checked = true;
            early = true;
          }
        });
      });
      fieldsOf().forEach(function (el) {
        if (el.type === "checkbox" ? el.checked !== el.defaultChecked :
            el.tagName === "INPUT" && el.value !== el.defaultValue) { early = true; }
      });
      if (early) { changed(); refresh(); }
    }
    window.addEventListener("beforeunload", function (e) {
      if (!dirty) { return undefined; }
      e.preventDefault();
      e.returnValue = "";
      return "";
    });
    var status = document.getElementById("save-status");
    var submitNow = function () {
      dirty = false;
      try { window.sessionStorage.removeItem(key); } catch (err) { /* ignore */ }
      HTMLFormElement.prototype.submit.call(form);
    };
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      checkSession().then(function (s) {
        if (s.logged_in) { setCsrf(s.csrf); submitNow(); return; }
        keep();
        askLogin(status, "các quyết định", function () { submitNow(); });
        status.scrollIntoView({block: "center"});
      }).catch(function () { submitNow(); });
    });
    var all = document.getElementById("tick-all");
    if (all) {
      all.addEventListener("click", function () {
        form.querySelectorAll("tr[data-code] input[type=checkbox]").forEach(function (t) {
          t.checked = true;
        });
        changed();
        refresh();
      });
    }
  }

  // --- filters submit on change ---------------------------------------------------------------
  // (only the GET filters of a list: choosing in a form that changes something must not send it)
  document.querySelectorAll('form.filters[method="get"] select, ' +
                            'form.filters[method="get"] input[type=checkbox]')
    .forEach(function (el) { el.addEventListener("change", function () { el.form.submit(); }); });
})();
