// A confirmation step in front of a form that changes an assessment for good
// (submit, return, verify, accept all): a form with data-confirm="question" asks
// its question in the page, under its button, with "yes" and "cancel"; only "yes"
// sends the form, exactly as it is. In the page rather than window.confirm(), so
// that it reads like the rest of the page and blocks nothing. Without this script
// the forms send at once, as before. The labels come from the script tag's
// data-yes and data-no (templates/criteria/_confirm_script.html).
(function () {
  "use strict";

  var script = document.currentScript;
  var labels = { yes: script.dataset.yes || "OK", no: script.dataset.no || "Cancel" };

  function ask(form) {
    var box = form.querySelector("[data-confirm-box]");
    if (box) {
      box.querySelector("[data-confirm-yes]").focus();
      return;
    }
    box = document.createElement("div");
    box.className = "alert alert-warning mt-2 mb-0 py-2";
    box.setAttribute("role", "alert");
    box.setAttribute("data-confirm-box", "");
    var question = document.createElement("p");
    question.className = "mb-2";
    question.textContent = form.dataset.confirm;
    var yes = document.createElement("button");
    yes.type = "submit";
    yes.className = "btn btn-sm btn-primary me-2";
    yes.setAttribute("data-confirm-yes", "");
    yes.textContent = labels.yes;
    var no = document.createElement("button");
    no.type = "button";
    no.className = "btn btn-sm btn-outline-secondary";
    no.setAttribute("data-confirm-no", "");
    no.textContent = labels.no;
    no.addEventListener("click", function () {
      box.remove();
      var first = form.querySelector("button[type=submit]");
      if (first) first.focus();
    });
    box.append(question, yes, no);
    form.append(box);
    yes.focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset || form.dataset.confirm === undefined) return;
    if (event.submitter && event.submitter.hasAttribute("data-confirm-yes")) return;
    event.preventDefault();
    ask(form);
  });
})();
